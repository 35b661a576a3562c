"""The evaluation report of one project (项目支出绩效评价报告), national outline.

一、基本情况 · 二、绩效评价工作开展情况 · 三、综合评价情况及评价结论 · 四、绩效评价指标分析 ·
五、主要经验及做法、存在的问题及原因分析 · 六、有关建议 · 七、其他需要说明的问题, with a
cover, contents, signature block and appendices (评分表, 佐证材料清单). Each method returns
HTML for one part, so the notebook reads as the outline.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..catalogue import CATEGORIES, GROUPS, category_name, level_name
from ..compare import criterion
from ..errors import ReportError
from ..forms.published import FROM_FORM
from ..labels import ROUND_NAMES
from ..rules import get_rule
from .blocks import (
    Html,
    application,
    badge,
    beijing_time,
    chart_points,
    comparison,
    esc,
    facts,
    loaded,
    mask,
    num,
    paragraphs,
    pct,
    records,
    score_text,
    table,
    wan,
)
from .filing import contents, cover, given, load_settings, signature
from .narrative import ProblemGroup, group_problems, problem_lines, suggestion_lines

__all__ = ["OUTLINE", "ProjectReport", "read_manifest"]

#: The first-level headings of the national outline, in order (the notebook's headings).
OUTLINE = (
    "一、基本情况",
    "二、绩效评价工作开展情况",
    "三、综合评价情况及评价结论",
    "四、绩效评价指标分析",
    "五、主要经验及做法、存在的问题及原因分析",
    "六、有关建议",
    "七、其他需要说明的问题",
    "附件",
)

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
        settings: str | None = None,
    ) -> None:
        self.ds, self.policy, self.scores = loaded(dataset, policy)
        self.settings = load_settings(settings, dataset)
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
        applied = application(dataset, int(self.p["year"]), policy)
        self.application = applied.projects.set_index("project_id").loc[project_id]
        compared = comparison(dataset, policy).projects
        compared = compared[compared["project_id"] == project_id]
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

    def cover(self) -> Html:
        """The cover page (委托单位, 评价机构, 报告日期 from the report settings)."""
        return cover(
            str(self.p["name"]),
            f"{self.p['year']} 年度项目支出绩效评价报告（{ROUND_NAMES[self.round]}）",
            self.settings,
            [("项目名称", str(self.p["name"])), ("实施单位", str(self.unit["name"]))],
        )

    def contents(self) -> Html:
        return contents(OUTLINE)

    # ------------------------------------------------------------------ 一

    def background(self) -> Html:
        """What the assessor writes of the project (optional project columns), or 待补充."""
        p = self.p
        start, end = p.get("start_date"), p.get("end_date")
        period = (
            f"{pd.Timestamp(start):%Y年%m月%d日} 至 {pd.Timestamp(end):%Y年%m月%d日}"
            if pd.notna(start) and pd.notna(end)
            else ""
        )
        pairs = [
            ("立项背景", p.get("background")),
            ("主要内容", p.get("content")),
            ("资金来源", p.get("funding_source")),
            ("资金到位情况", p.get("funds_in_place")),
            ("实施期", period),
            ("总体目标", p.get("overall_goal")),
            ("年度（阶段）目标", p.get("annual_goal")),
        ]
        return facts([(k, given(v, masked=True)) for k, v in pairs])

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
        rows = self.rows.assign(target_text=[_with_unit(r) for r in self.rows.itertuples()])
        return table(
            rows,
            {
                "level1": "一级指标",
                "level2": "二级指标",
                "name": "三级指标",
                "target_text": "年度指标值",
                "points": "分值",
            },
        )

    # ------------------------------------------------------------------ 二

    def purpose(self) -> Html:
        """（一）评价目的、对象与范围."""
        p = self.p
        return facts(
            [
                ("评价目的", given(self.settings.purpose)),
                ("评价对象", f"{p['name']}（{self.unit['name']}）"),
                (
                    "评价范围",
                    f"{p['year']} 年度项目资金 {wan(p['budget'])} 的使用及绩效目标完成情况",
                ),
            ]
        )

    def work(self) -> Html:
        """（二）评价原则、方法与指标体系: the framework and standards, not every formula."""
        from ..frameworks import get_framework

        try:
            framework = get_framework(str(self.p["category"])).name
        except Exception:
            framework = "未找到对应的指标体系模板"
        kinds = sorted({rule.title for r in self.rows["rule"] if (rule := get_rule(r))})
        na = self.rows[~self.rows["applicable"]]
        level1 = self.rows.groupby("level1", sort=False)["points"].sum()
        pairs: list[tuple[str, Any]] = [
            ("评价原则", given(self.settings.principles)),
            (
                "评价轮次",
                f"{ROUND_NAMES[self.round]}（{'单位自评' if self.round == 'self' else '上级复核/随机再评价'}）",
            ),
            ("指标体系", framework),
            (
                "指标构成",
                f"{len(self.rows)} 项三级指标，合计 {num(self.rows['points'].sum())} 分："
                + "、".join(f"{k} {num(v)} 分" for k, v in level1.items()),
            ),
            ("评分方法", f"{'、'.join(kinds)}（各指标的评分方法见附件 1 评分表）"),
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
        return facts(pairs)

    def process(self) -> Html:
        """（三）评价工作过程, 评价机构与人员 (the settings) and the re-evaluation's sample."""
        pairs: list[tuple[str, Any]] = [
            ("工作过程", given(self.settings.process)),
            ("评价机构", given(self.settings.evaluator)),
            ("评价人员", given(self.settings.staff)),
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
                f"{METHODS.get(str(m.get('method')), m.get('method'))} · "
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
            if self.round == "review" and self._from_form():
                cols["other"] = "自评得分（按评分规则）"
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
        said = "自评表所填" if self._from_form() else "自评"
        gap = (
            f"{said} {score_text(c['self_total'])} 分、复核 {score_text(c['review_total'])} 分，"
            f"相差 {score_text(abs(c['difference']))} 分{change}"
        )
        verdict = f"自评质量判定：{c['verdict']}（{gap}；判定标准：{criterion(self.policy)}）。"
        if self._from_form():
            rules = self.scores.project(self.project_id, "self")
            verdict = (
                f"自评表所填总分 {score_text(c['self_total'])} 分（{c['self_grade']}），"
                f"按评分规则计算为 {score_text(rules['total'])} 分（{rules['grade']}），"
                f"自评质量按自评表所填判定。{verdict}"
            )
        if self.round == "self":
            return [
                f"本项目已经上级复核（随机再评价），复核得分 {score_text(c['review_total'])} 分"
                f"（{c['review_grade']}），结果应用以复核结果为准。",
                verdict,
            ]
        return [verdict]

    def _from_form(self) -> bool:
        """Whether the compared self-evaluation is an imported form's printed one."""
        return self.comparison is not None and self.comparison["self_source"] == FROM_FORM

    def _level1(self) -> pd.DataFrame:
        """The first-level table as scoring shows it (subtotals add up, conversion shown);
        a copy of the one made for this report, which four parts show."""
        return self._first_level.copy()  # with its attrs (the conversion)

    @cached_property
    def _first_level(self) -> pd.DataFrame:
        g = self.scores.level1_table(self.project_id, self.round)
        if self.other_result is not None:
            o = self.other_result
            g["other"] = [o.get(n, np.nan) for n in g["level1"][:-1]] + [o["total"]]
        return g

    @cached_property
    def _problem_groups(self) -> list[ProblemGroup]:
        """The indicators that lost points, grouped (the problems and the suggestions)."""
        return group_problems(self.rows, names=self.names)

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

    def decision(self) -> Html:
        """（一）项目决策情况: what the dataset records of how the project was decided."""
        p = self.p
        pairs: list[tuple[str, Any]] = [
            ("立项依据", _yes(p.get("has_basis"))),
            ("集体决策意见", _yes(p.get("collective_decision"))),
            ("新增重大项目", _yes(p.get("new_major"))),
            ("绩效目标同步申报", _yes(p.get("targets_declared"))),
            ("绩效目标批复下达", _yes(p.get("targets_approved"))),
        ]
        return Html(facts(pairs) + self.indicators("决策"))

    def indicators(self, stage: str) -> Html:
        """The indicators of one stage (决策, 过程, 产出, 效益) with a line that sums them up."""
        shown = self._shown
        rows = shown[[_stage(x) == stage for x in shown["level1"]]]
        if rows.empty:
            return Html("" if stage == "决策" else "<p>本项目未设置该类指标。</p>")
        cols = {
            "level1": "一级指标",
            "name": "三级指标",
            "target_text": "指标值",
            "actual_text": "完成值",
            "points": "分值",
            "score_text": "得分",
            "reason_text": "失分原因",
            "note_text": "偏差原因",
        }
        if self.other is not None:
            label = ROUND_NAMES["review" if self.round == "self" else "self"]
            note = cols.pop("note_text")
            cols = {**cols, "other_actual": f"{label}完成值", "other_score": f"{label}得分"}
            cols["note_text"] = note
        applicable = rows[rows["applicable"]]
        full = int((applicable["lost"] <= 0.005).sum())
        head = (
            f"<p>{esc('、'.join(dict.fromkeys(rows['level1'])))}共 {len(rows)} 项指标，"
            f"分值 {esc(num(rows['points'].sum()))} 分，得 {esc(score_text(applicable['score'].sum()))} 分"
            f"（原始分，未折算）；{full} 项达到年度指标值"
            + (f"，{len(applicable) - full} 项失分" if len(applicable) > full else "")
            + (f"，{len(rows) - len(applicable)} 项不适用" if len(rows) > len(applicable) else "")
            + "。</p>"
        )
        body = table(
            rows,
            cols,
            numeric=["points", "score_text", "other_score"],
            row_class=lambda r: "lost" if r["lost"] > 0.005 else "",
        )
        return Html(head + body)

    @cached_property
    def _shown(self) -> pd.DataFrame:
        """Every indicator row with the texts its tables show, made once: the four stage
        tables and the scoring table (附件 1) show the same values."""
        rows = self.rows.copy()
        rows["target_text"] = [_with_unit(r) for r in rows.itertuples()]
        rows["actual_text"] = [
            self._exec_text(r) if r["rule"] == "execution_rate" else _actual(r)
            for r in records(rows)
        ]
        rows["method"] = [rule.title if (rule := get_rule(r)) else r for r in rows["rule"]]
        rows["note_text"] = [mask(x, names=self.names) for x in rows["note"]]
        rows["reason_text"] = [mask(x, names=self.names) for x in rows["reason"]]
        rows["score_text"] = np.where(rows["applicable"], rows["score"].map(score_text), "不适用")
        if self.other is not None:
            other = self.other.set_index("indicator_id")
            rows["other_actual"] = rows["indicator_id"].map(other["actual"]).fillna("")
            rows["other_score"] = rows["indicator_id"].map(other["score"])
        return rows

    def analysis(self) -> Html:
        """附件 1 评分表: every indicator, its scoring method, value, score and deduction."""
        rows = self._shown
        cols = {
            "level1": "一级指标",
            "level2": "二级指标",
            "name": "三级指标",
            "method": "评分方法",
            "target_text": "指标值",
            "actual_text": "完成值",
            "points": "分值",
            "score_text": "得分",
            "reason_text": "评分说明",
        }
        shown = table(
            rows,
            cols,
            numeric=["points", "score_text"],
            row_class=lambda r: "lost" if r["lost"] > 0.005 else "",
        )
        if not (~rows["applicable"]).any():
            return shown
        return Html(
            "<p>本表为各三级指标的原始分值与得分（未折算）；不适用指标已剔除，"
            "综合得分与各一级指标小计按适用指标分值折算，见“三、综合评价情况及评价结论”。</p>"
            + shown
        )

    def evidence(self) -> Html:
        """附件 2 佐证材料清单: the evidence each indicator was scored on (masked)."""
        rows = self.rows.assign(
            evidence_text=[mask(x, names=self.names) for x in self.rows["evidence"]]
        )
        rows = rows[rows["evidence_text"].str.strip() != ""]
        return table(
            rows,
            {"level1": "一级指标", "name": "三级指标", "evidence_text": "佐证材料"},
            empty="未提交佐证材料。",
        )

    def _exec_text(self, row: Mapping[str, Any]) -> str:
        return pct(row["spent"] / row["budget"]) if row["budget"] else "—"

    # ------------------------------------------------------------------ 五 六 七

    def experience(self) -> Html:
        """（一）主要经验及做法: the assessor's text, and what the scores show went well."""
        lines = []
        g = self._level1().iloc[:-1].dropna(subset=["score"])
        whole = [str(r.level1) for r in g.itertuples() if r.lost <= 0.005]
        if whole:
            lines.append(f"{'、'.join(whole)}各项指标均达到年度指标值，未失分。")
        text = f"<p>{given(self.p.get('experience'), masked=True)}</p>"
        return Html(text + (paragraphs(lines, numbered=False) if lines else ""))

    def findings(self) -> list[str]:
        """Problems found, grouped by first-level indicator with their causes; then flags."""
        out = problem_lines(self._problem_groups, names=self.names)
        flags = self.rows[self.rows["flag"] != ""]
        out += [f"{r.name}：{r.flag}。" for r in flags.itertuples()]
        if "全部指标均为满分" in str(self.result["flags"]):
            out.append("全部指标均为满分，自评可能偏宽，建议复核佐证材料。")
        return out

    def problems(self) -> Html:
        return paragraphs(self.findings(), empty="未发现明显问题：各项指标均达到年度目标。")

    def suggestions(self) -> Html:
        """The results application first (one verdict per project), then one per problem group."""
        a = self.application
        basis = f"依据{a['basis']}结果，" if a["basis"] else ""
        first = f"结果应用：{a['action']}（{basis}{a['reasons']}"
        if a["cut"] > 0:
            first += f"；建议压减 {pct(a['cut'], 0)}，约 {wan(a['cut_amount'])}，补助同比例压减"
        out = [first + "）。"]
        groups = self._problem_groups
        out += suggestion_lines(groups, self.rows)
        if groups and (a["cut"] > 0 or bool(self.result["red_light"])):
            out.append(
                "上述问题的整改情况作为下一年度预算安排的依据，未整改的按结果应用规定继续压减或整改后再予安排。"
            )
        return paragraphs(dict.fromkeys(out))

    def remarks(self) -> Html:
        """七、其他需要说明的问题: the settings' note, then what every report must say."""
        fixed = (
            "本报告中的身份证号、电话号码及困难职工姓名等个人信息已作脱敏处理；"
            "得分按评价时的数据集与政策参数计算，等级区间为左闭右开。"
        )
        note = self.settings.other
        return Html((f"<p>{esc(note)}</p>" if note else "") + f"<p>{esc(fixed)}</p>")

    def signature(self) -> Html:
        return signature(self.settings)


def _stage(level1: str) -> str:
    """The outline's stage of a first-level indicator (决策, 过程, 产出, 效益)."""
    for key, stage in (("决策", "决策"), ("过程", "过程"), ("预算执行", "过程"), ("产出", "产出")):
        if key in level1:
            return stage
    return "效益"


def _with_unit(r: Any) -> str:
    """A target with its unit of measure: 13 个, ≥95%; — when none was set."""
    target = str(r.target or "").strip()
    if not target:
        return "—"
    unit = str(getattr(r, "unit_of_measure", "") or "").strip()
    return target if not unit or target.endswith(unit) else f"{target} {unit}".replace(" %", "%")


def _actual(r: Mapping[str, Any]) -> str:
    value = str(r["actual"] or "").strip()
    unit = str(r.get("unit_of_measure") or "").strip()
    if not value:
        return "—"
    if not unit or value.endswith(unit) or not re.fullmatch(r"[\d.,]+", value):
        return value
    return f"{value}{unit}" if unit == "%" else f"{value} {unit}"


def _yes(value: Any) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return "未填报"
    return "是" if bool(value) else "否"
