"""Saving evaluation values back into the user's own dataset: exact, atomic, logged, safe.

The dataset stays the assessor's file, so a save changes only what was edited: the cells
of edited ``evaluations`` rows, plus new rows appended where a round had no value yet.
Encoding (UTF-8 with or without BOM, GB18030), line endings, untouched rows byte for byte,
other columns, other sheets and formatting are kept. Each changed cell is appended to a
change log table in the dataset (``修改记录.csv`` or sheet ``修改记录``, Chinese headers:
time in 北京时间, user, project, indicator, round, field, old → new) so the evaluation can
be audited. An edit that carries the values it was made against is merged cell by cell
with the file as it is now (:mod:`jxkit.dataset.merge`): a cell changed on disk since is
never written over. Data and log change together (:mod:`jxkit.dataset.journal`); unsaved
edits live in a draft beside the dataset (:mod:`jxkit.dataset.drafts`).

Pure I/O with no widgets: the workbench uses it, and so can a script.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd

from ..errors import DataError, Problem
from ..labels import ROUND_NAMES
from .journal import Transaction, recover
from .load import Dataset, find_csv, find_sheet, load_dataset
from .merge import Conflict, merge_cell
from .schema import ROUNDS, TABLES
from .tables import atomic_path
from .values import canonical_headers

__all__ = [
    "CHANGELOG_COLUMNS",
    "FIELDS",
    "Change",
    "Conflict",
    "ConflictError",
    "Edit",
    "SaveResult",
    "Stamp",
    "evaluations_file",
    "load_for_edit",
    "save_evaluations",
]

#: The evaluation fields an assessor edits, in the order they are logged.
FIELDS = ("actual", "evidence", "note")
#: Change log columns: canonical name and Chinese header.
CHANGELOG_COLUMNS: tuple[tuple[str, str], ...] = (
    ("time", "时间（北京时间）"),
    ("user", "修改人"),
    ("project_id", "项目编码"),
    ("indicator_id", "指标编码"),
    ("round", "轮次"),
    ("field", "字段"),
    ("old", "原值"),
    ("new", "新值"),
)
CHANGELOG_NAMES = ("changelog", "修改记录")
#: Where change log times are given unless the policy says otherwise.
DEFAULT_TIMEZONE = "Asia/Shanghai"

_SPEC = TABLES["evaluations"]
_BOM = b"\xef\xbb\xbf"
_LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
_EOL = re.compile(r"(?:\r\n|\r|\n)\Z")
_PLAIN_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?\Z")

Key = tuple[str, str, str]


# ----------------------------------------------------------------------------- values


@dataclass(frozen=True)
class Edit:
    """The wanted values of one evaluation row (project, indicator, round).

    All three fields are given: a save compares them with the file and writes only the
    cells that differ. A row whose fields all end up empty is removed, so a project is
    never left half in a round. ``base`` holds the (actual, evidence, note) the edit was
    made against: then only the cells changed from it are written, and only where the
    file still holds the base (else :class:`ConflictError`). Without it the file is
    simply overwritten (scripts).
    """

    project_id: str
    indicator_id: str
    round: str
    actual: str = ""
    evidence: str = ""
    note: str = ""
    base: tuple[str, str, str] | None = None

    def __post_init__(self) -> None:
        if self.round not in ROUND_NAMES:
            raise DataError(f"评价轮次应为 self（自评）或 review（复核），而不是“{self.round}”")

    @property
    def key(self) -> Key:
        return (self.project_id.strip(), self.indicator_id.strip(), self.round)

    def values(self) -> dict[str, str]:
        return {"actual": self.actual, "evidence": self.evidence, "note": self.note}


@dataclass(frozen=True)
class Change:
    """One changed cell, as written to the change log."""

    time: str
    user: str
    project_id: str
    indicator_id: str
    round: str
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class Stamp:
    """What a file looked like when it was loaded, to notice later changes by others."""

    path: Path
    mtime_ns: int
    size: int
    sha256: str

    @classmethod
    def of(cls, path: str | os.PathLike[str], data: bytes | None = None) -> Stamp:
        p = Path(path)
        st = p.stat()
        return cls(p, st.st_mtime_ns, st.st_size, _sha256(p.read_bytes() if data is None else data))

    def changed(self) -> bool:
        """True when the file's content differs (a touch that keeps the content is no change)."""
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return True
        if (st.st_mtime_ns, st.st_size) == (self.mtime_ns, self.size):
            return False
        return _sha256(self.path.read_bytes()) != self.sha256


@dataclass(frozen=True)
class SaveResult:
    """What a save did: the changes logged, rows added/updated/removed, files written."""

    changes: list[Change]
    added: int
    updated: int
    removed: int
    files: list[Path]
    stamp: Stamp
    #: The content the edits were merged into: the stamp's when nobody saved meanwhile.
    base_sha256: str = ""


class ConflictError(DataError):
    """The dataset changed on disk since it was loaded; saving would lose someone's work.

    ``conflicts`` lists the cells both changed (empty when the whole file is in question).
    """

    def __init__(self, message: str | list[Problem], conflicts: Sequence[Conflict] = ()) -> None:
        super().__init__(message, title="未保存：与他人的修改冲突")
        self.conflicts = list(conflicts)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _conflict(path: Path) -> ConflictError:
    return ConflictError(
        f"未保存：数据集文件 {path.name} 在载入后已被修改（其他人保存过，或在 Excel 中编辑过）。"
        "为免覆盖他人的修改，本次没有写入；请重新载入数据集后再保存，未保存的修改仍保留在草稿中。"
    )


# ----------------------------------------------------------------------------- locating


def evaluations_file(path: str | os.PathLike[str]) -> Path:
    """The file holding the evaluations table: its CSV in a folder, or the workbook."""
    p = Path(path)
    if p.is_dir():
        f = find_csv(p, _SPEC)
        if f is None:
            raise DataError([Problem(p.name, f"缺少表 {_SPEC.zh}（{_SPEC.name}）")])
        return f
    return p


def load_for_edit(path: str | os.PathLike[str]) -> tuple[Dataset, Stamp]:
    """Load a dataset together with the stamp of the file a save will write.

    The stamp is taken before and after loading; if the file changed in between, it is
    loaded again, so the stamp always describes the values that were loaded. A save cut
    short before is first completed or rolled back (:func:`jxkit.dataset.journal.recover`).
    """
    recover(evaluations_file(path).parent)
    for _ in range(5):
        target = evaluations_file(path)
        before = Stamp.of(target)
        dataset = load_dataset(path)
        if Stamp.of(target) == before:
            return dataset, before
    raise _conflict(evaluations_file(path))


def _round_key(text: str) -> str | None:
    return ROUNDS.get(text.strip().lower())


def _columns(header: Sequence[str]) -> dict[str, int]:
    """Canonical column name → position, read as the loader reads headers."""
    stripped = [h.strip() for h in header]
    renames = canonical_headers(pd.DataFrame(columns=stripped), _SPEC)
    out: dict[str, int] = {}
    for i, h in enumerate(stripped):
        name = renames.get(h)
        if name and name not in out:
            out[name] = i
    return out


def _changelog_columns(header: Sequence[str]) -> dict[str, int]:
    known = {k: k for k, _ in CHANGELOG_COLUMNS} | {zh: k for k, zh in CHANGELOG_COLUMNS}
    known["时间"] = "time"  # logs written before times were labelled 北京时间
    out: dict[str, int] = {}
    for i, h in enumerate(header):
        name = known.get(h.strip()) or known.get(h.strip().lower())
        if name and name not in out:
            out[name] = i
    return out


# ----------------------------------------------------------------------------- applying


@dataclass
class _Plan:
    """Edits turned into cell operations on one table, independent of the file format."""

    changes: list[Change] = field(default_factory=list)
    added: int = 0
    updated: int = 0
    removed: int = 0
    base_sha256: str = ""


class _Rows:
    """The evaluations table as text rows, whatever the file format (CSV or sheet).

    ``rows`` yields (row key, cells) for non-blank rows; ``put``, ``append``, ``remove``
    and ``add_column`` change the table in place, touching nothing else.
    """

    def header(self) -> list[str]:
        raise NotImplementedError

    def rows(self) -> Iterable[tuple[int, list[str]]]:
        raise NotImplementedError

    def put(self, row: int, col: int, value: str) -> None:
        raise NotImplementedError

    def add_column(self, name: str) -> int:
        raise NotImplementedError

    def append(self, values: list[str]) -> None:
        raise NotImplementedError

    def remove(self, row: int) -> None:
        raise NotImplementedError


def _apply(table: _Rows, edits: Sequence[Edit], user: str, now: str) -> _Plan:
    """Turn edits into cell writes on ``table``; nothing is changed when a cell conflicts."""
    header = table.header()
    cols = _columns(header)
    chinese = not header[cols["project_id"]].strip().isascii()
    index: dict[Key, tuple[int, list[str]]] = {}
    chinese_rounds = False
    for row, values in table.rows():
        cell = _cell(values, cols["round"])
        chinese_rounds = chinese_rounds or not cell.strip().isascii()
        r = _round_key(cell)
        if r is not None:
            pid, iid = _cell(values, cols["project_id"]), _cell(values, cols["indicator_id"])
            index[(pid.strip(), iid.strip(), r)] = (row, values)
    writes: list[tuple[Edit, tuple[int, list[str]] | None, dict[str, str], dict[str, str]]] = []
    conflicts: list[Conflict] = []
    for edit in edits:
        found = index.get(edit.key)
        olds = {f: _cell(found[1], cols[f]) if found and f in cols else "" for f in FIELDS}
        diff, clash = _writes(edit, olds)
        conflicts += clash
        if diff:
            writes.append((edit, found, olds, diff))
    if conflicts:
        raise ConflictError(_conflict_problems(conflicts), conflicts)
    for f in FIELDS:
        if f not in cols and any(diff.get(f) for *_, diff in writes):
            cols[f] = table.add_column(_SPEC.column(f).zh if chinese else f)
    own = {cols[k] for k in ("project_id", "indicator_id", "round", *FIELDS) if k in cols}
    plan = _Plan()
    removed: list[int] = []
    for edit, found, olds, diff in writes:
        pid, iid, r = edit.key
        log = _Logger(plan.changes, now, user, edit.key)
        result = olds | diff
        if found is None:
            if not any(v for v in result.values()):
                continue
            values = [""] * len(table.header())
            values[cols["project_id"]], values[cols["indicator_id"]] = pid, iid
            values[cols["round"]] = ROUND_NAMES[r] if chinese_rounds else r
            for f, v in diff.items():
                values[cols[f]] = v
                log(f, "", v)
            table.append(values)
            plan.added += 1
            continue
        row, values = found
        extras = [v for i, v in enumerate(values) if i not in own and v.strip()]
        if not any(v.strip() for v in result.values()) and not extras:
            removed.append(row)
            for f, v in diff.items():
                log(f, olds[f], v)
            continue
        for f, v in diff.items():
            table.put(row, cols[f], v)
            log(f, olds[f], v)
        plan.updated += 1
    for row in sorted(removed, reverse=True):
        table.remove(row)
    plan.removed = len(removed)
    return plan


@dataclass(frozen=True)
class _Logger:
    """Records the changed cells of one row, named in Chinese whatever the file's headers."""

    changes: list[Change]
    now: str
    user: str
    key: Key

    def __call__(self, f: str, old: str, new: str) -> None:
        pid, iid, r = self.key
        zh = _SPEC.column(f).zh
        self.changes.append(Change(self.now, self.user, pid, iid, ROUND_NAMES[r], zh, old, new))


def _writes(edit: Edit, olds: dict[str, str]) -> tuple[dict[str, str], list[Conflict]]:
    """The cells ``edit`` writes over the file's ``olds``, and the cells that conflict."""
    wanted = {f: v.strip() for f, v in edit.values().items()}
    if edit.base is None:
        return {f: v for f, v in wanted.items() if v != olds[f].strip()}, []
    diff: dict[str, str] = {}
    clash: list[Conflict] = []
    for f, base in zip(FIELDS, edit.base, strict=True):
        outcome = merge_cell(base, olds[f], wanted[f])
        if outcome == "mine":
            diff[f] = wanted[f]
        elif outcome == "conflict":
            pid, iid, r = edit.key
            clash.append(Conflict(pid, iid, r, f, base, olds[f].strip(), wanted[f]))
    return diff, clash


def _conflict_problems(conflicts: Sequence[Conflict]) -> list[Problem]:
    return [
        Problem(
            f"项目 {c.project_id} 指标 {c.indicator_id}（{ROUND_NAMES[c.round]}）",
            f"{_SPEC.column(c.field).zh}：载入时为“{c.base}”，他人已改为“{c.disk}”，"
            f"您改为“{c.mine}”；请逐项选择保留哪一个后再保存，本次没有写入",
        )
        for c in conflicts
    ]


def _cell(values: Sequence[str], i: int) -> str:
    return values[i] if i < len(values) else ""


# ----------------------------------------------------------------------------- CSV


@dataclass
class _Record:
    """One CSV record with its original text (None once it must be written anew)."""

    fields: list[str]
    raw: str | None
    eol: str


class _CsvTable(_Rows):
    """A CSV file as records; untouched records are written back exactly as read."""

    def __init__(self, text: str, default_eol: str = "\r\n") -> None:
        lines = _LINES.findall(text)
        self.records: list[_Record] = []
        reader = csv.reader(lines)
        start = 0
        for fields in reader:
            raw = "".join(lines[start : reader.line_num])
            start = reader.line_num
            m = _EOL.search(raw)
            self.records.append(_Record(fields, raw, m.group() if m else ""))
        first = self.records[0].eol if self.records else ""
        self.eol = first or default_eol
        self.width = len(self.records[0].fields) if self.records else 0

    def header(self) -> list[str]:
        return list(self.records[0].fields)

    def rows(self) -> Iterable[tuple[int, list[str]]]:
        return ((i, r.fields) for i, r in enumerate(self.records) if i and r.fields)

    def put(self, row: int, col: int, value: str) -> None:
        rec = self.records[row]
        rec.fields += [""] * (col + 1 - len(rec.fields))
        rec.fields[col] = value
        rec.raw = None

    def add_column(self, name: str) -> int:
        for i, rec in enumerate(self.records):
            if not rec.fields:
                continue
            if i == 0:
                rec.fields.append(name)
                rec.raw = None
            elif len(rec.fields) == self.width and rec.raw is not None:
                # one more empty field, every other character of the record unchanged
                body = rec.raw[: len(rec.raw) - len(rec.eol)]
                rec.raw = body + "," + rec.eol
                rec.fields.append("")
            else:
                self.put(i, self.width, "")
        self.width += 1
        return self.width - 1

    def append(self, values: list[str]) -> None:
        self.records.append(_Record(values, None, self.eol))

    def remove(self, row: int) -> None:
        del self.records[row]

    def end_lines(self) -> None:
        """Give the last record a line end, so that appended records start on their own line."""
        last = self.records[-1] if self.records else None
        if last is not None and not last.eol:
            last.eol = self.eol
            if last.raw is not None:
                last.raw += self.eol

    def text(self) -> str:
        out = []
        for rec in self.records:
            if rec.raw is not None:
                out.append(rec.raw)
                continue
            buf = io.StringIO()
            csv.writer(buf, lineterminator=rec.eol).writerow(rec.fields)
            out.append(buf.getvalue())
        return "".join(out)


def _csv_encoding(data: bytes, hint: str = "") -> str:
    """The encoding to write back: BOM kept or not as found; GB18030 stays GB18030."""
    if data.startswith(_BOM):
        return "utf-8-sig"
    if hint == "gb18030":
        return "gb18030"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


def _find_changelog_csv(folder: Path) -> Path | None:
    for f in sorted(folder.iterdir()):
        if f.suffix.lower() == ".csv" and f.stem.strip().lower() in CHANGELOG_NAMES:
            return f
    return None


def _changelog_text(old: bytes | None, changes: list[Change], eol: str) -> tuple[str, str | None]:
    """The change log with ``changes`` appended, and the encoding it had (None when new)."""
    encoding = None if old is None else _csv_encoding(old)
    table = _CsvTable("" if old is None else old.decode(encoding or "utf-8"), eol)
    if not table.records:
        names = [zh for _, zh in CHANGELOG_COLUMNS]
        table.records.append(_Record(names, None, table.eol))
        table.width = len(names)
    cols = _changelog_columns(table.header())
    for k, zh in CHANGELOG_COLUMNS:
        if k not in cols:
            cols[k] = table.add_column(zh)
    table.end_lines()
    for c in changes:
        values = [""] * table.width
        for k, _ in CHANGELOG_COLUMNS:
            values[cols[k]] = str(getattr(c, k))
        table.append(values)
    return table.text(), encoding


def _save_csv(
    dataset: Dataset, edits: list[Edit], stamp: Stamp, user: str, now: str
) -> tuple[_Plan, list[Path], Stamp]:
    path = stamp.path
    data = path.read_bytes()
    encoding = _csv_encoding(data, dataset.encodings.get("evaluations", ""))
    table = _CsvTable(data.decode(encoding))
    table.end_lines()
    plan = _apply(table, edits, user, now)
    plan.base_sha256 = _sha256(data)
    if not plan.changes:
        return plan, [], stamp
    new_data = table.text().encode(encoding)
    log_path = _find_changelog_csv(path.parent) or path.parent / "修改记录.csv"
    old_log = log_path.read_bytes() if log_path.exists() else None
    log_text, log_encoding = _changelog_text(old_log, plan.changes, table.eol)
    log_encoding = log_encoding or ("gb18030" if encoding == "gb18030" else "utf-8-sig")
    if _sha256(path.read_bytes()) != _sha256(data):  # written by another while we merged
        raise _conflict(path)
    Transaction(path, new_data, log_path, log_text.encode(log_encoding)).commit()
    return plan, [path, log_path], Stamp.of(path, new_data)


# ----------------------------------------------------------------------------- xlsx


def _text(value: Any) -> str:
    """A cell as the loader reads it (pandas with dtype=str)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _excel_value(text: str, as_text: bool) -> Any:
    """Plain numbers go in as numbers, as Excel users type them, unless the cell holds text."""
    if not as_text and _PLAIN_NUMBER.match(text):
        return float(text) if "." in text else int(text)
    return text


class _SheetTable(_Rows):
    """An openpyxl worksheet as text rows; cells are written in place, formatting kept."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.width = ws.max_column
        self.last = 1
        for row in ws.iter_rows(min_row=1):
            if any(c.value not in (None, "") for c in row):
                self.last = row[0].row

    def header(self) -> list[str]:
        return [_text(self.ws.cell(1, c).value) for c in range(1, self.width + 1)]

    def rows(self) -> Iterable[tuple[int, list[str]]]:
        for row in self.ws.iter_rows(min_row=2, max_row=self.last, max_col=self.width):
            values = [_text(c.value) for c in row]
            if any(v.strip() for v in values):
                yield row[0].row, values

    def put(self, row: int, col: int, value: str) -> None:
        cell = self.ws.cell(row, col + 1)
        held = cell.value
        as_text = isinstance(held, str) if held not in (None, "") else self._text_column(col)
        cell.value = _excel_value(value, as_text) if value else None

    def _text_column(self, col: int) -> bool:
        """A column whose numbers are kept as text (ids, codes): a new cell is text too."""
        for (c,) in self.ws.iter_rows(
            min_row=2, max_row=self.last, min_col=col + 1, max_col=col + 1
        ):
            if isinstance(c.value, str) and _PLAIN_NUMBER.match(c.value.strip()):
                return True
        return False

    def add_column(self, name: str) -> int:
        self.width += 1
        self.ws.cell(1, self.width).value = name
        return self.width - 1

    def append(self, values: list[str]) -> None:
        self.last += 1
        ids = self._id_columns()
        for i, v in enumerate(values):
            if v:
                as_text = i in ids or self._text_column(i)
                self.ws.cell(self.last, i + 1).value = _excel_value(v, as_text)

    def _id_columns(self) -> set[int]:
        cols = _columns(self.header())
        return {cols[k] for k in ("project_id", "indicator_id", "round")}

    def remove(self, row: int) -> None:
        self.ws.delete_rows(row)
        self.last -= 1


def _refuse_formulas(book: Any, path: Path) -> None:
    """openpyxl drops the computed values of formulas when it saves, so every formula cell
    would read as empty afterwards (a budget written =2000000+277000 would vanish): refuse."""
    found: list[Problem] = []
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    found.append(
                        Problem(
                            f"{path.name} 工作表“{ws.title}”",
                            "是公式",
                            cell.row,
                            cell.column_letter,
                            cell.value,
                        )
                    )
                    if len(found) >= 10:
                        break
    if found:
        advice = Problem(
            path.name,
            "保存会丢失公式的计算结果，本次没有写入。请先把公式转为数值（复制后“选择性粘贴—数值”），"
            "或把数据集另存为 CSV 文件夹后再评价。",
        )
        raise DataError([*found, advice], title=f"工作簿 {path.name} 含公式，未保存")


def _save_xlsx(
    dataset: Dataset, edits: list[Edit], stamp: Stamp, user: str, now: str
) -> tuple[_Plan, list[Path], Stamp]:
    import openpyxl

    path = stamp.path
    data = path.read_bytes()
    book = openpyxl.load_workbook(io.BytesIO(data), keep_vba=path.suffix.lower() == ".xlsm")
    _refuse_formulas(book, path)
    sheet = find_sheet(list(book.sheetnames), _SPEC)
    if sheet is None:
        raise DataError([Problem(path.name, f"缺少工作表 {_SPEC.zh}（{_SPEC.name}）")])
    plan = _apply(_SheetTable(book[sheet]), edits, user, now)
    plan.base_sha256 = _sha256(data)
    if not plan.changes:
        return plan, [], stamp
    log_name = next(
        (s for s in book.sheetnames if s.strip().lower() in CHANGELOG_NAMES), "修改记录"
    )
    if log_name not in book.sheetnames:
        ws = book.create_sheet(log_name)
        ws.append([zh for _, zh in CHANGELOG_COLUMNS])
    log = _SheetTable(book[log_name])
    cols = _changelog_columns(log.header())
    for k, zh in CHANGELOG_COLUMNS:
        if k not in cols:
            cols[k] = log.add_column(zh)
    for c in plan.changes:
        log.last += 1
        for k, _ in CHANGELOG_COLUMNS:
            log.ws.cell(log.last, cols[k] + 1).value = str(getattr(c, k))
    buf = io.BytesIO()
    book.save(buf)
    new_data = buf.getvalue()
    with atomic_path(path) as tmp:  # data and log in one file: one atomic replace
        tmp.write_bytes(new_data)
        if _sha256(path.read_bytes()) != _sha256(data):  # written by another while we merged
            raise _conflict(path)
    return plan, [path], Stamp.of(path, new_data)


# ----------------------------------------------------------------------------- saving


def save_evaluations(
    dataset: Dataset,
    edits: Iterable[Edit],
    *,
    stamp: Stamp,
    user: str,
    now: datetime | None = None,
    timezone: str = DEFAULT_TIMEZONE,
) -> SaveResult:
    """Write ``edits`` into the dataset's evaluations table and log every changed cell.

    Args:
        dataset: The dataset as loaded (its path and CSV encodings are used).
        edits: Wanted values per row; cells equal to the file (ignoring surrounding
            spaces) are left alone, so re-saving the same edits changes nothing. Edits
            with a ``base`` are merged with the file as it is now; a cell changed on
            disk differently raises :class:`ConflictError` listing every such cell,
            and nothing is written.
        stamp: The evaluations file as loaded (:func:`load_for_edit`); when an edit has
            no ``base``, the save is refused if the file changed since.
        user: Who made the changes, for the change log.
        now: Time recorded in the log (default: now).
        timezone: The log's times are given in this zone (default 北京时间); other
            zones keep their offset in the text.

    Returns:
        What was written; ``stamp`` describes the file after the save.
    """
    edits = list(edits)
    local = (now or datetime.now().astimezone()).astimezone(ZoneInfo(timezone))
    time = local.isoformat(sep=" ", timespec="seconds")
    if timezone == DEFAULT_TIMEZONE:
        time = time[:19]  # the log's header says 北京时间
    if any(e.base is None for e in edits) and stamp.changed():
        raise _conflict(stamp.path)
    save = _save_csv if stamp.path.suffix.lower() == ".csv" else _save_xlsx
    try:
        plan, files, new_stamp = save(dataset, edits, stamp, user.strip() or "未署名", time)
    except PermissionError as exc:
        raise DataError(
            f"未保存：无法写入 {stamp.path.name}（文件可能正在 Excel 中打开，或没有写权限）：{exc.strerror}"
        ) from None
    return SaveResult(
        plan.changes, plan.added, plan.updated, plan.removed, files, new_stamp, plan.base_sha256
    )
