"""Dual monitoring: hand-computed lights at every boundary, gap, checkpoints, the serious
rule over consecutive dates, a cross-year project, load checks, the CLI and the report."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from conftest import REPO

from jxkit.cli import main
from jxkit.dataset import load_dataset, parse_dates
from jxkit.errors import DataError, PolicyError
from jxkit.monitoring import monitor
from jxkit.policy import load_policy
from jxkit.render.batch import render_batch
from jxkit.report.kinds import jobs_for_dataset

COLUMNS = [
    "project_id",
    "as_of",
    "indicator_id",
    "spent_to_date",
    "progress",
    "expected",
    "likelihood",
    "reason",
]

# Mini: P-001 budget 1,000,000 (I02 ratio target 1000, I03 inverse target 500, I05 grade);
# P-003 budget 2,000,000 (K02 ratio target 5000, K03 ratio target 20). At 2021-06-30,
# m = 6 and time progress 6/12 = 0.5.


def spent(pid: str, day: str, amount: object, reason: str = "") -> dict[str, object]:
    return {"project_id": pid, "as_of": day, "spent_to_date": amount, "reason": reason}


def ind(
    pid: str, day: str, iid: str, progress: object, likelihood: str = "", reason: str = ""
) -> dict[str, object]:
    return {
        "project_id": pid,
        "as_of": day,
        "indicator_id": iid,
        "progress": progress,
        "likelihood": likelihood,
        "reason": reason,
    }


Make = Callable[..., Path]


@pytest.fixture
def data(mini_copy) -> Callable[..., Path]:
    """The mini dataset with a monitoring table (and optional project edits)."""

    def make(rows: list[dict[str, object]], projects: dict[str, dict[str, str]] | None = None):
        def edit(t: dict[str, pd.DataFrame]) -> None:
            t["monitoring"] = pd.DataFrame(rows, dtype=object).reindex(
                columns=COLUMNS, fill_value=""
            )
            p = t["projects"]
            for pid, values in (projects or {}).items():
                for col, value in values.items():
                    if col not in p:
                        p[col] = ""
                    p.loc[p["project_id"] == pid, col] = value

        return mini_copy(edit)

    return make


def first(path: Path, day: str = "2021-06-30", pid: str = "P-001", **kw: object) -> pd.Series:
    result = monitor(load_dataset(path), day, **kw)  # type: ignore[arg-type]
    return result.projects.set_index("project_id").loc[pid]


@pytest.mark.parametrize(
    ("amount", "index", "light", "action"),
    [
        # index = (spent / 1,000,000) / (6/12) × 100, so spent = index × 5,000
        (299_950, 59.99, "red", "预警（分析原因并报送财务部门）"),
        (300_000, 60.0, "yellow", "关注"),
        (399_950, 79.99, "yellow", "关注"),
        (400_000, 80.0, "green", "正常"),
    ],
)
def test_execution_light_boundaries(data, amount, index, light, action) -> None:
    r = first(data([spent("P-001", "2021-06-30", amount)]))
    assert r["execution_index"] == index
    assert r["execution_light"] == light and r["light"] == light
    assert r["action"] == action


@pytest.mark.parametrize(
    ("progress", "index", "light"),
    [
        # index = progress / (1000 × 6/12) × 100 = progress / 5
        ("299.95", 59.99, "red"),
        ("300", 60.0, "yellow"),
        ("399.95", 79.99, "yellow"),
        ("400", 80.0, "green"),
        ("599.95", 119.99, "green"),
        ("600", 120.0, "blue"),
    ],
)
def test_progress_light_boundaries(data, progress, index, light) -> None:
    path = data(
        [spent("P-001", "2021-06-30", 400_000), ind("P-001", "2021-06-30", "I02", progress)]
    )
    result = monitor(load_dataset(path), "2021-06-30")
    row = result.indicators.set_index("indicator_id").loc["I02"]
    assert row["progress_index"] == index and row["light"] == light
    # execution is green (index 80), so the project takes the indicator's light
    assert result.projects.loc[0, "light"] == light


@pytest.mark.parametrize(
    ("iid", "progress", "light"),
    [
        ("I03", "500", "green"),  # inverse, target 500: within
        ("I03", "500.01", "red"),  # beyond
        ("I05", "达成", "green"),
        ("I05", "部分达成", "yellow"),
        ("I05", "未达成", "red"),
    ],
)
def test_inverse_and_qualitative_lights(data, iid, progress, light) -> None:
    path = data([spent("P-001", "2021-06-30", 400_000), ind("P-001", "2021-06-30", iid, progress)])
    result = monitor(load_dataset(path), "2021-06-30")
    assert result.indicators.loc[0, "light"] == light


def test_project_light_is_the_worst(data) -> None:
    rows = [
        spent("P-001", "2021-06-30", 350_000),  # index 70: yellow
        ind("P-001", "2021-06-30", "I02", "600"),  # 120: blue
        ind("P-001", "2021-06-30", "I03", "480"),  # green
    ]
    r = first(data(rows))
    assert (r["light"], r["light_name"], r["n_yellow"], r["n_blue"]) == ("yellow", "黄灯", 0, 1)


@pytest.mark.parametrize(
    ("progress", "gap", "flagged"),
    [
        # goal attainment 500/1000 = 50%, execution 400,000/1,000,000 = 40%
        ("500", 10.0, False),
        ("500.1", 10.01, True),  # 50.01 − 40
        ("2000", 60.0, True),  # attainment capped at 100%: 100 − 40
    ],
)
def test_gap_between_goal_and_execution(data, progress, gap, flagged) -> None:
    path = data(
        [spent("P-001", "2021-06-30", 400_000), ind("P-001", "2021-06-30", "I02", progress)]
    )
    r = first(path)
    assert (r["gap"], r["gap_flag"]) == (gap, flagged)


@pytest.mark.parametrize(
    ("day", "amount", "required", "missed"),
    [
        ("2021-06-30", 399_900, 40.0, True),  # 39.99% < 40% by end of June
        ("2021-06-30", 400_000, 40.0, False),
        ("2021-05-31", 249_900, 25.0, True),  # May: April's 25% applies
        ("2021-09-30", 599_900, 60.0, True),  # September: August's 60%
        ("2021-03-31", 0, None, False),  # before the first checkpoint
        ("2021-06-05", 300_000, 25.0, False),  # June is not over: April's 25% applies, met
        ("2021-04-29", 0, None, False),  # April is not over yet
    ],
)
def test_execution_checkpoints(data, day, amount, required, missed) -> None:
    r = first(data([spent("P-001", day, amount)]), day)
    assert r["checkpoint_missed"] == missed
    assert (pd.isna(r["checkpoint"]) and required is None) or r["checkpoint"] == required


def serious_rows(day: str, likelihood: str, k03: str = "2") -> list[dict[str, object]]:
    # P-003: execution 1,200,000/2,000,000 = 60% → index 120 (green) at June;
    # K03: 2 / (20 × 6/12) × 100 = 20 → red
    return [
        spent("P-003", day, 1_200_000 if day.endswith("06-30") else 1_800_000),
        ind("P-003", day, "K03", k03, likelihood, "攻关受阻"),
    ]


def test_serious_at_two_consecutive_dates_stops_payment(data) -> None:
    path = data(serious_rows("2021-06-30", "完全不可能") + serious_rows("2021-09-30", "完全不可能"))
    june = first(path, "2021-06-30", "P-003")
    september = first(path, "2021-09-30", "P-003")
    assert (june["serious"], june["serious_streak"], june["action"]) == (True, 1, "建议暂缓拨付")
    assert (september["serious_streak"], september["action"]) == (2, "建议停止拨付")


def test_a_break_restarts_the_count(data) -> None:
    path = data(
        serious_rows("2021-06-30", "完全不可能")
        + serious_rows("2021-08-31", "有可能")
        + serious_rows("2021-09-30", "完全不可能")
    )
    august = first(path, "2021-08-31", "P-003")
    september = first(path, "2021-09-30", "P-003")
    assert (august["light"], august["serious"], august["action"]) == (
        "red",
        False,
        "预警（分析原因并报送财务部门）",
    )
    assert (september["serious_streak"], september["action"]) == (1, "建议暂缓拨付")


def test_hopeless_but_not_red_is_not_serious(data) -> None:
    # K03: 7 / (20 × 0.5) × 100 = 70 → yellow
    r = first(data(serious_rows("2021-06-30", "完全不可能", k03="7")), pid="P-003")
    assert (r["light"], r["serious"], r["action"]) == ("yellow", False, "关注")


def test_cross_year_project_is_measured_over_its_span(data) -> None:
    span = {"P-001": {"cross_year": "是", "start_date": "2021/7/1", "end_date": "2022-06-30"}}
    rows = [spent("P-001", "2021-09-30", 300_000), ind("P-001", "2021-09-30", "I02", "300")]
    r = first(data(rows, span), "2021-09-30")
    # Jul, Aug, Sep of 12 months: time progress 3/12 = 25%;
    # execution 30% / 25% = 120 (green; as an annual project 30% / (9/12) = 40, red);
    # I02: 300 / (1000 × 0.25) = 120 → blue
    assert (r["time_progress"], r["execution_index"], r["execution_light"]) == (
        25.0,
        120.0,
        "green",
    )
    assert r["light"] == "blue"
    assert not r["checkpoint_missed"]  # 3 months in: no checkpoint reached yet


def test_cross_year_project_runs_into_the_next_year(data) -> None:
    span = {"P-001": {"cross_year": "是", "start_date": "2021-07-01", "end_date": "2022-06-30"}}
    r = first(data([spent("P-001", "2022-03-31", 900_000)], span), "2022-03-31")
    # Jul 2021 to Mar 2022 = 9 of 12 months: 90% / 75% = 120
    assert (r["time_progress"], r["execution_index"]) == (75.0, 120.0)


# An 18-month project, March 2021 to August 2022: checkpoint month k of the policy (4, 6, 8,
# 10) falls at the end of the span's month ⌈k × 18 / 12⌉ = 6, 9, 12, 15, i.e. August 2021,
# November 2021, February 2022, May 2022.
EIGHTEEN = {"P-001": {"cross_year": "是", "start_date": "2021-03-01", "end_date": "2022-08-31"}}


@pytest.mark.parametrize(
    ("day", "amount", "month", "required", "due", "flag"),
    [
        # June 2021 is month 4 of the span: no checkpoint yet (as an annual project: June's 40%)
        ("2021-06-30", 0, 0, None, "", ""),
        ("2021-08-31", 249_900, 4, 25.0, "实施期第 6 个月末（2021 年 8 月末）", "24.99% 未达到 实施期第 6 个月末（2021 年 8 月末）25%"),
        # 15 February 2022: month 12 of the span is not over, 11 are: November's 40% applies
        ("2022-02-15", 390_000, 6, 40.0, "实施期第 9 个月末（2021 年 11 月末）", "39% 未达到 实施期第 9 个月末（2021 年 11 月末）40%"),
        ("2022-02-28", 600_000, 8, 60.0, "实施期第 12 个月末（2022 年 2 月末）", ""),
    ],
)  # fmt: skip
def test_cross_year_checkpoints_by_the_span(data, day, amount, month, required, due, flag) -> None:
    r = first(data([spent("P-001", day, amount)], EIGHTEEN), day)
    assert (r["checkpoint_month"], r["checkpoint_due"]) == (month, due)
    assert (pd.isna(r["checkpoint"]) and required is None) or r["checkpoint"] == required
    assert r["checkpoint_missed"] == bool(flag)
    assert (f"累计执行率 {flag} 的要求" in r["flags"]) if flag else ("未达到" not in r["flags"])


def test_cross_year_project_in_june_is_not_held_to_october(data) -> None:
    # September 2020 to August 2021: June 2021 ends the span's 10th of 12 months, so the
    # 80% of checkpoint month 10 is due now -- said as the span's month, not as October
    span = {"P-001": {"cross_year": "是", "start_date": "2020-09-01", "end_date": "2021-08-31"}}
    path = data([spent("P-001", "2021-06-30", 790_000)], span)
    r = first(path)
    assert (r["checkpoint"], r["checkpoint_missed"]) == (80.0, True)
    assert "未达到 实施期第 10 个月末（2021 年 6 月末）80% 的要求" in r["flags"]
    assert "10 月末" not in r["flags"]


@pytest.mark.parametrize(
    ("rows", "projects", "message"),
    [
        (
            [ind("P-001", "2021-06-30", "I02", "300")],
            None,
            "项目 P-001 在 2021-06-30 的监控数据缺少累计执行数行",
        ),
        (
            [spent("P-001", "2021-06-30", 1), ind("P-001", "2021-06-30", "X9", "1")],
            None,
            'monitoring.csv 第 3 行 indicator_id 列: "X9" 该项目下没有这个指标编码',
        ),
        (
            [spent("P-001", "2021-06-30", 1), ind("P-001", "2021-06-30", "I02", "1", "不可能")],
            None,
            'monitoring.csv 第 3 行 likelihood 列: "不可能" 不是可选的完成目标可能性',
        ),
        (
            [spent("P-001", "2021-13-01", 1)],
            None,
            'monitoring.csv 第 2 行 as_of 列: "2021-13-01" 不是有效的日期',
        ),
        (
            [spent("P-002", "2022-03-31", 1)],
            None,
            'monitoring.csv 第 2 行 as_of 列: "2022-03-31" 监控日期不在项目年度内',
        ),
        (
            [spent("P-001", "2021-06-30", 1)],
            {"P-001": {"cross_year": "是", "start_date": "2021-07-01", "end_date": "2022-06-30"}},
            'monitoring.csv 第 2 行 as_of 列: "2021-06-30" 监控日期早于项目开始日期',
        ),
        (
            [spent("P-001", "2021-06-30", 1)],
            {"P-001": {"start_date": "2021-07-01"}},
            "projects.csv 第 2 行 end_date 列: 填写了开始日期，也应填写结束日期",
        ),
        (
            [spent("P-001", "2021-06-30", 1), ind("P-001", "2021-06-30", "I01", "1")],
            None,
            "预算执行率由累计执行数计算",
        ),
    ],
)
def test_load_checks_name_the_place(data, rows, projects, message) -> None:
    with pytest.raises(DataError, match=message):
        load_dataset(data(rows, projects))


def test_values_that_cannot_be_read(data) -> None:
    path = data([spent("P-001", "2021-06-30", 1), ind("P-001", "2021-06-30", "I05", "还行")])
    with pytest.raises(DataError, match=r"第 3 行 progress 列: \"还行\" 项目 P-001 指标 I05"):
        monitor(load_dataset(path), "2021-06-30")


def test_no_data_at_the_date(data) -> None:
    path = data([spent("P-001", "2021-06-30", 1)])
    with pytest.raises(DataError, match=r"没有 2021-07-31 的监控数据（现有监控日期：2021-06-30）"):
        monitor(load_dataset(path), "2021-07-31")


def test_one_unit_and_projects_not_reported(data) -> None:
    rows = [spent("P-001", "2021-06-30", 1), spent("P-003", "2021-06-30", 1)]
    ds = load_dataset(data(rows))
    assert monitor(ds, "2021-06-30").missing["project_id"].tolist() == ["P-002"]
    assert monitor(ds, "2021-06-30", unit_id="C01").projects["project_id"].tolist() == ["P-001"]


def test_dates_as_users_write_them() -> None:
    values, bad = parse_dates(
        pd.Series(
            ["2021-06-30", "2021/6/30", "2021年6月30日", "44377", "2021-06-30 00:00:00"]
        ).to_numpy(dtype=object)
    )
    assert {str(v)[:10] for v in values} == {"2021-06-30"} and not bad.any()


def test_thresholds_come_from_the_policy_file(data, tmp_path: Path) -> None:
    text = (REPO / "templates" / "policy.yaml").read_text(encoding="utf-8")
    bands = "{light: green, min: 80}\n    - {light: yellow, min: 60}"
    assert bands in text

    def policy(new: str) -> Path:
        f = tmp_path / f"policy{len(list(tmp_path.iterdir()))}.yaml"
        f.write_text(text.replace(bands, new, 1), encoding="utf-8")
        return f

    path = data([spent("P-001", "2021-06-30", 299_950)])  # index 59.99
    custom = policy("{light: green, min: 55}\n    - {light: yellow, min: 50}")
    assert first(path, policy=load_policy(custom))["execution_light"] == "green"
    with pytest.raises(PolicyError, match=r"monitoring\.execution 应按下限从高到低排列"):
        load_policy(policy("{light: green, min: 50}\n    - {light: yellow, min: 60}"))
    with pytest.raises(PolicyError, match="灯号 'teal' 不是 green、blue、yellow、red 之一"):
        load_policy(policy("{light: teal, min: 80}\n    - {light: yellow, min: 60}"))
    assert main(["monitor", str(path), "--as-of", "2021-06-30", "--policy", str(custom)]) == 0


def test_cli(data, tmp_path: Path, capsys) -> None:
    path = data(serious_rows("2021-06-30", "完全不可能") + serious_rows("2021-09-30", "完全不可能"))
    out = tmp_path / "监控.xlsx"
    assert main(["monitor", str(path), "--as-of", "2021/9/30", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "2021-09-30 绩效运行监控：1 个项目，红灯 1 个" in text
    assert "P-003 全省劳动竞赛：红灯，建议停止拨付" in text
    sheets = pd.read_excel(out, sheet_name=None)
    assert list(sheets) == ["项目灯号", "指标灯号", "未报送监控数据的项目"]
    assert sheets["项目灯号"].loc[0, "处置建议"] == "建议停止拨付"
    assert main(["monitor", str(path), "--as-of", "2021-13-01"]) == 2
    assert "不是有效的日期" in capsys.readouterr().err


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's monitoring reports through the real renderer."""
    out = tmp_path_factory.mktemp("monitoring")
    jobs = jobs_for_dataset(REPO / "sample_data" / "demo", kinds=["monitoring"])
    assert [j.key for j in jobs] == ["monitoring-2021-06-30", "monitoring-2021-09-30"]
    result = render_batch(jobs, out, workers=2, progress=False)
    assert not result.failed, [r.error for r in result.failed]
    return out


def test_monitoring_report(rendered: Path) -> None:
    text = (rendered / "monitoring" / "2021-09-30.html").read_text(encoding="utf-8")
    for heading in (
        "一、监控概况",
        "二、项目监控灯号",
        "三、执行进度与目标进度",
        "四、预警项目与处置建议",
        "五、偏离目标的指标",
    ):
        assert heading in text, heading
    for bad in ("Traceback", "DataFrame", "Warning"):
        assert bad not in text
    assert len(re.findall(r'<img alt="', text)) == 2  # light counts; progress per project
    # the demo's serious case: red with 完全不可能 at June and September
    assert "建议停止拨付" in text and "2021-06-30、2021-09-30" in text
    june = (rendered / "monitoring" / "2021-06-30.html").read_text(encoding="utf-8")
    row = re.search(r'<tr class="light-red"><td>XM2021000008</td>.*?</tr>', june)
    assert row and "建议暂缓拨付" in row[0] and "建议停止拨付" not in row[0]
