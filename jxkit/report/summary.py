"""The year's summary report (总报告): grades, red lights, coverage, budget advice, ranking.

Final results use the review score where a project has one and the self score otherwise
(a review overrides a self-evaluation). Units are ranked within their level (通报).
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from ..catalogue import LEVELS, category_name
from ..coverage import coverage
from ..errors import ReportError
from .blocks import (
    GRADE_COLORS,
    Html,
    chart_bars,
    esc,
    facts,
    loaded,
    num,
    paragraphs,
    pct,
    table,
    wan,
)

__all__ = ["SummaryReport", "final_results", "unit_ranking"]


def final_results(projects: pd.DataFrame, scores: pd.DataFrame, year: int) -> pd.DataFrame:
    """One row per project of ``year``: its final score (review over self) and facts."""
    s = scores[scores["year"] == year]
    final = s.sort_values("round", key=lambda r: r.map({"self": 0, "review": 1})).drop_duplicates(
        "project_id", keep="last"
    )
    facts_ = projects.set_index("project_id")[["name", "budget", "spent"]]
    out = final.join(facts_, on="project_id").sort_values("project_id").reset_index(drop=True)
    out["basis"] = np.where(out["round"] == "review", "复核", "自评")
    return out


def unit_ranking(final: pd.DataFrame, units: pd.DataFrame, cover: pd.DataFrame) -> pd.DataFrame:
    """Units ranked within their level: by mean project score, then coverage rate.

    Ties share a rank (competition ranking, 1-2-2-4), so no unit is placed above an equal.
    """
    g = final.groupby("unit_id").agg(
        projects=("project_id", "size"),
        mean_total=("total", "mean"),
        red=("red_light", "sum"),
        budget=("budget", "sum"),
    )
    out = (
        units[["unit_id", "name", "level"]]
        .join(g, on="unit_id")
        .join(cover.set_index("unit_id")[["required", "complied", "coverage_rate"]], on="unit_id")
    )
    out = out[out["projects"].fillna(0) > 0].copy()
    out["mean_total"] = out["mean_total"].round(2)
    key = out["mean_total"] * 1000 + out["coverage_rate"].fillna(1.0)
    out["rank"] = key.groupby(out["level"]).rank(method="min", ascending=False).astype(int)
    order = {k: i for i, k in enumerate(LEVELS)}
    out["_lv"] = out["level"].map(order)
    return out.sort_values(["_lv", "rank", "unit_id"]).drop(columns="_lv").reset_index(drop=True)


class SummaryReport:
    def __init__(
        self, dataset: str | os.PathLike[str], year: int, *, policy: str | None = None
    ) -> None:
        self.ds, self.policy, self.scores = loaded(dataset, policy)
        self.year = int(year)
        self.final = final_results(self.ds.projects, self.scores.projects, self.year)
        if self.final.empty:
            raise ReportError(f"{self.year} 年没有已评分的项目")
        self.cover = coverage(self.ds, self.year, policy=self.policy)
        self.ranking = unit_ranking(self.final, self.ds.units, self.cover.units)

    def title(self) -> Html:
        return Html(
            f'<header class="jx-title"><p class="jx-kicker">{self.year} 年度</p>'
            "<h1>工会预算项目支出绩效评价总报告</h1>"
            f'<p class="jx-sub">{esc(len(self.final))} 个项目 · {esc(self.final["unit_id"].nunique())} 个单位</p></header>'
        )

    def overview(self) -> Html:
        f = self.final
        counts = f["grade"].value_counts()
        reviewed = int((f["round"] == "review").sum())
        return facts(
            [
                ("评价项目数", f"{len(f)} 个（其中 {reviewed} 个采用复核结果）"),
                ("涉及预算", wan(f["budget"].sum())),
                ("平均得分", num(f["total"].mean())),
                (
                    "等级分布",
                    "，".join(f"{g} {counts.get(g, 0)} 个" for g, _ in self.policy.grades),
                ),
                ("红灯警示", f"{int(f['red_light'].sum())} 个项目"),
            ]
        )

    def grade_chart(self) -> Html:
        grades = [g for g, _ in self.policy.grades]
        counts = self.final["grade"].value_counts().reindex(grades, fill_value=0)
        return chart_bars(
            grades,
            {"项目数": list(counts.astype(float))},
            ylabel="项目数",
            caption="图 1  项目评价等级分布",
            value_format=lambda v: f"{v:.0f}",
            integer=True,
            bar_colors=[GRADE_COLORS.get(g, "#2f6db5") for g in grades],
        )

    def category_table(self) -> Html:
        f = self.final.assign(category_name=self.final["category"].map(category_name))
        g = f.groupby("category_name", sort=False).agg(
            projects=("project_id", "size"),
            budget=("budget", "sum"),
            mean=("total", "mean"),
            red=("red_light", "sum"),
        )
        g = g.sort_values("budget", ascending=False).reset_index()
        return table(
            g,
            {
                "category_name": "项目类别",
                "projects": "项目数",
                "budget": "预算",
                "mean": "平均得分",
                "red": "红灯项目",
            },
            formats={"budget": wan},
            numeric=["budget"],
        )

    def red_list(self) -> Html:
        red = self.final[self.final["red_light"]].join(
            self.ds.units.set_index("unit_id")["name"].rename("unit_name"), on="unit_id"
        )
        return table(
            red,
            {
                "project_id": "项目编码",
                "name": "项目名称",
                "unit_name": "实施单位",
                "total": "得分",
                "grade": "等级",
                "basis": "依据",
            },
            empty="本年度没有亮红灯的项目。",
        )

    def coverage_by_level(self) -> Html:
        u = self.cover.units
        g = u.groupby("level", sort=False)[
            ["required", "declared", "approved", "self_evaluated", "complied"]
        ].sum()
        g = g.reindex([lv for lv in LEVELS if lv in g.index])
        g["rate"] = np.where(
            g["required"] > 0, g["complied"] / g["required"].where(g["required"] > 0), np.nan
        )
        g = g.reset_index()
        g["level_name"] = g["level"].map(LEVELS)
        shown = table(
            g,
            {
                "level_name": "层级",
                "required": "应覆盖项目",
                "declared": "目标同步申报",
                "approved": "目标批复下达",
                "self_evaluated": "已自评",
                "complied": "已覆盖",
                "rate": "覆盖率",
            },
            formats={"rate": pct},
            numeric=["rate"],
        )
        missed = self.cover.missed
        note = paragraphs(
            [f"{r.project_id} {r.name}：缺少{r.missing}" for r in missed.itertuples()],
            empty="应覆盖的项目均已覆盖。",
        )
        return Html(shown + f"<h3>应覆盖而未覆盖的项目（{len(missed)} 个）</h3>" + note)

    def budget_advice(self) -> Html:
        f = self.final.copy()
        advice = [
            self.policy.recommendation(str(g), bool(r))
            for g, r in zip(f["grade"], f["red_light"], strict=True)
        ]
        f["action"] = [a for a, _ in advice]
        f["cut"] = [c for _, c in advice]
        f["cut_amount"] = f["budget"] * f["cut"]
        by_action = (
            f.groupby("action", sort=False)
            .agg(
                projects=("project_id", "size"),
                budget=("budget", "sum"),
                cut_amount=("cut_amount", "sum"),
            )
            .reset_index()
        )
        total = f["cut_amount"].sum()
        head = Html(
            f"<p>按评价结果，建议下一年度压减预算 {esc(wan(total))}，"
            f"占本年度评价项目预算的 {esc(pct(total / f['budget'].sum() if f['budget'].sum() else np.nan))}。</p>"
        )
        return Html(
            head
            + table(
                by_action,
                {
                    "action": "建议",
                    "projects": "项目数",
                    "budget": "本年度预算",
                    "cut_amount": "建议压减",
                },
                formats={"budget": wan, "cut_amount": wan},
                numeric=["budget", "cut_amount"],
            )
        )

    def ranking_table(self, level: str | None = None) -> Html:
        r = self.ranking if level is None else self.ranking[self.ranking["level"] == level]
        r = r.assign(level_name=r["level"].map(LEVELS))
        return table(
            r,
            {
                "rank": "名次",
                "name": "单位",
                "level_name": "层级",
                "projects": "项目数",
                "mean_total": "平均得分",
                "red": "红灯项目",
                "coverage_rate": "覆盖率",
            },
            formats={"coverage_rate": pct},
            numeric=["coverage_rate"],
        )

    def ranking_chart(self) -> Html:
        r = self.ranking
        return chart_bars(
            list(r["name"]),
            {"平均得分": list(r["mean_total"])},
            horizontal=True,
            ylabel="平均得分",
            caption="图 2  各单位项目平均得分",
        )
