"""What published 自评表 get wrong (``jxkit recheck``): the first pass of a 随机再评价.

Reads the ``published`` table an import wrote (the points, 自评得分 and 总分 the forms
printed) beside the indicators and values, and reports: scores that differ from their
rule (by how much, in which direction), scores not adding up to the 总分, points not
adding up to 100, full points with no actual value or with an actual that only repeats
the target text, a 执行率 printed wrong, qualitative full points with no evidence.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import pandas as pd

from ..dataset.tables import ROW
from ..dataset.values import parse_target
from ..errors import DataError, Problem
from ..rules import Batch, get_rule
from ..text import stripped
from .notation import Quantity, parse_value

if TYPE_CHECKING:
    from ..dataset.load import Dataset

__all__ = [
    "TOLERANCE",
    "RecheckResult",
    "check_tables",
    "load_for_recheck",
    "recheck",
    "rule_scores",
]

#: Differences up to this many points are rounding on the form, not a wrong score.
TOLERANCE = 0.05
#: The kinds of finding, in report order.
KINDS = {
    "score": "得分与评分规则不符",
    "total": "分项得分合计与总分不符",
    "points": "分值合计不为 100",
    "no_actual": "满分但无实际完成值",
    "copied": "满分但实际完成值照抄年度指标值",
    "rate": "执行率填写错误",
    "no_evidence": "定性指标满分但无佐证材料",
}


@dataclass
class RecheckResult:
    """Findings (one row each), every indicator rechecked, and one row per project."""

    findings: pd.DataFrame
    indicators: pd.DataFrame
    projects: pd.DataFrame

    def sheets(self) -> dict[str, pd.DataFrame]:
        """The workbook ``jxkit recheck --out`` writes, sheet by sheet (Chinese headers)."""
        return {"复核发现": self.findings, "指标复核": self.indicators, "项目复核": self.projects}


def load_for_recheck(path: str | os.PathLike[str]) -> Dataset:
    """The dataset, even when points do not add up to 100 (one of the things recheck reports).

    Any other problem is raised as :func:`~jxkit.dataset.load_dataset` raises it.
    """
    from ..dataset import Collector, find_csv, find_sheet, load_dataset
    from ..dataset.load import Dataset
    from ..dataset.schema import TABLES
    from ..dataset.tables import list_sheets, read_table
    from ..dataset.values import canonical_headers, type_table

    try:
        return load_dataset(path)
    except DataError as exc:
        if not all("指标分值合计为" in p.message for p in exc.problems):
            raise
    p = Path(path)
    sheets = None if p.is_dir() else list_sheets(p)
    tables = {}
    for name in ("units", "projects", "indicators", "evaluations", "published"):
        spec = TABLES[name]
        if sheets is None:
            found = find_csv(p, spec)
            raw = read_table(found) if found else None
        else:
            sheet = find_sheet(sheets, spec)
            raw = read_table(p, sheet) if sheet else None
        if raw is None:
            raise DataError([Problem(p.name, f"缺少表 {spec.zh}（{name}）")])
        out = Collector(str(raw.attrs.get("source", p.name)), {})
        tables[name], _ = type_table(raw.rename(columns=canonical_headers(raw, spec)), spec, out)
    return Dataset(p, tables)


def rule_scores(rows: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
    """Each row's score by its rule (0 where it cannot be scored) and why not ("" when scored).

    ``rows`` has points, rule, params, target, actual, budget, spent.
    """
    n = len(rows)
    out, why = np.zeros(n), [""] * n
    target = parse_target(rows["target"].astype(str))[0].to_numpy(float)
    actual = parse_target(rows["actual"].astype(str))[0].to_numpy(float)
    labels = np.array([stripped(x) for x in rows["actual"]], dtype=object)
    for (rule_name, params_text), at in rows.groupby(
        ["rule", "params"], sort=False
    ).indices.items():
        rule = get_rule(str(rule_name))
        if rule is None:
            for i in at:
                why[i] = f"未知的评分方法 {rule_name}"
            continue
        params = json.loads(params_text) if params_text else {}
        batch = Batch(
            rows["points"].to_numpy(float)[at],
            target[at],
            actual[at],
            labels[at],
            rows["budget"].to_numpy(float)[at],
            rows["spent"].to_numpy(float)[at],
            params,
        )
        outcome = rule.scorer(batch)
        score = np.asarray(outcome.score, dtype=float)
        for mask, reason in outcome.invalid:
            for i in at[np.asarray(mask)]:
                why[i] = "无实际完成值" if not labels[i] else reason
        out[at] = np.nan_to_num(score)
    return out, why


def recheck(ds: Dataset) -> RecheckResult:
    """Recheck every project of ``ds`` that has published figures (an imported dataset)."""
    pub = ds.table("published") if "published" in ds.tables else pd.DataFrame()
    if pub.empty:
        raise DataError(
            f"数据集 {ds.path.name} 没有自评表原值表（published）：请先用 jxkit import 导入自评表"
        )
    projects = ds.projects.set_index("project_id")
    ev = ds.evaluations
    ev = ev[ev["round"] == "self"].set_index(["project_id", "indicator_id"])
    ind = ds.indicators.reset_index(drop=True)
    rows = ind.join(ev[["actual", "evidence"]], on=["project_id", "indicator_id"])
    rows = rows.join(
        projects[["name", "budget", "spent"]].rename(columns={"name": "project_name"}),
        on="project_id",
    )
    rows = rows.join(
        # the indicator's points were read from the same cell as the published ones
        pub.set_index(["project_id", "indicator_id"]).drop(
            columns=[ROW, "points"], errors="ignore"
        ),
        on=["project_id", "indicator_id"],
    )
    rows = rows[rows["file"].notna()].reset_index(drop=True)
    for c in (
        "actual",
        "evidence",
        "actual_text",
        "target_text",
        "rate_text",
        "cells",
        "params",
        "target",
    ):
        rows[c] = rows[c].fillna("").astype(str)
    rows = rows.astype({c: object for c in rows.columns if rows[c].dtype != float})
    rule, why = rule_scores(rows)
    rows["rule_score"] = np.round(rule, 2)
    rows["why"] = why
    findings: list[dict[str, Any]] = []

    def add(
        r: Any,
        kind: str,
        shown: object,
        expected: object,
        diff: float | None,
        text: str,
        cell: str = "",
    ) -> None:
        cells = json.loads(r.cells) if r.cells else {}
        findings.append(
            {
                "项目编码": r.project_id,
                "项目名称": r.project_name,
                "指标编码": r.indicator_id,
                "三级指标": getattr(r, "name", "") or "总分",
                "问题": KINDS[kind],
                "自评表所填": shown,
                "应为": expected,
                "差值": diff,
                "方向": "" if diff is None or diff == 0 else ("偏高" if diff > 0 else "偏低"),
                "说明": text,
                "来源": f"{r.file} 工作表“{r.sheet}” {cells.get(cell, '')}".rstrip(),
            }
        )

    for r in rows.itertuples(index=False):
        full = r.points > 0 and not np.isnan(r.score) and r.score >= r.points - 1e-9
        if not np.isnan(r.score) and abs(r.score - r.rule_score) > TOLERANCE:
            diff = round(float(r.score - r.rule_score), 2)
            reason = f"（{r.why}）" if r.why else ""
            found = get_rule(r.rule)
            add(
                r,
                "score",
                r.score,
                r.rule_score,
                diff,
                f"按{found.title if found else r.rule}应得 {r.rule_score:g} 分{reason}",
                "得分",
            )
        if r.rule == "execution_rate":
            _rate(r, add)
            continue
        if full and not r.actual_text:
            add(r, "no_actual", r.score, None, None, "实际完成值为空却给了满分", "实际完成值")
        elif full and r.rule not in {"grade", "boolean"} and _copied(r.actual_text, r.target_text):
            add(
                r,
                "copied",
                r.actual_text,
                None,
                None,
                f"实际完成值“{r.actual_text}”只是照抄年度指标值“{r.target_text}”",
                "实际完成值",
            )
        if full and r.rule in {"grade", "boolean"} and not r.evidence:
            add(
                r,
                "no_evidence",
                r.score,
                None,
                None,
                "定性指标给了满分，但没有佐证材料（evaluations 表 佐证材料 列）",
                "得分",
            )
    totals = pub[pub["indicator_id"] == ""].set_index("project_id")[["score", "cells"]]
    per = rows.groupby("project_id", sort=True).agg(
        project_name=("project_name", "first"),
        file=("file", "first"),
        sheet=("sheet", "first"),
        points=("points", "sum"),
        published=("score", "sum"),
        by_rule=("rule_score", "sum"),
    )
    per = per.join(totals.rename(columns={"score": "total"}))
    per["cells"] = per["cells"].fillna("{}")
    for t in per.reset_index().astype(object).itertuples(index=False):
        form = _FormRow(t.project_id, t.project_name, "", "总分", t.file, t.sheet, t.cells)
        if abs(t.points - 100) > 1e-6:
            add(
                form,
                "points",
                t.points,
                100,
                round(float(t.points - 100), 2),
                f"各指标分值合计 {t.points:g}，应为 100",
                "总分分值",
            )
        if not pd.isna(t.total) and abs(t.published - t.total) > TOLERANCE:
            add(
                form,
                "total",
                t.total,
                round(float(t.published), 2),
                round(float(t.total - t.published), 2),
                f"各项得分合计 {t.published:g}，总分填 {t.total:g}",
                "总分",
            )
    projects_frame = pd.DataFrame(
        {
            "项目编码": per.index,
            "项目名称": per["project_name"].to_numpy(),
            "分值合计": per["points"].to_numpy(),
            "公布总分": per["total"].to_numpy(),
            "分项自评得分合计": per["published"].round(2).to_numpy(),
            "按规则得分合计": per["by_rule"].round(2).to_numpy(),
        }
    )
    # the columns of the 自评复核底稿, the rule's score as the first pass of the 复核 ones
    indicators = pd.DataFrame(
        {
            "项目编码": rows["project_id"],
            "项目名称": rows["project_name"],
            "指标编码": rows["indicator_id"],
            "一级指标": rows["level1"],
            "二级指标": rows["level2"],
            "三级指标": rows["name"],
            "指标性质": [
                _nature(r, t) for r, t in zip(rows["rule"], rows["target_text"], strict=True)
            ],
            "指标值": rows["target"],
            "度量单位": rows["unit_of_measure"],
            "权重": rows["points"],
            "年度指标值": rows["target_text"],
            "自评完成值": rows["actual_text"],
            "自评得分": rows["score"],
            "按规则得分": rows["rule_score"],
            "偏离度": np.round(rows["score"] - rows["rule_score"], 2),
            "评分方法": rows["rule"],
        }
    )
    columns = [
        "项目编码",
        "项目名称",
        "指标编码",
        "三级指标",
        "问题",
        "自评表所填",
        "应为",
        "差值",
        "方向",
        "说明",
        "来源",
    ]
    frame = pd.DataFrame(findings, columns=columns)
    # a form's own findings (总分) first, then its indicators in id order, kinds in KINDS order
    rank = frame["问题"].map({v: i for i, v in enumerate(KINDS.values())})
    frame = (
        frame.assign(_rank=rank)
        .sort_values(["项目编码", "指标编码", "_rank"], kind="stable")
        .drop(columns="_rank")
        .reset_index(drop=True)
    )
    counts = frame["项目编码"].value_counts()
    projects_frame["发现问题"] = projects_frame["项目编码"].map(counts).fillna(0).astype(int)
    return RecheckResult(frame, indicators, projects_frame)


class _FormRow(NamedTuple):
    """A stand-in row for findings about a whole form (its cells are the 总分 row's)."""

    project_id: str
    project_name: str
    indicator_id: str
    name: str
    file: str
    sheet: str
    cells: str


@cache
def _parsed(text: str) -> Quantity | str:
    """parse_value once per distinct text (a thousand forms repeat their targets)."""
    return parse_value(text)


def _nature(rule: str, target_text: str) -> str:
    """指标性质 as the 底稿 writes it: the target's sign (≥ ≤ = > <), or 定性."""
    if rule == "execution_rate":
        return "≥"
    q = _parsed(target_text)
    if isinstance(q, str):
        return ""
    return "定性" if q.qualitative else (q.sign or "=")


def _copied(actual: str, target: str) -> bool:
    """An actual that is the target's text, or any value written with a sign (≥266米)."""
    if not actual:
        return False
    q = _parsed(actual)
    return actual == target or (not isinstance(q, str) and q.sign != "")


def _rate(r: Any, add: Any) -> None:
    """The printed 执行率 against 全年执行数/全年预算数, at the decimals it was printed with."""
    text = r.rate_text.strip().rstrip("%").strip()
    if not text or not r.budget or np.isnan(r.spent):
        return
    q = parse_value(text)
    if isinstance(q, str) or q.number is None:
        add(r, "rate", r.rate_text, None, None, "执行率不是数字", "执行率")
        return
    decimals = len(text.split(".")[1]) if "." in text else 0
    true = r.spent / r.budget * 100
    shown = round(true + 1e-9, decimals)
    if abs(q.number - shown) > 10 ** (-decimals) / 2:
        add(
            r,
            "rate",
            r.rate_text,
            f"{shown:.{decimals}f}%",
            round(q.number - true, 2),
            f"全年执行数/全年预算数 = {true:.2f}%",
            "执行率",
        )


def check_tables(ds: Dataset, out: dict[str, Any]) -> None:
    """The published table's rows belong to known projects and indicators."""
    from ..dataset.checks import unknown

    pub = ds.table("published")
    if pub.empty:
        return
    unknown(pub, ["project_id"], ds.projects, out["published"], "项目编码在项目表中不存在")
    rows = pub[pub["indicator_id"] != ""]
    unknown(
        rows,
        ["project_id", "indicator_id"],
        ds.indicators,
        out["published"],
        "该项目下没有这个指标编码（绩效指标表中不存在）",
    )
