"""Three-way merge of evaluation cells: the value when loaded (base), on disk, and mine.

Several reviewers (tabs, kernels, people on a shared folder) edit one dataset. A cell is
written only when the reviewer changed it and nobody else did since it was loaded; a cell
only others changed is taken from disk; a cell both changed differently is a conflict the
reviewer settles. So no save ever writes over a value its reviewer has not seen.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["Conflict", "Outcome", "merge_cell"]

#: What a cell's merge decides: ``unchanged`` (nobody changed it), ``theirs`` (take disk),
#: ``mine`` (write mine), ``same`` (both changed it alike: nothing to write), ``conflict``.
Outcome = Literal["unchanged", "theirs", "mine", "same", "conflict"]


def merge_cell(base: str, disk: str, mine: str) -> Outcome:
    """Decide one cell; values are compared without surrounding spaces, as the loader reads them.

    >>> merge_cell("7", "8", "7"), merge_cell("7", "7", "10"), merge_cell("7", "8", "10")
    ('theirs', 'mine', 'conflict')
    """
    b, d, m = base.strip(), disk.strip(), mine.strip()
    if m == b:
        return "unchanged" if d == b else "theirs"
    if d == b:
        return "mine"
    return "same" if d == m else "conflict"


@dataclass(frozen=True)
class Conflict:
    """A cell changed both by the reviewer and, differently, on disk since it was loaded."""

    project_id: str
    indicator_id: str
    round: str
    field: str
    base: str
    disk: str
    mine: str
