"""Imported forms as the tables of a jxkit dataset, and that dataset written out.

Units get ids derived from their names (the same in every run) unless a units file maps
them; their level is read from the name (省总工会 province, 市总工会 city, 县/区 county,
other 工会 industry) unless the file says it. Rows are sorted by id, so the output does
not depend on the order the forms were given in.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..dataset.schema import TABLES
from ..dataset.tables import atomic_path, read_table, write_table
from ..errors import DataError, Problem
from ..text import stripped
from .notation import format_number
from .read import Form, stable_id

__all__ = ["UnitMap", "form_tables", "read_unit_map", "write_dataset"]

#: The tables an import writes, in order.
IMPORTED = ("units", "projects", "indicators", "evaluations", "published")


@dataclass(frozen=True)
class UnitMap:
    """Unit names mapped to ids (and levels, parents) by the user's units file."""

    ids: dict[str, str]
    levels: dict[str, str]
    parents: dict[str, str]


def read_unit_map(path: str | os.PathLike[str] | None) -> UnitMap:
    """``--units FILE``: a table with 单位名称 and 单位编码 (层级, 上级单位编码 optional)."""
    if path is None:
        return UnitMap({}, {}, {})
    frame = read_table(path)
    spec = TABLES["units"]
    names = {c.zh: c.name for c in spec.columns} | {c.name: c.name for c in spec.columns}
    frame = frame.rename(columns=lambda h: names.get(str(h).strip(), h))
    if not {"name", "unit_id"} <= set(frame.columns):
        raise DataError(
            [
                Problem(
                    Path(path).name,
                    "单位对照表应有“单位名称”和“单位编码”两列（可加“层级”“上级单位编码”）",
                )
            ]
        )
    ids, levels, parents = {}, {}, {}
    for r in frame.itertuples(index=False):
        name = stripped(r.name)
        if name:
            ids[name] = stripped(r.unit_id)
            if getattr(r, "level", ""):
                levels[name] = stripped(r.level)
            if getattr(r, "parent_id", ""):
                parents[name] = stripped(r.parent_id)
    return UnitMap(ids, levels, parents)


def level_of(name: str, department_level: str = "") -> str:
    """The level a union's name says; a unit that is not a union (a 服务中心) takes its
    主管部门's level.

    >>> [level_of(n) for n in ("浙江省总工会", "杭州市总工会", "淳安县总工会", "浙江省教育工会")]
    ['province', 'city', 'county', 'industry']
    >>> level_of("浙江省职工服务中心", "province"), level_of("鹿城区总工会")
    ('province', 'county')
    """
    if not name.endswith("工会") and department_level:
        return department_level
    if name.endswith("省总工会"):
        return "province"
    if name.endswith(("县总工会", "区总工会", "县（市）总工会")):
        return "county"
    if name.endswith("市总工会"):
        return "city"
    return "industry"


def form_tables(forms: Sequence[Form], units: UnitMap) -> dict[str, pd.DataFrame]:
    """The dataset tables of the forms (every column of each table's schema, as text)."""
    unit_rows: dict[str, dict[str, str]] = {}

    def unit_id(name: str) -> str:
        return units.ids.get(name) or stable_id("DW", name)

    for f in sorted(forms, key=lambda f: f.project_id):
        for name, parent in ((f.department, ""), (f.unit, f.department)):
            uid = unit_id(name)
            parent_level = unit_rows[unit_id(parent)]["level"] if parent else ""
            parent_id = units.parents.get(name) or (
                unit_id(parent) if parent and parent != name else ""
            )
            row = unit_rows.setdefault(
                uid,
                {
                    "unit_id": uid,
                    "name": name,
                    "level": units.levels.get(name) or level_of(name, parent_level),
                    "parent_id": "",
                    "region": "",
                },
            )
            row["parent_id"] = row["parent_id"] or parent_id
    projects, indicators, evaluations, published = [], [], [], []
    for f in sorted(forms, key=lambda f: f.project_id):
        pid = f.project_id
        projects.append(
            {
                "project_id": pid,
                "unit_id": unit_id(f.unit),
                "year": str(f.year),
                "name": f.name,
                "category": "other",
                "budget": _money(f.budget),
                "spent": _money(f.spent),
                "self_evaluated": "是",
            }
        )
        for r in f.rows:
            indicators.append(
                {
                    "project_id": pid,
                    "indicator_id": r.indicator_id,
                    "level1": r.level1,
                    "level2": r.level2,
                    "name": r.name,
                    "points": _num(r.points),
                    "rule": r.rule,
                    "target": r.target,
                    "params": r.params,
                    "unit_of_measure": r.unit_of_measure,
                }
            )
            if r.rule != "execution_rate":
                evaluations.append(
                    {
                        "project_id": pid,
                        "indicator_id": r.indicator_id,
                        "round": "self",
                        "actual": r.actual,
                        "note": r.note,
                    }
                )
            published.append(
                {
                    "project_id": pid,
                    "indicator_id": r.indicator_id,
                    "points": _num(r.points),
                    "score": _num(r.score),
                    "target_text": r.target_text,
                    "actual_text": r.actual_text,
                    "rate_text": r.rate_text,
                    "file": f.file,
                    "sheet": f.sheet,
                    "cells": json.dumps(r.cells, ensure_ascii=False),
                }
            )
        published.append(
            {
                "project_id": pid,
                "indicator_id": "",
                "points": _num(f.total_points),
                "score": _num(f.total_score),
                "file": f.file,
                "sheet": f.sheet,
                "cells": json.dumps(f.cells, ensure_ascii=False),
            }
        )
    rows = {
        "units": sorted(unit_rows.values(), key=lambda r: r["unit_id"]),
        "projects": projects,
        "indicators": indicators,
        "evaluations": evaluations,
        "published": published,
    }
    return {
        name: pd.DataFrame(rows[name], columns=[c.name for c in TABLES[name].columns])
        .astype(object)
        .fillna("")
        for name in IMPORTED
    }


def _num(x: float | None) -> str:
    return "" if x is None else format_number(x)


def _money(x: float | None) -> str:
    return "" if x is None else f"{x:.2f}".rstrip("0").rstrip(".")


def write_dataset(tables: dict[str, pd.DataFrame], out: str | os.PathLike[str]) -> Path:
    """A CSV folder (one file per table) or, for a ``.xlsx`` path, one workbook; atomic."""
    target = Path(out)
    if target.suffix.lower() == ".xlsx":
        with atomic_path(target) as tmp, pd.ExcelWriter(tmp, engine="openpyxl") as book:
            for name, frame in tables.items():
                frame.to_excel(book, sheet_name=name, index=False)
        return target
    for name, frame in tables.items():
        write_table(frame, target / f"{name}.csv")
    return target
