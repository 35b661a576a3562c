"""Where a 项目支出绩效自评表 sits on a sheet: its label cells, the budget and indicator blocks.

A form is recognised by its header cells, wherever the table starts (forms pasted at
C5, a blank first column, a title two rows down), never by fixed positions. Works on a
grid of cell values (rows of values, top-left cell first), so it knows no workbook
library; :mod:`jxkit.forms.read` turns what it finds into values.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

__all__ = ["Grid", "Layout", "cell_name", "find_layout", "label_text"]

Grid = Sequence[Sequence[object]]

#: The label cells of the head of the form, and the field each gives.
HEAD_LABELS = {"项目名称": "name", "主管部门": "department", "实施单位": "unit", "项目编码": "code"}
#: Budget-block header words (in the header row) and the field of their column.
BUDGET_COLUMNS = (
    ("年初预算", "initial"),
    ("全年预算", "budget"),
    ("全年执行", "spent"),
    ("分值", "points"),
    ("执行率", "rate"),
    ("得分", "score"),
)
#: Indicator-block header words and the field of their column; the first that fits wins.
INDICATOR_COLUMNS = (
    ("一级指标", "level1"),
    ("二级指标", "level2"),
    ("三级指标", "name"),
    ("年度指标值", "target"),
    ("指标性质", "sign"),
    ("度量单位", "unit"),
    ("计量单位", "unit"),
    ("指标值", "target"),
    ("实际完成值", "actual"),
    ("分值", "points"),
    ("权重", "points"),
    ("得分", "score"),
    ("偏差原因", "note"),
)
_YEAR = re.compile(r"(\d{4})\s*年度")


def label_text(value: object) -> str:
    """A cell as a label: no spaces (``项 目 名 称``), no colon, full-width brackets as typed."""
    if value is None:
        return ""
    return re.sub(r"[\s:：]+", "", str(value))


def cell_name(row: int, col: int) -> str:
    """The Excel name of a 0-based cell: ``cell_name(11, 5)`` is ``F12``.

    >>> cell_name(11, 5), cell_name(0, 26)
    ('F12', 'AA1')
    """
    letters = ""
    n = col + 1
    while n:
        n, r = divmod(n - 1, 26)
        letters = chr(65 + r) + letters
    return f"{letters}{row + 1}"


@dataclass
class Layout:
    """Positions (0-based row, column) of what a form holds on its sheet."""

    #: head labels found: field -> (row, col) of the value cell beside the label
    head: dict[str, tuple[int, int]] = field(default_factory=dict)
    #: head fields written in their label's cell (``项目名称：某项目``)
    inline: set[str] = field(default_factory=set)
    #: (row, col) of the cell that names the year (``（2021年度）``), or None
    year_at: tuple[int, int] | None = None
    year: int | None = None
    #: the budget block: header row, column of each field, the 年度资金总额 row
    budget_header: int | None = None
    budget_columns: dict[str, int] = field(default_factory=dict)
    total_funds_row: int | None = None
    #: "万元" or "元" and the cell that says so, when found
    money_unit: str = ""
    money_unit_at: tuple[int, int] | None = None
    #: the indicator block: header row, column of each field, its rows, the 总分 row
    indicator_header: int = 0
    indicator_columns: dict[str, int] = field(default_factory=dict)
    indicator_rows: range = range(0)
    total_row: int | None = None


def _row_words(row: Sequence[object]) -> list[str]:
    return [label_text(v) for v in row]


def _columns(words: list[str], spec: tuple[tuple[str, str], ...]) -> dict[str, int]:
    found: dict[str, int] = {}
    for col, word in enumerate(words):
        for key, name in spec:
            if key in word and name not in found:
                found[name] = col
                break
    return found


def find_layout(grid: Grid) -> Layout | None:
    """The layout of the form on ``grid``, or None when the sheet holds no 自评表.

    The indicator header (一级指标, 三级指标 and 分值 in one row) is what makes a sheet a
    form; everything else is looked for around it and reported missing by the reader.
    """
    words = [_row_words(r) for r in grid]
    header = next(
        (
            i
            for i, w in enumerate(words)
            if any("一级指标" in x for x in w)
            and any("三级指标" in x for x in w)
            and any(("分值" in x or "权重" in x) for x in w)
        ),
        None,
    )
    if header is None:
        return None
    out = Layout(indicator_header=header)
    out.indicator_columns = _columns(words[header], INDICATOR_COLUMNS)
    below = words[header + 1] if header + 1 < len(words) else []
    if any(x in {"指标性质", "指标值", "度量单位", "计量单位"} for x in below):
        # 年度指标值 merged over a second header row of 指标性质 · 指标值 · 度量单位
        out.indicator_columns |= _columns(below, INDICATOR_COLUMNS[4:8])
        header += 1
    end = len(words)
    first_col = min(out.indicator_columns.values())
    label_cols = range(0, out.indicator_columns.get("name", first_col) + 1)
    for i in range(header + 1, len(words)):
        if any(words[i][c] in {"总分", "合计", "总计"} for c in label_cols if c < len(words[i])):
            out.total_row, end = i, i
            break
    out.indicator_rows = range(header + 1, end)
    header = out.indicator_header
    for i, w in enumerate(words[:header]):
        for j, x in enumerate(w):
            label = next((k for k in HEAD_LABELS if x.startswith(k)), "")
            name = HEAD_LABELS.get(label)
            inline = x != label and re.search("[:：]", str(grid[i][j]))
            if name and name not in out.head and inline:  # 项目名称：某项目, in one cell
                out.head[name] = (i, j)
                out.inline.add(name)
            elif name and name not in out.head:
                # the next filled cell, unless it is the next label (主管部门 left blank)
                value_col = next((k for k in range(j + 1, len(w)) if w[k]), j + 1)
                if value_col < len(w) and w[value_col] in HEAD_LABELS:
                    value_col = j + 1
                out.head[name] = (i, value_col)
            if out.year is None and "年度" in x and "预算" not in x:
                m = _YEAR.search(str(grid[i][j]))
                if m and 1990 <= int(m.group(1)) <= 2100:
                    out.year, out.year_at = int(m.group(1)), (i, j)
        if out.budget_header is None and any("全年预算" in x for x in w):
            out.budget_header = i
            out.budget_columns = _columns(w, BUDGET_COLUMNS)
    if out.budget_header is not None:
        _find_budget(words, out)
    return out


def _find_budget(words: list[list[str]], out: Layout) -> None:
    """The 年度资金总额 row and the money unit (said in the block's label or its headers)."""
    assert out.budget_header is not None
    for i in range(max(0, out.budget_header - 1), min(len(words), out.budget_header + 6)):
        for j, x in enumerate(words[i]):
            if "年度资金总额" in x and out.total_funds_row is None:
                out.total_funds_row = i
            if not out.money_unit and ("资金" in x or "预算" in x or "执行数" in x):
                m = re.search(r"[（(](万元|元)[）)]", x)
                if m:
                    out.money_unit, out.money_unit_at = m.group(1), (i, j)
