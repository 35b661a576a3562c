"""How jxkit rounds: one rule for every figure a user files.

A total is rounded half-up to 2 decimals from its exact sum (:func:`round_half_up`).
Subtotals shown beside it (per first-level indicator, per dimension, per assessment
section) are apportioned so that they add up to the shown total exactly
(:func:`apportion`): each exact subtotal is floored to 0.01 and the missing hundredths go
to the largest remainders, ties to the first in framework order. Each shown subtotal is
then within 0.01 of its exact value. Money is shown in 万元 with 2 decimals (:func:`wan`),
in reports and in the reasons scoring gives alike.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["apportion", "round_half_up", "wan"]

#: Binary noise below this many hundredths is read as the decimal the user meant.
_NOISE = 1e-7


def round_half_up(values: np.ndarray | pd.Series, decimals: int = 2) -> np.ndarray:
    """Round half away from zero at ``decimals``, immune to binary noise (89.995 → 90.0).

    Floats such as 89.995 are stored as 89.99499999…; a tolerance of 1e-9 of a point
    treats them as the decimal the user meant.

    >>> round_half_up(np.array([89.995, 89.994, 79.999, 90.0, 0.125])).tolist()
    [90.0, 89.99, 80.0, 90.0, 0.13]
    """
    scale = 10.0**decimals
    x = np.asarray(values, dtype=float) * scale
    return np.sign(x) * np.floor(np.abs(x) + 0.5 + 1e-9 * scale) / scale


def apportion(parts: np.ndarray, totals: np.ndarray | None = None) -> np.ndarray:
    """Subtotals to 0.01 that add up exactly to the shown totals (largest remainders).

    ``parts`` is a (rows, columns) array of exact, non-negative subtotals, NaN where a
    column does not apply to a row; ``totals`` the shown totals per row (default: each
    row's exact sum rounded half-up). Each part is floored to 0.01; the hundredths still
    missing go, one each, to the parts with the largest remainders, ties to the leftmost
    (framework order). Rows whose parts are all NaN stay NaN.

    >>> apportion(np.array([[9.6049, 47.0549, 28.7049, 9.99]])).tolist()
    [[9.61, 47.05, 28.7, 9.99]]
    >>> apportion(np.array([[1/3, 1/3, 1/3]])).tolist()  # total 1.0: the first gets the cent
    [[0.34, 0.33, 0.33]]
    >>> apportion(np.array([[2.5, np.nan]]), np.array([2.5])).tolist()
    [[2.5, nan]]
    """
    x = np.atleast_2d(np.asarray(parts, dtype=float))
    present = ~np.isnan(x)
    cents = np.where(present, x * 100.0, 0.0)
    floors = np.floor(cents + _NOISE)
    remainders = np.where(present, cents - floors, -np.inf)
    if totals is None:
        shown = round_half_up(np.where(present, x, 0.0).sum(axis=1))
    else:
        shown = np.asarray(totals, dtype=float)
    missing = np.rint(shown * 100.0 - floors.sum(axis=1)).astype(np.int64)
    count = present.sum(axis=1)
    if np.any((missing < 0) | (missing > count)):
        raise ValueError("apportion: a total is not the rounded sum of its parts")
    # per row, rank the parts by remainder (largest first; the stable sort keeps ties leftmost)
    rank = np.argsort(-np.round(remainders, 9), axis=1, kind="stable")
    extra = np.zeros_like(floors)
    for i in np.flatnonzero(missing):
        extra[i, rank[i, : missing[i]]] = 1.0
    return np.where(present, (floors + extra) / 100.0, np.nan)


def wan(yuan: Any, digits: int = 2) -> str:
    """Yuan shown as 万元, rounded half-up, with thousands separators: 1510965.5 → "151.10 万元".

    >>> wan(1510965.5), wan(1234567), wan(12345), wan(float("nan"))
    ('151.10 万元', '123.46 万元', '1.23 万元', '—')
    """
    if yuan is None or pd.isna(yuan):
        return "—"
    return f"{round_half_up(np.array([float(yuan) / 10_000]), digits)[0]:,.{digits}f} 万元"
