"""Monitoring at the end of June and September of the last year: spending to date and each
indicator's progress, expected value and likelihood (the weakest project a serious case)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from ..rules import DEFAULT_GRADE_LEVELS
from ..text import per_value, to_number
from .indicators import COUNT_UNITS
from .values import DEVIATION_REASONS
from .wording import choose, fmt

#: Months of the two monitoring dates (end of June, end of September) in the last year.
MONITORING_MONTHS = (6, 9)
SLOW_SPENDING = (
    "采购程序耗时较长，资金支付滞后",
    "项目按合同节点付款，下半年集中支付",
    "活动集中在下半年开展",
)
SERIOUS_REASON = "项目实施方案调整，核心内容已无法在本年度完成"


def draw_monitoring(
    rng: np.random.Generator,
    projects: pd.DataFrame,
    quality: np.ndarray,
    tables: dict[str, pd.DataFrame],
) -> pd.DataFrame:
    """Monitoring at the end of June and September of the last year, of every project
    running then: that year's projects and cross-year projects whose span covers the date."""
    year = int(projects["year"].max())
    dates = ((year - 1970) * 12 + np.array(MONITORING_MONTHS) - 1).astype("datetime64[M]")
    ends = (dates + 1).astype("datetime64[D]") - 1
    start = projects["start_date"].to_numpy(dtype=object)
    spanned = start != ""
    start_m = np.where(spanned, start, "1970-01-01").astype("datetime64[M]")
    end_d = np.where(spanned, projects["end_date"].to_numpy(dtype=object), "1970-01-01")
    end_d = end_d.astype("datetime64[D]")
    in_year = (projects["year"] == year).to_numpy()
    # (project, date) pairs running at the date; time progress counts the date's month
    proj, at_date = np.nonzero(
        np.where(
            spanned[:, None],
            (start_m[:, None] <= dates[None, :]) & (end_d[:, None] >= ends[None, :]),
            in_year[:, None],
        )
    )
    elapsed = (dates[at_date] - start_m[proj]).astype(int) + 1
    share = np.where(spanned[proj], elapsed / 12, np.array(MONITORING_MONTHS)[at_date] / 12)
    share = np.minimum(share, 1.0)
    order = np.lexsort((proj, at_date))
    proj, at_date, share = proj[order], at_date[order], share[order]
    n = len(proj)
    q = quality[proj]
    this_year = np.flatnonzero(in_year)
    serious_pos = this_year[np.argmin(quality[this_year])] if len(this_year) else -1
    serious = proj == serious_pos
    # poor projects spend late: spent_to_date = spent × share^k
    k = np.clip(0.85 + 0.9 * (1.0 - q) + rng.normal(0.0, 0.1, n), 0.7, 2.0)
    k[serious] = 2.4
    spent = projects["spent"].to_numpy(dtype=float)[proj]
    budget = projects["budget"].to_numpy(dtype=float)[proj]
    as_of = ends.astype(str).astype(object)[at_date]
    spent_to_date = np.round(spent * share**k, 2)
    slow = spent_to_date / budget / share < 0.8
    spend_rows = pd.DataFrame(
        {
            "project_id": projects["project_id"].to_numpy()[proj],
            "as_of": as_of,
            "indicator_id": "",
            "spent_to_date": fmt(spent_to_date, np.full(n, 2)),
            "progress": "",
            "expected": "",
            "likelihood": "",
            "reason": np.where(slow, choose(rng, SLOW_SPENDING, n), ""),
        }
    )
    ind_rows = _monitored_indicators(rng, tables, projects, proj, share, q, serious, as_of)
    frame = pd.concat([spend_rows, ind_rows], ignore_index=True)
    is_ind = (frame["indicator_id"] != "").to_numpy()
    order = np.lexsort((np.arange(len(frame)), is_ind, frame["project_id"], frame["as_of"]))
    return frame.iloc[order].reset_index(drop=True)


def _monitored_indicators(
    rng: np.random.Generator,
    tables: dict[str, pd.DataFrame],
    projects: pd.DataFrame,
    proj: np.ndarray,
    share: np.ndarray,
    q: np.ndarray,
    serious: np.ndarray,
    as_of: np.ndarray,
) -> pd.DataFrame:
    """Cumulative progress of each indicator (from its year-end self value, else its target)."""
    ind = tables["indicators"]
    ind = ind[ind["rule"] != "execution_rate"]
    ev = tables["evaluations"]
    own = ev[ev["round"] == "self"].set_index(["project_id", "indicator_id"])["actual"]
    pid = projects["project_id"].to_numpy()
    # one row per (project-date, indicator of the project)
    starts = ind.groupby("project_id", sort=False).indices
    pieces = [starts.get(p, np.array([], dtype=np.int64)) for p in pid[proj]]
    counts = np.array([len(x) for x in pieces])
    rows = np.concatenate(pieces) if len(pieces) else np.array([], dtype=np.int64)
    at = np.repeat(np.arange(len(proj)), counts)
    r = ind.iloc[rows].reset_index(drop=True)
    final_text = own.reindex(pd.MultiIndex.from_frame(r[["project_id", "indicator_id"]]))
    final_text = final_text.fillna("").to_numpy(dtype=object)
    applicable = final_text != "不适用"
    r, at, final_text = r[applicable].reset_index(drop=True), at[applicable], final_text[applicable]
    n = len(r)
    rule = r["rule"].to_numpy(dtype=object)
    target, _ = to_number(r["target"], decorated=True)
    final, _ = to_number(final_text, decorated=True)
    final = np.where(np.isnan(final), target, final)
    # progress runs roughly with time, a little behind in poorer projects
    t = share[at]
    kk = np.clip(1.0 + 0.5 * (1.0 - q[at]) + rng.normal(0.0, 0.06, n), 0.9, 2.0)
    positive = np.isin(rule, ["ratio", "bands"])
    progress = np.where(positive, final * np.power(t, kk), final)
    # the serious case: its largest positive indicator cannot be reached this year
    hit = np.zeros(n, dtype=bool)
    cand = np.flatnonzero(serious[at] & positive)
    if len(cand):
        pts = r["points"].to_numpy(dtype=float)[cand]
        top = r["indicator_id"].to_numpy()[cand][np.argmax(pts)]
        hit = serious[at] & (r["indicator_id"].to_numpy() == top)
        progress[hit] = 0.15 * target[hit] * t[hit]
    unit = r["unit_of_measure"].astype(str)
    decimals = np.where(unit.isin(COUNT_UNITS), 0, np.where(unit.str.contains("元"), 0, 1)).astype(
        int
    )
    numeric = ~np.isnan(progress)
    labels = _monitoring_labels(r, final_text)
    progress_text = np.where(labels != "", labels, "")
    progress_text[numeric & (labels == "")] = fmt(
        progress[numeric & (labels == "")], decimals[numeric & (labels == "")]
    )
    expected = np.where(labels != "", labels, "")
    expected[numeric & (labels == "")] = fmt(
        np.where(hit, progress / t, final)[numeric & (labels == "")],
        decimals[numeric & (labels == "")],
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        on_track = np.where(positive, progress / (target * t) >= 0.8, True)
        reach = np.where(
            positive, final >= target, np.where(labels == "达成", True, final <= target)
        )
    likelihood = np.where(hit, "完全不可能", np.where(reach, "确定能", "有可能"))
    reason = np.where(positive & ~on_track, choose(rng, DEVIATION_REASONS, n), "")
    reason = np.where(hit, SERIOUS_REASON, reason)
    filled = progress_text != ""  # e.g. an interval indicator of a project never evaluated
    return pd.DataFrame(
        {
            "project_id": r["project_id"].to_numpy(),
            "as_of": as_of[at],
            "indicator_id": r["indicator_id"].to_numpy(),
            "spent_to_date": "",
            "progress": progress_text,
            "expected": expected,
            "likelihood": likelihood,
            "reason": reason,
        }
    )[filled]


def _monitoring_labels(rows: pd.DataFrame, final: np.ndarray) -> np.ndarray:
    """达成 / 部分达成 / 未达成 for qualitative indicators (是 / 否 for yes-no ones), else ""."""
    rule = rows["rule"].to_numpy(dtype=object)
    key = pd.Series(rows["params"].astype(str) + "\x1f" + pd.Series(final, dtype=object))

    def label(text: str) -> str:
        params, value = text.split("\x1f", 1)
        levels = (json.loads(params) if params else {}).get("levels", DEFAULT_GRADE_LEVELS)
        share = float(levels.get(value, 1.0)) if value else 1.0
        return "达成" if share >= 0.8 else "部分达成" if share >= 0.6 else "未达成"

    grades = per_value(key, label)
    yes_no = np.where(np.array([str(v) for v in final]) == "否", "否", "是")
    return np.where(rule == "grade", grades, np.where(rule == "boolean", yes_no, "")).astype(object)
