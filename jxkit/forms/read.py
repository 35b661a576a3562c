"""Filled 项目支出绩效自评表 workbooks read into a jxkit dataset (``jxkit import``).

Every sheet that holds a form is one project. Each value read remembers its cell; a cell
that cannot be read is a :class:`~jxkit.errors.Problem` naming file, sheet and cell, the
text found and what was expected, and its form is left out while the others import.
Nothing is guessed: a target the notation cannot read, an actual in another unit, a
qualitative result not in the policy's levels are all problems.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from ..catalogue import NA_WORDS
from ..errors import DataError, Problem
from ..text import stripped
from .layout import Grid, Layout, cell_name, find_layout, label_text
from .notation import Quantity, format_number, in_unit, parse_cell_number, parse_value

__all__ = [
    "EXEC_RATE_ID",
    "Form",
    "FormRow",
    "ImportResult",
    "form_files",
    "read_forms",
    "read_workbook",
]

#: The indicator id of the budget block's 预算执行率 (as in the shipped frameworks).
EXEC_RATE_ID = "exec_rate"
#: Rows and columns of a sheet looked at: a form is far smaller; a huge sheet is not read whole.
MAX_ROWS, MAX_COLS = 400, 40
#: Second-level names that say which first-level indicator a bare ``（50分）`` cell is.
_LEVEL1_BY_LEVEL2 = (
    ("数量", "产出指标"),
    ("质量", "产出指标"),
    ("时效", "产出指标"),
    ("成本", "成本指标"),
    ("满意", "满意度指标"),
    ("效益", "效益指标"),
    ("影响", "效益指标"),
)
_PLACEHOLDER = re.compile(r"^(指标\d*|[.。…·、\-—]+|…+)$")
_POINTS_IN_LABEL = re.compile(r"[（(]\s*[\d.]+\s*分\s*[）)]")


@dataclass
class FormRow:
    """One indicator row of a form as read (0-based ``row``) and where each value was."""

    indicator_id: str
    level1: str
    level2: str
    name: str
    rule: str
    target: str
    unit_of_measure: str
    params: str
    actual: str
    note: str
    points: float
    score: float | None
    target_text: str
    actual_text: str
    rate_text: str = ""
    cells: dict[str, str] = field(default_factory=dict)


@dataclass
class Form:
    """One form: the project's head, its money in yuan and its rows (budget row first)."""

    file: str
    sheet: str
    project_id: str
    year: int
    name: str
    department: str
    unit: str
    budget: float
    spent: float | None
    rows: list[FormRow]
    total_points: float | None
    total_score: float | None
    cells: dict[str, str]


@dataclass
class ImportResult:
    """What an import read: the forms, the sheets with no form, the problems found."""

    forms: list[Form]
    skipped: list[tuple[str, str]]
    problems: list[Problem]
    failed: list[tuple[str, str]]


def form_files(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """The workbooks named: files as given, folders searched (sorted, no Office lock files)."""
    found: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found += sorted(
                f
                for f in p.rglob("*")
                if f.suffix.lower() in {".xlsx", ".xlsm"} and not f.name.startswith("~$")
            )
        else:
            found.append(p)
    return found


class _Sheet:
    """Problems of one sheet, each naming its cell."""

    def __init__(self, file: str, sheet: str, grid: Grid) -> None:
        self.file, self.sheet, self.grid = file, sheet, grid
        self.problems: list[Problem] = []

    def value(self, at: tuple[int, int] | None) -> object:
        if at is None:
            return None
        r, c = at
        row = self.grid[r] if r < len(self.grid) else ()
        return row[c] if c < len(row) else None

    def text(self, at: tuple[int, int] | None) -> str:
        return stripped(self.value(at))

    def bad(self, at: tuple[int, int] | None, what: str, message: str) -> None:
        cell = f" {cell_name(*at)} 单元格" if at else ""
        found = self.text(at)
        shown = f"“{found}”" if found else "为空"
        self.problems.append(
            Problem(f"{self.file} 工作表“{self.sheet}”{cell}", f"{what}{shown}：{message}")
        )

    def number(self, at: tuple[int, int] | None, what: str, *, required: bool) -> float | None:
        value = parse_cell_number(self.value(at))
        if isinstance(value, str):
            self.bad(at, what, "应为数字，如 20 或 9.5")
            return None
        if value is None and required:
            self.bad(at, what, "应填数字")
        return value


def stable_id(prefix: str, *parts: object, digits: int = 8) -> str:
    """An id derived from names, the same in every run: ``prefix`` + hex digits of SHA-1.

    >>> stable_id("DW", "浙江省总工会")
    'DW7A22E63E'
    """
    digest = hashlib.sha1("|".join(map(str, parts)).encode("utf-8")).hexdigest()
    return f"{prefix}{digest[:digits].upper()}"


def read_sheet(
    file: str, sheet: str, grid: Grid, levels: Mapping[str, float]
) -> Form | list[Problem] | None:
    """The form on one sheet; its problems when it cannot be read; None when it holds no form."""
    layout = find_layout(grid)
    if layout is None:
        return None
    s = _Sheet(file, sheet, grid)
    head = {k: s.text(layout.head.get(k)) for k in ("name", "department", "unit", "code")}
    for k in layout.inline:  # 项目名称：某项目
        head[k] = re.sub(r"^[^:：]*[:：]\s*", "", head[k])
    for key, label in (("name", "项目名称"), ("unit", "实施单位")):
        if not head[key] and not (key == "unit" and head["department"]):
            where = layout.head.get(key)
            s.bad(where, label, "应填写" + label if where else f"找不到“{label}”标签单元格")
    if layout.year is None:
        s.bad(None, "年度", "找不到写明年度的单元格（如“（2021年度）”）")
    unit = head["unit"] or head["department"]
    department = head["department"] or unit
    cells = {
        label: cell_name(*layout.head[k])
        for k, label in (("name", "项目名称"), ("unit", "实施单位"), ("department", "主管部门"))
        if k in layout.head
    }
    if layout.year_at is not None:
        cells["年度"] = cell_name(*layout.year_at)
    rows: list[FormRow] = []
    budget, spent = _budget(s, layout, rows, cells)
    rows += _indicator_rows(s, layout, levels)
    total_points = total_score = None
    if layout.total_row is not None:
        cols = layout.indicator_columns
        at_p = (layout.total_row, cols["points"]) if "points" in cols else None
        at_s = (layout.total_row, cols["score"]) if "score" in cols else None
        total_points = s.number(at_p, "总分行分值", required=False)
        total_score = s.number(at_s, "总分行得分", required=False)
        cells |= {k: cell_name(*v) for k, v in (("总分分值", at_p), ("总分", at_s)) if v}
    if s.problems or layout.year is None:
        return s.problems
    project_id = head["code"] or stable_id("ZP", layout.year, unit, head["name"], digits=10)
    return Form(
        file,
        sheet,
        project_id,
        layout.year,
        head["name"],
        department,
        unit,
        budget or 0.0,
        spent,
        rows,
        total_points,
        total_score,
        cells,
    )


def _budget(
    s: _Sheet, layout: Layout, rows: list[FormRow], cells: dict[str, str]
) -> tuple[float | None, float | None]:
    """Budget and spend (yuan) from the 年度资金总额 row; its 分值 makes the 预算执行率 row."""
    if layout.budget_header is None or layout.total_funds_row is None:
        s.bad(None, "项目资金", "找不到预算资金区（表头“全年预算数”和“年度资金总额”行）")
        return None, None
    if not layout.money_unit:
        s.bad(
            (layout.budget_header, 0),
            "项目资金表头",
            "应写明金额单位（“项目资金（万元）”或“（元）”）",
        )
        return None, None
    scale = 10_000.0 if layout.money_unit == "万元" else 1.0
    r, cols = layout.total_funds_row, layout.budget_columns
    if "budget" not in cols:
        s.bad((layout.budget_header, 0), "预算资金区表头", "应有“全年预算数”列")
        return None, None
    at = {k: (r, c) for k, c in cols.items()}
    budget = s.number(at["budget"], "全年预算数", required=True)
    spent = s.number(at.get("spent"), "全年执行数", required=False) if "spent" in at else None
    cells |= {"全年预算数": cell_name(*at["budget"])}
    if "spent" in at:
        cells["全年执行数"] = cell_name(*at["spent"])
    points = (
        s.number(at.get("points"), "年度资金总额分值", required=False) if "points" in at else None
    )
    if points:
        score = (
            s.number(at.get("score"), "预算执行率得分", required=False) if "score" in at else None
        )
        rate = s.text(at.get("rate"))
        row_cells = {
            k: cell_name(*at[f])
            for k, f in (("分值", "points"), ("得分", "score"), ("执行率", "rate"))
            if f in at
        }
        rows.append(
            FormRow(
                indicator_id=EXEC_RATE_ID,
                level1="预算执行",
                level2="预算执行率",
                name="预算执行率",
                rule="execution_rate",
                target="100",
                unit_of_measure="%",
                params="",
                actual="",
                note="",
                points=points,
                score=score,
                target_text="",
                actual_text="",
                rate_text=rate,
                cells=row_cells,
            )
        )
    money = [None if v is None else round(v * scale, 2) for v in (budget, spent)]
    return money[0], money[1]


def _indicator_rows(s: _Sheet, layout: Layout, levels: Mapping[str, float]) -> list[FormRow]:
    cols = layout.indicator_columns
    for needed, label in (("name", "三级指标"), ("points", "分值")):
        if needed not in cols:
            s.bad((layout.indicator_header, 0), "绩效指标表头", f"应有“{label}”列")
            return []
    if "target" not in cols:
        s.bad(
            (layout.indicator_header, 0),
            "绩效指标表头",
            "应有“年度指标值”列（或“指标性质/指标值/度量单位”三列）",
        )
        return []
    out: list[FormRow] = []
    level1 = level2 = ""
    for r in layout.indicator_rows:
        at = {k: (r, c) for k, c in cols.items()}
        text = {k: s.text(v) for k, v in at.items()}
        if text.get("level1"):
            level1, level2 = text["level1"], ""  # a new 一级 starts its own 二级 cells
            level1_at = at["level1"]
        if text.get("level2"):
            level2 = text["level2"]
        name = text["name"]
        points = s.number(at["points"], "分值", required=False)
        if not name or _PLACEHOLDER.match(label_text(name).rstrip("：:")):
            if points:
                s.bad(
                    at["name"],
                    "三级指标",
                    f"占位行（{name or '空'}）却有分值 {format_number(points)}：应填写指标名称，或删去分值",
                )
            continue
        if points is None:  # a number that is not one is reported by s.number already
            if s.text(at["points"]) == "":
                s.bad(at["points"], f"指标“{name}”的分值", "应填数字")
            continue
        row = _row(
            s,
            at,
            text,
            _level1(s, level1, level2, level1_at if level1 else None),
            level2,
            name,
            points,
            levels,
            len(out) + 1,
        )
        if row is not None:
            out.append(row)
    return out


def _level1(s: _Sheet, text: str, level2: str, at: tuple[int, int] | None) -> str:
    """``产出指标（50分）`` is 产出指标; a bare ``（50分）`` takes its name from the 二级 below it."""
    name = _POINTS_IN_LABEL.sub("", text).strip()
    if name:
        return name
    found = next((l1 for key, l1 in _LEVEL1_BY_LEVEL2 if key in level2), "")
    if not found:
        s.bad(
            at,
            "一级指标",
            "只写了分值，且无法从二级指标看出是哪类一级指标：应写明如“产出指标（50分）”",
        )
    return found


def _target_text(text: dict[str, str]) -> str:
    """年度指标值 in one cell, or joined from 指标性质 · 指标值 · 度量单位."""
    sign, value, unit = text.get("sign", ""), text.get("target", ""), text.get("unit", "")
    if sign.startswith("定性"):
        return value
    if value and unit and not value.endswith(unit):
        value += unit
    return sign + value


def _row(
    s: _Sheet,
    at: dict[str, tuple[int, int]],
    text: dict[str, str],
    level1: str,
    level2: str,
    name: str,
    points: float,
    levels: Mapping[str, float],
    n: int,
) -> FormRow | None:
    before = len(s.problems)
    target_text = _target_text(text)
    target = parse_value(target_text)
    if not target_text:
        s.bad(at["target"], f"指标“{name}”的年度指标值", "应填写，如“≥50个”或“达成预期指标”")
        return None
    if isinstance(target, str):
        s.bad(
            at["target"],
            f"指标“{name}”的年度指标值",
            f"{target}；应为如“≥50个”“≤90万元”“100%”或定性表述“达成预期指标”",
        )
        return None
    actual_text = text.get("actual", "")
    actual = parse_value(actual_text)
    # 不适用: removed from the total as the framework says; no value to read or score
    not_applicable = actual_text.lower() in NA_WORDS
    score = None
    if "score" in at and not (not_applicable and text.get("score", "").lower() in NA_WORDS):
        score = s.number(at["score"], f"指标“{name}”的得分", required=False)
    cells = {
        label: cell_name(*at[k])
        for k, label in (
            ("name", "三级指标"),
            ("sign", "指标性质"),
            ("target", "年度指标值"),
            ("unit", "度量单位"),
            ("actual", "实际完成值"),
            ("points", "分值"),
            ("score", "得分"),
            ("note", "偏差原因"),
        )
        if k in at
    }
    rule = "execution_rate" if "预算执行率" in name else _rule_of(target)
    params, value = "", actual_text
    if rule == "grade":
        known = {**levels, target.text: 1.0}  # the target's own words meet it
        if actual_text and not not_applicable and actual_text not in known:
            s.bad(
                at.get("actual"),
                f"定性指标“{name}”的实际完成值",
                f"不是可识别的定性结果：应为年度指标值原文“{target.text}”或 {'、'.join(levels)} 之一"
                "（字样与得分比例见政策参数文件 forms.grade_levels）",
            )
        params = json.dumps({"levels": known}, ensure_ascii=False)
    elif not rule:
        s.bad(at["target"], f"指标“{name}”的年度指标值", "正向指标的指标值须为正数，才能计算完成率")
    elif rule != "execution_rate" and not not_applicable:
        value = _actual_number(s, at.get("actual"), name, actual, target)
    if len(s.problems) > before:
        return None
    return FormRow(
        indicator_id=f"I{n:02d}",
        level1=level1,
        level2=level2,
        name=name,
        rule=rule,
        target="" if target.qualitative else format_number(target.number or 0.0),
        unit_of_measure="" if target.qualitative else target.unit,
        params=params,
        actual=value,
        note=text.get("note", ""),
        points=points,
        score=score,
        target_text=target_text,
        actual_text=actual_text,
        cells=cells,
    )


def _rule_of(target: Quantity) -> str:
    """The rule a target's notation means: ≥ = > numbers ratio, ≤ < inverse, =0 ≤0 equal_zero.

    "" for a positive-direction target of 0 or less, which no completion ratio can score.
    """
    if target.qualitative:
        return "grade"
    assert target.number is not None
    if target.number == 0 and target.sign in {"=", "≤", ""}:
        return "equal_zero"
    if target.sign in {"≤", "<"}:
        return "inverse"
    return "ratio" if target.number > 0 else ""


def _actual_number(
    s: _Sheet, at: tuple[int, int] | None, name: str, actual: Quantity | str, target: Quantity
) -> str:
    """The actual of a numeric indicator as a number in the target's unit ("" when blank)."""
    what = f"指标“{name}”的实际完成值"
    if isinstance(actual, str):
        s.bad(at, what, f"{actual}；应为数字，如“735”“98%”“89.97万元”")
        return ""
    if actual.text == "" and actual.number is None:
        return ""
    if actual.number is None:
        s.bad(at, what, f"应为数字（年度指标值是“{target.text}”），如“735”或“98%”")
        return ""
    value = in_unit(actual, target.unit)
    if isinstance(value, str):
        s.bad(at, what, value)
        return ""
    return format_number(value)


def _grid(ws: Any) -> list[list[object]]:
    """A sheet's values; a number shown as a percentage becomes the text the sheet shows."""
    ws.reset_dimensions()  # the size a file declares may be wrong; read the rows it has
    grid: list[list[object]] = []
    for row in islice(ws.iter_rows(), MAX_ROWS):
        values: list[object] = []
        for c in row[:MAX_COLS]:
            v = getattr(c, "value", None)
            if (
                isinstance(v, int | float)
                and not isinstance(v, bool)
                and "%" in (c.number_format or "")
            ):
                decimals = (
                    len(c.number_format.split("%")[0].split(".")[1])
                    if "." in c.number_format
                    else 0
                )
                v = f"{v * 100:.{decimals}f}%"
            values.append(v)
        grid.append(values)
    return grid


def read_workbook(path: str | os.PathLike[str], levels: Mapping[str, float]) -> ImportResult:
    """Every form in one workbook."""
    import openpyxl

    p = Path(path)
    try:
        book = openpyxl.load_workbook(p, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken or foreign file
        reason = (
            "不支持 .xls（旧版 Excel）格式：请在 Excel 中另存为 .xlsx"
            if p.suffix.lower() == ".xls"
            else f"不是可读的 Excel 工作簿（.xlsx）：{exc}"
        )
        return ImportResult([], [], [Problem(p.name, reason)], [(p.name, "")])
    result = ImportResult([], [], [], [])
    try:
        for ws in book.worksheets:
            form = read_sheet(p.name, ws.title, _grid(ws), levels)
            if form is None:
                result.skipped.append((p.name, ws.title))
            elif isinstance(form, list):
                result.problems += form
                result.failed.append((p.name, ws.title))
            else:
                result.forms.append(form)
    finally:
        book.close()
    return result


def _read_one(args: tuple[str, dict[str, float]]) -> ImportResult:
    return read_workbook(args[0], args[1])


def read_forms(
    paths: Sequence[str | os.PathLike[str]], levels: Mapping[str, float], *, jobs: int = 1
) -> ImportResult:
    """Every form in the workbooks named (files or folders), in file and sheet order.

    Two forms of the same project (same 项目编码, or same year, unit and name) are a
    problem of the second; ``jobs`` > 1 reads workbooks in that many processes.
    """
    files = form_files(paths)
    missing = [f for f in files if not f.exists()]
    if missing:
        raise DataError([Problem(str(f), "文件或文件夹不存在") for f in missing])
    if not files:
        raise DataError("没有找到自评表工作簿（.xlsx）：请给出文件或包含 .xlsx 的文件夹")
    work = [(str(f), dict(levels)) for f in files]
    if jobs > 1 and len(files) > 1:
        with ProcessPoolExecutor(jobs) as pool:
            parts = list(pool.map(_read_one, work, chunksize=max(1, len(work) // (jobs * 8))))
    else:
        parts = [_read_one(w) for w in work]
    out = ImportResult([], [], [], [])
    seen: dict[str, Form] = {}
    for part in parts:
        out.skipped += part.skipped
        out.problems += part.problems
        out.failed += part.failed
        for form in part.forms:
            first = seen.get(form.project_id)
            if first is not None:
                out.problems.append(
                    Problem(
                        f"{form.file} 工作表“{form.sheet}”",
                        f"与 {first.file} 工作表“{first.sheet}”是同一项目（{form.year} 年 {form.unit} {form.name}，项目编码 {form.project_id}）：只导入前者",
                    )
                )
                out.failed.append((form.file, form.sheet))
                continue
            seen[form.project_id] = form
            out.forms.append(form)
    return out
