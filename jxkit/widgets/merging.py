"""What the workbench shows of the three-way merge: others' saved changes and the conflicts.

A reviewer sees, by project and indicator, each cell someone else saved since the last
load (taken from disk), and each cell both changed, with both values and a choice; until
every conflict is settled nothing is saved (:meth:`~jxkit.widgets.session.Session.resolve`).
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as w

from ..dataset.merge import Conflict
from ..dataset.schema import TABLES
from ..labels import ROUND_NAMES
from .errors import guarded
from .session import Session
from .style import close_tree_children, css_id, esc, html_widget, note

__all__ = ["FIELD_NAMES", "ConflictPanel", "others_note"]

#: The evaluation fields by their Chinese headers (实际完成值, 佐证材料, 备注).
FIELD_NAMES = {c.name: c.zh for c in TABLES["evaluations"].columns}
#: Others' changes listed one by one; beyond this only their number.
LISTED = 20

Resolve = Callable[[tuple[str, str, str], str, str], None]


def _name(session: Session, project_id: str, indicator_id: str) -> str:
    ind = {i.indicator_id: i.name for i in session.scorer(project_id).indicators}
    return ind.get(indicator_id, indicator_id)


def _shown(text: str) -> str:
    return esc(text) or "（空）"


def others_note(session: Session) -> list[str]:
    """Cells others changed since the last load, by project and indicator (taken from disk)."""
    others = session.others
    if not others:
        return []
    items = "".join(
        f"<li>{esc(c.key[0])}（{ROUND_NAMES[c.key[2]]}）{esc(_name(session, c.key[0], c.key[1]))} "
        f"{FIELD_NAMES[c.field]}：{_shown(c.old)} → {_shown(c.new)}</li>"
        for c in others[:LISTED]
    )
    more = f"<li>……共 {len(others)} 处</li>" if len(others) > LISTED else ""
    return [
        note(
            "info",
            f"他人保存了 {len(others)} 处修改，已从数据集载入（您未改过这些单元格）："
            f"<ul>{items}{more}</ul>",
        )
    ]


class ConflictPanel(w.VBox):
    """One line per conflicting cell with both values and 保留我的 / 采用他人的."""

    def __init__(self, on_resolve: Resolve, report_error: Callable[[BaseException], None]) -> None:
        super().__init__()
        self.add_class("jx-conflicts")
        self.on_resolve = on_resolve
        self.report_error = report_error

    def show(self, session: Session) -> None:
        """The session's conflicts now; the lines shown before are closed (no widget leak)."""
        close_tree_children(self)
        lines: list[w.Widget] = [self._line(session, c) for c in session.conflicts.values()]
        if lines:
            head = '<div class="jx-conflict-head">与他人的修改冲突（逐项选择后再保存）：</div>'
            lines.insert(0, html_widget(head))
        self.children = lines

    def _line(self, session: Session, c: Conflict) -> w.HBox:
        key = (c.project_id, c.indicator_id, c.round)
        text = html_widget(
            f"<b>{esc(c.project_id)}</b>（{ROUND_NAMES[c.round]}）"
            f"{esc(_name(session, c.project_id, c.indicator_id))} · {FIELD_NAMES[c.field]}："
            f"载入时 “{_shown(c.base)}”，他人改为 <b>“{_shown(c.disk)}”</b>，"
            f"您改为 <b>“{_shown(c.mine)}”</b>"
        )
        buttons = []
        for keep, label, value, css in (
            ("mine", "保留我的", c.mine, "jx-keep-mine"),
            ("theirs", "采用他人的", c.disk, "jx-take-theirs"),
        ):
            b = w.Button(description=f"{label} {value or '（空）'}"[:24], layout={"width": "auto"})
            b.add_class(css)
            b.on_click(
                guarded(self.report_error, lambda _, k=keep: self.on_resolve(key, c.field, k))
            )
            buttons.append(b)
        line = w.HBox([text, *buttons], layout={"align_items": "center"})
        line.add_class("jx-conflict")
        line.add_class(f"jx-conflict-{css_id(c.indicator_id)}")
        return line
