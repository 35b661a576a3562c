"""Preparing a population for the algorithm: filter, canonical columns, checks, the listing.

A table as a user gives it (any row order, ids typed by hand, sizes with thousands
separators, a ``where`` filter) becomes a :class:`Population`: canonical ids, stratum
codes and sizes, every data problem collected in one :class:`~jxkit.errors.DataError`,
and the canonical listing whose SHA-256 is the population fingerprint
(``docs/sampling.md`` section 3; :func:`parse_listing` reads it back). Columns are
handled whole in numpy, not row by row, so a million rows stay fast.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import numpy.typing as npt
import pandas as pd

from ..catalogue import FALSE_WORDS, TRUE_WORDS
from ..dataset.tables import ROW
from ..errors import DataError, Problem, SamplingError
from .algorithm import CodeArray, FloatArray, IntArray, canonical_id, canonical_number, cell_text

__all__ = ["Population", "parse_listing", "parse_where", "prepare"]

_SEP = "\x1f"
_WHERE_CLAUSE = re.compile(r"\s*([^=!<>]+?)\s*(!=|>=|<=|==|=|>|<)\s*(.*?)\s*\Z", re.S)
_WHERE_SPLIT = re.compile(r"[,，]")
_CONTROL = re.compile(r"[\x00-\x1f]")
# 10**k for k ≤ 22 is an exact double (5**22 < 2**53): the divisors of the fast path.
_POWERS_OF_TEN = np.array([float(10**k) for k in range(23)])


# --------------------------------------------------------------------------- canonical columns


def _all_text(column: pd.Series) -> bool:
    """True when every cell is a str, as in tables read by :func:`jxkit.tables.read_table`."""
    if isinstance(column.dtype, pd.StringDtype):
        return not column.isna().any()
    return bool(pd.api.types.infer_dtype(column, skipna=False) == "string")


def _canonical_ids(column: pd.Series) -> list[str]:
    """Canonical ids of a whole column; ASCII text (the usual case) skips NFC."""
    values = column.tolist()
    if _all_text(column):
        stripped = [v.strip() for v in values]
        if "".join(stripped).isascii():
            return stripped
        nfc = unicodedata.normalize
        return [s if s.isascii() else nfc("NFC", s) for s in stripped]
    return [canonical_id(v) for v in values]


def _canonical_keys(values: list[object]) -> list[str]:
    """Canonical text of a column with few distinct values (strata), computed once each."""
    memo: dict[object, str] = {}
    out = []
    for value in values:
        key = memo.get(value)
        if key is None:
            key = memo[value] = canonical_id(value)
        out.append(key)
    return out


# --------------------------------------------------------------------------- where filter


def parse_where(text: str) -> list[tuple[str, str, str]]:
    """Split a filter such as ``year=2021,category=training`` into (column, op, value).

    A small fixed syntax instead of ``DataFrame.query``: auditors must be able to read
    what was filtered, and a filter must never run code. Clauses are joined by "," (or
    "，") and all must hold; ops are ``=``, ``!=`` on text and ``>=``, ``<=``, ``>``,
    ``<`` on numbers.

    >>> parse_where("year=2021, budget>=10000")
    [('year', '=', '2021'), ('budget', '>=', '10000')]
    """
    clauses = []
    for part in _WHERE_SPLIT.split(text):
        if not part.strip():
            continue
        match = _WHERE_CLAUSE.match(part)
        if match is None:
            raise SamplingError(
                f"筛选条件“{part.strip()}”写法不对：应为 列=值、列!=值、列>=数、列<=数、"
                "列>数 或 列<数，多个条件用逗号分隔"
            )
        column, op, value = match.groups()
        clauses.append((column, "=" if op == "==" else op, value))
    if not clauses:
        raise SamplingError(f"筛选条件“{text}”是空的")
    return clauses


def _is_yes_no(column: pd.Series, value: str) -> bool:
    """A boolean column compared with a yes/no word (是/否, yes/no, true/false, 1/0)."""
    word = value.strip().lower()
    return pd.api.types.is_bool_dtype(column) and (word in TRUE_WORDS or word in FALSE_WORDS)


def _where_mask(
    frame: pd.DataFrame, text: str, source: str, rows: IntArray
) -> npt.NDArray[np.bool_]:
    """Rows of ``frame`` that satisfy the filter; non-numbers in a numeric test are errors."""
    mask = np.ones(len(frame), dtype=bool)
    problems: list[Problem] = []
    for column, op, value in parse_where(text):
        _require_column(frame, column, source, f"筛选条件“{column}{op}{value}”")
        cells = frame[column].tolist()
        if op in ("=", "!=") and _is_yes_no(frame[column], value):
            # a loaded dataset holds 是/否 columns as booleans; users filter them as they write them
            want_yes = value.strip().lower() in TRUE_WORDS
            hit = np.array([c is not pd.NA and bool(c) == want_yes for c in cells], dtype=bool)
            mask &= hit if op == "=" else ~hit
            continue
        if op in ("=", "!="):
            want = canonical_id(value)
            hit = np.array([c == want for c in _canonical_keys(cells)], dtype=bool)
            mask &= hit if op == "=" else ~hit
            continue
        bound = canonical_number(value)
        if bound is None:
            raise SamplingError(f"筛选条件“{column}{op}{value}”中的“{value}”不是数字")
        limit = Decimal(bound)
        compare: Callable[[Decimal], bool] = {
            ">=": limit.__le__,
            "<=": limit.__ge__,
            ">": limit.__lt__,
            "<": limit.__gt__,
        }[op]
        hit = np.zeros(len(cells), dtype=bool)
        for i, cell in enumerate(cells):
            number = canonical_number(cell)
            if number is None:
                problems.append(
                    Problem(
                        source,
                        f"不是数字，无法按“{column}{op}{value}”筛选",
                        int(rows[i]),
                        column,
                        cell_text(cell),
                    )
                )
            else:
                hit[i] = compare(Decimal(number))
        mask &= hit
    if problems:
        raise DataError(problems, title="筛选条件无法应用")
    return mask


# --------------------------------------------------------------------------- population


@dataclass(frozen=True)
class Population:
    """The filtered population in canonical form: what the algorithm and fingerprint see.

    Strata are codes into ``names`` (sorted stratum keys; ``[""]`` when not stratified) so
    that a million rows are grouped with numpy, not with a dict per row.
    """

    frame: pd.DataFrame
    source: str
    rows: IntArray
    ids: list[str]
    id_bytes: npt.NDArray[np.bytes_]
    strata: CodeArray | None
    names: list[str]
    size_text: npt.NDArray[np.bytes_] | None
    sizes: FloatArray | None
    listing: bytes
    sha256: str

    def index(self) -> dict[str, int]:
        return {c: i for i, c in enumerate(self.ids)}

    def stratum(self, pos: int) -> str:
        return self.names[self.strata[pos]] if self.strata is not None else ""


def _require_column(frame: pd.DataFrame, column: str, source: str, role: str) -> None:
    if column not in frame.columns:
        shown = "、".join(str(c) for c in frame.columns if c != ROW)
        raise SamplingError(f"{source} 中没有{role}所需的列“{column}”（现有列：{shown}）")


def _row_numbers(population: pd.DataFrame) -> IntArray:
    """Spreadsheet row numbers, so that every message points at the user's own file."""
    if ROW in population.columns:
        return population[ROW].to_numpy(dtype=np.intp)
    if population.index.name == "row":  # jxkit.dataset indexes tables by spreadsheet row
        return population.index.to_numpy(dtype=np.intp)
    return np.arange(2, len(population) + 2, dtype=np.intp)


def prepare(
    population: pd.DataFrame,
    *,
    id_col: str,
    strata: str | None,
    pps: str | None,
    where: str | None,
) -> Population:
    """Filter, canonicalise and fingerprint the population; collect every data problem."""
    source = str(population.attrs.get("source") or "总体")
    _require_column(population, id_col, source, "编号")
    if strata is not None:
        _require_column(population, strata, source, "分层（--strata）")
    if pps is not None:
        _require_column(population, pps, source, "规模（--pps）")
    rows = _row_numbers(population)
    frame = population
    if where:
        mask = _where_mask(population, where, source, rows)
        frame, rows = population[mask], rows[mask]
    frame = frame.reset_index(drop=True)

    def problem(i: int, message: str, column: str, value: object = None) -> Problem:
        return Problem(source, message, int(rows[i]), column, value)

    ids = _canonical_ids(frame[id_col])
    id_bytes = _utf8_array(ids)
    order = _byte_order(id_bytes)
    problems = [problem(i, "编号为空", id_col) for i in np.flatnonzero(id_bytes == b"").tolist()]
    problems += [
        problem(i, "含有制表符、换行符等控制字符", id_col, ids[i]) for i in _controls(id_bytes)
    ]
    ranked = id_bytes[order]
    for d in np.flatnonzero((ranked[1:] == ranked[:-1]) & (ranked[1:] != b"")).tolist():
        first, second = sorted((int(order[d]), int(order[d + 1])), key=lambda i: int(rows[i]))
        problems.append(
            problem(second, f"编号重复（与第 {rows[first]} 行相同）", id_col, ids[second])
        )

    codes: CodeArray | None = None
    names = [""]
    if strata is not None:
        codes, names = _stratum_codes(frame[strata])
        bad = {k for k, name in enumerate(names) if not name or _CONTROL.search(name)}
        for i in np.flatnonzero(np.isin(codes, list(bad))).tolist():
            name = names[codes[i]]
            message = "含有控制字符" if name else "分层列为空：每个单位都必须属于一个层"
            problems.append(problem(i, message, strata, name or None))

    size_text: npt.NDArray[np.bytes_] | None = None
    sizes: FloatArray | None = None
    if pps is not None:
        size_text, sizes = _sizes(frame[pps])
        for i in np.flatnonzero(~(np.isfinite(sizes) & (sizes > 0))).tolist():
            shown = cell_text(frame[pps].iat[i]) or "（空）"
            problems.append(problem(i, "不是正数：PPS 的规模必须是大于 0 的数字", pps, shown))
    if problems:
        problems.sort(key=lambda p: (p.row or 0, p.column or ""))
        raise DataError(problems, title=f"{source} 不能用于抽样")

    columns = [
        ranked,
        None if codes is None else _utf8_array(names)[codes[order]],
        None if size_text is None else size_text[order],
    ]
    listing = _listing(columns, len(ids))
    digest = hashlib.sha256(listing).hexdigest()
    return Population(
        frame, source, rows, ids, id_bytes, codes, names, size_text, sizes, listing, digest
    )


def _utf8_array(texts: list[str]) -> npt.NDArray[np.bytes_]:
    """Texts as a fixed-width UTF-8 byte array: sorting and joining then run in C."""
    if not texts:
        return np.array([], dtype="S1")
    if "".join(texts).isascii():
        return np.array(texts, dtype="S")
    return np.array([t.encode("utf-8") for t in texts], dtype="S")


def _byte_order(data: npt.NDArray[np.bytes_]) -> IntArray:
    """Order of UTF-8 strings by bytes, which is Unicode code point order.

    Sorting a million Python strings takes half a second; sorting their bytes as big-endian
    64-bit words (NUL padding sorts a prefix first, and ids hold no NUL) takes a tenth.
    """
    if len(data) == 0:
        return np.empty(0, dtype=np.intp)
    width = -(-data.dtype.itemsize // 8) * 8
    words = data.astype(f"S{width}").view(">u8").reshape(len(data), -1)
    order: IntArray = np.lexsort(words.T[::-1])
    return order


def _controls(data: npt.NDArray[np.bytes_]) -> list[int]:
    """Positions of texts with C0 control characters, which would break the listing."""
    m = data.view(np.uint8).reshape(len(data), data.dtype.itemsize)
    return np.flatnonzero(np.any((m > 0) & (m < 0x20), axis=1)).tolist()


def _stratum_codes(column: pd.Series) -> tuple[CodeArray, list[str]]:
    """Stratum code per row and the sorted canonical stratum keys the codes point into.

    Codes take the narrowest unsigned type, which numpy sorts by radix in one pass.
    """
    raw, uniques = pd.factorize(column, use_na_sentinel=False)
    keys = [canonical_id(v) for v in uniques]
    names = sorted(set(keys))
    position = {k: i for i, k in enumerate(names)}
    remap = np.array([position[k] for k in keys], dtype=np.min_scalar_type(len(names)))
    codes: CodeArray = remap[raw] if len(raw) else np.empty(0, dtype=np.uint8)
    return codes, names


def _sizes(column: pd.Series) -> tuple[npt.NDArray[np.bytes_], FloatArray]:
    """Canonical decimal text of every size (b"" when not a number) and its value.

    Most sizes are already canonical ("12345.6") and are checked and converted in bulk
    by :func:`_fast_decimals`; only the others ("1,000", "1000.0", "12万") go through
    :func:`canonical_number` and ``float()`` one by one.
    """
    values = column.tolist()
    n = len(values)
    text = np.zeros(n, dtype="S1")
    fast, sizes = np.zeros(n, dtype=bool), np.full(n, math.nan)
    if _all_text(column) and "\x00" not in "".join(values):
        text = _utf8_array(values)
        fast, sizes = _fast_decimals(text)
    slow = np.flatnonzero(~fast)
    if len(slow):
        fixed = [canonical_number(values[i]) or "" for i in slow.tolist()]
        text = text.astype(f"S{max(text.dtype.itemsize, *map(len, fixed))}")
        text[slow] = [f.encode("ascii") for f in fixed]
        sizes[slow] = [float(f) if f else math.nan for f in fixed]
    return text, sizes


def _fast_decimals(text: npt.NDArray[np.bytes_]) -> tuple[npt.NDArray[np.bool_], FloatArray]:
    """Which texts are canonical positive decimals a double division can convert, and values.

    Canonical: digits with at most one point, no leading zero (except "0.x"), no trailing
    zero or point after a point. With at most 15 digits and 22 decimals such a text is
    ``M / 10**k`` with both exact doubles, so one IEEE division rounds correctly
    (Clinger's fast path): the value is bit for bit what ``float()`` gives. The bytes are
    read column by column so a million texts take a dozen numpy passes.
    """
    n, width = len(text), text.dtype.itemsize
    columns = np.ascontiguousarray(text.view(np.uint8).reshape(n, width).T)
    mantissa = np.zeros(n, dtype=np.int64)
    digits = np.zeros(n, dtype=np.int64)
    decimals = np.zeros(n, dtype=np.int64)
    seen_point = np.zeros(n, dtype=bool)
    ok = np.ones(n, dtype=bool)
    last = np.zeros(n, dtype=np.uint8)
    for c in columns:
        d = c - np.uint8(48)  # wraps below "0", so one comparison finds digits
        is_digit = d < 10
        is_point = c == ord(".")
        ok &= (is_digit | is_point | (c == 0)) & ~(is_point & seen_point)
        seen_point |= is_point
        mantissa = np.where(is_digit, mantissa * 10 + d, mantissa)
        digits += is_digit
        decimals += is_digit & seen_point
        np.copyto(last, c, where=c != 0)
    first = columns[0]
    second = columns[1] if width > 1 else np.zeros(n, dtype=np.uint8)
    ok &= ((first >= ord("1")) & (first <= ord("9"))) | ((first == ord("0")) & (second == ord(".")))
    ok &= ~seen_point | ((last != ord("0")) & (last != ord(".")))
    ok &= (digits <= 15) & (decimals <= 22)
    values = np.full(n, math.nan)
    values[ok] = mantissa[ok].astype(np.float64) / _POWERS_OF_TEN[decimals[ok]]
    return ok, values


def _listing(columns: list[npt.NDArray[np.bytes_] | None], n: int) -> bytes:
    """Lines ``id U+001F stratum U+001F size LF`` in id order: the fingerprinted text.

    The byte columns are laid side by side in one matrix and the NUL padding removed, so
    the text for a million rows is built without a Python loop.
    """
    if n == 0:
        return b""
    parts = []
    for k, column in enumerate(columns):
        if column is not None:
            parts.append(column.view(np.uint8).reshape(n, column.dtype.itemsize))
        parts.append(np.full((n, 1), 0x0A if k == len(columns) - 1 else 0x1F, dtype=np.uint8))
    return np.concatenate(parts, axis=1).tobytes().replace(b"\x00", b"")


def parse_listing(listing: bytes) -> dict[str, tuple[str, str]]:
    """The listing as {canonical id: (stratum, size)}: what :func:`prepare` listed, read back."""
    rows: dict[str, tuple[str, str]] = {}
    for line in listing.decode("utf-8").split("\n")[:-1]:
        cid, stratum, size = line.split(_SEP)
        rows[cid] = (stratum, size)
    return rows
