"""The dataset: every table drawn from one seed (:func:`synth_dataset`), the column order
of each (:data:`TABLE_COLUMNS`), and writing it as CSV and Excel (:func:`write_dataset`)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ..dataset.tables import atomic_path
from ..errors import DataError, Problem
from ..frameworks import INDICATOR_COLUMNS
from .indicators import draw_indicators, project_frameworks
from .process import draw_process
from .projects import draw_projects
from .targets import Edit
from .units import unit_hierarchy
from .values import draw_evaluations

__all__ = ["TABLE_COLUMNS", "synth_dataset", "write_dataset"]

#: Columns of the projects table drawn first (what the ``reviewed`` callback receives).
BASE_PROJECT_COLUMNS = (
    "project_id",
    "unit_id",
    "year",
    "name",
    "category",
    "budget",
    "spent",
    "new_major",
    "cross_year",
    "targets_declared",
    "targets_approved",
    "self_evaluated",
)
#: Column order of each table written (the dataset contract).
TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "units": ("unit_id", "name", "level", "parent_id", "region"),
    "projects": (
        *BASE_PROJECT_COLUMNS,
        "has_basis",
        "collective_decision",
        "start_date",
        "end_date",
        "rectified",
    ),
    "indicators": INDICATOR_COLUMNS,
    "evaluations": ("project_id", "indicator_id", "round", "actual", "evidence", "note"),
    "exante": ("project_id", "dimension", "score", "points", "note"),
    "monitoring": (
        "project_id",
        "as_of",
        "indicator_id",
        "spent_to_date",
        "progress",
        "expected",
        "likelihood",
        "reason",
    ),
    "unit_indicators": ("unit_id", "year", *INDICATOR_COLUMNS[1:]),
    "unit_evaluations": ("unit_id", "year", "indicator_id", "round", "actual", "evidence", "note"),
    "assessment": ("unit_id", "year", "indicator_id", "actual", "evidence", "note"),
}
EXCEL_MAX_ROWS = 1_048_575


def synth_dataset(
    n_projects: int,
    seed: int,
    *,
    years: Sequence[int] = (2019, 2020, 2021),
    review_share: float = 0.3,
    reviewed: Callable[[pd.DataFrame], Iterable[str]] | None = None,
    new_major: Iterable[str] | None = None,
    edits: Iterable[Edit] = (),
) -> dict[str, pd.DataFrame]:
    """A realistic fake dataset: every table of :data:`TABLE_COLUMNS`.

    Units scale with ``n_projects`` (60 projects give 1 province, 4 cities, 2 industry
    unions and 4 counties; from about 1,400 projects, all 11 cities and 90 counties).
    ``review_share`` is the share of self-evaluated projects that also get review values;
    ``reviewed``, when given, picks them instead: it receives the projects table and
    returns the ids to review (e.g. a re-evaluation sample drawn with a public seed).
    ``new_major``, when given, names the new major projects (assessed ex ante) instead of
    the drawn ones. ``edits`` (:mod:`jxkit.synth.targets`) then plant declared-target
    problems in named projects. The tables hold text the way users write it (是/否, 不适用), ready for
    :func:`write_dataset` and :func:`jxkit.load_dataset`.
    """
    problems = []
    if n_projects < 1:
        problems.append(Problem("synth", f"项目数应至少为 1，而不是 {n_projects}"))
    if not years:
        problems.append(Problem("synth", "至少需要一个年度"))
    if not 0 <= review_share <= 1:
        problems.append(Problem("synth", f"复核比例应在 0 到 1 之间，而不是 {review_share}"))
    if problems:
        raise DataError(problems, title="生成模拟数据的参数有问题")
    # spawn(n)[:4] is the same for any n: the fifth stream leaves the first four unchanged
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(5)]
    frameworks = project_frameworks()
    units = unit_hierarchy(n_projects)
    projects, quality = draw_projects(streams[0], units, n_projects, tuple(int(y) for y in years))
    indicators, facts, variants = draw_indicators(streams[1], projects, frameworks)
    chosen = (
        None
        if reviewed is None
        else {str(i) for i in reviewed(projects.loc[:, list(BASE_PROJECT_COLUMNS)])}
    )
    evaluations = draw_evaluations(
        streams[2], projects, quality, facts, variants, review_share, units, chosen
    )
    tables = {
        "units": units.loc[:, list(TABLE_COLUMNS["units"])],
        "projects": projects,
        "indicators": indicators,
        "evaluations": evaluations,
    }
    tables |= draw_process(streams[4], tables, units, quality, new_major)
    tables["projects"] = tables["projects"].loc[:, list(TABLE_COLUMNS["projects"])]
    for edit in edits:
        edit(tables)
    return {name: tables[name] for name in TABLE_COLUMNS}


def write_dataset(
    tables: dict[str, pd.DataFrame], out_dir: str | os.PathLike[str], *, xlsx: Path | None = None
) -> list[Path]:
    """Write one CSV per table (UTF-8 with BOM, atomic), and optionally one workbook.

    The workbook has one sheet per table with the same names; it is refused when a table
    has more rows than Excel can hold, rather than silently truncated.
    """
    out = Path(out_dir)
    written = []
    names = [n for n in TABLE_COLUMNS if n in tables]
    for name in names:
        with atomic_path(out / f"{name}.csv") as tmp:
            tmp.write_text(_csv_text(tables[name]), encoding="utf-8-sig", newline="")
        written.append(out / f"{name}.csv")
    if xlsx is not None:
        too_big = [n for n in names if len(tables[n]) > EXCEL_MAX_ROWS]
        if too_big:
            raise DataError(
                [
                    Problem(Path(xlsx).name, f"表 {n} 有 {len(tables[n])} 行，超过 Excel 单表上限")
                    for n in too_big
                ],
                title="数据过大，无法写成 Excel 工作簿（请只用 CSV）",
            )
        with atomic_path(xlsx) as tmp, pd.ExcelWriter(tmp, engine="openpyxl") as book:
            for name in names:
                tables[name].to_excel(book, sheet_name=name, index=False)
        written.append(Path(xlsx))
    return written


def _csv_text(frame: pd.DataFrame) -> str:
    """The frame as CSV text, quoted as pandas and Excel do; whole floats without ".0".

    Several times faster than ``DataFrame.to_csv`` on millions of rows because columns
    repeat heavily: each distinct value is formatted and quoted once.
    """
    columns = []
    for name in frame.columns:
        codes, distinct = pd.factorize(frame[name], use_na_sentinel=False)
        texts = np.array([_csv_field(v) for v in distinct], dtype=object)
        columns.append(texts[codes])
    header = ",".join(_csv_field(c) for c in frame.columns)
    return "\n".join([header, *map(",".join, zip(*columns, strict=True))]) + "\n"


def _csv_field(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # whole yuan read as 368000, not 368000.0
    text = str(value)
    if any(c in text for c in ',"\n\r'):
        return '"' + text.replace('"', '""') + '"'
    return text
