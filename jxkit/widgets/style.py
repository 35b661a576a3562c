"""How the workbench looks: one style sheet scoped to it, and small HTML helpers.

The style sheet is shipped in an HTML widget inside the workbench, so the notebook needs
no setup and nothing outside ``.jx-workbench`` changes. Every value from the user's data
goes through :func:`esc`.
"""

from __future__ import annotations

import math
import re

import ipywidgets as w

from ..report.blocks import esc

__all__ = [
    "CSS",
    "close_tree",
    "close_tree_children",
    "css_id",
    "esc",
    "grade_badge",
    "html_widget",
    "note",
    "num",
]

GRADE_CLASSES = {"优": "a", "良": "b", "中": "c", "差": "d"}

CSS = """
<style>
.jx-workbench { max-width: 1320px; font-size: 13px; color: var(--jp-content-font-color1, #1f2937); }
.jx-workbench .widget-html-content { line-height: 1.45; }
.jx-workbench .widget-html, .jx-workbench .widget-label { margin: 0; }
.jx-head { align-items: baseline; gap: 12px; }
.jx-title { font-size: 17px; font-weight: 600; }
.jx-sub { color: #6b7280; font-size: 12px; }
.jx-bar { align-items: center; gap: 10px; flex-wrap: wrap; padding: 8px 10px; margin: 6px 0;
  background: var(--jp-layout-color2, #f3f4f6); border-radius: 6px; }
.jx-bar .widget-text input { min-width: 0; }
.jx-current { flex: 1 1 200px; min-width: 180px; }
.jx-current b { font-size: 14px; }
.jx-total { font-size: 13px; }
.jx-total .jx-total-value { font-size: 20px; font-weight: 700; margin: 0 4px; }
.jx-note { padding: 6px 10px; margin: 4px 0; border-radius: 4px; border-left: 4px solid; }
.jx-note-info { background: #eff6ff; border-color: #3b82f6; }
.jx-note-ok { background: #ecfdf5; border-color: #10b981; }
.jx-note-warn { background: #fffbeb; border-color: #f59e0b; }
.jx-note-error { background: #fef2f2; border-color: #dc2626; }
.jx-note ul { margin: 2px 0 0 0; padding-left: 20px; }
.jx-grade { display: inline-block; min-width: 22px; padding: 0 6px; border-radius: 10px;
  text-align: center; font-weight: 600; color: #fff; }
.jx-grade-a { background: #059669; } .jx-grade-b { background: #2563eb; }
.jx-grade-c { background: #d97706; } .jx-grade-d { background: #dc2626; }
.jx-workbench a { color: var(--jp-content-link-color, #1d4ed8); text-decoration: underline; }
.jx-red { color: #dc2626; font-weight: 600; }
.jx-muted { color: #6b7280; }
.jx-small { font-size: 12px; color: #6b7280; }
.jx-filters { grid-gap: 4px 16px; margin-bottom: 6px; }
.jx-filters .widget-dropdown, .jx-filters .widget-text { width: 100%; }
.jx-scroll { max-height: 330px; overflow: auto; border: 1px solid #e5e7eb; border-radius: 4px; }
table.jx-table { border-collapse: collapse; width: 100%; font-size: 12.5px; }
table.jx-table th { position: sticky; top: 0; background: var(--jp-layout-color2, #f3f4f6);
  font-weight: 600; text-align: left; white-space: nowrap; }
table.jx-table th, table.jx-table td { padding: 4px 8px; border-bottom: 1px solid #e5e7eb;
  vertical-align: top; }
table.jx-table td.n, table.jx-table th.n { text-align: right; white-space: nowrap; }
table.jx-table tr.jx-selected td { background: #eef2ff; }
table.jx-table tr.jx-inflated td { background: #fef2f2; }
table.jx-table tr.jx-deflated td { background: #eff6ff; }
table.jx-table tr.jx-sum td { font-weight: 600; border-top: 2px solid #d1d5db; }
table.jx-workpaper { table-layout: fixed; }
.jx-workbench a.jx-report-open { color: #1d4ed8; text-decoration: underline; font-weight: 600; }
/* after a kernel restart JupyterLab marks every view disconnected: instead of a page of broken
   widgets, one line on what to do (the name, round and unsaved edits come back) */
.jx-workbench.jupyter-widgets-disconnected > * { display: none !important; }
.jx-workbench.jupyter-widgets-disconnected::before { display: none !important; }
.jx-workbench.jupyter-widgets-disconnected::after { display: block; padding: 10px 14px;
  border-left: 4px solid #f59e0b; background: #fffbeb; font-size: 14px;
  content: "工作台已与内核断开（内核已重启或已关闭）：请点菜单“运行 → 运行所有单元格”重新打开。评价人、录入轮次、打开的项目和未保存的修改都会自动恢复。"; }
table.jx-workpaper th, table.jx-workpaper td { padding: 4px 5px; overflow-wrap: anywhere; }
.jx-facts { flex: 1 1 auto; margin: 0 0 6px 0; }
.jx-grid { grid-template-columns: minmax(190px, 2.1fr) minmax(76px, 0.75fr) minmax(76px, 0.75fr)
  minmax(170px, 1.35fr) minmax(140px, 1.5fr) minmax(140px, 1.35fr);
  grid-gap: 0 10px; padding: 6px 4px; border-bottom: 1px solid #e5e7eb; align-items: start; }
.jx-rows { max-height: max(280px, calc(100vh - 420px)); overflow-y: auto; overflow-x: hidden;
  border-bottom: 1px solid #d1d5db; }
.jx-rows > .jx-row { flex: 0 0 auto; }
.jx-foot { padding: 6px 8px; background: var(--jp-layout-color2, #f3f4f6); }
.jx-foot .jx-total-value { font-size: 18px; font-weight: 700; margin: 0 4px; }
.jx-grid-head { font-weight: 600; color: #4b5563; border-bottom: 2px solid #d1d5db;
  background: var(--jp-layout-color2, #f3f4f6); }
.jx-row.jx-edited { background: #fffbeb; }
.jx-name { font-weight: 600; }
.jx-rule { font-size: 12px; color: #4b5563; }
.jx-cell .widget-text, .jx-cell .widget-dropdown { width: 100%; margin: 1px 0; }
.jx-cell .widget-hbox .widget-text, .jx-cell .widget-hbox .widget-dropdown {
  flex: 1 1 auto; width: auto; min-width: 70px; }
.jx-cell .widget-checkbox { margin: 0 0 0 6px; }
.jx-msg-invalid { color: #b91c1c; font-size: 12px; }
.jx-msg-missing { color: #9ca3af; font-size: 12px; }
.jx-msg-ok { color: #6b7280; font-size: 12px; }
.jx-msg-flag { color: #b45309; font-size: 12px; }
.jx-msg-confirm { color: #9a3412; font-size: 12px; font-weight: 600; }
.jx-msg-theirs { color: #1d4ed8; font-size: 12px; }
.jx-row.jx-theirs { box-shadow: inset 3px 0 0 #3b82f6; }
.jx-conflicts { margin: 4px 0; }
.jx-conflict-head { font-weight: 600; color: #b91c1c; }
.jx-conflict { gap: 8px; padding: 4px 8px; background: #fef2f2; border-radius: 4px; margin: 2px 0; }
.jx-score-value { font-size: 15px; font-weight: 600; }
.jx-lost { color: #b91c1c; font-size: 12px; }
.jx-panel { padding: 6px 2px; }
.jx-form .widget-hbox { gap: 16px; flex-wrap: wrap; margin: 2px 0; }
.jx-form .widget-text, .jx-form .widget-dropdown, .jx-form .widget-inttext { width: 260px; }
.jx-form .jx-seed, .jx-form .jx-where, .jx-form .jx-sample-out { width: 400px; }
</style>
"""


def css_id(text: str) -> str:
    """A CSS class fragment for an id, so tests and styles can find one indicator's row.

    >>> css_id("I02"), css_id("产出/1")
    ('I02', '_4ea7_51fa_2f1')
    """
    return re.sub(r"[^A-Za-z0-9_-]", lambda m: f"_{ord(m.group()):x}", text)


def num(x: float | None, digits: int = 2, strip: bool = True) -> str:
    """A score as text: "—" when there is none, trailing zeros dropped unless ``strip`` is False.

    >>> num(8.5), num(None), num(86.5, strip=False)
    ('8.5', '—', '86.50')
    """
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    text = f"{x:,.{digits}f}"
    return text.rstrip("0").rstrip(".") if strip and "." in text else text


def grade_badge(grade: str | None) -> str:
    """A grade as a coloured badge (优 green … 差 red), so it reads at a glance."""
    if not grade:
        return ""
    return f'<span class="jx-grade jx-grade-{GRADE_CLASSES.get(grade, "c")}">{esc(grade)}</span>'


def note(kind: str, html: str) -> str:
    """A coloured notice: kind is info, ok, warn or error; ``html`` is already escaped."""
    return f'<div class="jx-note jx-note-{kind}">{html}</div>'


def html_widget(value: str = "", css: str = "") -> w.HTML:
    """An HTML widget with a CSS class (the workbench's building block)."""
    h = w.HTML(value)
    if css:
        h.add_class(css)
    return h


def close_tree(widget: w.Widget) -> None:
    """Close a widget and everything inside it: a closed box does not close its children,
    and each open widget stays in the kernel and the browser (opening projects got slower)."""
    for child in getattr(widget, "children", ()):
        close_tree(child)
    for part in ("layout", "style"):  # each widget's own Layout and Style are widgets too
        inner = getattr(widget, part, None)
        if isinstance(inner, w.Widget):
            inner.close()
    widget.close()


def close_tree_children(box: w.Box) -> None:
    """Close what a box shows before it shows something else."""
    for child in box.children:
        close_tree(child)
