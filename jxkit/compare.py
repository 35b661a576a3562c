"""Re-evaluation comparison (随机再评价): self-evaluation against review, per sampled project.

For each sampled project that has both rounds: both totals and grades, the gap, whether
the grade changed, the indicators the self-evaluation scored higher than the review, and
a verdict on self-evaluation quality (poor when the gap reaches the policy's threshold or
the grade changes). The summary gives the number of poor self-evaluations and the
one-sided Clopper-Pearson upper bound of their rate in the population. Red flags of weak
self-evaluations (domain.md, "Practice") are listed per unit.

For a project imported from a 自评表 (``jxkit import``), the self-evaluation is what the
form printed (its 自评得分 and 总分, the grade from the policy's bands on that total), not
what the rules give; ``self_source`` says which (:mod:`jxkit.forms.published`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .dataset import Dataset, parse_target
from .errors import DataError, Problem, SamplingError
from .forms.published import PublishedScores, published_scores
from .policy import Policy, default_policy
from .sampling.planning import upper_bound
from .scoring import ScoreResult, score

__all__ = ["Comparison", "compare", "criterion", "read_sample_ids", "workpaper"]

VERDICT_POOR = "自评质量差"
VERDICT_OK = "自评质量合格"


@dataclass
class Comparison:
    """``projects``: one row per compared project; ``indicators``: the workpaper rows;
    ``flags``: red flags per unit; ``counts``: the summary without the upper bound."""

    projects: pd.DataFrame
    indicators: pd.DataFrame
    flags: pd.DataFrame
    counts: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def summary(self) -> dict[str, Any]:
        """The counts with the upper bound of the poor rate after ``confidence``: made when
        first read, as scipy is needed for it and a project report reads only verdicts."""
        out: dict[str, Any] = {}
        for key, value in self.counts.items():
            out[key] = value
            if key == "confidence":
                n, k = self.counts["compared"], self.counts["poor"]
                out["upper_bound"] = upper_bound(k, n, value) if n else None
        return out


def criterion(policy: Policy) -> str:
    """The rule that judges a self-evaluation poor, as reports state it."""
    rule = f"自评与复核总分相差 {policy.review_total_gap:g} 分及以上"
    if policy.review_grade_change_is_poor:
        rule += "或评价等级发生变化"
    return rule + "的，判定为自评质量差"


def read_sample_ids(sample_dir: str | os.PathLike[str]) -> list[str]:
    """Ids selected in a sample folder written by ``jxkit sample`` (its manifest.json)."""
    manifest = Path(sample_dir) / "manifest.json"
    if not manifest.exists():
        raise SamplingError(f"{sample_dir} 中没有 manifest.json：请先用 jxkit sample 抽样")
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
        return [str(item["id"]) for item in data["selected"]]
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise SamplingError(f"{manifest} 不是有效的抽样记录：{exc}") from None


def compare(
    dataset: Dataset,
    sample_ids: Iterable[str] | None = None,
    *,
    policy: Policy | None = None,
    scores: ScoreResult | None = None,
) -> Comparison:
    """Compare self-evaluation with review for the sampled projects (all when None)."""
    policy = policy or default_policy()
    scores = scores or score(dataset, policy=policy)
    p = scores.projects
    wanted = None if sample_ids is None else [str(i) for i in sample_ids]
    if wanted is not None:
        unknown = sorted(set(wanted) - set(dataset.projects["project_id"]))
        if unknown:
            raise DataError(
                [Problem("抽样清单", f"项目编码在数据集中不存在：{'、'.join(unknown[:20])}")]
            )
        p = p[p["project_id"].isin(wanted)]
    self_ = p[p["round"] == "self"].set_index("project_id")
    review = p[p["round"] == "review"].set_index("project_id")
    both = self_.index.intersection(review.index).sort_values()
    names = dataset.projects.set_index("project_id")["name"]
    published = published_scores(dataset)
    self_total = np.array(
        [
            published.totals.get(pid, t)
            for pid, t in zip(both, self_.loc[both, "total"], strict=True)
        ],
        dtype=float,
    )
    from_form = np.array([pid in published.totals for pid in both], dtype=bool)
    self_grade = np.where(
        from_form,
        policy.grade(self_total),
        self_.loc[both, "grade"].to_numpy(),
    )
    out = pd.DataFrame(
        {
            "project_id": both,
            "name": names.reindex(both).to_numpy(),
            "unit_id": self_.loc[both, "unit_id"].to_numpy(),
            "year": self_.loc[both, "year"].to_numpy(),
            "category": self_.loc[both, "category"].to_numpy(),
            "self_total": self_total,
            "review_total": review.loc[both, "total"].to_numpy(),
            "self_grade": self_grade,
            "review_grade": review.loc[both, "grade"].to_numpy(),
            "self_source": [published.source(pid) for pid in both],
        }
    )
    out["difference"] = np.round(out["self_total"] - out["review_total"], 2)
    out["grade_changed"] = out["self_grade"] != out["review_grade"]
    poor = out["difference"].abs() >= policy.review_total_gap
    if policy.review_grade_change_is_poor:
        poor |= out["grade_changed"]
    out["poor"] = poor
    out["verdict"] = np.where(poor, VERDICT_POOR, VERDICT_OK)
    paper = workpaper(scores, both, published)
    out["inflated"] = _inflated(paper).reindex(both).fillna("").to_numpy()
    n, k = len(out), int(poor.sum())
    counts = {
        "sampled": len(wanted) if wanted is not None else int(self_.shape[0]),
        "compared": n,
        "poor": k,
        "poor_rate": k / n if n else None,
        "confidence": policy.review_confidence,
        "total_gap": policy.review_total_gap,
        "missing_review": sorted(set(wanted or self_.index) - set(both)),
    }
    flags = red_flags(dataset, scores, out, policy)
    return Comparison(out, paper, flags, counts)


def workpaper(
    scores: ScoreResult, project_ids: Iterable[str], published: PublishedScores | None = None
) -> pd.DataFrame:
    """The re-evaluation workpaper (自评复核底稿): one row per indicator, both rounds.

    With ``published``, a form's indicators carry the printed 自评得分 (``self_source``).
    """
    ind = scores.indicators
    ind = ind[ind["project_id"].isin(list(project_ids))]
    key = ["project_id", "indicator_id"]
    cols = ["level1", "level2", "name", "rule", "target", "unit_of_measure", "points"]
    s = ind[ind["round"] == "self"].set_index(key)
    r = ind[ind["round"] == "review"].set_index(key)
    base = s[cols]
    paper = base.join(
        s[["actual", "score"]].rename(columns={"actual": "self_actual", "score": "self_score"})
    )
    paper = paper.join(
        r[["actual", "score", "note"]].rename(
            columns={"actual": "review_actual", "score": "review_score", "note": "review_note"}
        )
    )
    paper = paper.reset_index()
    if published is not None:
        paper["self_score"] = [
            published.score(p, i, v)
            for p, i, v in zip(
                paper["project_id"], paper["indicator_id"], paper["self_score"], strict=True
            )
        ]
        paper["self_source"] = [published.source(p) for p in paper["project_id"]]
    paper["deviation"] = np.round(paper["self_score"] - paper["review_score"], 2)
    return paper


def _inflated(paper: pd.DataFrame) -> pd.Series:
    up = paper[paper["deviation"] > 0.005]
    text = pd.Series(
        [f"{n}（+{d:g} 分）" for n, d in zip(up["name"], up["deviation"], strict=True)],
        index=up.index,
        dtype=object,
    )
    return text.groupby(up["project_id"]).agg("、".join)


def red_flags(
    dataset: Dataset, scores: ScoreResult, compared: pd.DataFrame, policy: Policy
) -> pd.DataFrame:
    """Signs of a weak self-evaluation, per unit and project (domain.md, "Practice")."""
    rows: list[dict[str, str]] = []
    ind = scores.indicators[scores.indicators["round"] == "self"]
    target, _ = parse_target(ind["target"])
    at_least = ind["target"].str.strip().str.match(r"^(≥|>=|>)")
    benefit = ind["level1"].str.contains("效益|满意")
    no_basis = benefit & at_least & (target >= 95) & (ind["evidence"].str.strip() == "")
    for r in ind[no_basis].itertuples():
        rows.append(
            _flag(
                r.unit_id, r.project_id, f"效益指标“{r.name}”目标 {r.target} 缺少依据（无佐证材料）"
            )
        )
    if policy.cost_words:
        cost = ind["name"].str.contains("|".join(policy.cost_words))
        for r in ind[cost & at_least].itertuples():
            rows.append(
                _flag(r.unit_id, r.project_id, f"成本指标“{r.name}”写成“{r.target}”（应为“≤”）")
            )
    projects = scores.projects[scores.projects["round"] == "self"]
    for r in projects[projects["flags"].str.contains("全部指标均为满分")].itertuples():
        rows.append(_flag(r.unit_id, r.project_id, "全部指标均为满分"))
    for r in compared[compared["poor"]].itertuples():
        what = f"自评 {r.self_total:g} 分（{r.self_grade}），复核 {r.review_total:g} 分（{r.review_grade}）"
        rows.append(_flag(r.unit_id, r.project_id, f"与复核相差 {r.difference:g} 分：{what}"))
    flags = pd.DataFrame(rows, columns=["unit_id", "project_id", "flag"])
    names = dataset.units.set_index("unit_id")["name"]
    flags.insert(1, "unit_name", flags["unit_id"].map(names))
    return flags.sort_values(["unit_id", "project_id"], kind="stable").reset_index(drop=True)


def _flag(unit_id: str, project_id: str, text: str) -> dict[str, str]:
    return {"unit_id": unit_id, "project_id": project_id, "flag": text}
