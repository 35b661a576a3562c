"""The workbench's unsaved edits and the reviewer's settings, kept in JSON files beside the dataset.

Both survive a kernel restart. A draft holds each edit with the values it was made
against (its base, for the three-way merge of :mod:`jxkit.dataset.merge`), and names the
dataset's content it was made against (``base_sha256``) so the workbench can tell when the
file changed under it. The reviewer's settings (name, round, open project) are kept per
operating-system account, so a restarted workbench finds the name typed before and with
it that reviewer's draft.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from ..errors import DataError, Problem
from .tables import atomic_path
from .writeback import DEFAULT_TIMEZONE, FIELDS, Edit, Stamp

__all__ = [
    "DRAFT_FORMAT",
    "Draft",
    "ReviewerState",
    "draft_path",
    "read_draft",
    "read_state",
    "state_path",
    "write_draft",
    "write_state",
]

DRAFT_FORMAT = "jxkit-draft"


@dataclass(frozen=True)
class Draft:
    """Unsaved edits kept on disk so they survive a kernel restart."""

    edits: list[Edit]
    updated: str
    base_sha256: str


@dataclass(frozen=True)
class ReviewerState:
    """What the reviewer set in the workbench, restored after a restart."""

    user: str = ""
    round: str = ""
    project_id: str = ""


def _beside(dataset: str | os.PathLike[str], kind: str, name: str) -> Path:
    """A hidden JSON file beside the dataset (not inside a folder: its files are report inputs)."""
    p = Path(dataset).resolve()
    safe = re.sub(r"[^\w.-]+", "_", name).strip("._") or "user"
    return p.with_name(f".{p.name}.jxkit-{kind}-{safe}.json")


def draft_path(dataset: str | os.PathLike[str], user: str, page: str = "") -> Path:
    """Where ``user``'s draft for a dataset lives; ``page`` tells apart two notebooks
    (two workbenches) of one reviewer on one dataset, so neither overwrites the other's."""
    return _beside(dataset, "draft", f"{user}-{page}" if page else user)


def state_path(dataset: str | os.PathLike[str], account: str) -> Path:
    """Where the workbench settings of an operating-system ``account`` for a dataset live."""
    return _beside(dataset, "workbench", account)


def write_draft(path: str | os.PathLike[str], edits: Iterable[Edit], base: Stamp) -> None:
    """Write the draft atomically; no edits removes it."""
    p = Path(path)
    items: list[dict[str, Any]] = []
    for e in edits:
        item: dict[str, Any] = {
            "project_id": e.project_id,
            "indicator_id": e.indicator_id,
            "round": e.round,
        }
        item |= e.values()
        if e.base is not None:
            item["base"] = list(e.base)
        items.append(item)
    if not items:
        p.unlink(missing_ok=True)
        return
    doc = {
        "format": DRAFT_FORMAT,
        "format_version": 2,
        "dataset": str(base.path),
        "updated": datetime.now(ZoneInfo(DEFAULT_TIMEZONE)).isoformat(sep=" ")[:19],
        "base_sha256": base.sha256,
        "edits": items,
    }
    with atomic_path(p) as tmp:
        tmp.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def _edit(e: Mapping[str, Any]) -> Edit:
    base = e.get("base")
    actual, evidence, note = (str(e.get(f, "")) for f in FIELDS)
    return Edit(
        str(e["project_id"]),
        str(e["indicator_id"]),
        str(e["round"]),
        actual,
        evidence,
        note,
        None if base is None else (str(base[0]), str(base[1]), str(base[2])),
    )


def read_draft(path: str | os.PathLike[str]) -> Draft | None:
    """The draft at ``path``, or None when there is none; a broken draft is a DataError.

    Edits of a draft written before bases were kept (format 1) have no base.
    """
    p = Path(path)
    if not p.exists():
        return None
    try:
        doc = json.loads(p.read_text(encoding="utf-8"))
        if not isinstance(doc, Mapping) or doc.get("format") != DRAFT_FORMAT:
            raise ValueError(f"不是 {DRAFT_FORMAT} 格式")
        edits = [_edit(e) for e in doc["edits"]]
    except (ValueError, KeyError, TypeError, IndexError, DataError) as exc:
        raise DataError([Problem(p.name, f"草稿文件无法读取：{exc}")]) from None
    return Draft(edits, str(doc.get("updated", "")), str(doc.get("base_sha256", "")))


def read_state(path: str | os.PathLike[str]) -> ReviewerState:
    """The saved settings; none, or a broken file, gives the defaults (they are only a convenience)."""
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
        return ReviewerState(**{k: str(doc.get(k, "")) for k in ("user", "round", "project_id")})
    except (OSError, ValueError, TypeError, AttributeError):
        return ReviewerState()


def write_state(path: str | os.PathLike[str], state: ReviewerState) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(asdict(state), ensure_ascii=False) + "\n", encoding="utf-8")
