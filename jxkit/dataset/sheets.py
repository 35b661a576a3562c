"""Reading a workbook sheet as the text Excel shows, with Excel's own row numbers.

openpyxl is used directly rather than through pandas, which reads percent cells as
fractions (93 % as 0.93), error cells (``#REF!``) and formulas never calculated as blanks,
and numbers rows as if blank rows were not there. What no value can be read from (error
cells, formulas without a saved result, merged cells, hidden rows) is handed to the loader
to report, with its row and column.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError, FileAccessError, Problem

__all__ = ["EXCEL_ERRORS", "ROW", "list_sheets", "read_sheet", "sheet_states"]

#: Column added to every table read: the row number as the user sees it in a spreadsheet
#: (the header is row 1, so the first data row is 2).
ROW = "_row"

_NOT_A_WORKBOOK = (
    "不是可读的 Excel 工作簿（.xlsx）：文件已损坏、未完整复制，或实为 .xls、改了扩展名的 CSV、"
    "设置了打开密码的文件。请在 Excel 中打开并另存为 .xlsx 工作簿（无密码）后重试"
)


def _open_workbook(path: Path) -> Any:
    """The workbook opened read-only with the values Excel saved (not formulas)."""
    import openpyxl

    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except OSError as exc:
        raise FileAccessError(exc, action="读取", path=path) from exc
    except Exception:  # openpyxl raises many kinds for a broken file
        raise DataError([Problem(path.name, _NOT_A_WORKBOOK)]) from None


def list_sheets(path: Path) -> list[str]:
    """Sheet names of a workbook, in order."""
    return list(sheet_states(path))


def sheet_states(path: Path) -> dict[str, str]:
    """Each sheet's name and state (``visible``, ``hidden``, ``veryHidden``), in order."""
    book = _open_workbook(path)
    try:
        return {str(ws.title): str(ws.sheet_state) for ws in book.worksheets}
    finally:
        book.close()


#: What each Excel error value means, for the message that names it.
EXCEL_ERRORS = {
    "#REF!": "公式引用的单元格已被删除",
    "#N/A": "查找公式没有找到值",
    "#DIV/0!": "公式除以了零",
    "#VALUE!": "公式中的值类型不对",
    "#NAME?": "公式中有无法识别的名称",
    "#NUM!": "公式结果不是有效数字",
    "#NULL!": "公式中的区域没有交集",
    "#SPILL!": "公式结果无法展开",
    "#CALC!": "公式无法计算",
    "#GETTING_DATA": "数据尚未加载完成",
}

_HIDDEN_ROW = re.compile(rb"<(?:\w+:)?row\b(?=[^>]*\bhidden=\"(?:1|true)\")[^>]*\br=\"(\d+)\"")
_MERGE = re.compile(rb"<(?:\w+:)?mergeCell\b[^>]*\bref=\"([A-Z]+)(\d+):([A-Z]+)(\d+)\"")
_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.DOTALL)
_REF = re.compile(rb"\br=\"([A-Z]+)(\d+)\"")
_HAS_VALUE = re.compile(rb"<(?:\w+:)?(?:v|is)\b[^>]*>[^<]")


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _sheet_xml(book: Any, ws: Any) -> bytes:
    """The sheet's XML as saved (for what openpyxl's read-only mode does not tell)."""
    path = getattr(ws, "_worksheet_path", None)
    archive = getattr(book, "_archive", None)
    if path is None or archive is None:
        return b""
    with archive.open(path) as f:
        data: bytes = f.read()
    return data


def _merged(xml: bytes) -> list[tuple[str, int, int, int, int]]:
    """Merged ranges as (A1 reference, first row, first column, last row, last column)."""
    return [
        (
            f"{m[1].decode()}{int(m[2])}:{m[3].decode()}{int(m[4])}",
            int(m[2]),
            _column_number(m[1]),
            int(m[4]),
            _column_number(m[3]),
        )
        for m in _MERGE.finditer(xml)
    ]


def _formulas_without_value(xml: bytes) -> list[tuple[int, int]]:
    """(row, column) of formula cells saved without a result (never calculated in Excel)."""
    if b"<f" not in xml and b":f" not in xml:
        return []
    found = []
    for m in _CELL.finditer(xml):
        body = m[2] or b""
        if (b"<f" in body or b":f" in body) and not _HAS_VALUE.search(body):
            ref = _REF.search(m[1])
            if ref:
                found.append((int(ref[2]), _column_number(ref[1])))
    return found


def _excel_text(cell: Any) -> str:
    """A cell as the text Excel shows: 93 for 93 % (stored 0.93), dates as 2021-06-30."""
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):  # Excel saves 100 % as the integer 1
        if _is_percent(cell.number_format):
            return _number_text(round(float(value) * 100, 10))
        return str(value) if isinstance(value, int) else _number_text(value)
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value)


def _number_text(value: float) -> str:
    return str(int(value)) if value.is_integer() and abs(value) < 1e16 else repr(value)


def _is_percent(number_format: str | None) -> bool:
    """True for a percent format (``0%``, ``0.0%``), not for a literal "%" in quotes."""
    return bool(number_format) and "%" in re.sub(r'"[^"]*"|\\.', "", str(number_format))


def read_sheet(path: Path, name: str | None = None) -> pd.DataFrame:
    """One sheet as text with Excel's own row numbers; cell problems in ``attrs``.

    Read with openpyxl directly rather than through pandas, which reads percent cells as
    fractions, error cells (``#REF!``) and formulas never calculated as blanks, and numbers
    rows as if blank rows were not there. Blank rows are left out; the others keep the
    row number Excel shows. ``attrs["cell_problems"]`` holds (row, column position,
    value, message) for error cells, formulas without a saved result, merged cells and
    hidden rows (column position -1: the whole row).
    """
    book = _open_workbook(path)
    try:
        sheets = [str(s) for s in book.sheetnames]
        name = sheets[0] if name is None else name
        if name not in sheets:
            raise DataError(
                [Problem(path.name, f"没有名为“{name}”的工作表（现有：{'、'.join(sheets)}）")]
            )
        ws = book[name]
        ws.reset_dimensions()  # some writers save a wrong size; read what is there
        rows: list[list[str]] = []
        numbers: list[int] = []
        problems: list[tuple[int, int, str, str]] = []
        header: list[str] | None = None
        header_row = 0
        for at, cells in enumerate(ws.iter_rows(min_row=1), 1):
            texts = [_excel_text(c) for c in cells]
            if not any(t.strip() for t in texts):
                continue
            for i, c in enumerate(cells):
                if getattr(c, "data_type", None) == "e" and header is not None:
                    meaning = EXCEL_ERRORS.get(texts[i], "公式出错")
                    problems.append(
                        (at, i, texts[i], f"是 Excel 错误值（{meaning}）：请修正公式或改填数值")
                    )
            if header is None:
                header, header_row = texts, at
                continue
            rows.append(texts)
            numbers.append(at)
        xml = _sheet_xml(book, ws)
    finally:
        book.close()
    header = header or []
    width = max(
        [i + 1 for line in [header, *rows] for i, t in enumerate(line) if t.strip()], default=0
    )
    header = [*header, *([""] * (width - len(header)))][:width]
    rows = [[*r, *([""] * (width - len(r)))][:width] for r in rows]
    for row, column in _formulas_without_value(xml):
        if row > header_row and column <= width:
            problems.append(
                (
                    row,
                    column - 1,
                    "",
                    "是没有保存计算结果的公式：请在 Excel 中打开、重新计算并保存后重试",
                )
            )
    for ref, r1, c1, r2, c2 in _merged(xml):
        if r2 > header_row and (r2 > r1 or c2 > c1) and c1 <= width:
            message = f"在合并单元格 {ref} 中，只有第一格有值：请取消合并，并在每一格填写"
            problems.append((max(r1, header_row + 1), c1 - 1, "", message))
    hidden = sorted(set(numbers).intersection(int(m[1]) for m in _HIDDEN_ROW.finditer(xml)))
    if hidden:
        shown = "、".join(map(str, hidden[:10])) + ("……" if len(hidden) > 10 else "")
        which = "这一行" if len(hidden) == 1 else f"第 {shown} 行（共 {len(hidden)} 行）"
        message = (
            f"{which}是隐藏行（可能被筛选隐藏），jxkit 会照常读取：请取消隐藏（清除筛选）核对，"
            "不要的行请删除"
        )
        problems.append((hidden[0] if len(hidden) == 1 else 0, -1, "", message))
    labels = [h if h.strip() else f"第 {i + 1} 列" for i, h in enumerate(header)]
    frame = pd.DataFrame(rows, columns=pd.Index(labels, dtype=object), dtype=object)
    frame = _dedupe_labels(frame)
    frame[ROW] = np.asarray(numbers, dtype=np.int64)
    frame.attrs["rows_numbered"] = True
    frame.attrs["cell_problems"] = problems
    frame.attrs["sheet"] = name
    return frame


def _dedupe_labels(frame: pd.DataFrame) -> pd.DataFrame:
    """Repeated headers renamed ``x.1``, ``x.2`` as pandas' CSV reader does (reported later)."""
    seen: dict[str, int] = {}
    labels = []
    for label in frame.columns:
        n = seen.get(label, 0)
        seen[label] = n + 1
        labels.append(label if n == 0 else f"{label}.{n}")
    frame.columns = labels
    return frame
