"""Errors users see: one base, a few families, each naming the place that is wrong.

Messages are in Chinese because users read them; a CLI prints ``str(error)`` and exits
non-zero, never a traceback. Data problems are collected first and raised together so a
user fixes a whole file in one go.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "DataError",
    "FrameworkError",
    "JxkitError",
    "PolicyError",
    "Problem",
    "ReportError",
    "SamplingError",
    "ScoringError",
]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the user's input, located as the user sees it.

    ``source`` is a file or sheet name (``projects.csv``, ``demo.xlsx 工作表 项目``);
    ``row`` is the spreadsheet row number (header is row 1) or None for a whole table.
    """

    source: str
    message: str
    row: int | None = None
    column: str | None = None
    value: object = None

    def __str__(self) -> str:
        place = self.source
        if self.row is not None:
            place += f" 第 {self.row} 行"
        if self.column:
            place += f" {self.column} 列"
        if self.value is not None and self.value != "":
            return f"{place}: {_show(self.value)} {self.message}"
        return f"{place}: {self.message}"


def _show(value: object) -> str:
    text = str(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f'"{text}"'


class JxkitError(Exception):
    """Base of every error jxkit raises on purpose; its text is for the user."""

    exit_code = 2


class DataError(JxkitError):
    """The dataset (or another input table) has problems; carries all of them."""

    def __init__(self, problems: Iterable[Problem] | str, *, title: str = "数据有问题") -> None:
        if isinstance(problems, str):
            problems = [Problem(source="", message=problems)]
        self.problems: list[Problem] = list(problems)
        self.title = title
        super().__init__(self._text())

    def _text(self) -> str:
        n = len(self.problems)
        if n == 1 and not self.problems[0].source:
            return self.problems[0].message
        lines = [f"{self.title}，共 {n} 处："]
        lines += [f"  {i}. {p}" for i, p in enumerate(self.problems, 1)]
        return "\n".join(lines)

    def table(self) -> pd.DataFrame:
        """The problems as a table a notebook can display."""
        import pandas as pd

        return pd.DataFrame(
            [
                {
                    "文件/工作表": p.source,
                    "行": p.row,
                    "列": p.column,
                    "值": p.value,
                    "问题": p.message,
                }
                for p in self.problems
            ],
            columns=["文件/工作表", "行", "列", "值", "问题"],
        )

    def _repr_html_(self) -> str:
        return f"<p><b>{self.title}</b></p>" + self.table().to_html(index=False, na_rep="")


class FrameworkError(DataError):
    """An indicator framework file is not sound (points, rules, parameters)."""


class PolicyError(DataError):
    """The policy file (thresholds, bands) is not sound."""


class ScoringError(DataError):
    """Values cannot be scored (a missing value, a label not in the levels, target 0)."""


class SamplingError(JxkitError):
    """A sample cannot be drawn or verified as asked."""


class ReportError(JxkitError):
    """A report could not be produced."""
