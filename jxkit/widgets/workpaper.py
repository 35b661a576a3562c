"""The 自评复核底稿 (re-evaluation workpaper) of a project, as shown and as exported to xlsx.

The reviewer's own working paper: per indicator the form's columns (一级/二级/三级,
指标性质, 指标值, 度量单位, 分值, 自评完成值, 自评得分, 复核完成值, 复核得分, 偏离度,
扣分理由/备注), no internal ids. Built from what the session shows (unsaved edits
included), so the paper and the screen never differ. For a project imported from a 自评表
the 自评得分 are the form's printed ones (as ``jxkit compare`` takes them), and the paper
says so.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import ipywidgets as w
import pandas as pd

from ..compare import VERDICT_OK, VERDICT_POOR
from ..dataset.tables import atomic_path
from ..forms.published import FROM_FORM, FROM_RULES
from ..frameworks import RULE_NATURES
from ..policy import Policy
from .live import IndicatorScore, LiveScore
from .session import Session, describe_project
from .style import esc, html_widget, note, num

__all__ = [
    "WORKPAPER_COLUMNS",
    "WorkpaperPanel",
    "compared",
    "export_workpapers",
    "verdict",
    "workpaper",
]

WORKPAPER_COLUMNS = (
    "一级指标",
    "二级指标",
    "三级指标",
    "指标性质",
    "指标值",
    "度量单位",
    "分值",
    "自评完成值",
    "自评得分",
    "复核完成值",
    "复核得分",
    "偏离度",
    "扣分理由/备注",
)


def _score(s: IndicatorScore) -> float | str | None:
    if s.status == "na":
        return "不适用"
    return None if s.score is None else round(s.score, 2)


def workpaper(session: Session, project_id: str) -> pd.DataFrame:
    """One row per indicator in the columns of the 底稿, and a last row of totals.

    偏离度 is 自评得分 − 复核得分 (positive: the self-evaluation was generous), as in
    ``jxkit compare``.
    """
    lives = compared(session, project_id)
    rows = []
    for ind in session.scorer(project_id).indicators:
        iid = ind.indicator_id
        mine = {r: session.value(project_id, iid, r) for r in lives}
        a, b = lives["self"].indicators[iid], lives["review"].indicators[iid]
        gap = None if a.score is None or b.score is None else round(a.score - b.score, 2)
        notes = [mine["review"].note.strip()]
        if mine["self"].note.strip():
            notes.append(f"自评：{mine['self'].note.strip()}")
        rows.append(
            {
                "一级指标": ind.level1,
                "二级指标": ind.level2,
                "三级指标": ind.name,
                "指标性质": RULE_NATURES.get(ind.rule, ("",))[0],
                "指标值": ind.target,
                "度量单位": ind.unit,
                "分值": ind.points,
                "自评完成值": "" if ind.kind == "none" else mine["self"].actual,
                "自评得分": _score(a),
                "复核完成值": "" if ind.kind == "none" else mine["review"].actual,
                "复核得分": _score(b),
                "偏离度": gap,
                "扣分理由/备注": "；".join(n for n in notes if n),
            }
        )
    s, r = lives["self"].total, lives["review"].total
    rows.append(
        dict.fromkeys(WORKPAPER_COLUMNS, "")
        | {
            "一级指标": "总分",
            "分值": sum(i.points for i in session.scorer(project_id).indicators),
            "自评得分": s,
            "复核得分": r,
            "偏离度": None if s is None or r is None else round(s - r, 2),
            "扣分理由/备注": " → ".join(
                x for x in (lives["self"].grade, lives["review"].grade) if x
            ),
        }
    )
    return pd.DataFrame(rows, columns=list(WORKPAPER_COLUMNS))


def compared(session: Session, project_id: str) -> dict[str, LiveScore]:
    """The self-evaluation as filed (:meth:`Session.filed_self`) and the review, live."""
    return {
        "self": session.filed_self(project_id),
        "review": session.live(project_id, "review"),
    }


def export_workpapers(
    session: Session,
    project_ids: list[str],
    target: str | os.PathLike[str],
    *,
    reviewer: str,
    now: datetime | None = None,
) -> Path:
    """Write the 底稿 of ``project_ids`` to one workbook, a sheet per project, atomically.

    Each sheet starts with the title, the project's facts, the reviewer's name and the
    date (北京时间), then the table with Chinese headers; columns are sized and wrapped to
    print on A4 landscape.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side

    day = (now or datetime.now(ZoneInfo(session.settings.timezone))).strftime("%Y-%m-%d")
    book = Workbook()
    book.remove(book.active)
    thin = Side(style="thin", color="999999")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    widths = (10, 12, 22, 8, 12, 8, 6, 12, 8, 12, 8, 8, 30)
    for pid in project_ids:
        facts = describe_project(session, pid)
        ws = book.create_sheet(pid[:31])
        ws.append(["自评复核底稿"])
        ws["A1"].font = Font(bold=True, size=14)
        ws.append([f"项目：{facts['name']}（{pid}）", "", "", "", f"实施单位：{facts['unit']}"])
        ws.append([f"年度：{facts['year']}", "", "", "", f"项目类别：{facts['category']}"])
        source = session.published.source(pid)
        ws.append(
            [f"复核人：{reviewer}", "", "", "", f"复核日期：{day}", "", "", f"自评得分：{source}"]
        )
        ws.append(list(WORKPAPER_COLUMNS))
        head = ws.max_row
        for cell in ws[head]:
            cell.font = Font(bold=True)
            cell.border = box
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        for row in workpaper(session, pid).itertuples(index=False):
            ws.append([None if v is None or v == "" else v for v in row])
            for cell in ws[ws.max_row]:
                cell.border = box
                cell.alignment = Alignment(vertical="top", wrap_text=True)
        for cell in ws[ws.max_row]:
            cell.font = Font(bold=True)
        for i, width in enumerate(widths):
            ws.column_dimensions[chr(ord("A") + i)].width = width
        ws.print_title_rows = f"{head}:{head}"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
    out = Path(target)
    with atomic_path(out) as tmp:
        book.save(tmp)
    return out


def _cell(value: object, numeric: bool = False, total: bool = False) -> str:
    if value is None or (isinstance(value, float) and value != value) or value == "":
        return '<td class="n">—</td>' if numeric else "<td></td>"
    if numeric and isinstance(value, float):
        return f'<td class="n">{num(value, strip=not total)}</td>'
    return f'<td class="n">{esc(str(value))}</td>' if numeric else f"<td>{esc(str(value))}</td>"


NUMERIC = {"分值", "自评得分", "复核得分", "偏离度"}


class WorkpaperPanel(w.VBox):
    """The 复核底稿 of the open project, live, with the self-evaluation quality verdict and export.

    Sized for a 1366×768 laptop: fixed column widths that wrap long names, no sideways scroll.
    """

    def __init__(self) -> None:
        super().__init__()
        self.add_class("jx-panel")
        self.table = html_widget(css="jx-compare")
        self.export_one = w.Button(description="导出本项目底稿（xlsx）", layout={"width": "190px"})
        self.export_one.add_class("jx-export-one")
        self.export_all = w.Button(
            description="导出全部抽中项目底稿（xlsx）", layout={"width": "240px"}, disabled=True
        )
        self.export_all.add_class("jx-export-all")
        self.status = html_widget(css="jx-export-status")
        bar = w.HBox([self.export_one, self.export_all])
        bar.add_class("jx-export-bar")
        self.children = [bar, self.status, self.table]

    def show(self, frame: pd.DataFrame, verdict: str, source: str = FROM_RULES) -> None:
        """The 底稿 rows as on screen; rows where self and review differ are tinted.

        ``source`` says where the 自评得分 come from (a form's printed ones, or the rules).
        """
        rows = []
        for r in frame.to_dict("records"):
            gap = r["偏离度"]
            css = ""
            if r["一级指标"] == "总分":
                css = ' class="jx-sum"'
            elif isinstance(gap, float) and gap > 0.005:
                css = ' class="jx-inflated"'
            elif isinstance(gap, float) and gap < -0.005:
                css = ' class="jx-deflated"'
            total = r["一级指标"] == "总分"
            cells = "".join(
                _cell(r[c], c in NUMERIC, total and c != "分值") for c in WORKPAPER_COLUMNS
            )
            rows.append(f"<tr{css}>{cells}</tr>")
        cols = "".join(f'<col style="width:{w_}%">' for w_ in COLUMN_WIDTHS)
        head = "".join(
            f'<th class="n">{c}</th>' if c in NUMERIC else f"<th>{c}</th>"
            for c in WORKPAPER_COLUMNS
        )
        table = (
            f'<table class="jx-table jx-workpaper"><colgroup>{cols}</colgroup><tr>{head}</tr>'
            + "".join(rows)
            + "</table>"
        )
        legend = (
            '<div class="jx-small">偏离度 = 自评得分 − 复核得分；红底：自评偏高；蓝底：自评偏低。'
            "“复核完成值”“复核得分”含尚未保存的修改。"
            + (
                f"自评得分为{FROM_FORM}（导入的自评表所填，jxkit recheck 列出与评分规则不符之处）。"
                if source == FROM_FORM
                else ""
            )
            + "</div>"
        )
        if self.table.value != verdict + table + legend:
            self.table.value = verdict + table + legend


#: Percent of the table's width per column: all 13 fit 1366 px without a sideways scroll.
COLUMN_WIDTHS = (8, 8, 12, 5, 6, 5, 4, 7, 6, 7, 6, 5, 21)


def verdict(lives: dict[str, LiveScore], policy: Policy, source: str = FROM_RULES) -> str:
    """The total gap and the self-evaluation quality verdict, as ``jxkit compare`` judges it.

    ``lives`` as :func:`compared` gives them; ``source`` marks a form's printed 自评得分.
    """
    s, r = lives["self"], lives["review"]
    if s.total is None or r.total is None:
        return note("info", "自评与复核都填写完整后，这里给出总分差与自评质量判断。")
    gap = round(s.total - r.total, 2)
    changed = s.grade != r.grade
    poor = abs(gap) >= policy.review_total_gap or (changed and policy.review_grade_change_is_poor)
    grade = f"，等级由“{esc(s.grade)}”变为“{esc(r.grade)}”" if changed else ""
    rule = f"总分相差 {num(policy.review_total_gap)} 分及以上" + (
        "或等级变化" if policy.review_grade_change_is_poor else ""
    )
    mark = f"（{FROM_FORM}）" if source == FROM_FORM else ""
    size = (
        f"自评{mark} {num(s.total, strip=False)} 分，复核 {num(r.total, strip=False)} 分，"
        f"自评{'高' if gap > 0 else '低'} {num(abs(gap))} 分"
        if abs(gap) >= 0.005
        else f"自评{mark}与复核总分相同（{num(r.total, strip=False)} 分）"
    )
    return note(
        "warn" if poor else "ok",
        f"{size}{grade}：<b>{VERDICT_POOR if poor else VERDICT_OK}</b>（判定标准：{rule}）。",
    )
