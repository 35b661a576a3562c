"""Coverage phases of section 一 of the seed, computed by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from jxkit.cli import main
from jxkit.coverage import coverage
from jxkit.dataset import load_dataset

UNITS = """unit_id,name,level,parent_id,region
C1,杭州市总工会,city,,杭州
K1,淳安县总工会,county,C1,杭州
"""
INDICATORS_HEADER = (
    "project_id,indicator_id,level1,level2,name,points,rule,target,params,unit_of_measure\n"
)


def dataset(tmp_path: Path, projects: list[str]) -> Path:
    """Projects as CSV lines: id,unit,year,category,budget,declared,approved,self_evaluated."""
    (tmp_path / "units.csv").write_text(UNITS, encoding="utf-8")
    head = "project_id,unit_id,year,name,category,budget,targets_declared,targets_approved,self_evaluated\n"
    lines = []
    for line in projects:
        pid, unit, year, cat, budget, d, a, s = line.split(",")
        lines.append(f"{pid},{unit},{year},项目{pid},{cat},{budget},{d},{a},{s}")
    (tmp_path / "projects.csv").write_text(head + "\n".join(lines) + "\n", encoding="utf-8")
    ind = "".join(
        f"{line.split(',')[0]},E,预算执行,,预算执行率,100,execution_rate,,,\n" for line in projects
    )
    (tmp_path / "indicators.csv").write_text(INDICATORS_HEADER + ind, encoding="utf-8")
    ev = "project_id,indicator_id,round,actual\n" + "".join(
        f"{line.split(',')[0]},E,self,\n" for line in projects
    )
    (tmp_path / "evaluations.csv").write_text(ev, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("year", "required", "complied"),
    [
        (2019, False, False),  # counties: nothing required in 2019
        (2020, True, True),  # counties: ≥ 50万 required; declared + self-evaluated suffice
        (2021, True, False),  # full coverage, and targets must also be approved
    ],
)
def test_county_project_of_600k_by_year(tmp_path: Path, year, required, complied) -> None:
    path = dataset(tmp_path, [f"P1,K1,{year},training,600000,是,否,是"])
    row = coverage(load_dataset(path), year).projects.iloc[0]
    assert (bool(row["required"]), bool(row["complied"])) == (required, complied)
    if required and not complied:
        assert row["missing"] == "目标批复下达"


@pytest.mark.parametrize(
    ("line", "year", "required"),
    [
        ("P1,C1,2019,training,499999,是,是,是", 2019, False),  # below 50万 for upper levels in 2019
        ("P1,C1,2019,training,500000,是,是,是", 2019, True),  # 50万 itself is included
        ("P1,C1,2020,training,10000,是,是,是", 2020, True),  # upper levels: all projects from 2020
        ("P1,K1,2020,training,499999,是,是,是", 2020, False),  # county below 50万 in 2020
        ("P1,C1,2021,other,900000,是,是,是", 2021, False),  # not one of the 三项十类
        ("P1,K1,2022,training,1000,是,是,是", 2022, True),  # 2021 and later: full coverage
        ("P1,C1,2018,training,9000000,是,是,是", 2018, False),  # before the phases
    ],
)
def test_required_by_phase(tmp_path: Path, line, year, required) -> None:
    row = coverage(load_dataset(dataset(tmp_path, [line])), year).projects.iloc[0]
    assert bool(row["required"]) is required


def test_unit_rates_and_missed_list(tmp_path: Path, capsys) -> None:
    path = dataset(
        tmp_path,
        [
            "P1,C1,2020,training,100000,是,是,是",
            "P2,C1,2020,research,100000,是,否,是",
            "P3,C1,2020,large_event,100000,否,否,否",
            "P4,C1,2020,it_network,100000,是,是,是",
            "P5,K1,2020,training,100000,否,否,否",  # county, below 50万: not required
        ],
    )
    result = coverage(load_dataset(path), 2020)
    c1 = result.units.set_index("unit_id").loc["C1"]
    assert (c1["required"], c1["declared"], c1["approved"], c1["complied"]) == (4, 3, 2, 2)
    assert c1["coverage_rate"] == 0.5
    assert result.missed["project_id"].tolist() == ["P2", "P3"]
    assert (
        result.missed.set_index("project_id").loc["P3", "missing"]
        == "目标同步申报、目标批复下达、项目自评"
    )
    assert main(["coverage", str(path), "--year", "2020", "--out", str(tmp_path / "c.xlsx")]) == 0
    out = capsys.readouterr().out
    assert "P2 项目P2：缺少 目标批复下达" in out
    assert (tmp_path / "c.xlsx").exists()
