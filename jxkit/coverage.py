"""Coverage of 三项十类 performance management (the phased targets of section 一 of the seed).

Per unit and year: which 三项十类 projects the phased rules required, which declared
targets with the budget, had them approved, were self-evaluated, and the coverage rate.
The phases (years, levels, the 500,000-yuan threshold, the steps required) come from the
policy file. A step left blank in the data counts as not done.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .catalogue import CATEGORY_CODES, level_name
from .dataset import Dataset
from .policy import REQUIREMENTS, Policy, default_policy

__all__ = ["CoverageResult", "coverage"]

STEP_NAMES = {"declared": "目标同步申报", "approved": "目标批复下达", "self_evaluated": "项目自评"}


@dataclass
class CoverageResult:
    """``projects``: every project of the year with required/complied and what it missed;
    ``units``: one row per unit with counts and rates; ``missed``: required, not complied."""

    year: int
    projects: pd.DataFrame
    units: pd.DataFrame

    @property
    def missed(self) -> pd.DataFrame:
        return self.projects[self.projects["required"] & ~self.projects["complied"]]


def coverage(dataset: Dataset, year: int, *, policy: Policy | None = None) -> CoverageResult:
    """Which projects of ``year`` had to be covered, and which were.

    A project is required when its category is one of the ten, and a rule of the phase in
    force that year names its unit's level and its budget reaches the rule's minimum.
    It complied when every step that rule requires is done.
    """
    policy = policy or default_policy()
    units = dataset.units.set_index("unit_id")
    p = dataset.projects[dataset.projects["year"] == year].copy()
    p["level"] = p["unit_id"].map(units["level"])
    required = np.zeros(len(p), dtype=bool)
    complied = np.zeros(len(p), dtype=bool)
    missing = np.full(len(p), "", dtype=object)
    in_ten = p["category"].isin(CATEGORY_CODES).to_numpy()
    for rule in policy.coverage_rules(year):
        hit = (
            in_ten
            & p["level"].isin(rule.levels).to_numpy()
            & (p["budget"] >= rule.min_budget).to_numpy()
        )
        hit &= ~required  # the first rule that names a project decides for it
        required |= hit
        done = np.ones(len(p), dtype=bool)
        for step in rule.require:
            ok = p[REQUIREMENTS[step]].fillna(False).to_numpy(dtype=bool)
            done &= ok
            missing = np.where(
                hit & ~ok, missing + np.where(missing == "", "", "、") + STEP_NAMES[step], missing
            )
        complied |= hit & done
    p["required"], p["complied"], p["missing"] = required, complied, missing
    for step, column in REQUIREMENTS.items():
        p[step] = p[column].fillna(False).astype(bool)
    projects = p[
        [
            "project_id",
            "unit_id",
            "level",
            "name",
            "category",
            "budget",
            "required",
            "declared",
            "approved",
            "self_evaluated",
            "complied",
            "missing",
        ]
    ].reset_index(drop=True)
    return CoverageResult(year, projects, _by_unit(projects, dataset, year))


def _by_unit(projects: pd.DataFrame, dataset: Dataset, year: int) -> pd.DataFrame:
    req = projects[projects["required"]]
    counts = req.groupby("unit_id").agg(
        required=("project_id", "size"),
        declared=("declared", "sum"),
        approved=("approved", "sum"),
        self_evaluated=("self_evaluated", "sum"),
        complied=("complied", "sum"),
    )
    units = dataset.units[["unit_id", "name", "level"]].set_index("unit_id")
    out = units.join(counts).fillna(0).reset_index()
    for col in ("required", "declared", "approved", "self_evaluated", "complied"):
        out[col] = out[col].astype(int)
    out.insert(3, "year", year)
    out["level_name"] = out["level"].map(level_name)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["coverage_rate"] = np.where(
            out["required"] > 0, out["complied"] / out["required"], np.nan
        )
    return out.sort_values(["level", "unit_id"], key=_level_order, kind="stable").reset_index(
        drop=True
    )


def _level_order(s: pd.Series) -> pd.Series:
    if s.name == "level":
        return s.map({"province": 0, "city": 1, "industry": 2, "county": 3}).fillna(9)
    return s
