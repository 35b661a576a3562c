"""The unit-level report (单位整体绩效): dimensions, its projects, coverage and its rank."""

from __future__ import annotations

import os

import pandas as pd

from ..catalogue import category_name, level_name
from ..coverage import coverage
from ..errors import ReportError
from ..unit_eval import UNIT_DIMENSIONS, unit_scores
from .blocks import (
    Html,
    application,
    assessment,
    badge,
    chart_bars,
    chart_radar,
    esc,
    facts,
    loaded,
    num,
    paragraphs,
    pct,
    score_text,
    table,
    wan,
)
from .filing import contents, cover, load_settings, signature
from .narrative import portfolio_advice, portfolio_lines, portfolio_rows
from .summary import ASSESSMENT_RANKING, PROJECT_RANKING, final_results, unit_ranking

__all__ = ["OUTLINE", "UNIT_DIMENSIONS", "UnitReport"]

#: The first-level headings of the unit report, in order (the notebook's headings).
OUTLINE = (
    "一、单位基本情况",
    "二、单位整体绩效",
    "三、项目绩效情况",
    "四、三项十类绩效管理覆盖情况",
    "五、同层级单位排名",
    "六、存在的问题及原因分析",
    "七、有关建议",
)


class UnitReport:
    def __init__(
        self,
        dataset: str | os.PathLike[str],
        unit_id: str,
        year: int,
        *,
        policy: str | None = None,
        settings: str | None = None,
    ) -> None:
        self.ds, self.policy, self.scores = loaded(dataset, policy)
        self.settings = load_settings(settings, dataset)
        units = self.ds.units.set_index("unit_id")
        if str(unit_id) not in units.index:
            raise ReportError(f"数据集中没有单位 {unit_id}")
        self.unit_id, self.year = str(unit_id), int(year)
        self.dataset, self.policy_path = dataset, policy
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
        if result is None:
            return None, None
        return result, scores.dimension_table(self.unit_id, self.year)

    def title(self) -> Html:
        u = self.unit
        return Html(
            f'<header class="jx-title"><p class="jx-kicker">{self.year} 年度 · {esc(level_name(u["level"]))}</p>'
            f"<h1>{esc(u['name'])}</h1><p class='jx-sub'>单位整体预算绩效评价报告</p></header>"
        )

    def cover_page(self) -> Html:
        """The cover page (委托单位, 评价机构, 报告日期 from the report settings)."""
        return cover(
            str(self.unit["name"]),
            f"{self.year} 年度单位整体预算绩效评价报告",
            self.settings,
            [("被评价单位", str(self.unit["name"]))],
        )

    def contents(self) -> Html:
        return contents(OUTLINE)

    def signature(self) -> Html:
        return signature(self.settings)

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
        conversion = d.attrs.get("conversion")
        note = (
            f"不适用指标“{conversion['removed']}”已剔除，各维度分值与得分按适用指标分值 "
            f"{num(conversion['applicable_points'])} 分折算为百分制。"
            if conversion
            else ""
        )
        head = Html(
            f"<p>单位整体绩效自评得分 {esc(score_text(r['total']))} 分，等级 {badge(str(r['grade']))}。"
            f"各维度小计合计等于总分。{esc(note)}</p>"
        )
        shown = table(
            d,
            {
                "level1": "维度",
                "points": "折算分值" if conversion else "分值",
                "score": "折算得分" if conversion else "得分",
                "lost": "折算失分" if conversion else "失分",
                "rate": "得分率",
            },
            formats={"rate": pct},
            numeric=["points", "score", "lost", "rate"],
            caption="表 1  单位整体绩效各维度得分",
        )
        rates = d.iloc[:-1].set_index("level1")["rate"]
        shares = [
            float(rates.get(k, 0.0)) if pd.notna(rates.get(k)) else 0.0 for k in UNIT_DIMENSIONS
        ]
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
            [_label(str(n)) for n in f["name"]],
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
        """Both rankings a unit has, each named by what it ranks by (the same places as in
        the summary report)."""
        level = level_name(self.unit["level"])
        assessed = assessment(self.dataset, self.year, self.policy_path)
        a = assessed.units[assessed.units["level"] == self.unit["level"]]
        mine_a = a[a["unit_id"] == self.unit_id]
        parts = []
        if not mine_a.empty:
            m = mine_a.iloc[0]
            parts.append(
                f"<p>{esc(ASSESSMENT_RANKING)}：在 {esc(len(a))} 个{esc(level)}中排名第 "
                f"{esc(m['rank'])}，考核得分 {esc(score_text(m['total']))} 分（{esc(m['grade'])}）。</p>"
            )
        r = self.ranking[self.ranking["level"] == self.unit["level"]]
        mine = r[r["unit_id"] == self.unit_id]
        if mine.empty:
            parts.append("<p>本单位本年度没有已评分项目，不参加项目平均得分排名。</p>")
            return Html("".join(parts))
        m = mine.iloc[0]
        parts.append(
            f"<p>{esc(PROJECT_RANKING)}：在 {esc(len(r))} 个{esc(level)}中排名第 {esc(m['rank'])}，"
            f"项目平均得分 {esc(score_text(m['mean_total']))} 分。</p>"
        )
        return Html(
            "".join(parts)
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
                caption=f"表  {PROJECT_RANKING}",
            )
        )

    # ------------------------------------------------------------------ 问题 原因 建议

    def _rows(self) -> pd.DataFrame:
        if not hasattr(self, "_portfolio"):
            self._portfolio = portfolio_rows(self.scores, self.final)
        return self._portfolio

    def _missed(self) -> pd.DataFrame:
        p = self.cover.projects
        return p[(p["unit_id"] == self.unit_id) & p["required"] & ~p["complied"]]

    def problems_part(self) -> Html:
        """六、存在的问题及原因分析: unit dimensions, red lights, indicators, coverage."""
        lines = []
        d = self.dimensions
        if d is not None:
            weak = d.iloc[:-1][d.iloc[:-1]["lost"] > 0.005].sort_values("lost", ascending=False)
            if len(weak):
                lines.append(
                    "单位整体绩效："
                    + "、".join(
                        f"{r.level1}失 {score_text(r.lost)} 分（得分率 {pct(r.rate)}）"
                        for r in weak.head(3).itertuples()
                    )
                    + "。"
                )
        f = self.final
        red = f[f["red_light"].astype(bool)]
        if len(red):
            lines.append(
                f"红灯警示项目 {len(red)} 个："
                + "、".join(
                    f"{n}（{score_text(t)} 分）"
                    for n, t in zip(red["name"], red["total"], strict=True)
                )
                + "。"
            )
        low = f[f["grade"].isin(["中", "差"]) & ~f["red_light"].astype(bool)]
        if len(low):
            lines.append(
                f"评价等级为中或差的项目 {len(low)} 个：{'、'.join(low['name'].astype(str))}。"
            )
        lines += portfolio_lines(self._rows(), f)
        missed = self._missed()
        if len(missed):
            lines.append(
                f"三项十类绩效管理未全覆盖：{len(missed)} 个项目缺少环节（"
                + "；".join(
                    f"{n}：{m}" for n, m in zip(missed["name"], missed["missing"], strict=True)
                )
                + "）。"
            )
        return paragraphs(lines, empty="未发现明显问题：本单位项目均达到年度绩效目标。")

    def suggestions_part(self) -> Html:
        """七、有关建议: the results application of the unit's projects, then by problem group."""
        lines = []
        a = self.application_projects()
        if len(a):
            counts = a.groupby("action", sort=False).size()
            cut = float(a["cut_amount"].sum())
            lines.append(
                "按结果应用规定，本单位项目下一年度预算安排建议："
                + "、".join(f"{k} {v} 个" for k, v in counts.items())
                + (f"，合计建议压减 {wan(cut)}" if cut > 0 else "")
                + "。"
            )
        lines += portfolio_advice(self._rows())
        missed = self._missed()
        if len(missed):
            lines.append("补齐三项十类项目的绩效目标申报、批复和自评环节，做到绩效管理全覆盖。")
        return paragraphs(lines, empty="保持现有管理水平，持续做好绩效目标管理和运行监控。")

    def application_projects(self) -> pd.DataFrame:
        """The results application of this unit's projects (the same verdicts as elsewhere)."""
        applied = application(self.dataset, self.year, self.policy_path)
        p = applied.projects
        return p[p["unit_id"] == self.unit_id]

    def grade_badges(self) -> Html:
        return Html(
            " ".join(
                badge(g, bool(r))
                for g, r in zip(self.final["grade"], self.final["red_light"], strict=True)
            )
        )


def _label(name: str, width: int = 12) -> str:
    """A bar's label on up to two lines, never cut mid-word; a longer name ends with …"""
    if len(name) <= width:
        return name
    rest = name[width:]
    return name[:width] + "\n" + (rest if len(rest) <= width else rest[: width - 1] + "…")
