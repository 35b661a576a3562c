"""Target review: every check on hand-made declarations, the result bands (half-open), the
policy section, the command, and 绩效目标编制质量 in the management assessment."""

from __future__ import annotations

import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import REPO

from jxkit.assess import assess
from jxkit.cli import main
from jxkit.dataset import load_dataset
from jxkit.errors import PolicyError
from jxkit.policy import load_policy
from jxkit.render.batch import render_batch
from jxkit.report.kinds import jobs_for_dataset
from jxkit.targets import CHECKS, read_target, review_targets

UNITS = "unit_id,name,level,parent_id,region\nU1,甲市总工会,city,,甲市\nU2,乙市总工会,city,,乙市\n"

#: A complete, well-made declaration of a training project (ids of the training framework):
#: every dimension, 100 points, 7 of 8 indicators quantitative, cost a ceiling.
GOOD = [
    ("exec_rate", "预算执行", "预算执行率", "预算执行率", 10, "execution_rate", "100", "%"),
    ("trainee_count", "产出指标", "数量指标", "培训人次", 20, "ratio", "500", "人次"),
    ("pass_rate", "产出指标", "质量指标", "培训合格率", 10, "ratio", "95", "%"),
    ("on_schedule_rate", "产出指标", "时效指标", "培训计划按期完成率", 10, "ratio", "100", "%"),
    ("cost_per_head", "产出指标", "成本指标", "人均培训成本", 10, "inverse", "800", "元/人"),
    ("ability_improvement", "效益指标", "社会效益", "参训人员能力提升率", 20, "ratio", "80", "%"),
    ("training_mechanism", "效益指标", "可持续影响", "培训长效机制", 10, "grade", "好", ""),
    (
        "trainee_satisfaction",
        "满意度指标",
        "服务对象满意度",
        "参训学员满意度",
        10,
        "ratio",
        "90",
        "%",
    ),
]
COLUMNS = [
    "indicator_id",
    "level1",
    "level2",
    "name",
    "points",
    "rule",
    "target",
    "unit_of_measure",
]


def project(pid: str, year: int = 2021, unit: str = "U1", budget: float = 100_000, **kw: str):
    row = {
        "project_id": pid,
        "unit_id": unit,
        "year": year,
        "name": f"{year}年职工技能培训",
        "category": "training",
        "budget": budget,
        "spent": budget,
        "self_evaluated": "是",
    }
    return {**row, **kw}


def write(
    folder: Path,
    projects: list[dict],
    indicators: dict[str, list[tuple]],
    actuals: dict[str, dict[str, str]] | None = None,
) -> Path:
    """A dataset: ``indicators`` per project; ``actuals`` per project and indicator (self)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "units.csv").write_text(UNITS, encoding="utf-8")
    pd.DataFrame(projects).to_csv(folder / "projects.csv", index=False)
    rows = [
        {"project_id": pid, **dict(zip(COLUMNS, r, strict=True))}
        for pid, rs in indicators.items()
        for r in rs
    ]
    pd.DataFrame(rows).to_csv(folder / "indicators.csv", index=False)
    actuals = actuals or {}
    ev = [
        {
            "project_id": pid,
            "indicator_id": r[0],
            "round": "self",
            "actual": actuals.get(pid, {}).get(r[0], r[6]),
        }
        for pid, rs in indicators.items()
        for r in rs
    ]
    pd.DataFrame(ev).to_csv(folder / "evaluations.csv", index=False)
    return folder


def changed(rows: list[tuple], indicator: str, **fields: object) -> list[tuple]:
    """The rows with some fields of one indicator changed."""
    out = []
    for r in rows:
        d = dict(zip(COLUMNS, r, strict=True))
        if d["indicator_id"] == indicator:
            d.update(fields)
        out.append(tuple(d[c] for c in COLUMNS))
    return out


def without(rows: list[tuple], indicator: str) -> list[tuple]:
    return [r for r in rows if r[0] != indicator]


def review(folder: Path, year: int | None = 2021, policy: Path | None = None):
    return review_targets(load_dataset(folder), year, policy=load_policy(policy))


def found(folder: Path, pid: str = "A21", **kw) -> list[tuple[str, str]]:
    f = review(folder, **kw).findings
    f = f[f["project_id"] == pid]
    return list(zip(f["check"], f["indicator_id"], strict=True))


def test_a_good_declaration_has_no_finding(tmp_path: Path) -> None:
    r = review(write(tmp_path, [project("A21")], {"A21": GOOD}))
    assert r.findings.empty
    p = r.project("A21")
    assert (p["total"], p["grade"], p["action"]) == (100.0, "优", "进入预算安排")
    assert (p["完整性"], p["相关性"], p["适当性"], p["可行性"]) == (30, 20, 30, 20)
    assert p["quantitative_share"] == 7 / 8


@pytest.mark.parametrize(
    ("text", "sign", "value", "unit"),
    [
        ("≥50个", "≥", 50.0, "个"),
        ("≧ 50 个", "≥", 50.0, "个"),
        (">=1,000人次", "≥", 1000.0, "人次"),
        ("不低于95%", "≥", 95.0, "%"),
        ("不少于8期", "≥", 8.0, "期"),
        ("500人以上", "≥", 500.0, "人"),
        ("50人及以上", "≥", 50.0, "人"),
        ("≤90万元", "≤", 90.0, "万元"),
        ("不超过5天", "≤", 5.0, "天"),
        ("5天以内", "≤", 5.0, "天"),
        ("=0起", "=", 0.0, "起"),
        ("＝100％", "=", 100.0, "%"),
        ("100%", "", 100.0, "%"),
        ("达成预期指标", "", np.nan, ""),
    ],
)
def test_read_target(text: str, sign: str, value: float, unit: str) -> None:
    t = read_target(text)
    assert (t.sign, t.unit, t.deadline) == (sign, unit, None)
    assert t.value == value or (np.isnan(value) and np.isnan(t.value))


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2021年12月底前完成", datetime.date(2021, 12, 31)),
        ("2022年3月前", datetime.date(2022, 3, 31)),
        ("2021年6月30日前", datetime.date(2021, 6, 30)),
        ("2022-02-15前完成", datetime.date(2022, 2, 15)),
        ("2020年2月底前", datetime.date(2020, 2, 29)),
    ],
)
def test_read_deadlines(text: str, day: datetime.date) -> None:
    assert read_target(text).deadline == day


# ----------------------------------------------------------------------------- 完整性


def test_no_targets_is_the_lowest_result(tmp_path: Path) -> None:
    folder = write(tmp_path, [project("A21"), project("B21", name="2021年新项目")], {"A21": GOOD})
    r = review(folder)
    b = r.project("B21")
    assert pd.isna(b["total"]) and (b["grade"], b["action"]) == ("差", "不得进入预算安排")
    assert found(folder, "B21") == [("no_targets", "")]


def test_missing_dimension(tmp_path: Path) -> None:
    # 时效 gone, its 10 points moved to 数量: 完整性 30 − 10 = 20, total 90 (still 优)
    rows = changed(without(GOOD, "on_schedule_rate"), "trainee_count", points=30)
    folder = write(tmp_path, [project("A21")], {"A21": rows})
    assert found(folder) == [("missing_dimension", "")]
    f = review(folder).findings
    assert f["finding"].tolist() == ["缺少时效指标"]
    p = review(folder).project("A21")
    assert (p["完整性"], p["total"], p["grade"]) == (20, 90.0, "优")


def test_satisfaction_may_sit_under_benefit(tmp_path: Path) -> None:
    rows = changed(GOOD, "trainee_satisfaction", level1="效益指标", level2="满意度指标")
    assert found(write(tmp_path, [project("A21")], {"A21": rows})) == []


def test_points_not_adding_up(tmp_path: Path) -> None:
    # loading refuses such a file; a dataset made in memory (a draft, a form) may have it
    ds = load_dataset(write(tmp_path, [project("A21")], {"A21": GOOD}))
    ind = ds.tables["indicators"]
    ind.loc[ind["indicator_id"] == "trainee_count", "points"] = 25.0
    f = review_targets(ds, 2021).findings
    assert f[["check", "finding"]].values.tolist() == [
        ["points_total", "指标分值合计为 105 分，应为 100 分"]
    ]


def test_missing_target_and_unit(tmp_path: Path) -> None:
    rows = changed(GOOD, "training_mechanism", target="")
    rows = changed(rows, "cost_per_head", unit_of_measure="")
    # a unit written in the target is a unit
    rows = changed(rows, "pass_rate", target="≥95%", unit_of_measure="")
    folder = write(tmp_path, [project("A21")], {"A21": rows}, {"A21": {"training_mechanism": "好"}})
    assert found(folder) == [
        ("missing_target", "training_mechanism"),
        ("missing_unit", "cost_per_head"),
    ]
    p = review(folder).project("A21")
    assert (p["完整性"], p["total"]) == (23, 93.0)  # 30 − 5 − 2


def test_missing_goal_where_the_projects_table_has_one(tmp_path: Path) -> None:
    projects = [project("A21", goal=""), project("B21", name="2021年乙", goal="培训 500 人次")]
    folder = write(tmp_path, projects, {"A21": GOOD, "B21": GOOD})
    assert found(folder) == [("missing_goal", "")] and found(folder, "B21") == []
    assert found(write(tmp_path / "no-goal", [project("A21")], {"A21": GOOD})) == []


# ----------------------------------------------------------------------------- 相关性


def test_indicators_outside_the_framework(tmp_path: Path) -> None:
    rows = changed(GOOD, "trainee_count", indicator_id="office_rent")
    rows = changed(rows, "pass_rate", indicator_id="custom_books")  # a custom slot
    rows = changed(rows, "on_schedule_rate", indicator_id="x1", name="个性指标：送教下基层")
    folder = write(tmp_path, [project("A21")], {"A21": rows})
    assert found(folder) == [("outside_framework", "office_rent")]
    assert "不在“培训类”指标体系中" in review(folder).findings["finding"].iat[0]


def test_indicators_counted_twice(tmp_path: Path) -> None:
    # the same name twice; and a benefit that measures an output again
    rows = changed(GOOD, "ability_improvement", name="培训合格率")
    rows = [
        *without(rows, "training_mechanism"),
        ("custom_again", "效益指标", "社会效益", "新增培训人次", 10, "ratio", "500", "人次"),
    ]
    folder = write(tmp_path, [project("A21")], {"A21": rows})
    f = review(folder).findings
    assert list(zip(f["check"], f["indicator_id"], strict=True)) == [
        ("duplicate", "ability_improvement"),
        ("duplicate", "custom_again"),
    ]
    assert f["finding"].tolist() == [
        "与指标“培训合格率”同名，重复计分",
        "与产出指标“培训人次”计量的是同一内容，同一产出在效益中重复计分",
    ]
    assert review(folder).project("A21")["相关性"] == 10


# ----------------------------------------------------------------------------- 适当性


@pytest.mark.parametrize(("qualitative", "flagged"), [(3, False), (4, True)])
def test_quantitative_share(tmp_path: Path, qualitative: int, flagged: bool) -> None:
    # 8 indicators, one already qualitative: 3 more → 4/8 = 50%; 2 more → 5/8 = 62.5%
    rows = GOOD
    for i in ("pass_rate", "on_schedule_rate", "ability_improvement")[: qualitative - 1]:
        rows = changed(rows, i, rule="grade", target="好", unit_of_measure="")
    folder = write(tmp_path, [project("A21")], {"A21": rows})
    assert (("quantitative_share", "") in found(folder)) is flagged


def test_quantitative_share_boundary_is_included(tmp_path: Path) -> None:
    policy = tmp_path / "p.yaml"
    text = (REPO / "templates" / "policy.yaml").read_text(encoding="utf-8")
    policy.write_text(
        text.replace("min_quantitative_share: 0.6", "min_quantitative_share: 0.875"),
        encoding="utf-8",
    )
    folder = write(tmp_path / "ds", [project("A21")], {"A21": GOOD})
    assert found(folder, policy=policy) == []  # 7/8 = 0.875 reaches the minimum


@pytest.mark.parametrize(
    ("target", "rule", "flagged"),
    [("≥800", "inverse", True), ("≥ 800", "inverse", True), ("≤800", "inverse", False),
     ("800", "inverse", False), ("800", "ratio", True), ("≤800", "ratio", False)],
)  # fmt: skip
def test_cost_indicators_are_ceilings(
    tmp_path: Path, target: str, rule: str, flagged: bool
) -> None:
    rows = changed(GOOD, "cost_per_head", target=target, rule=rule)
    folder = write(tmp_path, [project("A21")], {"A21": rows})
    assert (("cost_direction", "cost_per_head") in found(folder)) is flagged


@pytest.mark.parametrize(
    ("target", "flagged"),
    [("79", True), ("79.99", True), ("80", False), ("100", False), ("100.5", True)],
)
def test_satisfaction_range(tmp_path: Path, target: str, flagged: bool) -> None:
    rows = changed(GOOD, "trainee_satisfaction", target=target)
    folder = write(tmp_path, [project("A21")], {"A21": rows})
    # above 100% is out of range, not also infeasible: one finding
    assert found(folder) == ([("satisfaction_range", "trainee_satisfaction")] if flagged else [])


def chain(tmp_path: Path, actuals: dict[str, str], target: str, budgets=(100_000,) * 3) -> Path:
    """A19 → A20 → A21, one training project continued (names differ only by the year)."""
    years = (2019, 2020, 2021)
    projects = [project(f"A{y % 100}", y, budget=b) for y, b in zip(years, budgets, strict=True)]
    indicators = {
        "A19": GOOD,
        "A20": GOOD,
        "A21": changed(GOOD, "trainee_count", target=target),
    }
    got = {pid: {"trainee_count": v} for pid, v in actuals.items()}
    return write(tmp_path, projects, indicators, got)


@pytest.mark.parametrize(("target", "flagged"), [("599", True), ("600", False), ("≥600", False)])
def test_target_below_last_years_actual(tmp_path: Path, target: str, flagged: bool) -> None:
    folder = chain(tmp_path, {"A19": "500", "A20": "600"}, target)
    assert (("below_last_actual", "trainee_count") in found(folder)) is flagged


def test_below_last_year_reads_the_review_over_self(tmp_path: Path) -> None:
    folder = chain(tmp_path, {"A19": "500", "A20": "600"}, "550")
    ev = pd.read_csv(folder / "evaluations.csv")
    review_row = {
        "project_id": "A20",
        "indicator_id": "trainee_count",
        "round": "review",
        "actual": "540",
    }
    pd.concat([ev, pd.DataFrame([review_row])]).to_csv(folder / "evaluations.csv", index=False)
    assert ("below_last_actual", "trainee_count") not in found(folder)  # 550 ≥ 540


@pytest.mark.parametrize(("target", "flagged"), [("900", False), ("901", True)])
def test_target_far_above_every_past_actual(tmp_path: Path, target: str, flagged: bool) -> None:
    # best past actual 600 (2019), × 1.5 = 900: above it is 偏高, 900 itself is not
    folder = chain(tmp_path, {"A19": "600", "A20": "400"}, target)
    assert (("far_above_past", "trainee_count") in found(folder)) is flagged


def test_ceilings_are_mirrored(tmp_path: Path) -> None:
    projects = [project("A20", 2020), project("A21")]
    indicators = {"A20": GOOD, "A21": changed(GOOD, "cost_per_head", target="850")}
    folder = write(tmp_path, projects, indicators, {"A20": {"cost_per_head": "700"}})
    # a ceiling of 850 above last year's 700 asks for less than was done
    assert ("below_last_actual", "cost_per_head") in found(folder)
    indicators["A21"] = changed(GOOD, "cost_per_head", target="400")  # 400 × 1.5 < 700
    folder = write(tmp_path / "b", projects, indicators, {"A20": {"cost_per_head": "700"}})
    assert ("far_above_past", "cost_per_head") in found(folder)


@pytest.mark.parametrize(
    ("budget", "flagged"), [(120_000, True), (119_999, False), (80_000, True), (80_001, False)]
)
def test_funds_moved_but_targets_did_not(tmp_path: Path, budget: float, flagged: bool) -> None:
    projects = [project("A20", 2020), project("A21", budget=budget)]
    folder = write(tmp_path, projects, {"A20": GOOD, "A21": GOOD})
    assert (("funds_mismatch", "") in found(folder)) is flagged
    if budget == 120_000:
        f = review(folder).findings
        assert (
            f["finding"].iat[0]
            == "预算较上年增加 20%（10.00 万元 → 12.00 万元），而指标值均与上年相同"
        )


def test_funds_moved_with_a_target(tmp_path: Path) -> None:
    projects = [project("A20", 2020), project("A21", budget=150_000)]
    indicators = {"A20": GOOD, "A21": changed(GOOD, "trainee_count", target="700")}
    assert ("funds_mismatch", "") not in found(write(tmp_path, projects, indicators))


# ----------------------------------------------------------------------------- 可行性


@pytest.mark.parametrize(
    ("target", "end", "flagged"),
    [
        ("2022年3月底前完成", "", True),
        ("2021年12月底前完成", "", False),
        ("2022年3月底前完成", "2022-06-30", False),
        ("2022年7月1日前", "2022-06-30", True),
    ],
)
def test_deadline_after_the_end(tmp_path: Path, target: str, end: str, flagged: bool) -> None:
    rows = changed(GOOD, "training_mechanism", target=target, rule="boolean")
    folder = write(
        tmp_path,
        [project("A21", start_date="2021-01-01" if end else "", end_date=end)],
        {"A21": rows},
        {"A21": {"training_mechanism": "是"}},
    )
    assert (("deadline_after_end", "training_mechanism") in found(folder)) is flagged


@pytest.mark.parametrize(
    ("target", "flagged"), [("≥105%", True), ("=101%", True), ("100%", False), ("≤105%", False)]
)
def test_percentages_above_100(tmp_path: Path, target: str, flagged: bool) -> None:
    rows = changed(GOOD, "pass_rate", target=target)
    folder = write(tmp_path, [project("A21")], {"A21": rows})
    assert found(folder) == ([("percent_over_100", "pass_rate")] if flagged else [])


# ----------------------------------------------------------------------------- results


def policy_file(tmp_path: Path, deduction: float) -> Path:
    """The shipped policy with 完整性 worth 70 and a missing target deducting ``deduction``."""
    text = (REPO / "templates" / "policy.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "aspects: {完整性: 30, 相关性: 20, 适当性: 30, 可行性: 20}",
        "aspects: {完整性: 70, 相关性: 10, 适当性: 10, 可行性: 10}",
    )
    text = text.replace("missing_target: 5 ", f"missing_target: {deduction} ")
    path = tmp_path / f"policy-{deduction}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("deduction", "total", "grade", "action"),
    [
        (10, 90.0, "优", "进入预算安排"),
        (10.01, 89.99, "良", "与单位沟通完善后进入预算安排"),
        (20, 80.0, "良", "与单位沟通完善后进入预算安排"),
        (20.01, 79.99, "中", "单位修改后重新报送审核"),
        (40, 60.0, "中", "单位修改后重新报送审核"),
        (40.01, 59.99, "差", "不得进入预算安排"),
        (80, 30.0, "差", "不得进入预算安排"),  # the aspect's 70 points at most
    ],
)
def test_result_bands_are_half_open(
    tmp_path: Path, deduction: float, total: float, grade: str, action: str
) -> None:
    rows = changed(GOOD, "training_mechanism", target="")
    folder = write(
        tmp_path / "ds", [project("A21")], {"A21": rows}, {"A21": {"training_mechanism": "好"}}
    )
    p = review(folder, policy=policy_file(tmp_path, deduction)).project("A21")
    assert (p["total"], p["grade"], p["action"]) == (total, grade, action)


def test_an_aspect_never_goes_below_zero(tmp_path: Path) -> None:
    # seven dimensions missing at 10 each: 完整性 loses its 30, not 70
    rows = [
        ("exec_rate", "预算执行", "预算执行率", "预算执行率", 100, "execution_rate", "100", "%")
    ]
    p = review(write(tmp_path, [project("A21")], {"A21": rows})).project("A21")
    assert (p["完整性"], p["total"], p["grade"]) == (0, 70.0, "中")


def test_same_review_whatever_the_row_order(tmp_path: Path) -> None:
    rows = changed(GOOD, "training_mechanism", target="")
    rows = changed(rows, "cost_per_head", target="≥800")
    a = review(
        write(
            tmp_path / "a", [project("A21")], {"A21": rows}, {"A21": {"training_mechanism": "好"}}
        )
    )
    b = review(
        write(
            tmp_path / "b",
            [project("A21")],
            {"A21": rows[::-1]},
            {"A21": {"training_mechanism": "好"}},
        )
    )
    cols = ["check", "indicator_id", "finding", "deduction"]
    pd.testing.assert_frame_equal(a.findings[cols], b.findings[cols])


def test_policy_section_is_checked(tmp_path: Path) -> None:
    text = (REPO / "templates" / "policy.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        text.replace("完整性: 30,", "完整性: 40,").replace("missing_unit: 2 ", "no_such_check: 2 "),
        encoding="utf-8",
    )
    with pytest.raises(PolicyError, match=r"targets\.aspects 的分值合计应为 100，而不是 110"):
        load_policy(bad)
    with pytest.raises(PolicyError, match=r"targets\.deductions 中的 no_such_check 不是检查项"):
        load_policy(bad)
    older = tmp_path / "older.yaml"  # written before the section existed: the shipped defaults
    older.write_text(text[: text.index("# 绩效目标审核")], encoding="utf-8")
    assert load_policy(older).targets.satisfaction == (80.0, 100.0)


# ----------------------------------------------------------------------------- the assessment

MANAGEMENT = """\
id: mini_management
name: 简化工作考核指标体系
kind: management
version: "1"
indicators:
  - level1: 目标管理
    points: 100
    children:
      - level2: 目标编报
        points: 100
        children:
          - {id: target_quality, name: 绩效目标编制质量, points: 40, rule: grade, target: 好}
          - {id: third_party, name: 引入第三方机构, points: 60, rule: boolean, target: 是}
"""


def assessed(folder: Path, tmp_path: Path) -> pd.DataFrame:
    fw = tmp_path / "management.yaml"
    fw.write_text(MANAGEMENT, encoding="utf-8")
    pd.DataFrame(
        [{"unit_id": "U1", "year": 2021, "indicator_id": "third_party", "actual": "是"}]
    ).to_csv(folder / "assessment.csv", index=False)
    return assess(load_dataset(folder), 2021, framework=str(fw)).values.set_index("indicator_id")


def test_fixing_a_finding_moves_the_assessment_by_hand(tmp_path: Path) -> None:
    # two projects: A21 with a ≥ cost (适当性 −5) and a unit missing (完整性 −2): 93;
    # B21 with the cost written ≥ (适当性 −5), a target missing (完整性 −5) and satisfaction
    # at 79% (适当性 −5): 85. Average 89 → 良 → 较好 = 80% of 40 = 32, plus 60: 92.
    # Fixing B21's satisfaction (90%): 90, average 91.5 → 优 → 好: 40 + 60 = 100.
    a = changed(changed(GOOD, "cost_per_head", target="≥800"), "pass_rate", unit_of_measure="")
    b = changed(changed(GOOD, "cost_per_head", target="≥800"), "training_mechanism", target="")
    projects = [project("A21"), project("B21", name="2021年乙培训")]
    got = {"B21": {"training_mechanism": "好"}}
    folder = write(
        tmp_path / "ds",
        projects,
        {"A21": a, "B21": changed(b, "trainee_satisfaction", target="79")},
        got,
    )
    v = assessed(folder, tmp_path)
    assert v.loc["target_quality", ["value", "source", "score"]].tolist() == [
        "较好",
        "数据计算",
        32.0,
    ]
    assert (
        v.loc["target_quality", "basis"]
        == "目标审核 2 个项目平均 89 分（良；优 1、良 1、中 0、差 0）"
    )
    assert v["score"].sum() == 92.0
    fixed = write(tmp_path / "fixed", projects, {"A21": a, "B21": b}, got)
    v = assessed(fixed, tmp_path)
    assert (v.loc["target_quality", "value"], v["score"].sum()) == ("好", 100.0)


def test_the_assessors_value_wins(tmp_path: Path) -> None:
    folder = write(tmp_path / "ds", [project("A21")], {"A21": GOOD})
    fw = tmp_path / "management.yaml"
    fw.write_text(MANAGEMENT, encoding="utf-8")
    pd.DataFrame(
        [
            {"unit_id": "U1", "year": 2021, "indicator_id": "third_party", "actual": "是"},
            {"unit_id": "U1", "year": 2021, "indicator_id": "target_quality", "actual": "一般"},
        ]
    ).to_csv(folder / "assessment.csv", index=False)
    v = assess(load_dataset(folder), 2021, framework=str(fw)).values.set_index("indicator_id")
    assert v.loc["target_quality", ["value", "source", "score"]].tolist() == [
        "一般",
        "人工填报",
        24.0,
    ]


# ----------------------------------------------------------------------------- the command


def test_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = changed(GOOD, "cost_per_head", target="≥800")
    folder = write(
        tmp_path / "ds", [project("A21"), project("B21", name="2021年乙")], {"A21": rows}
    )
    out = tmp_path / "目标审核.xlsx"
    assert main(["targets", str(folder), "--year", "2021", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "A21 2021年职工技能培训：95 分，优（进入预算安排）" in text
    assert "B21 2021年乙：差（不得进入预算安排）；未申报绩效目标" in text
    sheets = pd.read_excel(out, sheet_name=None)
    assert list(sheets) == ["审核结果", "审核发现"]
    assert sheets["审核发现"]["指标表行号"].tolist()[0] == 6  # cost_per_head, as Excel shows it
    assert sheets["审核结果"]["审核处理"].tolist() == ["进入预算安排", "不得进入预算安排"]
    assert sheets["审核发现"]["问题及原因"].tolist() == [
        "成本指标应写成“≤”（不超过），而不是“≥”",
        "指标表中没有该项目的绩效指标",
    ]
    assert main(["targets", str(folder), "--year", "2030"]) == 2


# ----------------------------------------------------------------------------- the demo

DEMO = REPO / "sample_data" / "demo"


def test_the_demo_has_each_kind_of_finding() -> None:
    r = review_targets(load_dataset(DEMO))
    # points not adding up cannot be loaded, and the demo's projects have no goal column
    assert set(r.findings["check"]) == set(CHECKS) - {"points_total", "missing_goal"}
    assert set(r.projects["grade"]) == {"优", "良", "中", "差"}
    # XM2020000007 continues XM2019000007 with last year's targets and half again the budget
    f = r.findings.set_index("project_id")
    assert f.loc["XM2020000007"].query("check == 'funds_mismatch'")["finding"].tolist() == [
        "预算较上年增加 52%（40.90 万元 → 62.20 万元），而指标值均与上年相同"
    ]


def test_report_kind_and_render(tmp_path: Path) -> None:
    jobs = jobs_for_dataset(DEMO, kinds=["targets"], year=2020)
    assert [j.key for j in jobs][:3] == [
        "targets-330000-2020",
        "targets-330001-2020",
        "targets-330100-2020",
    ]
    job = next(j for j in jobs if j.key == "targets-330300-2020")
    assert job.parameters["unit_id"] == "330300" and job.parameters["year"] == 2020
    result = render_batch([job], tmp_path, workers=1, progress=False)
    assert not result.failed, [r.error for r in result.failed]
    text = (tmp_path / "targets" / "330300-2020.html").read_text(encoding="utf-8")
    for part in ("一、审核概况", "二、审核结果", "三、审核发现的问题", "四、审核意见与处理"):
        assert part in text
    # XM2020000008 continues XM2019000009 and aims far above what was done
    assert "指标值 54 超过以往最高实际完成值 24 的 1.5 倍" in text
    assert "审核结果为“中”的 2 个项目单位修改后重新报送审核" in text


def test_a_ceiling_of_zero_is_a_tolerance(tmp_path: Path) -> None:
    # no violation tolerated (≤ 0) while last year had 2: neither 偏低 nor 偏高
    rows = [
        *GOOD[:-1],
        ("payment_violations", "产出指标", "质量指标", "违规问题", 0, "deduction", "0", "个"),
    ]
    rows.append(GOOD[-1])
    projects = [project("A20", 2020), project("A21")]
    folder = write(
        tmp_path, projects, {"A20": rows, "A21": rows}, {"A20": {"payment_violations": "2"}}
    )
    checks = {c for c, _ in found(folder)}
    assert not checks & {"below_last_actual", "far_above_past"}
