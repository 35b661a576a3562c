"""The target review report of one unit's year, or of a whole year (绩效目标审核意见).

一、审核概况 · 二、审核结果 · 三、审核发现的问题 · 四、审核意见与处理. A unit's report is what
the finance department sends back with the budget: which projects go on, which are to
be completed or revised and submitted again, and which may not enter the budget.
"""

from __future__ import annotations

import os

import pandas as pd

from ..errors import JxkitError, ReportError
from ..targets import ASPECTS, CHECKS, review_targets
from .blocks import Html, badge, chart_bars, esc, facts, loaded, num, paragraphs, pct, table, wan

__all__ = ["TargetsReport"]

#: What the unit is asked to do about each kind of finding.
ADVICE = {
    "no_targets": "按项目类别指标体系申报绩效目标，与预算同步报送",
    "missing_dimension": "补齐产出（数量、质量、时效、成本）、效益和满意度指标",
    "points_total": "调整各指标分值，使合计为 100 分",
    "missing_target": "为每个指标填写年度指标值",
    "missing_unit": "为定量指标写明计量单位",
    "missing_goal": "填写项目总体目标",
    "outside_framework": "删除与项目无关的指标，或标明为个性指标并说明依据",
    "duplicate": "合并重复设置的指标，同一产出不在效益中重复计分",
    "quantitative_share": "将定性指标尽可能细化、量化",
    "cost_direction": "成本指标改为“≤”（不超过）",
    "satisfaction_range": "满意度指标值按 80%～100% 设置，并以问卷调查为依据",
    "below_last_actual": "指标值不低于上年实际完成水平，确需降低的说明理由",
    "far_above_past": "按以往实际完成情况测算指标值，说明偏高的依据",
    "funds_mismatch": "按预算增减同步调整绩效目标，做到资金与目标匹配",
    "deadline_after_end": "完成时限调整到项目实施期内",
    "percent_over_100": "百分比指标值不超过 100%",
}


class TargetsReport:
    """Everything the target review report shows, computed once from the dataset."""

    def __init__(
        self,
        dataset: str | os.PathLike[str],
        year: int,
        unit_id: str = "",
        *,
        policy: str | None = None,
    ) -> None:
        self.ds, self.policy, _ = loaded(dataset, policy)
        self.year, self.unit_id = int(year), str(unit_id or "")
        try:
            self.result = review_targets(
                self.ds, self.year, policy=self.policy, unit_id=self.unit_id
            )
        except JxkitError as exc:
            raise ReportError(str(exc)) from None
        self.rules = self.policy.targets
        self.p = self.result.projects
        self.f = self.result.findings
        self.scope = "全部单位"
        if self.unit_id:
            names = self.ds.units.set_index("unit_id")["name"]
            self.scope = str(names.get(self.unit_id, self.unit_id))

    def title(self) -> Html:
        reviewed = self.p["total"].dropna()
        mean = num(round(float(reviewed.mean()), 2)) if len(reviewed) else "—"
        of = "平均" if len(reviewed) == len(self.p) else "平均，不含未申报目标的项目"
        return Html(
            f'<header class="jx-title"><p class="jx-kicker">{self.year} 年度预算 · {esc(self.scope)}</p>'
            "<h1>项目绩效目标审核意见</h1>"
            "<p class='jx-sub'>与预算同步申报的绩效目标：完整性、相关性、适当性、可行性</p>"
            f'<div class="jx-score"><span class="jx-total">{esc(mean)}</span>'
            f'<span class="jx-unit">分（{of}）</span>'
            f"{''.join(badge(g) + f'<span class=jx-unit>{n}</span>' for g, n in self._counts())}"
            "</div></header>"
        )

    def _counts(self) -> list[tuple[str, int]]:
        counts = self.p["grade"].value_counts()
        return [(g, int(counts.get(g, 0))) for g, _ in self.rules.grades]

    def overview(self) -> Html:
        """一、审核概况: what was reviewed, how, and the results in brief."""
        p = self.p
        pairs = [
            ("审核范围", f"{self.scope} {self.year} 年度申报预算的项目"),
            ("审核项目", f"{len(p)} 个，预算合计 {wan(p['budget'].sum())}"),
            ("审核结果", "，".join(f"{g} {n} 个" for g, n in self._counts())),
            (
                "发现问题",
                f"{len(self.f)} 处，涉及 {self.f['project_id'].nunique()} 个项目"
                if len(self.f)
                else "未发现问题",
            ),
            (
                "审核要点与分值",
                "；".join(f"{a} {num(self.rules.aspects.get(a, 0))} 分" for a in ASPECTS),
            ),
            (
                "结果区间（左闭右开）",
                "；".join(f"{g} ≥ {num(m)} 分" for g, m in self.rules.grades[:-1])
                + f"；其余为{self.rules.grades[-1][0]}",
            ),
        ]
        if self.unit_id:
            q = self.result.quality(self.policy)
            if self.unit_id in q.index:
                r = q.loc[self.unit_id]
                pairs.append(("工作考核：绩效目标编制质量", f"{r['value']}（{r['basis']}）"))
        return facts(pairs)

    def findings_chart(self) -> Html:
        """Findings per check, most frequent first (when there are two kinds or more)."""
        if self.f["check"].nunique() < 2:
            return Html("")
        counts = self.f["check_name"].value_counts(sort=False)
        order = [CHECKS[c].title for c in CHECKS if CHECKS[c].title in counts.index]
        counts = counts.reindex(order).sort_values(ascending=False, kind="stable")
        return chart_bars(
            list(counts.index),
            {"问题数": list(counts.to_numpy(dtype=float))},
            horizontal=True,
            ylabel="问题（处）",
            caption="图 1  审核发现的问题分布",
            value_format=lambda v: f"{v:.0f}",
            integer=True,
        )

    def results(self) -> Html:
        """二、审核结果: one row per project, its aspect scores, total, result and handling."""
        order = {g: i for i, (g, _) in enumerate(self.rules.grades)}
        p = self.p.assign(_o=self.p["grade"].map(order)).sort_values(
            ["_o", "total", "project_id"], ascending=[False, True, True], kind="stable"
        )
        columns = {"project_id": "项目编码", "name": "项目名称"}
        if not self.unit_id:
            columns["unit_name"] = "申报单位"
        columns |= {"budget": "预算", **{a: a for a in ASPECTS}}
        columns |= {"total": "总分", "grade": "结果", "action": "处理"}
        return table(
            p,
            columns,
            formats={"budget": wan},
            numeric=["budget", *ASPECTS, "total"],
            row_class=lambda r: "lost" if r["grade"] in self._revise() else "",
            caption="表 1  项目绩效目标审核结果（按结果从差到优排列）",
        )

    def _revise(self) -> set[str]:
        """The results that send the targets back (all below the two best bands)."""
        return {g for g, _ in self.rules.grades[2:]}

    def findings(self) -> Html:
        """三、审核发现的问题: per project with findings, each finding with its reason."""
        if self.f.empty:
            return Html("<p>审核未发现问题，各项目绩效目标完整、相关、适当、可行。</p>")
        parts = []
        p = self.p.set_index("project_id")
        n = 1
        for pid, f in self.f.groupby("project_id", sort=False):
            r = p.loc[pid]
            scored = "未申报绩效目标" if pd.isna(r["total"]) else f"审核得分 {num(r['total'])} 分"
            parts.append(
                f"<h3>{esc(r['name'])}（{esc(pid)}）{badge(str(r['grade']))}</h3>"
                f"<p>{esc(scored)}，{esc(r['action'])}。</p>"
            )
            parts.append(
                table(
                    f.assign(
                        deduction_text=f["deduction"].map(lambda v: f"−{num(v)}" if v else "—"),
                        indicator=f["indicator"].where(f["indicator_id"] != "", "（项目整体）"),
                    ),
                    {
                        "check_name": "问题",
                        "indicator": "指标",
                        "target": "年度指标值",
                        "finding": "原因",
                        "deduction_text": "扣分",
                    },
                    numeric=["deduction_text"],
                    caption=f"表 {n + 1}  {r['name']}的问题（按完整性、相关性、适当性、可行性排列）",
                )
            )
            n += 1
        return Html("".join(parts))

    def advice(self) -> Html:
        """四、审核意见与处理: projects by result with the consequence, then what to fix."""
        lines = []
        for g, _ in self.rules.grades:
            ids = self.p[self.p["grade"] == g]
            if ids.empty:
                continue
            names = "、".join(f"{r.name}（{r.project_id}）" for r in ids.itertuples())
            lines.append(
                f"审核结果为“{g}”的 {len(ids)} 个项目{self.rules.actions.get(g, '')}：{names}。"
            )
        used = [c for c in CHECKS if c in set(self.f["check"])]
        for c in used:
            n = int((self.f["check"] == c).sum())
            lines.append(f"{CHECKS[c].title}（{n} 处）：{ADVICE[c]}。")
        quantitative = self.p["quantitative_share"].dropna()
        if len(quantitative):
            lines.append(
                f"定量指标平均占比 {pct(quantitative.mean())}（要求不低于 "
                f"{pct(self.rules.min_quantitative_share, 0)}）。"
            )
        return paragraphs(lines)
