"""Loading a dataset: find its tables, read them as text, type them, check them all.

A dataset is a folder of CSV files or one .xlsx workbook whose sheets carry the table
names (:mod:`jxkit.dataset.schema`). :func:`load_dataset` collects every problem with its
place (file or sheet, spreadsheet row, column) before raising one :class:`DataError`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import DataError, Problem
from .checks import checks, duplicates
from .problems import Collector
from .schema import TABLES, TableSpec
from .sheets import sheet_states
from .tables import ROW, list_sheets, read_table
from .values import (
    canonical_headers,
    canonical_name,
    empty_table,
    header_clashes,
    header_map,
    type_table,
)

__all__ = [
    "Dataset",
    "csv_files",
    "find_csv",
    "find_sheet",
    "is_dataset",
    "load_dataset",
    "optional_table",
    "table_sheets",
]


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


def is_dataset(path: str | os.PathLike[str]) -> bool:
    """True for a folder holding a projects table or a workbook with a projects sheet."""
    p = Path(path)
    spec = TABLES["projects"]
    if p.is_dir():
        return bool(csv_files(p, spec))
    if p.suffix.lower() in {".xlsx", ".xlsm"} and p.exists():
        try:
            return bool(table_sheets(list_sheets(p), spec))
        except DataError:
            return False
    return False


def find_csv(folder: Path, spec: TableSpec) -> Path | None:
    """The table's CSV file in a dataset folder; two files for one table are an error."""
    found = csv_files(folder, spec)
    if len(found) > 1:
        raise DataError([_two_tables(folder.name, spec, [f.name for f in found], "文件")])
    return found[0] if found else None


def csv_files(folder: Path, spec: TableSpec) -> list[Path]:
    """Every CSV file in ``folder`` named for the table (``projects.csv``, ``项目.csv``)."""
    wanted = {spec.name.lower(), spec.zh}
    return [
        f
        for f in sorted(folder.iterdir())
        if f.suffix.lower() == ".csv" and f.stem.strip().lower() in wanted and f.is_file()
    ]


def find_sheet(sheets: list[str], spec: TableSpec) -> str | None:
    """The table's sheet in a workbook; two sheets for one table are an error."""
    found = table_sheets(sheets, spec)
    if len(found) > 1:
        raise DataError([_two_tables("", spec, found, "工作表")])
    return found[0] if found else None


def table_sheets(sheets: list[str], spec: TableSpec) -> list[str]:
    """Every sheet named for the table (``projects``, ``项目``), in workbook order."""
    wanted = {spec.name.lower(), spec.zh}
    return [s for s in sheets if s.strip().lower() in wanted]


def _two_tables(place: str, spec: TableSpec, names: list[str], kind: str) -> Problem:
    both = "与".join(f"“{n}”" for n in names)
    return Problem(
        place,
        f"{both}都是{spec.zh}表（{spec.name}），无法确定用哪一个：请只保留一个{kind}"
        "（删去另一个或改名）",
    )


def _ambiguities(path: Path, specs: Iterable[TableSpec]) -> list[Problem]:
    """Two files or sheets for one table, or a hidden sheet of a table's name: never guessed."""
    problems = []
    if path.is_dir():
        for spec in specs:
            files = csv_files(path, spec)
            if len(files) > 1:
                problems.append(_two_tables(path.name, spec, [f.name for f in files], "文件"))
    elif path.suffix.lower() in {".xlsx", ".xlsm"} and path.exists():
        states = sheet_states(path)
        for spec in specs:
            found = table_sheets(list(states), spec)
            hidden = [s for s in found if states[s] != "visible"]
            if len(found) > 1:
                problem = _two_tables(path.name, spec, found, "工作表")
                if hidden:
                    note = f"（其中“{'”“'.join(hidden)}”是隐藏的工作表）"
                    problem = Problem(path.name, problem.message.replace("，无法", note + "，无法"))
                problems.append(problem)
            elif hidden:
                problems.append(
                    Problem(
                        path.name,
                        f"{spec.zh}表（{spec.name}）的工作表“{hidden[0]}”是隐藏的："
                        "请确认它是要用的数据并取消隐藏，否则删除它",
                    )
                )
    return problems


def _read_sources(
    path: Path, wanted: set[str] | None = None, unread: frozenset[str] = frozenset()
) -> Iterator[tuple[TableSpec, pd.DataFrame | None, str]]:
    """Each registered table with its raw text frame (None when absent) and a place name."""
    specs = [t for t in TABLES.values() if wanted is None or t.required or t.name in wanted]

    def keep(spec: TableSpec) -> Callable[[str], bool] | None:
        if not unread.intersection(c.name for c in spec.columns):
            return None
        known = header_map(spec)
        return lambda header: canonical_name(header, known) not in unread

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
    ambiguous = _ambiguities(p, TABLES.values())
    if ambiguous:
        raise DataError(ambiguous, title=f"数据集 {p.name} 有问题")
    tables: dict[str, pd.DataFrame] = {}
    sources: dict[str, str] = {}
    encodings: dict[str, str] = {}
    collectors: dict[str, Collector] = {}
    problems: list[Problem] = []
    structural: list[Problem] = []
    for spec, raw, place in _read_sources(p, wanted, skipped):
        if raw is None:
            tables[spec.name] = empty_table(spec)
            collectors[spec.name] = Collector(place, {})
            if spec.required:
                names = spec.file_names if p.is_dir() else f"工作表 {spec.name} 或 {spec.zh}"
                missing = f"缺少表 {spec.zh}（{spec.name}）：应有 {names}"
                structural.append(Problem(place, missing + _near_misses(p, spec)))
            continue
        source = str(raw.attrs.get("source", place))
        clashes = header_clashes([str(c) for c in raw.columns], spec)
        if clashes:
            structural += [_header_clash(raw, spec, *clash, source) for clash in clashes]
            continue
        renames = canonical_headers(raw, spec)
        structural += _cell_problems(raw, renames, source)
        structural += _header_rows(raw, renames, spec, source)
        out = Collector(source, {v: k for k, v in renames.items()})
        frame, broken = type_table(raw.rename(columns=renames), spec, out)
        if broken and not renames:
            broken += _title_row(raw, source)
        structural += broken
        # what attrs carried (file, headers as written) is for the messages above: pandas
        # would deep-copy it into every frame derived from the table, a cost on each operation
        frame.attrs = {}
        tables[spec.name] = frame
        sources[spec.name] = source
        encodings[spec.name] = str(raw.attrs.get("encoding", ""))
        collectors[spec.name] = out
    if structural:  # cell checks and cross-table checks would only add noise
        raise DataError(structural, title=f"数据集 {p.name} 有问题")
    not_read = {name for name in TABLES if name not in tables}
    for name in not_read:  # checks see them empty; Dataset.table() refuses to
        tables[name] = empty_table(TABLES[name])
        collectors[name] = Collector(p.name, {})
    ds = Dataset(p, tables, sources, encodings, not_read, skipped)
    repeated = False
    for spec in TABLES.values():
        if spec.key and not tables[spec.name].empty:
            before = len(collectors[spec.name].problems)
            duplicates(tables[spec.name], spec.key, collectors[spec.name])
            repeated |= len(collectors[spec.name].problems) > before
    if not repeated:  # the checks across tables look rows up by key: keys must be unique
        for func in checks():
            func(ds, collectors)
    problems = [
        pr
        for name in TABLES
        for pr in sorted(collectors[name].problems, key=lambda pr: pr.row or 0)
    ]
    if problems:
        raise DataError(problems, title=f"数据集 {p.name} 有问题")
    return ds


def _near_misses(folder: Path, spec: TableSpec) -> str:
    """A hint naming files that look meant for a missing table (``projects.xlsx``,
    ``项目.csv.csv`` from a system that hides extensions, ``projects.csv `` with a space)."""
    if not folder.is_dir():
        return ""
    stems = (spec.name.lower(), spec.zh)

    def meant(name: str) -> bool:
        plain = name.strip().lower()
        if not plain.startswith(tuple(f"{s}." for s in stems)):
            return False
        return not plain.endswith(".csv") or plain.endswith(".csv.csv") or name != name.strip()

    near = [f.name for f in sorted(folder.iterdir()) if f.is_file() and meant(f.name)]
    if not near:
        return ""
    shown = "、".join(f"“{n}”" for n in near[:3])
    return f"（文件夹中有 {shown}：请把它改名为（或另存为 CSV UTF-8 格式的）{spec.name}.csv）"


def _header_clash(
    raw: pd.DataFrame, spec: TableSpec, first: int, second: int, name: str, source: str
) -> Problem:
    """Two columns for one thing: both named as written, with their positions."""
    written = raw.attrs.get("headers") or [str(c) for c in raw.columns]

    def shown(at: int) -> str:
        header = written[at]
        base = header.rsplit(".", 1)[0]  # pandas reads a repeated "x" as "x.1"
        if base != header and base in written and header.rsplit(".", 1)[1].isdigit():
            header = base
        return f"列“{header}”（第 {at + 1} 列）"

    return Problem(
        source,
        f"{shown(first)}与{shown(second)}都是 {spec.column(name).zh}（{name}），无法确定用哪一列："
        "请删去其中一列，或把不用的一列改名",
    )


def _header_rows(
    raw: pd.DataFrame, renames: dict[str, str], spec: TableSpec, source: str
) -> list[Problem]:
    """Rows that repeat the header (two files pasted together): one message, not one per cell.

    Only the first key column is compared, in Arrow: nothing is done per row in Python.
    """
    if not renames or raw.empty:
        return []
    header = next((h for h, name in renames.items() if name in spec.key), next(iter(renames)))
    # a second file's byte-order mark comes along when two files are pasted together
    written = [header, "\ufeff" + header]
    data: Any = raw[header].array
    if hasattr(data, "__arrow_array__"):
        arrow = data.__arrow_array__()
        hit = pc.is_in(arrow, value_set=pa.array(written, type=arrow.type))
        if not pc.any(hit).as_py():
            return []
        again = np.asarray(hit.to_numpy(zero_copy_only=False), dtype=bool)
    else:
        again = raw[header].isin(written).to_numpy(dtype=bool)
    if not again.any():
        return []
    rows = [int(r) for r in raw[ROW].to_numpy()[again]]
    return [_rows_problem(source, rows, "重复了表头（可能是把两个文件拼在了一起）：请删去")]


def _rows_problem(source: str, rows: list[int], what: str) -> Problem:
    """One problem for many rows: "第 5、9 行（共 2 行）…", or the row itself when alone."""
    if len(rows) == 1:
        return Problem(source, f"这一行{what}这一行", rows[0])
    shown = "、".join(map(str, rows[:10])) + ("……" if len(rows) > 10 else "")
    return Problem(source, f"第 {shown} 行（共 {len(rows)} 行）{what}这些行")


def _title_row(raw: pd.DataFrame, source: str) -> list[Problem]:
    """A hint when the first row is a title ("2021年单位表") rather than the header."""
    named = [c for c in raw.columns if c != ROW and not _NO_HEADER.match(str(c))]
    if len(named) != 1:
        found = "、".join(f"“{c}”" for c in named[:12])
        return (
            [Problem(source, f"表头（第 1 行）中没有可识别的列名，现有：{found}")] if named else []
        )
    only = str(named[0])
    marks = {mark: only.count(mark) for mark in _SEPARATORS}
    mark = max(marks, key=lambda m: marks[m])
    if marks[mark]:
        return [
            Problem(
                source,
                f"表头“{only}”是用{_SEPARATORS[mark]}分隔的，而不是逗号：请在 Excel 中打开，"
                "另存为“CSV UTF-8（逗号分隔）”后重试",
            )
        ]
    return [
        Problem(
            source,
            f"第 1 行只有“{only}”一格，像是标题行：表头（列名）应在第 1 行，请删去上方的标题行",
        )
    ]


#: Separators other than the comma that files come with, and their names.
_SEPARATORS = {";": "分号（;）", "\t": "制表符（Tab）", "|": "竖线（|）", "，": "中文逗号（，）"}


#: Headers made up for blank header cells (by our Excel reader and by pandas).
_NO_HEADER = re.compile(r"^(?:第 \d+ 列|Unnamed: \d+(?:_level_\d+)?)$")


def _cell_problems(raw: pd.DataFrame, renames: dict[str, str], source: str) -> list[Problem]:
    """Excel cells no value can be read from (``#REF!``, a formula never calculated, a merged
    cell), in the columns the dataset uses."""
    found = raw.attrs.get("cell_problems", [])
    headers = list(raw.columns)
    return [
        Problem(source, message, row or None, headers[at] if at >= 0 else None, value or None)
        for row, at, value, message in found
        if at < 0 or (at < len(headers) and headers[at] in renames)
    ]


def optional_table(dataset: Dataset, name: str) -> pd.DataFrame:
    """An optional table of the dataset (empty when the user has none).

    A dataset loaded with ``only=`` never read the others; treating such a table as absent
    would silently drop the user's data, so asking for it is an error.
    """
    if name not in dataset.tables or name in dataset.not_read:
        zh = TABLES[name].zh if name in TABLES else name
        raise DataError(
            f"数据集 {dataset.path.name} 加载时未读取{zh}表（{name}），该表未被读取："
            "请不带 only= 重新调用 load_dataset"
        )
    return dataset.tables[name]
