"""Workbooks for people: Chinese headers, sensible widths, a frozen header row, atomic save."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from ..catalogue import category_name
from ..labels import header
from .tables import atomic_path

__all__ = ["write_output", "write_workbook", "zh_frame"]


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
            shown = frame.rename(columns=lambda c: header(str(c)))
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


def zh_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A result table for people: Chinese headers, category names, dates as 2021-06-30."""
    shown = frame.copy()
    if "category" in shown:
        shown["category"] = shown["category"].map(category_name)
    for col in shown.columns:
        if pd.api.types.is_datetime64_any_dtype(shown[col]):
            shown[col] = shown[col].dt.strftime("%Y-%m-%d")
    return shown.rename(columns=lambda c: header(str(c)))
