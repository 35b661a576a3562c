"""Actual values as users write them, and the evaluations: self-evaluation values for
self-evaluated projects (weak ones inflated), stricter review values for a sample, notes
and evidence."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .indicators import RULE
from .personal import add_personal_data
from .wording import choose, fmt

#: Reasons written in notes when a target is missed; 2020 adds the epidemic.
DEVIATION_REASONS = (
    "部分基层单位工作推进较慢，未按计划完成",
    "项目实施方案调整，部分内容延至次年实施",
    "前期调研不足，指标值设置偏高",
    "采购程序耗时较长，实施进度滞后",
    "参与单位报名不足",
)
EPIDEMIC_REASONS = (
    "受新冠肺炎疫情影响，线下活动压减",
    "受疫情防控要求影响，部分活动改为线上开展",
)
REVIEW_NOTES = (
    "复核调整：佐证材料不足，按核实数计",
    "复核调整：自评口径有误，剔除计划外数据",
    "复核调整：部分数据无法与原始凭证核对一致",
    "复核调整：现场核查与自评不符",
)
NA_SHARE = 0.08
#: Rows whose draw exceeds this finish at 130–160% of target (a target set too low).
OVERRUN_DRAW = 0.985


def draw_evaluations(
    rng: np.random.Generator,
    projects: pd.DataFrame,
    quality: np.ndarray,
    facts: dict[str, np.ndarray],
    variants: pd.DataFrame,
    review_share: float,
    units: pd.DataFrame,
    chosen: set[str] | None = None,
) -> pd.DataFrame:
    """Self-evaluation values for self-evaluated projects, review values for a sample."""
    n_proj = len(projects)
    evaluated = (projects["self_evaluated"] == "是").to_numpy()
    candidates = np.flatnonzero(evaluated)
    reviewed = np.zeros(n_proj, dtype=bool)
    picked = rng.choice(candidates, size=round(review_share * len(candidates)), replace=False)
    reviewed[picked] = True
    if chosen is not None:  # the draw above still runs so the other values stay the same
        reviewed = projects["project_id"].isin(chosen).to_numpy() & evaluated
    # weak projects are the ones that inflate: their self-evaluation reads as a good project's
    inflated = rng.random(n_proj) < np.clip(0.05 + 0.9 * (1.0 - quality), 0.0, 0.6)
    boosted = np.maximum(quality + rng.uniform(0.25, 0.45, n_proj), 0.93)
    q_self = np.minimum(0.99, np.where(inflated, boosted, quality + 0.02))
    q_review = np.maximum(0.02, quality - 0.03)

    rule_of = variants["rule_code"].to_numpy()
    keep = evaluated[facts["proj"]] & (rule_of[facts["var"]] != RULE["execution_rate"])
    proj, var, target = (facts[k][keep] for k in ("proj", "var", "target"))
    n = len(proj)
    rule = rule_of[var]
    # shared draws make review a stricter reading of the same facts, not a new world
    u, depth_u, side_u, extra_u, evid_u, na_u = rng.random((6, n))
    na = variants["na_allowed"].to_numpy().astype(bool)[var] & (na_u < NA_SHARE)
    year = projects["year"].to_numpy()[proj]

    self_value = actual_values(variants, var, target, q_self[proj], u, depth_u, side_u, extra_u)
    self_value[na] = "不适用"
    plain_evidence = variants["evidence"].to_numpy()[var]
    evidence = plain_evidence.copy()
    evidence[evid_u < 0.12 * (1 - quality[proj]) ** 2] = ""
    evidence[na] = "不适用情况说明"
    note = np.full(n, "", dtype=object)
    missed = (
        _missed(q_self[proj], u) & ~na & ~np.isin(rule, [RULE["equal_zero"], RULE["deduction"]])
    )
    note[missed] = choose(rng, DEVIATION_REASONS, int(missed.sum()))
    epidemic = missed & (year == 2020) & (rng.random(n) < 0.6)
    note[epidemic] = choose(rng, EPIDEMIC_REASONS, int(epidemic.sum()))
    up = np.isin(rule, [RULE["ratio"], RULE["bands"]])
    overrun = ~missed & ~na & up & (extra_u > OVERRUN_DRAW) & (rng.random(n) < 0.3)
    note[overrun] = "指标值设置偏低，实际完成超出较多，次年将调整"
    personal = variants["personal"].to_numpy().astype(bool)[var] & (rng.random(n) < 0.5)
    add_personal_data(rng, projects, units, proj, np.flatnonzero(personal), evidence, note)

    r = np.flatnonzero(reviewed[proj])
    review_value = actual_values(
        variants, var[r], target[r], q_review[proj[r]], u[r], depth_u[r], side_u[r], extra_u[r]
    )
    review_value[na[r]] = "不适用"
    review_note = np.full(len(r), "", dtype=object)
    changed = review_value != self_value[r]
    review_note[changed] = choose(rng, REVIEW_NOTES, int(changed.sum()))
    review_evidence = np.where(evidence[r] == "", "未提供佐证材料", "已核查：" + plain_evidence[r])
    review_evidence[na[r]] = "不适用情况说明"

    pid = projects["project_id"].to_numpy()
    indicator_id = variants["indicator_id"].to_numpy()[var]
    rows = np.concatenate([np.arange(n), r])
    frame = pd.DataFrame(
        {
            "project_id": pid[proj[rows]],
            "indicator_id": indicator_id[rows],
            "round": np.repeat(np.array(["self", "review"], dtype=object), [n, len(r)]),
            "actual": np.concatenate([self_value, review_value]),
            "evidence": np.concatenate([evidence, review_evidence.astype(object)]),
            "note": np.concatenate([note, review_note]),
        }
    )
    is_review = np.repeat([0, 1], [n, len(r)])
    return frame.iloc[np.lexsort((rows, is_review, proj[rows]))].reset_index(drop=True)


def _missed(q: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Whether an indicator misses its target: likelier the poorer the project."""
    return u < (1.0 - q) * 1.5


def actual_values(
    variants: pd.DataFrame,
    var: np.ndarray,
    target: np.ndarray,
    q: np.ndarray,
    u: np.ndarray,
    depth_u: np.ndarray,
    side_u: np.ndarray,
    extra_u: np.ndarray,
) -> np.ndarray:
    """Values as users write them, from each row's attainment (1 = exactly on target)."""
    n = len(var)
    missed = _missed(q, u)
    depth = (0.05 + 0.55 * depth_u) * (1.2 - q)
    attain = np.where(missed, 1.0 - depth, 1.0 + 0.15 * extra_u * (extra_u > 0.6))
    attain = np.where(
        ~missed & (extra_u > OVERRUN_DRAW), 1.3 + 20 * (extra_u - OVERRUN_DRAW), attain
    )

    def col(name: str) -> np.ndarray:
        return variants[name].to_numpy()[var]

    rule = col("rule_code")
    value = np.full(n, np.nan)
    out = np.full(n, "", dtype=object)

    up = np.isin(rule, [RULE["ratio"], RULE["bands"]])
    value[up] = target[up] * attain[up]
    capped = up & col("pct_unit").astype(bool) & (target <= 100)
    value[capped] = np.minimum(value[capped], 100.0)

    down = np.isin(rule, [RULE["inverse"], RULE["inverse_linear"]])
    value[down] = target[down] / attain[down]

    zero = rule == RULE["equal_zero"]
    value[zero] = np.where(missed[zero] & (side_u[zero] < 0.12), 1 + (extra_u[zero] > 0.8), 0)
    ded = rule == RULE["deduction"]
    value[ded] = np.where(missed[ded], 1 + np.floor(depth[ded] * 5), 0)

    inter = rule == RULE["interval"]
    low, high, tol = (col(k)[inter] for k in ("low", "high", "tolerance"))
    inside = low + (high - low) * extra_u[inter]
    # a share cannot exceed 100%, so an availability can only fall short
    above = (side_u[inter] < 0.4) & ~(col("pct_unit").astype(bool)[inter] & (high >= 100))
    off = depth[inter] * tol * 1.5
    value[inter] = np.maximum(
        0.0, np.where(missed[inter], np.where(above, high + off, low - off), inside)
    )

    numeric = up | down | zero | ded | inter
    decimals = np.where(
        col("count_unit").astype(bool) | zero | ded,
        0,
        np.where(col("money_unit").astype(bool), np.where(target >= 1000, 0, 2), 1),
    )
    out[numeric] = fmt(value[numeric], decimals[numeric])

    grade = np.flatnonzero(rule == RULE["grade"])
    a = attain[grade]
    n_levels = col("n_levels")[grade]
    level = np.where(
        n_levels == 3,
        (a < 0.95).astype(int) + (a < 0.7),
        np.minimum((a < 0.97).astype(int) + (a < 0.85) + (a < 0.65), n_levels - 1),
    )
    labels = np.array(variants["labels"].tolist(), dtype=object)
    out[grade] = labels[var[grade], level]
    boolean = rule == RULE["boolean"]
    out[boolean] = np.where(attain[boolean] >= 0.8, "是", "否")
    return out
