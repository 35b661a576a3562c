"""Target review (绩效目标审核): the declared targets of a year's projects, before the budget.

The indicators table holds what each project declared with its budget. Every project is
reviewed on the four points of practice (财预〔2015〕88号 and later guidance), each check
giving findings with the indicator and the reason:

- 完整性: 产出 (数量, 质量, 时效, 成本), 效益 and 满意度 indicators all present; points add
  up to 100; every indicator has a target, and a unit where it is quantitative; the
  project's overall goal is filled in where the projects table has a ``goal`` (总体目标)
  column;
- 相关性: each indicator is a leaf of the category's framework or marked project-specific
  (an id starting with ``custom``, or 个性 in its name or second level); no indicator
  counted twice (the same name, or the same quantity and unit in 产出 and 效益);
- 适当性: the share of quantitative indicators reaches the policy's minimum; cost
  indicators are ceilings (≤), not floors (≥); satisfaction targets lie within the
  policy's range; for a continuing project (:func:`jxkit.results.continuations`) a target
  below last year's actual is 偏低 and one far above every past actual 偏高 (mirrored for
  ceilings); a budget that moved by the policy's share while no target moved is
  资金与目标不匹配;
- 可行性: no deadline written in a target falls after the project's end (its end date,
  else 31 December of its year); no floor or fixed percentage above 100%.

Scoring follows the policy's ``targets`` section: each aspect has points, each finding
deducts its check's points within its aspect (floored at 0), the total gives the result
优 / 良 / 中 / 差 by half-open bands, and the result its consequence (优 进入预算安排 …).
A project with no indicator at all has declared no targets: 差, whatever else.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .catalogue import category_name
from .dataset import Dataset
from .dataset.values import parse_target
from .errors import DataError
from .frameworks import RULE_NATURES, Framework, list_frameworks
from .policy import Policy, default_policy
from .results import continuations
from .rounding import round_half_up, wan
from .rules import get_rule
from .text import blank, contains, factorize, per_value, strip

__all__ = ["ASPECTS", "CHECKS", "Check", "TargetReview", "read_target", "review_targets"]

#: The four review points, in the order reports show them.
ASPECTS = ("完整性", "相关性", "适当性", "可行性")


@dataclass(frozen=True)
class Check:
    code: str
    aspect: str
    #: the short name a finding is listed under
    title: str


#: Every check of the review; the policy file gives each its deduction.
CHECKS: dict[str, Check] = {
    c.code: c
    for c in (
        Check("no_targets", "完整性", "未申报绩效目标"),
        Check("missing_dimension", "完整性", "指标类别不全"),
        Check("points_total", "完整性", "分值合计不为 100"),
        Check("missing_target", "完整性", "缺少指标值"),
        Check("missing_unit", "完整性", "缺少计量单位"),
        Check("missing_goal", "完整性", "缺少总体目标"),
        Check("outside_framework", "相关性", "与项目关联不明"),
        Check("duplicate", "相关性", "重复设置指标"),
        Check("quantitative_share", "适当性", "定量指标偏少"),
        Check("cost_direction", "适当性", "成本指标方向错误"),
        Check("satisfaction_range", "适当性", "满意度指标值不合理"),
        Check("below_last_actual", "适当性", "指标值偏低"),
        Check("far_above_past", "适当性", "指标值偏高"),
        Check("funds_mismatch", "适当性", "资金与目标不匹配"),
        Check("deadline_after_end", "可行性", "完成时限晚于项目结束"),
        Check("percent_over_100", "可行性", "百分比超过 100%"),
    )
}

#: Columns of the projects table that may hold the overall goal (an extra column).
GOAL_COLUMNS = ("goal", "总体目标", "年度总体目标")

# the sign words of real forms (domain.md, "The forms"), longest first
_FLOOR = ("大于等于", "不低于", "不少于", "≥", "≧", ">=", "＞=", "＞＝", ">", "＞")
_CEILING = ("小于等于", "不高于", "不超过", "≤", "≦", "<=", "＜=", "＜＝", "<", "＜")
_EQUAL = ("==", "=", "＝", "═")
_FLOOR_AFTER = ("及以上", "以上")
_CEILING_AFTER = ("及以下", "以下", "以内")
_NUMBER = re.compile(r"[-+]?\d[\d,，]*(?:\.\d+)?")
_DATE = re.compile(
    r"(\d{4})\s*[年\-/.]\s*(\d{1,2})\s*(?:月)?\s*[\-/.]?\s*(?:(\d{1,2})\s*[日号]?|底|末)?\s*(?:之前|以前|前)"
)
_PUNCTUATION = re.compile(r"[\s（）()\[\]【】“”\"'《》、，,。.:：;；—\-_/]+")


@dataclass(frozen=True)
class Target:
    """A target as written, read: its sign, its number, its unit and any deadline."""

    sign: str  # ≥ ≤ = or "" when none is written
    value: float  # NaN when the target is not a number
    unit: str
    deadline: datetime.date | None


def read_target(text: Any) -> Target:
    """Read a target cell the way forms write it.

    >>> read_target("不低于95%"), read_target("500人以上").sign
    (Target(sign='≥', value=95.0, unit='%', deadline=None), '≥')
    >>> read_target("2021年12月底前完成").deadline
    datetime.date(2021, 12, 31)
    """
    s = str(text or "").strip()
    m = _DATE.search(s)
    if m:
        year, month = int(m[1]), int(m[2])
        if 1 <= month <= 12:
            last = (datetime.date(year + month // 12, month % 12 + 1, 1)) - datetime.timedelta(1)
            day = min(int(m[3]), last.day) if m[3] else last.day
            return Target("", np.nan, "", datetime.date(year, month, max(day, 1)))
    sign = ""
    for signs, name in ((_FLOOR, "≥"), (_CEILING, "≤"), (_EQUAL, "=")):
        hit = next((w for w in signs if s.startswith(w)), None)
        if hit:
            sign, s = name, s[len(hit) :].strip()
            break
    for words, name in ((_FLOOR_AFTER, "≥"), (_CEILING_AFTER, "≤")):
        hit = next((w for w in words if s.endswith(w)), None)
        if hit:
            sign, s = sign or name, s[: -len(hit)].strip()
            break
    n = _NUMBER.match(s)
    if not n:
        return Target(sign, np.nan, "", None)
    value = float(n[0].replace(",", "").replace("，", ""))
    return Target(sign, value, s[n.end() :].strip().replace("％", "%"), None)


def _among(column: pd.Series, values: Any) -> np.ndarray:
    """``column.isin(values)``, once per distinct value (Arrow's isin is slow on long lists)."""
    wanted = set(values)
    codes, uniques = factorize(column)
    hit = np.fromiter((u in wanted for u in np.asarray(uniques, dtype=object)), bool, len(uniques))
    return hit[codes] if len(codes) else np.zeros(0, dtype=bool)


def _norm(name: Any) -> str:
    """A name compared for repeats: no spaces or punctuation."""
    return _PUNCTUATION.sub("", str(name or ""))


@dataclass
class TargetReview:
    """The review of one year's (or every year's) declared targets.

    ``projects``: one row per project: unit, category, budget, last year's project, the
    counts, one column per aspect (its score), total, grade (优/良/中/差), action (the
    consequence) and findings (the titles, joined). ``findings``: one row per finding:
    project, aspect, check and its title, indicator (blank for the project as a whole),
    target as written, reason, deduction, and the indicators table's row.
    """

    projects: pd.DataFrame
    findings: pd.DataFrame
    aspects: dict[str, float]
    settings: dict[str, Any] = field(default_factory=dict)

    def project(self, project_id: str) -> pd.Series:
        rows = self.projects[self.projects["project_id"] == str(project_id)]
        if rows.empty:
            raise DataError(f"目标审核中没有项目 {project_id}")
        return rows.iloc[0]

    def quality(self, policy: Policy | None = None) -> pd.DataFrame:
        """Per unit: 绩效目标编制质量 (value) from its projects' average total, and how.

        Projects that declared no target are left out: target coverage counts them.
        """
        rules = (policy or default_policy()).targets
        p = self.projects[self.projects["total"].notna()]
        g = p.groupby("unit_id")
        mean = pd.Series(round_half_up(g["total"].mean()), index=g["total"].mean().index)
        grade = pd.Series(rules.grade(mean.to_numpy()), index=mean.index)
        counts = p.groupby(["unit_id", "grade"]).size()

        def spread(unit: str) -> str:
            return "、".join(f"{x} {counts.get((unit, x), 0)}" for x, _ in rules.grades)

        basis = [
            f"目标审核 {n} 个项目平均 {m:g} 分（{gr}；{spread(str(u))}）"
            for u, n, m, gr in zip(mean.index, g.size(), mean, grade, strict=True)
        ]
        return pd.DataFrame(
            {
                "value": grade.map(rules.quality_labels).to_numpy(),
                "mean": mean.to_numpy(),
                "grade": grade.to_numpy(),
                "basis": basis,
            },
            index=mean.index,
        )

    def sheets(self) -> dict[str, pd.DataFrame]:
        """The workbook: projects with their result, and every finding; Chinese headers."""
        from .dataset.workbook import zh_frame

        return {
            "审核结果": zh_frame(self.projects.rename(columns=HEADERS)),
            "审核发现": zh_frame(self.findings.rename(columns=HEADERS)),
        }


#: Chinese headers of the columns only this step writes (the rest: :mod:`jxkit.labels`).
HEADERS = {
    "previous_id": "上年度项目",
    "n_indicators": "指标个数",
    "quantitative_share": "定量指标占比",
    "n_findings": "问题个数",
    "action": "审核处理",
    "findings": "主要问题",
    "aspect": "审核要点",
    "check": "检查项代码",
    "check_name": "检查项",
    "indicator": "指标名称",
    "finding": "问题及原因",
    "deduction": "扣分",
    "row": "指标表行号",
}


def review_targets(
    dataset: Dataset,
    year: int | None = None,
    *,
    policy: Policy | None = None,
    unit_id: str = "",
    frameworks: dict[str, Framework] | None = None,
) -> TargetReview:
    """Review the declared targets of ``year``'s projects (every year when None).

    ``frameworks`` maps a category code to its framework (default: the shipped ones),
    for the relevance check.
    """
    policy = policy or default_policy()
    rules = policy.targets
    everything = dataset.projects
    p = everything if year is None else everything[everything["year"] == year]
    if unit_id:
        p = p[p["unit_id"] == str(unit_id)]
    if p.empty:
        where = f"{year} 年" if year is not None else ""
        raise DataError(f"数据集中没有{where}{'单位 ' + unit_id + ' 的' if unit_id else ''}项目")
    if frameworks is None:
        frameworks = {
            fw.category: fw for fw in list_frameworks() if fw.kind == "project" and fw.category
        }
    ind = dataset.indicators
    ind = ind[_among(ind["project_id"], p["project_id"])]
    rows = _read(ind, policy)
    found: list[pd.DataFrame] = []

    def add(check: str, at: pd.DataFrame, reasons: Any) -> None:
        if len(at):
            found.append(_finding(check, at, reasons))

    _completeness(p, rows, add)
    _relevance(p, rows, frameworks, add)
    _appropriateness(p, rows, dataset, rules, add)
    _feasibility(p, rows, add)
    findings = _findings(found, p, rules.deductions)
    projects = _results(p, rows, findings, dataset, policy)
    settings = {"year": year, "unit_id": unit_id, "policy": policy.source}
    return TargetReview(projects, findings, dict(rules.aspects), settings)


# ----------------------------------------------------------------------------- reading


def _read(ind: pd.DataFrame, policy: Policy) -> pd.DataFrame:
    """The indicators with their target read: sign, value, unit, deadline, and what they are."""
    r = ind.reset_index()
    # plain objects: the merges and selections below are faster on them than on Arrow text
    for c in ("project_id", "indicator_id", "level1", "level2", "name"):
        r[c] = r[c].to_numpy(dtype=object)
    read = per_value(r["target"], read_target)
    r["target"] = strip(r["target"])
    r["sign"] = [t.sign for t in read]
    r["value"] = np.array([t.value for t in read], dtype=float)
    r["deadline"] = [t.deadline for t in read]
    unit = strip(r["unit_of_measure"])
    r["unit"] = np.where(unit != "", unit, [t.unit for t in read])
    kinds = per_value(r["rule"], lambda x: getattr(get_rule(str(x)), "value", ""))
    r["quantitative"] = np.where(
        kinds == "", ~np.isnan(r["value"]), ~np.isin(kinds, ["label", "boolean"])
    )
    natures = per_value(r["rule"], lambda x: RULE_NATURES.get(str(x).strip(), ("",))[0])
    r["nature"] = np.where(r["sign"] != "", r["sign"], natures)
    words = list(policy.cost_words)
    r["cost"] = (
        contains(r["level1"], ["成本"])
        | contains(r["level2"], ["成本"])
        | contains(r["name"], words)
    )
    r["satisfaction"] = (
        contains(r["level1"], ["满意"])
        | contains(r["level2"], ["满意"])
        | contains(r["name"], ["满意"])
    )
    r["percent"] = r["unit"] == "%"
    r["key"] = per_value(r["name"], _norm)
    return r


def _finding(check: str, at: pd.DataFrame, reasons: Any) -> pd.DataFrame:
    """Findings of one check: one per row of ``at`` (indicator rows, or project rows)."""
    indicator = "indicator_id" in at
    return pd.DataFrame(
        {
            "project_id": at["project_id"].to_numpy(dtype=object),
            "check": check,
            "indicator_id": at["indicator_id"].to_numpy(dtype=object) if indicator else "",
            "indicator": at["name"].to_numpy(dtype=object) if indicator else "",
            "target": at["target"].to_numpy(dtype=object) if indicator else "",
            "finding": np.broadcast_to(np.asarray(reasons, dtype=object), (len(at),)),
            "row": at["row"].to_numpy(dtype=float) if indicator else np.nan,
        }
    )


Add = Callable[[str, pd.DataFrame, Any], None]


# ----------------------------------------------------------------------------- 完整性

#: The dimensions a declaration must show: (what is looked for, where, the words).
DIMENSIONS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("产出指标", ("level1",), "产出"),
    ("数量指标", ("level2",), "数量"),
    ("质量指标", ("level2",), "质量"),
    ("时效指标", ("level2",), "时效"),
    ("成本指标", ("level1", "level2"), "成本"),
    ("效益指标", ("level1",), "效益"),
    ("满意度指标", ("level1", "level2"), "满意"),
)


def _completeness(p: pd.DataFrame, r: pd.DataFrame, add: Add) -> None:
    declared = p[_among(p["project_id"], r["project_id"])]
    add("no_targets", p[~_among(p["project_id"], r["project_id"])], "指标表中没有该项目的绩效指标")
    for name, columns, word in DIMENSIONS:
        has = np.zeros(len(r), dtype=bool)
        for c in columns:
            has |= contains(r[c], [word])
        present = set(r.loc[has, "project_id"])
        add("missing_dimension", declared[~_among(declared["project_id"], present)], f"缺少{name}")
    total = r.groupby("project_id")["points"].sum()
    off = total[(total - 100).abs() > 1e-6]
    at = declared.set_index("project_id").loc[off.index].reset_index()
    add("points_total", at, [f"指标分值合计为 {v:g} 分，应为 100 分" for v in off])
    empty = r["target"] == ""
    add("missing_target", r[empty], "未填写年度指标值")
    no_unit = r["quantitative"] & ~empty & (r["unit"] == "") & r["deadline"].isna()
    add("missing_unit", r[no_unit], "定量指标未写明计量单位")
    goal = next((c for c in GOAL_COLUMNS if c in p.columns), None)
    if goal is not None:
        add("missing_goal", declared[blank(declared[goal])], "未填写项目总体目标")


# ----------------------------------------------------------------------------- 相关性


def _relevance(
    p: pd.DataFrame, r: pd.DataFrame, frameworks: dict[str, Framework], add: Add
) -> None:
    category = r["project_id"].map(p.set_index("project_id")["category"])
    known = np.zeros(len(r), dtype=bool)
    covered = np.zeros(len(r), dtype=bool)
    for code, fw in frameworks.items():
        mine = (category == code).to_numpy()
        covered |= mine
        known |= mine & _among(r["indicator_id"], fw.leaves["indicator_id"])
    custom = (
        per_value(r["indicator_id"], lambda x: str(x).lower().startswith("custom"), bool)
        | contains(r["name"], ["个性"])
        | contains(r["level2"], ["个性"])
    )
    outside = covered & ~known & ~custom
    names = category[outside].map(category_name)
    add(
        "outside_framework",
        r[outside],
        [f"不在“{n}”指标体系中，也未标明为个性指标，请说明与项目的关系" for n in names],
    )
    twice = r.duplicated(["project_id", "key"], keep="first") & (r["key"] != "")
    first = r.drop_duplicates(["project_id", "key"]).set_index(["project_id", "key"])["name"]
    again = r[twice]
    add(
        "duplicate",
        again,
        [
            f"与指标“{first[(a, k)]}”同名，重复计分"
            for a, k in zip(again["project_id"], again["key"], strict=True)
        ],
    )
    # the same measure in 产出 and 效益: one name holds the other, with the same unit
    measured = r[~twice & (r["unit"] != "") & (r["key"].str.len() >= 4)]
    output = measured[contains(measured["level1"], ["产出"])]
    benefit = measured[contains(measured["level1"], ["效益"])].reset_index()
    pairs = benefit.merge(
        output[["project_id", "unit", "key", "name"]],
        on=["project_id", "unit"],
        suffixes=("", "_o"),
    )
    inside = [a in b or b in a for a, b in zip(pairs["key"], pairs["key_o"], strict=True)]
    same = pairs[np.array(inside, dtype=bool)].drop_duplicates("index").set_index("index")
    add(
        "duplicate",
        same,
        [f"与产出指标“{o}”计量的是同一内容，同一产出在效益中重复计分" for o in same["name_o"]],
    )


# ----------------------------------------------------------------------------- 适当性


def _appropriateness(
    p: pd.DataFrame, r: pd.DataFrame, dataset: Dataset, rules: Any, add: Add
) -> None:
    share = r.groupby("project_id")["quantitative"].mean()
    low = share[share < rules.min_quantitative_share - 1e-12]
    at = p.set_index("project_id").loc[low.index].reset_index()
    add(
        "quantitative_share",
        at,
        [
            f"定量指标占 {v:.0%}，低于 {rules.min_quantitative_share:.0%}，指标应尽可能细化量化"
            for v in low
        ],
    )
    floor = r["cost"] & (r["nature"] == "≥")
    add("cost_direction", r[floor], "成本指标应写成“≤”（不超过），而不是“≥”")
    lo, hi = rules.satisfaction
    sat = r[r["satisfaction"] & r["value"].notna()]
    odd = sat[(sat["value"] < lo) | (sat["value"] > hi)]
    add(
        "satisfaction_range",
        odd,
        [f"满意度指标值 {v:g}% 不在 {lo:g}%～{hi:g}% 之间" for v in odd["value"]],
    )
    _continuing(p, r, dataset, rules, add)


def _past_actuals(dataset: Dataset, ids: set[str]) -> pd.DataFrame:
    """Each past indicator's final actual (review over self) as a number."""
    ev = dataset.evaluations
    ev = ev[_among(ev["project_id"], ids)]
    ev = ev.assign(_o=ev["round"].map({"self": 0, "review": 1}).fillna(0))
    ev = ev.sort_values(["project_id", "indicator_id", "_o"], kind="stable")
    ev = ev.drop_duplicates(["project_id", "indicator_id"], keep="last")
    actual, _ = parse_target(ev["actual"])
    out = ev[["project_id", "indicator_id"]].assign(actual=actual.to_numpy())
    return out[out["actual"].notna()]


def _continuing(p: pd.DataFrame, r: pd.DataFrame, dataset: Dataset, rules: Any, add: Add) -> None:
    """偏低, 偏高 and 资金与目标不匹配 for projects that continue earlier ones."""
    everything = dataset.projects
    chains = []
    for y in sorted({int(v) for v in p["year"]}):
        now = set(p.loc[p["year"] == y, "project_id"])
        link = continuations(everything, y)
        link = link[_among(link["project_id"], now)].assign(lag=1)
        step = link
        lag = 1
        while not step.empty:
            chains.append(step)
            lag += 1
            back = continuations(everything, y - lag + 1).rename(
                columns={"project_id": "previous", "previous_id": "earlier"}
            )
            step = step.merge(back, left_on="previous_id", right_on="previous")
            step = step[["project_id", "earlier"]].rename(columns={"earlier": "previous_id"})
            step = step.assign(lag=lag)
    if not chains:
        return
    chain = pd.concat(chains, ignore_index=True)
    past_rows = dataset.indicators
    past_rows = past_rows[_among(past_rows["project_id"], chain["previous_id"])]
    past = past_rows[["project_id", "indicator_id", "target"]].assign(
        key=per_value(past_rows["name"], _norm),
        past_value=[t.value for t in per_value(past_rows["target"], read_target)],
    )
    past = past.merge(_past_actuals(dataset, set(chain["previous_id"])), how="left")
    past = past.drop(columns="target").rename(columns={"project_id": "previous_id"})
    past = past.merge(chain, on="previous_id")
    # a ceiling of 0 (no incident, no violation) is a tolerance, never too low or too high
    cur = r[
        r["nature"].isin(["≥", "≤"])
        & r["value"].notna()
        & ~((r["nature"] == "≤") & (r["value"] <= 0))
    ]
    both = cur.reset_index().merge(past, on=["project_id", "indicator_id", "key"])
    side = np.where(both["nature"] == "≥", 1.0, -1.0)
    last = both[(both["lag"] == 1) & both["actual"].notna()]
    s = np.where(last["nature"] == "≥", 1.0, -1.0)
    below = last[s * (last["value"] - last["actual"]) < 0].drop_duplicates("index")
    add(
        "below_last_actual",
        below.set_index("index"),
        [
            (f"指标值 {v:g} 低于" if n == "≥" else f"上限 {v:g} 高于")
            + f"上年实际完成值 {a:g}，目标偏低"
            for v, a, n in zip(below["value"], below["actual"], below["nature"], strict=True)
        ],
    )
    seen = both[both["actual"].notna()].assign(signed=side[both["actual"].notna()])
    best = seen.assign(top=seen["signed"] * seen["actual"]).groupby("index")["top"].max()
    cand = r.loc[best.index]
    s = np.where(cand["nature"] == "≥", 1.0, -1.0)
    peak = s * best.to_numpy()
    f = rules.high_factor
    high = np.where(s > 0, cand["value"] > f * peak, cand["value"] * f < peak) & (peak > 0)
    far = cand[high]
    add(
        "far_above_past",
        far,
        [
            (
                f"指标值 {v:g} 超过以往最高实际完成值 {pk:g} 的 {f:g} 倍"
                if n == "≥"
                else f"上限 {v:g} 不到以往最低实际完成值 {pk:g} 的 {1 / f:.0%}"
            )
            + "，目标偏高，请说明测算依据"
            for v, pk, n in zip(far["value"], peak[high], far["nature"], strict=True)
        ],
    )
    budgets = everything.set_index("project_id")["budget"]
    _funds(p, r, past[past["lag"] == 1], budgets, rules, add)


def _funds(
    p: pd.DataFrame, r: pd.DataFrame, past: pd.DataFrame, budgets: pd.Series, rules: Any, add: Add
) -> None:
    """Budget moved by the policy's share against last year while no matched target moved."""
    cur = r[r["quantitative"] & r["value"].notna()]
    both = cur.merge(past, on=["project_id", "indicator_id", "key"])
    if both.empty:
        return
    kept = (both["value"] == both["past_value"]).groupby([both["project_id"], both["previous_id"]])
    same = kept.all()
    pairs = same[same].reset_index()[["project_id", "previous_id"]]
    pairs = pairs.drop_duplicates("project_id")
    now = pairs["project_id"].map(budgets).to_numpy(dtype=float)
    before = pairs["previous_id"].map(budgets).to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        change = now / before - 1
    hit = (before > 0) & (np.abs(change) >= rules.budget_change - 1e-12)
    at = p.set_index("project_id").loc[pairs.loc[hit, "project_id"]].reset_index()
    add(
        "funds_mismatch",
        at,
        [
            f"预算较上年{'增加' if c > 0 else '减少'} {abs(c):.0%}（{wan(b)} → {wan(n)}），"
            "而指标值均与上年相同"
            for c, b, n in zip(change[hit], before[hit], now[hit], strict=True)
        ],
    )


# ----------------------------------------------------------------------------- 可行性


def _feasibility(p: pd.DataFrame, r: pd.DataFrame, add: Add) -> None:
    facts = p.set_index("project_id")
    ends = facts["end_date"].reindex(r["project_id"]).to_numpy()
    years = facts["year"].reindex(r["project_id"]).to_numpy()
    end = [
        pd.Timestamp(e).date() if not pd.isna(e) else datetime.date(int(y), 12, 31)
        for e, y in zip(ends, years, strict=True)
    ]
    late = np.array(
        [d is not None and d > e for d, e in zip(r["deadline"], end, strict=True)], dtype=bool
    )
    add(
        "deadline_after_end",
        r[late],
        [
            f"完成时限 {d:%Y-%m-%d} 晚于项目结束日期 {e:%Y-%m-%d}"
            for d, e, x in zip(r["deadline"], end, late, strict=True)
            if x
        ],
    )
    over = r["percent"] & r["nature"].isin(["≥", "="]) & (r["value"] > 100) & ~r["satisfaction"]
    add(
        "percent_over_100",
        r[over],
        [f"百分比指标值 {v:g}% 超过 100%，无法实现" for v in r.loc[over, "value"]],
    )


# ----------------------------------------------------------------------------- results


def _findings(
    found: list[pd.DataFrame], p: pd.DataFrame, deductions: dict[str, float]
) -> pd.DataFrame:
    cols = ["project_id", "check", "indicator_id", "indicator", "target", "finding", "row"]
    f = pd.concat(found, ignore_index=True) if found else pd.DataFrame(columns=cols)
    facts = p.set_index("project_id")
    f.insert(1, "unit_id", f["project_id"].map(facts["unit_id"]))
    f.insert(2, "year", f["project_id"].map(facts["year"]))
    f.insert(3, "aspect", f["check"].map(lambda c: CHECKS[c].aspect))
    f.insert(5, "check_name", f["check"].map(lambda c: CHECKS[c].title))
    f["deduction"] = f["check"].map(lambda c: float(deductions.get(c, 0.0))).astype(float)
    order = {c: i for i, c in enumerate(CHECKS)}
    f = f.assign(_o=f["check"].map(order), _r=f["row"].fillna(-1))
    f = f.sort_values(["project_id", "_o", "_r"], kind="stable").drop(columns=["_o", "_r"])
    return f.reset_index(drop=True)


def _results(
    p: pd.DataFrame, r: pd.DataFrame, f: pd.DataFrame, dataset: Dataset, policy: Policy
) -> pd.DataFrame:
    rules = policy.targets
    out = p[["project_id", "name", "unit_id", "year", "category", "budget"]].reset_index(drop=True)
    names = dataset.units.set_index("unit_id")["name"]
    out.insert(3, "unit_name", out["unit_id"].map(names))
    prev = pd.concat(
        [continuations(dataset.projects, y) for y in sorted({int(v) for v in p["year"]})]
    )
    out["previous_id"] = (
        out["project_id"]
        .map(prev.groupby("project_id")["previous_id"].agg("、".join))
        .astype(object)
        .fillna("")
    )
    g = r.groupby("project_id")
    out["n_indicators"] = out["project_id"].map(g.size()).fillna(0).astype(int)
    out["quantitative_share"] = out["project_id"].map(g["quantitative"].mean())
    lost = f.groupby(["project_id", "aspect"])["deduction"].sum()
    total = np.zeros(len(out))
    for aspect, points in rules.aspects.items():
        taken = lost.xs(aspect, level="aspect") if aspect in set(f["aspect"]) else pd.Series()
        part = points - np.minimum(points, out["project_id"].map(taken).fillna(0.0).to_numpy())
        out[aspect] = part
        total += part
    none = out["n_indicators"] == 0
    out.loc[none, list(rules.aspects)] = np.nan  # nothing declared, nothing to score
    out["total"] = np.where(none, np.nan, round_half_up(total))
    out["grade"] = np.where(none, rules.grades[-1][0], rules.grade(np.nan_to_num(out["total"])))
    out["action"] = out["grade"].map(rules.actions)
    out["n_findings"] = out["project_id"].map(f.groupby("project_id").size()).fillna(0).astype(int)
    titles = f.drop_duplicates(["project_id", "check"]).groupby("project_id")["check_name"]
    out["findings"] = out["project_id"].map(titles.agg("、".join)).astype(object).fillna("")
    return out.sort_values(["year", "unit_id", "project_id"], kind="stable").reset_index(drop=True)
