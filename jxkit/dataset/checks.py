"""Checks of a whole dataset: keys unique, references resolved, points and rules sound.

Each check is a function ``(dataset, collectors)`` that reports through the tables'
:class:`~jxkit.dataset.problems.Collector`. :data:`CHECKS`, filled in one block at the end,
lists every check the loader runs: the core tables' here, the whole-process tables' beside
the code that knows them (named by module, imported when a dataset is loaded).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from importlib import import_module
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..errors import Problem
from ..rules import RULES, check_params, get_rule
from ..text import factorize
from .keys import all_distinct, key_codes, row_of
from .problems import Collector
from .schema import TABLES
from .tables import TEXT
from .values import INVISIBLE, parse_target

if TYPE_CHECKING:
    from .load import Dataset

__all__ = [
    "CHECKS",
    "Check",
    "checks",
    "duplicates",
    "odd_characters",
    "rules_and_params",
    "unknown",
]

Check = Callable[["Dataset", dict[str, Collector]], None]


def duplicates(frame: pd.DataFrame, key: tuple[str, ...], out: Collector) -> None:
    """Report rows whose key repeats an earlier row's; rows with a key cell unreadable are
    left out (a date that is not a date is reported as such, not as a repeated ``NaT``)."""
    (codes,), space = key_codes(key, frame)
    if all_distinct(codes, space):
        return
    readable = np.ones(len(frame), dtype=bool)
    for k in key:
        if frame[k].dtype != TEXT:
            readable &= frame[k].notna().to_numpy()
    dup = pd.Series(codes, index=frame.index).duplicated(keep="first").to_numpy() & readable
    if not dup.any():
        return
    first = frame[readable].reset_index().drop_duplicates(list(key)).set_index(list(key))["row"]
    cols = "、".join(out.col(k) for k in key)
    for row, ids in zip(
        frame.index[dup], frame.loc[dup, list(key)].itertuples(index=False), strict=True
    ):
        where = first.loc[tuple(ids) if len(key) > 1 else ids[0]]
        out.problems.append(
            Problem(
                out.source,
                f"与第 {where} 行重复（{cols} 须唯一；首尾空格不计）",
                int(row),
                out.col(key[-1]),
                "／".join(map(_shown, ids)),
            )
        )


def _shown(value: object) -> str:
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    return str(value)


def unknown(
    frame: pd.DataFrame, key: list[str], known: pd.DataFrame, out: Collector, message: str
) -> None:
    """Report rows whose key is not in ``known``, against the column that is wrong.

    With a key of several columns (project and indicator), a row whose first columns match
    no row of ``known`` is reported against those (the project is unknown), not the last.
    """
    if frame.empty:
        return
    positions, _ = row_of(frame, key, known)
    missing = positions < 0
    if not missing.any():
        return
    for depth in range(1, len(key)):
        head = key[:depth]
        found, _ = row_of(frame[missing], head, known)
        absent = np.zeros(len(frame), dtype=bool)
        absent[np.flatnonzero(missing)[found < 0]] = True
        if absent.any():
            zh = "、".join(_ZH.get(k, k) for k in head)
            _report(frame, absent, head[-1], out, f"{zh}在{_table_name(message)}中不存在")
            missing &= ~absent
    _report(frame, missing, key[-1], out, message)


#: Chinese names of columns, for messages about a column of another table.
_ZH = {c.name: c.zh for t in TABLES.values() for c in t.columns}


def _table_name(message: str) -> str:
    """The table a reference message names ("…（绩效指标表中不存在）" -> "绩效指标表")."""
    m = re.search(r"[\u4e00-\u9fff]+表", message)
    return m[0] if m else "所引用的表"


def _report(
    frame: pd.DataFrame, mask: np.ndarray, column: str, out: Collector, message: str
) -> None:
    """Report rows, with a hint when a value differs from a plain one by invisible or
    full-width characters (a zero-width space pasted from a web page, ＰＲＯ from an IME)."""
    if not mask.any():
        return
    at = np.flatnonzero(mask)
    values = frame[column].iloc[at].tolist()
    name = out.col(column)
    said = {(p.row, p.column) for p in out.problems}  # another check named the cell already
    for row, value in zip(frame.index[at], values, strict=True):
        if (int(row), name) not in said:
            hint = odd_characters(str(value))
            out.problems.append(Problem(out.source, message + hint, int(row), name, value))


def odd_characters(value: str) -> str:
    """A hint naming invisible or full-width characters in an id, or ""."""
    hints = [
        f"含不可见字符“{name}”（U+{ord(ch):04X}），请删去"
        for ch, name in INVISIBLE.items()
        if ch in value
    ]
    wide = [ch for ch in value if "\uff01" <= ch <= "\uff5e" or ch == "\u3000"]
    if wide:
        hints.append(f"含全角字符“{''.join(dict.fromkeys(wide))}”，请改为半角")
    return "（" + "；".join(hints) + "）" if hints else ""


def references(ds: Dataset, out: dict[str, Collector]) -> None:
    units, projects = ds.units, ds.projects
    unknown(projects, ["unit_id"], units, out["projects"], "单位编码在单位表中不存在")
    parents = units[units["parent_id"] != ""]
    unknown(parents, ["parent_id"], units, out["units"], "上级单位编码在单位表中不存在")
    unknown(ds.indicators, ["project_id"], projects, out["indicators"], "项目编码在项目表中不存在")
    unknown(
        ds.evaluations,
        ["project_id", "indicator_id"],
        ds.indicators,
        out["evaluations"],
        "该项目下没有这个指标编码（绩效指标表中不存在）",
    )


def points_total(ds: Dataset, out: dict[str, Collector]) -> None:
    ind = ds.indicators
    if ind.empty or ind["points"].isna().all():
        return
    c = out["indicators"]
    points = ind["points"].to_numpy(float)
    c.rows(ind, points < 0, "points", "分值不能为负数")
    codes, projects = factorize(ind["project_id"])
    totals = np.bincount(codes, weights=np.nan_to_num(points), minlength=len(projects))
    unreadable = np.bincount(codes, weights=np.isnan(points), minlength=len(projects)) > 0
    bad = np.flatnonzero((np.abs(totals - 100) > 1e-6) & ~unreadable)
    if not len(bad):
        return
    rows = ind.index.to_numpy()
    first_row = np.full(len(projects), np.iinfo(np.int64).max)
    np.minimum.at(first_row, codes, rows)
    for at in sorted(bad, key=lambda k: str(projects[k])):
        c.problems.append(
            Problem(
                c.source,
                f"项目 {projects[at]} 的指标分值合计为 {totals[at]:g}，应为 100",
                int(first_row[at]),
                c.col("points"),
            )
        )


def rules_and_params(ds: Dataset, out: dict[str, Collector]) -> None:
    ind = ds.indicators
    if ind.empty:
        return
    c = out["indicators"]
    target, _ = parse_target(ind["target"])
    no_target = target.isna().to_numpy()
    rule_codes, rule_names = factorize(ind["rule"])
    param_codes, param_texts = factorize(ind["params"])
    n = max(len(param_texts), 1)
    combined = rule_codes.astype(np.int64) * n + param_codes
    present = np.zeros(len(rule_names) * n, dtype=bool)
    present[combined] = True
    pairs = sorted(
        (str(rule_names[g // n]), str(param_texts[g % n]), g) for g in np.flatnonzero(present)
    )
    for rule_name, params_text, g in pairs:
        in_group = combined == g
        rule = get_rule(rule_name)
        try:
            params = json.loads(params_text) if params_text else {}
        except json.JSONDecodeError as exc:
            message = f"不是有效的 JSON（{exc.msg}，第 {exc.pos + 1} 个字符）"
            c.rows(ind, in_group, "params", message)
            continue
        if rule is None:
            c.rows(ind, in_group, "rule", f"不是已知的评分方法（可选：{'、'.join(RULES)}）")
            continue
        for message in check_params(rule_name, params):
            c.rows(ind, in_group, "params", message)
        if rule.needs_target:
            message = f"{rule.title}（{rule.name}）需要数值型的年度指标值"
            c.rows(ind, in_group & no_target, "target", message)


#: Every check the loader runs, in order: a function, or "module:function" for the checks
#: of the whole-process tables, which live with the step that reads them.
CHECKS: tuple[Check | str, ...] = (
    references,
    points_total,
    rules_and_params,
    "jxkit.exante:check_tables",
    "jxkit.monitoring:check_tables",
    "jxkit.unit_eval:check_tables",
    "jxkit.assess:check_tables",
    "jxkit.forms.recheck:check_tables",
)


def checks() -> list[Check]:
    """The checks of :data:`CHECKS` as functions."""
    found: list[Check] = []
    for entry in CHECKS:
        if isinstance(entry, str):
            module, name = entry.split(":")
            entry = getattr(import_module(module), name)
        found.append(entry)
    return found
