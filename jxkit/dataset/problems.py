"""The one collector of problems every check of a dataset reports through.

Checks do not raise at the first bad cell: each table gets a :class:`Collector` that names
the place of every problem (file or sheet, spreadsheet row, the user's own header), and
the loader raises one :class:`~jxkit.errors.DataError` listing them all.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import Problem

__all__ = ["Collector"]


class Collector:
    """Collects problems for one table with the user's own header names."""

    def __init__(self, source: str, headers: dict[str, str]) -> None:
        self.source = source
        self.headers = headers  # canonical -> as written by the user
        self.problems: list[Problem] = []

    def col(self, name: str) -> str:
        return self.headers.get(name, name)

    def rows(
        self, frame: pd.DataFrame, mask: pd.Series | np.ndarray, column: str, message: str
    ) -> None:
        at = np.flatnonzero(np.asarray(mask, dtype=bool))
        if not len(at):
            return
        values = frame[column].iloc[at].tolist() if column in frame else [None] * len(at)
        for row, value in zip(frame.index[at], values, strict=True):
            self.problems.append(Problem(self.source, message, int(row), self.col(column), value))

    def table(self, message: str) -> None:
        self.problems.append(Problem(self.source, message))
