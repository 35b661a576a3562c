"""Results application (结果应用): next year's budget recommendation for every project of a year.

A project's result is its review score where it was re-evaluated, its self score
otherwise. Then, by the policy file's ``results`` section: a red-lighted project gets in
principle no budget next year; 中 and 差 are cut by the policy's share (the special
subsidy by the same share); 优 and 良 are supported; a project that continues one
red-lighted last year whose warning was not rectified (``rectified`` 已整改 on last year's
project left blank or 否) is cut too; a project without an evaluation is asked to
evaluate first. When several apply, the largest cut wins. The budget effect is summed
per unit and in total.

A project continues last year's project of the same unit and category whose name is the
same once a leading year ("2021年", "2021年度") is removed: ids change every year in
practice, names do not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .dataset import Dataset
from .errors import DataError
from .policy import Policy, default_policy
from .scoring import ScoreResult, score
from .text import per_value

__all__ = ["Application", "apply_results", "continuations", "final_scores"]

_YEAR_PREFIX = re.compile(r"^\s*\d{4}\s*年度?\s*")


def final_scores(scores: pd.DataFrame, year: int | None = None) -> pd.DataFrame:
    """One row per project (of ``year``): the review result where there is one, else self.

    ``scores`` is :attr:`ScoreResult.projects`; ``basis`` says which round was used.
    """
    s = scores if year is None else scores[scores["year"] == year]
    order = s["round"].map({"self": 0, "review": 1})
    final = s.assign(_o=order).sort_values(["project_id", "_o"], kind="stable")
    final = final.drop_duplicates("project_id", keep="last").drop(columns="_o")
    final = final.assign(basis=np.where(final["round"] == "review", "复核", "自评"))
    return final.reset_index(drop=True)


def continuations(projects: pd.DataFrame, year: int) -> pd.DataFrame:
    """Pairs (project_id of ``year``, previous_id of ``year`` − 1) of continuing projects.

    >>> p = pd.DataFrame({"project_id": ["A", "B", "C"], "unit_id": ["u", "u", "u"],
    ...     "category": ["training"] * 3, "year": [2020, 2021, 2021],
    ...     "name": ["2020年干部培训", "2021年度干部培训", "2021年新项目"]})
    >>> continuations(p, 2021).to_dict("records")
    [{'project_id': 'B', 'previous_id': 'A'}]
    """
    base = per_value(projects["name"], lambda n: _YEAR_PREFIX.sub("", str(n)).strip())
    keyed = projects.assign(_base=base)[["project_id", "unit_id", "category", "year", "_base"]]
    key = ["unit_id", "category", "_base"]
    now = keyed[keyed["year"] == year]
    before = keyed[keyed["year"] == year - 1].rename(columns={"project_id": "previous_id"})
    pairs = now.merge(before[[*key, "previous_id"]], on=key, how="inner", sort=False)
    pairs = pairs[["project_id", "previous_id"]].sort_values(["project_id", "previous_id"])
    return pairs.reset_index(drop=True)


@dataclass
class Application:
    """Recommendations for one year's projects, and the budget effect.

    ``projects``: per project its result (total, grade, red light, basis), last year's
    red light and rectification, the action, the share cut, the amount cut and next
    year's suggested budget, and why. ``units``: per unit the count, this year's budget,
    the cut and next year's budget. ``total``: the same for all projects.
    """

    year: int
    projects: pd.DataFrame
    units: pd.DataFrame
    total: dict[str, float]
    settings: dict[str, Any] = field(default_factory=dict)


def apply_results(
    dataset: Dataset,
    year: int,
    *,
    policy: Policy | None = None,
    scores: ScoreResult | None = None,
) -> Application:
    """Next year's budget recommendation for every project of ``year`` (see the module)."""
    policy = policy or default_policy()
    projects = dataset.projects
    if not (projects["year"] == year).any():
        raise DataError(f"数据集中没有 {year} 年的项目")
    scores = scores or score(dataset, policy=policy)
    final = final_scores(scores.projects)
    results = final.set_index("project_id")[["total", "grade", "red_light", "basis"]]
    units = dataset.units.set_index("unit_id")[["name", "level"]]
    p = projects[projects["year"] == year][
        ["project_id", "name", "unit_id", "category", "budget"]
    ].reset_index(drop=True)
    p.insert(3, "unit_name", p["unit_id"].map(units["name"]))
    p = p.join(results, on="project_id")
    evaluated = p["grade"].notna().to_numpy()
    p["red_light"] = p["red_light"].fillna(False).astype(bool)
    p[["grade", "basis"]] = p[["grade", "basis"]].fillna("")

    pairs = continuations(projects, year)
    rectified = projects.set_index("project_id")["rectified"].fillna(False).astype(bool)
    prev = pairs.assign(
        red=pairs["previous_id"].map(results["red_light"]).fillna(False).astype(bool),
        fixed=pairs["previous_id"].map(rectified).fillna(False).astype(bool),
    )
    prev["unfixed"] = prev["red"] & ~prev["fixed"]
    g = prev.groupby("project_id")
    p = p.join(g["previous_id"].agg("、".join).rename("previous"), on="project_id")
    p = p.join(g["red"].any().rename("previous_red_light"), on="project_id")
    p = p.join(g["unfixed"].any().rename("not_rectified"), on="project_id")
    p["previous"] = p["previous"].fillna("")
    for col in ("previous_red_light", "not_rectified"):
        p[col] = p[col].fillna(False).astype(bool)

    rules = policy.results
    graded = [rules.get(str(gr), ("予以支持", 0.0)) for gr in p["grade"]]
    # candidates in priority order: the largest cut wins, ties go to the earlier one
    candidates = [
        (p["red_light"].to_numpy(), *rules.get("red_light", ("", np.nan)), "本年度红灯警示"),
        (
            p["not_rectified"].to_numpy(),
            *rules.get("not_rectified", ("", np.nan)),
            "上年度红灯警示未整改到位",
        ),
        (~evaluated, *rules.get("not_evaluated", ("", np.nan)), "本年度未开展绩效自评"),
    ]
    action = np.where(evaluated, [a for a, _ in graded], "")
    cut = np.where(evaluated, [c for _, c in graded], -1.0)
    why = np.where(evaluated, "评价等级为" + p["grade"].astype(str), "")
    for applies, act, share, reason in reversed(candidates):
        take = applies & (share >= cut)
        action = np.where(take, act, action)
        cut = np.where(take, share, cut)
        why = np.where(take, reason, why)
    p["action"] = action
    p["cut"] = np.maximum(cut, 0.0)
    p["cut_amount"] = np.round(p["budget"] * p["cut"], 2)
    p["next_budget"] = p["budget"] - p["cut_amount"]
    p["reasons"] = why
    by_unit = (
        p.groupby("unit_id", sort=True)
        .agg(
            projects=("project_id", "size"),
            budget=("budget", "sum"),
            cut_amount=("cut_amount", "sum"),
            next_budget=("next_budget", "sum"),
            red_light=("red_light", "sum"),
            not_rectified=("not_rectified", "sum"),
        )
        .reset_index()
    )
    by_unit.insert(1, "unit_name", by_unit["unit_id"].map(units["name"]))
    by_unit.insert(2, "level", by_unit["unit_id"].map(units["level"]))
    total = {
        "projects": float(len(p)),
        "budget": float(p["budget"].sum()),
        "cut_amount": float(p["cut_amount"].sum()),
        "next_budget": float(p["next_budget"].sum()),
    }
    settings = {"year": year, "policy": policy.source}
    return Application(year, p, by_unit, total, settings)
