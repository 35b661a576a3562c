"""Management-work assessment (工作考核) of each union's year, and the ranking to publish (通报).

Every union with projects in the year is scored with the ``management`` framework (or
the one the policy file names) through :func:`jxkit.unit_eval.score_view`, the same
engine as projects. The values of most indicators are computed from the dataset:

- 三项十类 coverage by the phased rules: targets declared (target_coverage), approved
  where the phase requires approval (target_approval), projects self-evaluated
  (self_evaluation_rate), each over the projects required that year;
- ex-ante assessment of new major projects (ex_ante_assessment), monitoring of the
  year's projects (monitoring_coverage) and red monitoring lights with a stated reason at
  every red date (warning_handling);
- 绩效目标编制质量 (target_quality) from the target review of the year's projects
  (:meth:`jxkit.targets.TargetReview.quality`);
- self-evaluation quality: the share of the union's re-evaluated projects whose
  self-evaluation was poor (the policy's review thresholds);
- unit-level self-evaluation done, where the policy requires it of the union's level;
- results application of last year's results: red-lighted projects rectified
  (red_light_rectification), projects whose grade the policy cuts that were cut or
  dropped this year (budget_linkage), red-lighted projects still funded (red_light_funded).

The optional ``assessment`` table (工作考核) gives the assessor's values for the rest
(e.g. 绩效目标编制质量) and overrides a computed value where both exist. An indicator with
neither, or whose rate has nothing to count (no project required, no optional table in
the dataset), is 不适用: its points are spread over the others, as for projects.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .catalogue import LEVELS, level_name
from .compare import compare
from .coverage import coverage
from .dataset import Collector, Dataset, optional_table, unknown
from .errors import DataError, Problem
from .frameworks import INDICATOR_COLUMNS, Framework, get_framework
from .monitoring import monitor
from .policy import Policy, default_policy
from .results import continuations, final_scores
from .rounding import round_half_up
from .scoring import ScoreResult, score
from .targets import review_targets
from .unit_eval import score_view

__all__ = ["COMPUTED", "Assessment", "assess"]

NA = "不适用"
COMPUTED_SOURCE, MANUAL_SOURCE, NO_DATA = "数据计算", "人工填报", "无数据"


def check_tables(ds: Dataset, out: dict[str, Collector]) -> None:
    """The assessment table: known units."""
    a = ds.table("assessment")
    if not a.empty:
        unknown(a, ["unit_id"], ds.units, out["assessment"], "单位编码在单位表中不存在")


@dataclass
class _Inputs:
    """What the computations share: the year's data, computed once."""

    dataset: Dataset
    year: int
    policy: Policy
    scores: ScoreResult
    units: pd.Index

    def frame(self, value: Any, basis: Any) -> pd.DataFrame:
        return pd.DataFrame({"value": value, "basis": basis}, index=self.units)


def _rate(inp: _Inputs, done: pd.Series, due: pd.Series, what: str) -> pd.DataFrame:
    """done / due × 100 per unit (不适用 where nothing is due), with the counts as basis."""
    done = done.reindex(inp.units).fillna(0).astype(int)
    due = due.reindex(inp.units).fillna(0).astype(int)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = round_half_up(done / due * 100)
    value = np.where(due > 0, [_text(v) for v in rate], NA)
    basis = what + "：" + done.astype(str) + "/" + due.astype(str)
    return inp.frame(value, np.where(due > 0, basis, what + "：无"))


def _text(value: float) -> str:
    return "" if np.isnan(value) else f"{value:.2f}".rstrip("0").rstrip(".")


def _none(inp: _Inputs, name: str) -> bool:
    """True when the dataset has no rows of an optional table (nothing to count)."""
    return optional_table(inp.dataset, name).empty


def _absent(inp: _Inputs, zh: str) -> pd.DataFrame:
    return inp.frame(NA, f"数据集中没有{zh}表")


def _coverage(inp: _Inputs) -> pd.DataFrame:
    return coverage(inp.dataset, inp.year, policy=inp.policy).projects


def target_coverage(inp: _Inputs) -> pd.DataFrame:
    c = _coverage(inp)
    req = c[c["required"]]
    return _rate(
        inp,
        req.groupby("unit_id")["declared"].sum(),
        req.groupby("unit_id").size(),
        "目标同步申报/应覆盖项目",
    )


def target_approval(inp: _Inputs) -> pd.DataFrame:
    c = _coverage(inp)
    levels = {
        lv
        for r in inp.policy.coverage_rules(inp.year)
        if "approved" in r.require
        for lv in r.levels
    }
    due = c[c["required"] & c["level"].isin(levels)]
    return _rate(
        inp,
        due.groupby("unit_id")["approved"].sum(),
        due.groupby("unit_id").size(),
        "目标批复下达/应批复项目",
    )


def self_evaluation_rate(inp: _Inputs) -> pd.DataFrame:
    c = _coverage(inp)
    req = c[c["required"]]
    return _rate(
        inp,
        req.groupby("unit_id")["self_evaluated"].sum(),
        req.groupby("unit_id").size(),
        "已自评/应自评项目",
    )


def _year_projects(inp: _Inputs) -> pd.DataFrame:
    p = inp.dataset.projects
    return p[p["year"] == inp.year]


def ex_ante_assessment(inp: _Inputs) -> pd.DataFrame:
    if _none(inp, "exante"):
        return _absent(inp, "事前评估")
    p = _year_projects(inp)
    major = p[p["new_major"].fillna(False).astype(bool)]
    done = major["project_id"].isin(optional_table(inp.dataset, "exante")["project_id"])
    return _rate(
        inp,
        done.groupby(major["unit_id"]).sum(),
        major.groupby("unit_id").size(),
        "已事前评估/新增重大项目",
    )


def _monitoring_history(inp: _Inputs) -> pd.DataFrame | None:
    m = optional_table(inp.dataset, "monitoring")
    dates = m.loc[m["as_of"].dt.year == inp.year, "as_of"]
    if dates.empty:
        return None
    history = monitor(inp.dataset, dates.max(), policy=inp.policy).history
    return history[history["as_of"].dt.year == inp.year]


def monitoring_coverage(inp: _Inputs) -> pd.DataFrame:
    if _none(inp, "monitoring"):
        return _absent(inp, "绩效监控")
    p = _year_projects(inp)
    watched = p["project_id"].isin(optional_table(inp.dataset, "monitoring")["project_id"])
    return _rate(
        inp, watched.groupby(p["unit_id"]).sum(), p.groupby("unit_id").size(), "已监控/本年度项目"
    )


def warning_handling(inp: _Inputs) -> pd.DataFrame:
    if _none(inp, "monitoring"):
        return _absent(inp, "绩效监控")
    h = _monitoring_history(inp)
    if h is None:
        return inp.frame(NA, f"{inp.year} 年没有监控数据")
    red = h[h["light"] == inp.policy.monitoring.serious_light]
    handled = (red["reasons"] != "").groupby(red["project_id"]).all()
    unit = red.groupby("project_id")["unit_id"].first()
    return _rate(
        inp,
        handled.groupby(unit).sum(),
        unit.groupby(unit).size(),
        "已分析原因的预警项目/预警项目",
    )


def self_evaluation_quality(inp: _Inputs) -> pd.DataFrame:
    p = inp.scores.projects
    p = p[p["year"] == inp.year]
    both = p.groupby("project_id")["round"].nunique()
    ids = list(both.index[both == 2])
    if not ids:
        return inp.frame(NA, "本年度没有再评价项目")
    c = compare(inp.dataset, ids, policy=inp.policy, scores=inp.scores).projects
    return _rate(
        inp,
        c.groupby("unit_id")["poor"].sum(),
        c.groupby("unit_id").size(),
        "自评质量差/被再评价项目",
    )


def target_quality(inp: _Inputs) -> pd.DataFrame:
    q = review_targets(inp.dataset, inp.year, policy=inp.policy).quality(inp.policy)
    q = q.reindex(inp.units)
    return inp.frame(
        q["value"].fillna(NA).to_numpy(), q["basis"].fillna("没有申报目标的项目").to_numpy()
    )


def unit_self_evaluation(inp: _Inputs) -> pd.DataFrame:
    if _none(inp, "unit_evaluations"):
        return _absent(inp, "单位评价")
    ue = optional_table(inp.dataset, "unit_evaluations")
    done = set(ue.loc[(ue["year"] == inp.year) & ue["round"].isin(["", "self"]), "unit_id"])
    levels = inp.dataset.units.set_index("unit_id")["level"].reindex(inp.units)
    due = levels.isin(inp.policy.assess.unit_evaluation_levels(inp.year)).to_numpy()
    did = inp.units.isin(list(done))
    return inp.frame(
        np.where(due, np.where(did, "是", "否"), NA),
        np.where(due, np.where(did, "已开展单位整体自评", "未开展单位整体自评"), "当年不要求"),
    )


def _last_year(inp: _Inputs) -> pd.DataFrame:
    """Last year's projects with their final result and this year's continuation."""
    p = inp.dataset.projects
    before = p[p["year"] == inp.year - 1][["project_id", "unit_id", "budget", "rectified"]]
    final = final_scores(inp.scores.projects, inp.year - 1).set_index("project_id")
    before = before.join(final[["grade", "red_light"]], on="project_id")
    pairs = continuations(p, inp.year).rename(
        columns={"project_id": "next_id", "previous_id": "project_id"}
    )
    budgets = p.set_index("project_id")["budget"]
    pairs["next_budget"] = pairs["next_id"].map(budgets).astype(float)  # float even when empty
    nxt = pairs.groupby("project_id")["next_budget"].sum(min_count=1)
    before = before.join(nxt, on="project_id")
    before["red_light"] = before["red_light"].fillna(False).astype(bool)
    before["rectified"] = before["rectified"].fillna(False).astype(bool)
    return before


def red_light_rectification(inp: _Inputs) -> pd.DataFrame:
    b = _last_year(inp)
    red = b[b["red_light"]]
    return _rate(
        inp,
        red.groupby("unit_id")["rectified"].sum(),
        red.groupby("unit_id").size(),
        f"已整改/{inp.year - 1} 年红灯项目",
    )


def budget_linkage(inp: _Inputs) -> pd.DataFrame:
    b = _last_year(inp)
    cut_grades = [g for g, _ in inp.policy.grades if inp.policy.results.get(g, ("", 0.0))[1] > 0]
    poor = b[b["grade"].isin(cut_grades)]
    cut = poor["next_budget"].isna() | (poor["next_budget"] < poor["budget"])
    return _rate(
        inp,
        cut.groupby(poor["unit_id"]).sum(),
        poor.groupby("unit_id").size(),
        f"已调减或取消/{inp.year - 1} 年{'、'.join(cut_grades)}级项目",
    )


def red_light_funded(inp: _Inputs) -> pd.DataFrame:
    b = _last_year(inp)
    funded = b[b["red_light"] & (b["next_budget"] > 0)]
    n = funded.groupby("unit_id").size().reindex(inp.units).fillna(0).astype(int)
    return inp.frame(n.astype(str).to_numpy(), f"{inp.year - 1} 年红灯项目本年度仍安排预算的个数")


#: Indicators of the management framework whose value jxkit computes from the dataset.
COMPUTED: dict[str, Callable[[_Inputs], pd.DataFrame]] = {
    "target_coverage": target_coverage,
    "target_approval": target_approval,
    "target_quality": target_quality,
    "ex_ante_assessment": ex_ante_assessment,
    "monitoring_coverage": monitoring_coverage,
    "warning_handling": warning_handling,
    "self_evaluation_rate": self_evaluation_rate,
    "self_evaluation_quality": self_evaluation_quality,
    "unit_self_evaluation": unit_self_evaluation,
    "red_light_rectification": red_light_rectification,
    "budget_linkage": budget_linkage,
    "red_light_funded": red_light_funded,
}


@dataclass
class Assessment:
    """The year's assessment: ``units`` one row per union (subtotals per first-level
    indicator, total, grade, rank within its level); ``values`` one row per union and
    indicator (value, where it came from, how it was computed, score)."""

    year: int
    units: pd.DataFrame
    values: pd.DataFrame
    level1: list[str]
    framework: str
    settings: dict[str, Any] = field(default_factory=dict)

    def ranking(self, level: str) -> pd.DataFrame:
        """The published ranking of one level (市总工会, 省产业工会, 县级工会 …)."""
        return self.units[self.units["level"] == level].reset_index(drop=True)

    @property
    def levels(self) -> list[str]:
        return [lv for lv in LEVELS if (self.units["level"] == lv).any()]


def assess(
    dataset: Dataset,
    year: int,
    *,
    policy: Policy | None = None,
    framework: Framework | str | None = None,
    scores: ScoreResult | None = None,
) -> Assessment:
    """Score every union with projects in ``year`` on its performance-management work."""
    policy = policy or default_policy()
    fw = (
        framework
        if isinstance(framework, Framework)
        else get_framework(framework or policy.assess.framework)
    )
    p = dataset.projects
    unit_ids = pd.Index(sorted(set(p.loc[p["year"] == year, "unit_id"])), name="unit_id")
    if unit_ids.empty:
        raise DataError(f"数据集中没有 {year} 年的项目")
    scores = scores or score(dataset, policy=policy)
    inp = _Inputs(dataset, year, policy, scores, unit_ids)
    leaves = fw.leaves
    values = _values(inp, leaves, dataset.sources.get("assessment", "工作考核表"))
    subjects = pd.DataFrame(
        {
            "project_id": unit_ids.astype(str),
            "unit_id": unit_ids,
            "year": year,
            "category": "management",
            "budget": np.nan,
            "spent": np.nan,
        }
    )
    names = dataset.units.set_index("unit_id")["name"]
    labels = {u: f"单位 {u}（{names.get(u, u)}，{year} 年考核）" for u in unit_ids}
    indicators = _leaf_rows(leaves, unit_ids)
    evaluations = values.set_index("row")[
        ["project_id", "indicator_id", "round", "actual", "evidence", "note"]
    ]
    result = score_view(
        subjects,
        indicators,
        evaluations,
        labels=labels,
        source=dataset.sources.get("assessment", "工作考核表"),
        policy=policy,
    )
    return _assessment(result, values, dataset, year, fw, policy)


def _leaf_rows(leaves: pd.DataFrame, unit_ids: pd.Index) -> pd.DataFrame:
    """The framework's leaves once per union, as rows of an indicators table."""
    n = len(leaves)
    rows = leaves.iloc[np.tile(np.arange(n), len(unit_ids))].reset_index(drop=True)
    rows.insert(0, "project_id", np.repeat(unit_ids.to_numpy(dtype=object), n))
    rows["target"] = rows["target"].map(lambda v: "" if v is None else str(v))
    rows.index = pd.Index(np.full(len(rows), np.nan), name="row")
    return rows[list(INDICATOR_COLUMNS)]


def _values(inp: _Inputs, leaves: pd.DataFrame, source: str) -> pd.DataFrame:
    """The value of every (union, indicator): the assessor's, else computed, else 不适用."""
    ids = list(leaves["indicator_id"])
    parts = []
    for indicator_id in ids:
        func = COMPUTED.get(indicator_id)
        if func is None:
            part = inp.frame(NA, "无数据（可在工作考核表中填写）").assign(source=NO_DATA)
        else:
            part = func(inp).assign(source=COMPUTED_SOURCE)
        parts.append(part.assign(indicator_id=indicator_id).reset_index())
    v = pd.concat(parts, ignore_index=True)
    position = {k: i for i, k in enumerate(ids)}
    v = v.assign(_o=v["indicator_id"].map(position)).sort_values(["unit_id", "_o"], kind="stable")
    v = v.drop(columns="_o").reset_index(drop=True)
    v["row"] = np.nan
    v["evidence"], v["note"] = v["basis"], ""
    manual = optional_table(inp.dataset, "assessment")
    manual = manual[(manual["year"] == inp.year) & manual["unit_id"].isin(inp.units)]
    unknown = manual[~manual["indicator_id"].isin(ids)]
    if not unknown.empty:
        raise DataError(
            [
                Problem(
                    source,
                    f"指标编码不在考核指标体系中（可选：{'、'.join(ids)}）",
                    int(r),
                    "indicator_id",
                    i,
                )
                for r, i in unknown["indicator_id"].items()
            ],
            title="工作考核表有问题",
        )
    m = manual.reset_index().set_index(["unit_id", "indicator_id"])
    at = pd.MultiIndex.from_frame(v[["unit_id", "indicator_id"]])
    given = at.isin(m.index)
    found = m.reindex(at[given])
    v.loc[given, "value"] = found["actual"].to_numpy()
    v.loc[given, "evidence"] = found["evidence"].to_numpy()
    v.loc[given, "note"] = found["note"].to_numpy()
    v.loc[given, "row"] = found["row"].to_numpy(dtype=float)
    v.loc[given, "source"] = MANUAL_SOURCE
    v.loc[given, "basis"] = "工作考核表"
    v["project_id"] = v["unit_id"].astype(str)
    v["round"] = "self"
    v["actual"] = v["value"]
    return v


def _assessment(
    result: ScoreResult,
    values: pd.DataFrame,
    dataset: Dataset,
    year: int,
    fw: Framework,
    policy: Policy,
) -> Assessment:
    p = result.projects
    units = dataset.units.set_index("unit_id")[["name", "level"]]
    out = p[["unit_id", *result.level1, "total", "grade"]].join(units, on="unit_id")
    out["level_name"] = out["level"].map(level_name)
    out["year"] = year
    out["rank"] = out.groupby("level")["total"].rank(method="min", ascending=False).astype(int)
    order = {k: i for i, k in enumerate(LEVELS)}
    out = out.assign(_lv=out["level"].map(order)).sort_values(
        ["_lv", "rank", "unit_id"], kind="stable"
    )
    cols = ["level", "level_name", "rank", "unit_id", "name", "year", "total", "grade"]
    out = out[[*cols, *result.level1]].reset_index(drop=True)
    ind = result.indicators.set_index(["project_id", "indicator_id"])
    key = pd.MultiIndex.from_frame(values[["project_id", "indicator_id"]])
    scored = ind.reindex(key)
    shown = values.assign(
        name=scored["name"].to_numpy(),
        level1=scored["level1"].to_numpy(),
        points=scored["points"].to_numpy(),
        target=scored["target"].to_numpy(),
        score=np.where(
            scored["applicable"].to_numpy(dtype=bool), scored["score"].to_numpy(), np.nan
        ),
    )
    shown.insert(1, "unit_name", shown["unit_id"].map(units["name"]))
    shown = shown[
        [
            "unit_id",
            "unit_name",
            "indicator_id",
            "level1",
            "name",
            "points",
            "target",
            "value",
            "score",
            "source",
            "basis",
            "note",
        ]
    ]
    settings = {"year": year, "framework": f"{fw.id} {fw.version}", "policy": policy.source}
    return Assessment(year, out, shown, result.level1, fw.name, settings)
