"""Bad input and faults: every case answers in Chinese, names the place, exits 2, no traceback.

Each bad file is built inside the test from the mini dataset or the demo data; messages are
pinned with their key words (file, row as Excel shows it, column, what to do).
"""

from __future__ import annotations

import datetime
import errno
import pickle
import re
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from conftest import MINI, REPO

from jxkit.cli import main
from jxkit.dataset import load_dataset
from jxkit.dataset.tables import atomic_path, write_table
from jxkit.errors import DataError, FileAccessError, os_error_text, user_path
from jxkit.scoring import score

FRAME = pd.DataFrame({"a": ["1"], "b": ["2"]})


# --- OS errors -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("exc", "action", "path", "expected"),
    [
        (
            OSError(errno.ENOSPC, "No space left on device"),
            "",
            "/o/得分.xlsx",
            "写入“/o/得分.xlsx”失败：磁盘已满",
        ),
        (
            PermissionError(errno.EACCES, "Permission denied", "/o/a.csv"),
            "写入",
            None,
            "写入“/o/a.csv”失败：没有写入权限",
        ),
        (
            PermissionError(errno.EPERM, "Operation not permitted", "/o/a.csv"),
            "读取",
            None,
            "读取“/o/a.csv”失败：没有读取权限",
        ),
        (
            OSError(errno.EROFS, "Read-only file system", "/o/a.csv"),
            "",
            None,
            "写入“/o/a.csv”失败：没有写入权限（磁盘或文件夹只读）",
        ),
        (
            IsADirectoryError(errno.EISDIR, "Is a directory", "/o/.dir.csv.whrgj8vq.csv"),
            "写入",
            None,
            "写入“/o/dir.csv”失败：是一个文件夹",
        ),
        (
            FileNotFoundError(errno.ENOENT, "No such file", "/o/x.csv"),
            "读取",
            None,
            "读取“/o/x.csv”失败：文件不存在",
        ),
        (
            NotADirectoryError(errno.ENOTDIR, "Not a directory", "/o/f/x.csv"),
            "写入",
            None,
            "写入“/o/f/x.csv”失败：不是文件夹",
        ),
        (
            OSError(
                errno.EXDEV, "Invalid cross-device link", "/o/.a.csv.abcd1234.csv", None, "/p/a.csv"
            ),
            "写入",
            None,
            "写入“/p/a.csv”失败：Invalid cross-device link",
        ),
    ],
)
def test_os_error_text(exc: OSError, action: str, path: str | None, expected: str) -> None:
    assert os_error_text(exc, action=action, path=path).startswith(expected)


@pytest.mark.parametrize(
    ("temp", "user"),
    [
        ("/o/.得分.xlsx.k3j2h1ab.xlsx", "/o/得分.xlsx"),
        ("/o/.scores.csv.a_b1c2d3.csv", "/o/scores.csv"),
        ("/o/.index.html.x1.tmp", "/o/index.html"),
        ("/o/.bashrc", "/o/.bashrc"),  # a user's own hidden file stays as it is
        ("/o/报告.html", "/o/报告.html"),
    ],
)
def test_user_path_hides_temporary_names(temp: str, user: str) -> None:
    assert user_path(temp) == user


def test_write_onto_a_folder_names_the_target(tmp_path: Path) -> None:
    (tmp_path / "out.csv").mkdir()
    with pytest.raises(FileAccessError, match=r"写入“.*out\.csv”失败：是一个文件夹") as info:
        write_table(FRAME, tmp_path / "out.csv")
    assert info.value.errno == errno.EISDIR
    assert isinstance(info.value, OSError)  # a batch that handles OS errors still sees one
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]  # no temp file left


def test_the_error_crosses_processes_intact() -> None:
    error = FileAccessError(OSError(errno.ENOSPC, "No space left"), action="写入", path="/o/a.csv")
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is FileAccessError and again.errno == errno.ENOSPC
    assert (
        str(again)
        == str(error)
        == "写入“/o/a.csv”失败：磁盘已满。请清理磁盘空间或换一个输出位置后重试。"
    )


def test_write_under_a_file_says_not_a_folder(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    with pytest.raises(FileAccessError, match=r"写入“.*f”失败：不是文件夹"):
        write_table(FRAME, tmp_path / "f" / "out.csv")


def test_full_disk_during_a_write_names_the_target(tmp_path: Path) -> None:
    target = tmp_path / "得分.csv"
    target.write_text("old")
    full = pytest.raises(FileAccessError, match=r"写入“.*得分\.csv”失败：磁盘已满")
    with full, atomic_path(target):
        raise OSError(errno.ENOSPC, "No space left on device")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["得分.csv"]


def test_other_files_errors_inside_a_write_pass_through(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError), atomic_path(tmp_path / "out.csv"):
        (tmp_path / "elsewhere.csv").read_text()


def test_cli_full_disk_is_chinese(
    mini_copy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("jxkit.dataset.tables.csv_bytes", full)
    out = tmp_path / "得分.csv"
    assert main(["score", str(mini_copy()), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "磁盘已满" in err and "得分.csv" in err and "Traceback" not in err
    assert not out.exists()


# --- bad datasets: every case named in Chinese, exit 2, no traceback -------------------------

MONITORING = (
    "project_id,as_of,indicator_id,spent_to_date,progress\n"
    "P-001,2021-06-30,,400000,\nP-001,2021-06-30,I02,,500\n"
)


def lines_of(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8-sig").splitlines(keepends=True)


def edit_line(path: Path, at: int, old: str, new: str) -> None:
    """Replace ``old`` by ``new`` in line ``at`` (the header is line 1, as in Excel)."""
    lines = lines_of(path)
    assert old in lines[at - 1]
    lines[at - 1] = lines[at - 1].replace(old, new)
    path.write_text("".join(lines), encoding="utf-8")


def add_column(path: Path, header: str, value_of: str) -> None:
    """Append a column ``header`` holding a copy of column ``value_of``."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame[header] = frame[value_of]
    frame.to_csv(path, index=False)


def repeat_indicator(ds: Path, id_suffix: str = "") -> None:
    (ds / "monitoring.csv").write_text(MONITORING, encoding="utf-8")
    f = ds / "indicators.csv"
    first = lines_of(f)[1].replace("P-001,I01,", f"P-001,I01{id_suffix},")
    f.write_text(f.read_text(encoding="utf-8") + first, encoding="utf-8")


def two_headers(ds: Path) -> None:
    add_column(ds / "projects.csv", "budget ", "budget")


def zh_and_en_header(ds: Path) -> None:
    f = ds / "projects.csv"
    frame = pd.read_csv(f, dtype=str, keep_default_na=False)
    frame.insert(0, "全年预算数", ["1", "2", "3"])
    frame.to_csv(f, index=False)


def one_header_twice(ds: Path) -> None:
    f = ds / "units.csv"
    lines = lines_of(f)
    lines = [
        line.rstrip("\n") + ("," + ("region" if i == 0 else "x")) + "\n"
        for i, line in enumerate(lines)
    ]
    f.write_text("".join(lines), encoding="utf-8")


def two_tables(ds: Path) -> None:
    (ds / "项目.csv").write_bytes((ds / "projects.csv").read_bytes())


def budget(value: str):
    def build(ds: Path) -> None:
        edit_line(ds / "projects.csv", 3, "400000,400000", f"{value},400000")

    return build


def blank_lines(ds: Path) -> None:
    f = ds / "projects.csv"
    lines = lines_of(f)
    lines[2] = lines[2].replace("400000,400000", "40万,400000")
    f.write_text("".join([*lines[:2], "\n", "\n", *lines[2:]]), encoding="utf-8")


def blank_lines_crlf_quoted(ds: Path) -> None:
    f = ds / "projects.csv"
    lines = [line.rstrip("\n") + "\r\n" for line in lines_of(f)]
    lines[2] = lines[2].replace("400000,400000", "40万,400000")
    f.write_text("".join([*lines[:2], "\r\n", *lines[2:]]), encoding="utf-8", newline="")


def evaluation_project_id(value: str):
    def build(ds: Path) -> None:
        edit_line(ds / "evaluations.csv", 2, "P-001,", f"{value},")

    return build


def truncated(ds: Path) -> None:
    f = ds / "projects.csv"
    data = f.read_bytes()
    f.write_bytes(data[: data.index("困".encode()) + 1])


def truncated_gbk(ds: Path) -> None:
    f = ds / "projects.csv"
    data = f.read_text(encoding="utf-8").encode("gbk")
    f.write_bytes(data[: data.index("困".encode("gbk")) + 1])


def one_gbk_line(ds: Path) -> None:
    f = ds / "projects.csv"
    lines = lines_of(f)
    f.write_bytes("".join(lines[:3]).encode() + lines[3].encode("gbk"))


def gbk_line_first(ds: Path) -> None:
    f = ds / "projects.csv"
    lines = lines_of(f)
    f.write_bytes(lines[0].encode() + lines[1].encode("gbk") + "".join(lines[2:]).encode())


def utf16(ds: Path) -> None:
    f = ds / "projects.csv"
    f.write_bytes(f.read_text(encoding="utf-8").encode("utf-16"))


def unclosed_quote(ds: Path) -> None:
    edit_line(ds / "projects.csv", 3, "西湖区", '"西湖区')


def too_many_cells(ds: Path) -> None:
    edit_line(ds / "projects.csv", 3, "\n", ",多,余\n")


def bad_dates_in_a_key(ds: Path) -> None:
    (ds / "monitoring.csv").write_text(
        "project_id,as_of,indicator_id,spent_to_date,progress\n"
        "P-001,6月底,I02,,500\nP-001,6月底,I02,,600\n",
        encoding="utf-8",
    )


CSV_CASES = {
    "indicator pasted twice, monitoring present": (
        repeat_indicator,
        r'indicators\.csv 第 16 行 indicator_id 列: "P-001／I01" 与第 2 行重复',
    ),
    "ids differing by a trailing space": (
        lambda ds: repeat_indicator(ds, " "),
        r'indicators\.csv 第 16 行 indicator_id 列: "P-001／I01" 与第 2 行重复（.*首尾空格不计）',
    ),
    "budget and 'budget '": (
        two_headers,
        r"projects\.csv: 列“budget”（第 6 列）与列“budget ”（第 13 列）都是 全年预算数（budget），"
        r"无法确定用哪一列：请删去其中一列",
    ),
    "全年预算数 then budget": (
        zh_and_en_header,
        r"projects\.csv: 列“全年预算数”（第 1 列）与列“budget”（第 7 列）都是 全年预算数",
    ),
    "one header twice": (
        one_header_twice,
        r"units\.csv: 列“region”（第 5 列）与列“region”（第 6 列）都是 地区（region）",
    ),
    "projects.csv and 项目.csv": (
        two_tables,
        r"“projects\.csv”与“项目\.csv”都是项目表（projects），无法确定用哪一个：请只保留一个文件",
    ),
    "budget 1e308": (
        budget("1e308"),
        r'projects\.csv 第 3 行 budget 列: "1e308" 金额超出合理范围（超过 10 万亿元',
    ),
    "budget just above 10^13": (
        budget("10000000000001"),
        r'projects\.csv 第 3 行 budget 列: "10000000000001" 金额超出合理范围',
    ),
    "budget inf": (budget("inf"), r'projects\.csv 第 3 行 budget 列: "inf" 不是数字'),
    "budget nan": (budget("nan"), r'projects\.csv 第 3 行 budget 列: "nan" 不是数字'),
    "rows after blank lines": (
        blank_lines,
        r'projects\.csv 第 5 行 budget 列: "40万" 不是数字',
    ),
    "rows after a blank line, CRLF, quotes": (
        blank_lines_crlf_quoted,
        r'projects\.csv 第 4 行 budget 列: "40万" 不是数字',
    ),
    "zero-width space in project_id": (
        evaluation_project_id("P-001\u200b"),
        r"evaluations\.csv 第 2 行 project_id 列: .* 项目编码在绩效指标表中不存在"
        r"（含不可见字符“零宽空格”（U\+200B），请删去）",
    ),
    "full-width letter in project_id": (
        evaluation_project_id("Ｐ-001"),
        r'evaluations\.csv 第 2 行 project_id 列: "Ｐ-001" 项目编码在绩效指标表中不存在'
        r"（含全角字符“Ｐ”，请改为半角）",
    ),
    "truncated UTF-8": (
        truncated,
        r"projects\.csv 第 3 行: 文件在这一行中途截断.*请重新导出或复制后重试",
    ),
    "truncated GBK": (truncated_gbk, r"projects\.csv 第 3 行: 文件在这一行中途截断"),
    "UTF-8 with one GBK line": (
        one_gbk_line,
        r"projects\.csv 第 4 行: 这一行是 GBK 编码（“P-003,P00,2021,全省劳动竞赛.*），其余各行是 UTF-8："
        r"文件混用了两种编码",
    ),
    "a GBK line before the UTF-8 ones": (
        gbk_line_first,
        r"projects\.csv 第 2 行: 这一行是 GBK 编码（“P-001,C01,2021,2021年杭州市职工技能培训.*），其余各行是 UTF-8",
    ),
    "UTF-16": (utf16, r"projects\.csv: 是 UTF-16 编码.*另存为“CSV UTF-8（逗号分隔）”"),
    "unclosed quote": (
        unclosed_quote,
        r"projects\.csv 第 3 行: 从这一行开始的英文双引号没有配对",
    ),
    "too many cells": (
        too_many_cells,
        r"projects\.csv 第 3 行: 这一行有 14 个值，而表头只有 12 列",
    ),
    "bad dates in a key: no duplicate on NaT": (
        bad_dates_in_a_key,
        r"共 2 处：\n  1\. monitoring\.csv 第 2 行 as_of 列: \"6月底\" 不是有效的日期.*\n"
        r"  2\. monitoring\.csv 第 3 行 as_of 列: \"6月底\" 不是有效的日期[^\n]*\n?$",
    ),
}


@pytest.mark.parametrize(("build", "message"), CSV_CASES.values(), ids=CSV_CASES.keys())
def test_bad_csv_dataset(
    build, message: str, mini_copy, capsys: pytest.CaptureFixture[str]
) -> None:
    ds = mini_copy()
    build(ds)
    assert main(["validate", str(ds)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert re.search(message, err), err


# --- Excel workbooks: cells read as shown, or named for what they are ------------------------


def mini_book(mini: Path) -> openpyxl.Workbook:
    """The mini dataset as a workbook, numbers stored as numbers (as Excel would)."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name in ("units", "projects", "indicators", "evaluations"):
        ws = book.create_sheet(name)
        frame = pd.read_csv(mini / f"{name}.csv", dtype=str, keep_default_na=False)
        ws.append(list(frame.columns))
        for row in frame.itertuples(index=False):
            ws.append([_typed(v) for v in row])
    return book


def _typed(text: str) -> object:
    try:
        return int(text.replace(",", "")) if text.replace(",", "").isdigit() else float(text)
    except ValueError:
        return text


def cell(book: openpyxl.Workbook, sheet: str, row: int, column: str) -> Any:
    ws = book[sheet]
    at = [c.value for c in ws[1]].index(column) + 1
    return ws.cell(row=row, column=at)


def percent_actual(book: openpyxl.Workbook) -> None:
    c = cell(book, "evaluations", 4, "actual")  # P-001 I04 培训合格率, target 100 (%)
    c.value, c.number_format = 0.93, "0%"


def error_cell(value: str):
    def build(book: openpyxl.Workbook) -> None:
        cell(book, "projects", 3, "budget").value = value

    return build


def formula_without_value(book: openpyxl.Workbook) -> None:
    cell(book, "projects", 3, "budget").value = "=SUM(Z1:Z9)"


def merged_unit(book: openpyxl.Workbook) -> None:
    ws = book["projects"]
    ws["B3"] = ws["B2"].value
    ws["B4"] = None
    ws.merge_cells("B3:B4")


def hidden_stale_sheet(book: openpyxl.Workbook) -> None:
    book["projects"].title = "项目"
    stale = book.create_sheet("projects", 0)
    stale.append(["project_id"])
    stale.sheet_state = "hidden"


def hidden_only(book: openpyxl.Workbook) -> None:
    book["projects"].sheet_state = "hidden"


XLSX_CASES = {
    "#REF!": (
        error_cell("#REF!"),
        r"mini\.xlsx 工作表“projects” 第 3 行 budget 列: \"#REF!\" 是 Excel 错误值（公式引用的单元格已被删除）",
    ),
    "#N/A": (
        error_cell("#N/A"),
        r"第 3 行 budget 列: \"#N/A\" 是 Excel 错误值（查找公式没有找到值）",
    ),
    "#DIV/0!": (
        error_cell("#DIV/0!"),
        r"第 3 行 budget 列: \"#DIV/0!\" 是 Excel 错误值（公式除以了零）",
    ),
    "formula never calculated": (
        formula_without_value,
        r"工作表“projects” 第 3 行 budget 列: 是没有保存计算结果的公式：请在 Excel 中打开、重新计算并保存",
    ),
    "merged cell": (
        merged_unit,
        r"共 1 处：\n  1\. mini\.xlsx 工作表“projects” 第 3 行 unit_id 列: 在合并单元格 B3:B4 中，只有第一格有值",
    ),
    "hidden stale projects sheet before 项目": (
        hidden_stale_sheet,
        r"mini\.xlsx: “projects”与“项目”都是项目表（projects）（其中“projects”是隐藏的工作表），无法确定用哪一个",
    ),
    "only a hidden projects sheet": (
        hidden_only,
        r"mini\.xlsx: 项目表（projects）的工作表“projects”是隐藏的：请确认它是要用的数据并取消隐藏",
    ),
}


@pytest.mark.parametrize(("build", "message"), XLSX_CASES.values(), ids=XLSX_CASES.keys())
def test_bad_workbook(
    build, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = mini_book(MINI)
    build(book)
    book.save(tmp_path / "mini.xlsx")
    assert main(["validate", str(tmp_path / "mini.xlsx")]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert re.search(message, err), err


def test_percent_cells_read_as_shown(tmp_path: Path) -> None:
    book = mini_book(MINI)
    percent_actual(book)
    cell(book, "evaluations", 2, "actual").number_format = '0" %"'  # a literal %, not a percent
    book.save(tmp_path / "mini.xlsx")
    ds = load_dataset(tmp_path / "mini.xlsx")
    assert ds.evaluations.loc[4, "actual"] == "93"
    assert ds.evaluations.loc[2, "actual"] == "900"
    # bands on 93 of 100: 0.93 >= 0.9 earns 0.8 of 30 points (as 93 % would, not 0.93 %)
    scores = score(ds, "self").indicators
    got = scores[(scores["project_id"] == "P-001") & (scores["indicator_id"] == "I04")]
    assert got["score"].tolist() == [24.0]


def test_workbook_rows_are_excel_rows_after_blank_rows(tmp_path: Path) -> None:
    book = mini_book(MINI)
    ws = book["projects"]
    ws.insert_rows(3, amount=2)
    cell(book, "projects", 5, "budget").value = "40万"
    book.save(tmp_path / "mini.xlsx")
    with pytest.raises(DataError, match=r'工作表“projects” 第 5 行 budget 列: "40万" 不是数字'):
        load_dataset(tmp_path / "mini.xlsx")


def test_date_time_cells_are_read_as_the_day(tmp_path: Path, mini_copy) -> None:
    book = mini_book(MINI)
    ws = book["projects"]
    at = ws.max_column + 1
    ws.cell(row=1, column=at, value="start_date")
    ws.cell(row=1, column=at + 1, value="end_date")
    ws.cell(row=2, column=at, value=datetime.datetime(2021, 3, 1, 14, 30))
    ws.cell(row=2, column=at + 1, value=datetime.datetime(2021, 11, 30, 0, 0))
    book.save(tmp_path / "mini.xlsx")
    ds = load_dataset(tmp_path / "mini.xlsx")
    assert str(ds.projects.loc[2, "start_date"]) == "2021-03-01 00:00:00"
    assert str(ds.projects.loc[2, "end_date"]) == "2021-11-30 00:00:00"
    folder = mini_copy()
    (folder / "monitoring.csv").write_text(
        MONITORING.replace("2021-06-30", "2021-06-30 14:30:05"), encoding="utf-8"
    )
    assert str(load_dataset(folder).table("monitoring")["as_of"].iloc[0]) == "2021-06-30 00:00:00"


def test_a_broken_workbook_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    mini_book(MINI).save(tmp_path / "mini.xlsx")
    data = (tmp_path / "mini.xlsx").read_bytes()
    (tmp_path / "mini.xlsx").write_bytes(data[: len(data) // 2])
    assert main(["validate", str(tmp_path / "mini.xlsx")]) == 2
    err = capsys.readouterr().err
    assert "mini.xlsx: 不是可读的 Excel 工作簿（.xlsx）：文件已损坏、未完整复制" in err
    assert "Traceback" not in err


# --- no command writes onto its own input ----------------------------------------------------

OWN_INPUT_CASES = {
    "score into its own workbook": (
        ["score", "{book}", "--out", "{book}"],
        r"输出位置“.*mini\.xlsx”就是本命令读取的文件",
    ),
    "score over evaluations.csv": (
        ["score", "{ds}", "--out", "{ds}/evaluations.csv"],
        r"输出文件“.*evaluations\.csv”是数据集 ds 中的评价表（evaluations）：写入会覆盖您的数据",
    ),
    "score over 项目.csv by another spelling": (
        ["score", "{ds}", "--out", "{ds}/../ds/Projects.CSV"],
        r"是数据集 ds 中的项目表（projects）",
    ),
    "coverage into the dataset folder itself": (
        ["coverage", "{ds}", "--year", "2021", "--out", "{ds}"],
        r"输出位置“.*ds”就是数据集文件夹",
    ),
    "compare over units.csv": (
        ["compare", "{ds}", "--out", "{ds}/units.csv"],
        r"是数据集 ds 中的单位表（units）",
    ),
    "compare over its sample's record": (
        ["compare", "{ds}", "--sample", "{tmp}", "--out", "{tmp}/sample.csv"],
        r"就是本命令读取的文件“.*sample\.csv”",
    ),
    "results onto its policy": (
        ["results", "{ds}", "--year", "2021", "--policy", "{policy}", "--out", "{policy}"],
        r"就是本命令读取的文件“.*policy\.yaml”",
    ),
    "exante over indicators.csv": (
        ["exante", "{ds}", "--out", "{ds}/indicators.csv"],
        r"是数据集 ds 中的绩效指标表（indicators）",
    ),
    "monitor over evaluations.csv": (
        ["monitor", "{ds}", "--as-of", "2021-06-30", "--out", "{ds}/评价.csv"],
        r"是数据集 ds 中的评价表（evaluations）",
    ),
    "assess into its own workbook": (
        ["assess", "{book}", "--year", "2021", "--out", "{book}"],
        r"就是本命令读取的文件",
    ),
    "targets over projects.csv": (
        ["targets", "{ds}", "--out", "{ds}/projects.csv"],
        r"是数据集 ds 中的项目表（projects）",
    ),
    "sample into the dataset folder": (
        ["sample", "{ds}", "--seed", "1", "--n", "1", "--out", "{ds}"],
        r"输出文件夹“.*ds”就是数据集文件夹",
    ),
    "sample over its population file": (
        ["sample", "{tmp}/sample.csv", "--seed", "1", "--n", "1", "--out", "{tmp}"],
        r"输出文件夹“.*”中的“sample\.csv”是本命令读取的文件",
    ),
    "new-project over a dataset's indicators": (
        [
            "new-project",
            "--framework",
            "training",
            "--project-id",
            "X",
            "--out",
            "{ds}/indicators.csv",
        ],
        r"是数据集 ds 中的绩效指标表（indicators）",
    ),
    "render into the dataset folder": (
        ["render", "{ds}", "--out", "{ds}"],
        r"输出文件夹“.*ds”就是数据集文件夹",
    ),
    "demo into its dataset folder": (
        ["demo", "--dataset", "{ds}", "--out", "{ds}"],
        r"输出文件夹“.*ds”就是数据集文件夹",
    ),
}


@pytest.mark.parametrize(("argv", "message"), OWN_INPUT_CASES.values(), ids=OWN_INPUT_CASES.keys())
def test_no_command_writes_onto_its_input(
    argv: list[str], message: str, mini_copy, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ds = mini_copy()
    mini_book(MINI).save(tmp_path / "mini.xlsx")
    policy = tmp_path / "policy.yaml"
    policy.write_text("{}\n", encoding="utf-8")
    (tmp_path / "sample.csv").write_bytes((ds / "projects.csv").read_bytes())
    before = {p: p.read_bytes() for p in [*ds.iterdir(), tmp_path / "mini.xlsx", policy]}
    names = {"ds": ds, "book": tmp_path / "mini.xlsx", "policy": policy, "tmp": tmp_path}
    assert main([a.format(**names) for a in argv]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert re.search(message, err), err
    assert {p: p.read_bytes() for p in before} == before  # refused before any work
    assert sorted(ds.iterdir()) == sorted(p for p in before if p.parent == ds)


def test_output_beside_the_tables_is_allowed(mini_copy, capsys: pytest.CaptureFixture[str]) -> None:
    ds = mini_copy()
    assert main(["score", str(ds), "--out", str(ds / "得分.csv")]) == 0
    assert (ds / "得分.csv").exists()


def test_output_onto_a_folder_is_named(
    mini_copy, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "得分.csv").mkdir()
    assert main(["score", str(mini_copy()), "--out", str(tmp_path / "得分.csv")]) == 2
    err = capsys.readouterr().err
    assert re.search(r"写入“.*得分\.csv”失败：是一个文件夹。请给出文件的路径", err), err
    assert ".得分.csv." not in err and "Traceback" not in err


def test_demo_workbook_with_percent_cells_scores_the_same(tmp_path: Path) -> None:
    """The issue's case: percent indicators' actuals typed as Excel percent cells (93 %
    stored 0.93) must give the demo's totals unchanged."""
    book = openpyxl.load_workbook(REPO / "sample_data" / "demo.xlsx")
    ind, ev = book["indicators"], book["evaluations"]
    head = {c.value: i for i, c in enumerate(ind[1])}
    percent = {
        (r[head["project_id"]].value, r[head["indicator_id"]].value)
        for r in ind.iter_rows(min_row=2)
        if r[head["unit_of_measure"]].value == "%"
    }
    eh = {c.value: i for i, c in enumerate(ev[1])}
    changed = 0
    for r in ev.iter_rows(min_row=2):
        c = r[eh["actual"]]
        key = (r[eh["project_id"]].value, r[eh["indicator_id"]].value)
        if key in percent and _typed(str(c.value)) != str(c.value):
            c.value, c.number_format = float(_typed(str(c.value))) / 100, "0.0%"
            changed += 1
    assert changed > 100  # the demo has many percent indicators
    book.save(tmp_path / "demo.xlsx")
    before = score(load_dataset(REPO / "sample_data" / "demo.xlsx")).projects
    after = score(load_dataset(tmp_path / "demo.xlsx")).projects
    pd.testing.assert_series_equal(after["total"], before["total"])


SIBLING_CASES = {
    "a date beyond 2100": (
        lambda ds: add_dates(ds, "2021-01-01", "9999-12-31"),
        r'projects\.csv 第 2 行 end_date 列: "9999-12-31" 不是有效的日期.*年份在 1900–2100 之间',
    ),
    "a date before 1900": (
        lambda ds: add_dates(ds, "0001-01-01", "2021-12-31"),
        r'projects\.csv 第 2 行 start_date 列: "0001-01-01" 不是有效的日期',
    ),
    "an empty file": (
        lambda ds: (ds / "units.csv").write_bytes(b""),
        r"units\.csv: 文件是空的（0 字节）",
    ),
    "a title row above the header": (
        lambda ds: prepend(ds / "units.csv", "2021年单位表\n"),
        r"units\.csv: 第 1 行只有“2021年单位表”一格，像是标题行",
    ),
    "semicolons for commas": (
        lambda ds: resave(ds / "units.csv", sep=";"),
        r"units\.csv: 表头“unit_id;name;level;parent_id;region”是用分号（;）分隔的，而不是逗号",
    ),
    "tabs for commas": (
        lambda ds: resave(ds / "units.csv", sep="\t"),
        r"units\.csv: 表头“unit_id\tname.*”是用制表符（Tab）分隔的",
    ),
    "two files pasted together, byte-order marks and all": (
        lambda ds: (ds / "units.csv").write_bytes(
            2 * ("\ufeff" + "".join(lines_of(ds / "units.csv"))).encode()
        ),
        r"共 1 处：\n  1\. units\.csv 第 5 行: 这一行重复了表头",
    ),
    "the header repeated below": (
        lambda ds: append(ds / "units.csv", lines_of(ds / "units.csv")[0]),
        r"共 1 处：\n  1\. units\.csv 第 5 行: 这一行重复了表头（可能是把两个文件拼在了一起）",
    ),
}


def add_dates(ds: Path, start: str, end: str) -> None:
    f = ds / "projects.csv"
    lines = lines_of(f)
    lines[0] = lines[0].rstrip("\n") + ",start_date,end_date\n"
    lines[1:] = [line.rstrip("\n") + f",{start},{end}\n" for line in lines[1:]]
    f.write_text("".join(lines), encoding="utf-8")


def resave(path: Path, sep: str) -> None:
    pd.read_csv(path, dtype=str, keep_default_na=False).to_csv(path, sep=sep, index=False)


def prepend(path: Path, text: str) -> None:
    path.write_text(text + path.read_text(encoding="utf-8-sig"), encoding="utf-8")


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8-sig") + text, encoding="utf-8")


@pytest.mark.parametrize(("build", "message"), SIBLING_CASES.values(), ids=SIBLING_CASES.keys())
def test_sibling_defects(
    build, message: str, mini_copy, capsys: pytest.CaptureFixture[str]
) -> None:
    ds = mini_copy()
    build(ds)
    assert main(["validate", str(ds)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert re.search(message, err), err


def test_headers_with_full_width_or_invisible_characters_are_recognised(mini_copy) -> None:
    ds = mini_copy()
    f = ds / "projects.csv"
    f.write_text(
        f.read_text(encoding="utf-8-sig").replace("budget", "ｂｕｄｇｅｔ\u200b", 1),
        encoding="utf-8",
    )
    assert load_dataset(ds).projects["budget"].tolist() == [1_000_000.0, 400_000.0, 2_000_000.0]


def test_hidden_rows_are_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = mini_book(MINI)
    book["projects"].row_dimensions[3].hidden = True
    book["projects"].row_dimensions[4].hidden = True
    book.save(tmp_path / "mini.xlsx")
    assert main(["validate", str(tmp_path / "mini.xlsx")]) == 2
    err = capsys.readouterr().err
    assert "工作表“projects”: 第 3、4 行（共 2 行）是隐藏行（可能被筛选隐藏）" in err


def test_unreadable_file_is_named(
    mini_copy, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ds = mini_copy()

    def locked(path: Path, *args: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied", str(path))

    monkeypatch.setattr("jxkit.dataset.tables.read_csv_text", locked)
    assert main(["validate", str(ds)]) == 2
    err = capsys.readouterr().err
    assert re.search(r"读取“.*\.csv”失败：没有读取权限", err), err


def test_a_policy_saved_in_gbk_is_named(
    mini_copy, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_bytes(
        (REPO / "templates" / "policy.yaml").read_text(encoding="utf-8").encode("gbk")
    )
    assert main(["score", str(mini_copy()), "--policy", str(policy)]) == 2
    err = capsys.readouterr().err
    assert "有文件不是 UTF-8 编码" in err and "Traceback" not in err


NEAR_MISSES = {
    "saved as a workbook": "projects.xlsx",
    "an extension twice (hidden by Windows)": "projects.csv.csv",
    "a space after the name": "projects.csv ",
}


@pytest.mark.parametrize("name", NEAR_MISSES.values(), ids=NEAR_MISSES.keys())
def test_a_table_file_almost_named_right_is_pointed_at(
    name: str, mini_copy, capsys: pytest.CaptureFixture[str]
) -> None:
    ds = mini_copy()
    (ds / "projects.csv").rename(ds / name)
    assert main(["validate", str(ds)]) == 2
    err = capsys.readouterr().err
    assert (
        f"缺少表 项目（projects）：应有 projects.csv 或 项目.csv（文件夹中有 “{name}”：请把它改名为"
        in err
    )
