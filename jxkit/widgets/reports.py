"""The 报告 panel: the open project's report, rendered in the background, opened in a new tab.

Rendering takes a fresh kernel and ten to twenty seconds, so it runs in a thread and the
workbench stays usable. The link goes to the Jupyter server's ``/files/`` route, which the
browser opens in a tab of its own (not a second JupyterLab view with a Trust bar); a
dataset outside the server's root gets its reports under the root, so the link works.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any
from urllib.parse import quote

import ipywidgets as w

from ..labels import ROUND_NAMES
from .errors import error_html
from .style import esc, html_widget, note

__all__ = ["ReportPanel", "report_link", "server_root"]


def server_root(cwd: Path | None = None) -> tuple[Path, str] | None:
    """(root folder, base URL) of the running Jupyter server whose root holds ``cwd``.

    The kernel runs in the notebook's folder; the deepest server root above it is the one
    serving this notebook. None outside a Jupyter server (scripts, tests).
    """
    try:
        from jupyter_server.serverapp import list_running_servers
    except ImportError:
        return None
    here = (cwd or Path.cwd()).resolve()
    found: list[tuple[Path, str]] = []
    for info in list_running_servers():
        root = Path(str(info.get("root_dir", ""))).expanduser().resolve()
        if here == root or root in here.parents:
            found.append((root, str(info.get("base_url", "/"))))
    return max(found, key=lambda f: len(f[0].parts)) if found else None


def report_link(path: Path, root: tuple[Path, str] | None) -> str:
    """A link the browser opens in a new tab: the server's ``/files/`` URL of ``path``.

    Without a server, a path relative to the working folder (what a plain file viewer needs).
    """
    path = path.resolve()
    if root is not None and root[0] in path.parents:
        rel = path.relative_to(root[0]).as_posix()
        return f"{root[1].rstrip('/')}/files/{quote(rel)}"
    try:
        return Path(os.path.relpath(path, Path.cwd())).as_posix()
    except ValueError:  # another drive on Windows
        return path.as_uri()


class ReportPanel(w.VBox):
    """Renders the open project's report with the report notebook, and links to it."""

    def __init__(self) -> None:
        super().__init__()
        self.add_class("jx-panel")
        self.button = w.Button(
            description="生成当前项目报告", button_style="primary", layout={"width": "200px"}
        )
        self.button.add_class("jx-report")
        self.status = html_widget(css="jx-report-link")
        intro = html_widget(
            '<div class="jx-small">报告按数据集中<b>已保存</b>的数据生成（与 jxkit render 相同的笔记本），'
            "在后台进行，约需十几秒，其间可继续评分；完成后点击链接在浏览器新标签页中打开。</div>"
        )
        self.children = [intro, self.button, self.status]
        self.html: Path | None = None

    def out_dir(self, wanted: Path) -> Path:
        """``wanted``, unless the server cannot serve it: then 评价报告 under the server's root."""
        root = server_root()
        if root is None or root[0] in wanted.resolve().parents:
            return wanted
        return root[0] / "评价报告"

    def render(
        self,
        dataset: Path,
        project_id: str,
        name: str,
        round: str,
        out_dir: Path,
        sample_dir: str,
        pending: bool,
    ) -> threading.Thread:
        """Start rendering from the saved dataset in a fresh kernel; the thread is returned."""
        from ..report.kinds import safe_name

        key = project_id if round == "self" else f"{project_id}-review"
        html = self.out_dir(out_dir) / "project" / f"{safe_name(key)}.html"
        self.html = html
        self.status.value = note(
            "info",
            f"正在后台生成 {esc(project_id)}（{ROUND_NAMES[round]}）的报告，可继续评分……",
        )
        self.button.disabled = True
        params = {
            "dataset": str(dataset),
            "project_id": project_id,
            "round": round,
            "sample_dir": sample_dir,
        }
        title = f"{name}（{ROUND_NAMES[round]}）"
        warn = "（本项目还有未保存的修改，报告中不含这些修改）" if pending else ""
        thread = threading.Thread(target=self._work, args=(params, html, title, warn), daemon=True)
        thread.start()
        return thread

    def _work(self, params: dict[str, Any], html: Path, title: str, warn: str) -> None:
        from ..files import notebooks_dir
        from ..render import render_notebook
        from ..report.kinds import KINDS

        try:
            render_notebook(notebooks_dir() / KINDS["project"].notebook, params, html, title=title)
            link = report_link(html, server_root())
            self.status.value = note(
                "ok",
                f'已生成报告：<a class="jx-report-open" href="{esc(link)}" target="_blank" '
                f'rel="noopener">在新标签页中打开 {esc(html.name)}</a>{warn}'
                f'<div class="jx-small">{esc(html)}</div>',
            )
        except Exception as exc:
            self.status.value = error_html(exc)
        finally:
            self.button.disabled = False
