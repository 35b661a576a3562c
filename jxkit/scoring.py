"""Scoring: indicator values → indicator scores → project totals, grades and red lights.

Pure and vectorised: every indicator row of every project is scored in one pass per
(rule, parameters) group, never a Python loop per row. A project is scored in a round
(``self`` or ``review``) only if that round has values for it. Scores are
criterion-referenced: a project's score never depends on other projects.

Totals: Σ scores / Σ applicable points × 100 (an indicator valued 不适用 is removed and
its points spread over the others in proportion), rounded half-up to 2 decimals; the
grade comes from the rounded total by the policy's half-open bands.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from . import __version__
from .catalogue import NA_WORDS
from .dataset import ROUND_NAMES, Dataset
from .errors import Problem, ScoringError
from .policy import Policy, default_policy
from .rules import DEFAULT_GRADE_LEVELS, Batch, get_rule
from .text import per_value, strip, to_number

__all__ = ["PROJECT_COLUMNS", "ScoreResult", "round_half_up", "score"]

#: Leading columns of the per-project result (the contract of ``jxkit score``).
PROJECT_COLUMNS = [
    "project_id",
    "unit_id",
    "year",
    "category",
    "round",
    "total",
    "grade",
    "red_light",
]

ROUNDS = ("self", "review")
_NA = frozenset(w.lower() for w in NA_WORDS)
_POSITIVE_RULES = ("ratio", "bands")


def round_half_up(values: np.ndarray | pd.Series, decimals: int = 2) -> np.ndarray:
    """Round half away from zero at ``decimals``, immune to binary noise (89.995 → 90.0).

    Floats such as 89.995 are stored as 89.99499999…; a tolerance of 1e-9 of a point
    treats them as the decimal the user meant.

    >>> round_half_up(np.array([89.995, 89.994, 79.999, 90.0, 0.125])).tolist()
    [90.0, 89.99, 80.0, 90.0, 0.13]
    """
    scale = 10.0**decimals
    x = np.asarray(values, dtype=float) * scale
    return np.sign(x) * np.floor(np.abs(x) + 0.5 + 1e-9 * scale) / scale


@dataclass
class ScoreResult:
    """Scores of a dataset: one row per project and round, and the per-indicator breakdown.

    ``projects`` has :data:`PROJECT_COLUMNS`, then ``flags`` (the red flags of practice,
    joined with "；") and one subtotal column per first-level indicator (scaled like the
    total, so subtotals add up to it). ``indicators`` has, per indicator row: target,
    actual, rule, params, points, applicable, score, lost, evidence, note, flag.
    """

    projects: pd.DataFrame
    indicators: pd.DataFrame
    level1: list[str]
    settings: dict[str, Any] = field(default_factory=dict)
    #: with ``skip_invalid``: projects and rounds left out, and why (columns project_id,
    #: round, problems — a list of messages)
    skipped: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["project_id", "round", "problems"])
    )

    def problems_of(self, project_id: str, round: str) -> list[str]:
        """Why a project could not be scored in a round (empty when it was scored)."""
        s = self.skipped
        hit = s[(s["project_id"] == project_id) & (s["round"] == round)]
        return list(hit["problems"].iloc[0]) if len(hit) else []

    def project(self, project_id: str, round: str = "self") -> pd.Series:
        """The result row of one project in one round."""
        rows = self.projects[
            (self.projects["project_id"] == project_id) & (self.projects["round"] == round)
        ]
        if rows.empty:
            raise ScoringError(
                f"项目 {project_id} 在{ROUND_NAMES.get(round, round)}轮次中没有评分结果"
            )
        return rows.iloc[0]

    def breakdown(self, project_id: str, round: str = "self") -> pd.DataFrame:
        """Every indicator of one project with its score, points lost and why."""
        self.project(project_id, round)
        ind = self.indicators
        rows = ind[(ind["project_id"] == project_id) & (ind["round"] == round)].copy()
        rows["reason"] = [explain(r) for r in rows.itertuples(index=False)]
        return rows.reset_index(drop=True)


def score(
    dataset: Dataset,
    round: str | None = None,
    *,
    year: int | None = None,
    policy: Policy | None = None,
    skip_invalid: bool = False,
) -> ScoreResult:
    """Score every project of ``dataset`` in ``round`` (both rounds when None).

    Raises one :class:`ScoringError` listing every value that cannot be scored (missing
    where one is needed, a label not in the levels, target 0 for a ratio …), each naming
    project, indicator and the row of the evaluations table. With ``skip_invalid`` those
    projects are left out instead and listed in ``ScoreResult.skipped`` (a batch of
    reports must not stop because one project is incomplete).
    """
    policy = policy or default_policy()
    rows = _indicator_rows(dataset, ROUNDS if round is None else (round,), year)
    bad: list[tuple[int, Problem]] = []
    rows = _score_rows(rows, dataset, bad)
    if bad and not skip_invalid:
        raise ScoringError([p for _, p in bad], title="以下完成值无法评分")
    rows, skipped = _leave_out(rows, bad)
    rows = _flag_rows(rows, policy)
    empty: list[tuple[int, Problem]] = []
    projects, level1 = _totals(rows, dataset, policy, empty)
    if empty and not skip_invalid:
        raise ScoringError([p for _, p in empty], title="以下项目无法评分")
    if empty:
        rows, more = _leave_out(rows, empty)
        keys = set(zip(more["project_id"], more["round"], strict=True))
        kept = [
            (p, r) not in keys
            for p, r in zip(projects["project_id"], projects["round"], strict=True)
        ]
        projects = projects[kept].reset_index(drop=True)
        skipped = pd.concat([skipped, more], ignore_index=True)
    settings = {
        "round": round or "self+review",
        "year": year,
        "policy": policy.source,
        "jxkit": __version__,
    }
    return ScoreResult(projects, rows, level1, settings, skipped)


def _leave_out(
    rows: pd.DataFrame, bad: list[tuple[int, Problem]]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rows without the projects and rounds that have problems, and those problems."""
    found: dict[tuple[str, str], list[str]] = {}
    for pos, problem in bad:
        key = (str(rows["project_id"].iat[pos]), str(rows["round"].iat[pos]))
        found.setdefault(key, []).append(str(problem))
    skipped = pd.DataFrame(
        [(p, r, msgs) for (p, r), msgs in sorted(found.items())],
        columns=["project_id", "round", "problems"],
    )
    if not found:
        return rows, skipped
    pairs = pd.MultiIndex.from_frame(rows[["project_id", "round"]].astype(str))
    keep = ~pairs.isin(list(found))
    return rows[keep].reset_index(drop=True), skipped


def _indicator_rows(dataset: Dataset, rounds: tuple[str, ...], year: int | None) -> pd.DataFrame:
    """Indicator rows of every project valued in each round, with their values and facts.

    Joins on integer codes shared by both tables rather than on text keys: on millions
    of rows this is several times faster than a merge.
    """
    projects = dataset.projects
    if year is not None:
        projects = projects[projects["year"] == year]
    ind, ev = dataset.indicators, dataset.evaluations
    n_ind = len(ind)
    p_codes, p_uniques = pd.factorize(
        np.concatenate([ind["project_id"].to_numpy(object), ev["project_id"].to_numpy(object)])
    )
    i_codes, i_uniques = pd.factorize(
        np.concatenate([ind["indicator_id"].to_numpy(object), ev["indicator_id"].to_numpy(object)])
    )
    key = p_codes.astype(np.int64) * max(len(i_uniques), 1) + i_codes
    ind_p, ev_p, ind_key, ev_key = p_codes[:n_ind], p_codes[n_ind:], key[:n_ind], key[n_ind:]
    project_pos = pd.Index(projects["project_id"]).get_indexer(p_uniques)  # -1: not scored
    ev_round = ev["round"].to_numpy(object)
    columns: dict[str, list[np.ndarray]] = {"sel": [], "ev": [], "round": []}
    for r in rounds:
        in_round = np.flatnonzero(ev_round == r)
        valued = np.zeros(len(p_uniques), dtype=bool)
        valued[ev_p[in_round]] = True
        sel = np.flatnonzero(valued[ind_p] & (project_pos[ind_p] >= 0))
        lookup = pd.Index(ev_key[in_round])
        if not lookup.is_unique:  # load_dataset reports duplicates; keep the first here
            keep = ~lookup.duplicated()
            lookup, in_round = lookup[keep], in_round[keep]
        match = lookup.get_indexer(ind_key[sel])
        columns["sel"].append(sel)
        columns["ev"].append(np.where(match >= 0, in_round[np.maximum(match, 0)], -1))
        columns["round"].append(np.full(len(sel), r, dtype=object))
    sel = np.concatenate(columns["sel"]) if rounds else np.array([], dtype=np.intp)
    ev_rows = np.concatenate(columns["ev"]) if rounds else np.array([], dtype=np.intp)
    rows = ind.iloc[sel].reset_index().rename(columns={"row": "indicator_row"})
    rows["target_value"] = to_number(ind["target"], decorated=True)[0][sel]
    rows.insert(1, "round", np.concatenate(columns["round"]) if rounds else [])
    has_value = ev_rows >= 0
    for col in ("actual", "evidence", "note"):
        values = ev[col].to_numpy(object)
        rows[col] = np.where(has_value, values[np.maximum(ev_rows, 0)] if len(values) else "", "")
    rows["evaluation_row"] = np.where(
        has_value, ev.index.to_numpy()[np.maximum(ev_rows, 0)] if len(ev) else 0, np.nan
    )
    facts = projects[["unit_id", "year", "category", "budget", "spent"]]
    at = project_pos[ind_p[sel]]
    for col in facts.columns:
        rows[col] = facts[col].to_numpy()[at] if len(at) else facts[col].to_numpy()[:0]
    return rows


def _score_rows(
    rows: pd.DataFrame, dataset: Dataset, problems: list[tuple[int, Problem]]
) -> pd.DataFrame:
    # each distinct value is read once: its text, whether it is 不适用, and its number
    codes, uniques = pd.factorize(rows["actual"].to_numpy(object), use_na_sentinel=False)
    texts = strip(uniques)
    label_v = texts[codes]
    rows["applicable"] = ~np.array([t.lower() in _NA for t in texts], dtype=bool)[codes]
    actual_v = to_number(texts, decorated=True)[0][codes]
    target_v = rows["target_value"].to_numpy(float)
    score = np.full(len(rows), np.nan)
    source = dataset.sources.get("evaluations", "评价表")
    points = rows["points"].to_numpy(float)
    budget, spent = rows["budget"].to_numpy(float), rows["spent"].to_numpy(float)
    applicable = rows["applicable"].to_numpy()
    for (rule_name, params_text), where in rows.groupby(
        ["rule", "params"], sort=True
    ).indices.items():
        rule = get_rule(rule_name)
        if rule is None:  # load_dataset has reported it; here only a guard for hand-made frames
            continue
        params = json.loads(params_text) if params_text else {}
        needed = rule.value != "none"
        missing = (label_v[where] == "") if needed else np.zeros(len(where), dtype=bool)
        live = where[applicable[where] & ~missing]
        for pos in where[missing]:
            _problem(problems, rows, pos, source, f"缺少{_round(rows, pos)}完成值")
        if len(live) == 0:
            continue
        batch = Batch(
            points[live],
            target_v[live],
            actual_v[live],
            label_v[live],
            budget[live],
            spent[live],
            params,
        )
        outcome = rule.scorer(batch)
        score[live] = outcome.score
        for mask, reason in outcome.invalid:
            for pos in live[mask]:
                _problem(problems, rows, pos, source, reason)
    rows["score"] = np.where(applicable, score, 0.0)
    rows["lost"] = np.where(applicable, points - rows["score"].to_numpy(), 0.0)
    rows["actual_value"] = actual_v
    rows["target_value"] = target_v
    return rows


def _round(rows: pd.DataFrame, pos: int) -> str:
    return ROUND_NAMES.get(rows["round"].iat[pos], "")


def _problem(
    problems: list[tuple[int, Problem]], rows: pd.DataFrame, pos: int, source: str, reason: str
) -> None:
    r = rows.iloc[pos]
    row = None if pd.isna(r["evaluation_row"]) else int(r["evaluation_row"])
    problems.append(
        (
            int(pos),
            Problem(
                source,
                f"项目 {r['project_id']} 指标 {r['indicator_id']}（{r['name']}）{reason}",
                row,
                "actual",
                r["actual"] or None,
            ),
        )
    )


def _flag_rows(rows: pd.DataFrame, policy: Policy) -> pd.DataFrame:
    """Red flags of practice on single indicators (domain.md, "Practice")."""
    positive = rows["rule"].isin(_POSITIVE_RULES).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        completion = rows["actual_value"].to_numpy() / rows["target_value"].to_numpy()
    overrun = positive & (completion >= policy.overrun_ratio) & (strip(rows["note"]) == "")
    overrun_text = f"完成值超过指标值 {policy.overrun_ratio:.0%} 以上，未说明偏差原因"
    cost_text = "成本类指标按正向方法计分"
    cost = np.zeros(len(rows), dtype=bool)
    if policy.cost_words:
        words = re.compile("|".join(map(re.escape, policy.cost_words)))
        looks_like_cost = lambda x: bool(words.search(str(x)))  # noqa: E731
        cost = per_value(rows["name"], looks_like_cost, bool) | per_value(
            rows["level2"], looks_like_cost, bool
        )
    cost &= positive
    flag = np.full(len(rows), "", dtype=object)
    flag[overrun] = overrun_text
    flag[cost & ~overrun] = cost_text
    flag[cost & overrun] = f"{overrun_text}；{cost_text}"
    rows["flag"] = flag
    return rows


def _totals(
    rows: pd.DataFrame, dataset: Dataset, policy: Policy, problems: list[tuple[int, Problem]]
) -> tuple[pd.DataFrame, list[str]]:
    """Totals, grades and subtotals per project and round, summed with np.bincount."""
    project_codes, _ = pd.factorize(rows["project_id"].to_numpy(object))
    round_codes = (rows["round"].to_numpy(object) == "review").astype(np.int64)
    group, _ = pd.factorize(project_codes.astype(np.int64) * 2 + round_codes)
    n = int(group.max()) + 1 if len(group) else 0
    _, first = np.unique(group, return_index=True)
    applicable = rows["applicable"].to_numpy(bool)
    score_app = np.where(applicable, rows["score"].to_numpy(float), 0.0)
    earned = np.bincount(group, weights=score_app, minlength=n)
    app_points = np.bincount(group, weights=np.where(applicable, rows["points"], 0.0), minlength=n)
    full = (rows["lost"].to_numpy(float) <= 1e-9) | ~applicable
    all_full = np.bincount(group, weights=~full, minlength=n) == 0
    out = rows.iloc[first][["project_id", "round", "unit_id", "year", "category"]].reset_index(
        drop=True
    )
    for g in np.flatnonzero(app_points <= 0):
        pid, r = out["project_id"].iat[g], out["round"].iat[g]
        message = f"项目 {pid} 的{ROUND_NAMES[r]}指标全部为不适用，无法评分"
        problems.append(
            (int(first[g]), Problem(dataset.sources.get("evaluations", "评价表"), message))
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(app_points > 0, 100.0 / app_points, np.nan)
    total = round_half_up(earned * scale)
    l1_codes, l1_names = pd.factorize(rows["level1"])
    level1 = [str(x) for x in l1_names]
    flat = group.astype(np.int64) * len(level1) + l1_codes
    size = n * len(level1)
    sums = np.bincount(flat, weights=score_app, minlength=size).reshape(n, len(level1))
    counts = np.bincount(flat, weights=applicable, minlength=size).reshape(n, len(level1))
    sub = np.where(counts > 0, round_half_up(sums * scale[:, None]), np.nan)
    out["total"] = total
    out["grade"] = policy.grade(total)
    out["red_light"] = np.isin(out["grade"], list(policy.red_light_grades))
    out["flags"] = _project_flags(group, all_full, rows)
    out = pd.concat([out, pd.DataFrame(sub, columns=level1)], axis=1)
    order = np.lexsort(
        (
            out["round"].map({r: i for i, r in enumerate(ROUNDS)}).to_numpy(),
            out["project_id"].to_numpy(str),
        )
    )
    out = out.iloc[order]
    return out[[*PROJECT_COLUMNS, "flags", *level1]].reset_index(drop=True), level1


def _project_flags(group: np.ndarray, all_full: np.ndarray, rows: pd.DataFrame) -> np.ndarray:
    """Per group: 全部指标均为满分 and the flagged indicators, joined with "；"."""
    parts: list[list[str]] = [["全部指标均为满分"] if f else [] for f in all_full]
    flagged = np.flatnonzero(rows["flag"].to_numpy(object) != "")
    names, flags = rows["name"].to_numpy(object), rows["flag"].to_numpy(object)
    for i in flagged:
        parts[group[i]].append(f"{names[i]}：{flags[i]}")
    return np.array(["；".join(p) for p in parts], dtype=object)


# ----------------------------------------------------------------------------- explaining


def _num(x: float) -> str:
    return f"{x:,.2f}".rstrip("0").rstrip(".") if np.isfinite(x) else "—"


def explain(r: Any) -> str:
    """Why an indicator lost points, in plain Chinese (empty when it lost none)."""
    if not r.applicable:
        return "不适用，已剔除，其分值按比例分摊到其他指标"
    if r.lost <= 1e-9:
        return ""
    params = json.loads(r.params) if r.params else {}
    a, t = r.actual_value, r.target_value
    lost = f"扣 {_num(r.lost)} 分"
    match r.rule:
        case "execution_rate":
            rate = r.spent / r.budget if r.budget else 0.0
            return f"预算执行率 {rate:.1%}（执行 {_num(r.spent)} 元 / 预算 {_num(r.budget)} 元），{lost}"
        case "ratio" | "bands":
            return f"完成值 {_num(a)} 未达到指标值 {_num(t)}（完成率 {a / t:.1%}），{lost}"
        case "inverse" | "inverse_linear":
            return f"完成值 {_num(a)} 超过指标值 {_num(t)}（反向指标），{lost}"
        case "equal_zero":
            return f"发生 {_num(a)} 起（应为 0），{lost}"
        case "deduction":
            return f"发现问题 {_num(a)} 个，每个扣 {_num(params.get('per_item', 1))} 分，{lost}"
        case "grade":
            levels = params.get("levels", DEFAULT_GRADE_LEVELS)
            return (
                f"评定为“{r.actual}”（得分比例 {levels.get(str(r.actual).strip(), 0):.0%}），{lost}"
            )
        case "boolean":
            return f"未达成（{r.actual}），{lost}"
        case "interval":
            return f"完成值 {_num(a)} 不在合理区间 [{_num(params['low'])}, {_num(params['high'])}] 内，{lost}"
    return lost
