"""Random re-evaluation samples that anyone can recompute: the algorithm ``jxkit-prn-v1``.

An audit committee must be able to check, years later, that nobody chose the sample. So
the selection is a pure function of (seed, ids, sizes): every unit gets a permanent random
number ``u`` from SHA-256 of the seed and its id, and the units with the smallest ``u``
(or ``u / λ`` for PPS) are taken. Row order, other columns and library versions never
matter. The published description is ``docs/sampling.md``; this module is its
implementation, plus the manifest that records a draw and the check that replays it.

Core functions (:func:`prn`, :func:`allocate`, :func:`draw`, :func:`verify`) are pure;
reading and writing files happens only in :func:`read_population`, :func:`read_manifest`,
:func:`read_listing` and :func:`write_sample`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import importlib.metadata
import json
import math
import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_CEILING, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from .catalogue import FALSE_WORDS, TRUE_WORDS
from .errors import DataError, Problem, SamplingError
from .tables import ROW, atomic_path, read_table, write_table

__all__ = [
    "ALGORITHM",
    "FORMAT_VERSION",
    "LISTING_NAME",
    "MANIFEST_NAME",
    "REASONS",
    "Sample",
    "VerifyReport",
    "allocate",
    "canonical_id",
    "canonical_number",
    "draw",
    "parse_where",
    "prn",
    "read_listing",
    "read_manifest",
    "read_population",
    "verify",
    "write_sample",
]

ALGORITHM = "jxkit-prn-v1"
FORMAT = "jxkit-sample-manifest"
FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
#: Sidecar with the canonical population listing; its SHA-256 is the population fingerprint.
LISTING_NAME = "population.txt"
SAMPLE_NAMES = ("sample.csv", "sample.xlsx")
#: Why a unit is in the sample: named by the user, too big to leave out, or drawn.
REASONS = ("mandatory", "certainty", "random")
#: Columns :func:`draw` puts before the population's own columns in ``Sample.selected``.
SELECTED_COLUMNS = ("id", "stratum", "u", "inclusion_probability", "reason")
#: How many ids a verify line names before it says "等共 K 个".
SHOW_IDS = 20

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
CodeArray = npt.NDArray[np.unsignedinteger[Any]]

_SEP = "\x1f"
# A positive decimal already in canonical form (no sign, exponent, grouping, leading or
# trailing zeros): most sizes in real files, so they skip the slow Decimal path.
_CANONICAL_POSITIVE = re.compile(r"(?:[1-9][0-9]*(?:\.[0-9]*[1-9])?|0\.[0-9]*[1-9])\Z")
_WHERE_CLAUSE = re.compile(r"\s*([^=!<>]+?)\s*(!=|>=|<=|==|=|>|<)\s*(.*?)\s*\Z", re.S)
_WHERE_SPLIT = re.compile(r"[,，]")
_CONTROL = re.compile(r"[\x00-\x1f]")
# 10**k for k ≤ 22 is an exact double (5**22 < 2**53): the divisors of the fast path.
_POWERS_OF_TEN = np.array([float(10**k) for k in range(23)])


# --------------------------------------------------------------------------- canonical text


def canonical_id(value: object) -> str:
    """The id as the algorithm sees it: text, surrounding whitespace stripped, Unicode NFC.

    Ids typed by different people (a trailing space, a decomposed accent, a number read
    as ``1001.0``) must still name the same unit, or the sample would change.

    >>> canonical_id("  P001 ")
    'P001'
    >>> canonical_id("Cafe\\u0301") == "Caf\\u00e9"
    True
    >>> canonical_id(1001.0)
    '1001'
    """
    return unicodedata.normalize("NFC", _cell_text(value).strip())


def _cell_text(value: object) -> str:
    """Text of a cell whatever type a loader gave it; missing values become ""."""
    if isinstance(value, str):
        return value
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        number = float(value)
        if math.isnan(number):
            return ""
        text = canonical_number(number)
        return text if text is not None else repr(number)
    if isinstance(value, Decimal):
        return canonical_number(value) or str(value)
    return str(value)


def canonical_number(value: object) -> str | None:
    """Canonical decimal text of a number as people write it, or None if it is not one.

    Sizes enter the population fingerprint as text, so "1,000", "1000.0" and "1000" must
    give the same text; otherwise re-saving a file in Excel would look like a changed row.

    >>> [canonical_number(v) for v in ("1,000", "1000.0", " 1000 ", "1e3", "0.50", 7)]
    ['1000', '1000', '1000', '1000', '0.5', '7']
    >>> [canonical_number(v) for v in ("12万", "", "nan", None)]
    [None, None, None, None]
    """
    if isinstance(value, str):
        if _CANONICAL_POSITIVE.match(value):
            return value
        text = value.strip().replace(",", "")
    elif isinstance(value, bool | np.bool_) or value is None:
        return None
    elif isinstance(value, int | np.integer):
        return str(int(value))
    elif isinstance(value, float | np.floating):
        text = repr(float(value))
    elif isinstance(value, Decimal):
        text = str(value)
    else:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    if not number.is_finite():
        return None
    if number.is_zero():
        return "0"
    return format(number.normalize(), "f")


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


# --------------------------------------------------------------------------- random numbers


def prn(seed: str, ids: Iterable[object]) -> FloatArray:
    """Permanent random numbers ``u`` in (0, 1) of ``ids`` under ``seed`` (``jxkit-prn-v1``).

    ``h = SHA-256(utf8(seed) + b"\\x1f" + utf8(canonical id))`` and
    ``u = ((first 8 bytes of h, big-endian) >> 11) + 0.5) / 2**53`` in IEEE double
    arithmetic, so any language with SHA-256 gets the same numbers bit for bit.

    >>> [f"{u:.17g}" for u in prn("2024", ["P001", " P001 "])]
    ['0.16155602176991762', '0.16155602176991762']
    """
    return _prn(_check_seed(seed), [canonical_id(i).encode("utf-8") for i in ids])


def _check_seed(seed: object) -> str:
    if not isinstance(seed, str) or seed == "":
        raise SamplingError(
            "随机数种子不能为空：请给出一段公开的文字（如日期、公开开奖号码、会议记录编号）"
        )
    return seed


def _prn(seed: str, encoded: Sequence[bytes]) -> FloatArray:
    """:func:`prn` for canonical ids already in UTF-8; the one hashing pass over the population."""
    seeded = hashlib.sha256(seed.encode("utf-8") + b"\x1f")
    copy = seeded.copy  # cheaper than a fresh hash object per id
    digests: list[bytes] = []
    append = digests.append
    for c in encoded:
        h = copy()
        h.update(c)
        append(h.digest())
    # the first 8 of every 32 bytes, read big-endian
    k = np.frombuffer(b"".join(digests), dtype=">u8")[::4] >> np.uint64(11)
    u: FloatArray = (k.astype(np.float64) + 0.5) / 2.0**53
    return u


def _smallest(keys: FloatArray, pos: IntArray, ids: Sequence[str], k: int) -> IntArray:
    """Indices into ``keys`` of its ``k`` smallest values, ties by canonical id, in order.

    ``pos`` maps each key to its unit (for the id). A partition finds the k-th key; only
    keys up to it (k plus any ties) are sorted, so a big stratum costs one pass.
    """
    if k <= 0:
        return np.empty(0, dtype=np.intp)
    if k >= len(keys):
        cand = np.arange(len(keys))
    else:
        cand = np.flatnonzero(keys <= np.partition(keys, k - 1)[k - 1])
    ranked = sorted(cand.tolist(), key=lambda j: (keys[j], ids[int(pos[j])]))
    return np.array(ranked[:k], dtype=np.intp)


# --------------------------------------------------------------------------- allocation


def allocate(n: int, sizes: Mapping[str, int], min_per_stratum: int = 0) -> dict[str, int]:
    """Share ``n`` among strata in proportion to their sizes, then raise small strata.

    Largest remainder in exact integers: ``n_h = ⌊n·N_h/N⌋``, the ``n − Σn_h`` units left
    go to the largest remainders ``n·N_h mod N`` (ties by stratum key, ascending). Then
    every stratum gets at least ``min(min_per_stratum, N_h)``, so the total may exceed
    ``n``. ``n ≥ N`` takes every unit.

    >>> allocate(5, {"a": 3, "b": 3, "c": 2})
    {'a': 2, 'b': 2, 'c': 1}
    >>> allocate(2, {"x": 3, "y": 3, "z": 3}, min_per_stratum=1)
    {'x': 1, 'y': 1, 'z': 1}
    """
    keys = sorted(sizes)
    total = sum(sizes.values())
    if n >= total:
        return {k: sizes[k] for k in keys}
    share = {k: n * sizes[k] // total for k in keys}
    left = n - sum(share.values())
    for k in sorted(keys, key=lambda k: (-(n * sizes[k] % total), k))[:left]:
        share[k] += 1
    return {k: max(share[k], min(min_per_stratum, sizes[k])) for k in keys}


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
                        _cell_text(cell),
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
class _Population:
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


def _prepare(
    population: pd.DataFrame,
    *,
    id_col: str,
    strata: str | None,
    pps: str | None,
    where: str | None,
) -> _Population:
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
            shown = _cell_text(frame[pps].iat[i]) or "（空）"
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
    return _Population(
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


# --------------------------------------------------------------------------- selection


@dataclass(frozen=True)
class _Params:
    seed: str
    n: int | None
    rate: str | None
    id_col: str
    strata: str | None
    pps: str | None
    min_per_stratum: int
    include: tuple[str, ...]
    where: str | None

    def method(self) -> str:
        base = "pps" if self.pps else "srs"
        return f"stratified-{base}" if self.strata else base


@dataclass
class _Draw:
    """Selected positions with their reason and inclusion probability, plus the tallies."""

    pos: list[int] = field(default_factory=list)
    reason: list[str] = field(default_factory=list)
    prob: list[float] = field(default_factory=list)
    strata: list[dict[str, Any]] = field(default_factory=list)
    n: int = 0
    notes: list[str] = field(default_factory=list)

    def add(self, pos: Sequence[int], reason: str, prob: float | Sequence[float]) -> None:
        probs = [prob] * len(pos) if isinstance(prob, float) else prob
        for p, q in zip(pos, probs, strict=True):
            self.pos.append(int(p))
            self.reason.append(reason)
            self.prob.append(float(q))


def _srs(pos: IntArray, n_h: int, u: FloatArray, pop: _Population, out: _Draw) -> tuple[int, int]:
    """Simple random sample within a stratum: the ``n_h`` smallest ``u``; π = n_h / N_h."""
    if n_h >= len(pos):
        out.add(sorted(pos.tolist(), key=pop.ids.__getitem__), "certainty", 1.0)
        return len(pos), 0
    chosen = pos[_smallest(u[pos], pos, pop.ids, n_h)]
    out.add(chosen.tolist(), "random", n_h / len(pos))
    return 0, n_h


def _pps(pos: IntArray, n_h: int, u: FloatArray, pop: _Population, out: _Draw) -> tuple[int, int]:
    """Sequential Poisson sampling: certainty units first, then the smallest ``u / λ``.

    ``λ_i = (m · x_i) / fsum(x)`` over the units still in play, ``m`` the places left;
    units with ``λ_i ≥ 1`` are taken with certainty and λ recomputed until none is. The
    inclusion probability recorded for a drawn unit is its final ``λ_i`` (the usual
    approximation π_i ≈ λ_i of sequential Poisson sampling).
    """
    assert pop.sizes is not None  # _prepare parsed sizes whenever pps is set
    certain: list[int] = []
    rest, m = pos, n_h
    while True:
        if m <= 0 or len(rest) <= m:
            if m > 0:
                certain += rest.tolist()
                rest = rest[:0]
            out.add(sorted(certain, key=pop.ids.__getitem__), "certainty", 1.0)
            return len(certain), 0
        x = pop.sizes[rest]
        lam = m * x / math.fsum(x.tolist())
        big = lam >= 1.0
        if not big.any():
            break
        certain += rest[big].tolist()
        m -= int(big.sum())
        rest = rest[~big]
    out.add(sorted(certain, key=pop.ids.__getitem__), "certainty", 1.0)
    keys = u[rest] / lam
    chosen = _smallest(keys, rest, pop.ids, m)
    out.add(rest[chosen].tolist(), "random", lam[chosen].tolist())
    return len(certain), m


_WITHIN_STRATUM: dict[
    str, Callable[[IntArray, int, FloatArray, _Population, _Draw], tuple[int, int]]
] = {
    "srs": _srs,
    "pps": _pps,
}


def _resolve_n(params: _Params, total: int) -> int:
    if params.n is not None:
        return params.n
    assert params.rate is not None  # _params() demands one of them
    return int((Decimal(params.rate) * total).to_integral_value(rounding=ROUND_CEILING))


def _select(pop: _Population, params: _Params, mandatory: list[int], u: FloatArray) -> _Draw:
    """The whole selection: mandatory units, then per stratum certainty and random units."""
    out = _Draw()
    total = len(pop.ids)
    out.n = _resolve_n(params, total)
    out.add(sorted(mandatory, key=pop.ids.__getitem__), "mandatory", 1.0)
    eligible = np.ones(total, dtype=bool)
    eligible[mandatory] = False
    candidates = np.flatnonzero(eligible)

    names = pop.names
    if pop.strata is None:
        groups = [candidates]
        mandatory_by = [len(mandatory)]
    else:
        cand_codes = pop.strata[candidates]
        order = np.argsort(cand_codes, kind="stable")
        bounds = np.cumsum(np.bincount(cand_codes, minlength=len(names)))[:-1]
        groups = np.split(candidates[order], bounds)
        mandatory_by = np.bincount(pop.strata[mandatory], minlength=len(names)).tolist()

    counts = {k: len(g) for k, g in zip(names, groups, strict=True) if len(g)}
    shares = allocate(out.n, counts, params.min_per_stratum if pop.strata is not None else 0)
    if out.n >= len(candidates) and len(candidates):
        out.notes.append(
            f"样本量 n={out.n} 不小于可抽单位数 {len(candidates)}：全部入选（certainty，入选概率 1）"
        )
    if sum(shares.values()) > out.n:
        out.notes.append(
            f"每层至少 {params.min_per_stratum} 个使分配合计 {sum(shares.values())} 超过 n={out.n}"
        )
    select = _WITHIN_STRATUM["pps" if params.pps else "srs"]
    for name, group, fixed in zip(names, groups, mandatory_by, strict=True):
        n_h = shares.get(name, 0)
        certainty, random = select(group, n_h, u, pop, out) if len(group) else (0, 0)
        out.strata.append(
            {
                "stratum": name,
                "N_h": len(group),
                "n_h": n_h,
                "certainty": certainty,
                "random": random,
                "mandatory": fixed,
            }
        )
    return out


# --------------------------------------------------------------------------- draw


@dataclass(frozen=True)
class Sample:
    """A drawn sample: the selected units, the manifest that proves how, and the listing.

    Attributes:
        selected: One row per selected unit: ``id``, ``stratum``, ``u``,
            ``inclusion_probability``, ``reason`` and then the population's own columns.
        manifest: Everything needed to recompute the draw (written as ``manifest.json``).
        listing: The canonical population listing (written as ``population.txt``); its
            SHA-256 is ``manifest["population"]["sha256"]``.
    """

    selected: pd.DataFrame
    manifest: dict[str, Any]
    listing: bytes


def _params(
    *,
    seed: object,
    n: int | None,
    rate: float | str | Decimal | None,
    id_col: str,
    strata: str | None,
    pps: str | None,
    min_per_stratum: int,
    include: tuple[str, ...],
    where: str | None,
) -> _Params:
    """Check the draw's parameters at once, before any data is read."""
    seed = _check_seed(seed)
    if (n is None) == (rate is None):
        raise SamplingError("请给出样本量 --n 或抽样比例 --rate 之一（不能同时给出）")
    if n is not None and (isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 0):
        raise SamplingError(f"样本量 --n 必须是不小于 0 的整数，而不是 {n!r}")
    rate_text = None if rate is None else _rate_text(rate)
    if (
        isinstance(min_per_stratum, bool)
        or not isinstance(min_per_stratum, int)
        or min_per_stratum < 0
    ):
        raise SamplingError(
            f"每层最少样本数 --min-per-stratum 必须是不小于 0 的整数，而不是 {min_per_stratum!r}"
        )
    if strata is not None and strata == id_col:
        raise SamplingError("分层列不能是编号列本身")
    return _Params(
        seed,
        None if n is None else int(n),
        rate_text,
        id_col,
        strata or None,
        pps or None,
        min_per_stratum,
        include,
        (where or "").strip() or None,
    )


def _rate_text(rate: float | str | Decimal) -> str:
    """Rate as exact decimal text ("10%" → "0.1"), so ceil(R × N) has no float surprises."""
    text = str(rate).strip()
    try:
        value = Decimal(text[:-1]) / 100 if text.endswith("%") else Decimal(text)
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or not 0 < value <= 1:
        raise SamplingError(f"抽样比例 --rate 应在 0 与 1 之间（可写 0.1 或 10%），而不是“{rate}”")
    return format(value.normalize(), "f")


def _include_ids(
    include: Iterable[object] | pd.DataFrame, id_col: str
) -> tuple[list[tuple[str, Problem]], str | None]:
    """Canonical mandatory ids, each with the place to blame if it is not in the population."""
    if isinstance(include, pd.DataFrame):
        source = str(include.attrs.get("source") or "必选清单")
        columns = [c for c in include.columns if c != ROW]
        if id_col in columns:
            column = id_col
        elif len(columns) == 1:
            column = columns[0]
        else:
            raise SamplingError(
                f"必选清单 {source} 中没有列“{id_col}”（现有列：{'、'.join(map(str, columns))}）"
            )
        rows = include[ROW].tolist() if ROW in include.columns else range(2, len(include) + 2)
        pairs = [
            (canonical_id(v), Problem(source, "", int(r), column, canonical_id(v)))
            for v, r in zip(include[column].tolist(), rows, strict=True)
        ]
        name: str | None = source
    else:
        pairs = [
            (canonical_id(v), Problem("必选清单", "", None, None, canonical_id(v))) for v in include
        ]
        name = None
    seen: set[str] = set()
    unique = []
    for cid, place in pairs:
        if cid and cid not in seen:
            seen.add(cid)
            unique.append((cid, place))
    return unique, name


def draw(
    population: pd.DataFrame,
    *,
    seed: str,
    n: int | None = None,
    rate: float | str | Decimal | None = None,
    id_col: str = "project_id",
    strata: str | None = None,
    pps: str | None = None,
    min_per_stratum: int = 1,
    include: Iterable[object] | pd.DataFrame = (),
    where: str | None = None,
) -> Sample:
    """Draw a re-evaluation sample by ``jxkit-prn-v1`` and record how in a manifest.

    Mandatory units (``include``) are taken on top of ``n`` and the random part is drawn
    from the rest; ``rate`` gives ``n = ceil(rate × N)`` with ``N`` the filtered
    population including mandatory units. ``n`` at least the units available takes them
    all (reason ``certainty``). ``where`` filters first (see :func:`parse_where`).

    Args:
        population: Any table; text cells as :func:`jxkit.tables.read_table` gives them.
        seed: Public text fixed before the draw (a date, a lottery number, a minute).
        n: Random sample size (excluding mandatory units).
        rate: Sampling rate instead of ``n`` (``0.1`` or ``"10%"``).
        id_col: Column with the unit's id.
        strata: Column to stratify by (allocation proportional to stratum size).
        pps: Column with a positive size (e.g. budget) for PPS sequential Poisson sampling.
        min_per_stratum: Each stratum gets at least this many (never more than it has).
        include: Ids always taken, or a table of them (column ``id_col`` or its only column).
        where: Filter such as ``year=2021,category=training``.

    Returns:
        The :class:`Sample`.

    Raises:
        SamplingError: A parameter is wrong.
        DataError: The population or the include list has problems (all are listed).

    >>> pop = pd.DataFrame({"project_id": ["P1", "P2", "P3", "P4"]})
    >>> draw(pop, seed="2024", n=2).selected["id"].tolist()
    ['P4', 'P3']
    """
    mandatory_ids, include_source = _include_ids(include, id_col)
    params = _params(
        seed=seed,
        n=n,
        rate=rate,
        id_col=id_col,
        strata=strata,
        pps=pps,
        min_per_stratum=min_per_stratum,
        include=tuple(sorted(c for c, _ in mandatory_ids)),
        where=where,
    )
    pop = _prepare(
        population, id_col=id_col, strata=params.strata, pps=params.pps, where=params.where
    )
    if not pop.ids:
        raise SamplingError(
            f"{pop.source} 经筛选“{params.where}”后没有任何单位"
            if params.where
            else f"{pop.source} 没有任何单位"
        )
    index = pop.index() if mandatory_ids else {}
    unknown = [place for cid, place in mandatory_ids if cid not in index]
    if unknown:
        where_note = "（或被筛选条件排除）" if params.where else ""
        named = "" if pop.source == "总体" else f" {pop.source} "
        raise DataError(
            [
                Problem(p.source, f"不在总体{named}中{where_note}", p.row, p.column, p.value)
                for p in unknown
            ],
            title="必选单位有问题",
        )
    u = _prn(params.seed, pop.id_bytes.tolist())
    result = _select(pop, params, [index[c] for c, _ in mandatory_ids], u)
    selected = _selected_frame(pop, result, u)
    table = population.attrs.get("table")
    manifest = _manifest(pop, params, result, selected, include_source, table)
    return Sample(selected, manifest, pop.listing)


def _selected_frame(pop: _Population, result: _Draw, u: FloatArray) -> pd.DataFrame:
    pos = np.array(result.pos, dtype=np.intp)
    head = pd.DataFrame(
        {
            "id": [pop.ids[p] for p in result.pos],
            "stratum": [pop.stratum(p) for p in result.pos],
            "u": u[pos] if len(pos) else np.empty(0),
            "inclusion_probability": np.array(result.prob, dtype=np.float64),
            "reason": result.reason,
        }
    )
    own = [c for c in pop.frame.columns if c != ROW and c not in SELECTED_COLUMNS]
    tail = pop.frame.iloc[pos][own].reset_index(drop=True)
    return pd.concat([head, tail], axis=1)


def _version() -> str:
    try:
        return importlib.metadata.version("jxkit")
    except importlib.metadata.PackageNotFoundError:
        return "0+unknown"


def _manifest(
    pop: _Population,
    params: _Params,
    result: _Draw,
    selected: pd.DataFrame,
    include_source: str | None,
    table: str | None,
) -> dict[str, Any]:
    counts = {r: result.reason.count(r) for r in REASONS}
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "algorithm": ALGORITHM,
        "seed": params.seed,
        "method": params.method(),
        "parameters": {
            "n": params.n,
            "rate": params.rate,
            "id_col": params.id_col,
            "strata": params.strata,
            "pps": params.pps,
            "min_per_stratum": params.min_per_stratum,
            "where": params.where,
            "include": list(params.include),
            "include_file": include_source,
        },
        "population": {
            "source": pop.source,
            "table": table,
            "count": len(pop.ids),
            "sha256": pop.sha256,
            "listing": LISTING_NAME,
            "columns": {"id": params.id_col, "stratum": params.strata, "size": params.pps},
        },
        "n": result.n,
        "totals": {
            "N": len(pop.ids),
            "selected": len(result.pos),
            **counts,
        },
        "strata": result.strata,
        "notes": result.notes,
        "selected": [
            {"id": i, "stratum": s, "u": float(uu), "inclusion_probability": float(q), "reason": r}
            for i, s, uu, q, r in zip(
                selected["id"],
                selected["stratum"],
                selected["u"],
                selected["inclusion_probability"],
                selected["reason"],
                strict=True,
            )
        ],
        "jxkit_version": _version(),
        "created": datetime.now().astimezone().isoformat(timespec="seconds"),
    }


# --------------------------------------------------------------------------- verify


@dataclass(frozen=True)
class VerifyReport:
    """Outcome of :func:`verify`: ``ok`` when population and selection both match.

    Attributes:
        ok: True when the recomputation reproduces the manifest exactly.
        lines: What was checked and every difference, in Chinese, ending with
            “复现一致” or “复现不一致”.
    """

    ok: bool
    lines: list[str]

    def __str__(self) -> str:
        return "\n".join(self.lines)


_FIELD_NAMES = {
    "stratum": "层",
    "u": "u",
    "inclusion_probability": "入选概率",
    "reason": "入选原因",
}


def _show_value(value: object) -> str:
    return f"{value:.6g}" if isinstance(value, float) else str(value)


def _show_ids(ids: Sequence[str], describe: Callable[[str], str] = str) -> str:
    shown = "、".join(describe(i) for i in ids[:SHOW_IDS])
    return shown + (f" 等共 {len(ids)} 个" if len(ids) > SHOW_IDS else "")


def _manifest_params(manifest: Mapping[str, Any]) -> _Params:
    """Parameters of a manifest, refusing formats and algorithms this version cannot replay."""
    if manifest.get("algorithm") != ALGORITHM:
        raise SamplingError(
            f"清单使用的算法“{manifest.get('algorithm')}”不受支持（本版本支持 {ALGORITHM}）"
        )
    if manifest.get("format_version") != FORMAT_VERSION:
        raise SamplingError(
            f"清单格式版本 {manifest.get('format_version')!r} 不受支持（本版本支持 {FORMAT_VERSION}）"
        )
    try:
        p = manifest["parameters"]
        return _params(
            seed=manifest["seed"],
            n=p["n"],
            rate=p["rate"],
            id_col=p["id_col"],
            strata=p["strata"],
            pps=p["pps"],
            min_per_stratum=p["min_per_stratum"],
            include=tuple(p["include"]),
            where=p["where"],
        )
    except (KeyError, TypeError) as exc:
        raise SamplingError(f"清单缺少字段 {exc}，不是 jxkit 写出的抽样清单") from None


def _parse_listing(listing: bytes) -> dict[str, tuple[str, str]]:
    rows: dict[str, tuple[str, str]] = {}
    for line in listing.decode("utf-8").split("\n")[:-1]:
        cid, stratum, size = line.split(_SEP)
        rows[cid] = (stratum, size)
    return rows


def _population_lines(
    manifest: Mapping[str, Any], pop: _Population, params: _Params, listing: bytes | None
) -> tuple[bool, list[str]]:
    """Compare the population with the manifest's fingerprint and, if given, its listing."""
    recorded = manifest.get("population", {})
    count, sha = recorded.get("count"), recorded.get("sha256")
    lines: list[str] = []
    same = count == len(pop.ids) and sha == pop.sha256
    if same:
        lines.append(f"总体：{len(pop.ids)} 行，指纹 {pop.sha256[:12]}… 与清单一致")
    else:
        if count != len(pop.ids):
            lines.append(f"总体行数不同：清单记录 {count} 行，现为 {len(pop.ids)} 行")
        lines.append(f"总体指纹不同：清单记录 {str(sha)[:12]}…，现为 {pop.sha256[:12]}…")
    if listing is None:
        if not same:
            lines.append(f"未找到 {LISTING_NAME}，无法逐行列出差异")
        return same, lines
    if hashlib.sha256(listing).hexdigest() != sha:
        lines.append(f"{LISTING_NAME} 与清单记录的指纹不符：明细文件已被改动，无法逐行比较")
        return False, lines
    if same:
        return True, lines
    old = _parse_listing(listing)
    row_of = dict(zip(pop.ids, pop.rows.tolist(), strict=True))
    now = {
        c: (pop.stratum(i), pop.size_text[i].decode() if pop.size_text is not None else "")
        for i, c in enumerate(pop.ids)
    }
    added = sorted(c for c in now if c not in old)
    removed = sorted(c for c in old if c not in now)
    changed = sorted(c for c in now if c in old and now[c] != old[c])
    if added:
        lines.append(
            f"新增 {len(added)} 行：" + _show_ids(added, lambda c: f"{c}（第 {row_of[c]} 行）")
        )
    if removed:
        lines.append(f"删除 {len(removed)} 行：" + _show_ids(removed))

    def change(c: str) -> str:
        parts = [
            f"{col}：{a or '（空）'} → {b or '（空）'}"
            for col, a, b in (
                (params.strata, old[c][0], now[c][0]),
                (params.pps, old[c][1], now[c][1]),
            )
            if col and a != b
        ]
        return f"{c}（第 {row_of[c]} 行，{'；'.join(parts)}）"

    if changed:
        lines.append(f"变动 {len(changed)} 行：" + _show_ids(changed, change))
    return False, lines


def _selection_lines(
    manifest: Mapping[str, Any], pop: _Population, params: _Params
) -> tuple[bool, list[str]]:
    """Redraw with the manifest's parameters and compare with the recorded selection."""
    recorded = {s["id"]: s for s in manifest.get("selected", [])}
    index = pop.index() if params.include else {}
    missing = [c for c in params.include if c not in index]
    lines = []
    if missing:
        lines.append(f"必选单位已不在总体中：{_show_ids(missing)}")
    kept = dataclasses.replace(params, include=tuple(c for c in params.include if c in index))
    try:
        if not pop.ids:
            raise SamplingError("总体没有任何单位")
        u = _prn(kept.seed, pop.id_bytes.tolist())
        result = _select(pop, kept, [index[c] for c in kept.include], u)
    except SamplingError as exc:
        return False, [*lines, f"无法按清单参数重新抽样：{exc}"]
    redrawn = {
        pop.ids[p]: {
            "id": pop.ids[p],
            "stratum": pop.stratum(p),
            "u": float(u[p]),
            "inclusion_probability": q,
            "reason": r,
        }
        for p, q, r in zip(result.pos, result.prob, result.reason, strict=True)
    }
    new = sorted(c for c in redrawn if c not in recorded)
    gone = sorted(c for c in recorded if c not in redrawn)
    if new or gone:
        parts = ([f"新入选 {_show_ids(new)}"] if new else []) + (
            [f"不再入选 {_show_ids(gone)}"] if gone else []
        )
        lines.append(
            f"重新抽样结果与清单不同（清单 {len(recorded)} 个，重算 {len(redrawn)} 个）："
            + "；".join(parts)
        )
    differ = sorted(
        c
        for c in redrawn
        if c in recorded and redrawn[c] != {k: recorded[c].get(k) for k in redrawn[c]}
    )
    if differ:

        def change(c: str) -> str:
            parts = [
                f"{_FIELD_NAMES[k]} {_show_value(recorded[c].get(k))} → {_show_value(v)}"
                for k, v in redrawn[c].items()
                if recorded[c].get(k) != v
            ]
            return f"{c}（{'，'.join(parts)}）"

        lines.append(f"入选单位的记录与重算不同（清单 → 重算）：{_show_ids(differ, change)}")
    if not (missing or new or gone or differ):
        counts = "，".join(
            f"{label} {result.reason.count(r)}"
            for r, label in zip(REASONS, ("必选", "必然入选", "随机"), strict=True)
        )
        lines.append(f"重新抽样：抽中 {len(redrawn)} 个单位（{counts}），与清单完全相同")
        return True, lines
    return False, lines


def verify(
    manifest: Mapping[str, Any], population: pd.DataFrame, *, listing: bytes | None = None
) -> VerifyReport:
    """Recompute a recorded draw on ``population`` and say whether it reproduces.

    The population is filtered by the manifest's ``where``, fingerprinted and compared
    with the manifest; with the ``population.txt`` listing the lines name every row
    added, removed or changed. The sample is then redrawn from the manifest's seed and
    parameters and compared unit by unit.

    Raises:
        SamplingError: The manifest is not one this version can replay.
        DataError: The population cannot be read as a population (e.g. duplicate ids).
    """
    params = _manifest_params(manifest)
    pop = _prepare(
        population, id_col=params.id_col, strata=params.strata, pps=params.pps, where=params.where
    )
    same_population, lines = _population_lines(manifest, pop, params, listing)
    same_selection, more = _selection_lines(manifest, pop, params)
    ok = same_population and same_selection
    return VerifyReport(ok, [*lines, *more, "复现一致" if ok else "复现不一致"])


# --------------------------------------------------------------------------- I/O edges


def read_population(path: str | os.PathLike[str], *, units: bool = False) -> pd.DataFrame:
    """Read POPULATION: a dataset's projects (or units) table, or any CSV/xlsx table.

    ``attrs["table"]`` records which dataset table was used ("projects", "units" or None
    for a plain table) so that ``verify`` can read the same one.
    """
    p = Path(path)
    loader = _dataset_module()
    if loader is not None and p.exists() and loader.is_dataset(p):
        dataset = loader.load_dataset(p)
        table = "units" if units else "projects"
        frame = getattr(dataset, table)
        frame.attrs["source"] = dataset.sources.get(table) or f"{p.name}（{table}）"
        frame.attrs["table"] = table
        return frame
    if units:
        raise SamplingError(
            f"--units 只适用于数据集（文件夹或含“项目”工作表的工作簿），而 {p.name} 是单张表"
        )
    frame = read_table(p)
    frame.attrs["table"] = None
    return frame


def _dataset_module() -> Any:
    """``jxkit.dataset`` if it is installed; plain tables need no dataset loader."""
    name = f"{__package__}.dataset"
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name:
            raise
        return None


def _manifest_path(path: str | os.PathLike[str]) -> Path:
    p = Path(path)
    return p / MANIFEST_NAME if p.is_dir() else p


def read_manifest(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read ``manifest.json`` (or the folder holding it)."""
    p = _manifest_path(path)
    try:
        manifest = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SamplingError(f"抽样清单 {p} 不存在") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise SamplingError(f"抽样清单 {p.name} 不是有效的 JSON：{exc}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise SamplingError(f"{p.name} 不是 jxkit 抽样清单（缺少 format={FORMAT}）")
    return manifest


def read_listing(path: str | os.PathLike[str]) -> bytes | None:
    """The ``population.txt`` beside a manifest, or None when it is missing."""
    p = _manifest_path(path)
    try:
        name = read_manifest(p)["population"].get("listing") or LISTING_NAME
    except (SamplingError, KeyError, AttributeError):
        name = LISTING_NAME
    target = p.parent / Path(str(name)).name
    return target.read_bytes() if target.is_file() else None


def _to_json(value: Any, level: int = 0) -> str:
    """JSON with one object per line inside lists, so a manifest diffs and reads well."""
    dump = json.dumps
    pad = "  " * (level + 1)
    if isinstance(value, dict) and value:
        items = [
            f"{pad}{dump(k, ensure_ascii=False)}: {_to_json(v, level + 1)}"
            for k, v in value.items()
        ]
        return "{\n" + ",\n".join(items) + "\n" + "  " * level + "}"
    if isinstance(value, list) and any(isinstance(v, dict | list) for v in value):
        items = [pad + dump(v, ensure_ascii=False, allow_nan=False) for v in value]
        return "[\n" + ",\n".join(items) + "\n" + "  " * level + "]"
    return dump(value, ensure_ascii=False, allow_nan=False)


def write_sample(sample: Sample, out_dir: str | os.PathLike[str]) -> list[Path]:
    """Write ``population.txt``, ``sample.csv``, ``sample.xlsx`` and ``manifest.json``.

    Each file is written atomically and the manifest last, so a manifest on disk always
    comes with the files it describes.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    listing = out / sample.manifest["population"].get("listing", LISTING_NAME)
    with atomic_path(listing) as tmp:
        tmp.write_bytes(sample.listing)
    written.append(listing)
    for name in SAMPLE_NAMES:
        written.append(write_table(sample.selected, out / name))
    manifest = out / MANIFEST_NAME
    with atomic_path(manifest) as tmp:
        tmp.write_text(_to_json(sample.manifest) + "\n", encoding="utf-8")
    written.append(manifest)
    return written
