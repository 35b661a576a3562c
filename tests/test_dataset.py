"""Loading and validating datasets: every problem named with its file, row and column."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from conftest import MINI, read_raw

from jxkit.cli import main
from jxkit.dataset import load_dataset
from jxkit.errors import DataError


def test_mini_loads_with_canonical_columns_and_types() -> None:
    ds = load_dataset(MINI)
    p = ds.projects
    assert list(p.columns[:6]) == ["project_id", "unit_id", "year", "name", "category", "budget"]
    assert p.loc[2, "budget"] == 1_000_000.0  # "1,000,000" with thousands separators
    assert p.loc[3, "category"] == "hardship_assistance"  # written as 困难职工帮扶类
    assert p.index.name == "row" and list(p.index) == [2, 3, 4]  # spreadsheet rows
    assert str(p["year"].dtype) == "Int64"
    assert p["targets_approved"].tolist() == [True, False, True]
    assert ds.evaluations.loc[2, "round"] == "self"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_encodings_load_without_being_told(tmp_path: Path, encoding: str) -> None:
    for f in MINI.glob("*.csv"):
        (tmp_path / f.name).write_bytes(f.read_text(encoding="utf-8").encode(encoding))
    ds = load_dataset(tmp_path)
    assert ds.units.loc[2, "name"] == "浙江省总工会"
    assert ds.projects.loc[3, "name"] == "西湖区困难职工帮扶"


def _to_chinese_workbook(target: Path) -> None:
    zh = {
        "units": ("单位", {"unit_id": "单位编码", "name": "单位名称", "level": "层级"}),
        "projects": (
            "项目",
            {
                "project_id": "项目编码",
                "unit_id": "单位编码",
                "year": "年度",
                "budget": "全年预算数（元）",
                "category": "项目类别",
            },
        ),
        "indicators": ("绩效指标", {"points": "分值", "rule": "评分方法", "name": "三级指标"}),
        "evaluations": ("评价", {"round": "轮次", "actual": "实际完成值"}),
    }
    with pd.ExcelWriter(target) as w:
        for stem, (sheet, headers) in zh.items():
            frame = read_raw(MINI / f"{stem}.csv").rename(columns=headers)
            if stem == "evaluations":
                frame["轮次"] = frame["轮次"].map({"self": "自评", "review": "复核"})
            if stem == "units":
                frame["层级"] = frame["层级"].map(
                    {"province": "省总本级", "city": "市总工会", "county": "县级工会"}
                )
            frame.to_excel(w, sheet_name=sheet, index=False)


def test_chinese_sheet_names_and_headers(tmp_path: Path) -> None:
    book = tmp_path / "数据.xlsx"
    _to_chinese_workbook(book)
    ds = load_dataset(book)
    assert ds.units["level"].tolist() == ["province", "city", "county"]
    assert ds.projects["budget"].tolist() == [1_000_000.0, 400_000.0, 2_000_000.0]
    assert set(ds.evaluations["round"]) == {"self", "review"}
    assert ds.sources["projects"] == "数据.xlsx 工作表“项目”"


def test_extra_columns_are_kept(mini_copy) -> None:
    def edit(t):
        t["projects"]["负责人"] = ["甲", "乙", "丙"]

    ds = load_dataset(mini_copy(edit))
    assert ds.projects["负责人"].tolist() == ["甲", "乙", "丙"]


def _set(table: str, row: int, column: str, value: str):
    """Edit one cell; ``row`` is the spreadsheet row (header = 1)."""

    def edit(t):
        t[table].loc[row - 2, column] = value

    return edit


def _append(table: str, values: dict[str, str]):
    def edit(t):
        t[table] = pd.concat([t[table], pd.DataFrame([values])], ignore_index=True).fillna("")

    return edit


CASES = [
    (
        "not a number",
        _set("projects", 3, "budget", "12万"),
        r'projects\.csv 第 3 行 budget 列: "12万" 不是数字',
    ),
    (
        "negative money",
        _set("projects", 2, "spent", "-5"),
        r"projects\.csv 第 2 行 spent 列: \"-5\" 金额不能为负数",
    ),
    (
        "unknown category",
        _set("projects", 4, "category", "文艺类"),
        r"projects\.csv 第 4 行 category 列: \"文艺类\" 不是已知的项目类别",
    ),
    (
        "unknown level",
        _set("units", 3, "level", "乡镇"),
        r"units\.csv 第 3 行 level 列: \"乡镇\" 不是已知的层级",
    ),
    (
        "duplicate id",
        _set("projects", 3, "project_id", "P-001"),
        r"projects\.csv 第 3 行 project_id 列: \"P-001\" 与第 2 行重复",
    ),
    (
        "unit missing",
        _set("projects", 2, "unit_id", "X9"),
        r"projects\.csv 第 2 行 unit_id 列: \"X9\" 单位编码在单位表中不存在",
    ),
    (
        "project missing",
        _set("indicators", 2, "project_id", "P-404"),
        r"indicators\.csv 第 2 行 project_id 列: \"P-404\" 项目编码在项目表中不存在",
    ),
    (
        "unknown indicator",
        _append(
            "evaluations",
            {"project_id": "P-001", "indicator_id": "I99", "round": "self", "actual": "1"},
        ),
        r"evaluations\.csv 第 15 行 indicator_id 列: \"I99\" 该项目下没有这个指标编码",
    ),
    (
        "points not 100",
        _set("indicators", 3, "points", "35"),
        r"indicators\.csv 第 2 行 points 列: 项目 P-001 的指标分值合计为 105，应为 100",
    ),
    (
        "unknown rule",
        _set("indicators", 3, "rule", "ratoi"),
        r"indicators\.csv 第 3 行 rule 列: \"ratoi\" 不是已知的评分方法",
    ),
    (
        "bad json",
        _set("indicators", 5, "params", '{"bands": [[1, 1]'),
        r"indicators\.csv 第 5 行 params 列: .* 不是有效的 JSON",
    ),
    (
        "params misfit",
        _set("indicators", 5, "params", '{"bands": "high"}'),
        r"indicators\.csv 第 5 行 params 列: .* bands 需要参数",
    ),
    (
        "unknown param",
        _set("indicators", 3, "params", '{"cap": 2}'),
        r"indicators\.csv 第 3 行 params 列: .* ratio 不接受参数 cap",
    ),
    (
        "target missing",
        _set("indicators", 3, "target", ""),
        r"indicators\.csv 第 3 行 target 列: 正向指标（ratio）需要数值型的年度指标值",
    ),
    (
        "bad round",
        _set("evaluations", 2, "round", "三审"),
        r"evaluations\.csv 第 2 行 round 列: \"三审\" 不是已知的评价轮次",
    ),
    (
        "bad boolean",
        _set("projects", 2, "self_evaluated", "也许"),
        r"projects\.csv 第 2 行 self_evaluated 列: \"也许\" 应为 是/否",
    ),
    (
        "bad year",
        _set("projects", 2, "year", "21年"),
        r"projects\.csv 第 2 行 year 列: \"21年\" 不是有效的年度",
    ),
    (
        "empty required",
        _set("projects", 2, "name", ""),
        r"projects\.csv 第 2 行 name 列: 必填项为空",
    ),
]


@pytest.mark.parametrize(("label", "edit", "expected"), CASES, ids=[c[0] for c in CASES])
def test_each_problem_is_named_with_place(mini_copy, capsys, label, edit, expected) -> None:
    path = mini_copy(edit)
    with pytest.raises(DataError, match=expected):
        load_dataset(path)
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert re.search(expected, err)
    assert "Traceback" not in err


def test_all_problems_are_listed_not_just_the_first(mini_copy) -> None:
    def edit(t):
        _set("projects", 2, "budget", "12万")(t)
        _set("projects", 3, "category", "文艺类")(t)
        _set("indicators", 3, "rule", "ratoi")(t)

    with pytest.raises(DataError) as info:
        load_dataset(mini_copy(edit))
    assert len(info.value.problems) == 3
    table = info.value.table()
    assert list(table.columns) == ["文件/工作表", "行", "列", "值", "问题"]
    assert table["行"].tolist() == [2, 3, 3]


def test_missing_table_and_column(tmp_path: Path) -> None:
    shutil.copytree(MINI, tmp_path / "ds")
    (tmp_path / "ds" / "evaluations.csv").unlink()
    units = read_raw(MINI / "units.csv").drop(columns=["level"])
    units.to_csv(tmp_path / "ds" / "units.csv", index=False)
    with pytest.raises(DataError) as info:
        load_dataset(tmp_path / "ds")
    text = str(info.value)
    assert "units.csv: 缺少必填列 level（层级）" in text
    assert "缺少表 评价（evaluations）" in text


def test_empty_table(mini_copy) -> None:
    def edit(t):
        t["evaluations"] = t["evaluations"].head(0)

    with pytest.raises(DataError, match=r"evaluations\.csv: 表中没有数据行"):
        load_dataset(mini_copy(edit))


def test_not_a_dataset(tmp_path: Path, capsys) -> None:
    assert main(["validate", str(tmp_path / "nowhere")]) == 2
    assert "数据集不存在" in capsys.readouterr().err


def test_validate_summary_on_success(capsys) -> None:
    assert main(["validate", str(MINI)]) == 0
    out = capsys.readouterr().out
    assert "检查通过" in out and "项目（projects）" in out


@pytest.mark.parametrize("name", ["demo", "demo.xlsx"])
def test_sample_data_validates(capsys, name: str) -> None:
    assert main(["validate", str(MINI.parent.parent.parent / "sample_data" / name)]) == 0
    assert "检查通过" in capsys.readouterr().out


def test_sample_data_saved_as_gbk_validates(tmp_path: Path, capsys) -> None:
    demo = MINI.parent.parent.parent / "sample_data" / "demo"
    for f in demo.glob("*.csv"):
        (tmp_path / f.name).write_bytes(f.read_text(encoding="utf-8-sig").encode("gbk"))
    assert main(["validate", str(tmp_path)]) == 0
    assert load_dataset(tmp_path).encodings["projects"] == "gb18030"


def test_only_core_tables_when_asked() -> None:
    from jxkit.dataset import optional_table

    demo = MINI.parent.parent.parent / "sample_data" / "demo"
    ds = load_dataset(demo, only=())
    assert "monitoring" in ds.not_read and not ds.has("monitoring")
    with pytest.raises(DataError, match="该表未被读取"):
        optional_table(ds, "monitoring")
    assert load_dataset(demo).has("monitoring")


def test_quoted_line_breaks_and_commas_survive_loading(mini_copy) -> None:
    note = '场地调整,延期一周\n第二行："说明"'

    def edit(tables: dict[str, pd.DataFrame]) -> None:
        tables["evaluations"].loc[0, "note"] = note

    ds = load_dataset(mini_copy(edit))
    assert ds.evaluations["note"].iloc[0] == note
    assert len(ds.evaluations) == len(read_raw(MINI / "evaluations.csv"))


def test_a_row_with_too_many_cells_is_named(mini_copy, capsys) -> None:
    path = mini_copy()
    f = path / "evaluations.csv"
    lines = f.read_text(encoding="utf-8").splitlines()
    lines[2] += ",多出的一格"
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "evaluations.csv 第 3 行: 这一行有 7 个值，而表头只有 6 列" in err
    assert "Traceback" not in err


def test_free_text_left_unread_is_blank_and_listed(mini_copy) -> None:
    def chinese_header(tables: dict[str, pd.DataFrame]) -> None:
        tables["evaluations"] = tables["evaluations"].rename(columns={"evidence": "佐证材料"})

    full = load_dataset(mini_copy(chinese_header, name="full"))
    lean = load_dataset(mini_copy(chinese_header, name="lean"), unread=["evidence"])
    assert full.evaluations["evidence"].str.len().sum() > 0
    assert set(lean.evaluations["evidence"]) == {""}
    assert lean.unread == {"evidence"} and full.unread == frozenset()
    rest = [c for c in full.evaluations.columns if c != "evidence"]
    assert full.evaluations[rest].equals(lean.evaluations[rest])
    with pytest.raises(ValueError, match="budget"):
        load_dataset(MINI, unread=["budget"])


def test_score_command_equals_scoring_the_whole_dataset(tmp_path: Path) -> None:
    from jxkit.scoring import score

    out = tmp_path / "scores.csv"
    assert main(["score", str(MINI), "--out", str(out)]) == 0
    written = pd.read_csv(out, encoding="utf-8-sig")
    whole = score(load_dataset(MINI)).projects
    assert written["total"].tolist() == whole["total"].tolist()
    assert written["project_id"].tolist() == whole["project_id"].tolist()


def test_unit_values_without_unit_indicators_are_named(mini_copy, capsys) -> None:
    path = mini_copy()
    (path / "unit_evaluations.csv").write_text(
        "unit_id,year,indicator_id,round,actual\nP00,2021,x1,self,90\n", encoding="utf-8"
    )
    assert main(["validate", str(path)]) == 2
    assert "unit_evaluations.csv" in capsys.readouterr().err


def test_lines_ended_by_cr_alone_load(mini_copy) -> None:
    path = mini_copy()
    f = path / "projects.csv"
    f.write_bytes(f.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r"))
    assert load_dataset(path).projects.equals(load_dataset(MINI).projects)


def test_a_users_row_column_is_replaced_by_row_numbers(tmp_path: Path) -> None:
    from jxkit.dataset.tables import read_table

    f = tmp_path / "t.csv"
    f.write_text("a,_row\nx,7\ny,7\n", encoding="utf-8")
    assert read_table(f)["_row"].tolist() == [2, 3]
