"""One report from notebook to files: executed ``.ipynb``, ``.html``, optionally ``.pdf``."""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import JxkitError, ReportError, os_error_text
from .execute import INLINE_BACKEND, INPROCESS_ENGINE, execute_notebook, failure_text
from .export import export_html, pdf_support, write_html, write_pdf
from .fonts import preload_font, warm_charts
from .workers import Outcome, failed

if TYPE_CHECKING:
    from .batch import Job

__all__ = [
    "FORMATS",
    "PRELOAD_MODULES",
    "Task",
    "check_formats",
    "clean_task",
    "plain_error",
    "render_notebook",
    "run_task",
    "warm_up",
]

FORMATS = ("html", "pdf", "docx")
#: Imported once per warm worker so that no report pays for them. Whatever else reports
#: import, a worker imports after its first report (see :mod:`~jxkit.render.workers`).
PRELOAD_MODULES = ("numpy", "pandas", "matplotlib.pyplot", "IPython.display", "jxkit")


def check_formats(formats: Iterable[str]) -> tuple[str, ...]:
    """The requested output formats in a fixed order; HTML is always made (PDF is printed from it)."""
    wanted = {f.strip().lower() for f in formats if f.strip()}
    unknown = wanted - set(FORMATS)
    if unknown:
        raise ReportError(
            f"不支持的报告格式：{'、'.join(sorted(unknown))}（可选：html、pdf、docx）"
        )
    return tuple(f for f in FORMATS if f in wanted or f == "html")


def render_notebook(
    notebook: str | os.PathLike[str],
    parameters: Mapping[str, Any],
    html_path: str | os.PathLike[str],
    *,
    title: str | None = None,
    formats: Iterable[str] = ("html",),
    timeout: float | None = None,
) -> Path:
    """Render one report cold: papermill in a fresh kernel, then our HTML (and PDF) export.

    The executed notebook is kept beside the HTML (``.ipynb``) for provenance, also when a
    cell fails; the failure is raised as :class:`ReportError` in plain words. This is the
    reference path the warm batch path is checked against. Returns the HTML path.
    """
    notebook = Path(notebook)
    html_path = Path(html_path)
    _render(
        notebook,
        parameters,
        html_path,
        title or notebook.stem,
        check_formats(formats),
        None,
        timeout,
    )
    return html_path


def _render(
    notebook: Path,
    parameters: Mapping[str, Any],
    html_path: Path,
    title: str,
    formats: tuple[str, ...],
    engine: str | None,
    timeout: float | None,
) -> None:
    pdf_path = html_path.with_suffix(".pdf")
    try:
        nb = execute_notebook(
            notebook, parameters, html_path.with_suffix(".ipynb"), engine=engine, timeout=timeout
        )
        page = export_html(nb, title=title)
        write_html(page, html_path)
        if "pdf" in formats:
            write_pdf(page, pdf_path)
        if "docx" in formats:  # Word, built from the same page (same headings and tables)
            from ..report.docx import write_docx

            write_docx(page, html_path.with_suffix(".docx"), title=title)
    except BaseException:
        # A failed report must not leave an older page that looks like its result.
        html_path.unlink(missing_ok=True)
        pdf_path.unlink(missing_ok=True)
        html_path.with_suffix(".docx").unlink(missing_ok=True)
        raise


def plain_error(exc: BaseException) -> str:
    """An exception as users read it: jxkit's own message, else type and message on one line."""
    if isinstance(exc, JxkitError):
        return str(exc)
    if isinstance(exc, OSError):
        return os_error_text(exc)
    return failure_text(type(exc).__name__, str(exc))


# --- in warm workers ------------------------------------------------------------------------


@dataclass(frozen=True)
class Task:
    """What a worker needs to render one job."""

    job: Job
    out_dir: Path
    formats: tuple[str, ...]
    timeout: float | None


def warm_up(formats: tuple[str, ...], prepare: Callable[[], object] | None = None) -> None:
    """Import and prepare once per worker everything each report would otherwise pay for.

    ``prepare`` is the caller's share: e.g. load and score the dataset that every report
    reads, so that reports forked afterwards find it in memory. If it fails, the reports
    that need it fail with their own message.
    """
    # As IPKernelApp does before any user code, so matplotlib picks the inline backend.
    os.environ.setdefault("MPLBACKEND", INLINE_BACKEND)
    _import_jsonschema()
    for name in PRELOAD_MODULES:
        try:
            import_module(name)
        except Exception:  # the report that needs it will say why
            continue
    for name in (
        "papermill",
        "papermill.translators",
        "nbclient",
        "ipykernel.zmqshell",
        "ipykernel.compiler",
        "ipykernel.ipkernel",
        "jupyter_client.session",
        "IPython.core.pylabtools",
        # what making each report's shell imports (its history database, completer, debugger)
        "sqlite3",
        "bdb",
        "IPython.core.application",
        "IPython.core.completerlib",
        "IPython.core.crashhandler",
        "IPython.core.logger",
        "IPython.core.oinspect",
        "IPython.utils.wildcard",
    ):
        import_module(name)
    import matplotlib

    if matplotlib.get_backend(auto_select=False) == INLINE_BACKEND:
        import matplotlib.pyplot as plt

        plt.switch_backend(INLINE_BACKEND)
    preload_font()
    from .export import warm_exporter

    warm_exporter()
    if "pdf" in formats:
        pdf_support()
    if prepare is not None:
        with contextlib.suppress(Exception):
            prepare()
    if "matplotlib.figure" in sys.modules:  # after prepare: with the fonts reports use
        with contextlib.suppress(Exception):
            warm_charts()


def _import_jsonschema() -> None:
    """Import jsonschema (nbformat validates with it) without the IRI grammar of
    ``rfc3987_syntax``: jsonschema builds that grammar at import only to offer an "iri"
    format check that notebooks never use, and it takes a second of every warm-up. Modules
    imported afterwards can still import ``rfc3987_syntax`` themselves."""
    if "jsonschema" in sys.modules or "rfc3987_syntax" in sys.modules:
        return
    sys.modules["rfc3987_syntax"] = None  # type: ignore[assignment]  # import raises ImportError
    try:
        with contextlib.suppress(Exception):  # nbformat will say why when it needs it
            import_module("jsonschema")
    finally:
        if sys.modules.get("rfc3987_syntax", 0) is None:
            del sys.modules["rfc3987_syntax"]


def clean_task(task: Task) -> None:
    """After a report's process was killed: remove its half-written files and its old page.

    Temporary files are the ones :func:`~jxkit.tables.atomic_path` makes beside a target,
    named ``.<target name>.<random><suffix>``.
    """
    html = task.out_dir / task.job.output
    for target in (html, *(html.with_suffix(x) for x in (".ipynb", ".pdf", ".docx"))):
        for tmp in target.parent.glob(f".{target.name}.*"):
            tmp.unlink(missing_ok=True)
    html.unlink(missing_ok=True)
    html.with_suffix(".pdf").unlink(missing_ok=True)
    html.with_suffix(".docx").unlink(missing_ok=True)


def run_task(task: Task, warm: bool) -> Outcome:
    """Render one job; in a forked child of a warm worker, ``warm`` runs it in-process."""
    from .execute import register_inprocess_engine

    start = time.perf_counter()
    job = task.job
    engine = None
    if warm:
        register_inprocess_engine()
        engine = INPROCESS_ENGINE
    try:
        _render(
            job.notebook,
            job.parameters,
            task.out_dir / job.output,
            job.title,
            task.formats,
            engine,
            task.timeout,
        )
    except Exception as exc:  # every failure is this report's, in plain words
        outcome = failed(plain_error(exc), time.perf_counter() - start)
        if isinstance(exc, OSError) and exc.errno is not None:
            outcome["errno"] = exc.errno  # a full disk stops the batch (see batch.py)
        return outcome
    return {"status": "ok", "error": "", "seconds": time.perf_counter() - start}
