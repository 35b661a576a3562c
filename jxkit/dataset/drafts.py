"""The workbench's unsaved edits, kept in a JSON file beside the dataset.

A draft survives a kernel restart; it names the dataset's content it was made against
(``base_sha256``) so the workbench can tell when the file changed under it.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ..errors import DataError, Problem
from .tables import atomic_path
from .writeback import FIELDS, Edit, Stamp

__all__ = ["DRAFT_FORMAT", "Draft", "draft_path", "read_draft", "write_draft"]

DRAFT_FORMAT = "jxkit-draft"


@dataclass(frozen=True)
class Draft:
    """Unsaved edits kept on disk so they survive a kernel restart."""

    edits: list[Edit]
    updated: str
    base_sha256: str


def draft_path(dataset: str | os.PathLike[str], user: str) -> Path:
    """Where ``user``'s draft for a dataset lives: a hidden JSON file beside it.

    Beside, not inside, a dataset folder: the folder's files are the report inputs.
    """
    p = Path(dataset).resolve()
    safe = re.sub(r"[^\w.-]+", "_", user).strip("._") or "user"
    return p.with_name(f".{p.name}.jxkit-draft-{safe}.json")


def write_draft(path: str | os.PathLike[str], edits: Iterable[Edit], base: Stamp) -> None:
    """Write the draft atomically; no edits removes it."""
    p = Path(path)
    items = [
        {"project_id": e.project_id, "indicator_id": e.indicator_id, "round": e.round} | e.values()
        for e in edits
    ]
    if not items:
        p.unlink(missing_ok=True)
        return
    doc = {
        "format": DRAFT_FORMAT,
        "format_version": 1,
        "dataset": str(base.path),
        "updated": datetime.now().astimezone().isoformat(sep=" ", timespec="seconds"),
        "base_sha256": base.sha256,
        "edits": items,
    }
    with atomic_path(p) as tmp:
        tmp.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def read_draft(path: str | os.PathLike[str]) -> Draft | None:
    """The draft at ``path``, or None when there is none; a broken draft is a DataError."""
    p = Path(path)
    if not p.exists():
        return None
    try:
        doc = json.loads(p.read_text(encoding="utf-8"))
        if not isinstance(doc, Mapping) or doc.get("format") != DRAFT_FORMAT:
            raise ValueError(f"不是 {DRAFT_FORMAT} 格式")
        edits = [
            Edit(
                str(e["project_id"]),
                str(e["indicator_id"]),
                str(e["round"]),
                *(str(e.get(f, "")) for f in FIELDS),
            )
            for e in doc["edits"]
        ]
    except (ValueError, KeyError, TypeError, DataError) as exc:
        raise DataError([Problem(p.name, f"草稿文件无法读取：{exc}")]) from None
    return Draft(edits, str(doc.get("updated", "")), str(doc.get("base_sha256", "")))
