"""Workbooks for people: Chinese headers, sensible widths, a frozen header row, atomic save."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from .tables import atomic_path

__all__ = ["HEADERS_ZH", "write_output", "write_workbook"]

#: Chinese headers for the columns jxkit writes.
HEADERS_ZH: dict[str, str] = {
    "project_id": "项目编码",
    "unit_id": "单位编码",
    "unit_name": "单位名称",
    "name": "名称",
    "year": "年度",
    "level": "层级",
    "level_name": "层级",
    "category": "项目类别",
    "category_name": "项目类别",
    "round": "轮次",
    "total": "总分",
    "grade": "等级",
    "red_light": "红灯警示",
    "flags": "提示",
    "budget": "全年预算数（元）",
    "required": "应覆盖",
    "declared": "目标同步申报",
    "approved": "目标批复下达",
    "self_evaluated": "已自评",
    "complied": "已覆盖",
    "missing": "缺少环节",
    "coverage_rate": "覆盖率",
}


def _width(series: pd.Series, header: str) -> float:
    def w(text: str) -> int:
        return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)

    sample = ["" if pd.isna(v) else str(v) for v in series.head(200)]
    longest = max([w(header), *(w(v) for v in sample)])
    return min(max(longest + 2, 8), 60)


def write_workbook(sheets: Mapping[str, pd.DataFrame], target: str | os.PathLike[str]) -> Path:
    """Write frames as sheets with Chinese headers, widths fitted, header row frozen."""
    # openpyxl is imported here: a command writing CSV should not pay for it
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    target = Path(target)
    with atomic_path(target) as tmp, pd.ExcelWriter(tmp, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            shown = frame.rename(columns=lambda c: HEADERS_ZH.get(str(c), str(c)))
            shown = (
                shown.replace({True: "是", False: "否"})
                if any(pd.api.types.is_bool_dtype(t) for t in frame.dtypes)
                else shown
            )
            shown.to_excel(writer, sheet_name=name[:31], index=False)
            ws = writer.sheets[name[:31]]
            ws.freeze_panes = "A2"
            for i, col in enumerate(shown.columns, 1):
                ws.column_dimensions[get_column_letter(i)].width = _width(shown[col], str(col))
                cell = ws.cell(row=1, column=i)
                cell.font = Font(bold=True)
                cell.fill = PatternFill("solid", fgColor="DDEBF7")
                cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    return target


def write_output(frame: pd.DataFrame, target: str | os.PathLike[str], sheet: str) -> Path:
    """CSV (English column names, UTF-8 with BOM) or a formatted workbook, by suffix."""
    from .tables import write_table

    target = Path(target)
    if target.suffix.lower() == ".xlsx":
        return write_workbook({sheet: frame}, target)
    return write_table(frame, target)
