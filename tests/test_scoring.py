"""Scoring: hand-computed cases for every rule, 不适用 reweighting, rounding, grades, flags."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import MINI

from jxkit.cli import main
from jxkit.dataset import load_dataset
from jxkit.errors import ScoringError
from jxkit.rounding import round_half_up
from jxkit.scoring import score

UNITS = "unit_id,name,level,parent_id,region\nU1,杭州市总工会,city,,杭州\n"


def one_project(
    tmp_path: Path,
    indicators: list[tuple],
    values: dict[str, str],
    *,
    budget: float = 100_000,
    spent: float = 100_000,
    review: dict[str, str] | None = None,
    notes: dict[str, str] | None = None,
) -> Path:
    """A dataset with one project. indicators: (id, level1, name, points, rule, target, params)."""
    (tmp_path / "units.csv").write_text(UNITS, encoding="utf-8")
    (tmp_path / "projects.csv").write_text(
        "project_id,unit_id,year,name,category,budget,spent\n"
        f"P1,U1,2021,测试项目,training,{budget},{spent}\n",
        encoding="utf-8",
    )
    rows = [
        {
            "project_id": "P1",
            "indicator_id": i,
            "level1": l1,
            "level2": "",
            "name": name,
            "points": pts,
            "rule": rule,
            "target": target,
            "params": json.dumps(params, ensure_ascii=False) if params else "",
        }
        for i, l1, name, pts, rule, target, params in indicators
    ]
    pd.DataFrame(rows).to_csv(tmp_path / "indicators.csv", index=False)
    ev = [
        {
            "project_id": "P1",
            "indicator_id": k,
            "round": "self",
            "actual": v,
            "note": (notes or {}).get(k, ""),
        }
        for k, v in values.items()
    ]
    ev += [
        {"project_id": "P1", "indicator_id": k, "round": "review", "actual": v, "note": ""}
        for k, v in (review or {}).items()
    ]
    pd.DataFrame(ev).to_csv(tmp_path / "evaluations.csv", index=False)
    return tmp_path


def single(
    tmp_path: Path, rule: str, target: str, actual: str, params: dict | None = None, **kw
) -> float:
    """Total of a project with one 100-point indicator: equals that indicator's score."""
    path = one_project(
        tmp_path, [("X", "产出指标", "指标", 100, rule, target, params)], {"X": actual}, **kw
    )
    return float(score(load_dataset(path)).projects["total"].iloc[0])


# (rule, target, actual, params, expected score of a 100-point indicator) — computed by hand
RULE_CASES = [
    ("ratio", "200", "150", None, 75.0),  # 100 × 150/200
    ("ratio", "200", "260", None, 100.0),  # capped at full points
    ("ratio", "≥95%", "76%", None, 80.0),  # 76/95 = 0.8
    ("ratio", "1,000", "0", None, 0.0),
    ("inverse", "500", "400", None, 100.0),  # within target
    ("inverse", "500", "625", None, 80.0),  # 500/625
    ("inverse_linear", "500", "625", None, 75.0),  # 1 − 125/500
    ("inverse_linear", "500", "1000", None, 0.0),  # 0 at twice the target
    ("inverse_linear", "500", "1200", None, 0.0),  # floored at 0
    ("equal_zero", "", "0", None, 100.0),
    ("equal_zero", "", "2", None, 0.0),
    ("bands", "100", "100", {"bands": [[1, 1], [0.9, 0.8], [0.8, 0.5]]}, 100.0),
    (
        "bands",
        "100",
        "95",
        {"bands": [[1, 1], [0.9, 0.8], [0.8, 0.5]]},
        80.0,
    ),  # highest threshold ≤ 0.95 is 0.9
    (
        "bands",
        "100",
        "80",
        {"bands": [[0.8, 0.5], [1, 1]]},
        50.0,
    ),  # threshold reached exactly; order free
    ("bands", "100", "79", {"bands": [[1, 1], [0.8, 0.5]]}, 0.0),  # below all thresholds
    ("deduction", "", "0", None, 100.0),
    ("deduction", "", "3", None, 97.0),  # default 1 point per item
    ("deduction", "", "3", {"per_item": 40}, 0.0),  # floored at 0
    ("grade", "", "较好", None, 80.0),  # default levels
    ("grade", "", "一般", None, 60.0),
    ("grade", "", "达成", {"levels": {"达成": 1, "部分达成": 0.7, "未达成": 0.3}}, 100.0),
    ("grade", "", "部分达成", {"levels": {"达成": 1, "部分达成": 0.7, "未达成": 0.3}}, 70.0),
    ("boolean", "", "是", None, 100.0),
    ("boolean", "", "否", None, 0.0),
    ("boolean", "", "yes", None, 100.0),
    ("interval", "", "650", {"low": 500, "high": 800, "tolerance": 200}, 100.0),
    ("interval", "", "800", {"low": 500, "high": 800, "tolerance": 200}, 100.0),  # closed interval
    ("interval", "", "450", {"low": 500, "high": 800, "tolerance": 200}, 75.0),  # 1 − 50/200
    ("interval", "", "1100", {"low": 500, "high": 800, "tolerance": 200}, 0.0),
]


@pytest.mark.parametrize(("rule", "target", "actual", "params", "expected"), RULE_CASES)
def test_rule_scores(tmp_path: Path, rule, target, actual, params, expected) -> None:
    assert single(tmp_path, rule, target, actual, params) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("budget", "spent", "expected"),
    [(100_000, 85_000, 85.0), (100_000, 130_000, 100.0), (0, 0, 0.0)],  # capped; budget 0 → 0
)
def test_execution_rate(tmp_path: Path, budget, spent, expected) -> None:
    path = one_project(
        tmp_path,
        [("E", "预算执行", "预算执行率", 100, "execution_rate", "", None)],
        {},
        budget=budget,
        spent=spent,
        review={},
    )
    # execution_rate needs no value, but a project is scored only if its round has values:
    ev = pd.DataFrame([{"project_id": "P1", "indicator_id": "E", "round": "self", "actual": ""}])
    ev.to_csv(path / "evaluations.csv", index=False)
    assert float(score(load_dataset(path)).projects["total"].iloc[0]) == expected


def test_not_applicable_is_removed_and_points_spread(tmp_path: Path) -> None:
    path = one_project(
        tmp_path,
        [
            ("A", "产出指标", "甲", 40, "ratio", "100", None),
            ("B", "产出指标", "乙", 30, "ratio", "100", None),
            ("C", "效益指标", "丙", 30, "boolean", "", None),
        ],
        {"A": "50", "B": "100", "C": "不适用"},
    )
    p = score(load_dataset(path)).projects.iloc[0]
    # (20 + 30) / (40 + 30) × 100 = 71.428… → 71.43
    assert p["total"] == 71.43
    assert p["grade"] == "中"
    assert np.isnan(p["效益指标"])
    assert p["产出指标"] == 71.43


@pytest.mark.parametrize(
    ("actual", "total", "grade"),
    [
        ("179990", 90.0, "优"),  # 100 × 179990/200000 = 89.995 → rounds half up to 90.00
        ("179980", 89.99, "良"),
        ("180000", 90.0, "优"),
        ("159998", 80.0, "良"),  # 79.999 → 80.00
        ("159978", 79.99, "中"),  # 79.989 → 79.99
        ("119990", 60.0, "中"),  # 59.995 → 60.00
        ("119978", 59.99, "差"),  # 59.989
    ],
)
def test_rounding_and_grade_boundaries(tmp_path: Path, actual, total, grade) -> None:
    path = one_project(
        tmp_path, [("X", "产出指标", "指标", 100, "ratio", "200000", None)], {"X": actual}
    )
    p = score(load_dataset(path)).projects.iloc[0]
    assert (p["total"], p["grade"]) == (total, grade)
    assert p["red_light"] == (grade == "差")


def test_round_half_up_values() -> None:
    assert round_half_up(np.array([89.995, 79.999, 59.994, 0.005])).tolist() == [
        90.0,
        80.0,
        59.99,
        0.01,
    ]


def test_mini_dataset_totals_by_hand() -> None:
    r = score(load_dataset(MINI))
    got = {(p.project_id, p.round): (p.total, p.grade) for p in r.projects.itertuples()}
    assert got == {
        ("P-001", "self"): (83.0, "良"),  # 8 + 27 + 16 + 24 + 8
        ("P-002", "self"): (75.0, "中"),  # 10 + 15 + 15 + 20 + 10 + 5
        ("P-003", "self"): (100.0, "优"),  # 不适用 removed: (10 + 50) / 60
        ("P-003", "review"): (70.0, "中"),  # 10 + 40 + 20
    }
    assert list(r.projects.columns[:8]) == [
        "project_id",
        "unit_id",
        "year",
        "category",
        "round",
        "total",
        "grade",
        "red_light",
    ]


def test_round_scored_only_where_it_has_values() -> None:
    r = score(load_dataset(MINI), "review")
    assert r.projects["project_id"].tolist() == ["P-003"]


def test_breakdown_explains_every_lost_point() -> None:
    b = score(load_dataset(MINI)).breakdown("P-001")
    assert b["lost"].sum() == pytest.approx(17.0)
    reasons = dict(zip(b["indicator_id"], b["reason"], strict=True))
    assert reasons["I01"].startswith("预算执行率 80.0%（执行 80.00 万元 / 预算 100.00 万元）")
    assert "完成率 90.0%" in reasons["I02"]
    assert "超过指标值 500" in reasons["I03"]
    assert "较好" in reasons["I05"]
    assert b.loc[b["indicator_id"] == "I02", "evidence"].item() == "签到表"


@pytest.mark.parametrize(
    ("rule", "target", "actual", "params", "message"),
    [
        ("ratio", "0", "5", None, "指标值须为正数"),
        ("ratio", "100", "很多", None, "完成值应为数字"),
        ("ratio", "100", "-3", None, "完成值不能为负数"),
        ("grade", "", "优秀", None, "等级不在可选范围内"),
        ("boolean", "", "基本是", None, "完成值应为“是”或“否”"),
        ("deduction", "", "1.5", None, "问题个数应为整数"),
    ],
)
def test_impossible_values_are_data_errors_with_place(
    tmp_path: Path, rule, target, actual, params, message
) -> None:
    path = one_project(
        tmp_path, [("X", "产出指标", "指标甲", 100, rule, target, params)], {"X": actual}
    )
    with pytest.raises(
        ScoringError,
        match=f"evaluations.csv 第 2 行 actual 列: .*项目 P1 指标 X（指标甲）{message}",
    ):
        score(load_dataset(path))


def test_missing_value_names_project_and_indicator(tmp_path: Path) -> None:
    path = one_project(
        tmp_path,
        [
            ("A", "产出指标", "甲", 50, "ratio", "10", None),
            ("B", "产出指标", "乙", 50, "ratio", "10", None),
        ],
        {"A": "5"},
    )
    with pytest.raises(ScoringError, match="项目 P1 指标 B（乙）缺少自评完成值"):
        score(load_dataset(path))


def test_flags_from_practice(tmp_path: Path) -> None:
    path = one_project(
        tmp_path,
        [
            ("A", "产出指标", "培训人次", 50, "ratio", "100", None),
            ("B", "产出指标", "人均培训成本", 25, "ratio", "500", None),
            ("C", "产出指标", "参训单位", 25, "ratio", "10", None),
        ],
        {"A": "140", "B": "500", "C": "13"},
        notes={"C": "新增两家参训企业"},
    )
    r = score(load_dataset(path))
    flags = r.projects["flags"].iloc[0]
    assert "全部指标均为满分" in flags
    assert "培训人次：完成值超过指标值 130% 以上，未说明偏差原因" in flags
    assert "人均培训成本：成本类指标按正向方法计分" in flags
    assert "参训单位" not in flags  # 130% but the deviation reason is given


def test_score_is_independent_of_row_order(tmp_path: Path) -> None:
    import shutil

    shutil.copytree(MINI, tmp_path / "ds")
    for name in ("projects", "indicators", "evaluations"):
        f = tmp_path / "ds" / f"{name}.csv"
        frame = pd.read_csv(f, dtype=str, keep_default_na=False)
        frame.sample(frac=1, random_state=7).to_csv(f, index=False)
    a = score(load_dataset(MINI)).projects
    b = score(load_dataset(tmp_path / "ds")).projects
    pd.testing.assert_frame_equal(a[a.columns[:9]], b[a.columns[:9]])


def test_cli_score_writes_csv_and_formatted_xlsx(tmp_path: Path, capsys) -> None:
    from openpyxl import load_workbook

    assert main(["score", str(MINI), "--out", str(tmp_path / "s.csv")]) == 0
    frame = pd.read_csv(tmp_path / "s.csv", encoding="utf-8-sig")
    assert frame["total"].tolist() == [83.0, 75.0, 100.0, 70.0]
    assert main(["score", str(MINI), "--round", "self", "--out", str(tmp_path / "s.xlsx")]) == 0
    ws = load_workbook(tmp_path / "s.xlsx").active
    assert [c.value for c in ws[1]][:8] == [
        "项目编码",
        "单位编码",
        "年度",
        "项目类别",
        "轮次",
        "总分",
        "等级",
        "红灯警示",
    ]
    assert ws.freeze_panes == "A2"
    assert "等级分布" in capsys.readouterr().out


def test_equal_zero_rejects_negative_counts(tmp_path: Path) -> None:
    path = one_project(
        tmp_path, [("X", "效益指标", "安全事故", 100, "equal_zero", "", None)], {"X": "-3"}
    )
    with pytest.raises(ScoringError, match="完成值不能为负数"):
        score(load_dataset(path))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- a\n- b\n", "文件内容应为以 grades"),
        ("grades: 5\n", "grades 应为列表，而不是 5"),
        (
            "grades:\n  - {grade: 优, min: 0}\ncoverage:\n  - since: 2019\n    rules: [7]\n",
            "每条规则应为键值映射",
        ),
    ],
)
def test_policy_file_of_the_wrong_shape_is_named(
    tmp_path: Path, capsys, text: str, message: str
) -> None:
    f = tmp_path / "policy.yaml"
    f.write_text(text, encoding="utf-8")
    assert main(["score", str(MINI), "--policy", str(f)]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def _two_indicators(tmp_path: Path) -> Path:
    """X: ratio, 50 points, target 100, actual 80 (40 points); Y: yes/no, 50 points, 是 (50)."""
    return one_project(
        tmp_path,
        [
            ("X", "产出指标", "培训人次", 50, "ratio", "100", None),
            ("Y", "效益指标", "按期完成", 50, "boolean", "", None),
        ],
        {"X": "80", "Y": "是"},
    )


def test_hand_made_dataset_with_a_repeated_indicator_row(tmp_path: Path) -> None:
    """load_dataset refuses repeated keys; a frame built by hand is still scored row by row."""
    ds = load_dataset(_two_indicators(tmp_path))
    ds.tables["indicators"] = pd.concat([ds.indicators, ds.indicators.iloc[[0]]])
    r = score(ds)
    # both X rows read the one value 80: (40 + 40 + 50) / (50 + 50 + 50) = 86.67
    assert r.projects["total"].tolist() == [86.67]
    assert r.indicators["score"].tolist() == [40.0, 50.0, 40.0]


def test_hand_made_dataset_with_a_repeated_value_uses_the_first(tmp_path: Path) -> None:
    ds = load_dataset(_two_indicators(tmp_path))
    again = ds.evaluations.iloc[[0]].assign(actual="50")
    ds.tables["evaluations"] = pd.concat([ds.evaluations, again])
    r = score(ds)
    assert r.projects["total"].tolist() == [90.0]  # 40 + 50: the first value, 80, counts
    assert r.indicators["actual"].tolist() == ["80", "是"]


def test_breakdown_reads_the_projects_as_scored() -> None:
    ds = load_dataset(MINI)
    r = score(ds)
    ds.projects["unit_id"] = "X"  # the dataset edited afterwards
    units = r.indicators.drop_duplicates("project_id").set_index("project_id")["unit_id"]
    assert units.to_dict() == {"P-001": "C01", "P-002": "K01", "P-003": "P00"}


def test_computed_rows_without_a_row_number_are_named_without_one() -> None:
    from jxkit.policy import default_policy
    from jxkit.unit_eval import score_view

    nan_rows = pd.Index([np.nan, np.nan], name="row")
    subjects = pd.DataFrame(
        {"project_id": ["U1"], "unit_id": ["U1"], "year": [2021], "category": ["unit"]}
    ).assign(budget=np.nan, spent=np.nan)
    ind = pd.DataFrame(
        {
            "project_id": ["U1", "U1"],
            "indicator_id": ["a", "b"],
            "level1": ["x", "x"],
            "level2": ["", ""],
            "name": ["A", "B"],
            "points": [50.0, 50.0],
            "rule": ["ratio", "ratio"],
            "target": ["100", "100"],
            "params": ["", ""],
            "unit_of_measure": ["", ""],
        },
        index=nan_rows,
    )
    ev = pd.DataFrame(
        {
            "project_id": ["U1", "U1"],
            "indicator_id": ["a", "b"],
            "round": ["self", "self"],
            "actual": ["90", "abc"],
            "evidence": ["", ""],
            "note": ["", ""],
        },
        index=nan_rows,
    )
    with pytest.raises(ScoringError) as err:
        score_view(
            subjects, ind, ev, labels={"U1": "单位 U1"}, source="考核表", policy=default_policy()
        )
    (problem,) = err.value.problems
    assert problem.row is None and "完成值应为数字" in str(problem)


def test_subtotals_follow_the_rows_scored() -> None:
    r = score(load_dataset(MINI), "review")  # only P-003 has review values
    ind = load_dataset(MINI).indicators
    p3 = ind[ind["project_id"] == "P-003"]["level1"]
    assert r.level1 == list(dict.fromkeys(p3))
