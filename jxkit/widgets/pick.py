"""The 选择项目 panel: filter the dataset's projects and open one for scoring."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as w
import pandas as pd

from ..catalogue import LEVELS, category_name
from .session import Session
from .style import esc, grade_badge, num

__all__ = ["PickPanel"]

ALL = "__all__"
#: At most this many rows in the table; filters narrow a large dataset down.
SHOW_ROWS = 200


def _dropdown(label: str, options: list[tuple[str, Any]], css: str) -> w.Dropdown:
    d = w.Dropdown(
        options=[("全部", ALL), *options],
        value=ALL,
        description=label,
        style={"description_width": "initial"},
    )
    d.add_class(css)
    return d


class PickPanel(w.VBox):
    """Filters, a compact table of the matching projects with their scores, and a picker.

    Args:
        session: The open dataset.
        on_open: Called with a project id when the assessor opens it.
    """

    def __init__(self, session: Session, on_open: Callable[[str], None]) -> None:
        super().__init__()
        self.add_class("jx-panel")
        self.session = session
        self.on_open = on_open
        self.search = w.Text(
            description="搜索",
            placeholder="项目名称或编码",
            style={"description_width": "initial"},
        )
        self.search.add_class("jx-search")
        self.year = _dropdown("年度", [], "jx-filter-year")
        self.unit = _dropdown("单位", [], "jx-filter-unit")
        self.level = _dropdown("层级", [(v, k) for k, v in LEVELS.items()], "jx-filter-level")
        self.category = _dropdown("类别", [], "jx-filter-category")
        self.grade = _dropdown(
            "自评等级",
            [(g, g) for g, _ in session.policy.grades] + [("未评分", "")],
            "jx-filter-grade",
        )
        self.red = _dropdown("红灯", [("红灯", True), ("非红灯", False)], "jx-filter-red")
        self.sample = w.Checkbox(description="仅再评价样本", indent=False)
        self.sample.add_class("jx-filter-sample")
        filters = w.GridBox(
            [
                self.search,
                self.year,
                self.unit,
                self.level,
                self.category,
                self.grade,
                self.red,
                self.sample,
            ],
            layout=w.Layout(grid_template_columns="repeat(auto-fill, minmax(240px, 1fr))"),
        )
        filters.add_class("jx-filters")
        self.project = w.Dropdown(
            description="项目", style={"description_width": "initial"}, layout={"width": "auto"}
        )
        self.project.add_class("jx-project")
        self.open_button = w.Button(description="开始评分 →", button_style="primary")
        self.open_button.add_class("jx-open")
        self.count = w.HTML()
        self.table = w.HTML()
        self.table.add_class("jx-project-table")
        pick = w.HBox([self.project, self.open_button], layout={"align_items": "center"})
        self.children = [filters, pick, self.count, self.table]
        for f in (
            self.year,
            self.unit,
            self.level,
            self.category,
            self.grade,
            self.red,
            self.sample,
        ):
            f.observe(lambda _: self.refresh(), "value")
        self.search.observe(lambda _: self.refresh(), "value")
        self.project.observe(lambda _: self._draw_table(), "value")
        self.open_button.on_click(lambda _: self.project.value and self.on_open(self.project.value))
        self.refresh(options=True)

    def refresh(self, options: bool = False) -> None:
        """Recompute the matches (after a filter change, a save or a new sample)."""
        self.frame = self.session.overview()
        if options:
            f = self.frame
            self.year.options = [("全部", ALL)] + [(str(y), y) for y in sorted(set(f["year"]))]
            units = f.drop_duplicates("unit_id").sort_values("unit_id")
            self.unit.options = [("全部", ALL)] + [
                (str(n), str(u)) for u, n in zip(units["unit_id"], units["unit_name"], strict=True)
            ]
            self.category.options = [("全部", ALL)] + [
                (category_name(c), c) for c in sorted(set(f["category"]))
            ]
        self.sample.disabled = self.session.sample_ids is None
        m = self.matches()
        current = self.project.value
        self.project.options = [
            (f"{'● ' if r.pending else ''}{r.project_id}  {r.name}", r.project_id)
            for r in m.itertuples(index=False)
        ]
        ids = list(m["project_id"])
        self.project.value = current if current in ids else (ids[0] if ids else None)
        self._draw_table()

    def matches(self) -> pd.DataFrame:
        """Projects passing every filter, in dataset order."""
        f = self.frame
        keep = pd.Series(True, index=f.index)
        for widget, col in (
            (self.year, "year"),
            (self.unit, "unit_id"),
            (self.level, "level"),
            (self.category, "category"),
            (self.red, "red_light"),
        ):
            if widget.value != ALL:
                keep &= f[col] == widget.value
        if self.grade.value != ALL:
            keep &= f["self_grade"].fillna("") == self.grade.value
        if self.sample.value and self.session.sample_ids is not None:
            keep &= f["in_sample"]
        text = self.search.value.strip().lower()
        if text:
            keep &= f["name"].str.lower().str.contains(text, regex=False) | f[
                "project_id"
            ].str.lower().str.contains(text, regex=False)
        return f[keep]

    def _draw_table(self) -> None:
        m = self.matches()
        n = len(m)
        shown = m.head(SHOW_ROWS)
        more = f"，仅列出前 {SHOW_ROWS} 个，请用筛选缩小范围" if n > SHOW_ROWS else ""
        self.count.value = (
            f'<span class="jx-small">符合条件的项目 {n} 个{more}。● 表示有未保存的修改。</span>'
        )
        head = (
            "<tr><th>项目编码</th><th>项目名称</th><th>单位</th><th>年度</th><th>类别</th>"
            '<th class="n">自评得分</th><th>等级</th><th>红灯</th><th class="n">复核得分</th>'
            "<th>样本</th></tr>"
        )
        rows = []
        for r in shown.itertuples(index=False):
            selected = ' class="jx-selected"' if r.project_id == self.project.value else ""
            rows.append(
                f"<tr{selected}><td>{'● ' if r.pending else ''}{esc(r.project_id)}</td>"
                f"<td>{esc(r.name)}</td><td>{esc(r.unit_name)}</td><td>{esc(r.year)}</td>"
                f"<td>{esc(category_name(str(r.category)))}</td>"
                f'<td class="n">{num(_float(r.self_total), strip=False)}</td>'
                f"<td>{grade_badge(_text(r.self_grade))}</td>"
                f"<td>{'<span class=jx-red>红灯</span>' if r.red_light else ''}</td>"
                f'<td class="n">{num(_float(r.review_total), strip=False)}</td>'
                f"<td>{'是' if r.in_sample else ''}</td></tr>"
            )
        self.table.value = (
            f'<div class="jx-scroll"><table class="jx-table">{head}{"".join(rows)}</table></div>'
        )


def _float(x: Any) -> float | None:
    return None if x is None or pd.isna(x) else float(x)


def _text(x: Any) -> str | None:
    return None if x is None or pd.isna(x) else str(x)
