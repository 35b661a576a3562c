"""Workbooks for people: Chinese headers, sensible widths, a frozen header row, atomic save."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path

import pandas as pd

from ..catalogue import category_name, level_name
from ..labels import LIGHT_NAMES, REASON_NAMES, ROUND_NAMES, header, yes_no
from ..rounding import round_half_up
from .tables import atomic_path

__all__ = ["shown_frame", "write_output", "write_workbook", "zh_frame"]


def _rule_title(code: object) -> object:
    from ..rules import get_rule

    found = get_rule(str(code)) if isinstance(code, str) else None
    return found.title if found else code


def _mapper(names: Mapping[str, str]) -> Callable[[object], object]:
    return lambda v: names.get(v, v) if isinstance(v, str) else v


#: Code columns shown by name: the column, how a code becomes its name.
_NAMED: dict[str, Callable[[object], object]] = {
    "category": lambda v: category_name(v) if isinstance(v, str) else v,
    "stratum": lambda v: category_name(v) if isinstance(v, str) else v,
    "round": _mapper(ROUND_NAMES),
    "level": lambda v: level_name(v) if isinstance(v, str) else v,
    "execution_light": _mapper(LIGHT_NAMES),
    "indicator_light": _mapper(LIGHT_NAMES),
    "light": _mapper(LIGHT_NAMES),
    "selection_reason": _mapper(REASON_NAMES),
    "rule": _rule_title,
}
#: A code column dropped when the column of its names stands in the same sheet.
_NAMED_BESIDE = {"level": "level_name", "light": "light_name"}
#: Shares of 1 shown as percentages (the header says （%）).
_SHARES = {"coverage_rate"}
#: Probabilities of a draw keep 4 decimals; percentages 1; every other figure 2.
_PROBABILITIES = {"u", "inclusion_probability"}


def _decimals(column: str) -> int:
    zh = header(column)
    if column in _PROBABILITIES:
        return 4
    if "%" in zh or "百分点" in zh or column in _SHARES:
        return 1
    return 2


def _code_of(column: str) -> str:
    """A column's code whether the frame is still in codes or already in Chinese headers."""
    if column in _NAMED or column in _SHARES or column in _PROBABILITIES:
        return column
    known = (*_NAMED, *_SHARES, *_NAMED_BESIDE.values())
    return next((c for c in known if header(c) == column), column)


def shown_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A table as people read it: codes by name, 是/否, one rule of decimals, Chinese headers.

    Scores and money 2 decimals, percentages 1 (points are whole or as given, so 2 shows
    them as given), draw probabilities 4; a code column is dropped when its names stand
    beside it. Works on frames in codes or already renamed by :func:`zh_frame`.
    """
    shown = frame.copy()
    codes = {str(c): _code_of(str(c)) for c in shown.columns}
    present = set(codes.values())
    for col, code in codes.items():
        if code in _NAMED_BESIDE and _NAMED_BESIDE[code] in present:
            shown = shown.drop(columns=col)
            continue
        series = shown[col]
        if code in _NAMED:
            shown[col] = series.map(_NAMED[code])
        elif pd.api.types.is_bool_dtype(series.dtype) or series.dtype == object:
            shown[col] = series.map(yes_no)
        if pd.api.types.is_float_dtype(series.dtype):
            values = series * 100 if code in _SHARES else series
            shown[col] = pd.Series(round_half_up(values, _decimals(code)), index=series.index)
            shown.loc[series.isna(), col] = None
    renamed = {
        col: header(code) + ("（%）" if code in _SHARES else "") for col, code in codes.items()
    }
    for col, code in codes.items():  # a code column shown by name takes the name's header
        if code in _NAMED_BESIDE and col in shown:
            renamed[col] = header(_NAMED_BESIDE[code])
    return shown.rename(columns=renamed)


def _width(series: pd.Series, header: str) -> float:
    def w(text: str) -> int:
        return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)

    sample = ["" if pd.isna(v) else str(v) for v in series.head(200)]
    longest = max([w(header), *(w(v) for v in sample)])
    return min(max(longest + 2, 8), 60)


def write_workbook(sheets: Mapping[str, pd.DataFrame], target: str | os.PathLike[str]) -> Path:
    """Write frames as sheets for people (:func:`shown_frame`), widths fitted, header frozen.

    Sheet names are the callers' (Chinese); every workbook jxkit writes comes through here.
    """
    # openpyxl is imported here: a command writing CSV should not pay for it
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    target = Path(target)
    with atomic_path(target) as tmp, pd.ExcelWriter(tmp, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            shown = shown_frame(frame)
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
