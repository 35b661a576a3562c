"""jxkit import / recheck / forms on hand-made forms (tests/data/forms, made by make_forms.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from jxkit.cli import main
from jxkit.dataset import load_dataset
from jxkit.forms.notation import format_target, parse_value
from jxkit.forms.read import read_forms
from jxkit.forms.recheck import load_for_recheck, recheck
from jxkit.policy import default_policy

FORMS = Path(__file__).parent / "data" / "forms"
LEVELS = default_policy().form_levels


@pytest.mark.parametrize(
    ("text", "sign", "number", "unit"),
    [
        ("≥50个", "≥", 50, "个"),
        ("≧ 50 个", "≥", 50, "个"),
        (">=95%", "≥", 95, "%"),
        ("＞=95％", "≥", 95, "%"),
        ("不低于30家", "≥", 30, "家"),
        ("不少于200户", "≥", 200, "户"),
        ("50个以上", "≥", 50, "个"),
        ("10篇及以上", "≥", 10, "篇"),
        ("≤90万元", "≤", 90, "万元"),
        ("≦30天", "≤", 30, "天"),
        ("<=5", "≤", 5, ""),
        ("不高于5%", "≤", 5, "%"),
        ("不超过3万元", "≤", 3, "万元"),
        ("5次以内", "≤", 5, "次"),
        ("3天以下", "≤", 3, "天"),
        ("=100%", "=", 100, "%"),
        ("═100%", "=", 100, "%"),
        ("＝0起", "=", 0, "起"),
        (">100人", ">", 100, "人"),
        ("<3次", "<", 3, "次"),
        ("１２", "", 12, ""),
        ("1,200人", "", 1200, "人"),
        ("1.2万人次", "", 12000, "人次"),
        ("0.5亿元", "", 0.5, "亿元"),
        ("3亿", "", 300_000_000, ""),
    ],
)
def test_notation_reads_every_sign(text: str, sign: str, number: float, unit: str) -> None:
    q = parse_value(text)
    assert not isinstance(q, str)
    assert (q.sign, q.number, q.unit) == (sign, number, unit)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("≥好", "符号后应为数字"),
        ("500-600人次", "区间"),
        ("≥50个且≤60个", "区间"),
        ("≤3个以上", "矛盾"),
    ],
)
def test_notation_refuses_what_it_cannot_read(text: str, message: str) -> None:
    result = parse_value(text)
    assert isinstance(result, str) and message in result


def test_notation_writes_the_forms_way() -> None:
    assert format_target("≥", 50.0, "个") == "≥50个"
    assert format_target("≤", 89.97, "万元") == "≤89.97万元"
    assert parse_value("达成预期指标").qualitative  # type: ignore[union-attr]


def _forms(*names: str):  # type: ignore[no-untyped-def]
    return read_forms([FORMS / n for n in names], LEVELS)


def test_good_forms_import_and_a_sheet_with_no_form_is_skipped() -> None:
    r = _forms("good.xlsx")
    assert r.problems == [] and r.skipped == [("good.xlsx", "填表说明")]
    train, aid = r.forms  # in sheet order
    assert (train.sheet, train.year, train.name) == ("培训项目", 2021, "职工职业技能培训项目")
    assert (train.budget, train.spent) == (500_000, 450_000)  # 50 / 45 万元
    assert (train.total_points, train.total_score) == (100, 98.44)
    rows = {row.name: row for row in train.rows}
    assert rows["预算执行率"].rule == "execution_rate" and rows["预算执行率"].rate_text == "90.00%"
    assert (rows["培训人次"].rule, rows["培训人次"].target, rows["培训人次"].unit_of_measure) == (
        "ratio",
        "500",
        "人次",
    )
    assert rows["人均培训成本"].rule == "inverse" and rows["人均培训成本"].actual == "750"
    assert rows["安全事故"].rule == "equal_zero"
    assert rows["职工技能提升"].rule == "grade" and rows["职工技能提升"].level1 == "效益指标"
    assert rows["参训职工满意度"].level1 == "满意度指标"  # merged 一级 cells filled down
    assert rows["参训职工满意度"].note == "个别课程安排偏紧"
    assert rows["培训人次"].cells["实际完成值"] == "F13"
    assert {row.name: row.actual for row in aid.rows}["走访人次"] == "12500"
    assert {row.name: row.target for row in aid.rows}["走访人次"] == "12000"  # 1.2万人次以上


def test_variants_offset_yuan_full_width_signs_and_placeholders() -> None:
    (f,) = _forms("variants.xlsx").forms
    assert (f.budget, f.spent) == (500_000, 450_000.5)  # 元, thousands separators, full width
    rows = {row.name: row for row in f.rows}
    assert "指标1：" not in rows and "……" not in rows
    assert len(f.rows) == 16  # 15 indicators + the budget row
    assert rows["开展活动场次"].level1 == "产出指标"  # bare （50分） named from 数量指标
    assert rows["投诉次数"].level1 == "效益指标" and rows["职工满意度"].level1 == "满意度指标"
    assert rows["开展活动场次"].cells["三级指标"] == "F17"  # the form starts at C5
    assert (rows["发放资料"].target, rows["发放资料"].actual) == ("20000", "20000")
    assert (rows["活动成本"].rule, rows["活动成本"].target, rows["活动成本"].actual) == (
        "inverse",
        "0.5",
        "0.4",
    )
    assert rows["违规事件"].rule == "equal_zero" and rows["投诉次数"].rule == "inverse"
    assert rows["影响人数"].rule == "ratio" and rows["负面舆情"].rule == "inverse"
    assert rows["预算执行率"].rate_text == ""  # a blank 执行率 cell is allowed


@pytest.mark.parametrize("sheet", ["Sheet1", "两行表头"])
def test_split_target_columns(sheet: str) -> None:
    (f,) = [f for f in _forms("split.xlsx").forms if f.sheet == sheet]
    rows = {row.name: row for row in f.rows}
    assert (rows["培训班期数"].rule, rows["培训班期数"].target_text) == ("ratio", "≥10期")
    assert (rows["培训成本"].rule, rows["培训成本"].unit_of_measure) == ("inverse", "万元")
    assert (rows["培训效果"].rule, rows["培训效果"].actual) == ("grade", "较好")
    first = 13 if sheet == "Sheet1" else 14  # under a second header row
    assert rows["培训班期数"].cells["指标性质"] == f"E{first}"
    assert rows["培训班期数"].cells["度量单位"] == f"G{first}"
    assert (f.department, f.unit) == ("浙江省总工会", "浙江省职工服务中心")


def test_head_written_label_colon_value_in_one_cell() -> None:
    (f,) = [f for f in _forms("split.xlsx").forms if f.sheet == "两行表头"]
    assert f.name == "工会财务人员培训项目" and f.cells["项目名称"] == "A3"


@pytest.mark.parametrize(
    ("sheet", "cell", "words"),
    [
        ("符号无数字", "E13", "“≥好”"),
        ("单位不一致", "F13", "单位“天”与年度指标值的单位“人次”不一致"),
        ("定性结果", "F13", "“还行”：不是可识别的定性结果"),
        ("分值非数字", "G13", "“二十”：应为数字"),
        ("区间", "E13", "区间"),
        ("无年度", "", "找不到写明年度的单元格"),
        ("无金额单位", "A5", "应写明金额单位"),
    ],
)
def test_each_bad_cell_names_file_sheet_cell_and_text(sheet: str, cell: str, words: str) -> None:
    r = _forms("bad.xlsx")
    (p,) = [p for p in r.problems if f"工作表“{sheet}”" in p.source]
    assert p.source.startswith("bad.xlsx")
    assert (f"{cell} 单元格" in p.source) if cell else ("单元格" not in p.source)
    assert words in p.message


def test_bad_forms_are_listed_others_still_import(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "ds"
    assert (
        main(["import", str(FORMS / "bad.xlsx"), str(FORMS / "good.xlsx"), "--out", str(out)]) == 2
    )
    err = capsys.readouterr().err
    assert "以下 7 张自评表未能导入" in err and "bad.xlsx（区间）" in err
    ds = load_dataset(out)
    assert sorted(ds.projects["name"]) == ["困难职工帮扶项目", "正常项目", "职工职业技能培训项目"]


def test_imported_dataset_loads_scores_and_ids_are_stable(tmp_path: Path) -> None:
    for run in ("a", "b"):
        assert main(["import", str(FORMS / "good.xlsx"), "--out", str(tmp_path / run)]) == 0
    a = {n: pd.read_csv(tmp_path / "a" / f"{n}.csv", dtype=str) for n in ("units", "projects")}
    b = {n: pd.read_csv(tmp_path / "b" / f"{n}.csv", dtype=str) for n in ("units", "projects")}
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name])
    ds = load_dataset(tmp_path / "a")
    units = ds.units.set_index("name")
    assert units.loc["浙江省总工会", "level"] == "province"
    assert units.loc["浙江省职工服务中心", "level"] == "province"  # its 主管部门's
    assert units.loc["浙江省职工服务中心", "parent_id"] == units.loc["浙江省总工会", "unit_id"]
    pub = ds.table("published")
    total = pub[(pub["indicator_id"] == "")].set_index("project_id")["score"]
    assert sorted(total) == [93, 98.44]
    from jxkit.scoring import score

    got = score(ds, "self").projects.set_index("project_id")["total"]
    # 培训项目: 9 (执行率 90%) + 20 + 15 + 10 + 5 + 20 + 10 + 85/90×10 = 98.44
    assert sorted(got.round(2)) == [93.0, 98.44]


def test_units_file_maps_ids(tmp_path: Path) -> None:
    units = tmp_path / "units.csv"
    units.write_text("单位名称,单位编码,层级\n浙江省总工会,330000,province\n", encoding="utf-8")
    out = tmp_path / "ds"
    assert main(["import", str(FORMS / "good.xlsx"), "--out", str(out), "--units", str(units)]) == 0
    ds = load_dataset(out)
    assert "330000" in set(ds.units["unit_id"])


def test_commands_refuse_to_write_onto_their_input(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(FORMS / "good.xlsx", folder)
    assert main(["import", str(folder), "--out", str(folder)]) == 2
    assert main(["import", str(folder / "good.xlsx"), "--out", str(folder / "good.xlsx")]) == 2
    assert main(["import", str(folder), "--out", str(tmp_path / "ds")]) == 0
    assert (
        main(["recheck", str(tmp_path / "ds"), "--out", str(tmp_path / "ds" / "published.csv")])
        == 2
    )
    assert main(["forms", str(tmp_path / "ds"), "--out", str(tmp_path / "ds")]) == 2
    assert "写入会覆盖" in capsys.readouterr().err
    assert (folder / "good.xlsx").read_bytes() == (FORMS / "good.xlsx").read_bytes()


def test_recheck_reports_each_kind_of_wrong(tmp_path: Path) -> None:
    out = tmp_path / "ds"
    assert main(["import", str(FORMS / "wrong.xlsx"), "--out", str(out)]) == 0
    result = recheck(load_for_recheck(out))
    f = result.findings
    sheet = result.indicators.set_index("三级指标")
    row = sheet.loc["培训人次"]
    assert (row.指标性质, row.指标值, row.度量单位, row.权重) == ("≥", "600", "人次", 20)
    assert (row.自评得分, row.按规则得分, row.偏离度) == (20, 17.33, 2.67)
    assert sheet.loc["技能提升", "指标性质"] == "定性" and sheet.loc["完成时限", "指标性质"] == "≤"
    (project,) = result.projects.to_dict("records")
    assert (project["分值合计"], project["公布总分"], project["分项自评得分合计"]) == (110, 98, 104)
    assert project["发现问题"] == 9
    got = {(r.三级指标, r.问题): r for r in f.itertuples(index=False)}
    r = got[("培训人次", "得分与评分规则不符")]  # 20 × 520/600 = 17.33, published 20
    assert (r.应为, r.差值, r.方向, r.来源) == (
        17.33,
        2.67,
        "偏高",
        "wrong.xlsx 工作表“自评表” H13",
    )
    r = got[("满意度", "得分与评分规则不符")]  # 95 ≥ 90: 10, published 5
    assert (r.差值, r.方向) == (-5, "偏低")
    assert ("培训合格率", "满分但无实际完成值") in got
    assert got[("培训合格率", "得分与评分规则不符")].应为 == 0  # no value: 0 by the rule
    assert ("完成时限", "满分但实际完成值照抄年度指标值") in got
    assert ("技能提升", "定性指标满分但无佐证材料") in got
    r = got[("总分", "分值合计不为 100")]
    assert (r.自评表所填, r.差值) == (110, 10)
    r = got[("总分", "分项得分合计与总分不符")]  # 9+20+15+15+10+30+5 = 104, total 98
    assert (r.自评表所填, r.应为, r.差值) == (98, 104, -6)
    r = got[("预算执行率", "执行率填写错误")]  # 45/50 = 90.00%, printed 88.00%
    assert (r.自评表所填, r.应为) == ("88.00%", "90.00%")
    assert len(f) == 9


def test_recheck_of_clean_forms_finds_only_what_is_there(tmp_path: Path) -> None:
    out = tmp_path / "ds.xlsx"
    assert main(["import", str(FORMS / "variants.xlsx"), "--out", str(out)]) == 0
    assert recheck(load_for_recheck(out)).findings.empty
    assert main(["recheck", str(out), "--out", str(tmp_path / "复核.xlsx")]) == 0
    sheets = pd.read_excel(tmp_path / "复核.xlsx", sheet_name=None)
    assert list(sheets) == ["复核发现", "指标复核", "项目复核"]
    assert "自评得分" in sheets["指标复核"].columns


DEMO = Path(__file__).parent.parent / "sample_data" / "demo"
#: The demo's rules the form's notation carries (boolean comes back as grade: 是 100%, 否 0%;
#: grade only with the default levels 好/较好/一般/差, which the policy's forms levels hold).
CARRIED = {"ratio", "inverse", "equal_zero", "execution_rate", "boolean", "grade"}


def test_round_trip_of_the_demo(tmp_path: Path) -> None:
    from jxkit.forms.write import NOT_CARRIED
    from jxkit.scoring import score

    assert main(["forms", str(DEMO), "--out", str(tmp_path / "forms")]) == 0
    assert main(["import", str(tmp_path / "forms"), "--out", str(tmp_path / "back")]) == 0
    demo, back = load_dataset(DEMO), load_dataset(tmp_path / "back")
    before = score(demo, "self", skip_invalid=True)
    after = score(back, "self")
    assert len(after.projects) == len(before.projects) == 50
    p0 = demo.projects.set_index("project_id").loc[sorted(back.projects["project_id"])]
    p1 = back.projects.set_index("project_id").sort_index()
    for col in ("name", "year", "budget", "spent"):
        assert p0[col].tolist() == p1[col].tolist(), col
    names = demo.units.set_index("unit_id")["name"]
    back_names = back.units.set_index("unit_id")["name"]
    assert names[p0["unit_id"]].tolist() == back_names[p1["unit_id"]].tolist()
    b0 = before.indicators.set_index(["project_id", "name"])
    b1 = after.indicators.set_index(["project_id", "name"])
    assert len(b0) == len(b1)
    b1 = b1.loc[b0.index]
    assert b0["level1"].tolist() == b1["level1"].tolist()
    assert b0["level2"].tolist() == b1["level2"].tolist()
    assert b0["points"].tolist() == b1["points"].tolist()
    expected_rule = b0["rule"].map(lambda r: NOT_CARRIED.get(r, "grade" if r == "boolean" else r))
    assert expected_rule.tolist() == b1["rule"].tolist()
    # numbers in one unit on both sides: 100 万人次 comes back as 1000000 人次
    numeric = b0["rule"].isin(["ratio", "inverse", "equal_zero"])
    for (key, r0), r1 in zip(b0[numeric].iterrows(), b1[numeric].itertuples(), strict=True):
        q = parse_value(f"{r0['target']}{r0['unit_of_measure']}")
        assert (q.number, q.unit) == (float(r1.target), r1.unit_of_measure), key  # type: ignore[union-attr]
        if r0["actual"] == "不适用":
            assert r1.actual == "不适用", key
            continue
        a = parse_value(f"{r0['actual']}{r0['unit_of_measure']}")
        assert a.number == float(r1.actual), key  # type: ignore[union-attr]
    carried = b0["rule"].isin(list(CARRIED)) & ~(
        (b0["rule"] == "grade") & (b0["params"].astype(str) != "")
    )
    assert carried.sum() > 700
    assert (b0.loc[carried, "score"].round(6) == b1.loc[carried, "score"].round(6)).all()
    # totals: the published 总分 is jxkit's; re-scored, equal wherever the rules not carried
    # (bands, interval, deduction, custom levels) happen to give the same scores
    pub = back.table("published")
    published = pub[pub["indicator_id"] == ""].set_index("project_id")["score"]
    t0 = before.projects.set_index("project_id")["total"]
    assert (published.sort_index() == t0.sort_index()).all()
    same = (b0["score"].round(6) == b1["score"].round(6)).groupby(level=0).all()
    t1 = after.projects.set_index("project_id")["total"]
    kept = same[same].index
    assert len(kept) >= 10
    assert (t0[kept] == t1[kept]).all()


def test_forms_review_round_and_one_file(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "review"
    assert main(["forms", str(DEMO), "--out", str(out), "--round", "review", "--one-file"]) == 0
    (book,) = list(out.iterdir())
    wb = load_workbook(book)
    ws = wb.worksheets[0]
    assert ws["J13"].value == "复核完成值" and ws["K13"].value == "复核得分"
    assert ws.print_title_rows == "$13:$13" and str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4
    assert ws.page_setup.fitToWidth == 1
    assert main(["forms", str(DEMO), "--out", str(tmp_path / "x"), "--only", "NOPE"]) == 2


def test_xls_is_refused_with_advice_and_the_rest_import(tmp_path: Path) -> None:
    old = tmp_path / "旧表.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0 not a workbook openpyxl reads")
    r = read_forms([old, FORMS / "split.xlsx"], LEVELS)
    assert r.failed == [("旧表.xls", "")]
    assert "另存为 .xlsx" in r.problems[0].message
    assert [f.name for f in r.forms] == ["工会干部培训项目", "工会财务人员培训项目"]


def test_reading_in_two_processes_gives_the_same_forms_and_problems() -> None:
    one, two = read_forms([FORMS], LEVELS), read_forms([FORMS], LEVELS, jobs=2)
    assert [(f.file, f.sheet, f.project_id) for f in two.forms] == [
        (f.file, f.sheet, f.project_id) for f in one.forms
    ]
    assert list(map(str, two.problems)) == list(map(str, one.problems))


def test_a_workbook_with_no_form_is_an_error(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    from openpyxl import Workbook

    Workbook().save(tmp_path / "空.xlsx")
    assert main(["import", str(tmp_path / "空.xlsx"), "--out", str(tmp_path / "ds")]) == 2
    assert "没有找到项目支出绩效自评表" in capsys.readouterr().err


def test_layout_a_blank_label_value_is_not_the_next_label() -> None:
    from jxkit.forms.layout import find_layout

    grid = [
        ["项目支出绩效自评表"],
        ["（2021年度）"],
        ["项目名称", "某项目"],
        ["主管部门", None, None, "实施单位", "某单位"],
        [
            "绩效指标",
            "一级指标",
            "二级指标",
            "三级指标",
            "年度指标值",
            "实际完成值",
            "分值",
            "得分",
        ],
        ["总分"],
    ]
    layout = find_layout(grid)
    assert layout is not None
    assert layout.head["department"] == (3, 1) and layout.head["unit"] == (3, 4)
    assert layout.year == 2021 and layout.total_row == 5 and list(layout.indicator_rows) == []
    assert find_layout([["说明"], ["本表无自评表"]]) is None


def test_recheck_needs_imported_forms(capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["recheck", str(DEMO)]) == 2
    assert "没有自评表原值表（published）" in capsys.readouterr().err


def _reviewed_forms(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """good.xlsx imported and reviewed; 帮扶项目's form prints 20 for 困难职工生活改善 (the rule
    gives 30 × 80% = 24 for 部分达成) and a 总分 of 89; 培训项目's printed figures are removed,
    as if it had been typed in rather than imported."""
    out = tmp_path / "ds"
    assert main(["import", str(FORMS / "good.xlsx"), "--out", str(out)]) == 0
    ids = dict(
        pd.read_csv(out / "projects.csv", dtype=str, encoding="utf-8-sig")[
            ["name", "project_id"]
        ].set_index("name")["project_id"]
    )
    aid, train = ids["困难职工帮扶项目"], ids["职工职业技能培训项目"]
    pub = pd.read_csv(out / "published.csv", dtype=str, encoding="utf-8-sig", keep_default_na=False)
    pub = pub[pub["project_id"] == aid]
    pub.loc[pub["indicator_id"] == "I03", "score"] = "20"
    pub.loc[pub["indicator_id"] == "", "score"] = "89"
    pub.to_csv(out / "published.csv", index=False, encoding="utf-8-sig")
    ev = pd.read_csv(
        out / "evaluations.csv", dtype=str, encoding="utf-8-sig", keep_default_na=False
    )
    review = ev.assign(round="review")
    review.loc[(review["project_id"] == train) & (review["indicator_id"] == "I07"), "actual"] = "90"
    pd.concat([ev, review]).to_csv(out / "evaluations.csv", index=False, encoding="utf-8-sig")
    return out, {"aid": aid, "train": train}


def test_compare_takes_the_printed_scores_as_the_self_evaluation(tmp_path: Path) -> None:
    from jxkit.compare import compare
    from jxkit.scoring import score

    out, ids = _reviewed_forms(tmp_path)
    ds = load_dataset(out)
    aid, train = ids["aid"], ids["train"]
    rules = score(ds, "self").projects.set_index("project_id")["total"]
    assert rules[aid] == 93  # 9 + 30 + 30 + 24: scoring itself is what the rules give
    result = compare(ds)
    rows = result.projects.set_index("project_id")
    # 帮扶项目: printed 89 (良) against the review's 9 + 30 + 30 + 24 = 93 (优)
    got = rows.loc[aid, ["self_total", "self_grade", "review_total", "review_grade"]].tolist()
    assert got == [89, "良", 93, "优"]
    assert rows.loc[aid, "difference"] == -4 and bool(rows.loc[aid, "grade_changed"])
    assert rows.loc[aid, "verdict"] == "自评质量差"  # the grade changed; by the rules it would not
    assert rows.loc[aid, "self_source"] == "自评表原值"
    # 培训项目 has no printed figures: the rules' 98.44 against 9+20+15+10+5+20+10+10 = 99
    assert rows.loc[train, ["self_total", "review_total", "difference"]].tolist() == [
        98.44,
        99,
        -0.56,
    ]
    assert rows.loc[train, ["self_source", "verdict"]].tolist() == ["按规则计算", "自评质量合格"]
    paper = result.indicators.set_index(["project_id", "indicator_id"])
    assert paper.loc[(aid, "I03"), ["self_score", "review_score", "deviation"]].tolist() == [
        20,
        24,
        -4,
    ]
    assert paper.loc[(aid, "exec_rate"), "self_score"] == 9  # printed 9, as the rule gives
    assert paper.loc[(train, "I07"), "self_score"] == pytest.approx(85 / 90 * 10)
    assert paper.loc[(train, "I07"), "review_score"] == 10
    assert set(paper.loc[train, "self_source"]) == {"按规则计算"}
    assert main(["compare", str(out), "--out", str(tmp_path / "c.xlsx")]) == 0
    sheet = pd.read_excel(tmp_path / "c.xlsx", sheet_name="复核比较")
    assert sorted(sheet["自评得分来源"]) == ["按规则计算", "自评表原值"]


def test_workbench_shows_the_printed_scores_as_the_self_evaluation(tmp_path: Path) -> None:
    import openpyxl

    from jxkit.widgets import Workbench
    from jxkit.widgets.workpaper import export_workpapers, workpaper

    out, ids = _reviewed_forms(tmp_path)
    aid, train = ids["aid"], ids["train"]
    wb = Workbench(out, user="张三")
    s = wb.session
    paper = workpaper(s, aid).set_index("三级指标")
    assert paper.loc["困难职工生活改善", ["自评得分", "复核得分", "偏离度"]].tolist() == [
        20,
        24,
        -4,
    ]
    assert paper.loc["预算执行率", "自评得分"] == 9
    total = paper.iloc[-1]
    assert (total["自评得分"], total["复核得分"], total["偏离度"]) == (89, 93, -4)
    assert total["扣分理由/备注"] == "良 → 优"
    assert workpaper(s, train).iloc[-1]["自评得分"] == 98.44  # no printed figures: the rules'
    overview = s.overview().set_index("project_id")
    assert overview.loc[aid, ["self_total", "self_grade"]].tolist() == [89, "良"]
    assert overview.loc[train, "self_total"] == 98.44
    wb.pick.project.value = aid
    wb.pick.open_button.click()
    wb.tabs.selected_index = 2
    html = wb.compare.table.value
    assert "自评（自评表原值） 89.00 分，复核 93.00 分，自评低 4 分" in html
    assert "自评质量差" in html and "自评得分为自评表原值" in html
    book = openpyxl.load_workbook(
        export_workpapers(s, [aid, train], tmp_path / "底稿.xlsx", reviewer="张三")
    )
    assert book[aid]["H4"].value == "自评得分：自评表原值"
    assert book[train]["H4"].value == "自评得分：按规则计算"


def test_review_report_says_the_self_evaluation_is_the_printed_one(tmp_path: Path) -> None:
    from jxkit.report.project import ProjectReport

    out, ids = _reviewed_forms(tmp_path)
    text = str(ProjectReport(out, ids["aid"], "review").conclusion())
    assert "自评表所填总分 89.00 分（良），按评分规则计算为 93.00 分（优）" in text
    assert "自评质量差（自评表所填 89.00 分、复核 93.00 分，相差 4.00 分" in text
    assert "自评得分（按评分规则）" in text  # the table's column: 9 + 60 + 24 = 93
    text = str(ProjectReport(out, ids["train"], "review").conclusion())
    assert "自评表所填" not in text and "自评 98.44 分、复核 99.00 分" in text
