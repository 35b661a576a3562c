"""Ex-ante assessment: conclusion bands at every boundary, the capital-project rule, load
checks, the policy file, the CLI and the report through the real renderer."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from conftest import REPO

from jxkit.cli import main
from jxkit.dataset import load_dataset
from jxkit.errors import DataError, PolicyError
from jxkit.exante import exante
from jxkit.policy import load_policy
from jxkit.render.batch import render_batch
from jxkit.report.kinds import jobs_for_dataset

# Mini projects made new major projects: P-001 (training), P-002 made a capital project
# (facility_construction) with its basis but no collective decision, P-003 never assessed.
MAJOR = {
    "P-001": {"new_major": "是"},
    "P-002": {
        "new_major": "是",
        "category": "facility_construction",
        "has_basis": "是",
        "collective_decision": "否",
    },
    "P-003": {"new_major": "是"},
}


def rows(pid: str, *scores: tuple[str, float, float]) -> list[dict[str, object]]:
    return [
        {"project_id": pid, "dimension": d, "score": s, "points": p, "note": ""}
        for d, s, p in scores
    ]


@pytest.fixture
def data(mini_copy) -> Callable[..., Path]:
    def make(
        exante_rows: list[dict[str, object]], projects: dict[str, dict[str, str]] = MAJOR
    ) -> Path:
        def edit(t: dict[str, pd.DataFrame]) -> None:
            t["exante"] = pd.DataFrame(exante_rows, dtype=object)
            p = t["projects"]
            for pid, values in projects.items():
                for col, value in values.items():
                    if col not in p:
                        p[col] = ""
                    p.loc[p["project_id"] == pid, col] = value

        return mini_copy(edit)

    return make


def two(pid: str, a: float, b: float) -> list[dict[str, object]]:
    """Two dimensions of 50 points each: the total is a + b."""
    return rows(pid, ("立项必要性", a, 50), ("实施方案可行性", b, 50))


@pytest.mark.parametrize(
    ("a", "b", "total", "conclusion"),
    [
        (50, 40, 90.0, "予以支持"),
        (50, 39.99, 89.99, "调整完善后予以支持"),
        (50, 39.5, 89.5, "调整完善后予以支持"),  # half-open: 89.5 is below 90
        (35, 35, 70.0, "调整完善后予以支持"),
        (35, 34.99, 69.99, "不予支持"),
        (0, 0, 0.0, "不予支持"),
    ],
)
def test_conclusion_bands(data, a, b, total, conclusion) -> None:
    p = exante(load_dataset(data(two("P-001", a, b)))).project("P-001")
    assert (p["total"], p["conclusion"]) == (total, conclusion)
    assert p["decision"] == ("不得纳入预算" if conclusion == "不予支持" else "可纳入预算")


def test_total_out_of_100_from_dimension_points(data) -> None:
    five = rows(
        "P-001",
        ("立项必要性", 22, 25),
        ("投入经济性", 18, 20),
        ("绩效目标合理性", 20.5, 25),
        ("实施方案可行性", 17, 20),
        ("筹资合规性", 9, 10),
    )
    p = exante(load_dataset(data(five))).project("P-001")
    # 22 + 18 + 20.5 + 17 + 9 = 86.5 of 100
    assert (p["total"], p["conclusion"]) == (86.5, "调整完善后予以支持")
    assert p["投入经济性"] == 18 and p["筹资合规性"] == 9


def test_capital_project_without_collective_decision_stays_out_whatever_its_score(data) -> None:
    r = exante(load_dataset(data(two("P-002", 50, 48))))
    p = r.project("P-002")
    assert (p["total"], p["conclusion"]) == (98.0, "予以支持")
    assert p["capital"] and p["has_basis"] and not p["collective_decision"]
    assert (p["decision"], p["reasons"]) == ("不得纳入预算", "重大基建项目缺少集体决策意见")


def test_basis_and_decision_are_asked_of_capital_projects_only(data) -> None:
    p = exante(load_dataset(data(two("P-001", 50, 45)))).project("P-001")
    assert not p["capital"] and not p["has_basis"]
    assert p["decision"] == "可纳入预算"


def test_new_major_project_never_assessed(data) -> None:
    p = exante(load_dataset(data(two("P-001", 50, 45)))).project("P-003")
    assert pd.isna(p["total"])
    assert (p["conclusion"], p["decision"]) == ("未开展事前评估", "不得纳入预算")
    assert p["reasons"] == "新增重大项目未开展事前绩效评估"


def test_reasons_add_up(data) -> None:
    lacking = {**MAJOR, "P-002": {**MAJOR["P-002"], "has_basis": "否"}}
    p = exante(load_dataset(data(two("P-002", 30, 30), lacking))).project("P-002")
    assert (
        p["reasons"]
        == "事前评估结论为不予支持；重大基建项目缺少立项依据；重大基建项目缺少集体决策意见"
    )


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (two("P-001", 50, 60), 'exante.csv 第 3 行 score 列: "60.0" 得分不能超过该维度的分值'),
        (
            rows("P-001", ("可行性", 50, 50), ("立项必要性", 50, 50)),
            'exante.csv 第 2 行 dimension 列: "可行性" 不是事前评估维度',
        ),
        (
            rows("P-001", ("立项必要性", 40, 45), ("投入经济性", 40, 45)),
            "exante.csv 第 2 行 points 列: 项目 P-001 的事前评估分值合计为 90，应为 100",
        ),
        (
            two("P-404", 50, 50),
            'exante.csv 第 2 行 project_id 列: "P-404" 项目编码在项目表中不存在',
        ),
    ],
)
def test_load_checks_name_the_place(data, bad, message) -> None:
    with pytest.raises(DataError, match=message):
        load_dataset(data(bad))


def test_bands_come_from_the_policy_file(data, tmp_path: Path) -> None:
    text = (REPO / "templates" / "policy.yaml").read_text(encoding="utf-8")
    custom = tmp_path / "policy.yaml"
    custom.write_text(
        text.replace("{conclusion: 予以支持, min: 90}", "{conclusion: 予以支持, min: 85}"),
        encoding="utf-8",
    )
    path = data(two("P-001", 50, 39.5))
    assert exante(load_dataset(path), policy=load_policy(custom)).project("P-001")[
        "conclusion"
    ] == ("予以支持")
    broken = tmp_path / "broken.yaml"
    broken.write_text(text.replace("reject: [不予支持]", "reject: [否决]"), encoding="utf-8")
    with pytest.raises(PolicyError, match=r"exante\.reject 中的 否决 不是评估结论之一"):
        load_policy(broken)


def test_cli(data, tmp_path: Path, capsys) -> None:
    path = data(two("P-001", 50, 39.5) + two("P-002", 50, 48))
    out = tmp_path / "事前评估.xlsx"
    assert main(["exante", str(path), "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "P-001 2021年杭州市职工技能培训：89.5 分，调整完善后予以支持，可纳入预算" in text
    assert (
        "P-002 西湖区困难职工帮扶：98 分，予以支持，不得纳入预算（重大基建项目缺少集体决策意见）"
        in text
    )
    sheets = pd.read_excel(out, sheet_name=None)
    assert list(sheets) == ["事前评估结论", "各维度得分"]
    assert sheets["事前评估结论"]["评估结论"].tolist() == [
        "调整完善后予以支持",
        "予以支持",
        "未开展事前评估",
    ]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's ex-ante reports through the real renderer."""
    out = tmp_path_factory.mktemp("exante")
    jobs = jobs_for_dataset(REPO / "sample_data" / "demo", kinds=["exante"])
    assert [j.key for j in jobs] == [
        "exante-XM2021000002",
        "exante-XM2021000006",
        "exante-XM2021000007",
        "exante-XM2021000008",
    ]
    result = render_batch(jobs, out, workers=2, progress=False)
    assert not result.failed, [r.error for r in result.failed]
    return out


@pytest.mark.parametrize(
    ("pid", "expected"),
    [
        ("XM2021000006", ["调整完善后予以支持", "不得纳入预算", "重大基建项目缺少集体决策意见"]),
        ("XM2021000008", ["不予支持", "事前评估结论为不予支持"]),
        ("XM2021000007", ["予以支持", "可纳入预算"]),
    ],
)
def test_exante_report(rendered: Path, pid: str, expected: list[str]) -> None:
    text = (rendered / "exante" / f"{pid}.html").read_text(encoding="utf-8")
    for heading in (
        "一、项目基本情况",
        "二、评估内容与得分",
        "三、评估结论",
        "四、存在的问题和建议",
    ):
        assert heading in text, heading
    for part in expected:
        assert part in text, part
    for bad in ("Traceback", "DataFrame", "Warning"):
        assert bad not in text
    assert '<img alt="' in text
