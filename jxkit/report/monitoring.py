"""The monitoring report at one date (绩效运行监控报告), for all units or one.

一、监控概况 · 二、项目监控灯号 · 三、执行进度与目标进度 · 四、预警项目与处置建议 ·
五、偏离目标的指标 · 六、未报送监控数据的项目. Every threshold comes from the policy file.
"""

from __future__ import annotations

import os
import re

import numpy as np
import pandas as pd

from ..catalogue import category_name
from ..errors import JxkitError, ReportError
from ..monitoring import checkpoint_text, monitor
from .blocks import Html, esc, facts, figure_html, loaded, new_figure, num, paragraphs, table, wan

__all__ = ["LIGHT_COLORS", "MonitoringReport"]

_YEAR = re.compile(r"^\s*\d{4}\s*年度?")
LIGHT_COLORS = {"green": "#2e8b57", "blue": "#2f6db5", "yellow": "#e0a526", "red": "#c8382e"}


def _pct(x: object) -> str:
    return "—" if x is None or pd.isna(x) else f"{num(x)}%"


class MonitoringReport:
    """Everything the monitoring report shows, computed once from the dataset."""

    def __init__(
        self,
        dataset: str | os.PathLike[str],
        as_of: str,
        unit_id: str = "",
        *,
        policy: str | None = None,
    ) -> None:
        self.ds, self.policy, _ = loaded(dataset, policy)
        self.unit_id = str(unit_id or "")
        try:
            self.result = monitor(self.ds, str(as_of), policy=self.policy, unit_id=self.unit_id)
        except JxkitError as exc:
            raise ReportError(str(exc)) from None
        self.rules = self.policy.monitoring
        self.p = self.result.projects
        self.names = {x.code: x.name for x in self.rules.lights}

    def title(self) -> Html:
        day = self.result.settings["as_of"]
        scope = "全部单位"
        if self.unit_id:
            scope = str(self.ds.units.set_index("unit_id")["name"].get(self.unit_id, self.unit_id))
        return Html(
            f'<header class="jx-title"><p class="jx-kicker">监控日期 {esc(day)} · {esc(scope)}</p>'
            "<h1>项目支出绩效运行监控报告</h1>"
            "<p class='jx-sub'>绩效目标实现程度与预算执行进度“双监控”</p></header>"
        )

    def overview(self) -> Html:
        """一、监控概况: counts per light, serious problems, projects not reported."""
        p, counts = self.p, self.result.counts()
        lights = "，".join(
            f"{x.name} {counts.get(x.code, 0)} 个" for x in reversed(self.rules.lights)
        )
        serious = p[p["serious"]]
        stop = serious[serious["serious_streak"] >= self.rules.repeated]
        month = self.result.as_of.month
        return facts(
            [
                ("监控日期", self.result.settings["as_of"]),
                ("年度时间进度", f"{month}/12（{_pct(round(month / 12 * 100, 2))}）"),
                ("监控项目", f"{len(p)} 个，预算合计 {wan(p['budget'].sum())}"),
                ("灯号分布", lights),
                (
                    "严重问题",
                    f"{len(serious)} 个（其中连续 {self.rules.repeated} 次及以上 {len(stop)} 个）",
                ),
                ("未报送监控数据", f"{len(self.result.missing)} 个项目"),
                (
                    "以往监控日期",
                    "、".join(f"{d:%Y-%m-%d}" for d in self.result.dates if d < self.result.as_of)
                    or "无",
                ),
            ]
        )

    def light_chart(self) -> Html:
        """Bars of projects per light, in the lights' own colours."""
        codes = [x.code for x in reversed(self.rules.lights)]
        counts = self.result.counts()
        values = [counts.get(c, 0) for c in codes]
        fig = new_figure(5.2, 2.6)
        ax = fig.add_subplot()
        bars = ax.bar(
            [self.names[c] for c in codes],
            values,
            color=[LIGHT_COLORS.get(c, "#888") for c in codes],
            width=0.6,
        )
        ax.bar_label(bars, labels=[str(v) for v in values], padding=2, fontsize=9)
        ax.set_ylabel("项目数")
        ax.set_ylim(0, max([*values, 1]) * 1.2)
        from matplotlib.ticker import MaxNLocator

        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        return figure_html(fig, "各灯号项目数", "图 1  项目监控灯号分布")

    def light_table(self) -> Html:
        """二、项目监控灯号: one row per project, worst light first."""
        order = {x.code: i for i, x in enumerate(self.rules.lights)}
        p = self.p.assign(
            _o=self.p["light"].map(order),
            category_name=self.p["category"].map(category_name),
        ).sort_values(["_o", "project_id"], ascending=[False, True], kind="stable")
        return table(
            p,
            {
                "project_id": "项目编码",
                "name": "项目名称",
                "unit_name": "实施单位",
                "budget": "预算",
                "time_progress": "时间进度",
                "execution_rate": "执行进度",
                "execution_index": "执行进度指数",
                "goal_progress": "目标平均进度",
                "light_name": "灯号",
                "action": "处置建议",
            },
            formats={
                "budget": wan,
                "time_progress": _pct,
                "execution_rate": _pct,
                "goal_progress": _pct,
            },
            numeric=["budget", "time_progress", "execution_rate", "goal_progress"],
            row_class=lambda r: f"light-{r['light']}",
            caption="表 1  项目监控灯号（灯号取预算执行与各指标中最重者）",
            empty="本监控日期没有项目数据。",
        )

    def progress_chart(self) -> Html:
        """三、执行进度与目标进度: per project, time, budget execution and goal progress."""
        p = self.p.sort_values("project_id")
        if p.empty:
            return Html("<p>本监控日期没有项目数据。</p>")
        chart = self._progress_figure(p)
        gap = p[p["gap_flag"]]
        note = paragraphs(
            [
                f"{r.project_id} {r.name}：目标平均进度 {_pct(r.goal_progress)}，"
                f"预算执行进度 {_pct(r.execution_rate)}，相差 {num(abs(r.gap))} 个百分点"
                for r in gap.itertuples()
            ],
            empty=f"各项目目标进度与执行进度之差均未超过 {num(self.rules.gap)} 个百分点。",
        )
        checkpoints = "、".join(f"{m} 月末 {_pct(s * 100)}" for m, s in self.rules.checkpoints)
        missed = p[p["checkpoint_missed"]]
        cp = paragraphs(
            [
                f"{r.project_id} {r.name}：累计执行率 {_pct(r.execution_rate)}，"
                f"未达到 {checkpoint_text(r.checkpoint_due, r.checkpoint)} 的要求"
                for r in missed.itertuples()
            ],
            empty="各项目累计执行进度均达到检查点要求。",
        )
        return Html(
            chart
            + f"<h3>目标进度与执行进度相差超过 {esc(num(self.rules.gap))} 个百分点的项目</h3>"
            + note
            + f"<h3>累计执行进度检查点（{esc(checkpoints)}）</h3>"
            + cp
        )

    def _progress_figure(self, p: pd.DataFrame) -> Html:
        """Per project: time progress (grey), budget execution (bar), goal progress (diamond)."""
        fig = new_figure(6.4, 0.32 * len(p) + 1.2)
        ax = fig.add_subplot()
        y = np.arange(len(p))[::-1]
        ax.barh(y, p["time_progress"], 0.8, color="#dde3ec", label="时间进度")
        ax.barh(y, p["execution_rate"], 0.38, color="#2f6db5", label="预算执行进度")
        goal = p["goal_progress"].to_numpy(dtype=float)
        ax.scatter(goal, y, marker="D", s=22, color="#e0a526", zorder=3, label="目标平均进度")
        names = [_YEAR.sub("", str(n))[:12] for n in p["name"]]
        ax.set_yticks(y, names, fontsize=8)
        ax.set_xlabel("%")
        top = np.nanmax([100.0, *p["execution_rate"], *goal])
        ax.set_xlim(0, float(top) * 1.05)
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False, ncols=3)
        ax.tick_params(axis="y", length=0)
        return figure_html(
            fig,
            "各项目时间进度、预算执行进度与目标平均进度",
            "图 2  各项目时间进度（灰）、预算执行进度（蓝）与目标平均进度（菱形），%",
        )

    def warnings(self) -> Html:
        """四、预警项目与处置建议: red projects, serious ones with their streak."""
        red = self.p[self.p["light"] == self.rules.serious_light]
        if red.empty:
            return Html("<p>本监控日期没有亮红灯的项目。</p>")
        history = self.result.history
        streak = red.assign(
            dates=red["project_id"]
            .map(
                history[history["serious"]]
                .groupby("project_id")["as_of"]
                .agg(lambda s: "、".join(f"{d:%Y-%m-%d}" for d in s))
            )
            .fillna("")
        )
        shown = table(
            streak,
            {
                "project_id": "项目编码",
                "name": "项目名称",
                "unit_name": "实施单位",
                "flags": "预警情况",
                "reasons": "偏差原因",
                "dates": "严重问题日期",
                "action": "处置建议",
            },
            row_class=lambda r: "serious" if r["serious"] else "",
            caption="表 2  红灯项目",
        )
        rule = (
            f"红灯且有指标完成目标可能性为“{self.rules.serious_likelihood}”的为严重问题，"
            f"{self.rules.serious_action}；连续 {self.rules.repeated} 次监控均为严重问题的，"
            f"{self.rules.repeated_action}。其他红灯项目由执行部门分析原因并报送财务部门。"
        )
        return Html(f"<p>{esc(rule)}</p>" + shown)

    def indicators_part(self) -> Html:
        """五、偏离目标的指标: indicators whose light is not green."""
        ind = self.result.indicators
        off = ind[~ind["light"].isin(["green", ""])]
        order = {x.code: i for i, x in enumerate(self.rules.lights)}
        off = off.assign(_o=off["light"].map(order)).sort_values(
            ["_o", "project_id", "indicator_id"], ascending=[False, True, True], kind="stable"
        )
        return table(
            off,
            {
                "project_id": "项目编码",
                "name": "指标",
                "target": "年度指标值",
                "progress": "累计完成值",
                "progress_index": "目标进度指数",
                "light_name": "灯号",
                "likelihood": "完成目标可能性",
                "reason": "偏差原因",
            },
            caption="表 3  偏离目标的指标（正向指标：累计完成值 ÷（年度指标值 × 时间进度）× 100）",
            empty="所有指标均为绿灯。",
        )

    def missing_part(self) -> Html:
        """六、未报送监控数据的项目."""
        m = self.result.missing.assign(
            category_name=self.result.missing["category"].map(category_name)
        )
        return table(
            m,
            {
                "project_id": "项目编码",
                "name": "项目名称",
                "unit_id": "单位编码",
                "category_name": "类别",
                "budget": "预算",
            },
            formats={"budget": wan},
            numeric=["budget"],
            empty="本监控日期在实施的项目均已报送监控数据。",
        )
