"""Unit-level evaluation: six dimension subtotals by hand, 不适用, messages naming the unit,
load checks, ``jxkit score --units`` and the unit report's radar."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from conftest import REPO

from jxkit.cli import main
from jxkit.dataset import load_dataset
from jxkit.errors import DataError, ScoringError
from jxkit.render.batch import render_batch
from jxkit.report.kinds import jobs_for_dataset
from jxkit.report.unit import UnitReport
from jxkit.unit_eval import UNIT_DIMENSIONS, unit_scores

#: One ratio indicator per dimension (target 100), points 15/20/30/15/10/10.
POINTS = dict(zip(UNIT_DIMENSIONS, (15, 20, 30, 15, 10, 10), strict=True))


def indicators(unit: str = "C01", year: int = 2021) -> list[dict[str, object]]:
    return [
        {
            "unit_id": unit,
            "year": year,
            "indicator_id": f"D{i}",
            "level1": dim,
            "name": f"{dim}指标",
            "points": pts,
            "rule": "ratio",
            "target": "100",
        }
        for i, (dim, pts) in enumerate(POINTS.items(), 1)
    ]


def values(actuals: list[str], unit: str = "C01", year: int = 2021) -> list[dict[str, object]]:
    return [
        {"unit_id": unit, "year": year, "indicator_id": f"D{i}", "round": "", "actual": a}
        for i, a in enumerate(actuals, 1)
    ]


@pytest.fixture
def data(mini_copy) -> Callable[..., Path]:
    def make(ui: list[dict[str, object]], ue: list[dict[str, object]]) -> Path:
        def edit(t: dict[str, pd.DataFrame]) -> None:
            t["单位指标"] = pd.DataFrame(ui, dtype=object)
            t["单位评价"] = pd.DataFrame(ue, dtype=object)

        return mini_copy(edit)

    return make


def test_six_dimension_subtotals_total_and_grade(data) -> None:
    path = data(indicators(), values(["100", "50", "100", "80", "100", "0"]))
    r = unit_scores(load_dataset(path))
    row = r.units.iloc[0]
    # 15 × 1, 20 × 0.5, 30 × 1, 15 × 0.8, 10 × 1, 10 × 0 = 15 + 10 + 30 + 12 + 10 + 0 = 77
    assert [row[d] for d in UNIT_DIMENSIONS] == [15.0, 10.0, 30.0, 12.0, 10.0, 0.0]
    assert (row["unit_id"], row["name"], row["year"], row["round"]) == (
        "C01",
        "杭州市总工会",
        2021,
        "self",
    )
    assert (row["total"], row["grade"]) == (77.0, "中")
    shares = r.shares.set_index("dimension")["share"]
    assert shares["管理效率"] == 0.5 and shares["服务对象满意度"] == 0.0


def test_not_applicable_is_spread_over_the_others(data) -> None:
    path = data(indicators(), values(["100", "50", "100", "80", "100", "不适用"]))
    row = unit_scores(load_dataset(path)).units.iloc[0]
    # 15 + 10 + 30 + 12 + 10 = 77 earned of 90 applicable points: 77 / 90 × 100 = 85.555… → 85.56
    assert (row["total"], row["grade"]) == (85.56, "良")
    assert pd.isna(row["服务对象满意度"])
    assert row["管理效率"] == 11.11  # 10 × 100/90


def test_one_row_per_unit_and_year(data) -> None:
    ui = indicators() + indicators("K01") + indicators("C01", 2020)
    ue = values(["100"] * 6) + values(["50"] * 6, "K01") + values(["80"] * 6, "C01", 2020)
    ds = load_dataset(data(ui, ue))
    r = unit_scores(ds)
    assert r.units[["unit_id", "year", "total"]].values.tolist() == [
        ["C01", 2020, 80.0],
        ["C01", 2021, 100.0],
        ["K01", 2021, 50.0],
    ]
    assert unit_scores(ds, year=2020).units["unit_id"].tolist() == ["C01"]


def test_a_missing_value_names_the_unit_and_the_row(data) -> None:
    path = data(indicators(), values(["100", "", "100", "80", "100", "0"]))
    with pytest.raises(
        ScoringError,
        match=r"单位评价\.csv 第 3 行 actual 列: 单位 C01（杭州市总工会，2021 年） 指标 D2（管理效率指标）缺少自评完成值",
    ):
        unit_scores(load_dataset(path))


@pytest.mark.parametrize(
    ("ui", "ue", "message"),
    [
        (
            indicators()[:5],
            values(["1"] * 5),
            r"单位指标\.csv 第 2 行 points 列: 单位 C01 2021 年的指标分值合计为 90，应为 100",
        ),
        (
            indicators("X9"),
            values(["1"] * 6, "X9"),
            r'单位指标\.csv 第 2 行 unit_id 列: "X9" 单位编码在单位表中不存在',
        ),
        (
            indicators(),
            [*values(["1"] * 6), {"unit_id": "C01", "year": 2021, "indicator_id": "Z"}],
            r'单位评价\.csv 第 8 行 indicator_id 列: "Z" 单位指标表中没有这个单位、年度和指标编码',
        ),
        (
            [{**indicators()[0], "rule": "ratoi"}, *indicators()[1:]],
            values(["1"] * 6),
            r'单位指标\.csv 第 2 行 rule 列: "ratoi" 不是已知的评分方法',
        ),
        (
            indicators(),
            [*values(["1"] * 6), {**values(["1"])[0], "round": "self"}],
            r"单位评价\.csv 第 8 行 round 列: .*轮次为空即为自评，与同一指标的自评行重复",
        ),
    ],
)
def test_load_checks_name_the_place(data, ui, ue, message) -> None:
    with pytest.raises(DataError, match=message):
        load_dataset(data(ui, ue))


def test_cli_score_units(data, capsys) -> None:
    path = data(indicators(), values(["100", "50", "100", "80", "100", "0"]))
    assert main(["score", str(path), "--units"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == (
        "unit_id,name,level,year,round,运行成本,管理效率,履职效能,社会效应,可持续发展能力,"
        "服务对象满意度,total,grade"
    )
    assert lines[1] == "C01,杭州市总工会,city,2021,self,15.0,10.0,30.0,12.0,10.0,0.0,77.0,中"
    assert main(["score", str(REPO / "tests" / "data" / "mini"), "--units"]) == 2
    assert "没有可评分的单位" in capsys.readouterr().err


def test_unit_report_shows_the_six_dimensions(data) -> None:
    path = data(indicators(), values(["100", "50", "100", "80", "100", "0"]))
    html = UnitReport(path, "C01", 2021).dimensions_part()
    assert "单位整体绩效自评得分 77.00 分" in html and '<img alt="' in html
    assert "管理效率" in html and "50.0%" in html
    assert "本部分从略" in UnitReport(path, "K01", 2021).dimensions_part()


def test_demo_has_unit_values_for_every_unit_and_year() -> None:
    ds = load_dataset(REPO / "sample_data" / "demo")
    u = unit_scores(ds).units
    assert len(u) == len(ds.units) * 3  # 11 units × 2019–2021
    assert u[list(UNIT_DIMENSIONS)].notna().all().all()


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("unit")
    jobs = [
        j
        for j in jobs_for_dataset(REPO / "sample_data" / "demo", kinds=["unit"], year=2021)
        if j.key in {"330100-2021", "330200-2021"}
    ]
    result = render_batch(jobs, out, workers=2, progress=False)
    assert not result.failed, [r.error for r in result.failed]
    return out


def test_unit_reports_render(rendered: Path) -> None:
    text = (rendered / "unit" / "330100-2021.html").read_text(encoding="utf-8")
    assert "二、单位整体绩效" in text and "表 1  单位整体绩效各维度得分" in text
    assert "Traceback" not in text
    # 宁波 has no 2021 project but its unit-level self-evaluation gets a report
    ningbo = (rendered / "unit" / "330200-2021.html").read_text(encoding="utf-8")
    assert "单位整体绩效自评得分" in ningbo and "本年度没有已评分的项目" in ningbo
