"""Keys as integers: each key column hashed once, shared by checks and scoring.

Duplicate and reference checks, and scoring's join of evaluations to indicators, all work
on the same integer codes (:func:`jxkit.text.factorize` remembers them per Arrow column).
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from ..text import shared_codes

__all__ = ["all_distinct", "key_codes", "row_of"]


def key_codes(key: Iterable[str], *frames: pd.DataFrame) -> tuple[list[np.ndarray], int]:
    """One integer per row for the values of ``key``, shared by all ``frames``.

    Equal keys get equal codes across the frames, so checks and joins work on integers
    (each column is factorized once and remembered, see :func:`jxkit.text.factorize`).
    Returns the codes of each frame and the size of the code space (codes are below it).
    """
    combined: np.ndarray | None = None
    space = 1
    for name in key:
        parts, uniques = shared_codes(*(f[name] for f in frames))
        codes = np.concatenate(parts) if len(parts) > 1 else parts[0]
        n = max(len(uniques), 1)
        if combined is None:
            combined, space = codes.astype(np.int64), n
            continue
        if space * n >= 2**62:  # renumber the keys seen so far before they overflow
            renumbered, seen = pd.factorize(combined)
            combined, space = renumbered.astype(np.int64), max(len(seen), 1)
        combined, space = combined * n + codes, space * n
    if combined is None:
        return [np.zeros(len(f), dtype=np.int64) for f in frames], 1
    return np.split(combined, np.cumsum([len(f) for f in frames])[:-1]), space


def _small(space: int, rows: int) -> bool:
    """Whether a code space is small enough for a flag per code (a few bytes per row)."""
    return space <= max(64 * rows, 1 << 20)


def all_distinct(codes: np.ndarray, space: int) -> bool:
    if _small(space, len(codes)):
        seen = np.zeros(space, dtype=bool)
        seen[codes] = True
        return int(np.count_nonzero(seen)) == len(codes)
    return bool(pd.Index(codes).is_unique)


#: What :func:`row_of` found, by the identity of the key columns' Arrow data (immutable,
#: so the positions stay right); an entry goes when its data does.
_ROWS_OF: dict[tuple[int, ...], tuple[list[weakref.ref[Any]], np.ndarray, bool]] = {}


def row_of(frame: pd.DataFrame, key: list[str], table: pd.DataFrame) -> tuple[np.ndarray, bool]:
    """For each row of ``frame``, the position of the first row of ``table`` with its key.

    Returns the positions (-1 where ``table`` has no such key) and whether the keys of
    ``table`` are unique. Remembered: checking a dataset finds the indicator of every
    evaluation, and scoring it needs the same.
    """
    arrays = [_arrow_data(f[k]) for f in (frame, table) for k in key]
    ident = (*(id(a) for a in arrays), len(frame), len(table))
    cacheable = all(a is not None for a in arrays)
    if cacheable:
        hit = _ROWS_OF.get(ident)
        if hit is not None and all(r() is a for r, a in zip(hit[0], arrays, strict=True)):
            return hit[1], hit[2]
    (codes, ref), space = key_codes(key, frame, table)
    positions, unique = _first_positions(ref, codes, space)
    positions.flags.writeable = False  # shared by every caller
    if cacheable:
        forget = lambda _: _ROWS_OF.pop(ident, None)  # noqa: E731
        _ROWS_OF[ident] = ([weakref.ref(a, forget) for a in arrays], positions, unique)
    return positions, unique


def _arrow_data(column: pd.Series) -> Any:
    data: Any = column.array
    return data.__arrow_array__() if hasattr(data, "__arrow_array__") else None


def _first_positions(keys: np.ndarray, wanted: np.ndarray, space: int) -> tuple[np.ndarray, bool]:
    """Position of the first of ``keys`` equal to each wanted code (-1: none); keys unique?"""
    if not len(keys):
        return np.full(len(wanted), -1, dtype=np.int64), True
    if len(keys) and _small(space, len(keys) + len(wanted)):
        seen = np.zeros(space, dtype=bool)
        seen[keys] = True
        if int(np.count_nonzero(seen)) == len(keys):  # unique: a flat table will do
            where = np.empty(space, dtype=np.int32 if len(keys) < 2**31 else np.int64)
            where[keys] = np.arange(len(keys))  # only the slots of keys are ever read
            return np.where(seen[wanted], where[wanted], -1).astype(where.dtype), True
    index = pd.Index(keys)
    unique = bool(index.is_unique)
    at = np.arange(len(keys))
    if not unique:
        keep = ~index.duplicated()
        index, at = index[keep], at[keep]
    found = np.asarray(index.get_indexer(wanted), dtype=np.int64)
    return np.where(found >= 0, at[np.maximum(found, 0)], -1), unique
