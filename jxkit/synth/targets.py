"""Declared-target problems planted in named projects, so a target review has each finding.

Drawn declarations follow their framework and so pass every check; a demo needs some that
do not. Each edit names a project (and an indicator) and changes what the target review
reads: a name (so a project continues last year's), an indicator's field, a project's
targets copied from another, or all its indicators removed. No random stream is used, so
the tables stay as drawn everywhere else.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

__all__ = ["Edit", "copy_targets", "drop_indicators", "rename", "set_field"]

Tables = dict[str, pd.DataFrame]
#: One change to the drawn tables, in place.
Edit = Callable[[Tables], None]


def rename(project_id: str, name: str) -> Edit:
    """A project's name (e.g. last year's with this year's prefix: a continuing project)."""

    def edit(t: Tables) -> None:
        p = t["projects"]
        p.loc[p["project_id"] == project_id, "name"] = name

    return edit


def set_field(project_id: str, indicator_ids: str | tuple[str, ...], **fields: object) -> Edit:
    """Fields (target, unit_of_measure, level2, name, rule, indicator_id …) of indicators."""
    ids = (indicator_ids,) if isinstance(indicator_ids, str) else indicator_ids

    def edit(t: Tables) -> None:
        ind = t["indicators"]
        at = (ind["project_id"] == project_id) & ind["indicator_id"].isin(ids)
        if int(at.sum()) != len(ids):
            raise KeyError(f"{project_id} 没有指标 {ids}")
        for column, value in fields.items():
            ind.loc[at, column] = value

    return edit


def copy_targets(project_id: str, source_id: str) -> Edit:
    """The targets of ``source_id``'s indicators with the same id and name (unchanged targets)."""

    def edit(t: Tables) -> None:
        ind = t["indicators"]
        source = ind[ind["project_id"] == source_id].set_index(["indicator_id", "name"])["target"]
        mine = ind["project_id"] == project_id
        keys = pd.MultiIndex.from_frame(ind.loc[mine, ["indicator_id", "name"]])
        found = source.reindex(keys).to_numpy()
        ind.loc[mine, "target"] = [
            s if isinstance(s, str) else old
            for s, old in zip(found, ind.loc[mine, "target"], strict=True)
        ]

    return edit


def drop_indicators(project_id: str) -> Edit:
    """Every indicator of a project (no targets declared); it must have no evaluations."""

    def edit(t: Tables) -> None:
        for name in ("indicators", "evaluations", "monitoring"):
            if (t[name]["project_id"] == project_id).any() and name != "indicators":
                raise ValueError(f"{project_id} 在 {name} 中有记录，不能删除其指标")
        ind = t["indicators"]
        t["indicators"] = ind[ind["project_id"] != project_id].reset_index(drop=True)

    return edit
