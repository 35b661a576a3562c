"""The policy file: every threshold the rules use (grade bands, red light, flags, coverage).

Thresholds are a union's policy, not code: ``templates/policy.yaml`` ships the national
and Zhejiang defaults and every command takes ``--policy FILE``. Bands are half-open: a
value belongs to the first band whose lower bound it reaches.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from .errors import PolicyError, Problem

__all__ = ["CoverageRule", "Policy", "default_policy", "load_policy", "templates_dir"]

REQUIREMENTS = {
    "declared": "targets_declared",
    "approved": "targets_approved",
    "self_evaluated": "self_evaluated",
}


def templates_dir() -> Path:
    """The templates folder: inside the installed package, or beside it in a checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "templates", here.parent / "templates"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("找不到 jxkit 的 templates 目录（安装不完整？）")


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
    results: dict[str, tuple[str, float]] = field(default_factory=dict)
    source: str = "templates/policy.yaml"
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def grade(self, totals: np.ndarray) -> np.ndarray:
        """Grades for rounded totals by half-open bands (the first band whose min is reached).

        >>> default_policy().grade(np.array([90.0, 89.99, 80.0, 59.99])).tolist()
        ['优', '良', '良', '差']
        """
        out = np.full(len(totals), self.grades[-1][0], dtype=object)
        for name, low in reversed(self.grades):
            out = np.where(totals >= low, name, out)
        return out

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
    return _parse(raw, p.name)


@cache
def default_policy() -> Policy:
    return load_policy(None)


def _parse(raw: dict[str, Any], source: str) -> Policy:
    problems: list[Problem] = []

    def bad(key: str, message: str) -> None:
        problems.append(Problem(source, message, column=key))

    def number(section: dict[str, Any], key: str, default: float, where: str) -> float:
        value = section.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float):
            bad(where, f"{where} 应为数字，而不是 {value!r}")
            return default
        return float(value)

    grades: list[tuple[str, float]] = []
    for item in raw.get("grades") or []:
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
    red = frozenset(str(g) for g in raw.get("red_light_grades") or [])
    unknown = red - {g for g, _ in grades}
    if unknown:
        bad(
            "red_light_grades",
            f"red_light_grades 中的等级 {'、'.join(sorted(unknown))} 不在 grades 中",
        )
    flags = raw.get("flags") or {}
    review = raw.get("review") or {}
    confidence = number(review, "confidence", 0.95, "review.confidence")
    if not 0 < confidence < 1:
        bad("review.confidence", "review.confidence 应在 0 与 1 之间（如 0.95）")
    coverage: list[CoverageRule] = []
    for phase in raw.get("coverage") or []:
        since = phase.get("since") if isinstance(phase, dict) else None
        if not isinstance(since, int):
            bad("coverage", f"coverage 的每一阶段需要整数年份 since，而不是 {phase!r}")
            continue
        for r in phase.get("rules") or []:
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
    section = raw.get("results") or {}
    entries = {**(section.get("grades") or {})}
    entries.update({k: section[k] for k in ("red_light", "not_rectified") if k in section})
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
        source=source,
        raw=raw,
    )
    if problems:
        raise PolicyError(problems, title=f"政策参数文件 {source} 有问题")
    return policy
