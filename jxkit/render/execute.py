"""Running a parameterised report notebook: cold in a fresh kernel, or warm in a forked process.

A kernel start plus imports cost ~1.8 s per report, ten times the cells' own work. The warm
path pays them once per worker: the worker imports everything, then forks one child per
report; the child runs the notebook through papermill with an in-process engine whose shell
is ipykernel's own ``ZMQInteractiveShell``, its messages turned into outputs by nbclient's
own code. Parameter injection, metadata and error markers are papermill's, so the executed
notebook and the HTML match a cold ``papermill`` run (a test keeps them equal). A fork
gives every report fresh interpreter state: nothing one report sets (matplotlib rcParams,
pandas options, globals) reaches the next.
"""

from __future__ import annotations

import builtins
import datetime as dt
import getpass
import io
import os
import sys
import tempfile
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..dataset.tables import atomic_path
from ..errors import JxkitError, ReportError

if TYPE_CHECKING:
    from nbformat import NotebookNode

__all__ = [
    "INPROCESS_ENGINE",
    "execute_notebook",
    "failure_text",
    "register_inprocess_engine",
]

#: papermill engine name of the in-process engine; registered only inside forked children.
INPROCESS_ENGINE = "jxkit-inprocess"
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"


def execute_notebook(
    notebook: Path,
    parameters: Mapping[str, Any],
    ipynb_path: Path,
    *,
    engine: str | None = None,
    timeout: float | None = None,
) -> NotebookNode:
    """Run ``notebook`` with ``parameters`` through papermill; keep the result at ``ipynb_path``.

    The executed notebook is written atomically even when a cell fails, with papermill's
    error marker and the traceback, for provenance; the failure is then raised as a
    :class:`ReportError` whose text is for the user. ``engine=None`` is a fresh kernel.
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    notebook = Path(notebook)
    if not notebook.is_file():
        raise ReportError(f"找不到报告 notebook：{notebook}")
    extra: dict[str, Any] = {}
    if engine is None and os.name == "posix":
        extra["kernel_manager_class"] = _ipc_kernel_manager_class()
    if timeout is not None:
        extra["execution_timeout"] = timeout
    failure: PapermillExecutionError | None = None
    with atomic_path(ipynb_path) as tmp:
        try:
            nb = papermill.execute_notebook(
                str(notebook),
                str(tmp),
                parameters=dict(parameters),
                engine_name=engine,
                progress_bar=False,
                request_save_on_cell_execute=False,
                cwd=str(notebook.parent),
                **extra,
            )
        except PapermillExecutionError as exc:
            failure = exc  # papermill saved the notebook with the traceback: keep it
    if failure is not None:
        raise ReportError(failure_text(failure.ename, failure.evalue, failure.exec_count))
    return nb


def failure_text(ename: str, evalue: str, exec_count: int | None = None) -> str:
    """A notebook failure in plain words: a jxkit error's own message, else type and message.

    The traceback stays in the executed notebook; users read this line in the index.
    """
    if ename in _jxkit_error_names():
        return evalue.strip() or ename
    where = f"（出错单元格 In [{exec_count}]）" if exec_count else ""
    text = " ".join(f"{ename}: {evalue}".split())
    if len(text) > 300:
        text = text[:297] + "..."
    return f"{text}{where}"


def _jxkit_error_names() -> set[str]:
    names: set[str] = set()
    todo: list[type] = [JxkitError]
    while todo:
        cls = todo.pop()
        names.add(cls.__name__)
        todo.extend(cls.__subclasses__())
    return names


def _ipc_kernel_manager_class() -> type:
    from jupyter_client.manager import AsyncKernelManager

    class IPCKernelManager(AsyncKernelManager):
        """A kernel on Unix sockets: parallel kernels never race for the same TCP port."""

        def __init__(self, **kwargs: Any) -> None:
            kwargs.setdefault("transport", "ipc")
            kwargs.setdefault(
                "ip", os.path.join(tempfile.gettempdir(), f"jxkit-{uuid.uuid4().hex}")
            )
            super().__init__(**kwargs)

    return IPCKernelManager


# --- the in-process engine ------------------------------------------------------------------


def register_inprocess_engine() -> None:
    """Make ``engine_name=INPROCESS_ENGINE`` available to papermill in this process.

    Only a forked child that is thrown away afterwards may use it: running a notebook
    in-process changes the interpreter's global state.
    """
    from papermill.engines import papermill_engines

    papermill_engines.register(INPROCESS_ENGINE, _engine_class())


def _engine_class() -> type:
    from papermill.engines import Engine

    class InProcessEngine(Engine):
        """Run cells in this process with ipykernel's shell; outputs exactly as in a kernel."""

        @classmethod
        def execute_managed_notebook(cls, nb_man: Any, kernel_name: str, **kwargs: Any) -> None:
            _run_cells(nb_man)

    return InProcessEngine


def _run_cells(nb_man: Any) -> None:
    """papermill's cell loop (as in ``PapermillNotebookClient``) over an in-process shell."""
    from ipykernel.ipkernel import IPythonKernel
    from nbclient import NotebookClient

    nb = nb_man.nb
    # nbclient's own message handling turns messages into outputs, as it does for a kernel.
    client = NotebookClient(nb)
    client.reset_execution_trackers()
    streams = sys.stdout, sys.stderr
    shell, session = _kernel_shell(client)
    try:
        for index, cell in enumerate(nb.cells):
            try:
                nb_man.cell_start(cell, index)
                if not _run_cell(shell, session, client, cell, index):
                    nb_man.cell_exception(nb.cells[index], cell_index=index)
                    break
            finally:
                nb_man.cell_complete(nb.cells[index], cell_index=index)
    finally:
        # Whatever is printed from now on (export, PDF) belongs to no cell.
        session.target = None
        sys.stdout, sys.stderr = streams
    nb.metadata["language_info"] = session.roundtrip(dict(IPythonKernel.language_info))


def _run_cell(shell: Any, session: Any, client: Any, cell: NotebookNode, index: int) -> bool:
    """Execute one cell as nbclient asks a kernel to; False if it raised (and may not)."""
    if cell.cell_type != "code" or not cell.source.strip():
        return True
    tags = cell.metadata.get("tags", [])
    if client.skip_cells_with_tag in tags:
        return True
    cell.metadata["execution"] = {"iopub.status.busy": _now()}
    cell.outputs = []
    client.clear_before_next_output = False
    session.target = (cell, index)
    cell.execution_count = shell.execution_count
    cell.metadata["execution"]["iopub.execute_input"] = _now()
    result = shell.run_cell(cell.source, store_history=True, silent=False, cell_id=cell.get("id"))
    # A kernel flushes both streams before it replies.
    sys.stdout.flush()
    sys.stderr.flush()
    cell.metadata["execution"]["shell.execute_reply"] = _now()
    cell.metadata["execution"]["iopub.status.idle"] = _now()
    return bool(result.success) or "raises-exception" in tags


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _kernel_shell(client: Any) -> tuple[Any, Any]:
    """ipykernel's shell wired to a session that hands messages to nbclient, like a kernel."""
    from ipykernel.compiler import XCachingCompiler
    from ipykernel.zmqshell import ZMQInteractiveShell
    from IPython.core.error import StdinNotImplementedError
    from jupyter_client.session import Session
    from traitlets.config import Config

    class Recorder(Session):
        """A session whose ``send`` serialises like the wire and feeds nbclient."""

        target: tuple[NotebookNode, int] | None = None

        def roundtrip(self, content: Any) -> Any:
            return self.unpack(self.pack(content))

        def send(
            self,
            stream: Any,
            msg_or_type: Any,
            content: Any = None,
            parent: Any = None,
            ident: Any = None,
            buffers: Any = None,
            track: bool = False,
            header: Any = None,
            metadata: Any = None,
        ) -> dict[str, Any]:
            if isinstance(msg_or_type, dict):
                msg = msg_or_type
            else:
                msg = self.msg(
                    msg_or_type, content=content, parent=parent, header=header, metadata=metadata
                )
            msg["content"] = self.roundtrip(msg["content"])
            if self.target is not None:
                client.process_message(msg, *self.target)
            return msg

    session = Recorder()
    # As nbclient starts kernels: history in memory, so parallel reports share no database.
    config = Config({"HistoryManager": {"hist_file": ":memory:"}})
    shell: Any = ZMQInteractiveShell.instance(config=config, compiler_class=XCachingCompiler)
    shell.displayhook.session = session
    shell.display_pub.session = session
    sys.stdout = _OutStream("stdout", session)
    sys.stderr = _OutStream("stderr", session)
    if "" not in sys.path:  # as IPKernelApp does: modules beside the notebook import
        sys.path.insert(0, "")

    def no_input(*args: Any, **kwargs: Any) -> str:
        raise StdinNotImplementedError(
            "raw_input was called, but this frontend does not support input requests."
        )

    builtins.input = no_input
    getpass.getpass = no_input
    _wire_matplotlib(shell)
    return shell, session


def _wire_matplotlib(shell: Any) -> None:
    """Do for this shell what importing the inline backend does in a kernel.

    The warm worker imported pyplot and the inline backend before any shell existed, so the
    hook that connects them to the shell (figures shown after each cell, PNG formatter) ran
    with nothing to connect; run it now.
    """
    if "matplotlib_inline.backend_inline" not in sys.modules:
        return  # the notebook's own import will do it, as in a kernel
    import matplotlib
    from IPython.core.pylabtools import activate_matplotlib
    from matplotlib_inline.backend_inline import configure_inline_support

    backend = matplotlib.get_backend(auto_select=False)
    if backend in ("inline", INLINE_BACKEND):
        activate_matplotlib(backend)
        configure_inline_support(shell, backend)


class _OutStream(io.TextIOBase):
    """stdout/stderr as ipykernel's ``OutStream`` publishes them, minus the timed flush.

    Text is buffered and sent as one ``stream`` message at each flush: before a display,
    before an error, at the end of the cell.
    """

    def __init__(self, name: str, session: Any) -> None:
        super().__init__()
        self.name = name
        self._session = session
        self._buffer: list[str] = []

    encoding = "UTF-8"

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        if text:
            self._buffer.append(text)
        return len(text)

    def flush(self) -> None:
        if self._buffer:
            text = "".join(self._buffer)
            self._buffer.clear()
            self._session.send(None, "stream", {"name": self.name, "text": text})
