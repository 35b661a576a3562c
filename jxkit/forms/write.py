"""A dataset's projects written as 项目支出绩效自评表 in the national layout (``jxkit forms``).

One workbook per project (or one sheet per project): title and year, 项目编码/名称, 主管部门
and 实施单位, the budget block in 万元 with the 预算执行率 score, the indicator block with
年度指标值 in the form's notation (``≥50个``) and the scores jxkit computes, the 总分 and
grade; with ``round="review"`` the 复核 values and scores beside the self ones. Print
settings: A4 portrait, fit to width, the indicator header repeated on every page.

The notation carries one sign, one number and a unit, so rules with parameters cannot be
written as they are: ``bands`` is written ``≥`` target, ``inverse_linear`` ``≤`` target,
``interval`` ``≥`` its low bound, ``deduction`` ``=0``; read back, they are ``ratio``,
``inverse`` and ``equal_zero`` (see :data:`NOT_CARRIED`).
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..errors import ReportError
from .notation import format_number, format_target

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

    from ..dataset.load import Dataset
    from ..policy import Policy

__all__ = ["NOT_CARRIED", "SIGNS", "target_text", "write_forms"]

#: The sign each rule's target is written with.
SIGNS = {
    "ratio": "≥",
    "bands": "≥",
    "inverse": "≤",
    "inverse_linear": "≤",
    "equal_zero": "=",
    "deduction": "=",
    "interval": "≥",
}
#: Rules the notation cannot carry, and the rule they come back as from ``jxkit import``.
NOT_CARRIED = {
    "bands": "ratio",
    "inverse_linear": "inverse",
    "interval": "ratio",
    "deduction": "equal_zero",
}
FONT = "宋体"
_WIDTHS = {"A": 10, "B": 14, "C": 13, "D": 24, "E": 13, "F": 13, "G": 8, "H": 8, "I": 24}
_REVIEW_WIDTHS = {"J": 13, "K": 8}


def target_text(rule: str, target: str, unit: str, params: str) -> str:
    """The 年度指标值 cell of an indicator.

    >>> target_text("ratio", "50", "个", ""), target_text("equal_zero", "0", "起", "")
    ('≥50个', '=0起')
    >>> target_text("grade", "达成年度指标", "", ""), target_text("boolean", "是", "", "")
    ('达成年度指标', '是')
    """
    if rule == "interval" and params:
        low = json.loads(params).get("low")
        if isinstance(low, int | float):
            return format_target("≥", float(low), unit)
    if rule == "deduction":
        return format_target("=", 0.0, unit)
    try:
        number = float(target)
    except ValueError:
        return target
    if rule in SIGNS:
        return format_target(SIGNS[rule], number, unit)
    return target or "是"


def _actual_text(row: Any) -> str:
    value = row.actual_value
    if row.rule in {"grade", "boolean"} or value is None or np.isnan(value):
        return str(row.actual or "")
    return format_number(float(value)) + str(row.unit_of_measure or "")


def write_forms(
    ds: Dataset,
    out: str | os.PathLike[str],
    *,
    round: str = "self",
    only: list[str] | None = None,
    one_file: bool = False,
    policy: Policy | None = None,
) -> list[Path]:
    """Write the forms; returns the files written. Projects with no values in ``round``
    (or only ``self`` values when writing ``review``) are left out."""
    from openpyxl import Workbook

    from ..dataset.tables import atomic_path
    from ..scoring import score

    result = score(ds, None, policy=policy, skip_invalid=True)
    projects = ds.projects.set_index("project_id")
    units = ds.units.set_index("unit_id")
    scored = result.projects
    ids = sorted(set(scored.loc[scored["round"] == round, "project_id"]))
    if only is not None:
        unknown = sorted(set(only) - set(projects.index))
        if unknown:
            raise ReportError(f"数据集中没有这些项目：{'、'.join(unknown)}")
        ids = [i for i in ids if i in set(only)]
    if not ids:
        raise ReportError(
            f"没有可写出的项目：所选项目在{'复核' if round == 'review' else '自评'}轮次中没有评分结果"
        )
    ind = result.indicators
    out_dir = Path(out)
    written: list[Path] = []
    book = Workbook() if one_file else None
    for pid in ids:
        rows = {
            r: ind[(ind["project_id"] == pid) & (ind["round"] == r)] for r in ("self", "review")
        }
        total = {
            r: scored[(scored["project_id"] == pid) & (scored["round"] == r)]
            for r in ("self", "review")
        }
        project = projects.loc[pid]
        unit = units.loc[project["unit_id"]] if project["unit_id"] in units.index else None
        parent = unit["parent_id"] if unit is not None else ""
        department = (
            units.loc[parent, "name"]
            if parent in units.index
            else (unit["name"] if unit is not None else "")
        )
        head = {
            "code": pid,
            "year": int(project["year"]),
            "name": project["name"],
            "department": department,
            "unit": unit["name"] if unit is not None else project["unit_id"],
            "budget": float(project["budget"]),
            "spent": None if pd.isna(project["spent"]) else float(project["spent"]),
        }
        if book is not None:
            ws = book.create_sheet(_sheet_name(pid))
            put_form(ws, head, rows, total, review=round == "review")
            continue
        wb = Workbook()
        ws = wb.active
        assert ws is not None
        ws.title = "项目支出绩效自评表"
        put_form(ws, head, rows, total, review=round == "review")
        target = out_dir / f"{pid}_{_safe(project['name'])}.xlsx"
        with atomic_path(target) as tmp:
            wb.save(tmp)
        written.append(target)
    if book is not None:
        book.remove(book.worksheets[0])
        target = out_dir / f"项目支出绩效自评表_{'复核' if round == 'review' else '自评'}.xlsx"
        with atomic_path(target) as tmp:
            book.save(tmp)
        written.append(target)
    return written


def _safe(name: str) -> str:
    return "".join("_" if c in '\\/:*?"<>|' else c for c in name)[:60]


def _sheet_name(pid: str) -> str:
    return "".join("_" if c in "\\/:*?[]" else c for c in pid)[:31]


def put_form(
    ws: Worksheet,
    head: dict[str, Any],
    rows: dict[str, pd.DataFrame],
    total: dict[str, pd.DataFrame],
    *,
    review: bool = False,
) -> None:
    """One form on ``ws`` (from A1); ``rows`` and ``total`` per round, as jxkit scored them."""
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.worksheet.page import PageMargins

    last = "K" if review else "I"
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(horizontal="center", vertical="center", wrap_text=True)
    left = Alignment(horizontal="left", vertical="center", wrap_text=True)
    body = Font(name=FONT, size=10)
    bold = Font(name=FONT, size=10, bold=True)

    def put(
        ref: str,
        value: object,
        *,
        merge: str = "",
        font: Font = body,
        align: Alignment = wrap,
        fmt: str = "",
    ) -> None:
        cell = ws[ref]
        cell.value = value
        if isinstance(value, str) and value.startswith("="):
            cell.data_type = "s"  # "=0起" is a target, not a formula
        cell.font, cell.alignment = font, align
        if fmt:
            cell.number_format = fmt
        if merge:
            ws.merge_cells(f"{ref}:{merge}")

    put("A1", "项目支出绩效自评表", merge=f"{last}1", font=Font(name=FONT, size=16, bold=True))
    put("A2", f"（{head['year']}年度）", merge=f"{last}2")
    put("A3", "项目编码", font=bold)
    put("B3", head["code"], merge=f"{last}3", align=left)
    put("A4", "项目名称", font=bold)
    put("B4", head["name"], merge=f"{last}4", align=left)
    put("A5", "主管部门", font=bold)
    put("B5", head["department"], merge="D5", align=left)
    put("E5", "实施单位", font=bold)
    put("F5", head["unit"], merge=f"{last}5", align=left)
    put("A6", "项目资金（万元）", merge="A10", font=bold)
    for col, text in zip(
        "BCDEFGHI",
        ["", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分", ""],
        strict=True,
    ):
        put(f"{col}6", text, font=bold)
    exec_row = rows["self"][rows["self"]["rule"] == "execution_rate"]
    budget = head["budget"] / 1e4
    spent = None if head["spent"] is None else head["spent"] / 1e4  # blank: not yet reported
    money = "#,##0.00"  # shown as forms show it; the cell keeps the exact amount
    put("B7", "年度资金总额")
    put("C7", None, fmt=money)  # 年初预算数: the dataset holds the 全年 figure only
    put("D7", budget, fmt=money)
    put("E7", spent, fmt=money)
    if len(exec_row):
        e = exec_row.iloc[0]
        put("F7", float(e["points"]))
        put("G7", None if spent is None else (spent / budget if budget else 0.0), fmt="0.00%")
        put("H7", round(float(e["score"]), 2))
    for r, text in zip(
        range(8, 11), ["其中：本年财政拨款", "上年结转资金", "其他资金"], strict=True
    ):
        put(f"B{r}", text, align=left)
    put("A11", "年度总体目标", merge="A12", font=bold)
    put("B11", "预期目标", merge="E11", font=bold)
    put("F11", "实际完成情况", merge=f"{last}11", font=bold)
    put("B12", "", merge="E12")
    put("F12", "", merge=f"{last}12")
    header = [
        "绩效指标",
        "一级指标",
        "二级指标",
        "三级指标",
        "年度指标值",
        "实际完成值",
        "分值",
        "得分",
        "偏差原因分析及改进措施",
    ]
    if review:
        header += ["复核完成值", "复核得分"]
    for col, text in zip("ABCDEFGHIJK", header, strict=False):
        put(f"{col}13", text, font=bold)
    items = rows["self"][rows["self"]["rule"] != "execution_rate"].reset_index(drop=True)
    review_rows = rows["review"].set_index("indicator_id") if review else None
    first = 14
    level1_points = items.groupby("level1", sort=False)["points"].sum()
    for i, r in enumerate(items.itertuples(index=False)):
        at = first + i
        put(f"D{at}", r.name)
        put(
            f"E{at}",
            target_text(r.rule, str(r.target), str(r.unit_of_measure or ""), str(r.params or "")),
        )
        put(f"F{at}", _actual_text(r))
        put(f"G{at}", float(r.points))
        put(f"H{at}", round(float(r.score), 2) if r.applicable else "不适用")
        put(f"I{at}", r.note or "", align=left)
        if review_rows is not None and r.indicator_id in review_rows.index:
            rr = review_rows.loc[r.indicator_id]
            put(f"J{at}", _actual_text(rr))
            put(f"K{at}", round(float(rr["score"]), 2))
    end = first + len(items)
    _merge_runs(
        ws,
        items["level1"].tolist(),
        "B",
        first,
        lambda v: f"{v}（{format_number(level1_points[v])}分）",
    )
    _merge_runs(
        ws, list(zip(items["level1"], items["level2"], strict=True)), "C", first, lambda v: v[1]
    )
    if end > first:
        put(f"A{first}", "绩效指标", merge=f"A{end - 1}", font=bold)
    put(f"A{end}", "总分", merge=f"F{end}", font=bold)
    points = float(rows["self"]["points"].sum())
    put(f"G{end}", points, font=bold)
    t = total["self"].iloc[0] if len(total["self"]) else None
    put(f"H{end}", None if t is None else float(t["total"]), font=bold)
    put(f"I{end}", "" if t is None else f"评价等级：{t['grade']}", font=bold)
    if review and len(total["review"]):
        rt = total["review"].iloc[0]
        put(f"K{end}", float(rt["total"]), font=bold)
        put(f"J{end}", f"复核等级：{rt['grade']}", font=bold)
    for row in ws.iter_rows(min_row=3, max_row=end, max_col=len(header)):
        for cell in row:
            cell.border = border
            if cell.font != bold and cell.font.name != FONT:
                cell.font = body
    widths = _WIDTHS | (_REVIEW_WIDTHS if review else {})
    for col, width in widths.items():
        ws.column_dimensions[col].width = width
    _fit_heights(ws, 3, end, widths)
    ws.row_dimensions[1].height = 30
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if review else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "13:13"
    ws.print_area = f"A1:{last}{end}"
    ws.page_margins = PageMargins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    ws.print_options.horizontalCentered = True


def _fit_heights(ws: Worksheet, first: int, last: int, widths: Mapping[str, float]) -> None:
    """Row heights that show wrapped text whole (LibreOffice and Excel do not grow rows that
    a file gives no height): lines = text width / cell width, a CJK character ~1.8 units."""
    from openpyxl.utils import get_column_letter

    spans: dict[str, float] = {}
    tall: set[str] = set()
    for rng in ws.merged_cells.ranges:
        cols = range(rng.min_col, rng.max_col + 1)
        spans[rng.start_cell.coordinate] = sum(widths.get(get_column_letter(c), 8) for c in cols)
        if rng.max_row > rng.min_row:
            tall.add(rng.start_cell.coordinate)
    for r in range(first, last + 1):
        lines = 1
        for cell in ws[r]:
            if not isinstance(cell.value, str) or cell.coordinate in tall:
                continue  # numbers are short and formatted; tall merged cells have room
            width = spans.get(cell.coordinate, widths.get(cell.column_letter, 8))
            units = sum(1.8 if ord(ch) > 0x2E7F else 1.0 for ch in cell.value)
            lines = max(lines, math.ceil(units / max(width - 1, 1)))
        ws.row_dimensions[r].height = 15 * lines + 2


def _merge_runs(ws: Worksheet, values: list[Any], col: str, first: int, text: Any) -> None:
    """Write each run of equal values once, merged down over its rows."""
    from openpyxl.styles import Alignment

    start = 0
    for i in range(1, len(values) + 1):
        if i == len(values) or values[i] != values[start]:
            cell = ws[f"{col}{first + start}"]
            cell.value = text(values[start])
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            if i - start > 1:
                ws.merge_cells(f"{col}{first + start}:{col}{first + i - 1}")
            start = i
