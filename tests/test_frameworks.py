"""Framework files: every shipped template is sound, and hand-edit mistakes are all reported."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from jxkit.catalogue import CATEGORY_CODES
from jxkit.cli import main
from jxkit.errors import FrameworkError
from jxkit.frameworks import (
    INDICATOR_COLUMNS,
    LEAF_COLUMNS,
    framework_dir,
    get_framework,
    list_frameworks,
    load_framework,
    new_project_rows,
)
from jxkit.rules import RULES

TEMPLATES = Path(__file__).parent.parent / "templates" / "frameworks"
SHIPPED = sorted(TEMPLATES.glob("*.yaml"))

GOOD = """\
id: tiny
name: 测试指标体系
kind: project
category: training
version: "2021.1"
indicators:
  - level1: 预算执行
    points: 10
    children:
      - level2: 预算执行率
        points: 10
        children:
          - {id: exec_rate, name: 预算执行率, points: 10, rule: execution_rate}
  - level1: 产出指标
    points: 90
    children:
      - level2: 数量指标
        points: 60
        children:
          - {id: trainees, name: 培训人次, points: 40, rule: ratio, target: 500, unit: 人次}
          - {id: cost_per_head, name: 人均培训成本, points: 20, rule: inverse, target: 800}
      - level2: 质量指标
        points: 30
        children:
          - {id: quality, name: 课程质量, points: 20, rule: grade, nature: 定性, target: 好}
          - {id: slot, name: 个性指标, points: 10, rule: ratio, type: custom}
"""


def write(tmp_path: Path, text: str, name: str = "tiny.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_templates_are_found() -> None:
    assert framework_dir().resolve() == TEMPLATES.resolve()
    assert len(SHIPPED) >= 13


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_framework_loads_and_sums_to_100(path: Path) -> None:
    fw = load_framework(path)
    leaves = fw.leaves
    assert list(leaves.columns) == list(LEAF_COLUMNS)
    assert leaves["points"].sum() == pytest.approx(100, abs=1e-9)
    assert leaves["indicator_id"].is_unique
    assert set(leaves["rule"]) <= set(RULES)
    assert fw.id == path.stem
    assert fw.version and fw.basis
    # a custom slot always offers examples, so projects (and synth) can fill it in
    for slot in leaves.loc[leaves["type"] == "custom", "indicator_id"]:
        assert fw.examples[slot], slot


def test_every_category_has_a_project_framework_following_the_national_structure() -> None:
    projects = {fw.category: fw for fw in list_frameworks() if fw.kind == "project"}
    assert set(CATEGORY_CODES) <= set(projects)
    for fw in projects.values():
        first = fw.leaves.groupby("level1", sort=False)["points"].sum()
        assert first.to_dict() == {"预算执行": 10, "产出指标": 50, "效益指标": 30, "满意度指标": 10}
        assert fw.leaves.loc[fw.leaves["level1"] == "预算执行", "rule"].tolist() == [
            "execution_rate"
        ]
        assert 1 <= (fw.leaves["type"] == "custom").sum() <= 3
        outputs = set(fw.leaves.loc[fw.leaves["level1"] == "产出指标", "level2"])
        assert outputs == {"数量指标", "质量指标", "时效指标", "成本指标"}


def test_unit_framework_has_the_six_dimensions() -> None:
    fw = get_framework("unit")
    assert fw.kind == "unit" and fw.category is None
    assert list(fw.structure()["一级指标"].unique()) == [
        "运行成本",
        "管理效率",
        "履职效能",
        "社会效应",
        "可持续发展能力",
        "服务对象满意度",
    ]


def test_readme_lists_every_template_with_its_count() -> None:
    readme = (TEMPLATES / "README.md").read_text(encoding="utf-8")
    listed = {
        m[1]: int(m[2]) for m in re.finditer(r"^\| `(\w+)\.yaml` \|.*\| (\d+) \|$", readme, re.M)
    }
    assert listed == {fw.id: len(fw.leaves) for fw in list_frameworks()}


def test_list_is_in_catalogue_order() -> None:
    ids = [fw.id for fw in list_frameworks()]
    assert ids[: len(CATEGORY_CODES)] == list(CATEGORY_CODES)
    assert ids[-2:] == ["unit", "management"]


@pytest.mark.parametrize(
    ("key", "expected"),
    [("training", "training"), ("培训类", "training"), ("hardship_assistance", "hardship_assistance"),
     ("困难职工帮扶类", "hardship_assistance"), ("management", "management")],
)  # fmt: skip
def test_get_framework_by_id_or_category(key: str, expected: str) -> None:
    assert get_framework(key).id == expected


def test_get_framework_by_path(tmp_path: Path) -> None:
    assert get_framework(str(write(tmp_path, GOOD))).id == "tiny"


def test_unknown_framework_lists_the_known_ids() -> None:
    with pytest.raises(FrameworkError, match=r"没有名为 “nope” 的指标体系，可选：.*training"):
        get_framework("nope")


def test_good_file_loads(tmp_path: Path) -> None:
    fw = load_framework(write(tmp_path, GOOD))
    assert fw.leaves["indicator_id"].tolist() == [
        "exec_rate",
        "trainees",
        "cost_per_head",
        "quality",
        "slot",
    ]
    row = fw.leaves.set_index("indicator_id").loc["cost_per_head"]
    assert (row["nature"], row["type"], row["na_allowed"]) == ("≤", "common", False)


def broken(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new)


def test_every_problem_is_reported_at_once_naming_the_indicator(tmp_path: Path) -> None:
    text = broken(GOOD, "points: 60", "points: 55")  # level 2 no longer adds up
    text = broken(text, "rule: inverse", "rule: ratoi")
    text = broken(
        text,
        "{id: slot, name: 个性指标, points: 10, rule: ratio",
        "{id: trainees, name: 个性指标, points: 10, rule: ratio",
    )
    text = broken(
        text, "rule: grade, nature: 定性", "rule: grade, params: {levels: {好: 2}}, nature: 定性"
    )
    path = write(tmp_path, text)
    with pytest.raises(FrameworkError, match=r"指标体系文件 tiny.yaml 有问题，共 5 处") as info:
        load_framework(path)
    problems = [str(p) for p in info.value.problems]
    assert len(problems) == 5, problems
    message = str(info.value)
    assert "tiny.yaml" in message
    assert re.search(r"二级指标“产出指标/数量指标”的分值为 55，但下级指标分值合计为 60", message)
    assert "一级指标“产出指标”的分值为 90，但下级指标分值合计为 85" in message
    assert re.search(
        r"指标 cost_per_head（人均培训成本）: 评分方法 \"ratoi\" 不存在，可选：.*ratio", message
    )
    assert re.search(r"指标 quality（课程质量）: grade 的等级 好 得分比例应在 0 到 1 之间", message)
    assert re.search(r"指标 trainees（培训人次、个性指标）: 指标编码 id 重复", message)


@pytest.mark.parametrize(
    ("old", "new", "match"),
    [
        ("points: 60", "points: 61", r"二级指标“产出指标/数量指标”的分值为 61，但下级指标分值合计为 60"),
        ("rule: inverse", "rule: ratoi", r"第 \d+ 行: 指标 cost_per_head（人均培训成本）: 评分方法 \"ratoi\""),
        ("rule: inverse, target: 800", "rule: deduction, params: {per_item: 0}",
         r"指标 cost_per_head（人均培训成本）: deduction 的 per_item"),
        ("id: quality", "id: trainees", r"指标 trainees（培训人次、课程质量）: 指标编码 id 重复"),
        ("rule: inverse", "rule: inverse, nature: \"≥\"", r"指标性质应为 ≤，而不是 ≥（成本等反向指标不能写成“≥”）"),
        ("target: 500, ", "", r"指标 trainees（培训人次）: 正向指标需要正数的年度指标值 target（未填写）"),
        ("target: 好", "target: 优秀", r"年度指标值 “优秀” 不是可选等级"),
        ("unit: 人次}", "unit: 人次, pionts: 3}", r"有未知的键 “pionts”"),
        ("kind: project", "kind: projcet", r"kind 应为 project"),
        ("category: training", "category: 培训", r"项目类指标体系须写明 category"),
        ("points: 90", "points: 80", r"一级指标分值合计为 90，应为 100"),
        ("    points: 10\n    children:", "    points: 10\n    points: 10\n    children:", r"键 “points” 在同一处出现了两次"),
        ("name: 测试指标体系", "name: [测试", r"第 \d+ 行: YAML 格式错误"),
    ],
)  # fmt: skip
def test_single_mistakes(tmp_path: Path, old: str, new: str, match: str) -> None:
    with pytest.raises(FrameworkError, match=match):
        load_framework(write(tmp_path, broken(GOOD, old, new)))


def test_gbk_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "gbk.yaml"
    path.write_bytes(GOOD.encode("gbk"))
    assert load_framework(path).name == "测试指标体系"


def test_missing_file() -> None:
    with pytest.raises(FrameworkError, match="文件不存在"):
        load_framework(Path(__file__).parent / "no_such.yaml")


def test_a_broken_file_in_a_directory_is_reported(tmp_path: Path) -> None:
    write(tmp_path, GOOD)
    write(tmp_path, broken(GOOD, "rule: inverse", "rule: ratoi"), name="bad.yaml")
    with pytest.raises(FrameworkError, match=r"bad.yaml 第 \d+ 行: 指标 cost_per_head"):
        list_frameworks(tmp_path)


@pytest.mark.parametrize("fw_id", [*CATEGORY_CODES, "other", "unit", "management"])
def test_new_project_rows(fw_id: str) -> None:
    fw = get_framework(fw_id)
    rows = new_project_rows(fw, "XM2022000001")
    assert list(rows.columns) == list(INDICATOR_COLUMNS)
    assert rows["points"].sum() == pytest.approx(100)
    assert (rows["project_id"] == "XM2022000001").all()
    assert rows["indicator_id"].tolist() == fw.leaves["indicator_id"].tolist()
    custom = (fw.leaves["type"] == "custom").to_numpy()
    expected = [f"个性指标{i}（请填写）" for i in range(1, custom.sum() + 1)]
    assert rows.loc[custom, "name"].tolist() == expected
    assert rows.loc[custom, "rule"].tolist() == fw.leaves.loc[custom, "rule"].tolist()
    assert rows["target"].notna().all()


def test_cli_lists_frameworks(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["frameworks"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1].startswith("management  ")
    assert any(
        re.fullmatch(r"training  培训类项目支出绩效自评指标体系  v2021\.1  project  \d+ 项指标", x)
        for x in lines
    )


def test_cli_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["frameworks", "--check", str(write(tmp_path, GOOD))]) == 0
    assert "检查通过" in capsys.readouterr().out
    bad = write(tmp_path, broken(GOOD, "rule: inverse", "rule: ratoi"), name="bad.yaml")
    assert main(["frameworks", "--check", str(bad)]) == 2
    assert 'cost_per_head（人均培训成本）: 评分方法 "ratoi"' in capsys.readouterr().err


def test_cli_new_project(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new-project", "--framework", "培训类", "--project-id", "P1"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(",".join(INDICATOR_COLUMNS))
    assert "P1,exec_rate,预算执行,预算执行率,预算执行率,10,execution_rate" in out
    target = tmp_path / "指标.xlsx"
    assert (
        main(["new-project", "--framework", "training", "--project-id", "P1", "--out", str(target)])
        == 0
    )
    assert target.exists()
