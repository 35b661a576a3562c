"""Indicators: each project's category framework's leaves, custom slots filled with one of
their examples, count targets scaled with the budget; and the table of leaf variants that
the values are drawn from."""

from __future__ import annotations

import json
from collections.abc import Callable

import numpy as np
import pandas as pd

from ..catalogue import CATEGORY_CODES, OTHER
from ..errors import DataError, Problem
from ..frameworks import Framework, list_frameworks
from ..rules import DEFAULT_GRADE_LEVELS
from .personal import PERSONAL_LEAVES
from .projects import BUDGET_MEDIAN
from .wording import fmt

#: Units whose values are counts: targets scale with the budget, values are integers.
COUNT_UNITS = frozenset(
    {"人", "人次", "户", "个", "家", "场", "次", "期", "项", "篇", "件", "份", "条", "处", "名",
     "支", "门", "册", "台（套）", "卷", "起"}
)  # fmt: skip


def project_frameworks() -> dict[str, Framework]:
    """The shipped project framework of each category (and of ``other``)."""
    found = {fw.category: fw for fw in list_frameworks() if fw.kind == "project"}
    missing = [c for c in (*CATEGORY_CODES, OTHER.code) if c not in found]
    if missing:
        raise DataError(
            [Problem("templates/frameworks", f"缺少类别 {c} 的指标体系") for c in missing],
            title="无法生成模拟数据",
        )
    return {c: found[c] for c in (*CATEGORY_CODES, OTHER.code)}


#: Rules the generator knows how to produce values for, coded as small integers.
RULE_CODES = (
    "execution_rate",
    "ratio",
    "bands",
    "inverse",
    "inverse_linear",
    "equal_zero",
    "deduction",
    "grade",
    "boolean",
    "interval",
)
RULE = {name: i for i, name in enumerate(RULE_CODES)}


def leaf_variants(frameworks: dict[str, Framework]) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """Every way a leaf can appear in a project: common leaves as written, custom slots once
    per example. Returns the table and, per category, each leaf's first variant and count.

    Per-row work then reduces to integer indexing into this small table.
    """
    rows: list[dict[str, object]] = []
    slots: dict[str, np.ndarray] = {}
    for code, fw in frameworks.items():
        spans = []
        for leaf in fw.leaves.to_dict("records"):
            examples = (
                fw.examples.get(str(leaf["indicator_id"]), ()) if leaf["type"] == "custom" else ()
            )
            spans.append((len(rows), max(1, len(examples))))
            base = {**leaf, "category": code}
            rows += [
                {
                    **base,
                    "name": e["name"],
                    "unit_of_measure": e.get("unit", ""),
                    "target": e.get("target"),
                }
                for e in examples
            ] or [base]
        slots[code] = np.array(spans, dtype=np.int64)
    table = pd.DataFrame(rows)
    params = [json.loads(p) if p else {} for p in table["params"]]
    for key in ("low", "high", "tolerance"):
        table[key] = [float(p.get(key, np.nan)) for p in params]
    levels = [list(p.get("levels", DEFAULT_GRADE_LEVELS)) for p in params]
    table["labels"] = [(lv + [lv[-1]] * 4)[:4] for lv in levels]  # padded: 4 columns for take
    table["n_levels"] = [len(lv) for lv in levels]
    table["rule_code"] = [RULE.get(r, -1) for r in table["rule"]]
    table["numeric"] = [_is_number(t) for t in table["target"]]
    table["target_num"] = [float(t) if _is_number(t) else np.nan for t in table["target"]]
    table["target_text"] = ["" if t is None else str(t) for t in table["target"]]
    unit = table["unit_of_measure"].astype(str)
    table["count_unit"] = unit.isin(COUNT_UNITS)
    table["money_unit"] = unit.str.contains("元")
    table["pct_unit"] = unit == "%"
    table["personal"] = (table["category"] == "hardship_assistance") & table["indicator_id"].isin(
        PERSONAL_LEAVES
    )
    return table, slots


def draw_indicators(
    rng: np.random.Generator, projects: pd.DataFrame, frameworks: dict[str, Framework]
) -> tuple[pd.DataFrame, dict[str, np.ndarray], pd.DataFrame]:
    """The indicators table, per-row facts for the evaluations (project, variant, numeric
    target) and the variants table they index."""
    variants, slots = leaf_variants(frameworks)
    category = projects["category"].to_numpy()
    proj_parts, var_parts = [], []
    for code, spans in slots.items():
        pos = np.flatnonzero(category == code)
        first = np.tile(spans[:, 0], len(pos))
        count = np.tile(spans[:, 1], len(pos))
        proj_parts.append(np.repeat(pos, len(spans)))
        # a custom slot takes one of its examples at random; common leaves have one variant
        var_parts.append(first + (rng.random(len(first)) * count).astype(np.int64))
    proj = np.concatenate(proj_parts)
    order = np.argsort(proj, kind="stable")  # project order, framework order within
    proj, var = proj[order], np.concatenate(var_parts)[order]

    def col(name: str) -> np.ndarray:
        return variants[name].to_numpy()[var]

    # count targets grow with the budget; cost standards vary a little between projects
    target = col("target_num")
    numeric = col("numeric").astype(bool)
    rule = col("rule_code")
    up = np.isin(rule, [RULE["ratio"], RULE["bands"]])
    ref = np.array([BUDGET_MEDIAN[c] for c in category])[proj]
    scale = np.clip((projects["budget"].to_numpy()[proj] / ref) ** 0.7, 0.2, 8.0)
    counts = col("count_unit").astype(bool) & up & numeric
    target[counts] = np.maximum(1.0, np.round(target[counts] * scale[counts]))
    money = col("money_unit").astype(bool)
    costs = np.isin(rule, [RULE["inverse"], RULE["inverse_linear"]]) & money
    target[costs] = np.round(target[costs] * rng.lognormal(0.0, 0.15, int(costs.sum())), -1)
    target_text = col("target_text").copy()
    target_text[numeric] = fmt(target[numeric], np.full(int(numeric.sum()), 2))

    indicators = pd.DataFrame(
        {
            "project_id": projects["project_id"].to_numpy()[proj],
            **indicator_fields(col, target_text),
        }
    )
    return indicators, {"proj": proj, "var": var, "target": target}, variants


def indicator_fields(
    col: Callable[[str], np.ndarray], target_text: np.ndarray
) -> dict[str, np.ndarray]:
    """The indicator columns after the key (shared by project and unit indicators)."""
    points = col("points")
    return {
        "indicator_id": col("indicator_id"),
        "level1": col("level1"),
        "level2": col("level2"),
        "name": col("name"),
        "points": points.astype(np.int64) if (points == np.round(points)).all() else points,
        "rule": col("rule"),
        "target": target_text,
        "params": col("params"),
        "unit_of_measure": col("unit_of_measure"),
    }


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
