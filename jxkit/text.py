"""Fast text work on big columns: apply a function once per distinct value.

Columns users bring repeat the same values (rule names, rounds, categories, numbers):
a function applied to the distinct values and spread back is far faster than pandas'
per-cell string methods on millions of rows.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["NOT_A_NUMBER", "per_value", "strip", "to_number"]

#: What :func:`to_number` returns for filled cells that are not numbers.
NOT_A_NUMBER = float("inf")

_DECORATION = re.compile(r"^(?:>=|<=|[≥≤<>=])\s*|\s*[%％]$")


def per_value(
    values: pd.Series | np.ndarray, func: Callable[[Any], Any], dtype: Any = object
) -> np.ndarray:
    """``func`` of every cell, computed once per distinct value.

    >>> per_value(pd.Series([" a", "b ", " a"]), str.strip).tolist()
    ['a', 'b', 'a']
    """
    if not isinstance(values, pd.Series):
        values = np.asarray(values, dtype=object)
    # a Series is factorized as it is: Arrow-backed text never becomes Python objects
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    mapped = np.array([func(u) for u in np.asarray(uniques, dtype=object)], dtype=dtype)
    return mapped[codes] if len(codes) else np.array([], dtype=dtype)


def strip(values: pd.Series | np.ndarray) -> np.ndarray:
    """Cells as stripped text ("" for missing)."""
    return per_value(values, lambda v: "" if v is None or v != v else str(v).strip())


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
    if not isinstance(values, pd.Series):
        values = np.asarray(values, dtype=object)
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
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
