"""Warm worker processes that fork one short-lived child per task.

Each worker is a fresh interpreter (``spawn``: safe even when the caller is a Jupyter
kernel with threads) that runs ``warm`` once, importing everything a report needs; then for
each task it forks, the child runs the task and exits. A caller that is only the batch and
has one thread (the ``jxkit render`` command) may instead warm up itself and fork its
workers warm (``warm_here``): one warm-up for all of them. Whatever happens in a child (an
exception, a crash, a hang past the timeout) becomes that task's failure, never the
batch's. Where there is no ``fork`` (Windows) the worker runs tasks itself, cold.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import pickle
import select
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Generator, Sequence
from importlib import import_module
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

__all__ = [
    "CAN_FORK",
    "Outcome",
    "failed",
    "one_blas_thread",
    "run_one",
    "run_pool",
    "warm_process",
]

_MODULES = "_modules"
_KILLED = "_killed"

#: A task's result as the caller sees it: ``status`` ("ok"/"failed"), ``error``, ``seconds``...
Outcome = dict[str, Any]
#: ``run(task, warm)``: warm is True inside a forked child of a warmed worker.
Runner = Callable[[Any, bool], Outcome]
#: ``clean(task)``: remove what a child killed mid-task left behind (temporary files).
Cleaner = Callable[[Any], None]

# macOS forks badly once system frameworks are loaded; Windows cannot fork at all.
CAN_FORK = hasattr(os, "fork") and sys.platform != "darwin"


def failed(error: str, seconds: float = 0.0) -> Outcome:
    """An outcome for a task that did not finish."""
    return {"status": "failed", "error": error, "seconds": seconds}


def run_pool(
    tasks: Sequence[Any],
    *,
    workers: int,
    warm: Callable[[], None],
    run: Runner,
    clean: Cleaner,
    timeout: float | None = None,
    warm_here: bool = False,
) -> Generator[tuple[int, Outcome], None, None]:
    """Run ``tasks`` on ``workers`` warm processes; yield ``(task index, outcome)`` as they end.

    ``warm``, ``run`` and ``clean`` must be module-level functions (or partials of them):
    they are sent to new interpreters. With ``warm_here``, when this process has no other
    thread, it warms up itself and forks the workers from it: one warm-up instead of one
    per worker, and no new interpreter to start.
    """
    if not tasks:
        return
    here = warm_here and CAN_FORK and threading.active_count() == 1
    if here:
        warm_process(warm)
    context: Any = multiprocessing.get_context("fork" if here else "spawn")
    queue = deque(enumerate(tasks))
    busy: dict[Connection, int] = {}
    processes: dict[Connection, Any] = {}

    def start_worker() -> Connection:
        ours, theirs = context.Pipe()
        process = context.Process(
            target=_worker_main,
            args=(theirs, None if here else warm, run, clean, timeout),
            name="jxkit-render-worker",
            daemon=True,
        )
        process.start()
        theirs.close()
        processes[ours] = process
        return ours

    def feed(conn: Connection) -> None:
        if queue:
            index, task = queue.popleft()
            conn.send((index, task))
            busy[conn] = index

    try:
        for _ in range(max(1, min(workers, len(tasks)))):
            feed(start_worker())
        while busy:
            for conn in wait(list(busy)):
                assert isinstance(conn, Connection)
                index = busy.pop(conn)
                try:
                    outcome: Outcome = conn.recv()
                except (EOFError, OSError):
                    # The worker itself died (killed from outside, out of memory): replace it.
                    processes.pop(conn).join(timeout=1)
                    conn.close()
                    outcome = failed("报告工作进程意外退出（可能是内存不足或被系统终止）")
                    if queue:
                        conn = start_worker()
                yield index, outcome
                feed(conn)
    finally:
        for conn, process in processes.items():
            if conn in busy:  # interrupted mid-report: its SIGTERM handler kills the child
                process.terminate()
            else:
                with contextlib.suppress(OSError):
                    conn.send(None)
            process.join(timeout=5)
            if process.is_alive():
                process.terminate()
                process.join(timeout=5)
            conn.close()


def _worker_main(
    conn: Connection,
    warm: Callable[[], None] | None,
    run: Runner,
    clean: Cleaner,
    timeout: float | None,
) -> None:
    """A worker: warm up once (unless forked warm), then take tasks until told to stop."""
    # Ctrl-C is the parent's to handle; on SIGTERM the child must not outlive its worker.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    child: list[int] = []

    def on_term(signum: int, frame: Any) -> None:
        for pid in child:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        os._exit(1)

    signal.signal(signal.SIGTERM, on_term)
    if warm is not None:
        warm_process(warm)
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        _, task = message
        conn.send(run_one(run, clean, task, timeout, child))


def warm_process(warm: Callable[[], None]) -> None:
    """Warm this process once for the tasks it will fork (a local worker, a Dask worker)."""
    if not CAN_FORK:
        return
    one_blas_thread()
    # A failed warm-up only makes reports slower; the reports that hit the same problem
    # say what it is. The collector waits till the end: its passes over a loaded dataset
    # while modules import cost a fifth of the warm-up, and what it would free is little.
    gc.disable()
    try:
        with contextlib.suppress(Exception):
            warm()
    finally:
        gc.enable()
    # Objects made so far are shared with every child; keep the collector off them so
    # children do not copy their pages.
    gc.collect()
    gc.freeze()


def one_blas_thread() -> None:
    """One BLAS thread per process from now on (it counts when set before NumPy loads):
    workers already fill the cores, and a forked child of a process with idle BLAS threads
    is safer without them. A command that will fork its workers calls it first thing."""
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(name, "1")


def run_one(
    run: Runner, clean: Cleaner, task: Any, timeout: float | None, child: list[int]
) -> Outcome:
    """One task in a forked child of this warm process (here, cold, where there is no fork).

    ``child`` holds the running child's pid while it runs, for a SIGTERM handler to kill.
    """
    if not CAN_FORK:
        return _run_here(run, task)
    outcome = _run_forked(run, task, timeout, child)
    if outcome.pop(_KILLED, False):
        with contextlib.suppress(Exception):
            clean(task)
    _adopt(outcome.pop(_MODULES, []))
    return outcome


def _run_here(run: Runner, task: Any) -> Outcome:
    start = time.perf_counter()
    try:
        return run(task, False)
    except Exception as exc:  # reported as this task's failure
        return failed(f"{type(exc).__name__}: {exc}", time.perf_counter() - start)


def _run_forked(run: Runner, task: Any, timeout: float | None, child: list[int]) -> Outcome:
    """Run one task in a forked child; turn its exit, crash or hang into an outcome."""
    start = time.perf_counter()
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: run, report through the pipe, never return
        os.close(read_fd)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        _reseed()
        before = set(sys.modules)
        try:
            outcome = run(task, True)
        except BaseException as exc:  # the child must always report
            outcome = failed(f"{type(exc).__name__}: {exc}", time.perf_counter() - start)
        outcome[_MODULES] = _installed_modules(set(sys.modules) - before)
        try:
            data = pickle.dumps(outcome)
            view = memoryview(data)
            while view:
                view = view[os.write(write_fd, view) :]
        finally:
            os._exit(0)  # skip the worker's atexit handlers and buffers: they are not ours
    os.close(write_fd)
    child.append(pid)
    chunks: list[bytes] = []
    timed_out = False
    deadline = None if timeout is None else start + timeout
    try:
        while True:
            if deadline is not None:
                left = deadline - time.perf_counter()
                if left <= 0 or not select.select([read_fd], [], [], left)[0]:
                    timed_out = True
                    os.kill(pid, signal.SIGKILL)
                    break
            chunk = os.read(read_fd, 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(read_fd)
        _, status = os.waitpid(pid, 0)
        child.remove(pid)
    seconds = time.perf_counter() - start
    if timed_out:
        return {**failed(f"超过 {timeout:g} 秒仍未完成，已中止", seconds), _KILLED: True}
    if chunks:
        outcome = pickle.loads(b"".join(chunks))
        outcome.setdefault("seconds", seconds)
        return outcome
    if os.WIFSIGNALED(status):
        name = signal.Signals(os.WTERMSIG(status)).name
        error = f"报告进程意外终止（信号 {name}），可能是内存不足或扩展库崩溃"
    else:
        error = f"报告进程意外退出（退出码 {os.waitstatus_to_exitcode(status)}）"
    return {**failed(error, seconds), _KILLED: True}


def _installed_modules(names: set[str]) -> list[str]:
    """The modules a child imported that come from installed packages (not the notebook's folder).

    A module beside a notebook must never be imported by the worker: it would shadow the
    module of the same name beside another notebook.
    """
    roots = tuple(
        str(Path(p).resolve()) + os.sep for p in {sys.prefix, sys.base_prefix, *_package_roots()}
    )
    found = []
    for name in names:
        module = sys.modules.get(name)
        origin = getattr(getattr(module, "__spec__", None), "origin", None)
        if origin in ("built-in", "frozen") or (
            isinstance(origin, str) and str(Path(origin).resolve()).startswith(roots)
        ):
            found.append(name)
    return sorted(found)


def _package_roots() -> list[str]:
    import jxkit

    return [str(Path(jxkit.__file__).resolve().parent)]


def _adopt(names: list[str]) -> None:
    """Import in the worker what its children imported, so later children find it loaded.

    The first report of a batch teaches the worker what a report imports (the notebook's
    libraries, the font subsetter, PIL's plug-ins); the rest skip those imports.
    """
    fresh = [name for name in names if name not in sys.modules]
    for name in fresh:
        with contextlib.suppress(Exception):
            import_module(name)
    if fresh:
        gc.collect()
        gc.freeze()


def _reseed() -> None:
    """A fresh kernel seeds NumPy's global generator from the OS; so must a forked child."""
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        numpy.random.seed()
