"""Write-back: only edited cells change, encodings and bytes stay, changes are logged, conflicts refused."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from conftest import MINI
from openpyxl.styles import Font

from jxkit.dataset import load_dataset
from jxkit.dataset.drafts import draft_path, read_draft, write_draft
from jxkit.dataset.journal import Transaction, recover
from jxkit.dataset.merge import Conflict, merge_cell
from jxkit.dataset.writeback import (
    ConflictError,
    Edit,
    Stamp,
    evaluations_file,
    load_for_edit,
    save_evaluations,
)
from jxkit.errors import DataError
from jxkit.scoring import score

NOW = datetime(2024, 3, 15, 9, 30, tzinfo=timezone(timedelta(hours=8)))


def copy_mini(
    tmp_path: Path, evaluations: bytes | None = None, name: str = "evaluations.csv"
) -> Path:
    """The mini dataset, optionally with an evaluations file given byte for byte."""
    ds = tmp_path / "ds"
    shutil.copytree(MINI, ds)
    if evaluations is not None:
        (ds / "evaluations.csv").unlink()
        (ds / name).write_bytes(evaluations)
    return ds


def save(path: Path, *edits: Edit, user: str = "张三") -> tuple[list, Path]:
    ds, stamp = load_for_edit(path)
    result = save_evaluations(ds, edits, stamp=stamp, user=user, now=NOW)
    return result.changes, evaluations_file(path)


# Rows of the mini dataset written the way Excel on Windows writes them: CRLF line ends, a
# quoted field that needs no quotes, an extra column, no line end after the last row.
EXCEL_STYLE = (
    "project_id,indicator_id,round,actual,evidence,note,复核人\r\n"
    'P-001,I02,self,900,"签到表",,\r\n'
    "P-001,I03,self,625,财务凭证,,\r\n"
    'P-001,I04,self,92,"结业证书, 考核表",,\r\n'
    "P-001,I05,self,较好,问卷,,\r\n"
    "P-002,J02,self,1,检查记录,,\r\n"
    "P-002,J03,self,900,发放台账,,\r\n"
    "P-002,J04,self,0,,,\r\n"
    "P-002,J05,self,是,,,\r\n"
    "P-002,J06,self,7.5,投诉记录,,\r\n"
    "P-003,K02,self,6000,,,\r\n"
    "P-003,K03,self,不适用,,,\r\n"
    "P-003,K02,review,4000,,,李四\r\n"
    "P-003,K03,review,10,,,李四"
)


def test_only_edited_rows_change_byte_for_byte(tmp_path: Path) -> None:
    path = copy_mini(tmp_path, EXCEL_STYLE.encode("utf-8-sig"))
    changes, file = save(
        path,
        Edit("P-003", "K02", "review", "4500", "", "按台账核减"),
        Edit("P-001", "I02", "self", "950", "签到表", ""),
        Edit("P-001", "I01", "self", "", "预算执行表", ""),
    )
    expected = (
        EXCEL_STYLE.replace(
            "P-003,K02,review,4000,,,李四\r\n", "P-003,K02,review,4500,,按台账核减,李四\r\n"
        ).replace('P-001,I02,self,900,"签到表",,', "P-001,I02,self,950,签到表,,")
        + "\r\nP-001,I01,self,,预算执行表,,\r\n"
    )
    assert file.read_bytes() == expected.encode("utf-8-sig")
    assert [(c.project_id, c.indicator_id, c.field, c.old, c.new) for c in changes] == [
        ("P-003", "K02", "实际完成值", "4000", "4500"),
        ("P-003", "K02", "备注", "", "按台账核减"),
        ("P-001", "I02", "实际完成值", "900", "950"),
        ("P-001", "I01", "佐证材料", "", "预算执行表"),
    ]
    result = score(load_dataset(path))
    assert result.project("P-003", "review")["total"] == 75.0
    assert result.project("P-001", "self")["total"] == 84.5


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [("gb18030", b""), ("utf-8", b""), ("utf-8-sig", b"\xef\xbb\xbf")],
)
def test_encoding_is_kept(tmp_path: Path, encoding: str, bom: bytes) -> None:
    text = (MINI / "evaluations.csv").read_text(encoding="utf-8")
    path = copy_mini(tmp_path, text.encode(encoding))
    save(path, Edit("P-001", "I05", "review", "好", "问卷调查", ""))
    data = (path / "evaluations.csv").read_bytes()
    assert data.startswith(bom) and not data[len(bom) :].startswith(b"\xef\xbb\xbf")
    assert data.decode(encoding).endswith("P-001,I05,review,好,问卷调查,\n")
    if encoding == "gb18030":
        with pytest.raises(UnicodeDecodeError):
            data.decode("utf-8")
        log = (path / "修改记录.csv").read_bytes().decode("gb18030")
    else:
        log = (path / "修改记录.csv").read_text(encoding="utf-8-sig")
    assert log.splitlines()[-1] == "2024-03-15 09:30:00,张三,P-001,I05,复核,佐证材料,,问卷调查"


def test_chinese_headers_rounds_and_log(tmp_path: Path) -> None:
    text = (MINI / "evaluations.csv").read_text(encoding="utf-8")
    text = text.replace(
        "project_id,indicator_id,round,actual,evidence,note",
        "项目编码,指标编码,轮次,实际完成值,佐证材料,备注",
    )
    text = text.replace(",self,", ",自评,").replace(",review,", ",复核,")
    path = copy_mini(tmp_path, text.encode("gb18030"), name="评价.csv")
    save(path, Edit("P-002", "J05", "review", "否", "", "未建档"))
    rows = (path / "评价.csv").read_bytes().decode("gb18030").splitlines()
    assert rows[-1] == "P-002,J05,复核,否,,未建档"
    log = pd.read_csv(path / "修改记录.csv", dtype=str, keep_default_na=False, encoding="gb18030")
    assert list(log.columns) == [
        "时间（北京时间）",
        "修改人",
        "项目编码",
        "指标编码",
        "轮次",
        "字段",
        "原值",
        "新值",
    ]
    assert log[["轮次", "字段", "新值"]].values.tolist() == [
        ["复核", "实际完成值", "否"],
        ["复核", "备注", "未建档"],
    ]
    assert load_dataset(path).evaluations["round"].tolist()[-1] == "review"


def test_change_log_is_appended(tmp_path: Path) -> None:
    path = copy_mini(tmp_path)
    save(path, Edit("P-001", "I02", "review", "950"), user="张三")
    save(path, Edit("P-001", "I02", "review", "960"), user="李四")
    log = pd.read_csv(path / "修改记录.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert log[["修改人", "轮次", "字段", "原值", "新值"]].values.tolist() == [
        ["张三", "复核", "实际完成值", "", "950"],
        ["李四", "复核", "实际完成值", "950", "960"],
    ]


def test_an_existing_english_log_is_appended_in_place(tmp_path: Path) -> None:
    path = copy_mini(tmp_path)
    (path / "changelog.csv").write_text(
        "time,user,project_id,indicator_id,round,field,old,new\n"
        "2024-01-02 08:00:00+08:00,王五,P-001,I02,review,actual,,940\n",
        encoding="utf-8",
    )
    save(path, Edit("P-001", "I02", "review", "950"))
    assert not (path / "修改记录.csv").exists()
    assert (path / "changelog.csv").read_text(encoding="utf-8").splitlines()[-1] == (
        "2024-03-15 09:30:00,张三,P-001,I02,复核,实际完成值,,950"
    )


def test_log_time_is_beijing_time_or_the_zone_configured(tmp_path: Path) -> None:
    path = copy_mini(tmp_path)
    utc = datetime(2024, 3, 15, 1, 30, tzinfo=UTC)
    ds, stamp = load_for_edit(path)
    save_evaluations(ds, [Edit("P-001", "I02", "review", "950")], stamp=stamp, user="张三", now=utc)
    ds, stamp = load_for_edit(path)
    save_evaluations(
        ds,
        [Edit("P-001", "I02", "review", "960")],
        stamp=stamp,
        user="张三",
        now=utc,
        timezone="Europe/Berlin",
    )
    log = pd.read_csv(path / "修改记录.csv", dtype=str, encoding="utf-8-sig")
    assert log["时间（北京时间）"].tolist() == ["2024-03-15 09:30:00", "2024-03-15 02:30:00+01:00"]


def test_same_values_change_nothing(tmp_path: Path) -> None:
    path = copy_mini(tmp_path)
    before = (path / "evaluations.csv").stat().st_mtime_ns
    changes, _ = save(path, Edit("P-001", "I02", "self", " 900 ", "签到表", ""))
    assert changes == []
    assert (path / "evaluations.csv").stat().st_mtime_ns == before
    assert not (path / "修改记录.csv").exists()


def test_clearing_a_row_removes_it(tmp_path: Path) -> None:
    path = copy_mini(tmp_path)
    changes, file = save(
        path, Edit("P-003", "K02", "review", ""), Edit("P-003", "K03", "review", "")
    )
    assert "review" not in file.read_text(encoding="utf-8")
    assert [(c.indicator_id, c.old, c.new) for c in changes] == [
        ("K02", "4000", ""),
        ("K03", "10", ""),
    ]
    assert set(score(load_dataset(path)).projects["round"]) == {"self"}


def test_missing_optional_columns_are_added(tmp_path: Path) -> None:
    text = "project_id,indicator_id,round,actual\nP-003,K02,self,6000\nP-003,K03,self,不适用\n"
    path = copy_mini(tmp_path, text.encode("utf-8"))
    save(path, Edit("P-003", "K02", "self", "6000", "", "超额完成：新增赛区"))
    assert (path / "evaluations.csv").read_text(encoding="utf-8") == (
        "project_id,indicator_id,round,actual,note\n"
        "P-003,K02,self,6000,超额完成：新增赛区\n"
        "P-003,K03,self,不适用,\n"
    )


def test_conflict_is_refused_and_touch_is_not_a_conflict(tmp_path: Path) -> None:
    path = copy_mini(tmp_path)
    ds, stamp = load_for_edit(path)
    file = path / "evaluations.csv"
    os.utime(file, ns=(stamp.mtime_ns + 5_000_000_000, stamp.mtime_ns + 5_000_000_000))
    assert not stamp.changed()
    other = file.read_text(encoding="utf-8").replace("P-001,I02,self,900", "P-001,I02,self,901")
    file.write_text(other, encoding="utf-8")
    with pytest.raises(ConflictError, match=r"evaluations\.csv 在载入后已被修改"):
        save_evaluations(ds, [Edit("P-001", "I02", "review", "950")], stamp=stamp, user="张三")
    assert file.read_text(encoding="utf-8") == other
    assert not (path / "修改记录.csv").exists()
    assert not [p for p in path.iterdir() if p.name.startswith(".")]


def test_unknown_round_is_refused() -> None:
    with pytest.raises(DataError, match="评价轮次应为"):
        Edit("P-001", "I02", "final", "1")


def workbook(tmp_path: Path) -> Path:
    """The mini dataset as a workbook with a styled evaluations sheet and a sheet of notes."""
    target = tmp_path / "mini.xlsx"
    with pd.ExcelWriter(target, engine="openpyxl") as xl:
        for f in sorted(MINI.glob("*.csv")):
            frame = pd.read_csv(f, dtype=str, keep_default_na=False)
            name = {"evaluations": "评价"}.get(f.stem, f.stem)
            frame.to_excel(xl, sheet_name=name, index=False)
        pd.DataFrame({"说明": ["复核工作底稿，勿删"]}).to_excel(xl, sheet_name="说明", index=False)
    book = openpyxl.load_workbook(target)
    ws = book["评价"]
    ws["A1"].font = Font(bold=True)
    ws.column_dimensions["A"].width = 18
    ws["D2"].value = 900  # a number typed in Excel, not text
    book.save(target)
    return target


def test_workbook_keeps_other_sheets_and_formatting(tmp_path: Path) -> None:
    path = workbook(tmp_path)
    changes, file = save(
        path,
        Edit("P-001", "I02", "self", "950", "签到表", ""),
        Edit("P-001", "I05", "review", "好", "", ""),
    )
    assert file == path and len(changes) == 2
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["评价", "indicators", "projects", "units", "说明", "修改记录"]
    ws = book["评价"]
    assert ws["A1"].font.bold and ws.column_dimensions["A"].width == 18
    assert ws["D2"].value == 950 and isinstance(ws["D2"].value, int)
    assert [c.value for c in ws[ws.max_row]] == ["P-001", "I05", "review", "好", None, None]
    assert book["说明"]["A2"].value == "复核工作底稿，勿删"
    log = [[c.value for c in row] for row in book["修改记录"].iter_rows()]
    assert log[0] == [
        "时间（北京时间）",
        "修改人",
        "项目编码",
        "指标编码",
        "轮次",
        "字段",
        "原值",
        "新值",
    ]
    assert log[1][2:] == ["P-001", "I02", "自评", "实际完成值", "900", "950"]


def test_workbook_round_trip_scores(tmp_path: Path) -> None:
    path = workbook(tmp_path)
    edits = [
        Edit("P-001", i, "review", v)
        for i, v in (("I02", "950"), ("I03", "480"), ("I04", "95"), ("I05", "好"))
    ]
    save(path, *edits)
    assert score(load_dataset(path), "review").project("P-001", "review")["total"] == 90.5


def test_drafts(tmp_path: Path) -> None:
    path = copy_mini(tmp_path)
    stamp = Stamp.of(path / "evaluations.csv")
    draft = draft_path(path, "张 三/评价")
    assert draft.parent == tmp_path and draft.name == ".ds.jxkit-draft-张_三_评价.json"
    edits = [Edit("P-001", "I02", "review", "950", "", "备注")]
    write_draft(draft, edits, stamp)
    back = read_draft(draft)
    assert back is not None and back.edits == edits and back.base_sha256 == stamp.sha256
    write_draft(draft, [], stamp)
    assert not draft.exists() and read_draft(draft) is None
    draft.write_text("{", encoding="utf-8")
    with pytest.raises(DataError, match="草稿文件无法读取"):
        read_draft(draft)


def test_workbook_with_formulas_is_not_saved(tmp_path: Path) -> None:
    """openpyxl would drop the formula's computed value: the budget would read as empty."""
    path = workbook(tmp_path)
    book = openpyxl.load_workbook(path)
    book["说明"]["B2"] = "=900000+100000"  # a sheet jxkit does not read: loading still works
    book.save(path)
    before = path.read_bytes()
    with pytest.raises(DataError, match=r"工作表“说明” 第 2 行 B 列: \"=900000\+100000\" 是公式"):
        save(path, Edit("P-001", "I02", "self", "950", "签到表", ""))
    assert path.read_bytes() == before


# ----------------------------------------------------------------------------- merge

# base, disk, mine → outcome, hand-decided for every combination of equal and different
MERGES = [
    ("7", "7", "7", "unchanged"),
    ("7", "8", "7", "theirs"),  # only others changed it: take disk
    ("7", "7", "10", "mine"),  # only I changed it: write mine
    ("7", "10", "10", "same"),  # both changed it alike: nothing to write
    ("7", "8", "10", "conflict"),  # both changed it differently
    ("", "", "5", "mine"),  # a new value
    ("", "5", "", "theirs"),
    ("", "5", "6", "conflict"),
    ("7", "", "7", "theirs"),  # someone cleared it
    ("7", "", "", "same"),
    ("7", "", "8", "conflict"),
    (" 7", "7 ", "7", "unchanged"),  # surrounding spaces are no change
]


@pytest.mark.parametrize(("base", "disk", "mine", "outcome"), MERGES)
def test_merge_cell(base: str, disk: str, mine: str, outcome: str) -> None:
    assert merge_cell(base, disk, mine) == outcome


def edit_file(path: Path, old: str, new: str) -> None:
    """A change made by someone else (another tab, a colleague, Excel) on disk."""
    file = path / "evaluations.csv"
    text = file.read_text(encoding="utf-8")
    assert text.count(old) == 1
    file.write_text(text.replace(old, new), encoding="utf-8")


def test_only_my_cells_are_written_over_others_changes(tmp_path: Path) -> None:
    path = copy_mini(tmp_path)
    ds, stamp = load_for_edit(path)
    edit_file(path, "P-003,K02,review,4000,,", "P-003,K02,review,4100,台账,")
    # I changed only the note of K02 (base: as loaded) and the actual of I02
    mine = [
        Edit("P-003", "K02", "review", "4000", "", "按台账核减", base=("4000", "", "")),
        Edit("P-001", "I02", "self", "950", "签到表", "", base=("900", "签到表", "")),
    ]
    result = save_evaluations(ds, mine, stamp=stamp, user="张三", now=NOW)
    text = (path / "evaluations.csv").read_text(encoding="utf-8")
    assert "P-003,K02,review,4100,台账,按台账核减" in text  # their 4100 and 台账 kept
    assert "P-001,I02,self,950,签到表," in text
    assert [(c.indicator_id, c.field, c.old, c.new) for c in result.changes] == [
        ("K02", "备注", "", "按台账核减"),
        ("I02", "实际完成值", "900", "950"),
    ]


def test_a_cell_both_changed_is_a_conflict_and_nothing_is_written(tmp_path: Path) -> None:
    path = copy_mini(tmp_path)
    ds, stamp = load_for_edit(path)
    edit_file(path, "P-003,K02,review,4000", "P-003,K02,review,8")
    before = (path / "evaluations.csv").read_bytes()
    mine = [
        Edit("P-003", "K02", "review", "10", "", "", base=("4000", "", "")),
        Edit("P-001", "I02", "self", "950", "签到表", "", base=("900", "签到表", "")),
    ]
    with pytest.raises(ConflictError, match="他人已改为“8”，您改为“10”") as caught:
        save_evaluations(ds, mine, stamp=stamp, user="张三", now=NOW)
    assert caught.value.conflicts == [
        Conflict("P-003", "K02", "review", "actual", "4000", "8", "10")
    ]
    assert (path / "evaluations.csv").read_bytes() == before
    assert not (path / "修改记录.csv").exists()


def test_xlsx_text_stays_text(tmp_path: Path) -> None:
    path = workbook(tmp_path)
    book = openpyxl.load_workbook(path)
    ws = book["评价"]
    ws["D3"].value = "625"  # stored as text in this column, as many exported sheets do
    book.save(path)
    save(
        path,
        Edit("P-001", "I03", "self", "630", "财务凭证", ""),
        Edit("P-001", "I02", "self", "950", "签到表", ""),
    )
    ws = openpyxl.load_workbook(path)["评价"]
    assert ws["D3"].value == "630"  # text before, text after
    assert ws["D2"].value == 950  # a number before, a number after


# ----------------------------------------------------------------------------- one transaction


def agree(path: Path) -> bool:
    """Every logged change is in the data, and every changed cell is logged."""
    data = pd.read_csv(path / "evaluations.csv", dtype=str, keep_default_na=False)
    data = data.set_index(["project_id", "indicator_id", "round"])
    log_file = path / "修改记录.csv"
    log = (
        pd.read_csv(log_file, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        if log_file.exists()
        else pd.DataFrame(columns=["项目编码", "指标编码", "新值"])
    )
    saved = data.at[("P-001", "I02", "self"), "actual"]
    return (saved == "950") == (log["新值"].tolist() == ["950"])


@pytest.mark.parametrize("step", Transaction.STEPS)
def test_a_kill_at_any_step_leaves_data_and_log_agreeing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    path = copy_mini(tmp_path)

    def killed(self: Transaction) -> None:
        raise KeyboardInterrupt(step)

    monkeypatch.setattr(Transaction, step, killed)
    with pytest.raises(KeyboardInterrupt):
        save(path, Edit("P-001", "I02", "self", "950", "签到表", ""))
    monkeypatch.undo()
    written = step in ("write_log", "finish")  # the data was replaced before the kill
    message = recover(path)
    assert agree(path)
    assert (message or "").startswith("上次保存") == (step != "prepare" and step != "finish")
    ds = load_dataset(path).evaluations.set_index(["project_id", "indicator_id", "round"])
    assert (ds.at[("P-001", "I02", "self"), "actual"] == "950") == written
    assert not [p.name for p in path.iterdir() if p.name.startswith(".")]
    # and the next save goes through as usual
    save(path, Edit("P-001", "I03", "self", "630", "财务凭证", ""))
    assert not [p.name for p in path.iterdir() if p.name.startswith(".")]
