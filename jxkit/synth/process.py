"""The whole process, from a fifth stream (so the other tables do not change): the projects'
process columns (basis, collective decision, cross-year spans) and the ex-ante, monitoring,
unit-level and assessment tables."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from .exante import draw_exante
from .monitoring import draw_monitoring
from .unit_level import draw_assessment, draw_unit_tables
from .wording import yes_no


def draw_process(
    rng: np.random.Generator,
    tables: dict[str, pd.DataFrame],
    units: pd.DataFrame,
    quality: np.ndarray,
    new_major: Iterable[str] | None,
) -> dict[str, pd.DataFrame]:
    """The whole-process tables, and the projects with their process columns."""
    projects = tables["projects"].copy()
    if new_major is not None:
        projects["new_major"] = yes_no(projects["project_id"].isin(list(new_major)).to_numpy())
    projects = _project_process(rng, projects)
    unit_indicators, unit_evaluations, unit_quality = draw_unit_tables(rng, units, projects)
    return {
        "projects": projects,
        "exante": draw_exante(rng, projects, quality),
        "monitoring": draw_monitoring(rng, projects, quality, tables),
        "unit_indicators": unit_indicators,
        "unit_evaluations": unit_evaluations,
        "assessment": draw_assessment(rng, units, projects, unit_quality),
    }


def _project_process(rng: np.random.Generator, projects: pd.DataFrame) -> pd.DataFrame:
    """Basis and collective decision of new major projects; spans of cross-year projects."""
    major = (projects["new_major"] == "是").to_numpy()
    capital = major & (projects["category"] == "facility_construction").to_numpy()
    # the first capital project has no collective decision on record
    undecided = np.zeros(len(projects), dtype=bool)
    if capital.any():
        undecided[np.flatnonzero(capital)[0]] = True
    projects["has_basis"] = np.where(major, "是", "")
    projects["collective_decision"] = np.where(major, np.where(undecided, "否", "是"), "")
    cross = (projects["cross_year"] == "是").to_numpy()
    year = projects["year"].to_numpy(dtype=np.int64)
    start_month = rng.integers(3, 10, size=len(projects))  # March to September
    first = ((year - 1970) * 12 + start_month - 1).astype("datetime64[M]")
    last = (first + 12).astype("datetime64[D]") - 1
    projects["start_date"] = np.where(cross, first.astype("datetime64[D]").astype(str), "")
    projects["end_date"] = np.where(cross, last.astype(str), "")
    projects["rectified"] = ""  # rectification follows results the generator does not compute
    return projects
