"""The dataset users bring: tables, their columns (English or Chinese headers), and checks.

A dataset is a folder of CSV files or one .xlsx workbook whose sheets carry the table
names. :func:`load_dataset` reads every table as text, maps headers to canonical names,
types the columns and checks the whole dataset, collecting every problem with its place
(file or sheet, spreadsheet row, column) before raising one :class:`DataError`.

Adding a table is one :func:`register_table` call; adding a cross-table check is one
function decorated with :func:`check`.
"""

from __future__ import annotations

import datetime
import json
import os
import re
import weakref
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .catalogue import FALSE_WORDS, LEVELS, TRUE_WORDS, category_code, level_code
from .errors import DataError, Problem
from .rules import RULES, check_params, get_rule
from .tables import ROW, TEXT, list_sheets, read_table
from .text import SPACE, factorize, shared_codes, stripped, to_number

__all__ = [
    "INDICATOR_FIELDS",
    "TABLES",
    "Column",
    "Dataset",
    "TableSpec",
    "canonical_headers",
    "check",
    "find_csv",
    "find_sheet",
    "is_dataset",
    "key_codes",
    "load_dataset",
    "parse_dates",
    "parse_number",
    "register_table",
    "row_of",
]

#: Kinds of column and how each is typed; the loader reports values that do not fit.
KINDS = (
    "id",
    "text",
    "year",
    "money",
    "number",
    "bool",
    "date",
    "category",
    "level",
    "round",
    "json",
)

ROUNDS = {"self": "self", "自评": "self", "review": "review", "复核": "review", "再评价": "review"}
ROUND_NAMES = {"self": "自评", "review": "复核"}


@dataclass(frozen=True)
class Column:
    name: str
    zh: str
    kind: str = "text"
    required: bool = False
    #: a required column whose cells may be empty (checked later, where it matters)
    blank_ok: bool = False


@dataclass(frozen=True)
class TableSpec:
    """A table of the dataset: its names, columns and key (unique per row)."""

    name: str
    zh: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    required: bool = True

    @property
    def file_names(self) -> str:
        return f"{self.name}.csv 或 {self.zh}.csv"

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


TABLES: dict[str, TableSpec] = {}


def register_table(spec: TableSpec) -> TableSpec:
    """Make a table part of every dataset (optional tables load when present)."""
    TABLES[spec.name] = spec
    return spec


register_table(
    TableSpec(
        "units",
        "单位",
        (
            Column("unit_id", "单位编码", "id", True),
            Column("name", "单位名称", "text", True),
            Column("level", "层级", "level", True),
            Column("parent_id", "上级单位编码", "id"),
            Column("region", "地区", "text"),
        ),
        key=("unit_id",),
    )
)
register_table(
    TableSpec(
        "projects",
        "项目",
        (
            Column("project_id", "项目编码", "id", True),
            Column("unit_id", "单位编码", "id", True),
            Column("year", "年度", "year", True),
            Column("name", "项目名称", "text", True),
            Column("category", "项目类别", "category", True),
            Column("budget", "全年预算数", "money", True),
            Column("spent", "全年执行数", "money"),
            Column("new_major", "新增重大项目", "bool"),
            Column("cross_year", "跨年项目", "bool"),
            Column("targets_declared", "目标同步申报", "bool"),
            Column("targets_approved", "目标批复下达", "bool"),
            Column("self_evaluated", "已自评", "bool"),
            Column("has_basis", "立项依据", "bool"),
            Column("collective_decision", "集体决策意见", "bool"),
            Column("start_date", "开始日期", "date"),
            Column("end_date", "结束日期", "date"),
            Column("rectified", "已整改", "bool"),
        ),
        key=("project_id",),
    )
)
#: An indicator's columns after the key of what it measures (a project, or a unit-year).
INDICATOR_FIELDS = (
    Column("indicator_id", "指标编码", "id", True),
    Column("level1", "一级指标", "text", True),
    Column("level2", "二级指标", "text"),
    Column("name", "三级指标", "text", True),
    Column("points", "分值", "number", True),
    Column("rule", "评分方法", "text", True),
    Column("target", "年度指标值", "text"),
    Column("params", "评分参数", "json"),
    Column("unit_of_measure", "计量单位", "text"),
)
register_table(
    TableSpec(
        "indicators",
        "绩效指标",
        (Column("project_id", "项目编码", "id", True), *INDICATOR_FIELDS),
        key=("project_id", "indicator_id"),
    )
)
register_table(
    TableSpec(
        "evaluations",
        "评价",
        (
            Column("project_id", "项目编码", "id", True),
            Column("indicator_id", "指标编码", "id", True),
            Column("round", "轮次", "round", True),
            Column("actual", "实际完成值", "text", True, blank_ok=True),
            Column("evidence", "佐证材料", "text"),
            Column("note", "备注", "text"),
        ),
        key=("project_id", "indicator_id", "round"),
    )
)


@dataclass
class Dataset:
    """The loaded tables (canonical column names, typed) and where each came from.

    Frames are indexed by the spreadsheet row number (index name ``row``) so any later
    message can point back at the user's file.
    """

    path: Path
    tables: dict[str, pd.DataFrame]
    sources: dict[str, str] = field(default_factory=dict)
    encodings: dict[str, str] = field(default_factory=dict)
    #: optional tables this load did not read (``load_dataset(only=...)``)
    not_read: set[str] = field(default_factory=set)
    #: free-text columns this load left unread, blank in the tables (``unread=...``)
    unread: frozenset[str] = frozenset()

    @property
    def units(self) -> pd.DataFrame:
        return self.tables["units"]

    @property
    def projects(self) -> pd.DataFrame:
        return self.tables["projects"]

    @property
    def indicators(self) -> pd.DataFrame:
        return self.tables["indicators"]

    @property
    def evaluations(self) -> pd.DataFrame:
        return self.tables["evaluations"]

    def table(self, name: str) -> pd.DataFrame:
        """A table by name; an optional table that was not supplied is empty."""
        return self.tables[name]

    def has(self, name: str) -> bool:
        return name in self.tables and not self.tables[name].empty

    def summary(self) -> pd.DataFrame:
        """Row counts per table, for the validation summary."""
        rows = [
            {
                "表": f"{spec.zh}（{name}）",
                "行数": len(self.tables[name]),
                "来源": self.sources.get(name, "—"),
            }
            for name, spec in TABLES.items()
            if name in self.tables and (spec.required or not self.tables[name].empty)
        ]
        return pd.DataFrame(rows, columns=["表", "行数", "来源"])


# ----------------------------------------------------------------------------- locating


def is_dataset(path: str | os.PathLike[str]) -> bool:
    """True for a folder holding a projects table or a workbook with a projects sheet."""
    p = Path(path)
    spec = TABLES["projects"]
    if p.is_dir():
        return find_csv(p, spec) is not None
    if p.suffix.lower() in {".xlsx", ".xlsm"} and p.exists():
        try:
            return find_sheet(list_sheets(p), spec) is not None
        except DataError:
            return False
    return False


def find_csv(folder: Path, spec: TableSpec) -> Path | None:
    wanted = {spec.name.lower(), spec.zh}
    for f in sorted(folder.iterdir()):
        if f.suffix.lower() == ".csv" and f.stem.strip().lower() in wanted:
            return f
    return None


def find_sheet(sheets: list[str], spec: TableSpec) -> str | None:
    wanted = {spec.name.lower(), spec.zh}
    return next((s for s in sheets if s.strip().lower() in wanted), None)


def _read_sources(
    path: Path, wanted: set[str] | None = None, unread: frozenset[str] = frozenset()
) -> Iterator[tuple[TableSpec, pd.DataFrame | None, str]]:
    """Each registered table with its raw text frame (None when absent) and a place name."""
    specs = [t for t in TABLES.values() if wanted is None or t.required or t.name in wanted]

    def keep(spec: TableSpec) -> Callable[[str], bool] | None:
        if not unread.intersection(c.name for c in spec.columns):
            return None
        known = _header_map(spec)
        return lambda header: _canonical(header, known) not in unread

    if path.is_dir():
        files = [find_csv(path, spec) for spec in specs]
        # the next files are read (Arrow, without the GIL) while this one is typed
        with ThreadPoolExecutor(max_workers=2) as pool:
            reads = [
                pool.submit(read_table, f, keep=keep(spec)) if f else None
                for spec, f in zip(specs, files, strict=True)
            ]
            try:
                for spec, f, read in zip(specs, files, reads, strict=True):
                    yield spec, (read.result() if read else None), (f.name if f else path.name)
            finally:
                for read in reads:
                    if read:
                        read.cancel()
    elif path.suffix.lower() in {".xlsx", ".xlsm"}:
        sheets = list_sheets(path)
        for spec in specs:
            s = find_sheet(sheets, spec)
            yield spec, (read_table(path, s, keep=keep(spec)) if s else None), path.name
    elif not path.exists():
        raise DataError([Problem(str(path), "数据集不存在：请给出一个 CSV 文件夹或 .xlsx 工作簿")])
    else:
        raise DataError([Problem(path.name, "数据集应为一个 CSV 文件夹或一个 .xlsx 工作簿")])


# ----------------------------------------------------------------------------- typing

_HEADER_NOTE = re.compile(r"[（(][^）)]*[）)]\s*$")


def _header_map(spec: TableSpec) -> dict[str, str]:
    m: dict[str, str] = {}
    for c in spec.columns:
        m[c.name.lower()] = c.name
        m[c.zh] = c.name
    return m


def canonical_headers(frame: pd.DataFrame, spec: TableSpec) -> dict[str, str]:
    """Map user headers to canonical names; a trailing note like （元） is ignored."""
    known = _header_map(spec)
    renames: dict[str, str] = {}
    for header in frame.columns:
        if header == ROW:
            continue
        name = _canonical(str(header), known)
        if name and name not in renames.values():
            renames[header] = name
    return renames


def _canonical(header: str, known: dict[str, str]) -> str | None:
    key = header.strip()
    return known.get(key.lower()) or known.get(key) or known.get(_HEADER_NOTE.sub("", key).strip())


def parse_number(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Numbers from text: thousands separators allowed ("1,000"), units are not ("12万").

    Returns (values as float, mask of cells that are filled but not a number).

    >>> v, bad = parse_number(pd.Series(["1,000", "12万", "", " 3.5 "]))
    >>> v.tolist()[0], bad.tolist()
    (1000.0, [False, True, False, False])
    """
    values, bad = to_number(text)
    return pd.Series(values, index=text.index), pd.Series(bad, index=text.index)


class _Collector:
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


#: Tables from this many rows have their columns typed on two threads.
_PARALLEL_ROWS = 200_000


def _type_table(
    frame: pd.DataFrame, spec: TableSpec, out: _Collector
) -> tuple[pd.DataFrame, list[Problem]]:
    """Type the columns (problems with cells go to ``out``); return structural problems."""
    frame = frame.set_index(ROW)
    frame.index.name = "row"
    structural = [
        Problem(out.source, f"缺少必填列 {c.name}（{c.zh}）")
        for c in spec.columns
        if c.required and c.name not in frame.columns
    ]
    if frame.empty:
        structural.append(Problem(out.source, "表中没有数据行"))
    if structural:
        return frame, structural
    present = [c for c in spec.columns if c.name in frame.columns]
    found = [_Collector(out.source, out.headers) for _ in present]
    jobs = zip(present, found, strict=True)
    if len(frame) >= _PARALLEL_ROWS:  # Arrow and numpy let go of the GIL: use both cores
        with ThreadPoolExecutor(max_workers=2) as pool:
            typed = list(pool.map(lambda job: _type_column(frame, *job), jobs))
    else:
        typed = [_type_column(frame, c, sub) for c, sub in jobs]
    for c, column, sub in zip(present, typed, found, strict=True):
        frame[c.name] = column
        out.problems += sub.problems  # in column order, whichever thread finished first
    for c in spec.columns:
        if c.name not in frame.columns:
            frame[c.name] = _blank(c, frame.index)
    # canonical columns first, the user's extra columns kept after them
    canonical = [c.name for c in spec.columns]
    return frame[canonical + [c for c in frame.columns if c not in canonical]], []


def _type_column(frame: pd.DataFrame, c: Column, out: _Collector) -> pd.Series:
    """Type one column, reporting cells that do not fit; work is done per distinct value."""
    column = frame[c.name]
    if c.kind == "text" and not c.required:  # free text (evidence, notes): kept as written
        return _text(column)
    # factorized as it is: Arrow-backed text is hashed in C, never turned into objects
    codes, uniques = factorize(column)
    if c.kind in {"id", "text"}:
        plain = _plain_text(uniques)
        if plain is not None:  # ids and names as written: only blanks to report
            if c.required and not c.blank_ok:
                out.rows(frame, plain[codes], c.name, "必填项为空")
            return _text(column)
    raw = np.asarray(uniques, dtype=object)
    texts = np.array([stripped(u) for u in raw], dtype=object)

    def spread(values: Any, dtype: Any = object) -> pd.Series:
        if dtype is object:  # text stays text (Arrow-backed), as read
            if len(texts) == len(values) and (values == raw).all():
                return _text(column)
            return pd.Series(pd.array(list(values), dtype=TEXT).take(codes), index=frame.index)
        return pd.Series(np.asarray(values, dtype=dtype)[codes], index=frame.index, dtype=dtype)

    s = spread(texts)
    blank = spread(texts == "", bool)
    if c.required and not c.blank_ok:
        out.rows(frame, blank, c.name, "必填项为空")
    if c.kind in {"money", "number", "year"}:
        numbers, bad_u = to_number(texts)
        values, bad = spread(numbers, float), spread(bad_u, bool)
        if c.kind == "year":
            wrong = ~values.isna() & (
                (values != np.floor(values)) | (values < 1990) | (values > 2100)
            )
            out.rows(frame, bad | wrong, c.name, "不是有效的年度（应为 4 位年份，如 2021）")
            return values.astype("Int64") if not (bad | wrong).any() else values
        hint = "（金额以元为单位，只填数字，如 120000 或 120,000）" if c.kind == "money" else ""
        out.rows(frame, bad, c.name, "不是数字" + hint)
        if c.kind == "money":
            out.rows(frame, values < 0, c.name, "金额不能为负数")
        return values
    if c.kind == "date":
        dates_u, bad_u = parse_dates(texts)
        out.rows(
            frame,
            spread(bad_u, bool),
            c.name,
            "不是有效的日期（应为 2021-06-30、2021/6/30、2021年6月30日 或 Excel 日期）",
        )
        return pd.Series(dates_u[codes], index=frame.index, dtype="datetime64[ns]")
    if c.kind == "bool":
        low = np.array([t.lower() for t in texts], dtype=object)
        yes, no = (
            spread(np.isin(low, list(TRUE_WORDS)), bool),
            spread(np.isin(low, list(FALSE_WORDS)), bool),
        )
        out.rows(frame, ~(yes | no | blank), c.name, "应为 是/否（也接受 yes/no、true/false、1/0）")
        return pd.Series(
            np.where(yes, True, np.where(no, False, pd.NA)), index=frame.index, dtype="boolean"
        )
    lookup: Callable[[str], str | None] | None = {
        "category": category_code,
        "level": level_code,
        "round": lambda x: ROUNDS.get(x.lower()),
    }.get(c.kind)
    if lookup is None:
        return s
    known_u = np.array([lookup(t) or "" for t in texts], dtype=object)
    unknown = spread((known_u == "") & (texts != ""), bool)
    message = {
        "category": "不是已知的项目类别（应为三项十类之一，或“其他”）",
        "level": "不是已知的层级（应为 " + "、".join(f"{k}/{v}" for k, v in LEVELS.items()) + "）",
        "round": "不是已知的评价轮次（应为 self/自评 或 review/复核）",
    }[c.kind]
    out.rows(frame, unknown, c.name, message)
    return spread(np.where(known_u == "", texts, known_u))


_EDGE_SPACE = f"^[{re.escape(SPACE)}]|[{re.escape(SPACE)}]$"


def _plain_text(uniques: pd.Index) -> np.ndarray | None:
    """Blank marks of distinct Arrow-backed values that need no stripping, else None.

    The check runs in Arrow, so a column of ids is typed without a Python string per value.
    """
    data: Any = uniques.array
    if not hasattr(data, "__arrow_array__") or uniques.hasnans:
        return None
    arrow = data.__arrow_array__()
    if pc.any(pc.match_substring_regex(arrow, _EDGE_SPACE)).as_py():
        return None
    return np.asarray(pc.equal(arrow, "").to_numpy(zero_copy_only=False), dtype=bool)


def _text(column: pd.Series) -> pd.Series:
    """A text column in the dataset's one text dtype (Arrow-backed; "" for empty cells)."""
    if column.dtype == TEXT:
        return column
    return column.fillna("").astype(str).astype(TEXT)


# ----------------------------------------------------------------------------- checks

Check = Callable[[Dataset, dict[str, _Collector]], None]
CHECKS: list[Check] = []


def check(func: Check) -> Check:
    """Register a dataset-wide check; it reports through the tables' collectors."""
    CHECKS.append(func)
    return func


def _duplicates(frame: pd.DataFrame, key: tuple[str, ...], out: _Collector) -> None:
    (codes,), space = key_codes(key, frame)
    if _all_distinct(codes, space):
        return
    dup = pd.Series(codes, index=frame.index).duplicated(keep="first")
    first = frame.reset_index().drop_duplicates(list(key)).set_index(list(key))["row"]
    cols = "、".join(out.col(k) for k in key)
    for row, ids in zip(
        frame.index[dup], frame.loc[dup, list(key)].itertuples(index=False), strict=True
    ):
        where = first.loc[tuple(ids) if len(key) > 1 else ids[0]]
        out.problems.append(
            Problem(
                out.source,
                f"与第 {where} 行重复（{cols} 须唯一）",
                int(row),
                out.col(key[-1]),
                "／".join(map(str, ids)),
            )
        )


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


def _all_distinct(codes: np.ndarray, space: int) -> bool:
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


def _unknown(
    frame: pd.DataFrame, key: list[str], known: pd.DataFrame, out: _Collector, message: str
) -> None:
    if frame.empty:
        return
    positions, _ = row_of(frame, key, known)
    out.rows(frame, positions < 0, key[-1], message)


@check
def _references(ds: Dataset, out: dict[str, _Collector]) -> None:
    units, projects = ds.units, ds.projects
    _unknown(projects, ["unit_id"], units, out["projects"], "单位编码在单位表中不存在")
    parents = units[units["parent_id"] != ""]
    _unknown(parents, ["parent_id"], units, out["units"], "上级单位编码在单位表中不存在")
    _unknown(ds.indicators, ["project_id"], projects, out["indicators"], "项目编码在项目表中不存在")
    _unknown(
        ds.evaluations,
        ["project_id", "indicator_id"],
        ds.indicators,
        out["evaluations"],
        "该项目下没有这个指标编码（绩效指标表中不存在）",
    )


@check
def _points_total(ds: Dataset, out: dict[str, _Collector]) -> None:
    ind = ds.indicators
    if ind.empty or ind["points"].isna().all():
        return
    c = out["indicators"]
    points = ind["points"].to_numpy(float)
    c.rows(ind, points < 0, "points", "分值不能为负数")
    codes, projects = factorize(ind["project_id"])
    totals = np.bincount(codes, weights=np.nan_to_num(points), minlength=len(projects))
    unreadable = np.bincount(codes, weights=np.isnan(points), minlength=len(projects)) > 0
    bad = np.flatnonzero((np.abs(totals - 100) > 1e-6) & ~unreadable)
    if not len(bad):
        return
    rows = ind.index.to_numpy()
    first_row = np.full(len(projects), np.iinfo(np.int64).max)
    np.minimum.at(first_row, codes, rows)
    for at in sorted(bad, key=lambda k: str(projects[k])):
        c.problems.append(
            Problem(
                c.source,
                f"项目 {projects[at]} 的指标分值合计为 {totals[at]:g}，应为 100",
                int(first_row[at]),
                c.col("points"),
            )
        )


@check
def _rules_and_params(ds: Dataset, out: dict[str, _Collector]) -> None:
    ind = ds.indicators
    if ind.empty:
        return
    c = out["indicators"]
    target, _ = parse_target(ind["target"])
    no_target = target.isna().to_numpy()
    rule_codes, rule_names = factorize(ind["rule"])
    param_codes, param_texts = factorize(ind["params"])
    n = max(len(param_texts), 1)
    combined = rule_codes.astype(np.int64) * n + param_codes
    present = np.zeros(len(rule_names) * n, dtype=bool)
    present[combined] = True
    pairs = sorted(
        (str(rule_names[g // n]), str(param_texts[g % n]), g) for g in np.flatnonzero(present)
    )
    for rule_name, params_text, g in pairs:
        in_group = combined == g
        rule = get_rule(rule_name)
        try:
            params = json.loads(params_text) if params_text else {}
        except json.JSONDecodeError as exc:
            message = f"不是有效的 JSON（{exc.msg}，第 {exc.pos + 1} 个字符）"
            c.rows(ind, in_group, "params", message)
            continue
        if rule is None:
            c.rows(ind, in_group, "rule", f"不是已知的评分方法（可选：{'、'.join(RULES)}）")
            continue
        for message in check_params(rule_name, params):
            c.rows(ind, in_group, "params", message)
        if rule.needs_target:
            message = f"{rule.title}（{rule.name}）需要数值型的年度指标值"
            c.rows(ind, in_group & no_target, "target", message)


_DATE = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[ T]0{1,2}:0{2}(?::0{2}(?:\.0+)?)?)?$"
)
#: Excel stores dates as days since 1899-12-30; serials outside this range are not dates
#: anyone means (1927 to 2173).
_EXCEL_SERIALS = (10_000, 100_000)


def parse_dates(texts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Dates from text as users write them: (datetime64 values, NaT where blank or bad; bad mask).

    Accepts 2021-06-30, 2021/6/30, 2021.6.30, 2021年6月30日, the "2021-06-30 00:00:00" an
    Excel date cell reads as, and an Excel date serial (44377).

    >>> v, bad = parse_dates(np.array(["2021/6/30", "44377", "2021-02-30", ""], dtype=object))
    >>> [str(x)[:10] for x in v], bad.tolist()
    (['2021-06-30', '2021-06-30', 'NaT', 'NaT'], [False, False, True, False])
    """
    values = np.full(len(texts), np.datetime64("NaT"), dtype="datetime64[ns]")
    bad = np.zeros(len(texts), dtype=bool)
    for i, text in enumerate(texts):  # called on distinct values only
        s = "" if text is None else str(text).strip()
        if not s:
            continue
        m = _DATE.match(s)
        try:
            if m:
                day = datetime.date(int(m[1]), int(m[2]), int(m[3]))
            else:
                serial = float(s)
                if not (_EXCEL_SERIALS[0] <= serial < _EXCEL_SERIALS[1] and serial.is_integer()):
                    raise ValueError(s)
                day = datetime.date(1899, 12, 30) + datetime.timedelta(days=int(serial))
        except ValueError:
            bad[i] = True
            continue
        values[i] = np.datetime64(day, "ns")
    return values, bad


def parse_target(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """A target or actual as a number: "≥95%", "95%", "≤ 1,000" read as 95, 95, 1000.

    >>> parse_target(pd.Series(["≥95%", "<=3", "好"]))[0].tolist()[:2]
    [95.0, 3.0]
    """
    values, bad = to_number(text, decorated=True)
    return pd.Series(values, index=text.index), pd.Series(bad, index=text.index)


# ----------------------------------------------------------------------------- loading


def load_dataset(
    path: str | os.PathLike[str],
    *,
    only: Iterable[str] | None = None,
    unread: Iterable[str] = (),
) -> Dataset:
    """Load and check a dataset; raise one DataError listing every problem found.

    Returns the tables with canonical English column names, typed columns (money and
    points as float, booleans as nullable boolean, categories and levels as codes) and
    the spreadsheet row number as the index. ``only`` names the optional tables to read
    (default: all); the others are left unread and listed in ``Dataset.not_read``, so a
    job that needs the core tables alone (scoring) does not pay for monitoring data.
    ``unread`` names optional free-text columns (no check reads them, e.g. evidence) to
    leave unread: they are blank in the tables and listed in ``Dataset.unread``.
    """
    wanted = None if only is None else set(only)
    skipped = frozenset(unread)
    for name in skipped:
        kinds = {
            c.kind == "text" and not c.required
            for t in TABLES.values()
            for c in t.columns
            if c.name == name
        }
        if kinds != {True}:
            raise ValueError(f"only optional free-text columns can be left unread, not {name!r}")
    p = Path(path)
    tables: dict[str, pd.DataFrame] = {}
    sources: dict[str, str] = {}
    encodings: dict[str, str] = {}
    collectors: dict[str, _Collector] = {}
    problems: list[Problem] = []
    structural: list[Problem] = []
    for spec, raw, place in _read_sources(p, wanted, skipped):
        if raw is None:
            tables[spec.name] = _empty(spec)
            collectors[spec.name] = _Collector(place, {})
            if spec.required:
                names = spec.file_names if p.is_dir() else f"工作表 {spec.name} 或 {spec.zh}"
                structural.append(Problem(place, f"缺少表 {spec.zh}（{spec.name}）：应有 {names}"))
            continue
        source = str(raw.attrs.get("source", place))
        renames = canonical_headers(raw, spec)
        out = _Collector(source, {v: k for k, v in renames.items()})
        frame, broken = _type_table(raw.rename(columns=renames), spec, out)
        structural += broken
        tables[spec.name] = frame
        sources[spec.name] = source
        encodings[spec.name] = str(raw.attrs.get("encoding", ""))
        collectors[spec.name] = out
    if structural:  # cell checks and cross-table checks would only add noise
        raise DataError(structural, title=f"数据集 {p.name} 有问题")
    not_read = {name for name in TABLES if name not in tables}
    for name in not_read:  # checks see them empty; optional_table() refuses to
        tables[name] = _empty(TABLES[name])
        collectors[name] = _Collector(p.name, {})
    ds = Dataset(p, tables, sources, encodings, not_read, skipped)
    for spec in TABLES.values():
        if spec.key and not tables[spec.name].empty:
            _duplicates(tables[spec.name], spec.key, collectors[spec.name])
    for func in CHECKS:
        func(ds, collectors)
    problems = [
        pr
        for name in TABLES
        for pr in sorted(collectors[name].problems, key=lambda pr: pr.row or 0)
    ]
    if problems:
        raise DataError(problems, title=f"数据集 {p.name} 有问题")
    return ds


def _empty(spec: TableSpec) -> pd.DataFrame:
    frame = pd.DataFrame({c.name: pd.Series(dtype=_dtype(c)) for c in spec.columns})
    frame.index.name = "row"
    return frame


def _blank(c: Column, index: pd.Index) -> pd.Series:
    """An optional column the user left out, typed as if every cell were empty."""
    if c.kind in {"money", "number"}:
        return pd.Series(np.nan, index=index, dtype=float)
    if c.kind in {"year", "bool"}:
        return pd.Series(pd.NA, index=index, dtype=_dtype(c))
    if c.kind == "date":
        return pd.Series(pd.NaT, index=index, dtype=_dtype(c))
    # n empty strings: offsets all zero and no characters, made in Arrow directly
    offsets = pa.py_buffer(np.zeros(len(index) + 1, dtype=np.int64))
    empty = pa.LargeStringArray.from_buffers(len(index), offsets, pa.py_buffer(b""))
    return pd.Series(pd.array(pa.chunked_array([empty]), dtype=TEXT), index=index)


def _dtype(c: Column) -> Any:
    return {
        "money": float,
        "number": float,
        "year": "Int64",
        "bool": "boolean",
        "date": "datetime64[ns]",
    }.get(c.kind, TEXT)
