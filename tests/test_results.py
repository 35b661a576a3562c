"""Results application: review over self, red lights, cuts by grade, last year's red lights
not rectified, projects not evaluated, and the budget effect per unit and in total."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from conftest import REPO

from jxkit.cli import main
from jxkit.dataset import load_dataset
from jxkit.policy import load_policy
from jxkit.results import apply_results, continuations

UNITS = "unit_id,name,level,parent_id,region\nU1,甲市总工会,city,,甲市\nU2,乙市总工会,city,,乙市\n"

# Every project has one indicator worth 100 points (ratio, target 100), so its total is its
# value: 95 优, 85 良, 70 and 60 中, 50 差 (red light).
#: project_id, unit, year, name, category, budget, self value, review value, rectified,
#: targets declared, self-evaluated
PROJECTS = [
    ("A20", "U1", 2020, "2020年培训项目", "training", 150_000, "50", "", "否", "是", "是"),
    (
        "B20",
        "U1",
        2020,
        "2020年竞赛项目",
        "labour_competition",
        200_000,
        "50",
        "",
        "是",
        "是",
        "是",
    ),
    ("C20", "U2", 2020, "2020年宣传项目", "large_publicity", 100_000, "70", "", "", "是", "是"),
    ("A21", "U1", 2021, "2021年培训项目", "training", 100_000, "95", "", "", "是", "是"),
    (
        "B21",
        "U1",
        2021,
        "2021年度竞赛项目",
        "labour_competition",
        200_000,
        "85",
        "",
        "",
        "是",
        "是",
    ),
    (
        "D21",
        "U1",
        2021,
        "2021年帮扶项目",
        "hardship_assistance",
        300_000,
        "95",
        "70",
        "",
        "否",
        "是",
    ),
    ("H21", "U1", 2021, "2021年课题项目", "research", 50_000, "95", "", "", "是", "是"),
    ("E21", "U2", 2021, "2021年其他项目", "other", 400_000, "50", "", "", "是", "是"),
    ("F21", "U2", 2021, "2021年课题", "research", 50_000, "", "", "", "是", "否"),
    ("G21", "U2", 2021, "2021年宣传项目", "large_publicity", 100_000, "60", "", "", "是", "是"),
]


def write(folder: Path, projects: list[tuple] = PROJECTS) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "units.csv").write_text(UNITS, encoding="utf-8")
    cols = ["project_id", "unit_id", "year", "name", "category", "budget"]
    p = pd.DataFrame([r[:6] for r in projects], columns=cols)
    p["spent"] = p["budget"]
    p["rectified"] = [r[8] for r in projects]
    p["targets_declared"] = [r[9] for r in projects]
    p["targets_approved"] = "是"
    p["self_evaluated"] = [r[10] for r in projects]
    p.to_csv(folder / "projects.csv", index=False)
    pd.DataFrame(
        {
            "project_id": p["project_id"],
            "indicator_id": "Q1",
            "level1": "产出指标",
            "name": "完成率",
            "points": 100,
            "rule": "ratio",
            "target": "100",
        }
    ).to_csv(folder / "indicators.csv", index=False)
    ev = [(r[0], "self", r[6]) for r in projects if r[6]]
    ev += [(r[0], "review", r[7]) for r in projects if r[7]]
    pd.DataFrame(
        [{"project_id": pid, "indicator_id": "Q1", "round": rnd, "actual": v} for pid, rnd, v in ev]
    ).to_csv(folder / "evaluations.csv", index=False)
    return folder


@pytest.fixture
def ds(tmp_path: Path):
    return load_dataset(write(tmp_path / "ds"))


def test_continuing_projects_match_by_unit_category_and_name_without_the_year(ds) -> None:
    pairs = continuations(ds.projects, 2021)
    # 2021年度竞赛项目 continues 2020年竞赛项目; C20 is U2's, G21 too: same name once the
    # year is removed
    assert pairs.values.tolist() == [["A21", "A20"], ["B21", "B20"], ["G21", "C20"]]


def test_recommendation_per_project(ds) -> None:
    p = apply_results(ds, 2021).projects.set_index("project_id")
    got = {pid: (r.grade, r.basis, r.action, r.cut, r.cut_amount) for pid, r in p.iterrows()}
    assert got == {
        # 优 but last year's red light (A20) not rectified: cut by half, 100,000 × 0.5
        "A21": ("优", "自评", "未整改到位，压减预算或整改后再安排", 0.5, 50_000.0),
        # last year's red light (B20) was rectified: supported
        "B21": ("良", "自评", "予以支持", 0.0, 0.0),
        # review (70, 中) overrides self (95, 优): 300,000 × 0.1
        "D21": ("中", "复核", "改进管理，压减预算", 0.1, 30_000.0),
        "H21": ("优", "自评", "予以支持", 0.0, 0.0),
        # 50 is 差: red light, no budget next year
        "E21": ("差", "自评", "原则上不再安排预算", 1.0, 400_000.0),
        "F21": ("", "", "未开展绩效自评，补充自评后再安排", 0.0, 0.0),
        # 60 is 中 (half-open bands): 100,000 × 0.1
        "G21": ("中", "自评", "改进管理，压减预算", 0.1, 10_000.0),
    }
    assert p.loc["A21", "reasons"] == "上年度红灯警示未整改到位"
    assert p.loc["A21", "previous"] == "A20" and p.loc["A21", "previous_red_light"]
    assert p.loc["E21", "next_budget"] == 0


def test_the_largest_cut_wins(tmp_path: Path) -> None:
    # red-lighted this year (cut 1.0) and last year's red light not rectified (cut 0.5)
    projects = [r for r in PROJECTS if r[0] == "A20"]
    projects.append(
        ("A21", "U1", 2021, "2021年培训项目", "training", 100_000, "50", "", "", "是", "是")
    )
    p = apply_results(load_dataset(write(tmp_path / "ds", projects)), 2021).projects
    assert (p.loc[0, "action"], p.loc[0, "cut"]) == ("原则上不再安排预算", 1.0)


def test_budget_effect_per_unit_and_in_total(ds) -> None:
    a = apply_results(ds, 2021)
    u = a.units.set_index("unit_id")
    # U1: 100,000 + 200,000 + 300,000 + 50,000 = 650,000; cut 50,000 + 30,000 = 80,000
    assert (u.loc["U1", "budget"], u.loc["U1", "cut_amount"], u.loc["U1", "next_budget"]) == (
        650_000,
        80_000,
        570_000,
    )
    # U2: 400,000 + 50,000 + 100,000 = 550,000; cut 400,000 + 10,000 = 410,000
    assert (u.loc["U2", "cut_amount"], u.loc["U2", "next_budget"]) == (410_000, 140_000)
    assert a.total == {
        "projects": 7.0,
        "budget": 1_200_000.0,
        "cut_amount": 490_000.0,
        "next_budget": 710_000.0,
    }


def test_cut_shares_come_from_the_policy_file(ds, tmp_path: Path) -> None:
    text = (REPO / "templates" / "policy.yaml").read_text(encoding="utf-8")
    custom = tmp_path / "policy.yaml"
    custom.write_text(
        text.replace("中: {action: 改进管理，压减预算, cut: 0.1}", "中: {action: 压减, cut: 0.2}"),
        encoding="utf-8",
    )
    p = apply_results(ds, 2021, policy=load_policy(custom)).projects.set_index("project_id")
    assert (p.loc["D21", "action"], p.loc["D21", "cut_amount"]) == ("压减", 60_000.0)  # × 0.2


def test_cli(ds, tmp_path: Path, capsys) -> None:
    out = tmp_path / "结果应用.xlsx"
    assert main(["results", str(ds.path), "--year", "2021", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "原则上不再安排预算：1 个，建议压减 40.00 万元" in text
    assert "合计：本年度预算 120.00 万元，建议压减 49.00 万元，下一年度建议 71.00 万元" in text
    sheets = pd.read_excel(out, sheet_name=None)
    assert list(sheets) == ["项目建议", "单位汇总"]
    assert "下年度建议预算（元）" in sheets["项目建议"].columns
    assert main(["results", str(ds.path), "--year", "2030"]) == 2
    assert "数据集中没有 2030 年的项目" in capsys.readouterr().err
