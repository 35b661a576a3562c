"""Dual monitoring (绩效运行监控, 双监控): goal progress and budget execution against time.

At a monitoring date the optional ``monitoring`` table (绩效监控) holds, per project, one
row without an indicator carrying the cumulative spending (累计执行数) and one row per
indicator carrying its cumulative progress (累计完成值), the expected full-year value,
the likelihood of reaching the target (完成目标可能性) and the reason for a deviation.

Time progress is month / 12 (m = month of the monitoring date); a cross-year project with
start and end dates is measured against its whole span (elapsed months / months in the
span). Then, with every threshold from the policy file:

- execution index = (spent_to_date / budget) / time progress × 100 → light;
- progress index of a positive indicator = progress / (target × time progress) × 100 →
  light (over-run is blue); an inverse indicator is green within its target, else red; a
  qualitative one takes the light of its label (达成 / 部分达成 / 未达成);
- the project's light is its worst light; average goal attainment (positive indicators,
  each capped at 100%) is compared with execution progress; cumulative execution is
  checked against the latest checkpoint whose month is over (a cross-year project's at the
  same share of its own span);
- red with an indicator judged 完全不可能 is a serious problem (暂缓拨付); serious at the
  policy's number of consecutive monitoring dates of that project, 停止拨付.

Indices are rounded half-up to 2 decimals before they are banded, so the light always
matches the number shown.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .dataset import Collector, Dataset, optional_table, parse_dates, parse_target, unknown
from .errors import DataError, Problem
from .policy import LIKELIHOODS, MonitoringPolicy, Policy, band, default_policy
from .rounding import round_half_up
from .text import per_value, strip

__all__ = ["MonitoringResult", "checkpoint_text", "monitor", "parse_as_of"]

POSITIVE = ("ratio", "bands")
INVERSE = ("inverse", "inverse_linear", "equal_zero", "deduction")
LABELLED = ("grade", "boolean")
WITHIN = ("interval",)
#: rules whose target may be left out: they mean "none at all"
ZERO_TARGET = ("equal_zero", "deduction")


def _dates(c: Collector, frame: pd.DataFrame, mask: Any, column: str, message: str) -> None:
    """Report rows of a date column, showing the date as the user wrote it (2021-06-30)."""
    for row, value in frame.loc[np.asarray(mask, dtype=bool), column].items():
        shown = None if pd.isna(value) else _day(value)
        c.problems.append(Problem(c.source, message, int(row), c.col(column), shown))


def check_tables(ds: Dataset, out: dict[str, Collector]) -> None:
    """Project dates in order, and monitoring rows that fit their project and its span."""
    _project_dates(ds, out)
    _monitoring_table(ds, out)


def _project_dates(ds: Dataset, out: dict[str, Collector]) -> None:
    p = ds.projects
    c = out["projects"]
    one = p["start_date"].isna() != p["end_date"].isna()
    _dates(c, p, one & p["end_date"].isna(), "end_date", "填写了开始日期，也应填写结束日期")
    _dates(c, p, one & p["start_date"].isna(), "start_date", "填写了结束日期，也应填写开始日期")
    _dates(c, p, p["end_date"] < p["start_date"], "end_date", "结束日期早于开始日期")


def _monitoring_table(ds: Dataset, out: dict[str, Collector]) -> None:
    m = ds.table("monitoring")
    if m.empty:
        return
    c = out["monitoring"]
    unknown(m, ["project_id"], ds.projects, c, "项目编码在项目表中不存在")
    has_ind = m["indicator_id"] != ""
    unknown(
        m[has_ind],
        ["project_id", "indicator_id"],
        ds.indicators,
        c,
        "该项目下没有这个指标编码（绩效指标表中不存在）",
    )
    c.rows(
        m, ~has_ind & m["spent_to_date"].isna(), "spent_to_date", "无指标编码的行应填写累计执行数"
    )
    c.rows(m, has_ind & (strip(m["progress"]) == ""), "progress", "指标行应填写累计完成值")
    c.rows(
        m,
        ~m["likelihood"].isin(LIKELIHOODS) & (m["likelihood"] != ""),
        "likelihood",
        f"不是可选的完成目标可能性（应为 {'、'.join(LIKELIHOODS)} 之一）",
    )
    rules = ds.indicators.set_index(["project_id", "indicator_id"])["rule"]
    rule = pd.Series(
        rules.reindex(pd.MultiIndex.from_frame(m[["project_id", "indicator_id"]])).to_numpy(),
        index=m.index,
    )
    c.rows(
        m,
        rule == "execution_rate",
        "indicator_id",
        "预算执行率由累计执行数计算，不必作为指标行填报",
    )
    facts = ds.projects.drop_duplicates("project_id").set_index("project_id")
    budget = m["project_id"].map(facts["budget"])
    c.rows(m, ~has_ind & (budget == 0), "spent_to_date", "项目预算为 0，无法计算预算执行进度")
    span = _span(m, facts)
    _dates(c, m, span["before"], "as_of", "监控日期早于项目开始日期")
    _dates(
        c,
        m,
        span["outside_year"],
        "as_of",
        "监控日期不在项目年度内（跨年项目请在项目表填写开始日期和结束日期）",
    )
    dated = m.reset_index()
    groups = dated.groupby(["project_id", "as_of"], sort=True)
    has_spent = (dated["indicator_id"] == "").groupby([dated["project_id"], dated["as_of"]]).any()
    first_row = groups["row"].min()
    for pid, day in has_spent.index[~has_spent.to_numpy()]:
        c.problems.append(
            Problem(
                c.source,
                f"项目 {pid} 在 {_day(day)} 的监控数据缺少累计执行数行（指标编码为空的一行）",
                int(first_row[(pid, day)]),
                c.col("spent_to_date"),
            )
        )


def _day(value: Any) -> str:
    return pd.Timestamp(value).strftime("%Y-%m-%d")


def _months(day: pd.Series) -> np.ndarray:
    """Months since year 0, so that differences count calendar months."""
    return (day.dt.year * 12 + day.dt.month).to_numpy(dtype=float)


def _span(m: pd.DataFrame, facts: pd.DataFrame) -> pd.DataFrame:
    """Time progress of each monitoring row, and whether its date fits its project.

    A cross-year project with both dates: (months elapsed, counting the monitoring month)
    / (months in the span), capped at 1; any other project: month / 12 within its year.
    ``done`` counts the months of the span (of the year) that are over, ``length`` the
    span's months (12), ``first`` its first month (as :func:`_months` counts).
    """
    pid = m["project_id"]
    start = pid.map(facts["start_date"])
    end = pid.map(facts["end_date"])
    year = pid.map(facts["year"]).astype(float).to_numpy()
    cross = pid.map(facts["cross_year"]).fillna(False).astype(bool).to_numpy()
    spanned = cross & start.notna().to_numpy() & end.notna().to_numpy()
    day = m["as_of"]
    elapsed = _months(day) - _months(start) + 1
    length = _months(end) - _months(start) + 1
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(spanned, np.minimum(elapsed / length, 1.0), day.dt.month / 12)
    known = day.notna().to_numpy() & ~np.isnan(year)
    month_end = day.dt.is_month_end.fillna(False).to_numpy(dtype=bool)
    return pd.DataFrame(
        {
            "share": share,
            "done": np.where(
                spanned,
                np.minimum(elapsed - ~month_end, length),
                day.dt.month.to_numpy(dtype=float) - ~month_end,
            ),
            "length": np.where(spanned, length, 12.0),
            "first": np.where(spanned, _months(start), day.dt.year.to_numpy(dtype=float) * 12 + 1),
            "spanned": spanned,
            "no_span": cross & ~spanned,
            "before": spanned & (elapsed < 1),
            "outside_year": known & ~spanned & (day.dt.year.to_numpy(dtype=float) != year),
        },
        index=m.index,
    )


def parse_as_of(text: str) -> pd.Timestamp:
    """A monitoring date typed by a user (2021-06-30, 2021/6/30, 2021年6月30日)."""
    values, bad = parse_dates(np.array([str(text)], dtype=object))
    if bad[0] or pd.isna(values[0]):
        raise DataError(f"监控日期“{text}”不是有效的日期（应为 2021-06-30 或 2021/6/30）")
    return pd.Timestamp(values[0])


@dataclass
class MonitoringResult:
    """Monitoring at one date.

    ``projects``: one row per project monitored at the date (time progress, execution
    rate and index, goal progress, gap, checkpoint, light, serious streak, action, flags);
    ``indicators``: its indicator rows with their index and light; ``history``: the
    project rows of every monitoring date up to this one (for trends and the consecutive
    rule); ``missing``: projects due for monitoring at the date without any row.
    """

    as_of: pd.Timestamp
    projects: pd.DataFrame
    indicators: pd.DataFrame
    history: pd.DataFrame
    missing: pd.DataFrame
    dates: list[pd.Timestamp]
    settings: dict[str, Any] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        """Projects per light code."""
        return {k: int(v) for k, v in self.projects["light"].value_counts().items()}


def monitor(
    dataset: Dataset,
    as_of: str | pd.Timestamp,
    *,
    policy: Policy | None = None,
    unit_id: str | None = None,
) -> MonitoringResult:
    """Lights, flags and actions of every project monitored at ``as_of`` (one unit's only
    when ``unit_id`` is given). Raises :class:`DataError` when there is no monitoring data
    at that date or a value cannot be read against its indicator."""
    policy = policy or default_policy()
    rules = policy.monitoring
    day = parse_as_of(as_of) if isinstance(as_of, str) else pd.Timestamp(as_of)
    m = optional_table(dataset, "monitoring")
    dates = sorted(pd.Timestamp(d) for d in m["as_of"].dropna().unique())
    facts = dataset.projects.drop_duplicates("project_id").set_index("project_id")
    if unit_id:
        if unit_id not in set(dataset.units["unit_id"]):
            raise DataError(f"数据集中没有单位 {unit_id}")
        m = m[m["project_id"].map(facts["unit_id"]) == unit_id]
    if not (m["as_of"] == day).any():
        have = "、".join(_day(d) for d in dates) or "无（数据集中没有绩效监控表）"
        scope = f"单位 {unit_id} " if unit_id else ""
        raise DataError(f"{scope}没有 {_day(day)} 的监控数据（现有监控日期：{have}）")
    m = m[m["as_of"] <= day]
    span = _span(m, facts)
    source = dataset.sources.get("monitoring", "绩效监控表")
    rows = _indicator_lights(m, span, dataset.indicators, rules, source)
    history = _project_lights(m, span, rows, facts, rules)
    names = dataset.units.set_index("unit_id")["name"]
    history.insert(3, "unit_name", history["unit_id"].map(names))
    now = history[history["as_of"] == day].reset_index(drop=True)
    indicators = rows[rows["as_of"] == day].reset_index(drop=True)
    missing = _missing(dataset, facts, now, day, unit_id)
    settings = {"as_of": _day(day), "unit_id": unit_id or "", "policy": policy.source}
    return MonitoringResult(day, now, indicators, history, missing, dates, settings)


def _indicator_lights(
    m: pd.DataFrame,
    span: pd.DataFrame,
    indicators: pd.DataFrame,
    rules: MonitoringPolicy,
    source: str,
) -> pd.DataFrame:
    """Each indicator row with its progress index, attainment and light."""
    ind_rows = m["indicator_id"] != ""
    rows = m[ind_rows].reset_index()
    share = span.loc[ind_rows, "share"].to_numpy()
    cols = ["project_id", "indicator_id", "level1", "name", "rule", "target", "params"]
    info = indicators.reset_index(drop=True)[[*cols, "unit_of_measure"]]
    rows = rows.merge(info, on=["project_id", "indicator_id"], how="left", sort=False)
    rule = rows["rule"].to_numpy(dtype=object)
    label = strip(rows["progress"])
    progress, _ = parse_target(pd.Series(label, index=rows.index))
    target, _ = parse_target(rows["target"])
    progress_v, target_v = progress.to_numpy(), target.to_numpy()
    target_v = np.where(np.isin(rule, ZERO_TARGET) & np.isnan(target_v), 0.0, target_v)
    light = np.full(len(rows), "", dtype=object)
    index = np.full(len(rows), np.nan)
    attainment = np.full(len(rows), np.nan)
    problems: list[tuple[np.ndarray, str]] = []

    numeric = np.isin(rule, (*POSITIVE, *INVERSE, *WITHIN))
    problems.append((numeric & np.isnan(progress_v), "累计完成值应为数字"))
    positive = np.isin(rule, POSITIVE)
    problems.append(
        (positive & ~(target_v > 0), "年度指标值须为正数，才能计算目标进度（见绩效指标表）")
    )
    ok = positive & (target_v > 0) & ~np.isnan(progress_v)
    with np.errstate(divide="ignore", invalid="ignore"):
        raw = progress_v / (target_v * share) * 100
        attain = np.minimum(progress_v / target_v, 1.0) * 100
    index[ok] = round_half_up(raw[ok])
    attainment[ok] = round_half_up(attain[ok])
    light[ok] = band(index[ok], rules.progress)

    inverse = np.isin(rule, INVERSE) & ~np.isnan(progress_v) & ~np.isnan(target_v)
    problems.append(
        (np.isin(rule, INVERSE) & np.isnan(target_v), "反向指标缺少年度指标值（见绩效指标表）")
    )
    light[inverse] = np.where(
        progress_v[inverse] <= target_v[inverse], rules.inverse_within, rules.inverse_beyond
    )

    within = np.isin(rule, WITHIN) & ~np.isnan(progress_v)
    bounds = per_value(rows["params"], _bounds)
    low = np.array([b[0] for b in bounds], dtype=float)
    high = np.array([b[1] for b in bounds], dtype=float)
    inside = (progress_v >= low) & (progress_v <= high)
    light[within] = np.where(inside[within], rules.inverse_within, rules.inverse_beyond)

    labelled = np.isin(rule, LABELLED)
    mapped = np.array([rules.labels.get(x, "") for x in label], dtype=object)
    known = "、".join(rules.labels)
    problems.append((labelled & (mapped == ""), f"不是可识别的完成情况（可选：{known}）"))
    light[labelled] = mapped[labelled]

    found = [
        Problem(
            source,
            f"项目 {r.project_id} 指标 {r.indicator_id}（{r.name}）{message}",
            int(r.row),
            "progress",
            r.progress,
        )
        for mask, message in problems
        for r in rows[mask].itertuples()
    ]
    if found:
        found.sort(key=lambda p: p.row or 0)
        raise DataError(found, title="以下监控数据无法判断灯号")
    rows["share"] = share
    rows["progress_index"] = index
    rows["attainment"] = attainment
    rows["light"] = light
    names = {x.code: x.name for x in rules.lights}
    rows["light_name"] = pd.Series(light, index=rows.index).map(names).fillna("")
    keep = [
        "row",
        "project_id",
        "as_of",
        "indicator_id",
        "level1",
        "name",
        "rule",
        "target",
        "unit_of_measure",
        "progress",
        "expected",
        "likelihood",
        "reason",
        "progress_index",
        "attainment",
        "light",
        "light_name",
    ]
    return rows[keep]


def _bounds(params: Any) -> tuple[float, float]:
    try:
        p = json.loads(params) if params else {}
        return float(p["low"]), float(p["high"])
    except (ValueError, KeyError, TypeError):
        return np.nan, np.nan


def _worst(lights: pd.Series, rules: MonitoringPolicy) -> str:
    present = [x for x in lights if x]
    return max(present, key=rules.severity) if present else ""


def _project_lights(
    m: pd.DataFrame,
    span: pd.DataFrame,
    rows: pd.DataFrame,
    facts: pd.DataFrame,
    rules: MonitoringPolicy,
) -> pd.DataFrame:
    """One row per project and monitoring date: execution, goal progress, light, action."""
    spent = m[m["indicator_id"] == ""]
    p = spent[["project_id", "as_of", "spent_to_date"]].reset_index(drop=True)
    s = span.loc[spent.index].reset_index(drop=True)
    f = facts.reindex(p["project_id"])
    for col in ("unit_id", "name", "year", "category", "budget", "cross_year"):
        p[col] = f[col].to_numpy()
    p["cross_year"] = p["cross_year"].fillna(False).astype(bool)
    p["time_progress"] = round_half_up(s["share"] * 100)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = p["spent_to_date"].to_numpy() / p["budget"].to_numpy()
        p["execution_rate"] = round_half_up(rate * 100)
        p["execution_index"] = round_half_up(rate / s["share"].to_numpy() * 100)
    p["execution_light"] = band(p["execution_index"].to_numpy(), rules.execution)
    key = ["project_id", "as_of"]
    severity = {x.code: i for i, x in enumerate(rules.lights)}
    codes = np.array([x.code for x in rules.lights], dtype=object)
    worst_ind = rows["light"].map(severity).groupby([rows["project_id"], rows["as_of"]]).max()
    worst_ind = pd.Series(codes[worst_ind.to_numpy(dtype=int)], index=worst_ind.index)
    g = rows.groupby(key)
    p = p.join(g["attainment"].mean().rename("goal_progress"), on=key)
    p["goal_progress"] = round_half_up(p["goal_progress"])
    counts = rows.assign(n=1).pivot_table(index=key, columns="light", values="n", aggfunc="sum")
    for code in severity:
        p[f"n_{code}"] = (
            counts[code].reindex(pd.MultiIndex.from_frame(p[key])).fillna(0).astype(int).to_numpy()
            if code in counts
            else 0
        )
    p["indicator_light"] = worst_ind.reindex(pd.MultiIndex.from_frame(p[key])).fillna("").to_numpy()
    exec_s = p["execution_light"].map(severity)
    ind_s = p["indicator_light"].map(severity).fillna(-1)
    p["light"] = np.where(ind_s > exec_s, p["indicator_light"], p["execution_light"])
    p["light_name"] = p["light"].map({x.code: x.name for x in rules.lights})
    p["gap"] = round_half_up(p["goal_progress"] - p["execution_rate"])
    p["gap_flag"] = p["gap"].abs() > rules.gap
    p["checkpoint_month"], p["checkpoint"], p["checkpoint_due"] = _checkpoints(s, rules)
    p["checkpoint_missed"] = p["execution_rate"] < p["checkpoint"].fillna(-1.0)
    hopeless = (rows["likelihood"] == rules.serious_likelihood).groupby(
        [rows["project_id"], rows["as_of"]]
    )
    p["hopeless"] = (
        hopeless.any().reindex(pd.MultiIndex.from_frame(p[key])).fillna(False).astype(bool)
    ).to_numpy()
    p["serious"] = (p["light"] == rules.serious_light) & p["hopeless"]
    p["no_span"] = s["no_span"].to_numpy()
    p = p.sort_values(key, kind="stable").reset_index(drop=True)
    # consecutive serious dates of a project: a new run starts where the flag changes
    run = (p["serious"] != p.groupby("project_id")["serious"].shift()).cumsum()
    p["serious_streak"] = np.where(p["serious"], p.groupby(run).cumcount() + 1, 0)
    actions = {x.code: x.action for x in rules.lights}
    p["action"] = np.where(
        p["serious"] & (p["serious_streak"] >= rules.repeated),
        rules.repeated_action,
        np.where(p["serious"], rules.serious_action, p["light"].map(actions)),
    )
    p["flags"] = _flags(p, rules)
    # the stated causes: of slow spending (on the row without indicator), then per indicator
    stated = pd.concat(
        [
            spent[["project_id", "as_of", "reason"]].assign(name="预算执行"),
            rows[["project_id", "as_of", "reason", "name"]],
        ],
        ignore_index=True,
    )
    reasons = stated[stated["reason"] != ""]
    joined = (
        (reasons["name"] + "：" + reasons["reason"])
        .groupby([reasons["project_id"], reasons["as_of"]])
        .agg("；".join)
    )
    p["reasons"] = joined.reindex(pd.MultiIndex.from_frame(p[key])).fillna("").to_numpy()
    return p.drop(columns=["hopeless", "no_span"])


def _checkpoints(
    s: pd.DataFrame, rules: MonitoringPolicy
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The latest checkpoint each row has passed: its month, required rate (%) and when due.

    A checkpoint ("by end of month k") applies once its month is over. A cross-year project
    meets it at the same share of its own span: at the end of the span's month
    ⌈k × months of the span / 12⌉, named by calendar month and month of the span, so an
    18-month project is held to the 40% of month 6 at the end of its 9th month, not in June.
    """
    done, length, first = (s[c].to_numpy(dtype=float) for c in ("done", "length", "first"))
    spanned = s["spanned"].to_numpy(dtype=bool)
    month = np.zeros(len(s), dtype=int)
    required = np.full(len(s), np.nan)
    due = np.full(len(s), "", dtype=object)
    for k, share in rules.checkpoints:  # a few checkpoints, each applied to all rows
        d = np.where(spanned, np.ceil(k * length / 12 - 1e-9), k)
        reached = done >= d
        index = first + d - 1  # the due month, as _months counts: year × 12 + month
        text = np.full(len(s), f"{k} 月末", dtype=object)
        rows = np.flatnonzero(spanned)
        text[rows] = [
            f"实施期第 {int(dd)} 个月末（{int((i - 1) // 12)} 年 {int((i - 1) % 12 + 1)} 月末）"
            for i, dd in zip(index[rows], d[rows], strict=True)
        ]
        month = np.where(reached, k, month)
        required = np.where(reached, share * 100, required)
        due = np.where(reached, text, due)
    return month, required, due


def checkpoint_text(due: str, required: float) -> str:
    """A checkpoint as flags and reports say it: "6 月末 40%", "实施期第 9 个月末（…）40%"."""
    if not due:
        return ""
    return f"{due}{'' if due.endswith('）') else ' '}{_pct(required)}"


def _flags(p: pd.DataFrame, rules: MonitoringPolicy) -> pd.Series:
    """The warnings of each project-date in plain Chinese, joined with "；"."""
    names = {x.code: x.name for x in rules.lights}
    rate, time = p["execution_rate"].map(_pct), p["time_progress"].map(_pct)
    parts = [
        np.where(
            p["execution_light"] != "green",
            "预算执行进度"
            + p["execution_light"].map(names)
            + "（执行率 "
            + rate
            + "，时间进度 "
            + time
            + "）",
            "",
        ),
        np.where(p["n_red"] > 0, "红灯指标 " + p["n_red"].astype(str) + " 个", ""),
        np.where(
            p["gap_flag"],
            "目标进度与执行进度相差 " + p["gap"].abs().map(_num) + " 个百分点",
            "",
        ),
        np.where(
            p["checkpoint_missed"],
            "累计执行率 "
            + rate
            + " 未达到 "
            + pd.Series(map(checkpoint_text, p["checkpoint_due"], p["checkpoint"]), index=p.index)
            + " 的要求",
            "",
        ),
        np.where(
            p["hopeless"],
            f"有指标完成目标可能性为“{rules.serious_likelihood}”",
            "",
        ),
        np.where(p["no_span"], "跨年项目未填写起止日期，按年度时间进度计算", ""),
    ]
    text = pd.Series("", index=p.index, dtype=object)
    for part in parts:
        text = text + "；" + pd.Series(part, index=p.index, dtype=object)
    return text.str.replace("；{2,}", "；", regex=True).str.strip("；")


def _num(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".")


def _pct(x: float) -> str:
    return "—" if pd.isna(x) else _num(x) + "%"


def _missing(
    dataset: Dataset,
    facts: pd.DataFrame,
    now: pd.DataFrame,
    day: pd.Timestamp,
    unit_id: str | None,
) -> pd.DataFrame:
    """Projects running at ``day`` (its year, or a cross-year span covering it) with no row."""
    p = dataset.projects
    cross = p["cross_year"].fillna(False).astype(bool) & p["start_date"].notna()
    running = np.where(
        cross, (p["start_date"] <= day) & (p["end_date"] >= day), p["year"] == day.year
    )
    out = p[running & ~p["project_id"].isin(now["project_id"])]
    if unit_id:
        out = out[out["unit_id"] == unit_id]
    return out[["project_id", "name", "unit_id", "category", "budget"]].reset_index(drop=True)
