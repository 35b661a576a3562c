"""The published 自评表 scores as the self-evaluation of a 随机再评价.

For a project imported from a form, the self-evaluation the unit filed is what the form
printed, not what jxkit's rules make of its values: ``jxkit compare`` and the workbench's
底稿 compare the review with the printed 自评得分 and 总分 (``jxkit recheck`` lists where
those differ from the rules). Projects without a printed 总分 keep the rules' scores.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from ..dataset.load import Dataset

__all__ = ["FROM_FORM", "FROM_RULES", "PublishedScores", "published_scores"]

#: ``self_source``: the 自评得分 is the one the form printed.
FROM_FORM = "自评表原值"
#: ``self_source``: the 自评得分 is what the rules give (no form was imported).
FROM_RULES = "按规则计算"


@dataclass(frozen=True)
class PublishedScores:
    """The printed 总分 per project and 自评得分 per (project, indicator), blanks left out."""

    totals: dict[str, float]
    scores: dict[tuple[str, str], float]

    def source(self, project_id: str) -> str:
        """Where a project's 自评得分 comes from (:data:`FROM_FORM` or :data:`FROM_RULES`)."""
        return FROM_FORM if project_id in self.totals else FROM_RULES

    def score(self, project_id: str, indicator_id: str, by_rule: float | None) -> float | None:
        """The indicator's printed score for a form's project (a blank cell: the rule's)."""
        if project_id not in self.totals:
            return by_rule
        return self.scores.get((project_id, indicator_id), by_rule)


def published_scores(dataset: Dataset) -> PublishedScores:
    """The dataset's ``published`` table (written by ``jxkit import``) as scores; empty without it.

    Only projects whose 总分 row carries a score count as forms: without the printed total
    there is no filed self-evaluation to compare with.
    """
    pub = dataset.tables.get("published")
    if pub is None or pub.empty:
        return PublishedScores({}, {})
    rows = pub[pd.notna(pub["score"])]
    total = rows["indicator_id"] == ""
    totals = {
        str(p): float(s)
        for p, s in zip(rows.loc[total, "project_id"], rows.loc[total, "score"], strict=True)
    }
    scores = {
        (str(p), str(i)): float(s)
        for p, i, s in zip(
            rows.loc[~total, "project_id"],
            rows.loc[~total, "indicator_id"],
            rows.loc[~total, "score"],
            strict=True,
        )
        if str(p) in totals
    }
    return PublishedScores(totals, scores)
