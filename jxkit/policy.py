"""The policy file: every threshold the rules use (grade bands, red light, flags, coverage,
results application, ex-ante conclusions, monitoring lights and checkpoints, assessment).

Thresholds are a union's policy, not code: ``templates/policy.yaml`` ships the national
and Zhejiang defaults and every command takes ``--policy FILE``. Bands are half-open: a
value belongs to the first band whose lower bound it reaches. A policy file written
before a section existed takes that section, key by key, from the shipped file, so no
default is repeated in code.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from .errors import PolicyError, Problem
from .files import templates_dir

__all__ = [
    "LIGHTS",
    "LIKELIHOODS",
    "AssessPolicy",
    "CoverageRule",
    "ExantePolicy",
    "Light",
    "MonitoringPolicy",
    "Policy",
    "TargetsPolicy",
    "band",
    "default_policy",
    "load_policy",
]

REQUIREMENTS = {
    "declared": "targets_declared",
    "approved": "targets_approved",
    "self_evaluated": "self_evaluated",
}


#: Monitoring light codes the policy file may use (names and actions come from the file).
LIGHTS = ("green", "blue", "yellow", "red")
#: 完成目标可能性: the choices of the monitoring form.
LIKELIHOODS = ("确定能", "有可能", "完全不可能")

Bands = tuple[tuple[str, float], ...]


def band(values: np.ndarray, bands: Bands) -> np.ndarray:
    """The band of each value: the first whose lower bound it reaches (half-open, top down).

    NaN falls to the last band only if it is compared; callers mask it first.

    >>> band(np.array([90.0, 89.5, 70.0, 69.99]), (("支持", 90), ("调整", 70), ("不支持", 0)))
    array(['支持', '调整', '调整', '不支持'], dtype=object)
    """
    out = np.full(len(values), bands[-1][0], dtype=object)
    for name, low in reversed(bands):
        out = np.where(values >= low, name, out)
    return out


@dataclass(frozen=True)
class ExantePolicy:
    """Ex-ante conclusions by total, which conclusions keep a project out of the budget,
    and the categories whose new major projects count as capital projects."""

    conclusions: Bands
    reject: frozenset[str]
    capital_categories: tuple[str, ...]


@dataclass(frozen=True)
class Light:
    code: str
    name: str
    action: str


@dataclass(frozen=True)
class MonitoringPolicy:
    """Dual-monitoring thresholds: light bands, labels, lights in order of severity, the
    goal-versus-execution gap, execution checkpoints and the serious-problem rule."""

    execution: Bands
    progress: Bands
    inverse_within: str
    inverse_beyond: str
    labels: dict[str, str]
    lights: tuple[Light, ...]
    gap: float
    checkpoints: tuple[tuple[int, float], ...]
    serious_light: str
    serious_likelihood: str
    serious_action: str
    repeated: int
    repeated_action: str

    def severity(self, code: str) -> int:
        """Position of a light from mildest (0) to most severe."""
        return [x.code for x in self.lights].index(code)

    def light(self, code: str) -> Light:
        return next(x for x in self.lights if x.code == code)


@dataclass(frozen=True)
class AssessPolicy:
    """The management-work framework and which levels owe a unit-level self-evaluation."""

    framework: str
    unit_evaluation: tuple[tuple[int, tuple[str, ...]], ...]

    def unit_evaluation_levels(self, year: int) -> tuple[str, ...]:
        """Levels that owe a unit-level self-evaluation in ``year`` (none before the first phase).

        >>> default_policy().assess.unit_evaluation_levels(2020)
        ('province', 'city', 'industry')
        """
        current = [levels for since, levels in self.unit_evaluation if since <= year]
        return current[-1] if current else ()


@dataclass(frozen=True)
class TargetsPolicy:
    """Target review: points per review aspect, the deduction per finding of each check,
    the thresholds of the checks, the result bands with their consequence, and the labels
    the management assessment's 绩效目标编制质量 takes from a unit's average."""

    aspects: dict[str, float]
    deductions: dict[str, float]
    min_quantitative_share: float
    satisfaction: tuple[float, float]
    high_factor: float
    budget_change: float
    grades: Bands
    actions: dict[str, str]
    quality_labels: dict[str, str]

    def grade(self, totals: np.ndarray) -> np.ndarray:
        """Review results for totals by half-open bands.

        >>> default_policy().targets.grade(np.array([90.0, 89.99, 60.0, 59.99])).tolist()
        ['优', '良', '中', '差']
        """
        return band(totals, self.grades)


@dataclass(frozen=True)
class CoverageRule:
    since: int
    levels: tuple[str, ...]
    min_budget: float
    require: tuple[str, ...]


@dataclass(frozen=True)
class Policy:
    """Thresholds in force; ``raw`` keeps the whole file for sections other modules read."""

    grades: tuple[tuple[str, float], ...]
    red_light_grades: frozenset[str]
    overrun_ratio: float
    cost_words: tuple[str, ...]
    review_total_gap: float
    review_grade_change_is_poor: bool
    review_confidence: float
    coverage: tuple[CoverageRule, ...]
    exante: ExantePolicy
    monitoring: MonitoringPolicy
    assess: AssessPolicy
    targets: TargetsPolicy
    results: dict[str, tuple[str, float]] = field(default_factory=dict)
    #: qualitative results of imported forms and their share of points (``forms.grade_levels``)
    form_levels: dict[str, float] = field(default_factory=dict)
    source: str = "templates/policy.yaml"
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def grade(self, totals: np.ndarray) -> np.ndarray:
        """Grades for rounded totals by half-open bands (the first band whose min is reached).

        >>> default_policy().grade(np.array([90.0, 89.99, 80.0, 59.99])).tolist()
        ['优', '良', '良', '差']
        """
        return band(totals, self.grades)

    def recommendation(self, grade: str, red_light: bool = False) -> tuple[str, float]:
        """Next year's budget recommendation (action, share to cut) for a result.

        >>> default_policy().recommendation("中"), default_policy().recommendation("差", True)
        (('改进管理，压减预算', 0.1), ('原则上不再安排预算', 1.0))
        """
        if red_light and "red_light" in self.results:
            return self.results["red_light"]
        return self.results.get(grade, ("予以支持", 0.0))

    def coverage_rules(self, year: int) -> tuple[CoverageRule, ...]:
        """The coverage rules in force in ``year`` (none before the first phase)."""
        phases = sorted({r.since for r in self.coverage})
        current = [p for p in phases if p <= year]
        return tuple(r for r in self.coverage if current and r.since == current[-1])


def load_policy(path: str | os.PathLike[str] | None = None) -> Policy:
    """Read and check a policy file (the shipped default when ``path`` is None)."""
    p = Path(path) if path else templates_dir() / "policy.yaml"
    if not p.exists():
        raise PolicyError([Problem(str(p), "政策参数文件不存在")])
    try:
        raw = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第 {mark.line + 1} 行" if mark else ""
        raise PolicyError([Problem(p.name, f"{where}不是有效的 YAML：{exc}")]) from None
    if not isinstance(raw, dict):
        raise PolicyError(
            [Problem(p.name, "文件内容应为以 grades、red_light_grades 等键开头的 YAML 映射")]
        )
    return _parse(raw, p.name)


@cache
def default_policy() -> Policy:
    return load_policy(None)


@cache
def _shipped() -> dict[str, Any]:
    """The shipped file's sections: defaults for sections a user's file leaves out."""
    data = yaml.safe_load((templates_dir() / "policy.yaml").read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else {}


def _parse(raw: dict[str, Any], source: str) -> Policy:
    problems: list[Problem] = []

    def bad(key: str, message: str) -> None:
        problems.append(Problem(source, message))

    def number(section: dict[str, Any], key: str, default: float, where: str) -> float:
        value = section.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float):
            bad(where, f"{where} 应为数字，而不是 {value!r}")
            return default
        return float(value)

    grades: list[tuple[str, float]] = []

    def part(container: Any, key: str, kind: type, where: str) -> Any:
        """A section of the expected YAML type, or an empty one and a problem naming it."""
        value = container.get(key) if isinstance(container, dict) else None
        if value is None:
            return kind()
        if not isinstance(value, kind):
            bad(where, f"{where} 应为{'列表' if kind is list else '键值映射'}，而不是 {value!r}")
            return kind()
        return value

    for item in part(raw, "grades", list, "grades"):
        if not isinstance(item, dict) or "grade" not in item or "min" not in item:
            bad("grades", f"grades 的每一项应为 {{grade: 等级, min: 下限}}，而不是 {item!r}")
            continue
        grades.append((str(item["grade"]), number(item, "min", 0, "grades.min")))
    if not grades:
        bad("grades", "grades 不能为空")
    elif [g[1] for g in grades] != sorted((g[1] for g in grades), reverse=True):
        bad("grades", "grades 应按下限从高到低排列")
    elif grades[-1][1] > 0:
        bad("grades", "最后一个等级的下限应为 0，才能覆盖所有得分")
    red = frozenset(str(g) for g in part(raw, "red_light_grades", list, "red_light_grades"))
    unknown = red - {g for g, _ in grades}
    if unknown:
        bad(
            "red_light_grades",
            f"red_light_grades 中的等级 {'、'.join(sorted(unknown))} 不在 grades 中",
        )
    flags = part(raw, "flags", dict, "flags")
    review = part(raw, "review", dict, "review")
    confidence = number(review, "confidence", 0.95, "review.confidence")
    if not 0 < confidence < 1:
        bad("review.confidence", "review.confidence 应在 0 与 1 之间（如 0.95）")
    coverage: list[CoverageRule] = []
    for phase in part(raw, "coverage", list, "coverage"):
        since = phase.get("since") if isinstance(phase, dict) else None
        if not isinstance(since, int):
            bad("coverage", f"coverage 的每一阶段需要整数年份 since，而不是 {phase!r}")
            continue
        for r in part(phase, "rules", list, f"coverage {since} 年的 rules"):
            if not isinstance(r, dict):
                bad("coverage", f"coverage {since} 年的每条规则应为键值映射，而不是 {r!r}")
                continue
            levels = tuple(r.get("levels") or ())
            require = tuple(r.get("require") or ())
            wrong = [x for x in require if x not in REQUIREMENTS]
            if wrong:
                bad(
                    "coverage",
                    f"coverage {since} 年的 require 只能是 {'、'.join(REQUIREMENTS)}，而不是 {'、'.join(wrong)}",
                )
            coverage.append(
                CoverageRule(
                    since, levels, number(r, "min_budget", 0, "coverage.min_budget"), require
                )
            )
    results: dict[str, tuple[str, float]] = {}
    section = part(raw, "results", dict, "results")
    entries = {**part(section, "grades", dict, "results.grades")}
    entries.update(
        {k: section[k] for k in ("red_light", "not_rectified", "not_evaluated") if k in section}
    )
    for key, item in entries.items():
        if not isinstance(item, dict) or "action" not in item:
            bad("results", f"results 中 {key} 应为 {{action: 建议, cut: 压减比例}}")
            continue
        cut = number(item, "cut", 0, f"results.{key}.cut")
        if not 0 <= cut <= 1:
            bad("results", f"results 中 {key} 的 cut 应在 0 与 1 之间")
        results[str(key)] = (str(item["action"]), cut)
    policy = Policy(
        grades=tuple(grades),
        red_light_grades=red,
        overrun_ratio=number(flags, "overrun_ratio", 1.3, "flags.overrun_ratio"),
        cost_words=tuple(str(w) for w in flags.get("cost_words") or ()),
        review_total_gap=number(review, "total_gap", 10, "review.total_gap"),
        review_grade_change_is_poor=bool(review.get("grade_change_is_poor", True)),
        review_confidence=confidence,
        coverage=tuple(coverage),
        results=results,
        exante=_exante(_section(raw, "exante", bad), bad, number),
        monitoring=_monitoring(_section(raw, "monitoring", bad), bad, number),
        assess=_assess(_section(raw, "assess", bad), bad),
        targets=_targets(_section(raw, "targets", bad), bad, number),
        form_levels=_form_levels(_section(raw, "forms", bad), bad),
        source=source,
        raw=raw,
    )
    if problems:
        raise PolicyError(problems, title=f"政策参数文件 {source} 有问题")
    return policy


Bad = Callable[[str, str], None]
Number = Callable[[dict[str, Any], str, float, str], float]


def _section(raw: dict[str, Any], name: str, bad: Bad) -> dict[str, Any]:
    """A section of the file, completed key by key (one level down too) from the shipped file."""
    given = raw.get(name)
    if given is None:
        given = {}
    if not isinstance(given, dict):
        bad(name, f"{name} 应为一组“键: 值”")
        given = {}
    merged = dict(_shipped().get(name) or {})
    for key, value in given.items():
        default = merged.get(key)
        if isinstance(default, dict) and isinstance(value, dict):
            value = {**default, **value}
        merged[key] = value
    return merged


def _bands(items: Any, key: str, where: str, bad: Bad, number: Number) -> Bands:
    """Half-open bands listed top down: [{key: name, min: lower bound}, ...], last min ≤ 0."""
    out: list[tuple[str, float]] = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict) or key not in item or "min" not in item:
            bad(where, f"{where} 的每一项应为 {{{key}: 名称, min: 下限}}，而不是 {item!r}")
            continue
        out.append((str(item[key]), number(item, "min", 0, f"{where}.min")))
    if not out:
        bad(where, f"{where} 不能为空")
    elif [b[1] for b in out] != sorted((b[1] for b in out), reverse=True):
        bad(where, f"{where} 应按下限从高到低排列")
    elif out[-1][1] > 0:
        bad(where, f"{where} 最后一项的下限应为 0，才能覆盖所有取值")
    return tuple(out) or (("", 0.0),)


def _exante(section: dict[str, Any], bad: Bad, number: Number) -> ExantePolicy:
    from .catalogue import CATEGORY_CODES, OTHER, category_code

    conclusions = _bands(
        section.get("conclusions"), "conclusion", "exante.conclusions", bad, number
    )
    reject = frozenset(str(x) for x in section.get("reject") or [])
    unknown = reject - {c for c, _ in conclusions}
    if unknown:
        bad("exante.reject", f"exante.reject 中的 {'、'.join(sorted(unknown))} 不是评估结论之一")
    capital: list[str] = []
    for c in section.get("capital_categories") or []:
        code = category_code(str(c))
        if code is None:
            known = "、".join((*CATEGORY_CODES, OTHER.code))
            bad(
                "exante.capital_categories",
                f"exante.capital_categories 中的 {c} 不是项目类别（可选：{known}）",
            )
        else:
            capital.append(code)
    return ExantePolicy(conclusions, reject, tuple(capital))


def _monitoring(section: dict[str, Any], bad: Bad, number: Number) -> MonitoringPolicy:
    where = "monitoring"
    lights: list[Light] = []
    for item in section.get("lights") or []:
        if not isinstance(item, dict) or not {"light", "name", "action"} <= set(item):
            bad(
                f"{where}.lights",
                f"{where}.lights 的每一项应为 {{light: 代码, name: 名称, action: 处置建议}}",
            )
            continue
        lights.append(Light(str(item["light"]), str(item["name"]), str(item["action"])))
    codes = [x.code for x in lights]
    if sorted(codes) != sorted(LIGHTS):
        bad(
            f"{where}.lights",
            f"{where}.lights 应恰好列出 {'、'.join(LIGHTS)} 四种灯号各一次（自轻到重）",
        )

    def light(value: Any, key: str) -> str:
        if str(value) not in LIGHTS:
            bad(key, f"{key} 的灯号 {value!r} 不是 {'、'.join(LIGHTS)} 之一")
        return str(value)

    execution = _bands(section.get("execution"), "light", f"{where}.execution", bad, number)
    progress = _bands(section.get("progress"), "light", f"{where}.progress", bad, number)
    for name, _ in (*execution, *progress):
        light(name, f"{where}.execution/progress")
    inverse = section.get("inverse") or {}
    labels = section.get("labels") or {}
    if not isinstance(labels, dict) or not labels:
        bad(f"{where}.labels", f"{where}.labels 应为“完成情况: 灯号”的映射")
        labels = {}
    checkpoints: list[tuple[int, float]] = []
    for item in section.get("checkpoints") or []:
        month = item.get("month") if isinstance(item, dict) else None
        if not isinstance(month, int) or not 1 <= month <= 12 or "min" not in item:
            bad(
                f"{where}.checkpoints",
                f"{where}.checkpoints 的每一项应为 {{month: 1～12 的月份, min: 累计执行率}}，而不是 {item!r}",
            )
            continue
        share = number(item, "min", 0, f"{where}.checkpoints.min")
        if not 0 <= share <= 1:
            bad(
                f"{where}.checkpoints",
                f"{where}.checkpoints 中 {month} 月的 min 应在 0 与 1 之间（如 0.4）",
            )
        checkpoints.append((month, share))
    if [m for m, _ in checkpoints] != sorted({m for m, _ in checkpoints}):
        bad(f"{where}.checkpoints", f"{where}.checkpoints 应按月份从小到大排列且不重复")
    serious = section.get("serious") or {}
    repeated = serious.get("repeated")
    if not isinstance(repeated, int) or isinstance(repeated, bool) or repeated < 1:
        bad(
            f"{where}.serious.repeated", f"{where}.serious.repeated 应为正整数，而不是 {repeated!r}"
        )
        repeated = 1
    likelihood = str(serious.get("likelihood", ""))
    if likelihood not in LIKELIHOODS:
        bad(
            f"{where}.serious.likelihood",
            f"{where}.serious.likelihood 应为 {'、'.join(LIKELIHOODS)} 之一，而不是 {likelihood!r}",
        )
    gap = number(section, "gap", 0, f"{where}.gap")
    if gap < 0:
        bad(f"{where}.gap", f"{where}.gap 不能为负数")
    return MonitoringPolicy(
        execution=execution,
        progress=progress,
        inverse_within=light(inverse.get("within"), f"{where}.inverse.within"),
        inverse_beyond=light(inverse.get("beyond"), f"{where}.inverse.beyond"),
        labels={str(k): light(v, f"{where}.labels.{k}") for k, v in labels.items()},
        lights=tuple(lights),
        gap=gap,
        checkpoints=tuple(checkpoints),
        serious_light=light(serious.get("light"), f"{where}.serious.light"),
        serious_likelihood=likelihood,
        serious_action=str(serious.get("action", "")),
        repeated=repeated,
        repeated_action=str(serious.get("repeated_action", "")),
    )


def _assess(section: dict[str, Any], bad: Bad) -> AssessPolicy:
    from .catalogue import LEVELS

    phases: list[tuple[int, tuple[str, ...]]] = []
    for item in section.get("unit_evaluation") or []:
        since = item.get("since") if isinstance(item, dict) else None
        if not isinstance(since, int):
            bad(
                "assess.unit_evaluation",
                f"assess.unit_evaluation 的每一阶段需要整数年份 since，而不是 {item!r}",
            )
            continue
        levels = tuple(str(x) for x in item.get("levels") or ())
        wrong = [x for x in levels if x not in LEVELS]
        if wrong:
            bad(
                "assess.unit_evaluation",
                f"assess.unit_evaluation {since} 年的 levels 只能是 {'、'.join(LEVELS)}，而不是 {'、'.join(wrong)}",
            )
        phases.append((since, levels))
    return AssessPolicy(str(section.get("framework") or "management"), tuple(sorted(phases)))


def _form_levels(section: dict[str, Any], bad: Bad) -> dict[str, float]:
    levels = section.get("grade_levels") or {}
    if not isinstance(levels, dict):
        bad("forms.grade_levels", "forms.grade_levels 应为“字样: 得分比例”的映射")
        return {}
    out: dict[str, float] = {}
    for word, share in levels.items():
        if isinstance(share, bool) or not isinstance(share, int | float) or not 0 <= share <= 1:
            bad("forms.grade_levels", f"forms.grade_levels 中 {word} 的得分比例应在 0 与 1 之间")
            continue
        out[str(word).strip()] = float(share)
    return out


def _targets(section: dict[str, Any], bad: Bad, number: Number) -> TargetsPolicy:
    from .targets import ASPECTS, CHECKS

    where = "targets"

    def mapping(key: str) -> dict[str, Any]:
        value = section.get(key)
        if not isinstance(value, dict) or not value:
            bad(f"{where}.{key}", f"{where}.{key} 应为一组“名称: 值”")
            return {}
        return {str(k): v for k, v in value.items()}

    aspects = {
        k: number({k: v}, k, 0, f"{where}.aspects.{k}") for k, v in mapping("aspects").items()
    }
    if aspects and abs(sum(aspects.values()) - 100) > 1e-9:
        bad(
            f"{where}.aspects",
            f"{where}.aspects 的分值合计应为 100，而不是 {sum(aspects.values()):g}",
        )
    deductions = {
        k: number({k: v}, k, 0, f"{where}.deductions.{k}") for k, v in mapping("deductions").items()
    }
    for name, known, what in (
        ("aspects", ASPECTS, "审核要点"),
        ("deductions", tuple(CHECKS), "检查项"),
    ):
        wrong = [k for k in (aspects if name == "aspects" else deductions) if k not in known]
        if wrong:
            bad(
                f"{where}.{name}",
                f"{where}.{name} 中的 {'、'.join(wrong)} 不是{what}（可选：{'、'.join(known)}）",
            )
    if any(v < 0 for v in deductions.values()):
        bad(f"{where}.deductions", f"{where}.deductions 的扣分不能为负数")
    share = number(section, "min_quantitative_share", 0, f"{where}.min_quantitative_share")
    if not 0 <= share <= 1:
        bad(
            f"{where}.min_quantitative_share",
            f"{where}.min_quantitative_share 应在 0 与 1 之间（如 0.6）",
        )
    sat = section.get("satisfaction")
    sat = sat if isinstance(sat, dict) else {}
    low = number(sat, "min", 80, f"{where}.satisfaction.min")
    high = number(sat, "max", 100, f"{where}.satisfaction.max")
    if low > high:
        bad(f"{where}.satisfaction", f"{where}.satisfaction 的 min 不能大于 max")
    factor = number(section, "high_factor", 1.5, f"{where}.high_factor")
    if factor < 1:
        bad(f"{where}.high_factor", f"{where}.high_factor 应不小于 1（如 1.5 即 150%）")
    change = number(section, "budget_change", 0.2, f"{where}.budget_change")
    if change < 0:
        bad(f"{where}.budget_change", f"{where}.budget_change 不能为负数")
    grades = _bands(section.get("grades"), "grade", f"{where}.grades", bad, number)
    given = section.get("grades")
    items = given if isinstance(given, list) else []
    actions = {
        str(i["grade"]): str(i.get("action", ""))
        for i in items
        if isinstance(i, dict) and "grade" in i
    }
    labels = {str(k): str(v) for k, v in mapping("quality_labels").items()}
    missing = [g for g, _ in grades if g not in labels]
    if missing:
        bad(
            f"{where}.quality_labels",
            f"{where}.quality_labels 缺少等级 {'、'.join(missing)} 对应的“绩效目标编制质量”评价",
        )
    return TargetsPolicy(
        aspects, deductions, share, (low, high), factor, change, grades, actions, labels
    )
