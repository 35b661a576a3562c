"""The unit-level report (单位整体绩效): dimensions, its projects, coverage and its rank."""

from __future__ import annotations

import os

import pandas as pd

from ..catalogue import category_name, level_name
from ..coverage import coverage
from ..errors import ReportError
from ..unit_eval import UNIT_DIMENSIONS, unit_scores
from .blocks import Html, badge, chart_bars, chart_radar, esc, facts, loaded, num, pct, table, wan
from .summary import final_results, unit_ranking

__all__ = ["UNIT_DIMENSIONS", "UnitReport"]


class UnitReport:
    def __init__(
        self, dataset: str | os.PathLike[str], unit_id: str, year: int, *, policy: str | None = None
    ) -> None:
        self.ds, self.policy, self.scores = loaded(dataset, policy)
        units = self.ds.units.set_index("unit_id")
        if str(unit_id) not in units.index:
            raise ReportError(f"数据集中没有单位 {unit_id}")
        self.unit_id, self.year = str(unit_id), int(year)
        self.unit = units.loc[self.unit_id]
        final = final_results(self.ds.projects, self.scores.projects, self.year)
        self.final = final[final["unit_id"] == self.unit_id]
        self.cover = coverage(self.ds, self.year, policy=self.policy)
        self.ranking = unit_ranking(final, self.ds.units, self.cover.units)
        self.unit_result, self.dimensions = self._dimensions()

    def _dimensions(self) -> tuple[pd.Series | None, pd.DataFrame | None]:
        """The unit-level self-evaluation of this unit and year by dimension, when the
        dataset has one (unit indicators and unit evaluations tables)."""
        scores = unit_scores(self.ds, "self", year=self.year, policy=self.policy)
        result = scores.unit(self.unit_id, self.year)
        s = scores.shares
        mine = s[(s["unit_id"] == self.unit_id) & (s["round"] == "self")]
        if mine.empty or result is None:
            return None, None
        order = {d: i for i, d in enumerate(scores.dimensions)}
        mine = mine.assign(_o=mine["dimension"].map(order)).sort_values("_o", kind="stable")
        mine = mine.assign(subtotal=[result[d] for d in mine["dimension"]])
        return result, mine.drop(columns="_o").reset_index(drop=True)

    def title(self) -> Html:
        u = self.unit
        return Html(
            f'<header class="jx-title"><p class="jx-kicker">{self.year} 年度 · {esc(level_name(u["level"]))}</p>'
            f"<h1>{esc(u['name'])}</h1><p class='jx-sub'>单位整体预算绩效评价报告</p></header>"
        )

    def basic(self) -> Html:
        u, f = self.unit, self.final
        parent = self.ds.units.set_index("unit_id")["name"].get(u.get("parent_id", ""), "—")
        return facts(
            [
                ("单位名称", u["name"]),
                ("单位编码", self.unit_id),
                ("层级", level_name(u["level"])),
                ("上级单位", parent),
                ("地区", u.get("region", "") or "—"),
                ("本年度评价项目", f"{len(f)} 个"),
                ("项目预算合计", wan(f["budget"].sum())),
                ("项目执行合计", wan(f["spent"].sum())),
            ]
        )

    def dimensions_part(self) -> Html:
        d, r = self.dimensions, self.unit_result
        if d is None or r is None:
            return Html(
                "<p>数据集中没有本单位本年度的单位整体绩效评价数据（运行成本、管理效率、履职效能、社会效应、"
                "可持续发展能力、服务对象满意度），本部分从略。</p>"
            )
        head = Html(
            f"<p>单位整体绩效自评得分 {esc(num(r['total']))} 分，等级 {badge(str(r['grade']))}。"
            "各维度小计已按适用指标分值折算，合计等于总分。</p>"
        )
        shown = table(
            d,
            {
                "dimension": "维度",
                "points": "适用指标分值",
                "earned": "得分",
                "share": "得分率",
                "subtotal": "折算小计",
            },
            formats={"share": pct},
            numeric=["share"],
            caption="表 1  单位整体绩效各维度得分",
        )
        shares = [float(d.loc[d["dimension"] == k, "share"].sum()) for k in UNIT_DIMENSIONS]
        radar = chart_radar(
            list(UNIT_DIMENSIONS), shares, caption="图 1  单位整体绩效六个维度得分率"
        )
        return Html(head + shown + radar)

    def projects_part(self) -> Html:
        f = self.final.assign(category_name=self.final["category"].map(category_name))
        if f.empty:
            return Html("<p>本年度没有已评分的项目。</p>")
        shown = table(
            f,
            {
                "project_id": "项目编码",
                "name": "项目名称",
                "category_name": "类别",
                "budget": "预算",
                "total": "得分",
                "grade": "等级",
                "red_light": "红灯",
                "basis": "依据",
            },
            formats={"budget": wan, "red_light": lambda v: "红灯" if v else ""},
            numeric=["budget"],
            row_class=lambda r: "lost" if r["red_light"] else "",
        )
        chart = chart_bars(
            [str(n)[:14] for n in f["name"]],
            {"得分": list(f["total"])},
            horizontal=True,
            ylabel="得分",
            caption="图 2  本单位项目得分",
        )
        return Html(shown + chart)

    def coverage_part(self) -> Html:
        row = self.cover.units.set_index("unit_id").loc[self.unit_id]
        mine = self.cover.projects[
            (self.cover.projects["unit_id"] == self.unit_id) & self.cover.projects["required"]
        ]
        head = facts(
            [
                ("应覆盖的三项十类项目", f"{int(row['required'])} 个"),
                ("目标同步申报", f"{int(row['declared'])} 个"),
                ("目标批复下达", f"{int(row['approved'])} 个"),
                ("已自评", f"{int(row['self_evaluated'])} 个"),
                ("覆盖率", pct(row["coverage_rate"]) if row["required"] else "本年度无覆盖要求"),
            ]
        )
        missed = mine[~mine["complied"]]
        if missed.empty:
            return head
        return Html(
            head
            + "<h3>未覆盖的项目</h3>"
            + table(missed, {"project_id": "项目编码", "name": "项目名称", "missing": "缺少环节"})
        )

    def rank_part(self) -> Html:
        r = self.ranking[self.ranking["level"] == self.unit["level"]]
        mine = r[r["unit_id"] == self.unit_id]
        if mine.empty:
            return Html("<p>本单位本年度没有已评分项目，不参加排名。</p>")
        m = mine.iloc[0]
        head = Html(
            f"<p>在 {esc(len(r))} 个{esc(level_name(self.unit['level']))}中排名第 {esc(m['rank'])}，"
            f"项目平均得分 {esc(num(m['mean_total']))} 分。</p>"
        )
        return Html(
            head
            + table(
                r,
                {
                    "rank": "名次",
                    "name": "单位",
                    "projects": "项目数",
                    "mean_total": "平均得分",
                    "coverage_rate": "覆盖率",
                },
                formats={"coverage_rate": pct},
                numeric=["coverage_rate"],
                row_class=lambda x: "mine" if x["unit_id"] == self.unit_id else "",
            )
        )

    def grade_badges(self) -> Html:
        return Html(
            " ".join(
                badge(g, bool(r))
                for g, r in zip(self.final["grade"], self.final["red_light"], strict=True)
            )
        )
