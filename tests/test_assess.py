"""Management-work assessment: inputs computed from the data, the assessor's values,
不适用 redistribution, the ranking per level, the CLI and the summary report."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from conftest import REPO
from test_results import write

from jxkit.assess import assess
from jxkit.cli import main
from jxkit.dataset import load_dataset
from jxkit.errors import DataError, PolicyError
from jxkit.policy import load_policy

#: A small management framework: every value but third_party computed from the data.
FRAMEWORK = """\
id: mini_management
name: 简化工作考核指标体系
kind: management
version: "1"
indicators:
  - level1: 目标管理
    points: 40
    children:
      - level2: 目标编报
        points: 40
        children:
          - {id: target_coverage, name: 三项十类绩效目标覆盖率, points: 40, rule: ratio, target: 100}
  - level1: 绩效评价
    points: 30
    children:
      - level2: 项目自评
        points: 30
        children:
          - {id: self_evaluation_rate, name: 项目自评完成率, points: 20, rule: ratio, target: 100}
          - {id: third_party, name: 引入第三方机构, points: 10, rule: boolean, target: 是}
  - level1: 结果应用
    points: 30
    children:
      - level2: 整改落实
        points: 30
        children:
          - {id: red_light_rectification, name: 红灯项目整改率, points: 20, rule: ratio, target: 100, na_allowed: true}
          - {id: red_light_funded, name: 红灯项目次年仍安排预算数, points: 10, rule: equal_zero, target: 0}
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """test_results' two cities, with the assessor's values for third_party."""
    ds = write(tmp_path / "ds")
    pd.DataFrame(
        [
            {"unit_id": "U1", "year": 2021, "indicator_id": "third_party", "actual": "是"},
            {"unit_id": "U2", "year": 2021, "indicator_id": "third_party", "actual": "否"},
        ]
    ).to_csv(ds / "assessment.csv", index=False)
    (tmp_path / "framework.yaml").write_text(FRAMEWORK, encoding="utf-8")
    return ds


def run(folder: Path, **kw: object):
    return assess(load_dataset(folder), 2021, framework=str(folder.parent / "framework.yaml"), **kw)


def test_scores_by_hand(folder: Path) -> None:
    a = run(folder)
    u = a.units.set_index("unit_id")
    # U1: declared 3 of 4 required (D21 not) → 75% of 40 = 30; self-evaluated 4/4 → 20;
    # third_party 是 → 10; 2020 red lights A20 (not rectified), B20 (rectified) → 50% of
    # 20 = 10; both still funded in 2021 → red_light_funded 2 → 0 of 10. 30+20+10+10+0 = 70
    assert (u.loc["U1", "total"], u.loc["U1", "grade"]) == (70.0, "中")
    assert (u.loc["U1", "目标管理"], u.loc["U1", "绩效评价"], u.loc["U1", "结果应用"]) == (
        30.0,
        30.0,
        10.0,
    )
    # U2: E21 is not one of the ten; F21 and G21 required, both declared → 40; one of two
    # self-evaluated → 10; third_party 否 → 0; no 2020 red light: rectification 不适用, its
    # 20 points spread over the other 80; none funded → 10. (40+10+0+10) / 80 × 100 = 75
    assert (u.loc["U2", "total"], u.loc["U2", "grade"]) == (75.0, "中")
    assert u.loc["U2", "结果应用"] == 12.5  # 10 × 100/80


def test_ranking_within_the_level(folder: Path) -> None:
    r = run(folder).ranking("city")
    assert r[["rank", "unit_id", "total"]].values.tolist() == [[1, "U2", 75.0], [2, "U1", 70.0]]


def test_values_say_where_they_come_from(folder: Path) -> None:
    v = run(folder).values.set_index(["unit_id", "indicator_id"])
    assert v.loc[("U1", "target_coverage"), ["value", "source", "basis"]].tolist() == [
        "75",
        "数据计算",
        "目标同步申报/应覆盖项目：3/4",
    ]
    assert v.loc[("U1", "red_light_funded"), "value"] == "2"
    assert v.loc[("U2", "red_light_rectification"), ["value", "basis"]].tolist() == [
        "不适用",
        "已整改/2020 年红灯项目：无",
    ]
    assert v.loc[("U2", "third_party"), ["value", "source"]].tolist() == ["否", "人工填报"]
    assert pd.isna(v.loc[("U2", "red_light_rectification"), "score"])


def test_assessor_values_override_computed_ones(folder: Path) -> None:
    manual = pd.read_csv(folder / "assessment.csv", dtype=str)
    extra = {"unit_id": "U1", "year": "2021", "indicator_id": "target_coverage", "actual": "100"}
    pd.concat([manual, pd.DataFrame([extra])]).to_csv(folder / "assessment.csv", index=False)
    u = run(folder).units.set_index("unit_id")
    assert u.loc["U1", "total"] == 80.0  # 40 instead of 30


def test_unknown_indicator_in_the_assessment_table(folder: Path) -> None:
    bad = pd.DataFrame([{"unit_id": "U1", "year": 2021, "indicator_id": "xyz", "actual": "1"}])
    bad.to_csv(folder / "assessment.csv", index=False)
    with pytest.raises(
        DataError, match=r'assessment\.csv 第 2 行 indicator_id 列: "xyz" 指标编码不在'
    ):
        run(folder)


def test_shipped_framework_computes_what_the_data_allow(folder: Path) -> None:
    v = assess(load_dataset(folder), 2021).values.set_index(["unit_id", "indicator_id"])
    # 2020 projects graded 中 or 差 (cut by the policy) whose 2021 budget went down:
    # U1: A20 150,000 → A21 100,000 yes, B20 200,000 → B21 200,000 no → 1/2
    assert v.loc[("U1", "budget_linkage"), "value"] == "50"
    # U2: C20 (中) 100,000 → G21 100,000 → 0/1
    assert v.loc[("U2", "budget_linkage"), "value"] == "0"
    # D21: self 95, review 70 → a gap of 25 ≥ 10: a poor self-evaluation, 1 of 1
    assert v.loc[("U1", "self_evaluation_quality"), "value"] == "100"
    assert v.loc[("U1", "ex_ante_assessment"), ["value", "basis"]].tolist() == [
        "不适用",
        "数据集中没有事前评估表",
    ]
    # 绩效目标编制质量 from the target review (one 100-point indicator per project): 完整性 0
    # (six dimensions missing), 相关性 15 (not a framework leaf), 可行性 20; 适当性 30, but A21
    # 15 (偏高 against A20's 50, budget −33% with the target unchanged) and B21 25 (偏高):
    # U1 averages (50 + 60 + 65 + 65) / 4 = 60 → 中 → 一般
    assert v.loc[("U1", "target_quality"), ["value", "source"]].tolist() == ["一般", "数据计算"]


def test_monitoring_inputs(folder: Path) -> None:
    # A21 (U1, budget 100,000): 10,000 spent by June → 10% / 50% = 20, red, cause stated
    rows = [
        {"project_id": "A21", "as_of": "2021-06-30", "spent_to_date": 10_000, "reason": "滞后"},
        {"project_id": "B21", "as_of": "2021-06-30", "spent_to_date": 10_000, "reason": ""},
    ]
    pd.DataFrame(rows).to_csv(folder / "monitoring.csv", index=False)
    v = assess(load_dataset(folder), 2021).values.set_index(["unit_id", "indicator_id"])
    # U1 has 4 projects in 2021, 2 monitored; both red, one with its cause stated
    assert v.loc[("U1", "monitoring_coverage"), "value"] == "50"
    assert v.loc[("U1", "warning_handling"), "value"] == "50"
    assert v.loc[("U2", "monitoring_coverage"), "value"] == "0"  # 0 of 3
    assert v.loc[("U2", "warning_handling"), "value"] == "不适用"  # nothing red


def test_cli(folder: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "考核.xlsx"
    fw = str(folder.parent / "framework.yaml")
    args = ["assess", str(folder), "--year", "2021", "--framework", fw, "--out", str(out)]
    assert main(args) == 0
    text = capsys.readouterr().out
    assert "1. 乙市总工会 75 分（中）" in text and "2. 甲市总工会 70 分（中）" in text
    sheets = pd.read_excel(out, sheet_name=None)
    assert list(sheets) == ["市总工会排名", "考核明细"]
    assert sheets["市总工会排名"]["名次"].tolist() == [1, 2]


def test_policy_sections(tmp_path: Path) -> None:
    text = (REPO / "templates" / "policy.yaml").read_text(encoding="utf-8")
    # a policy file written before these sections existed takes them from the shipped file
    older = tmp_path / "older.yaml"
    older.write_text(text[: text.index("# 事前绩效评估")], encoding="utf-8")
    p = load_policy(older)
    assert p.exante.conclusions[0] == ("予以支持", 90.0) and p.monitoring.gap == 10
    assert p.assess.unit_evaluation_levels(2020) == ("province", "city", "industry")
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        text.replace(
            "{since: 2021, levels: [province, city, industry, county]}",
            "{since: 2021, levels: [town]}",
        ),
        encoding="utf-8",
    )
    with pytest.raises(PolicyError, match=r"assess\.unit_evaluation 2021 年的 levels 只能是"):
        load_policy(bad)
