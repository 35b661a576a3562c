"""Typing the text of a table: headers to canonical names, cells to numbers, dates, codes.

Everything is read as text (:mod:`jxkit.dataset.tables`); here each column gets its kind
from :mod:`jxkit.dataset.schema`, and every cell that does not fit is reported with the
value as the user wrote it. Work is done per distinct value, so a million-row column of a
few thousand ids costs a few thousand conversions.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..catalogue import FALSE_WORDS, LEVELS, TRUE_WORDS, category_code, level_code
from ..errors import Problem
from ..text import SPACE, factorize, stripped, to_number
from .problems import Collector
from .schema import ROUNDS, Column, TableSpec
from .tables import ROW, TEXT

__all__ = [
    "INVISIBLE",
    "canonical_headers",
    "canonical_name",
    "empty_table",
    "header_clashes",
    "header_map",
    "parse_dates",
    "parse_number",
    "parse_target",
    "type_table",
]

# ----------------------------------------------------------------------------- typing

_HEADER_NOTE = re.compile(r"[（(][^）)]*[）)]\s*$")


def header_map(spec: TableSpec) -> dict[str, str]:
    m: dict[str, str] = {}
    for c in spec.columns:
        m[c.name.lower()] = c.name
        m[c.zh] = c.name
    return m


def canonical_headers(frame: pd.DataFrame, spec: TableSpec) -> dict[str, str]:
    """Map user headers to canonical names; a trailing note like （元） is ignored."""
    known = header_map(spec)
    renames: dict[str, str] = {}
    for header in frame.columns:
        if header == ROW:
            continue
        name = canonical_name(str(header), known)
        if name and name not in renames.values():
            renames[header] = name
    return renames


_REPEATED = re.compile(r"^(?P<base>.+)\.(?P<n>[1-9]\d*)$")


def header_clashes(headers: list[str], spec: TableSpec) -> list[tuple[int, int, str]]:
    """Pairs of headers that name one column (``budget`` and ``全年预算数``, or one header twice).

    Returns (position of the first, position of the second, canonical name). A header
    repeated exactly is read as ``x`` and ``x.1`` (as pandas names repeats); both mean the
    same column.
    """
    known = header_map(spec)
    present = set(headers)
    first: dict[str, int] = {}
    clashes = []
    for at, header in enumerate(headers):
        if header == ROW:
            continue
        m = _REPEATED.match(header)
        name = canonical_name(m["base"] if m and m["base"] in present else header, known)
        if name is None:
            continue
        if name in first:
            clashes.append((first[name], at, name))
        else:
            first[name] = at
    return clashes


def canonical_name(header: str, known: dict[str, str]) -> str | None:
    """The canonical column a header names, or None.

    Case, surrounding spaces, a trailing note such as （元）, full-width letters
    (``ｂｕｄｇｅｔ``) and invisible characters pasted with the header are ignored.
    """
    key = header.strip()
    found = known.get(key.lower()) or known.get(key) or known.get(_HEADER_NOTE.sub("", key).strip())
    if found or key.isascii():
        return found
    plain = unicodedata.normalize("NFKC", _INVISIBLE.sub("", key)).strip()
    return None if plain == key else canonical_name(plain, known)


#: Characters that show as nothing but make two ids or headers differ, by their names.
INVISIBLE = {
    "\u200b": "零宽空格",
    "\u200c": "零宽非连接符",
    "\u200d": "零宽连接符",
    "\u200e": "从左至右标记",
    "\u200f": "从右至左标记",
    "\u2060": "零宽不换行空格",
    "\ufeff": "零宽不换行空格（BOM）",
    "\u00ad": "软连字符",
}
_INVISIBLE = re.compile("[" + "".join(INVISIBLE) + "]")


def parse_number(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Numbers from text: thousands separators allowed ("1,000"), units are not ("12万").

    Returns (values as float, mask of cells that are filled but not a number).

    >>> v, bad = parse_number(pd.Series(["1,000", "12万", "", " 3.5 "]))
    >>> v.tolist()[0], bad.tolist()
    (1000.0, [False, True, False, False])
    """
    values, bad = to_number(text)
    return pd.Series(values, index=text.index), pd.Series(bad, index=text.index)


_PARALLEL_ROWS = 200_000

#: The largest number a cell may hold: 10^13 yuan (ten trillion) is beyond any budget, and
#: larger values (1e308) overflow to infinity once summed.
LARGEST = 1e13


def type_table(
    frame: pd.DataFrame, spec: TableSpec, out: Collector
) -> tuple[pd.DataFrame, list[Problem]]:
    """Type the columns (problems with cells go to ``out``); return structural problems."""
    frame = frame.set_index(ROW)
    frame.index.name = "row"
    structural = [
        Problem(out.source, f"缺少必填列 {c.name}（{c.zh}）")
        for c in spec.columns
        if c.required and c.name not in frame.columns
    ]
    if frame.empty:
        structural.append(Problem(out.source, "表中没有数据行"))
    if structural:
        return frame, structural
    present = [c for c in spec.columns if c.name in frame.columns]
    found = [Collector(out.source, out.headers) for _ in present]
    jobs = zip(present, found, strict=True)
    if len(frame) >= _PARALLEL_ROWS:  # Arrow and numpy let go of the GIL: use both cores
        with ThreadPoolExecutor(max_workers=2) as pool:
            typed = list(pool.map(lambda job: _type_column(frame, *job), jobs))
    else:
        typed = [_type_column(frame, c, sub) for c, sub in jobs]
    for c, column, sub in zip(present, typed, found, strict=True):
        frame[c.name] = column
        out.problems += sub.problems  # in column order, whichever thread finished first
    for c in spec.columns:
        if c.name not in frame.columns:
            frame[c.name] = _blank(c, frame.index)
    # canonical columns first, the user's extra columns kept after them
    canonical = [c.name for c in spec.columns]
    return frame[canonical + [c for c in frame.columns if c not in canonical]], []


def _type_column(frame: pd.DataFrame, c: Column, out: Collector) -> pd.Series:
    """Type one column, reporting cells that do not fit; work is done per distinct value."""
    column = frame[c.name]
    if c.kind == "text" and not c.required:  # free text (evidence, notes): kept as written
        return _text(column)
    # factorized as it is: Arrow-backed text is hashed in C, never turned into objects
    codes, uniques = factorize(column)
    if c.kind in {"id", "text"}:
        plain = _plain_text(uniques)
        if plain is not None:  # ids and names as written: only blanks to report
            if c.required and not c.blank_ok:
                out.rows(frame, plain[codes], c.name, "必填项为空")
            return _text(column)
    raw = np.asarray(uniques, dtype=object)
    texts = np.array([stripped(u) for u in raw], dtype=object)

    def spread(values: Any, dtype: Any = object) -> pd.Series:
        if dtype is object:  # text stays text (Arrow-backed), as read
            if len(texts) == len(values) and (values == raw).all():
                return _text(column)
            return pd.Series(pd.array(list(values), dtype=TEXT).take(codes), index=frame.index)
        return pd.Series(np.asarray(values, dtype=dtype)[codes], index=frame.index, dtype=dtype)

    s = spread(texts)
    blank = spread(texts == "", bool)
    if c.required and not c.blank_ok:
        out.rows(frame, blank, c.name, "必填项为空")
    if c.kind in {"money", "number", "year"}:
        numbers, bad_u = to_number(texts)
        values, bad = spread(numbers, float), spread(bad_u, bool)
        if c.kind == "year":
            wrong = ~values.isna() & (
                (values != np.floor(values)) | (values < 1990) | (values > 2100)
            )
            out.rows(frame, bad | wrong, c.name, "不是有效的年度（应为 4 位年份，如 2021）")
            return values.astype("Int64") if not (bad | wrong).any() else values
        hint = "（金额以元为单位，只填数字，如 120000 或 120,000）" if c.kind == "money" else ""
        out.rows(frame, bad, c.name, "不是数字" + hint)
        if c.kind == "money":
            out.rows(frame, values < 0, c.name, "金额不能为负数")
            out.rows(
                frame,
                values > LARGEST,
                c.name,
                "金额超出合理范围（超过 10 万亿元，即 10^13 元）：请检查是否多填了位数，金额以元为单位",
            )
        else:
            out.rows(
                frame,
                values.abs() > LARGEST,
                c.name,
                "数值超出合理范围（绝对值超过 10^13）：请检查是否多填了位数",
            )
        return values
    if c.kind == "date":
        dates_u, bad_u = parse_dates(texts)
        out.rows(
            frame,
            spread(bad_u, bool),
            c.name,
            "不是有效的日期（应为 2021-06-30、2021/6/30、2021年6月30日 或 Excel 日期，"
            f"年份在 {_YEARS[0]}–{_YEARS[1]} 之间）",
        )
        return pd.Series(dates_u[codes], index=frame.index, dtype="datetime64[ns]")
    if c.kind == "bool":
        low = np.array([t.lower() for t in texts], dtype=object)
        yes, no = (
            spread(np.isin(low, list(TRUE_WORDS)), bool),
            spread(np.isin(low, list(FALSE_WORDS)), bool),
        )
        out.rows(frame, ~(yes | no | blank), c.name, "应为 是/否（也接受 yes/no、true/false、1/0）")
        return pd.Series(
            np.where(yes, True, np.where(no, False, pd.NA)), index=frame.index, dtype="boolean"
        )
    lookup: Callable[[str], str | None] | None = {
        "category": category_code,
        "level": level_code,
        "round": lambda x: ROUNDS.get(x.lower()),
    }.get(c.kind)
    if lookup is None:
        return s
    known_u = np.array([lookup(t) or "" for t in texts], dtype=object)
    unknown = spread((known_u == "") & (texts != ""), bool)
    message = {
        "category": "不是已知的项目类别（应为三项十类之一，或“其他”）",
        "level": "不是已知的层级（应为 " + "、".join(f"{k}/{v}" for k, v in LEVELS.items()) + "）",
        "round": "不是已知的评价轮次（应为 self/自评 或 review/复核）",
    }[c.kind]
    out.rows(frame, unknown, c.name, message)
    return spread(np.where(known_u == "", texts, known_u))


_EDGE_SPACE = f"^[{re.escape(SPACE)}]|[{re.escape(SPACE)}]$"


def _plain_text(uniques: pd.Index) -> np.ndarray | None:
    """Blank marks of distinct Arrow-backed values that need no stripping, else None.

    The check runs in Arrow, so a column of ids is typed without a Python string per value.
    """
    data: Any = uniques.array
    if not hasattr(data, "__arrow_array__") or uniques.hasnans:
        return None
    arrow = data.__arrow_array__()
    if pc.any(pc.match_substring_regex(arrow, _EDGE_SPACE)).as_py():
        return None
    return np.asarray(pc.equal(arrow, "").to_numpy(zero_copy_only=False), dtype=bool)


def _text(column: pd.Series) -> pd.Series:
    """A text column in the dataset's one text dtype (Arrow-backed; "" for empty cells)."""
    if column.dtype == TEXT:
        return column
    return column.fillna("").astype(str).astype(TEXT)


_DATE = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
#: Excel stores dates as days since 1899-12-30; serials outside this range are not dates
#: anyone means (1927 to 2173).
_EXCEL_SERIALS = (10_000, 100_000)
#: The years a date may fall in.
_YEARS = (1900, 2100)


def parse_dates(texts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Dates from text as users write them: (datetime64 values, NaT where blank or bad; bad mask).

    Accepts 2021-06-30, 2021/6/30, 2021.6.30, 2021年6月30日, a date with a time of day
    ("2021-06-30 14:30:00", as an Excel date-time cell reads; the day is kept), and an
    Excel date serial (44377, or 44377.6 with a time of day).

    >>> v, bad = parse_dates(np.array(["2021/6/30", "44377", "2021-02-30", ""], dtype=object))
    >>> [str(x)[:10] for x in v], bad.tolist()
    (['2021-06-30', '2021-06-30', 'NaT', 'NaT'], [False, False, True, False])
    """
    values = np.full(len(texts), np.datetime64("NaT"), dtype="datetime64[ns]")
    bad = np.zeros(len(texts), dtype=bool)
    for i, text in enumerate(texts):  # called on distinct values only
        s = "" if text is None else str(text).strip()
        if not s:
            continue
        m = _DATE.match(s)
        try:
            if m:
                day = datetime.date(int(m[1]), int(m[2]), int(m[3]))
            else:
                serial = float(s)
                if not _EXCEL_SERIALS[0] <= serial < _EXCEL_SERIALS[1]:
                    raise ValueError(s)
                day = datetime.date(1899, 12, 30) + datetime.timedelta(days=int(serial))
        except ValueError:
            bad[i] = True
            continue
        if not _YEARS[0] <= day.year <= _YEARS[1]:  # beyond what anyone means, or than
            bad[i] = True  # datetime64[ns] holds (1677 to 2262)
            continue
        values[i] = np.datetime64(day, "ns")
    return values, bad


def parse_target(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """A target or actual as a number: "≥95%", "95%", "≤ 1,000" read as 95, 95, 1000.

    >>> parse_target(pd.Series(["≥95%", "<=3", "好"]))[0].tolist()[:2]
    [95.0, 3.0]
    """
    values, bad = to_number(text, decorated=True)
    return pd.Series(values, index=text.index), pd.Series(bad, index=text.index)


def empty_table(spec: TableSpec) -> pd.DataFrame:
    frame = pd.DataFrame({c.name: pd.Series(dtype=_dtype(c)) for c in spec.columns})
    frame.index.name = "row"
    return frame


def _blank(c: Column, index: pd.Index) -> pd.Series:
    """An optional column the user left out, typed as if every cell were empty."""
    if c.kind in {"money", "number"}:
        return pd.Series(np.nan, index=index, dtype=float)
    if c.kind in {"year", "bool"}:
        return pd.Series(pd.NA, index=index, dtype=_dtype(c))
    if c.kind == "date":
        return pd.Series(pd.NaT, index=index, dtype=_dtype(c))
    # n empty strings: offsets all zero and no characters, made in Arrow directly
    offsets = pa.py_buffer(np.zeros(len(index) + 1, dtype=np.int64))
    empty = pa.LargeStringArray.from_buffers(len(index), offsets, pa.py_buffer(b""))
    return pd.Series(pd.array(pa.chunked_array([empty]), dtype=TEXT), index=index)


def _dtype(c: Column) -> Any:
    return {
        "money": float,
        "number": float,
        "year": "Int64",
        "bool": "boolean",
        "date": "datetime64[ns]",
    }.get(c.kind, TEXT)
