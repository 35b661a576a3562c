"""The assessor workbench: pick a project, score it live, compare, save, sample, report.

A thin view over :class:`~jxkit.widgets.session.Session`: widgets forward what the
assessor types and show what the session computes. Every widget an assessor touches has
a stable CSS class (``jx-…``) so that tests can drive it like a person would.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ipywidgets as w

from ..catalogue import FALSE_WORDS, TRUE_WORDS
from ..compare import read_sample_ids
from ..dataset.writeback import DEFAULT_TIMEZONE
from ..errors import JxkitError
from ..labels import ROUND_NAMES
from .errors import error_html, guarded
from .live import NA, Indicator, IndicatorScore, LiveScore, Values, is_na
from .merging import FIELD_NAMES, ConflictPanel, others_note
from .pick import PickPanel
from .reports import ReportPanel
from .sample import SamplePanel
from .session import Session, describe_project
from .style import CSS, close_tree, css_id, esc, grade_badge, html_widget, note, num
from .workpaper import WorkpaperPanel, compared, export_workpapers, verdict, workpaper

__all__ = ["IndicatorRow", "ScorePanel", "Workbench"]

TAB_TITLES = ("选择项目", "评分", "复核底稿", "随机再评价抽样", "报告")
PICK, SCORE, COMPARE, SAMPLE, REPORT = range(5)
HEAD = ("指标与评分方法", "指标值", "自评", "录入值", "得分", "佐证材料与备注")

Change = Callable[[str, dict[str, str]], None]


def _cell(children: list[w.Widget]) -> w.VBox:
    box = w.VBox(children)
    box.add_class("jx-cell")
    return box


class IndicatorRow(w.GridBox):
    """One indicator: what it asks, the self-evaluation, an input that fits its rule, the score.

    Args:
        ind: The indicator (rule, target, input kind).
        value: What is entered now in the round being edited.
        on_change: Called with the indicator id and the changed fields.
    """

    def __init__(self, ind: Indicator, value: Values, on_change: Change) -> None:
        super().__init__()
        self.indicator = ind
        self.on_change = on_change
        self.add_class("jx-grid")
        self.add_class("jx-row")
        self.add_class(f"jx-row-{css_id(ind.indicator_id)}")
        level = " · ".join(x for x in (ind.level1, ind.level2) if x)
        info = html_widget(
            f'<div><span class="jx-name">{esc(ind.name)}</span> <span class="jx-small">'
            f"{esc(level)}</span></div>"
            f'<div class="jx-rule">{esc(ind.description)}</div>'
        )
        target = (
            f"{esc(ind.target)} {esc(ind.unit)}"
            if ind.target
            else '<span class="jx-muted">—</span>'
        )
        facts = html_widget(
            f'<div>{target}</div><div class="jx-small">分值 {num(ind.points)}</div>'
        )
        self.reference = html_widget(css="jx-self")
        self.input = self._input(ind, "" if is_na(value.actual) else value.actual)
        self.input.add_class("jx-value")
        self.na = w.Checkbox(
            value=is_na(value.actual),
            description="不适用",
            indent=False,
            layout={"width": "auto", "flex": "0 0 auto"},
        )
        self.na.add_class("jx-na")
        self.message = html_widget(css="jx-msg")
        self.score = html_widget(css="jx-score")
        self.evidence = w.Text(value=value.evidence, placeholder="佐证材料")
        self.evidence.add_class("jx-evidence")
        self.note = w.Text(value=value.note, placeholder="备注 / 扣分理由")
        self.note.add_class("jx-note-field")
        self.input.disabled = self.na.value or ind.kind == "none"
        entry = w.HBox([self.input, self.na], layout={"align_items": "center"})
        self.children = [
            info,
            facts,
            self.reference,
            _cell([entry, self.message]),
            self.score,
            _cell([self.evidence, self.note]),
        ]
        self.input.observe(lambda _: self._changed(actual=self.actual), "value")
        self.na.observe(self._na_changed, "value")
        self.evidence.observe(lambda _: self._changed(evidence=self.evidence.value), "value")
        self.note.observe(lambda _: self._changed(note=self.note.value), "value")

    @staticmethod
    def _input(ind: Indicator, current: str) -> w.Widget:
        if ind.kind == "none":
            return w.Text(value="", placeholder="自动计算", disabled=True)
        if ind.kind in {"label", "boolean"}:
            choices = list(ind.levels) if ind.kind == "label" else ["是", "否"]
            options = [("请选择", ""), *((c, c) for c in choices)]
            if current and current not in choices:
                # a value from the file that the choices do not hold: shown, and flagged
                valid = ind.kind == "boolean" and current.lower() in TRUE_WORDS | FALSE_WORDS
                options.append((current if valid else f"{current}（不在可选范围内）", current))
            return w.Dropdown(options=options, value=current)
        hint = "问题个数" if ind.kind == "count" else "填数字"
        return w.Text(value=current, placeholder=hint)

    @property
    def actual(self) -> str:
        """The value this row enters: 不适用 when switched so, else the input's text."""
        if self.na.value:
            return NA
        return "" if self.indicator.kind == "none" else str(self.input.value or "")

    def _na_changed(self, _: Any) -> None:
        self.input.disabled = self.na.value or self.indicator.kind == "none"
        self._changed(actual=self.actual)

    def _changed(self, **fields: str) -> None:
        self.on_change(self.indicator.indicator_id, fields)

    def show_reference(self, value: Values, score: IndicatorScore | None) -> None:
        """The saved self-evaluation value and its score, to compare with while typing."""
        empty = "—" if self.indicator.kind == "none" else "未填"
        shown = esc(value.actual) or f'<span class="jx-muted">{empty}</span>'
        got = ""
        if score is not None and score.score is not None:
            got = f'<div class="jx-small">得 {num(score.score)} 分</div>'
        _set(self.reference, f"<div>{shown}</div>{got}")

    def show(self, s: IndicatorScore, edited: bool, concern: str = "", theirs: str = "") -> None:
        """The live score with why points were lost; a problem with the value beside the field.

        ``concern`` is what the reviewer must explain before saving; ``theirs`` says what
        another reviewer changed on disk in this row since it was last shown.
        """
        parts = []
        if s.status == "na":
            parts.append('<span class="jx-muted">不适用</span>')
        elif s.score is None:
            parts.append('<span class="jx-muted">—</span>')
        else:
            lost = f' <span class="jx-lost">扣 {num(s.lost)}</span>' if (s.lost or 0) > 1e-9 else ""
            parts.append(f'<div><span class="jx-score-value">{num(s.score)}</span>{lost}</div>')
            if s.message:
                parts.append(f'<div class="jx-msg-ok">{esc(s.message)}</div>')
        if s.flag:
            parts.append(f'<div class="jx-msg-flag">⚠ {esc(s.flag)}</div>')
        _set(self.score, "".join(parts))
        problem = s.message if s.status in {"invalid", "missing"} else ""
        css = "jx-msg-invalid" if s.status == "invalid" else "jx-msg-missing"
        msg = f'<div class="{css}">{esc(problem)}</div>' if problem else ""
        if concern:
            msg += f'<div class="jx-msg-confirm">⚠ {esc(concern)}</div>'
        if theirs:
            msg += f'<div class="jx-msg-theirs">他人已修改：{esc(theirs)}</div>'
        _set(self.message, msg)
        for css, on in (("jx-edited", edited), ("jx-theirs", bool(theirs))):
            if on:
                self.add_class(css)
            else:
                self.remove_class(css)

    def fill(self, text: str) -> None:
        """Enter ``text`` as the value, as if typed (used to copy self values)."""
        if is_na(text):
            self.na.value = True
        elif self.indicator.kind != "none":
            options = getattr(self.input, "options", None)
            if options is not None and text not in {v for _, v in options}:
                self.input.options = [*options, (f"{text}（不在可选范围内）", text)]
            self.input.value = text


def _set(widget: w.HTML, value: str) -> None:
    if widget.value != value:  # each change is a message to the browser
        widget.value = value


class ScorePanel(w.VBox):
    """The indicator rows of the open project in the round being edited, and its total.

    The rows scroll inside the panel so that the total and the save button stay in view
    on a laptop screen.
    """

    def __init__(self, on_change: Change, report_error: Callable[[BaseException], None]) -> None:
        super().__init__()
        self.add_class("jx-panel")
        self.on_change = on_change
        self.facts = html_widget(css="jx-facts")
        self.copy = w.Button(
            description="空白处填入自评值",
            tooltip="把自评完成值复制到尚未填写的指标，再逐项核改",
            layout={"width": "auto"},
        )
        self.copy.add_class("jx-copy-self")
        self.copy.on_click(guarded(report_error, lambda _: self.copy_self()))
        self.discard = w.Button(description="放弃本项目的修改", layout={"width": "auto"})
        self.discard.add_class("jx-discard")
        head = w.GridBox([html_widget(f"<span>{h}</span>") for h in HEAD])
        head.add_class("jx-grid")
        head.add_class("jx-grid-head")
        self.head = head
        self.body = w.VBox()
        self.body.add_class("jx-rows")
        self.top = w.HBox([self.facts, self.copy, self.discard], layout={"align_items": "center"})
        self.footer = html_widget(css="jx-foot")
        self.rows: dict[str, IndicatorRow] = {}
        self.children = [html_widget(note("info", "请先在“选择项目”中选择一个项目。"))]
        self.self_values: dict[str, Values] = {}

    def show_project(
        self, facts: str, indicators: list[Indicator], values: dict[str, Values], editing_self: bool
    ) -> None:
        """Build the rows of a project; values are what is entered now in the round edited."""
        self.facts.value = facts
        for row in self.rows.values():
            close_tree(row)
        self.rows = {
            i.indicator_id: IndicatorRow(i, values[i.indicator_id], self.on_change)
            for i in indicators
        }
        self.copy.layout.display = "none" if editing_self else ""
        self.body.children = list(self.rows.values())
        self.children = [self.top, self.head, self.body, self.footer]

    def show_reference(self, self_values: dict[str, Values], self_live: LiveScore) -> None:
        self.self_values = self_values
        for iid, row in self.rows.items():
            row.show_reference(self_values[iid], self_live.indicators.get(iid))

    def copy_self(self) -> None:
        """Fill empty inputs with the saved self values: a reviewer then corrects only what differs."""
        for iid, row in self.rows.items():
            if not row.actual and not row.na.value:
                row.fill(self.self_values[iid].actual)

    def show(
        self,
        live: LiveScore,
        edited: set[str],
        total: str,
        concerns: dict[str, str],
        theirs: dict[str, str],
    ) -> None:
        for iid, row in self.rows.items():
            row.show(
                live.indicators[iid], iid in edited, concerns.get(iid, ""), theirs.get(iid, "")
            )
        _set(self.footer, total)


class Workbench(w.VBox):
    """The assessor workbench for one dataset (see the module docstring and issue 7).

    Args:
        dataset: CSV folder or .xlsx workbook.
        round: Round entered: "review" (复核) or "self" (自评); a switch changes it
            (default: the round last used, else 复核).
        user: Name written to the change log (default: the name last typed, else the OS account).
        sample_dir: Optional sample folder (with manifest.json): its projects can be filtered.
        policy: Optional policy file (grade bands, red light, review threshold).
        reports_dir: Where reports go (default: 评价报告 beside the dataset).
    """

    def __init__(
        self,
        dataset: str | os.PathLike[str],
        *,
        round: str = "",
        user: str | None = None,
        sample_dir: str | os.PathLike[str] = "",
        policy: str | os.PathLike[str] | None = None,
        reports_dir: str | os.PathLike[str] | None = None,
    ) -> None:
        super().__init__()
        self.add_class("jx-workbench")
        self.style_sheet = html_widget(CSS)
        self.notice = html_widget(css="jx-notice")
        self.project_id: str | None = None
        self._saved_self: LiveScore | None = None
        self._args = (dataset, user, policy)
        self.sample_dir = str(sample_dir or "")
        self.reports_dir = Path(reports_dir) if reports_dir else None
        self.reload_button = w.Button(
            description="重新载入", icon="refresh", layout={"width": "auto"}
        )
        self.reload_button.add_class("jx-reload")
        self.reload_button.on_click(guarded(self.show_error, lambda _: self.reload()))
        self._round = round
        self._start()
        if round and round not in ROUND_NAMES:
            self.show_error(
                JxkitError(
                    f"录入轮次应为 review（复核）或 self（自评），而不是“{round}”；现按复核录入。"
                )
            )

    def _start(self) -> None:
        """Open the dataset; when it does not load, show why and offer to load it again."""
        dataset, user, policy = self._args
        try:
            self.session = Session(dataset, user=user, policy=policy)
            remembered = self.session.state.round
            if self._round not in ROUND_NAMES:
                self._round = remembered if remembered in ROUND_NAMES else "review"
        except JxkitError as exc:
            self.children = [
                self.style_sheet,
                html_widget('<div class="jx-title">评价工作台</div>'),
                html_widget(error_html(exc), "jx-load-error"),
                html_widget('<div class="jx-small">请更正数据集后点击“重新载入”。</div>'),
                self.reload_button,
            ]
            return
        self._build(self._round)

    # ------------------------------------------------------------------ building

    def _build(self, round: str) -> None:
        s = self.session
        kind = "Excel 工作簿" if s.path.is_file() else "CSV 文件夹"
        title = html_widget(
            f'<span class="jx-title">评价工作台</span> '
            f'<span class="jx-sub">数据集：{esc(s.path.name)}（{kind}，{len(s.project_ids())} 个项目）</span>'
        )
        self.current = html_widget(note("info", "未选择项目"), "jx-current")
        self.total = html_widget(css="jx-total")
        self.round = w.ToggleButtons(
            options=[("复核", "review"), ("自评", "self")],
            value=round,
            tooltips=["录入复核值", "修改自评值"],
        )
        self.round.style.button_width = "56px"
        self.round.add_class("jx-round")
        self.user = w.Text(
            value=s.user,
            description="评价人",
            style={"description_width": "initial"},
            layout={"width": "150px"},
        )
        self.user.add_class("jx-user")
        self.user.observe(guarded(self.show_error, lambda _: s.set_user(self.user.value)), "value")
        self.save_button = w.Button(
            description="保存", button_style="success", icon="save", layout={"width": "90px"}
        )
        self.save_button.add_class("jx-save")
        self.pending = html_widget(css="jx-pending")
        self.save_status = html_widget(css="jx-save-status")
        self.conflict_box = ConflictPanel(self._resolve, self.show_error)
        bar = w.HBox(
            [self.current, self.total, self.round, self.user, self.save_button, self.reload_button]
        )
        bar.add_class("jx-bar")
        self.pick = PickPanel(s, guarded(self.show_error, self.open_project))
        self.score_panel = ScorePanel(self._changed, self.show_error)
        self.score_panel.discard.on_click(guarded(self.show_error, lambda _: self.discard()))
        self.compare = WorkpaperPanel()
        self.compare.export_one.on_click(guarded(self._export_error, lambda _: self.export(False)))
        self.compare.export_all.on_click(guarded(self._export_error, lambda _: self.export(True)))
        self.sample = SamplePanel(s, self._sampled)
        self.report = ReportPanel()
        self.report.button.on_click(guarded(self._report_error, lambda _: self.render_report()))
        self.tabs = w.Tab([self.pick, self.score_panel, self.compare, self.sample, self.report])
        self.tabs.titles = TAB_TITLES
        self.tabs.add_class("jx-tabs")
        self.tabs.observe(guarded(self.show_error, lambda _: self._tab_changed()), "selected_index")
        self.round.observe(guarded(self.show_error, lambda _: self._round_changed()), "value")
        self.save_button.on_click(guarded(self.show_error, lambda _: self.save()))
        self.children = [
            self.style_sheet,
            title,
            self.notice,
            bar,
            self.pending,
            self.save_status,
            self.conflict_box,
            self.tabs,
        ]
        if self.sample_dir:
            try:
                self._sampled(set(read_sample_ids(self.sample_dir)))
            except JxkitError as exc:
                self.session.notices.append(str(exc))
        self._show_notices()
        self._show_pending()
        self.conflict_box.show(self.session)
        last = s.state.project_id
        if last and last in set(s.project_ids()) and s.pending_rounds():
            self.open_project(last)

    # ------------------------------------------------------------------ actions

    def open_project(self, project_id: str, switch_tab: bool = True) -> None:
        """Open a project for scoring in the current round."""
        s = self.session
        scorer = s.scorer(project_id)
        self.project_id = project_id
        r = self.round.value
        f = describe_project(s, project_id)
        facts = (
            f'<span class="jx-small">{esc(f["unit"])}（{esc(f["level"])}）· {esc(f["year"])} 年 · '
            f"{esc(f['category'])}<br>全年预算 {esc(f['budget'])} · 执行 {esc(f['spent'])}"
            f"（执行率 {esc(f['rate'])}）</span>"
        )
        self.score_panel.show_project(
            facts, scorer.indicators, s.values(project_id, r), editing_self=r == "self"
        )
        self._show_reference()
        self.current.value = (
            f"<b>{esc(project_id)}</b> {esc(f['name'])}"
            f'<div class="jx-small">{esc(f["unit"])} · {esc(f["year"])} 年 · {esc(f["category"])}</div>'
        )
        if switch_tab:
            self.tabs.selected_index = SCORE
        s.remember(project_id=project_id)
        if s.changed_on_disk():
            self.notice.value = note(
                "warn",
                "数据集已被他人保存过新的修改：请点击“重新载入”查看（您未保存的修改会逐格合并）。",
            )
        self._update()

    def _changed(self, indicator_id: str, fields: dict[str, str]) -> None:
        if self.project_id is None:
            return
        self.session.edit(self.project_id, indicator_id, self.round.value, **fields)
        self._update()

    def _update(self) -> None:
        """Live: indicator scores, total, grade, the comparison, the unsaved count."""
        pid, r = self.project_id, self.round.value
        if pid is None:
            return
        s = self.session
        live = s.live(pid, r)
        edited = {i for p, i, rr in s.edits if p == pid and rr == r}
        total = self._totalhtml_widget(live)
        theirs: dict[str, str] = {}
        for c in s.others:
            if (c.key[0], c.key[2]) == (pid, r):
                change = f"{FIELD_NAMES[c.field]} {c.old or '（空）'} → {c.new or '（空）'}"
                theirs[c.key[1]] = "；".join(x for x in (theirs.get(c.key[1]), change) if x)
        self.score_panel.show(live, edited, total, s.concerns(pid, r, live), theirs)
        _set(self.total, total)
        if self.tabs.selected_index == COMPARE:
            self._show_compare()
        self._show_pending()

    def _show_reference(self) -> None:
        """The saved self-evaluation beside each input (a form's printed scores); scored once."""
        if self.project_id is not None:
            pid, s = self.project_id, self.session
            self._saved_self = s.filed_self(pid, saved=True)
            self.score_panel.show_reference(s.values(pid, "self", saved=True), self._saved_self)

    def _totalhtml_widget(self, live: LiveScore) -> str:
        name = ROUND_NAMES[live.round]
        if live.total is None:
            missing, invalid = live.count("missing"), live.count("invalid")
            why = (
                "、".join(
                    x
                    for x in (
                        f"{missing} 项未填" if missing else "",
                        f"{invalid} 项无效" if invalid else "",
                    )
                    if x
                )
                or live.error
            )
            main = f'<span class="jx-muted">{name}得分</span><span class="jx-total-value">—</span><span class="jx-small">{esc(why)}</span>'
        else:
            red = ' <span class="jx-red">红灯</span>' if live.red_light else ""
            main = (
                f'<span class="jx-muted">{name}得分</span>'
                f'<span class="jx-total-value">{num(live.total, strip=False)}</span>{grade_badge(live.grade)}{red}'
            )
        other = ""
        saved = self._saved_self
        if live.round == "review" and saved is not None and saved.total is not None:
            other = f'<div class="jx-small">自评 {num(saved.total, strip=False)} 分 {esc(saved.grade)}</div>'
        return f"<div>{main}</div>{other}"

    def _show_compare(self) -> None:
        if self.project_id is None:
            self.compare.table.value = note("info", "请先选择一个项目。")
            return
        s, pid = self.session, self.project_id
        source = s.published.source(pid)
        self.compare.show(workpaper(s, pid), verdict(compared(s, pid), s.policy, source), source)

    def export(self, sampled: bool) -> Path | None:
        """The 底稿 of the open project, or of every sampled project, to an xlsx beside the dataset."""
        s = self.session
        if sampled:
            ids = [p for p in s.project_ids() if s.sample_ids and p in s.sample_ids]
            name = f"复核底稿-抽中项目-{len(ids)}个.xlsx"
        elif self.project_id is not None:
            ids, name = [self.project_id], f"复核底稿-{self.project_id}.xlsx"
        else:
            ids, name = [], ""
        if not ids:
            self.compare.status.value = note("info", "请先选择项目（或抽样）。")
            return None
        out = export_workpapers(s, ids, s.path.parent / name, reviewer=s.user)
        pending = "（含尚未保存的修改）" if any(p in ids for p, _ in s.pending_rounds()) else ""
        self.compare.status.value = note(
            "ok", f"已导出 {len(ids)} 个项目的底稿到 {esc(str(out))}{pending}"
        )
        return out

    def _export_error(self, exc: BaseException) -> None:
        self.compare.status.value = error_html(exc)

    def _tab_changed(self) -> None:
        if self.tabs.selected_index == COMPARE:
            self._show_compare()

    def _round_changed(self) -> None:
        self.session.remember(round=self.round.value)
        if self.project_id is not None:
            self.open_project(self.project_id, switch_tab=False)

    def save(self) -> None:
        """Save the round(s) with edits; say what was written, what was held back and why."""
        s = self.session
        try:
            report = s.save(self.user.value)
        except JxkitError as exc:  # a file that cannot be written
            self.save_status.value = error_html(exc)
            return
        parts = []
        if report.conflicts:
            parts.append(
                note(
                    "error",
                    f"未保存：{len(report.conflicts)} 处单元格您和他人都改过，且改得不同；"
                    "请在下方逐项选择保留哪一个，然后再点“保存”。本次没有写入任何内容。",
                )
            )
        res = report.result
        zone = "北京时间 " if s.settings.timezone == DEFAULT_TIMEZONE else ""
        if res is not None and res.changes:
            rows = "、".join(
                f"{what} {n} 行"
                for what, n in (("新增", res.added), ("更新", res.updated), ("删除", res.removed))
                if n
            )
            files = "，修改记录见 ".join(f.name for f in res.files)
            parts.append(
                note(
                    "ok",
                    f"已保存 {len(res.changes)} 处修改（{rows}）到 {esc(files)}"
                    f"（评价人 {esc(res.changes[0].user)}，{zone}{esc(res.changes[0].time)}）。",
                )
            )
        elif not report.held:
            parts.append(note("info", "没有需要保存的修改。"))
        if report.held:
            items = "".join(f"<li>{esc(h)}</li>" for h in report.held)
            parts.append(
                note(
                    "warn",
                    f"以下项目暂未保存（已保留在草稿中，按提示补全后再保存）：<ul>{items}</ul>",
                )
            )
        parts += others_note(self.session)
        self.save_status.value = "".join(parts)
        self._after_reload(rebuild=bool(report.conflicts or s.others))

    def reload(self) -> None:
        """Read the dataset from disk again, keeping unsaved edits."""
        if not hasattr(self, "session"):
            self._start()
            return
        self.session.reload()
        others = others_note(self.session)
        n = len(self.session.conflicts)
        left = f"仍有 {n} 处冲突待您选择（见下方）。" if n else ""
        self.save_status.value = "".join(others) or note(
            "warn" if n else "info", f"已重新载入数据集，自上次载入后他人没有新的修改。{left}"
        )
        self._after_reload()

    def discard(self) -> None:
        """Drop the open project's unsaved edits and show the saved values again."""
        if self.project_id is not None:
            self.session.discard(self.project_id)
            self.open_project(self.project_id, switch_tab=False)

    def _after_reload(self, rebuild: bool = True) -> None:
        """Show the reloaded dataset; after a save the rows already show the saved values."""
        self._show_notices()
        self.conflict_box.show(self.session)
        self.pick.refresh(options=True)
        if self.project_id is not None and rebuild:
            self.open_project(self.project_id, switch_tab=False)
        elif self.project_id is not None:
            self._show_reference()
            self._update()
        self._show_pending()

    def render_report(self) -> threading.Thread | None:
        """Start the open project's report in the round shown (beside the dataset by default)."""
        if self.project_id is None:
            self.report.status.value = note("info", "请先选择一个项目。")
            return None
        s = self.session
        out = self.reports_dir or s.path.parent / "评价报告"
        pending = any(p == self.project_id for p, _ in s.pending_rounds())
        name = str(s.dataset.projects.set_index("project_id").at[self.project_id, "name"])
        return self.report.render(
            s.path, self.project_id, name, self.round.value, out, self.sample_dir, pending
        )

    def _sampled(self, ids: set[str]) -> None:
        self.session.sample_ids = ids
        self.compare.export_all.disabled = not ids
        self.pick.refresh()

    def _resolve(self, key: tuple[str, str, str], field: str, keep: str) -> None:
        self.session.resolve(key, field, keep)
        self.conflict_box.show(self.session)
        if not self.session.conflicts:
            self.save_status.value = note("info", "冲突已全部处理，请点击“保存”。")
        if self.project_id is not None:
            self.open_project(self.project_id, switch_tab=False)

    # ------------------------------------------------------------------ messages

    def show_error(self, exc: BaseException) -> None:
        """Errors of actions without a place of their own go to the notice at the top."""
        self.notice.value = error_html(exc)

    def _report_error(self, exc: BaseException) -> None:
        self.report.status.value = error_html(exc)

    def _show_notices(self) -> None:
        n = self.session.notices
        self.notice.value = note("info", "<br>".join(esc(x) for x in n)) if n else ""

    def _show_pending(self) -> None:
        n = len(self.session.edits)
        text = (
            f'<span class="jx-small">未保存的修改 {n} 项（已自动存入草稿，重启内核也不会丢失）</span>'
            if n
            else ""
        )
        _set(self.pending, text)
