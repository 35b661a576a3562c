"""The ex-ante assessment report of one new major project (事前绩效评估报告).

一、项目基本情况 · 二、评估内容与得分 · 三、评估结论 · 四、存在的问题和建议. Each method
returns HTML for one part, so the notebook reads as the outline.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from ..catalogue import category_name, level_name
from ..errors import ReportError
from ..exante import EXANTE_DIMENSIONS, REFUSE, exante
from .blocks import (
    Html,
    chart_bars,
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

__all__ = ["ExanteReport"]


def _yes(value: object) -> str:
    return "是" if value is True or value == 1 else "否"


class ExanteReport:
    """Everything the ex-ante report shows, computed once from the dataset."""

    def __init__(
        self, dataset: str | os.PathLike[str], project_id: str, *, policy: str | None = None
    ) -> None:
        self.ds, self.policy, _ = loaded(dataset, policy)
        project_id = str(project_id)
        projects = self.ds.projects.set_index("project_id")
        if project_id not in projects.index:
            raise ReportError(f"数据集中没有项目 {project_id}")
        self.result = exante(self.ds, policy=self.policy)
        if project_id not in set(self.result.projects["project_id"]):
            raise ReportError(f"项目 {project_id} 既不是新增重大项目，也没有事前评估记录")
        self.project_id = project_id
        self.p = projects.loc[project_id]
        self.unit = self.ds.units.set_index("unit_id").loc[self.p["unit_id"]]
        self.row = self.result.project(project_id)
        d = self.result.dimensions
        self.dims = d[d["project_id"] == project_id].reset_index(drop=True)

    def title(self) -> Html:
        r = self.row
        total = "—" if pd.isna(r["total"]) else score_text(r["total"])
        refused = r["decision"] == REFUSE
        return Html(
            f'<header class="jx-title"><p class="jx-kicker">{esc(self.p["year"])} 年度 · '
            f"{esc(category_name(self.p['category']))}</p>"
            f"<h1>{esc(self.p['name'])}</h1><p class='jx-sub'>新增重大项目事前绩效评估报告</p>"
            f'<div class="jx-score"><span class="jx-total">{esc(total)}</span>'
            f'<span class="jx-unit">分</span><span class="jx-badge">{esc(r["conclusion"])}</span>'
            f'<span class="jx-badge{" red" if refused else ""}">{esc(r["decision"])}</span>'
            "</div></header>"
        )

    def basic(self) -> Html:
        """一、项目基本情况."""
        p, r = self.p, self.row
        span = (
            f"{p['start_date']:%Y-%m-%d} 至 {p['end_date']:%Y-%m-%d}"
            if not pd.isna(p.get("start_date")) and not pd.isna(p.get("end_date"))
            else "—"
        )
        return facts(
            [
                ("项目名称", p["name"]),
                ("项目编码", self.project_id),
                ("申报单位", f"{self.unit['name']}（{level_name(self.unit['level'])}）"),
                ("项目类别", category_name(p["category"])),
                ("申报预算", wan(p["budget"])),
                ("新增重大项目", _yes(p.get("new_major"))),
                ("重大基建投资项目", _yes(bool(r["capital"]))),
                ("立项依据", "有" if r["has_basis"] else "无"),
                ("集体决策意见", "有" if r["collective_decision"] else "无"),
                ("实施期", span),
            ]
        )

    def scores(self) -> Html:
        """二、评估内容与得分: the dimension table and a chart of points earned."""
        d = self.dims
        if d.empty:
            return Html("<p>本项目尚未开展事前绩效评估，没有评估得分。</p>")
        shown = table(
            d,
            {
                "dimension": "评估维度",
                "points": "分值",
                "score": "得分",
                "lost": "失分",
                "note": "评估意见",
            },
            caption="表 1  事前绩效评估得分",
        )
        share = (d["score"] / d["points"]).to_numpy(dtype=float) * 100
        chart = chart_bars(
            list(d["dimension"]),
            {"得分率": list(np.round(share, 1))},
            horizontal=True,
            ylabel="得分率（%）",
            caption="图 1  各评估维度得分率",
            value_format=lambda v: f"{v:.1f}%",
        )
        total = self.row["total"]
        listed = "、".join(x for x in EXANTE_DIMENSIONS if x not in set(d["dimension"]))
        note = f"<p>未评估的维度：{esc(listed)}。</p>" if listed else ""
        return Html(
            shown + f"<p>合计 {esc(num(d['score'].sum()))} 分 / {esc(num(d['points'].sum()))} 分，"
            f"折合百分制 {esc(num(total))} 分。</p>" + note + chart
        )

    def conclusion(self) -> Html:
        """三、评估结论: the band the total falls in and whether the project may enter the budget."""
        r = self.row
        bands = self.policy.exante.conclusions
        rule = "；".join(f"{c} ≥ {num(m)} 分" for c, m in bands[:-1]) + f"；其余为{bands[-1][0]}"
        pairs = [
            ("总分（百分制）", "—" if pd.isna(r["total"]) else score_text(r["total"])),
            ("评估结论", r["conclusion"]),
            ("结论区间（左闭右开）", rule),
            ("预算安排", r["decision"]),
        ]
        if r["reasons"]:
            pairs.append(("原因", r["reasons"]))
        if r["capital"]:
            pairs.append(
                (
                    "重大基建项目要求",
                    "须有立项依据和集体决策意见，缺少任一项即不得纳入预算，不论得分",
                )
            )
        if r["decision"] == REFUSE and self.p["budget"] > 0:
            pairs.append(
                ("提示", f"项目表中已列预算 {wan(self.p['budget'])}，请核实是否已纳入预算")
            )
        return facts(pairs)

    def suggestions(self) -> Html:
        """四、存在的问题和建议: remarks on dimensions that lost points, then the decision."""
        d = self.dims
        weak = d[d["lost"] > 0].sort_values("lost", ascending=False, kind="stable")
        lines = [
            f"{r.dimension}失 {num(r.lost)} 分（得分率 {pct(r.score / r.points)}）：{r.note or '未说明'}"
            for r in weak.itertuples()
        ]
        r = self.row
        if r["decision"] == REFUSE:
            lines.append(f"本项目{r['reasons']}，不得纳入当年项目支出预算计划。")
        elif r["conclusion"] != self.policy.exante.conclusions[0][0]:
            lines.append("请按评估意见调整完善实施方案和绩效目标后，再纳入预算。")
        return paragraphs(lines, empty="评估未发现需要调整的问题。")
