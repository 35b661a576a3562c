"""Ex-ante assessment (事前绩效评估) of new major projects, before they enter a budget.

Assessors score each project on five dimensions (立项必要性, 投入经济性, 绩效目标合理性,
实施方案可行性, 筹资合规性) in the optional ``exante`` table (事前评估). The total is
Σ score / Σ points × 100, rounded half-up to 2 decimals; the conclusion comes from the
policy's half-open bands (≥ 90 予以支持, ≥ 70 调整完善后予以支持, else 不予支持). A capital
project (重大基建投资项目: a new major project of a category the policy names) that lacks
its basis for approval (立项依据) or its collective decision (集体决策意见) may not enter the
budget whatever its score (seed, 二（三）1).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .dataset import EXANTE_DIMENSIONS, Collector, Dataset, optional_table, unknown
from .errors import DataError, Problem
from .policy import Policy, band, default_policy
from .rounding import round_half_up

__all__ = ["EXANTE_DIMENSIONS", "ExanteResult", "check_tables", "exante"]

ADMIT = "可纳入预算"
REFUSE = "不得纳入预算"
NOT_ASSESSED = "未开展事前评估"


def check_tables(ds: Dataset, out: dict[str, Collector]) -> None:
    """The exante table: known projects and dimensions, scores within points, 100 in all."""
    ex = ds.table("exante")
    if ex.empty:
        return
    c = out["exante"]
    unknown(ex, ["project_id"], ds.projects, c, "项目编码在项目表中不存在")
    c.rows(
        ex,
        ~ex["dimension"].isin(EXANTE_DIMENSIONS) & (ex["dimension"] != ""),
        "dimension",
        f"不是事前评估维度（应为 {'、'.join(EXANTE_DIMENSIONS)} 之一）",
    )
    c.rows(ex, ex["points"] <= 0, "points", "分值应为正数")
    c.rows(ex, ex["score"] < 0, "score", "得分不能为负数")
    c.rows(ex, ex["score"] > ex["points"], "score", "得分不能超过该维度的分值")
    totals = ex.groupby("project_id", sort=True)["points"].sum(min_count=1)
    first_row = ex.reset_index().groupby("project_id")["row"].min()
    for pid, total in totals[(totals - 100).abs() > 1e-6].items():
        c.problems.append(
            Problem(
                c.source,
                f"项目 {pid} 的事前评估分值合计为 {total:g}，应为 100",
                int(first_row[pid]),
                c.col("points"),
            )
        )


@dataclass
class ExanteResult:
    """One row per new major project (and per other project assessed ex ante).

    Columns: project_id, name, unit_id, year, category, budget, capital, has_basis,
    collective_decision, one column per dimension (score), total, conclusion, decision
    (可纳入预算 / 不得纳入预算) and reasons. ``dimensions`` holds the assessors' rows.
    """

    projects: pd.DataFrame
    dimensions: pd.DataFrame
    settings: dict[str, Any] = field(default_factory=dict)

    def project(self, project_id: str) -> pd.Series:
        rows = self.projects[self.projects["project_id"] == project_id]
        if rows.empty:
            raise DataError(f"项目 {project_id} 既不是新增重大项目，也没有事前评估记录")
        return rows.iloc[0]


def exante(dataset: Dataset, *, policy: Policy | None = None) -> ExanteResult:
    """Conclusion and budget decision for every new major project and every assessed one.

    A new major project with no assessment gets conclusion 未开展事前评估 and may not
    enter the budget; neither may a rejected one, nor a capital project lacking its basis
    or collective decision.
    """
    policy = policy or default_policy()
    rules = policy.exante
    ex = optional_table(dataset, "exante")
    projects = dataset.projects
    wanted = projects["new_major"].fillna(False).astype(bool) | projects["project_id"].isin(
        ex["project_id"]
    )
    p = projects.loc[
        wanted, ["project_id", "name", "unit_id", "year", "category", "budget"]
    ].reset_index(drop=True)
    facts = projects.set_index("project_id")
    p["capital"] = (
        facts["new_major"].fillna(False).astype(bool).reindex(p["project_id"]).to_numpy()
        & p["category"].isin(rules.capital_categories).to_numpy()
    )
    for col in ("has_basis", "collective_decision"):
        p[col] = facts[col].reindex(p["project_id"]).fillna(False).astype(bool).to_numpy()
    scores = ex.pivot_table(index="project_id", columns="dimension", values="score", aggfunc="sum")
    scores = scores.reindex(columns=[d for d in EXANTE_DIMENSIONS if d in set(ex["dimension"])])
    p = p.join(scores, on="project_id")
    sums = ex.groupby("project_id")[["score", "points"]].sum()
    sums = sums.reindex(p["project_id"])
    total = round_half_up(sums["score"] / sums["points"] * 100)
    assessed = ~np.isnan(total)
    p["total"] = total
    p["conclusion"] = np.where(
        assessed, band(np.nan_to_num(total), rules.conclusions), NOT_ASSESSED
    )
    lacks_basis = p["capital"] & ~p["has_basis"]
    lacks_decision = p["capital"] & ~p["collective_decision"]
    rejected = p["conclusion"].isin(rules.reject)
    p["reasons"] = _join(
        np.where(~assessed, "新增重大项目未开展事前绩效评估", ""),
        np.where(rejected, "事前评估结论为" + p["conclusion"], ""),
        np.where(lacks_basis, "重大基建项目缺少立项依据", ""),
        np.where(lacks_decision, "重大基建项目缺少集体决策意见", ""),
    )
    refused = ~assessed | rejected | lacks_basis | lacks_decision
    p["decision"] = np.where(refused, REFUSE, ADMIT)
    order = ["project_id", "name", "unit_id", "year", "category", "budget", "capital"]
    order += ["has_basis", "collective_decision", *scores.columns, "total", "conclusion"]
    p = p[[*order, "decision", "reasons"]].sort_values("project_id").reset_index(drop=True)
    dims = ex.reset_index(drop=True).assign(
        lost=lambda d: d["points"] - d["score"],
        _o=lambda d: d["dimension"].map({k: i for i, k in enumerate(EXANTE_DIMENSIONS)}),
    )
    dims = dims.sort_values(["project_id", "_o"], kind="stable").drop(columns="_o")
    return ExanteResult(p, dims.reset_index(drop=True), {"policy": policy.source})


def _join(*parts: np.ndarray) -> np.ndarray:
    """Row-wise "；"-joined non-empty texts of equal-length text arrays."""
    out = np.asarray(parts[0], dtype=object)
    for part in parts[1:]:
        part = np.asarray(part, dtype=object)
        sep = np.where((out != "") & (part != ""), "；", "")
        out = out + sep + part
    return out
