"""The narrative of 存在的问题及原因分析 and 有关建议, written from the scores, never invented.

Deductions are grouped by first-level indicator (largest loss first); inside a group the
few that matter are named with what was found, the small ones (under
:data:`SMALL` points each) summarised in one clause, and causes collected from the
偏差原因 the unit wrote (the ``note`` column), each cause with the indicators it explains.
Suggestions follow the same groups, one per group, worded by the kind of indicator.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..scoring import ScoreResult
from .blocks import mask, num, records, score_text

__all__ = [
    "SMALL",
    "ProblemGroup",
    "group_problems",
    "portfolio_advice",
    "portfolio_lines",
    "portfolio_rows",
    "problem_lines",
    "suggestion_lines",
]

#: A deduction below this many points is summarised, not restated.
SMALL = 0.5
#: At most this many deductions are named per group (the rest are summarised).
NAMED = 4

#: What to do, by the kind of scoring rule, for the indicators ``{}`` names.
_ADVICE = {
    "execution_rate": "加快预算执行进度，按用款计划及时支付，提高预算执行率",
    "ratio": "加强过程管理和进度跟踪，确保{}达到年度指标值",
    "bands": "加强过程管理和进度跟踪，确保{}达到年度指标值",
    "inverse": "加强成本和时效控制，使{}不超过年度指标值",
    "inverse_linear": "加强成本和时效控制，使{}不超过年度指标值",
    "equal_zero": "落实安全与规范管理责任，杜绝{}再次发生",
    "deduction": "对{}中发现的问题逐项整改，建立整改台账",
    "grade": "针对{}完善工作措施，提高完成质量",
    "boolean": "针对{}完善工作措施，确保按要求完成",
    "interval": "按标准执行{}，使其回到合理区间",
}


@dataclass(frozen=True)
class ProblemGroup:
    """The deductions of one first-level indicator: ``named`` and ``small`` are indicator
    rows (as :func:`~jxkit.report.blocks.records` gives them), largest loss first."""

    level1: str
    points: float
    lost: float
    named: list[dict[str, Any]]
    small: list[dict[str, Any]]
    causes: dict[str, list[str]]


def _quoted(names: Iterable[str]) -> str:
    return "、".join(f"“{n}”" for n in names)


def _total(values: Iterable[float]) -> float:
    """A sum as pandas takes it (NumPy's pairwise sum), so figures match the tables'."""
    return float(np.sum(np.fromiter(values, dtype=float)))


def _found(r: Mapping[str, Any], names: bool) -> str:
    """What was found of one indicator, named once: “系统可用率”完成值 98.9 不在合理区间…"""
    name, reason = str(r["name"]), mask(r["reason"], names=names).rstrip("。")
    return reason if reason.startswith(name) else f"“{name}”{reason}"


def group_problems(rows: pd.DataFrame, *, names: bool = False) -> list[ProblemGroup]:
    """Deductions grouped by first-level indicator, the group losing most first.

    ``rows`` are an evaluation's indicator rows (``level1``, ``name``, ``points``,
    ``lost``, ``rule``, ``reason``, ``note``); ``names`` masks personal names in text.
    A report has a few dozen rows: they are read once as records, not sliced as frames.
    """
    every = records(rows)
    order = {name: i for i, name in enumerate(dict.fromkeys(r["level1"] for r in every))}
    by_level: dict[Any, list[dict[str, Any]]] = {}
    for r in every:
        if r["lost"] > 0.005:
            by_level.setdefault(r["level1"], []).append(r)
    groups = []
    for level1, lost in by_level.items():
        g = sorted(lost, key=lambda r: -r["lost"])  # stable: ties keep the rows' order
        big = [r for r in g if r["lost"] >= SMALL]
        named = big[:NAMED] if big else g[:1]
        chosen = {id(r) for r in named}
        small = [r for r in g if id(r) not in chosen]
        causes: dict[str, list[str]] = {}
        for r in g:
            note = mask(r.get("note", "") or "", names=names).strip().rstrip("。；;")
            causes.setdefault(note, []).append(str(r["name"]))
        points = _total(r["points"] for r in every if r["level1"] == level1)
        groups.append(
            ProblemGroup(str(level1), points, _total(r["lost"] for r in g), named, small, causes)
        )
    groups.sort(key=lambda x: (-round(x.lost, 6), order[x.level1]))
    return groups


def problem_lines(groups: list[ProblemGroup], *, names: bool = False) -> list[str]:
    """One paragraph per group: what lost points, then why (the units' 偏差原因)."""
    out = []
    for g in groups:
        found = "；".join(_found(r, names) for r in g.named)
        text = f"{g.level1}（分值 {num(g.points)} 分）失 {score_text(g.lost)} 分。{found}"
        if g.small:
            slight = "小幅失分" if all(r["lost"] < SMALL for r in g.small) else "失分"
            text += (
                f"；另有 {len(g.small)} 项指标{slight}，合计 "
                f"{score_text(_total(r['lost'] for r in g.small))} 分"
                f"（{_quoted(r['name'] for r in g.small)}）"
            )
        text += "。"
        given = {c: n for c, n in g.causes.items() if c}
        missing = g.causes.get("", [])
        if given:
            text += "原因分析：" + "；".join(
                f"{c}（{_quoted(n)}）" for c, n in sorted(given.items(), key=lambda x: -len(x[1]))
            )
            text += "。"
        if missing:
            text += f"{_quoted(missing)}未说明偏差原因，原因待补充。"
        out.append(text)
    return out


def suggestion_lines(groups: list[ProblemGroup], rows: pd.DataFrame) -> list[str]:
    """One suggestion per group, worded by the kinds of indicator that lost points."""
    out = []
    for g in groups:
        by_advice: dict[str, list[str]] = {}
        for r in [*g.named, *g.small]:
            by_advice.setdefault(_ADVICE.get(str(r["rule"]), "改进{}"), []).append(str(r["name"]))
        advice = [text.format(_quoted(n)) for text, n in by_advice.items()]
        out.append(f"{g.level1}方面：" + "；".join(advice) + "。")
    if (rows["flag"].astype(str).str.contains("未说明偏差原因")).any():
        out.append("对完成值明显高于目标的指标补充偏差原因，并在下一年度合理设定绩效目标。")
    return out


def portfolio_rows(scores: ScoreResult, final: pd.DataFrame) -> pd.DataFrame:
    """The indicator rows of many projects, each in the round its result stands on."""
    parts = [
        scores.breakdown(str(p), str(r))
        for p, r in zip(final["project_id"], final["round"], strict=True)
    ]
    parts = [p for p in parts if len(p)]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def portfolio_lines(rows: pd.DataFrame, final: pd.DataFrame, *, top: int = 3) -> list[str]:
    """Problems of many projects: per first-level indicator (most lost first), how many
    projects lost points there and the causes cited most (by how many projects)."""
    if rows.empty:
        return []
    lost = rows[rows["lost"] > 0.005]
    out = []
    names = final.set_index("project_id")["name"].astype(str)
    by_level = lost.groupby("level1", sort=False)["lost"].sum().sort_values(ascending=False)
    for level1, total in by_level.items():
        g = lost[lost["level1"] == level1]
        projects = g["project_id"].nunique()
        text = f"{level1}：{projects} 个项目失分，合计 {score_text(total)} 分"
        worst = g.groupby("name", sort=False)["lost"].sum().sort_values(ascending=False).head(top)
        text += "，失分最多的指标为" + "、".join(
            f"“{n}”（{score_text(v)} 分）" for n, v in worst.items()
        )
        notes = g.assign(note=g["note"].fillna("").astype(str).str.strip().str.rstrip("。；;"))
        cited = notes[notes["note"] != ""].groupby("note")["project_id"].nunique()
        cited = cited.sort_values(ascending=False, kind="stable").head(top)
        if len(cited):
            text += "；主要原因：" + "；".join(f"{c}（{n} 个项目）" for c, n in cited.items())
        silent = notes.loc[notes["note"] == "", "project_id"].unique()
        if len(silent):
            shown = "、".join(names.get(p, p) for p in silent[:top])
            more = f"等 {len(silent)} 个项目" if len(silent) > top else ""
            text += f"；{shown}{more}对部分失分指标未说明偏差原因"
        out.append(text + "。")
    return out


def portfolio_advice(rows: pd.DataFrame) -> list[str]:
    """One suggestion per first-level indicator that lost points, by the kinds of its rules."""
    if rows.empty:
        return []
    lost = rows[rows["lost"] > 0.005]
    out = []
    order = lost.groupby("level1", sort=False)["lost"].sum().sort_values(ascending=False).index
    for level1 in order:
        g = lost[lost["level1"] == level1]
        g = g.assign(advice=[_ADVICE.get(str(r), "改进{}") for r in g["rule"]])
        texts = g.groupby("advice", sort=False)["lost"].sum().sort_values(ascending=False)
        advice = []
        for text in texts.index[:2]:
            worst = g[g["advice"] == text].groupby("name")["lost"].sum().nlargest(2).index
            advice.append(str(text).format(_quoted(worst)))
        out.append(f"{level1}方面：" + "；".join(dict.fromkeys(advice)) + "。")
    return out
