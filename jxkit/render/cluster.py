"""Reports on an existing Dask distributed cluster, when one machine is not enough.

Each Dask worker warms up once (a worker plugin runs the same warm-up as a local worker),
then every report runs in a forked child of that worker, exactly as on a local worker: a
crash or a hang is that report's failure, and the Dask worker lives on. Reports are written
by the workers, so the output folder must be one path that every worker machine sees (a
shared folder). Imported only when a batch is given a Dask client: ``distributed`` is an
optional extra (``pip install "jxkit[dask]"``).
"""

from __future__ import annotations

import hashlib
import pickle
import uuid
from collections.abc import Callable, Generator, Sequence
from typing import Any

from distributed import Client, WorkerPlugin, as_completed

from .workers import Cleaner, Outcome, Runner, failed, run_one, warm_process

__all__ = ["WarmWorker", "run_on_cluster"]


class WarmWorker(WorkerPlugin):
    """Warm a Dask worker once for the reports it will fork (imports, fonts, the dataset)."""

    #: registered again under the same name (a second batch), it leaves warm workers be
    idempotent = True

    def __init__(self, warm: Callable[[], None]) -> None:
        self.warm = warm

    def setup(self, worker: Any) -> None:
        warm_process(self.warm)


def run_on_cluster(
    tasks: Sequence[Any],
    *,
    client: Client,
    warm: Callable[[], None],
    run: Runner,
    clean: Cleaner,
    timeout: float | None = None,
) -> Generator[tuple[int, Outcome], None, None]:
    """Run ``tasks`` on the cluster behind ``client``; yield ``(task index, outcome)`` as they end.

    The same contract as :func:`~jxkit.render.workers.run_pool`. The plugin is named after
    the warm-up, so a second batch with the same warm-up does not warm the workers again.
    """
    if not tasks:
        return
    name = "jxkit-render-" + hashlib.sha256(pickle.dumps(warm)).hexdigest()[:16]
    client.register_plugin(WarmWorker(warm), name=name)
    batch = uuid.uuid4().hex[:8]
    futures = {
        client.submit(
            _run_task, run, clean, task, timeout, key=f"jxkit-render-{batch}-{i}", pure=False
        ): i
        for i, task in enumerate(tasks)
    }
    try:
        for future in as_completed(futures):
            try:
                outcome: Outcome = future.result()
            except Exception as exc:  # the Dask worker itself was lost (killed, out of memory)
                outcome = failed(f"集群工作进程意外退出（{type(exc).__name__}），可能是内存不足")
            yield futures[future], outcome
    finally:
        client.cancel([f for f in futures if not f.done()])


def _run_task(run: Runner, clean: Cleaner, task: Any, timeout: float | None) -> Outcome:
    """On a Dask worker: one report in a forked child of the warmed worker."""
    return run_one(run, clean, task, timeout, [])
