"""Errors in the workbench are shown beside what failed, in plain words, never as a traceback."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import DataError, JxkitError
from .style import esc, note

__all__ = ["error_html", "guarded"]


def error_html(exc: BaseException) -> str:
    """An error as a notice: jxkit's own errors as their message (with the problem table)."""
    if isinstance(exc, DataError) and len(exc.problems) > 1:
        items = "".join(f"<li>{esc(p)}</li>" for p in exc.problems[:30])
        more = f"<li>…… 共 {len(exc.problems)} 处</li>" if len(exc.problems) > 30 else ""
        return note("error", f"<b>{esc(exc.title)}</b><ul>{items}{more}</ul>")
    if isinstance(exc, JxkitError):
        return note("error", esc(str(exc)))
    return note("error", f"出错了（{esc(type(exc).__name__)}）：{esc(exc)}")


def guarded(
    report: Callable[[BaseException], None], func: Callable[..., Any]
) -> Callable[..., None]:
    """``func`` for a widget callback: an exception goes to ``report`` instead of the log."""

    def run(*args: Any) -> None:
        try:
            func(*args)
        except Exception as exc:  # every failure is shown to the assessor, in plain words
            report(exc)

    return run
