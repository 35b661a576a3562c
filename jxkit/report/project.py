"""The evaluation report of one project (项目支出绩效评价报告), national outline.

一、基本情况 · 二、评价工作开展情况 · 三、综合评价结论 · 四、绩效指标分析 · 五、存在的问题 ·
六、有关建议. Each method returns HTML for one part, so the notebook reads as the outline.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..catalogue import CATEGORIES, GROUPS, category_name, level_name
from ..compare import compare, criterion
from ..errors import ReportError
from ..labels import ROUND_NAMES
from ..rules import get_rule
from .blocks import (
    Html,
    badge,
    beijing_time,
    chart_points,
    esc,
    facts,
    loaded,
    mask,
    num,
    paragraphs,
    pct,
    score_text,
    table,
    wan,
    year_results,
)

__all__ = ["ProjectReport", "read_manifest"]

_GROUP_OF = {c.code: GROUPS[c.group] for c in CATEGORIES}


METHODS = {
    "srs": "简单随机抽样",
    "pps": "按规模成比例抽样（序贯泊松）",
    "stratified-srs": "分层简单随机抽样",
    "stratified-pps": "分层按规模成比例抽样（序贯泊松）",
}


def read_manifest(sample_dir: str | os.PathLike[str] | None) -> dict[str, Any] | None:
    """The manifest of a sample folder, or None when there is none."""
    if not sample_dir:
        return None
    f = Path(sample_dir) / "manifest.json"
    if not f.exists():
        return None
    data: dict[str, Any] = json.loads(f.read_text(encoding="utf-8"))
    return data


class ProjectReport:
    """Everything the project report shows, computed once from the dataset."""

    def __init__(
        self,
        dataset: str | os.PathLike[str],
        project_id: str,
        round: str = "self",
        *,
        sample_dir: str | os.PathLike[str] | None = None,
        policy: str | None = None,
    ) -> None:
        self.ds, self.policy, self.scores = loaded(dataset, policy)
        projects = self.ds.projects.set_index("project_id")
        project_id = str(project_id)
        if project_id not in projects.index:
            raise ReportError(f"数据集中没有项目 {project_id}")
        self.project_id = project_id
        self.round = round
        self.p = projects.loc[project_id]
        self.unit = self.ds.units.set_index("unit_id").loc[self.p["unit_id"]]
        rounds = set(
            self.scores.projects.loc[self.scores.projects["project_id"] == project_id, "round"]
        )
        if round not in rounds and (problems := self.scores.problems_of(project_id, round)):
            raise ReportError(
                f"项目 {project_id} 的{ROUND_NAMES.get(round, round)}结果无法计算："
                + "；".join(problems)
            )
        if round not in rounds:
            have = "、".join(ROUND_NAMES[r] for r in sorted(rounds)) or "无"
            raise ReportError(
                f"项目 {project_id} 没有{ROUND_NAMES.get(round, round)}结果（现有：{have}）"
            )
        self.result = self.scores.project(project_id, round)
        self.rows = self.scores.breakdown(project_id, round)
        other = "review" if round == "self" else "self"
        self.other = self.scores.breakdown(project_id, other) if other in rounds else None
        self.other_result = self.scores.project(project_id, other) if other in rounds else None
        self.names = self.p["category"] == "hardship_assistance"
        self.manifest = read_manifest(sample_dir)
        # one verdict per project: the results application of its governing round, and the
        # self-evaluation quality verdict of `jxkit compare`, whichever report shows them
        application, _ = year_results(dataset, int(self.p["year"]), policy)
        self.application = application.projects.set_index("project_id").loc[project_id]
        compared = compare(self.ds, [project_id], policy=self.policy, scores=self.scores).projects
        self.comparison = compared.iloc[0] if len(compared) else None

    # ------------------------------------------------------------------ title

    def title(self) -> Html:
        r = self.result
        return Html(
            f'<header class="jx-title"><p class="jx-kicker">{esc(self.p["year"])} 年度 · '
            f"{esc(ROUND_NAMES[self.round])} · {esc(category_name(self.p['category']))}</p>"
            f"<h1>{esc(self.p['name'])}</h1><p class='jx-sub'>项目支出绩效评价报告</p>"
            f'<div class="jx-score"><span class="jx-total">{score_text(r["total"])}</span>'
            f'<span class="jx-unit">分</span>{badge(r["grade"], bool(r["red_light"]))}</div></header>'
        )

    # ------------------------------------------------------------------ 一

    def basic(self) -> Html:
        p, u = self.p, self.unit
        rate = p["spent"] / p["budget"] if p["budget"] else np.nan
        return facts(
            [
                ("项目名称", p["name"]),
                ("项目编码", self.project_id),
                ("实施单位", f"{u['name']}（{level_name(u['level'])}）"),
                (
                    "项目类别",
                    f"{_GROUP_OF.get(p['category'], '三项十类以外')} · {category_name(p['category'])}",
                ),
                ("年度", p["year"]),
                ("全年预算数", wan(p["budget"])),
                ("全年执行数", wan(p["spent"])),
                ("预算执行率", pct(rate)),
                ("新增重大项目", _yes(p.get("new_major"))),
                ("跨年项目", _yes(p.get("cross_year"))),
                (
                    "绩效目标同步申报 / 批复下达",
                    f"{_yes(p.get('targets_declared'))} / {_yes(p.get('targets_approved'))}",
                ),
            ]
        )

    def targets(self) -> Html:
        """The performance targets (绩效目标) as declared: the indicator tree with targets."""
        rows = self.rows.assign(
            target_text=self.rows["target"].where(self.rows["target"] != "", "—")
        )
        return table(
            rows,
            {
                "level1": "一级指标",
                "level2": "二级指标",
                "name": "三级指标",
                "target_text": "年度指标值",
                "unit_of_measure": "计量单位",
                "points": "分值",
            },
        )

    # ------------------------------------------------------------------ 二

    def work(self) -> Html:
        from ..frameworks import get_framework

        try:
            fw = get_framework(str(self.p["category"]))
            framework = fw.name
        except Exception:
            framework = "未找到对应的指标体系模板"
        rules = sorted({r for r in self.rows["rule"]})
        methods = "\n".join(rule.describe() for r in rules if (rule := get_rule(r)))
        na = self.rows[~self.rows["applicable"]]
        pairs: list[tuple[str, Any]] = [
            (
                "评价轮次",
                f"{ROUND_NAMES[self.round]}（{'单位自评' if self.round == 'self' else '上级复核/随机再评价'}）",
            ),
            ("指标体系", framework),
            ("指标数量", f"{len(self.rows)} 项，合计 {num(self.rows['points'].sum())} 分"),
            ("评分方法", methods),
            (
                "不适用指标",
                "、".join(na["name"]) + "（已剔除，其分值按比例分摊）" if len(na) else "无",
            ),
            (
                "等级标准",
                "；".join(f"{g} ≥ {num(m)} 分" for g, m in self.policy.grades[:-1])
                + f"；其余为{self.policy.grades[-1][0]}",
            ),
        ]
        pairs += self._provenance()
        return facts(pairs)

    def _provenance(self) -> list[tuple[str, Any]]:
        m = self.manifest
        if not m:
            return [("随机再评价", "本报告未附抽样记录")]
        chosen = next(
            (s for s in m.get("selected", []) if str(s.get("id")) == self.project_id), None
        )
        if chosen is None:
            return [
                (
                    "随机再评价",
                    f"未被抽中（抽样种子“{m.get('seed')}”，共抽取 {len(m.get('selected', []))} 个）",
                )
            ]
        reason = {
            "random": "随机抽中",
            "certainty": "规模较大，必然入样",
            "mandatory": "指定必抽",
        }.get(chosen.get("reason"), chosen.get("reason"))
        return [
            (
                "随机再评价",
                f"本项目被抽中：{reason}，入样概率 {pct(chosen.get('inclusion_probability'))}",
            ),
            (
                "抽样方法",
                f"{m.get('algorithm')} · {METHODS.get(str(m.get('method')), m.get('method'))} · "
                f"种子“{m.get('seed')}” · {beijing_time(m.get('created'))}",
            ),
        ]

    # ------------------------------------------------------------------ 三

    def conclusion(self) -> Html:
        r = self.result
        lines = [
            f"经{ROUND_NAMES[self.round]}，该项目综合得分 {score_text(r['total'])} 分，评价等级为“{r['grade']}”"
            + ("，亮红灯警示" if r["red_light"] else "")
            + "。"
        ]
        lines += self._verdicts()
        summary = self._level1()
        conversion = summary.attrs.get("conversion")
        if conversion:
            lines.append(
                f"不适用指标“{conversion['removed']}”（{num(conversion['removed_points'])} 分）已剔除，"
                f"下表各指标的分值与得分均按适用指标分值 {num(conversion['applicable_points'])} 分折算为百分制"
                f"（× 100 ÷ {num(conversion['applicable_points'])}），合计 100 分。"
            )
        head = "<p>" + "".join(esc(x) for x in lines) + "</p>"
        cols = {
            "level1": "一级指标",
            "points": "折算分值" if conversion else "分值",
            "score": "折算得分" if conversion else "得分",
            "lost": "折算失分" if conversion else "失分",
            "rate": "得分率",
        }
        if self.other is not None:
            cols["other"] = f"{ROUND_NAMES['review' if self.round == 'self' else 'self']}得分"
        return Html(
            head
            + table(
                summary, cols, formats={"rate": pct}, numeric=["points", "score", "lost", "other"]
            )
        )

    def _verdicts(self) -> list[str]:
        """The review and the quality verdict, said alike in the self and the review report."""
        c = self.comparison
        if c is None:
            return []
        change = (
            f"，等级由“{c['self_grade']}”变为“{c['review_grade']}”" if c["grade_changed"] else ""
        )
        gap = (
            f"自评 {score_text(c['self_total'])} 分、复核 {score_text(c['review_total'])} 分，"
            f"相差 {score_text(abs(c['difference']))} 分{change}"
        )
        verdict = f"自评质量判定：{c['verdict']}（{gap}；判定标准：{criterion(self.policy)}）。"
        if self.round == "self":
            return [
                f"本项目已经上级复核（随机再评价），复核得分 {score_text(c['review_total'])} 分"
                f"（{c['review_grade']}），结果应用以复核结果为准。",
                verdict,
            ]
        return [verdict]

    def _level1(self) -> pd.DataFrame:
        """The first-level table as scoring shows it (subtotals add up, conversion shown)."""
        g = self.scores.level1_table(self.project_id, self.round)
        if self.other_result is not None:
            o = self.other_result
            g["other"] = [o.get(n, np.nan) for n in g["level1"][:-1]] + [o["total"]]
        return g

    def chart(self) -> Html:
        g = self._level1()
        unit = "折算分" if g.attrs.get("conversion") else "分"
        g = g.iloc[:-1].dropna(subset=["score"])  # without 合计 and wholly 不适用 indicators
        return chart_points(
            list(g["level1"]),
            list(g["score"]),
            list(g["lost"]),
            caption=f"图 1  各一级指标得分与失分（{unit}）",
        )

    # ------------------------------------------------------------------ 四

    def analysis(self) -> Html:
        rows = self.rows.copy()
        rows["actual_text"] = np.where(
            rows["rule"] == "execution_rate", rows.apply(self._exec_text, axis=1), rows["actual"]
        )
        rows["evidence_text"] = [mask(x, names=self.names) for x in rows["evidence"]]
        rows["reason_text"] = [mask(x, names=self.names) for x in rows["reason"]]
        rows["score_text"] = np.where(rows["applicable"], rows["score"].map(score_text), "不适用")
        cols = {
            "level1": "一级指标",
            "name": "三级指标",
            "target": "指标值",
            "actual_text": "完成值",
            "points": "分值",
            "score_text": "得分",
            "reason_text": "失分原因",
            "evidence_text": "佐证材料",
        }
        formats = {"target": lambda v: v or "—"}
        if self.other is not None:
            other = self.other.set_index("indicator_id")
            rows["other_actual"] = rows["indicator_id"].map(other["actual"]).fillna("")
            rows["other_score"] = rows["indicator_id"].map(other["score"])
            label = ROUND_NAMES["review" if self.round == "self" else "self"]
            # the other round sits beside the values it is compared with; evidence stays last
            evidence = cols.pop("evidence_text")
            cols = {**cols, "other_actual": f"{label}完成值", "other_score": f"{label}得分"}
            cols["evidence_text"] = evidence
        shown = table(
            rows,
            cols,
            formats=formats,
            numeric=["points", "score_text", "other_score"],
            row_class=lambda r: "lost" if r["lost"] > 0.005 else "",
        )
        if not (~rows["applicable"]).any():
            return shown
        return Html(
            "<p>本表为各三级指标的原始分值与得分（未折算）；不适用指标已剔除，"
            "综合得分与各一级指标小计按适用指标分值折算，见“三、综合评价结论”。</p>" + shown
        )

    def _exec_text(self, row: pd.Series) -> str:
        return pct(row["spent"] / row["budget"]) if row["budget"] else "—"

    # ------------------------------------------------------------------ 五 六

    def findings(self) -> list[str]:
        """Problems found: indicators that lost points (most first) and flags of practice."""
        lost = self.rows[self.rows["lost"] > 0.005].sort_values(
            "lost", ascending=False, kind="stable"
        )
        out = [f"{r.name}：{mask(r.reason, names=self.names)}。" for r in lost.itertuples()]
        flags = self.rows[self.rows["flag"] != ""]
        out += [f"{r.name}：{r.flag}。" for r in flags.itertuples()]
        if "全部指标均为满分" in str(self.result["flags"]):
            out.append("全部指标均为满分，自评可能偏宽，建议复核佐证材料。")
        return out

    def problems(self) -> Html:
        return paragraphs(self.findings(), empty="未发现明显问题：各项指标均达到年度目标。")

    def suggestions(self) -> Html:
        a = self.application
        basis = f"依据{a['basis']}结果，" if a["basis"] else ""
        first = f"结果应用：{a['action']}（{basis}{a['reasons']}"
        if a["cut"] > 0:
            first += f"；建议压减 {pct(a['cut'], 0)}，约 {wan(a['cut_amount'])}，补助同比例压减"
        out = [first + "）。"]
        lost = self.rows[self.rows["lost"] > 0.005].sort_values(
            "lost", ascending=False, kind="stable"
        )
        for r in lost.itertuples():
            out.append(_advice(r))
        if (self.rows["flag"].str.contains("未说明偏差原因")).any():
            out.append("对完成值明显高于目标的指标补充偏差原因，并在下一年度合理设定绩效目标。")
        return paragraphs(dict.fromkeys(out))


def _advice(r: Any) -> str:
    match r.rule:
        case "execution_rate":
            return "加快预算执行进度，加强资金使用计划管理，提高预算执行率。"
        case "ratio" | "bands":
            return f"加强过程管理，确保“{r.name}”达到年度指标值。"
        case "inverse" | "inverse_linear":
            return f"严格控制“{r.name}”，在指标值以内组织实施。"
        case "equal_zero":
            return f"落实安全与规范管理责任，杜绝“{r.name}”再次发生。"
        case "deduction":
            return f"对“{r.name}”中发现的问题逐项整改，建立台账。"
        case "grade" | "boolean":
            return f"针对“{r.name}”完善工作措施，提高完成质量。"
        case "interval":
            return f"按标准执行“{r.name}”，使其回到合理区间。"
    return f"改进“{r.name}”。"


def _yes(value: Any) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return "未填报"
    return "是" if bool(value) else "否"
