"""Unit-level tables: the unit framework's indicators and values for every unit and year,
and the assessor's values of the management-work indicators jxkit cannot compute."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..frameworks import list_frameworks
from .indicators import indicator_fields, leaf_variants
from .values import actual_values
from .wording import fmt


def _unit_quality(rng: np.random.Generator, units: pd.DataFrame, years: np.ndarray) -> np.ndarray:
    """A latent quality per unit and year: units differ, counties lag, all improve."""
    base = rng.beta(6.0, 2.0, size=len(units)) - 0.05 * (units["level"] == "county").to_numpy()
    trend = 0.03 * (years - years.min())
    return np.clip(base[:, None] + trend[None, :], 0.05, 0.99)


def draw_unit_tables(
    rng: np.random.Generator, units: pd.DataFrame, projects: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray]:
    """Unit-level indicators (the ``unit`` framework, custom slot filled) and values for
    every unit and year, and the units' latent quality (units × years)."""
    years = np.array(sorted({int(y) for y in projects["year"]}))
    quality = _unit_quality(rng, units, years)
    fw = next(f for f in list_frameworks() if f.kind == "unit")
    variants, slots = leaf_variants({"unit": fw})
    spans = slots["unit"]
    n_uy = len(units) * len(years)
    first = np.tile(spans[:, 0], n_uy)
    count = np.tile(spans[:, 1], n_uy)
    var = first + (rng.random(len(first)) * count).astype(np.int64)
    uy = np.repeat(np.arange(n_uy), len(spans))
    unit_pos, year_pos = uy // len(years), uy % len(years)

    def col(name: str) -> np.ndarray:
        return variants[name].to_numpy()[var]

    target = col("target_num").astype(float)
    numeric = col("numeric").astype(bool)
    target_text = col("target_text").copy()
    target_text[numeric] = fmt(target[numeric], np.full(int(numeric.sum()), 2))
    uid = units["unit_id"].to_numpy()[unit_pos]
    yr = years[year_pos]
    indicators = pd.DataFrame({"unit_id": uid, "year": yr, **indicator_fields(col, target_text)})
    q = quality[unit_pos, year_pos]
    u, depth_u, side_u, extra_u = rng.random((4, len(var)))
    values = actual_values(variants, var, target, q, u, depth_u, side_u, extra_u)
    evaluations = pd.DataFrame(
        {
            "unit_id": uid,
            "year": yr,
            "indicator_id": col("indicator_id"),
            "round": "self",
            "actual": values,
            "evidence": col("evidence"),
            "note": "",
        }
    )
    return indicators, evaluations, quality


def draw_assessment(
    rng: np.random.Generator, units: pd.DataFrame, projects: pd.DataFrame, quality: np.ndarray
) -> pd.DataFrame:
    """The assessor's values of the management indicators jxkit does not compute, for every
    union with projects in a year."""
    from ..assess import COMPUTED  # the assessment imports this module's neighbours

    years = np.array(sorted({int(y) for y in projects["year"]}))
    fw = next(f for f in list_frameworks() if f.kind == "management")
    variants, slots = leaf_variants({"management": fw})
    # 绩效目标编制质量 is drawn as before, so no other value moves, and then left to the
    # target review (jxkit.targets) that computes it
    reviewed = {"target_quality"}
    manual = ~variants["indicator_id"].isin(sorted(set(COMPUTED) - reviewed)).to_numpy()
    leaves = slots["management"][:, 0][manual[slots["management"][:, 0]]]
    pairs = projects[["unit_id", "year"]].drop_duplicates().sort_values(["year", "unit_id"])
    position = pd.Series(np.arange(len(units)), index=units["unit_id"])
    unit_pos = position.reindex(pairs["unit_id"]).to_numpy()
    year_pos = np.searchsorted(years, pairs["year"].to_numpy())
    var = np.tile(leaves, len(pairs))
    at = np.repeat(np.arange(len(pairs)), len(leaves))
    target = variants["target_num"].to_numpy(dtype=float)[var]
    q = quality[unit_pos[at], year_pos[at]]
    u, depth_u, side_u, extra_u = rng.random((4, len(var)))
    values = actual_values(variants, var, target, q, u, depth_u, side_u, extra_u)
    ids = variants["indicator_id"].to_numpy()[var]
    county = units["level"].to_numpy()[unit_pos[at]] == "county"
    values[county & (ids == "lower_level_review")] = "不适用"  # no lower-level unions
    table = pd.DataFrame(
        {
            "unit_id": pairs["unit_id"].to_numpy()[at],
            "year": pairs["year"].to_numpy()[at],
            "indicator_id": ids,
            "actual": values,
            "evidence": variants["evidence"].to_numpy()[var],
            "note": "",
        }
    )
    return table[~table["indicator_id"].isin(list(reviewed))].reset_index(drop=True)
