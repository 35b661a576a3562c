"""Loading a dataset: find its tables, read them as text, type them, check them all.

A dataset is a folder of CSV files or one .xlsx workbook whose sheets carry the table
names (:mod:`jxkit.dataset.schema`). :func:`load_dataset` collects every problem with its
place (file or sheet, spreadsheet row, column) before raising one :class:`DataError`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import DataError, Problem
from .checks import checks, duplicates
from .problems import Collector
from .schema import TABLES, TableSpec
from .tables import list_sheets, read_table
from .values import canonical_headers, canonical_name, empty_table, header_map, type_table

__all__ = ["Dataset", "find_csv", "find_sheet", "is_dataset", "load_dataset", "optional_table"]


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
                structural.append(Problem(place, f"缺少表 {spec.zh}（{spec.name}）：应有 {names}"))
            continue
        source = str(raw.attrs.get("source", place))
        renames = canonical_headers(raw, spec)
        out = Collector(source, {v: k for k, v in renames.items()})
        frame, broken = type_table(raw.rename(columns=renames), spec, out)
        structural += broken
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
    for spec in TABLES.values():
        if spec.key and not tables[spec.name].empty:
            duplicates(tables[spec.name], spec.key, collectors[spec.name])
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
