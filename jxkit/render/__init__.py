"""Report rendering: parameterised notebooks to self-contained HTML (and PDF), in batches.

One concept per module: :mod:`~jxkit.render.fonts` (Chinese in charts and pages),
:mod:`~jxkit.render.execute` (papermill, cold kernel or warm in-process engine),
:mod:`~jxkit.render.export` (our nbconvert template, PDF), :mod:`~jxkit.render.workers`
(warm processes that fork per report), :mod:`~jxkit.render.cluster` (the same on a Dask
cluster; imported only when given one), :mod:`~jxkit.render.report` (one report),
:mod:`~jxkit.render.batch` (jobs, checks, resume, index). It knows no report kind: those are
:mod:`jxkit.report.kinds`; the command is :mod:`jxkit.cli.render`.

Names load lazily: a report notebook that calls ``setup_fonts()`` does not import nbconvert.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .batch import BatchResult, Job, JobResult, render_batch
    from .export import export_html
    from .fonts import setup_fonts
    from .report import render_notebook

__all__ = [
    "BatchResult",
    "Job",
    "JobResult",
    "export_html",
    "render_batch",
    "render_notebook",
    "setup_fonts",
]

_HOME = {
    "BatchResult": "batch",
    "Job": "batch",
    "JobResult": "batch",
    "render_batch": "batch",
    "export_html": "export",
    "setup_fonts": "fonts",
    "render_notebook": "report",
}


def __getattr__(name: str) -> Any:
    if name in _HOME:
        return getattr(import_module(f".{_HOME[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
