"""Scoring rules: how one leaf indicator turns a value into points.

Each rule is one vectorised function registered by name; the ``rule`` column of the
indicators table (or a framework file) picks it, and ``params`` (JSON) tunes it. A rule
returns a score between 0 and the indicator's points for a whole batch of rows at once,
plus the rows it could not score and why: bad input is a data error naming the place,
never a crash or a silent 0.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .catalogue import FALSE_WORDS, TRUE_WORDS

__all__ = [
    "DEFAULT_GRADE_LEVELS",
    "RULES",
    "Batch",
    "Outcome",
    "Rule",
    "check_params",
    "get_rule",
    "rule",
]

DEFAULT_GRADE_LEVELS: dict[str, float] = {"好": 1.0, "较好": 0.8, "一般": 0.6, "差": 0.0}


@dataclass(frozen=True)
class Batch:
    """The rows of one rule and one parameter set, as arrays.

    ``actual`` is the value as a number (NaN when not a number); ``label`` the same value
    as stripped text, for rules whose ``value`` is "label" or "boolean" (None in a batch
    of a rule that reads numbers).
    """

    points: np.ndarray
    target: np.ndarray
    actual: np.ndarray
    label: np.ndarray
    budget: np.ndarray
    spent: np.ndarray
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class Outcome:
    """Scores of a batch, and the rows that could not be scored (mask, reason in Chinese)."""

    score: np.ndarray
    invalid: list[tuple[np.ndarray, str]] = field(default_factory=list)

    def reject(self, mask: np.ndarray, reason: str) -> None:
        if mask.any():
            self.invalid.append((mask, reason))
            self.score = np.where(mask, np.nan, self.score)


ParamsCheck = Callable[[Mapping[str, Any]], list[str]]
Scorer = Callable[[Batch], Outcome]


@dataclass(frozen=True)
class Rule:
    """A registered scoring rule.

    ``value`` says what the evaluation value is: "none" (rule needs no value), "number",
    "count", "label" or "boolean"; ``needs_target`` whether the indicator needs a target.
    """

    name: str
    title: str
    formula: str
    value: str
    needs_target: bool
    params: tuple[str, ...]
    scorer: Scorer
    check: ParamsCheck

    def describe(self, params: Mapping[str, Any] | None = None) -> str:
        """The rule in plain Chinese, as shown to assessors."""
        text = f"{self.title}：{self.formula}"
        if self.name == "grade":
            levels = (params or {}).get("levels", DEFAULT_GRADE_LEVELS)
            text += "（" + "、".join(f"{k} {_pct(v)}" for k, v in levels.items()) + "）"
        elif self.name == "bands" and params and "bands" in params:
            text += "（" + "；".join(f"≥{t:g} 得 {_pct(s)}" for t, s in params["bands"]) + "）"
        elif self.name == "deduction":
            text = text.replace("d", f"{(params or {}).get('per_item', 1):g}", 1)
        elif self.name == "interval" and params:
            text += f"（区间 [{params.get('low')}, {params.get('high')}]，容差 {params.get('tolerance')}）"
        return text


def _pct(share: float) -> str:
    return f"{share * 100:g}%"


RULES: dict[str, Rule] = {}


def rule(
    name: str,
    *,
    title: str,
    formula: str,
    value: str,
    needs_target: bool = False,
    params: tuple[str, ...] = (),
    check: ParamsCheck | None = None,
) -> Callable[[Scorer], Scorer]:
    """Register a scoring function under ``name`` (the value of the ``rule`` column)."""

    def register(scorer: Scorer) -> Scorer:
        RULES[name] = Rule(
            name, title, formula, value, needs_target, params, scorer, check or (lambda p: [])
        )
        return scorer

    return register


def get_rule(name: str) -> Rule | None:
    return RULES.get(str(name).strip())


def check_params(name: str, params: Mapping[str, Any] | None) -> list[str]:
    """Problems (Chinese) with a rule name and its parameters; empty when they fit.

    >>> check_params("ratio", {})
    []
    >>> check_params("ratoi", {})[0][:16]
    '评分方法 "ratoi" 不存在'
    >>> check_params("interval", {"low": 5, "high": 1, "tolerance": 1})
    ['interval 参数 low 不能大于 high']
    """
    r = get_rule(name)
    if r is None:
        return [f'评分方法 "{name}" 不存在，可选：{"、".join(RULES)}']
    params = params or {}
    if not isinstance(params, Mapping):
        return [f'{name} 的评分参数应为 JSON 对象（如 {{"per_item": 2}}）']
    unknown = sorted(set(params) - set(r.params))
    problems = []
    if unknown:
        allowed = "、".join(r.params) if r.params else "无"
        problems.append(f"{name} 不接受参数 {'、'.join(unknown)}（可用参数：{allowed}）")
    return problems + r.check(params)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _ratio_complete(b: Batch, out: Outcome) -> np.ndarray:
    """Completion actual / target, rejecting rows whose target is missing or not positive."""
    out.reject(np.isnan(b.target), "缺少指标值（年度指标值），无法计算完成率")
    out.reject(~np.isnan(b.target) & (b.target <= 0), "指标值须为正数，才能计算完成率")
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(b.target > 0, b.actual / b.target, np.nan)


def _need_number(b: Batch, out: Outcome, what: str = "数字") -> None:
    out.reject(np.isnan(b.actual), f"完成值应为{what}")
    out.reject(b.actual < 0, "完成值不能为负数")


@rule(
    "execution_rate",
    title="预算执行率",
    formula="全年执行数/全年预算数 × 分值，满分封顶（预算为 0 时得 0）",
    value="none",
)
def execution_rate(b: Batch) -> Outcome:
    """points × min(spent / budget, 1); 0 when budget is 0; no evaluation value needed.

    >>> import numpy as np
    >>> z = np.zeros(3)
    >>> b = Batch(np.full(3, 10.0), z, z, z, np.array([100.0, 100, 0]), np.array([80.0, 120, 5]))
    >>> execution_rate(b).score.tolist()
    [8.0, 10.0, 0.0]
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(b.budget > 0, b.spent / b.budget, 0.0)
    out = Outcome(b.points * np.clip(rate, 0.0, 1.0))
    out.reject(np.isnan(b.spent), "缺少全年执行数（spent），无法计算预算执行率")
    return out


@rule(
    "ratio",
    title="正向指标",
    formula="完成值/指标值 × 分值，满分封顶",
    value="number",
    needs_target=True,
)
def ratio(b: Batch) -> Outcome:
    """points × min(actual / target, 1). Target must be positive.

    >>> import numpy as np
    >>> n = np.array([50.0, 120.0])
    >>> b = Batch(np.array([10.0, 10.0]), np.array([100.0, 100.0]), n, n, n, n)
    >>> ratio(b).score.tolist()
    [5.0, 10.0]
    """
    out = Outcome(np.zeros_like(b.points))
    _need_number(b, out)
    c = _ratio_complete(b, out)
    out.score = np.where(np.isnan(out.score), np.nan, b.points * np.clip(c, 0.0, 1.0))
    return out


@rule(
    "inverse",
    title="反向指标",
    formula="完成值 ≤ 指标值得满分，否则 指标值/完成值 × 分值",
    value="number",
    needs_target=True,
)
def inverse(b: Batch) -> Outcome:
    """points if actual ≤ target, else points × target / actual.

    >>> import numpy as np
    >>> a = np.array([80.0, 125.0])
    >>> b = Batch(np.array([10.0, 10.0]), np.array([100.0, 100.0]), a, a, a, a)
    >>> inverse(b).score.tolist()
    [10.0, 8.0]
    """
    out = Outcome(np.zeros_like(b.points))
    _need_number(b, out)
    out.reject(np.isnan(b.target), "缺少指标值（年度指标值）")
    out.reject(b.target < 0, "指标值不能为负数")
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(b.actual <= b.target, 1.0, b.target / b.actual)
    out.score = np.where(np.isnan(out.score), np.nan, b.points * share)
    return out


@rule(
    "inverse_linear",
    title="反向指标（线性扣减）",
    formula="完成值 ≤ 指标值得满分，否则 分值 × max(0, 1 − (完成值 − 指标值)/指标值)，超出一倍得 0",
    value="number",
    needs_target=True,
)
def inverse_linear(b: Batch) -> Outcome:
    """points if actual ≤ target, else points × max(0, 1 − (actual − target) / target).

    >>> import numpy as np
    >>> a = np.array([90.0, 125.0, 250.0])
    >>> b = Batch(np.full(3, 10.0), np.full(3, 100.0), a, a, a, a)
    >>> inverse_linear(b).score.tolist()
    [10.0, 7.5, 0.0]
    """
    out = Outcome(np.zeros_like(b.points))
    _need_number(b, out)
    out.reject(np.isnan(b.target), "缺少指标值（年度指标值）")
    out.reject(~np.isnan(b.target) & (b.target <= 0), "指标值须为正数")
    with np.errstate(divide="ignore", invalid="ignore"):
        over = np.where(b.target > 0, (b.actual - b.target) / b.target, np.nan)
        share = np.where(b.actual <= b.target, 1.0, np.clip(1.0 - over, 0.0, 1.0))
    out.score = np.where(np.isnan(out.score), np.nan, b.points * share)
    return out


@rule(
    "equal_zero",
    title="零容忍指标",
    formula="完成值 ≤ 0（未发生）得满分，否则 0 分",
    value="count",
)
def equal_zero(b: Batch) -> Outcome:
    """points if actual ≤ 0, else 0 (e.g. safety incidents).

    >>> import numpy as np
    >>> a = np.array([0.0, 1.0])
    >>> equal_zero(Batch(np.full(2, 5.0), a, a, a, a, a)).score.tolist()
    [5.0, 0.0]
    """
    out = Outcome(np.where(b.actual <= 0, b.points, 0.0))
    _need_number(b, out, "数字（发生次数）")
    return out


def _check_bands(p: Mapping[str, Any]) -> list[str]:
    bands = p.get("bands")
    if not isinstance(bands, list) or not bands:
        return ['bands 需要参数 "bands"：[[完成率下限, 得分比例], ...]，如 [[1, 1], [0.8, 0.8]]']
    for item in bands:
        if not (isinstance(item, list) and len(item) == 2 and all(_number(x) for x in item)):
            return [f"bands 的每一档应为 [完成率下限, 得分比例] 两个数字，而不是 {item}"]
        if not 0 <= item[1] <= 1:
            return [f"bands 的得分比例应在 0 到 1 之间，而不是 {item[1]}"]
    return []


@rule(
    "bands",
    title="分档计分",
    formula="完成率 = 完成值/指标值，按所达到的最高一档得分比例 × 分值，低于最低档得 0",
    value="number",
    needs_target=True,
    params=("bands",),
    check=_check_bands,
)
def bands(b: Batch) -> Outcome:
    """points × share of the highest threshold ≤ actual / target; 0 below all thresholds.

    >>> import numpy as np
    >>> a = np.array([100.0, 85.0, 50.0])
    >>> p = {"bands": [[1, 1], [0.8, 0.6]]}
    >>> bands(Batch(np.full(3, 10.0), np.full(3, 100.0), a, a, a, a, p)).score.tolist()
    [10.0, 6.0, 0.0]
    """
    out = Outcome(np.zeros_like(b.points))
    _need_number(b, out)
    c = _ratio_complete(b, out)
    share = np.zeros_like(b.points)
    for threshold, s in sorted(b.params["bands"]):
        share = np.where(c >= threshold, s, share)
    out.score = np.where(np.isnan(out.score), np.nan, b.points * share)
    return out


def _check_deduction(p: Mapping[str, Any]) -> list[str]:
    d = p.get("per_item", 1)
    return (
        [] if _number(d) and d > 0 else [f"deduction 的 per_item（每项扣分）应为正数，而不是 {d}"]
    )


@rule(
    "deduction",
    title="扣分制",
    formula="分值 − 每项扣 d 分 × 问题个数，扣完为止",
    value="count",
    params=("per_item",),
    check=_check_deduction,
)
def deduction(b: Batch) -> Outcome:
    """max(0, points − per_item × count); per_item defaults to 1.

    >>> import numpy as np
    >>> a = np.array([0.0, 2.0, 9.0])
    >>> p = {"per_item": 2}
    >>> deduction(Batch(np.full(3, 10.0), a, a, a, a, a, p)).score.tolist()
    [10.0, 6.0, 0.0]
    """
    d = float(b.params.get("per_item", 1))
    out = Outcome(np.maximum(0.0, b.points - d * b.actual))
    _need_number(b, out, "数字（问题个数）")
    out.reject(~np.isnan(b.actual) & (b.actual != np.floor(b.actual)), "问题个数应为整数")
    return out


def _check_grade(p: Mapping[str, Any]) -> list[str]:
    levels = p.get("levels", DEFAULT_GRADE_LEVELS)
    if not isinstance(levels, Mapping) or not levels:
        return ['grade 的 "levels" 应为 {"等级": 得分比例, ...}，如 {"好": 1, "一般": 0.6}']
    bad = [k for k, v in levels.items() if not (_number(v) and 0 <= v <= 1)]
    return [f"grade 的等级 {k} 得分比例应在 0 到 1 之间" for k in bad]


@rule(
    "grade",
    title="定性指标",
    formula="按评定等级的得分比例 × 分值",
    value="label",
    params=("levels",),
    check=_check_grade,
)
def grade(b: Batch) -> Outcome:
    """points × share of the label in ``levels`` (default 好/较好/一般/差 = 100/80/60/0%).

    >>> import numpy as np
    >>> lab = np.array(["较好", "差"], dtype=object)
    >>> z = np.zeros(2)
    >>> grade(Batch(np.full(2, 10.0), z, z, lab, z, z)).score.tolist()
    [8.0, 0.0]
    """
    levels = {
        str(k).strip(): float(v) for k, v in b.params.get("levels", DEFAULT_GRADE_LEVELS).items()
    }
    share = _per_label(b.label, lambda x: levels.get(str(x), np.nan), float)
    out = Outcome(b.points * share)
    out.reject(np.isnan(share), f"等级不在可选范围内（可选：{'、'.join(levels)}）")
    return out


@rule("boolean", title="是否指标", formula="“是”得满分，“否”得 0 分", value="boolean")
def boolean(b: Batch) -> Outcome:
    """points for 是/yes/true/1, 0 for 否/no/false/0.

    >>> import numpy as np
    >>> lab = np.array(["是", "否"], dtype=object)
    >>> z = np.zeros(2)
    >>> boolean(Batch(np.full(2, 5.0), z, z, lab, z, z)).score.tolist()
    [5.0, 0.0]
    """
    yes = _per_label(b.label, lambda x: str(x).lower() in TRUE_WORDS, bool)
    no = _per_label(b.label, lambda x: str(x).lower() in FALSE_WORDS, bool)
    out = Outcome(np.where(yes, b.points, 0.0))
    out.reject(~(yes | no), "完成值应为“是”或“否”")
    return out


def _per_label(labels: np.ndarray, func: Callable[[Any], Any], dtype: Any) -> np.ndarray:
    """``func`` of each label, computed once per distinct label."""
    codes, uniques = pd.factorize(np.asarray(labels, dtype=object), use_na_sentinel=False)
    return np.array([func(u) for u in uniques], dtype=dtype)[codes]


def _check_interval(p: Mapping[str, Any]) -> list[str]:
    missing = [k for k in ("low", "high", "tolerance") if not _number(p.get(k))]
    if missing:
        return [
            f'interval 需要数字参数 {"、".join(missing)}，如 {{"low": 90, "high": 110, "tolerance": 20}}'
        ]
    if p["low"] > p["high"]:
        return ["interval 参数 low 不能大于 high"]
    if p["tolerance"] <= 0:
        return ["interval 参数 tolerance（容差）应为正数"]
    return []


@rule(
    "interval",
    title="区间指标",
    formula="完成值在 [下限, 上限] 内得满分，区间外按偏离距离/容差线性扣减",
    value="number",
    params=("low", "high", "tolerance"),
    check=_check_interval,
)
def interval(b: Batch) -> Outcome:
    """points inside [low, high], else points × max(0, 1 − distance / tolerance).

    >>> import numpy as np
    >>> a = np.array([100.0, 115.0, 80.0])
    >>> p = {"low": 90, "high": 110, "tolerance": 10}
    >>> interval(Batch(np.full(3, 10.0), a, a, a, a, a, p)).score.tolist()
    [10.0, 5.0, 0.0]
    """
    low, high, tol = (float(b.params[k]) for k in ("low", "high", "tolerance"))
    distance = np.maximum(low - b.actual, 0.0) + np.maximum(b.actual - high, 0.0)
    out = Outcome(b.points * np.clip(1.0 - distance / tol, 0.0, 1.0))
    out.reject(np.isnan(b.actual), "完成值应为数字")
    return out
