"""The year's summary report (总报告): grades, red lights, coverage, budget advice, ranking.

Final results use the review score where a project has one and the self score otherwise
(a review overrides a self-evaluation). Budget advice is the results application of
:mod:`jxkit.results`; the published ranking (通报) is the management-work assessment of
:mod:`jxkit.assess`, within each level.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from ..catalogue import LEVELS, category_name
from ..coverage import coverage
from ..errors import ReportError
from ..results import final_scores
from .blocks import (
    GRADE_COLORS,
    Html,
    chart_bars,
    esc,
    facts,
    loaded,
    paragraphs,
    pct,
    score_text,
    table,
    wan,
    year_results,
)
from .filing import contents, cover, load_settings, signature
from .narrative import portfolio_advice, portfolio_lines, portfolio_rows

__all__ = [
    "ASSESSMENT_RANKING",
    "OUTLINE",
    "PROJECT_RANKING",
    "SummaryReport",
    "final_results",
    "unit_ranking",
]


def final_results(projects: pd.DataFrame, scores: pd.DataFrame, year: int) -> pd.DataFrame:
    """One row per project of ``year``: its final score (review over self) and facts."""
    facts_ = projects.set_index("project_id")[["name", "budget", "spent"]]
    final = final_scores(scores, year).join(facts_, on="project_id")
    return final.sort_values("project_id").reset_index(drop=True)


#: What each ranking ranks by, as every report that shows it names it.
PROJECT_RANKING = (
    "项目平均得分排名（按本年度各项目最终得分的平均值，有复核的以复核为准；同分再比覆盖率）"
)
ASSESSMENT_RANKING = "工作考核排名（年度通报，按预算绩效管理工作考核得分）"


def unit_ranking(final: pd.DataFrame, units: pd.DataFrame, cover: pd.DataFrame) -> pd.DataFrame:
    """Units ranked within their level: by mean project score, then coverage rate
    (:data:`PROJECT_RANKING`; the published ranking is the assessment's).

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


#: The first-level headings of the summary report, in order (the notebook's headings).
OUTLINE = (
    "一、总体情况",
    "二、红灯警示项目",
    "三、三项十类绩效管理覆盖情况",
    "四、预算安排建议（结果应用）",
    "五、单位排名（通报）",
    "六、存在的问题及原因分析",
    "七、有关建议",
)


class SummaryReport:
    def __init__(
        self,
        dataset: str | os.PathLike[str],
        year: int,
        *,
        policy: str | None = None,
        settings: str | None = None,
    ) -> None:
        self.ds, self.policy, self.scores = loaded(dataset, policy)
        self.settings = load_settings(settings, dataset)
        self.year = int(year)
        self.final = final_results(self.ds.projects, self.scores.projects, self.year)
        if self.final.empty:
            raise ReportError(f"{self.year} 年没有已评分的项目")
        self.cover = coverage(self.ds, self.year, policy=self.policy)
        self.application, self.assessment = year_results(dataset, self.year, policy)

    def title(self) -> Html:
        return Html(
            f'<header class="jx-title"><p class="jx-kicker">{self.year} 年度</p>'
            "<h1>工会预算项目支出绩效评价总报告</h1>"
            f'<p class="jx-sub">{esc(len(self.final))} 个项目 · {esc(self.final["unit_id"].nunique())} 个单位</p></header>'
        )

    def cover_page(self) -> Html:
        """The cover page (委托单位, 评价机构, 报告日期 from the report settings)."""
        return cover(
            "工会预算项目支出绩效评价总报告",
            f"{self.year} 年度",
            self.settings,
            [("评价范围", f"{len(self.final)} 个项目，{self.final['unit_id'].nunique()} 个单位")],
        )

    def contents(self) -> Html:
        return contents(OUTLINE)

    def signature(self) -> Html:
        return signature(self.settings)

    def problems_part(self) -> Html:
        """六、存在的问题及原因分析: red lights and low grades, indicators by cause, coverage."""
        f = self.final
        lines = []
        red = f[f["red_light"].astype(bool)]
        if len(red):
            by_cat = red["category"].map(category_name).value_counts()
            lines.append(
                f"红灯警示项目 {len(red)} 个，涉及预算 {wan(red['budget'].sum())}（"
                + "、".join(f"{k} {v} 个" for k, v in by_cat.items())
                + "）。"
            )
        low = f[f["grade"].isin(["中", "差"])]
        if len(low):
            lines.append(
                f"评价等级为中或差的项目 {len(low)} 个，占 {pct(len(low) / len(f))}，"
                f"涉及 {low['unit_id'].nunique()} 个单位。"
            )
        lines += portfolio_lines(portfolio_rows(self.scores, f), f)
        missed = self.cover.missed
        if len(missed):
            lines.append(
                f"三项十类绩效管理未全覆盖：{len(missed)} 个应覆盖的项目缺少环节，"
                f"涉及 {missed['unit_id'].nunique()} 个单位。"
            )
        return paragraphs(lines, empty="未发现明显问题：各项目均达到年度绩效目标。")

    def suggestions_part(self) -> Html:
        """七、有关建议: the results application in total, then by first-level indicator."""
        t = self.application.total
        lines = [
            f"落实结果应用：按评价结果建议下一年度压减预算 {wan(t['cut_amount'])}，"
            "红灯警示项目和中、差等级项目的整改情况作为下一年度预算安排的依据。"
        ]
        lines += portfolio_advice(portfolio_rows(self.scores, self.final))
        if len(self.cover.missed):
            lines.append("督促相关单位补齐三项十类项目的绩效目标申报、批复和自评环节，做到全覆盖。")
        return paragraphs(lines)

    def overview(self) -> Html:
        f = self.final
        counts = f["grade"].value_counts()
        reviewed = int((f["round"] == "review").sum())
        return facts(
            [
                ("评价项目数", f"{len(f)} 个（其中 {reviewed} 个采用复核结果）"),
                ("涉及预算", wan(f["budget"].sum())),
                ("平均得分", score_text(f["total"].mean())),
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
        """Next year's budget advice (结果应用), by action and by unit."""
        f, t = self.application.projects, self.application.total
        by_action = (
            f.groupby("action", sort=False)
            .agg(
                projects=("project_id", "size"),
                budget=("budget", "sum"),
                cut_amount=("cut_amount", "sum"),
            )
            .reset_index()
        )
        share = t["cut_amount"] / t["budget"] if t["budget"] else np.nan
        head = Html(
            f"<p>按评价结果（有复核结果的以复核为准），建议下一年度压减预算 {esc(wan(t['cut_amount']))}，"
            f"占本年度项目预算的 {esc(pct(share))}；中、差等级项目的专项补助资金同比例压减。</p>"
        )
        actions = table(
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
        cut = f[f["cut"] > 0]
        listed = table(
            cut,
            {
                "project_id": "项目编码",
                "name": "项目名称",
                "unit_name": "实施单位",
                "grade": "等级",
                "reasons": "依据",
                "action": "建议",
                "cut_amount": "建议压减",
            },
            formats={"cut_amount": wan},
            numeric=["cut_amount"],
            empty="没有建议压减预算的项目。",
        )
        units = table(
            self.application.units[self.application.units["cut_amount"] > 0],
            {
                "unit_name": "单位",
                "projects": "项目数",
                "budget": "本年度预算",
                "cut_amount": "建议压减",
                "next_budget": "下一年度建议",
            },
            formats={"budget": wan, "cut_amount": wan, "next_budget": wan},
            numeric=["budget", "cut_amount", "next_budget"],
            empty="各单位均无压减。",
        )
        return Html(
            head
            + actions
            + "<h3>建议压减预算的项目</h3>"
            + listed
            + "<h3>各单位预算影响</h3>"
            + units
        )

    def ranking_table(self, level: str | None = None) -> Html:
        """The published ranking (通报): the management-work assessment, within each level."""
        a = self.assessment
        levels = a.levels if level is None else [level]
        head = Html(
            f"<p>{esc(ASSESSMENT_RANKING)}：按《{esc(a.framework)}》对 {esc(len(a.units))} 个有本年度项目的工会打分，"
            "覆盖率、自评完成率、自评质量、事前评估、绩效监控、红灯整改、结果应用和单位整体自评由数据计算，"
            "其余指标取工作考核表填报值，无数据的指标按不适用处理、分值按比例分摊；同分并列。</p>"
        )
        applicable = a.values.dropna(subset=["score"]).groupby("unit_id")["points"].sum()
        converted = bool((applicable.round(6) != 100).any())
        if converted:
            head = Html(
                head
                + "<p>有考核指标不适用的单位，各部分得分按其适用指标分值折算为百分制（各部分得分 × 100 ÷ "
                "适用分值），各部分之和等于考核得分；折算后的部分得分可能高于该部分的原始分值。</p>"
            )
        parts = []
        for lv in levels:
            r = a.ranking(lv).assign(applicable=lambda x: x["unit_id"].map(applicable))
            columns = {"rank": "名次", "name": "单位", "total": "考核得分", "grade": "等级"}
            if converted:
                columns["applicable"] = "适用分值"
            columns |= {c: f"{c}（折算）" if converted else c for c in a.level1}
            parts.append(
                f"<h3>{esc(LEVELS.get(lv, lv))}</h3>"
                + table(r, columns, numeric=["applicable"], empty="本层级没有参加考核的单位。")
            )
        return Html(head + "".join(parts))

    def ranking_chart(self) -> Html:
        r = self.assessment.units
        return chart_bars(
            list(r["name"]),
            {"考核得分": list(r["total"])},
            horizontal=True,
            ylabel="考核得分",
            caption="图 2  各单位预算绩效管理工作考核得分（按层级、名次排列）",
        )
