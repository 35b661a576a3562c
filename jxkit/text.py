"""Fast text work on big columns: apply a function once per distinct value.

Columns users bring repeat the same values (rule names, rounds, categories, numbers):
a function applied to the distinct values and spread back is far faster than pandas'
per-cell string methods on millions of rows.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

__all__ = [
    "NOT_A_NUMBER",
    "SPACE",
    "blank",
    "contains",
    "factorize",
    "per_value",
    "shared_codes",
    "strip",
    "stripped",
    "to_number",
]

#: What :func:`to_number` returns for filled cells that are not numbers.
NOT_A_NUMBER = float("inf")

_DECORATION = re.compile(r"^(?:>=|<=|[≥≤<>=])\s*|\s*[%％]$")


#: Codes of Arrow-backed columns already factorized, by the identity of their (immutable)
#: Arrow data: loading, checking and scoring a dataset hash each column once. Entries go
#: when the data does (weak references), so nothing is kept alive.
_FACTORIZED: dict[int, tuple[weakref.ref[Any], np.ndarray, pd.Index]] = {}


def factorize(values: pd.Series | np.ndarray) -> tuple[np.ndarray, pd.Index]:
    """``pd.factorize`` (missing values a value of their own), remembered.

    Codes are int32 or int64: widen them before arithmetic that could overflow.

    >>> codes, uniques = factorize(pd.Series(["b", "a", "b"]))
    >>> codes.tolist(), list(uniques)
    ([0, 1, 0], ['b', 'a'])
    """
    if not isinstance(values, pd.Series):
        values = np.asarray(values, dtype=object)
    data: Any = getattr(values, "array", None)
    arrow = data.__arrow_array__() if hasattr(data, "__arrow_array__") else None
    if arrow is not None:
        hit = _FACTORIZED.get(id(arrow))
        if hit is not None and hit[0]() is arrow:
            return hit[1], hit[2]
    found = _arrow_codes(arrow) if arrow is not None else None
    if found is None:
        codes, uniques = pd.factorize(values, use_na_sentinel=False)
        found = np.asarray(codes, dtype=np.int64), pd.Index(uniques)
    found[0].flags.writeable = False  # shared by every caller
    if arrow is not None:
        key = id(arrow)
        _FACTORIZED[key] = (weakref.ref(arrow, lambda _: _FACTORIZED.pop(key, None)), *found)
    return found


def _arrow_codes(arrow: Any) -> tuple[np.ndarray, pd.Index] | None:
    """Codes (int32) of Arrow text without nulls, or None when pandas should do it.

    Arrow encodes the chunks of a column with one memo table, so every chunk's indices
    point into the same dictionary; pandas would unify the chunks' dictionaries again,
    and keep the codes as int64. Anything unexpected goes to pandas.
    """
    if not isinstance(arrow, pa.ChunkedArray) or arrow.null_count or len(arrow) == 0:
        return None
    if not pa.types.is_large_string(arrow.type) and not pa.types.is_string(arrow.type):
        return None
    encoded = arrow.dictionary_encode()
    if not encoded.num_chunks:
        return None
    dictionary = encoded.chunks[-1].dictionary
    address = dictionary.buffers()[2].address if len(dictionary) else 0
    for chunk in encoded.chunks:
        d = chunk.dictionary
        if len(d) > len(dictionary) or (len(d) and d.buffers()[2].address != address):
            return None
    codes = np.concatenate([c.indices.to_numpy(zero_copy_only=False) for c in encoded.chunks])
    uniques = pd.Index(pd.array(dictionary.cast(pa.large_string()), dtype=_TEXT))
    return codes.astype(np.int32, copy=False), uniques


_TEXT = pd.StringDtype("pyarrow", na_value=np.nan)


def shared_codes(*columns: pd.Series) -> tuple[list[np.ndarray], pd.Index]:
    """Codes of several columns over their values together (equal values, equal codes).

    Each column is factorized on its own (and remembered); the distinct values are then
    matched, which is far cheaper than hashing the columns again end to end.

    >>> codes, uniques = shared_codes(pd.Series(["a", "b"]), pd.Series(["c", "a"]))
    >>> [c.tolist() for c in codes], list(uniques)
    ([[0, 1], [2, 0]], ['a', 'b', 'c'])
    """
    out: list[np.ndarray] = []
    uniques: pd.Index | None = None
    for column in columns:
        codes, distinct = factorize(column)
        if uniques is None:
            out.append(codes)
            uniques = distinct
            continue
        at = np.asarray(uniques.get_indexer(distinct), dtype=np.int64)
        new = at < 0
        at[new] = len(uniques) + np.arange(int(new.sum()))
        uniques = uniques.append(distinct[new])
        out.append(at[codes])
    return out, uniques if uniques is not None else pd.Index([])


#: Every character Python's str.strip() removes (those whose isspace() is true), for
#: regular expressions Arrow runs in C; tests/test_tables.py checks the list.
SPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004"
    "\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


def blank(values: pd.Series) -> np.ndarray:
    """Whether each cell is empty once stripped (computed once per distinct value).

    >>> blank(pd.Series(["", " \u3000", "x", None])).tolist()
    [True, True, False, True]
    """
    return strip(values) == ""


def contains(values: pd.Series, words: list[str]) -> np.ndarray:
    """Whether each cell contains one of ``words`` (computed once per distinct value).

    >>> contains(pd.Series(["人均成本", "人数", None]), ["成本", "费用"]).tolist()
    [True, False, False]
    """
    if not words:
        return np.zeros(len(values), dtype=bool)
    found = re.compile("|".join(map(re.escape, words)))
    return per_value(values, lambda v: isinstance(v, str) and bool(found.search(v)), bool)


def per_value(
    values: pd.Series | np.ndarray, func: Callable[[Any], Any], dtype: Any = object
) -> np.ndarray:
    """``func`` of every cell, computed once per distinct value.

    >>> per_value(pd.Series([" a", "b ", " a"]), str.strip).tolist()
    ['a', 'b', 'a']
    """
    # a Series is factorized as it is: Arrow-backed text never becomes Python objects
    codes, uniques = factorize(values)
    mapped = np.array([func(u) for u in np.asarray(uniques, dtype=object)], dtype=dtype)
    return mapped[codes] if len(codes) else np.array([], dtype=dtype)


def strip(values: pd.Series | np.ndarray) -> np.ndarray:
    """Cells as stripped text ("" for missing)."""
    return per_value(values, stripped)


def stripped(value: Any) -> str:
    """A cell as stripped text ("" for a missing one)."""
    if isinstance(value, str):
        return value.strip()
    return "" if value is None or value != value else str(value).strip()


def _number(text: Any, decorated: bool) -> float:
    if text is None or text != text:
        return np.nan
    s = str(text).strip()
    if not s:
        return np.nan
    if decorated:
        s = _DECORATION.sub("", s).strip()
    try:
        value = float(s.replace(",", "").replace("，", ""))
    except ValueError:
        return NOT_A_NUMBER
    return value if np.isfinite(value) else NOT_A_NUMBER


def to_number(
    values: pd.Series | np.ndarray, *, decorated: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Numbers from text cells: (values with NaN where empty or bad, mask of bad cells).

    Thousands separators are allowed; with ``decorated``, so are a leading ≥/≤/</>/= and a
    trailing %, as in targets written "≥95%". Units ("12万") are not.

    >>> v, bad = to_number(pd.Series(["1,000", "12万", "", "≥95%"]), decorated=True)
    >>> v.tolist()[:2], bad.tolist()
    ([1000.0, nan], [False, True, False, False])
    """
    codes, uniques = factorize(values)
    distinct = np.asarray(uniques, dtype=object)
    # plain numbers ("95", "1.5") are parsed in C; only the rest goes through _number
    quick = pd.to_numeric(pd.Series(distinct, dtype=object), errors="coerce").to_numpy(
        float, copy=True
    )
    text = np.fromiter((isinstance(t, str) for t in distinct), dtype=bool, count=len(distinct))
    slow = np.flatnonzero(~np.isfinite(quick) | ~text)
    quick[slow] = [_number(t, decorated) for t in distinct[slow]]
    raw = quick[codes] if len(codes) else np.array([], dtype=float)
    bad = raw == NOT_A_NUMBER
    return np.where(bad, np.nan, raw), bad
