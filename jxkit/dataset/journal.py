"""Data and its change log saved as one transaction, even across a kill.

A CSV dataset keeps its evaluations and its change log in two files, and no file system
replaces two files at once. So a save first writes the new log beside the old one and a
journal naming both files' content before and after; then replaces the data, then the
log, then removes the journal. The next load (:func:`recover`) finds an unfinished
journal and completes it (the data was written: the log is put in place) or rolls it back
(the data was not written: the new log is dropped). Either both changed or neither.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from .tables import atomic_path

__all__ = ["JOURNAL_NAME", "Transaction", "recover"]

JOURNAL_NAME = ".jxkit-journal.json"
_FORMAT = "jxkit-journal"


def _sha(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return None


@dataclass
class Transaction:
    """Replace ``data`` and ``log`` with new contents; :meth:`commit` runs :attr:`STEPS` in order."""

    data: Path
    data_bytes: bytes
    log: Path
    log_bytes: bytes

    #: The steps of a commit; a kill between any two leaves what :func:`recover` repairs.
    STEPS = ("prepare", "write_data", "write_log", "finish")

    @property
    def journal(self) -> Path:
        return self.data.parent / JOURNAL_NAME

    @property
    def pending(self) -> Path:
        return self.log.with_name(f".{self.log.name}.jxkit-pending")

    def commit(self) -> None:
        for step in self.STEPS:
            getattr(self, step)()

    def prepare(self) -> None:
        """The new log beside the old, then the journal that names both states."""
        with atomic_path(self.pending) as tmp:
            tmp.write_bytes(self.log_bytes)
        doc = {
            "format": _FORMAT,
            "data": self.data.name,
            "data_before": _sha(self.data),
            "data_after": hashlib.sha256(self.data_bytes).hexdigest(),
            "log": self.log.name,
            "log_before": _sha(self.log),
        }
        with atomic_path(self.journal) as tmp:
            tmp.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")

    def write_data(self) -> None:
        with atomic_path(self.data) as tmp:
            tmp.write_bytes(self.data_bytes)

    def write_log(self) -> None:
        os.replace(self.pending, self.log)

    def finish(self) -> None:
        self.journal.unlink()


def recover(folder: str | os.PathLike[str]) -> str | None:
    """Finish or undo a save that was cut short in ``folder``; say which (None: nothing to do)."""
    journal = Path(folder) / JOURNAL_NAME
    try:
        doc = json.loads(journal.read_text(encoding="utf-8"))
        data, log = journal.parent / str(doc["data"]), journal.parent / str(doc["log"])
    except FileNotFoundError:
        return None
    except (ValueError, KeyError, TypeError):
        journal.unlink()
        return None
    pending = log.with_name(f".{log.name}.jxkit-pending")
    if _sha(data) == doc.get("data_after") and pending.exists():
        if _sha(log) == doc.get("log_before"):
            os.replace(pending, log)
        pending.unlink(missing_ok=True)
        journal.unlink()
        return f"上次保存在写入{log.name}前中断：数据已写入，已补写修改记录。"
    done = _sha(data) == doc.get("data_after")
    pending.unlink(missing_ok=True)
    journal.unlink()
    if done:
        return None
    return f"上次保存在写入{data.name}前中断：数据与修改记录均未改动。"
