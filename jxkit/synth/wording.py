"""How the tables write things: 是/否, numbers as short text, a phrase drawn from a list."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def yes_no(mask: np.ndarray) -> np.ndarray:
    """是 where the mask holds, else 否 (as object text)."""
    return np.where(mask, "是", "否").astype(object)


def choose(rng: np.random.Generator, options: Sequence[str], k: int) -> np.ndarray:
    """``k`` phrases drawn from ``options`` (one ``rng.integers`` draw)."""
    return np.array(options, dtype=object)[rng.integers(len(options), size=k)]


def fmt(values: np.ndarray, decimals: np.ndarray) -> np.ndarray:
    """Numbers as short text: 500, 95.5, 812.25 (no trailing .0).

    Values repeat a lot (counts, percentages), so only the distinct ones are formatted.
    """
    scale = 10.0 ** decimals.astype(float)
    rounded = np.round(values * scale) / scale
    distinct, inverse = np.unique(rounded, return_inverse=True)
    text = distinct.astype(str)
    whole = distinct == np.round(distinct)
    text[whole] = np.round(distinct[whole]).astype(np.int64).astype(str)
    return text.astype(object)[inverse]
