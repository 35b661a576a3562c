"""Re-evaluation comparison: totals, grade changes, verdicts and the upper bound, by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import MINI

from jxkit.cli import main
from jxkit.compare import compare, read_sample_ids
from jxkit.dataset import load_dataset
from jxkit.errors import DataError, SamplingError

# project: (self actual, review actual) of one ratio indicator, 100 points, target 100
PAIRS = {"A": ("95", "91"), "B": ("95", "83"), "C": ("91", "88"), "D": ("70", "")}


@pytest.fixture
def reviewed(tmp_path: Path) -> Path:
    (tmp_path / "units.csv").write_text(
        "unit_id,name,level\nU1,杭州市总工会,city\nU2,宁波市总工会,city\n", encoding="utf-8"
    )
    projects = ["project_id,unit_id,year,name,category,budget,spent"]
    indicators = ["project_id,indicator_id,level1,name,points,rule,target,params"]
    evaluations = ["project_id,indicator_id,round,actual,evidence"]
    for i, (pid, (s, r)) in enumerate(PAIRS.items()):
        projects.append(f"{pid},U{1 + i % 2},2021,项目{pid},training,100000,100000")
        indicators.append(f"{pid},X,效益指标,培训合格率,100,ratio,≥95,")
        evaluations.append(f"{pid},X,self,{s},")
        if r:
            evaluations.append(f"{pid},X,review,{r},")
    for name, lines in (
        ("projects", projects),
        ("indicators", indicators),
        ("evaluations", evaluations),
    ):
        (tmp_path / f"{name}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return tmp_path


def test_comparison_by_hand(reviewed: Path) -> None:
    result = compare(load_dataset(reviewed), ["A", "B", "C", "D"])
    rows = result.projects.set_index("project_id")
    # self/review totals: ratio × 100 / 95, capped; A 100 vs 95.79, B 100 vs 87.37, C 95.79 vs 92.63
    assert rows.loc["A", ["self_total", "review_total"]].tolist() == [100.0, 95.79]
    assert rows.loc["B", "difference"] == 12.63
    assert rows["grade_changed"].to_dict() == {"A": False, "B": True, "C": False}
    assert rows["poor"].to_dict() == {"A": False, "B": True, "C": False}
    assert rows.loc["B", "verdict"] == "自评质量差"
    assert rows.loc["B", "inflated"] == "培训合格率（+12.63 分）"
    s = result.summary
    assert (s["sampled"], s["compared"], s["poor"]) == (4, 3, 1)
    assert s["missing_review"] == ["D"]
    # Clopper-Pearson one-sided upper bound, 1 of 3 at 95%: solve P(X ≤ 1 | 3, p) = 0.05
    p = s["upper_bound"]
    assert (1 - p) ** 3 + 3 * p * (1 - p) ** 2 == pytest.approx(0.05, abs=1e-9)
    paper = result.indicators.set_index("project_id")
    assert paper.loc["C", "deviation"] == 3.16


def test_gap_threshold_counts_at_equality(reviewed: Path, tmp_path: Path) -> None:
    policy = (MINI.parent.parent.parent / "templates" / "policy.yaml").read_text(encoding="utf-8")
    custom = tmp_path / "p.yaml"
    custom.write_text(policy.replace("total_gap: 10", "total_gap: 4.21"), encoding="utf-8")
    from jxkit.policy import load_policy

    rows = compare(load_dataset(reviewed), policy=load_policy(custom)).projects.set_index(
        "project_id"
    )
    assert bool(rows.loc["A", "poor"]) is True  # gap 4.21 reaches the threshold


def test_red_flags_per_unit(reviewed: Path) -> None:
    flags = compare(load_dataset(reviewed)).flags
    texts = flags["flag"].tolist()
    assert any("效益指标“培训合格率”目标 ≥95 缺少依据" in t for t in texts)
    assert "全部指标均为满分" in texts
    assert any(t.startswith("与复核相差 12.63 分") for t in texts)
    assert set(flags["unit_name"]) == {"杭州市总工会", "宁波市总工会"}


def test_cli_with_sample_dir(reviewed: Path, tmp_path: Path, capsys) -> None:
    sample = tmp_path / "s"
    sample.mkdir()
    (sample / "manifest.json").write_text(
        json.dumps({"selected": [{"id": "B"}, {"id": "C"}]}), encoding="utf-8"
    )
    assert read_sample_ids(sample) == ["B", "C"]
    assert (
        main(["compare", str(reviewed), "--sample", str(sample), "--out", str(tmp_path / "c.xlsx")])
        == 0
    )
    out = capsys.readouterr().out
    assert "B 自评 100（优） 复核 87.37（良） 差 +12.63  ← 自评质量差" in out
    assert (tmp_path / "c.xlsx").exists()


def test_unknown_sample_ids_and_missing_manifest(reviewed: Path, tmp_path: Path) -> None:
    with pytest.raises(DataError, match="项目编码在数据集中不存在：Z9"):
        compare(load_dataset(reviewed), ["A", "Z9"])
    with pytest.raises(SamplingError, match=r"没有 manifest\.json"):
        read_sample_ids(tmp_path)
