"""Render benchmark: the serial papermill + nbconvert CLI loop against ``jxkit render``.

One run renders the same project reports of a dataset (20 of the demo's by default) three
or four ways, on this machine: the CLI loop (``papermill`` then ``jupyter nbconvert``, one
report after another), ``jxkit render --workers 1`` and ``--workers 2`` (the command as users
run it, start-up included), and with ``--dask`` ``render_batch(client=...)`` on a
``LocalCluster`` of 2 worker processes. It prints seconds per report beside the cells' own
time (papermill's per-cell durations in the executed notebooks), reports per minute, and the
speed-up over the loop (target: 30x with 2 workers). Figures, not a timed test.

    python benchmarks/render.py
    python benchmarks/render.py --reports 20 --dask
    python benchmarks/render.py --scale 2820 --reports 3000 --workers 2   # big synthetic batch

``--scale N`` generates a synthetic dataset of N projects (``jxkit synth``), renders its
first ``--reports`` project reports with ``render_batch`` as ``jxkit render`` does, and
samples memory: peak per worker is the worker's resident memory plus the private memory of
the report it is running.

``--profile`` prints what one report costs, part by part: the warm-up a batch pays once
(imports, dataset, results), then one report in a forked child of the warm process (its
cells, papermill and the in-process shell around them, the HTML export, the writes).

Python's bytecode cache is filled first (``compileall``): a machine that runs with
``PYTHONDONTWRITEBYTECODE`` (this sandbox does) would otherwise compile jxkit's modules
afresh in every process, the CLI loop's kernels and ``jxkit render`` alike, which an
installed package never does.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TARGET = 30


def compile_bytecode() -> None:
    """Fill jxkit's bytecode cache, as ``pip install`` does for an installed package."""
    import compileall

    import jxkit

    compileall.compile_dir(str(Path(jxkit.__file__).parent), quiet=1)


def project_jobs(dataset: Path, n: int) -> list[Any]:
    from jxkit.report.kinds import jobs_for_dataset

    jobs = jobs_for_dataset(dataset, kinds=["project"])
    if len(jobs) < n:
        raise SystemExit(f"数据集 {dataset} 只有 {len(jobs)} 份项目报告，少于 {n}")
    return list(jobs[:n])


def cli_loop(jobs: Sequence[Any], out: Path) -> float:
    """The baseline: papermill CLI then ``jupyter nbconvert --to html --no-input``, serially."""
    out.mkdir(parents=True)
    start = time.perf_counter()
    for i, job in enumerate(jobs):
        ipynb = out / f"{job.key}.ipynb"
        command = [str(BIN / "papermill"), str(job.notebook), str(ipynb), "--no-progress-bar"]
        command += ["--cwd", str(job.notebook.parent)]
        for key, value in job.parameters.items():
            if isinstance(value, str):
                command += ["-r", key, value]
            else:
                command += ["-y", json.dumps({key: value})]
        subprocess.run(command, check=True, capture_output=True)
        subprocess.run(
            [str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(ipynb)],
            check=True,
            capture_output=True,
        )
        print(f"\r  命令行循环：{i + 1}/{len(jobs)}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    return time.perf_counter() - start


def jxkit_render(dataset: Path, jobs: Sequence[Any], out: Path, workers: int) -> float:
    """``jxkit render --workers N --only ...``: the command, its start-up included."""
    command = [str(BIN / "jxkit"), "render", str(dataset), "--out", str(out), "--kind", "project"]
    command += ["--only", ",".join(j.key for j in jobs), "--workers", str(workers)]
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def on_dask(dataset: Path, jobs: Sequence[Any], out: Path, workers: int) -> float:
    """``render_batch(client=...)`` on a LocalCluster (its start-up not counted)."""
    from distributed import Client, LocalCluster

    from jxkit.cli.report import warm_for
    from jxkit.render import render_batch

    with (
        LocalCluster(n_workers=workers, threads_per_worker=1, processes=True) as cluster,
        Client(cluster) as client,
    ):
        start = time.perf_counter()
        result = render_batch(
            jobs,
            out,
            client=client,
            prepare=warm_for(jobs, str(dataset.resolve())),
        )
        seconds = time.perf_counter() - start
    check(result)
    return seconds


def check(result: Any) -> None:
    if result.failed:
        first = result.failed[0]
        raise SystemExit(f"有 {len(result.failed)} 份失败，例如 {first.job.key}：{first.error}")


def cell_seconds(folder: Path, jobs: Sequence[Any]) -> float:
    """Mean of the cells' own time per report (papermill's per-cell durations)."""
    import nbformat

    total = 0.0
    for job in jobs:
        path = folder / job.output.with_suffix(".ipynb")
        if not path.is_file():
            path = folder / f"{job.key}.ipynb"  # the CLI loop's flat folder
        nb = nbformat.read(path, as_version=4)
        total += sum(c.metadata.get("papermill", {}).get("duration") or 0.0 for c in nb.cells)
    return total / len(jobs)


_SAMPLER = """
import json, os, sys, time
import psutil
parent, out, interval = psutil.Process(int(sys.argv[1])), sys.argv[2], float(sys.argv[3])
peaks, me = {}, os.getpid()
while parent.is_running():
    for worker in parent.children():
        if worker.pid == me:
            continue
        try:
            used = worker.memory_info().rss
            used += sum(c.memory_full_info().uss for c in worker.children())
        except psutil.Error:
            continue
        peaks[worker.pid] = max(peaks.get(worker.pid, 0), used)
    with open(out + ".tmp", "w") as f:
        json.dump(peaks, f)
    os.replace(out + ".tmp", out)
    time.sleep(interval)
"""


class MemorySampler:
    """Peak memory per render worker: its resident set plus its running report's private pages.

    It samples from a process of its own: a thread here would make ``render_batch`` start
    fresh workers instead of forking them warm, as the command does.
    """

    def __init__(self, scratch: Path, interval: float = 0.5) -> None:
        self._out = scratch / "memory.json"
        self._interval = interval
        self.peaks: dict[int, int] = {}

    def __enter__(self) -> MemorySampler:
        command = [sys.executable, "-c", _SAMPLER, str(os.getpid()), str(self._out)]
        self._process = subprocess.Popen([*command, str(self._interval)])
        return self

    def __exit__(self, *exc: object) -> None:
        time.sleep(self._interval * 2)  # one more sample written
        self._process.terminate()
        self._process.wait()
        if self._out.is_file():
            self.peaks = {int(k): v for k, v in json.loads(self._out.read_text()).items()}


def scale(args: argparse.Namespace, scratch: Path) -> None:
    """A big synthetic batch: time, reports per minute and peak memory per worker."""
    from jxkit.cli.report import warm_for
    from jxkit.render import render_batch

    dataset = scratch / "synth"
    subprocess.run(
        [BIN / "jxkit", "synth", "--projects", str(args.scale), "--seed", "18", "--out", dataset],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    jobs = project_jobs(dataset, args.reports)
    print(f"模拟数据 {args.scale} 个项目；渲染 {len(jobs)} 份项目报告，{args.workers} 个进程")
    with MemorySampler(scratch) as memory:
        start = time.perf_counter()
        result = render_batch(
            jobs,
            scratch / "batch",
            workers=args.workers,
            prepare=warm_for(jobs, str(dataset.resolve())),
            warm_here=True,  # as the command: this process warms up and forks the workers
        )
        seconds = time.perf_counter() - start
    print(f"总用时 {seconds:.0f} 秒；每分钟 {len(jobs) / seconds * 60:.0f} 份")
    if result.failed:  # projects that cannot be scored: their report says why
        first = result.failed[0]
        print(f"其中 {len(result.failed)} 份失败，例如 {first.job.key}：{first.error}")
    print(f"每份 {seconds / len(jobs) * args.workers:.2f} 秒·进程")
    import psutil

    here = psutil.Process().memory_info().rss
    print(
        f"  主进程（预热后分出工作进程；与之共享的内存页也计在各工作进程中）：{here / 2**20:.0f} MB"
    )
    for pid, peak in sorted(memory.peaks.items()):
        print(f"  工作进程 {pid}：内存峰值 {peak / 2**20:.0f} MB")


class Stopwatch:
    """Seconds spent in named functions, by wrapping them where they are looked up."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def wrap(self, owner: Any, name: str, label: str) -> None:
        inner = getattr(owner, name)

        def timed(*a: Any, **kw: Any) -> Any:
            start = time.perf_counter()
            try:
                return inner(*a, **kw)
            finally:
                self.seconds[label] = self.seconds.get(label, 0.0) + time.perf_counter() - start

        setattr(owner, name, timed)


def profile(args: argparse.Namespace, scratch: Path) -> None:
    """One report's costs, part by part, as ``jxkit render`` pays them (figures, not a test)."""
    started = time.perf_counter()
    import pandas  # noqa: F401  # what the command imports before it lists the reports

    imported = time.perf_counter() - started
    from jxkit.files import demo_dataset, resolve_dataset

    dataset = resolve_dataset(args.dataset) if args.dataset else demo_dataset()
    start = time.perf_counter()
    jobs = project_jobs(dataset, args.reports)
    listing = time.perf_counter() - start
    from jxkit.cli.report import warm_for
    from jxkit.render import export, report, workers
    from jxkit.report import blocks

    watch = Stopwatch()
    for name, label in (
        ("_import_jsonschema", "导入 jsonschema"),
        ("preload_font", "字体"),
        ("warm_charts", "图表预热"),
    ):
        watch.wrap(report, name, label)
    watch.wrap(export, "warm_exporter", "导出模板")
    for name, label in (
        ("_loaded", "读取并评分数据集"),
        ("_comparison", "自评与复核比较"),
        ("_application", "结果应用"),
        ("_assessment", "工作考核"),
    ):
        watch.wrap(blocks, name, label)
    print(f"数据集：{dataset}；剖析第 1 至 {len(jobs)} 份项目报告")
    print(f"\n一批只付一次（主进程，列出报告与预热）：\n  导入 pandas 等 {imported:.3f} 秒")
    print(f"  列出报告（读取、检查、评分数据集） {listing:.3f} 秒")
    start = time.perf_counter()  # as a worker warms up (the collector paused, then frozen)
    workers.warm_process(partial(report.warm_up, ("html",), warm_for(jobs, str(dataset.resolve()))))
    warm = time.perf_counter() - start
    parts = dict(watch.seconds)
    parts.pop("读取并评分数据集", None)  # loaded by the listing already
    for label, seconds in parts.items():
        print(f"  {label} {seconds:.3f} 秒")
    print(
        f"  其他导入（papermill、nbconvert、matplotlib、ipykernel） {warm - sum(parts.values()):.3f} 秒"
    )
    print(f"  预热合计 {warm:.3f} 秒")
    out = scratch / "profile"
    for job in jobs:
        (out / job.output).parent.mkdir(parents=True, exist_ok=True)
    child = Stopwatch()
    child.wrap(report, "execute_notebook", "执行笔记本")
    child.wrap(report, "export_html", "导出 HTML")
    child.wrap(report, "write_html", "写出 HTML")
    rows = []
    for job in jobs:
        read, write = os.pipe()
        start = time.perf_counter()
        pid = os.fork()
        if pid == 0:  # a report as a warm worker runs it
            os.close(read)
            child.seconds.clear()
            outcome = report.run_task(report.Task(job, out, ("html",), None), True)
            os.write(write, json.dumps({**child.seconds, "状态": outcome["status"]}).encode())
            os._exit(0)
        os.close(write)
        data = b""
        while chunk := os.read(read, 1 << 16):
            data += chunk
        os.close(read)
        os.waitpid(pid, 0)
        figures = json.loads(data)
        figures["整份（含分叉）"] = time.perf_counter() - start
        figures["单元格"] = cell_seconds(out, [job])
        rows.append(figures)
    assert all(r.pop("状态") == "ok" for r in rows)
    later = rows[1:] or rows
    n = len(later)
    mean = {k: sum(r[k] for r in later) / n for k in later[0]}
    print(
        f"\n每份报告（第 2 至 {len(rows)} 份的平均；第 1 份 {rows[0]['整份（含分叉）']:.3f} 秒）："
    )
    print(f"  单元格自身 {mean['单元格']:.3f} 秒")
    print(f"  papermill 与进程内 shell {mean['执行笔记本'] - mean['单元格']:.3f} 秒")
    print(f"  导出 HTML {mean['导出 HTML']:.3f} 秒；写出 {mean['写出 HTML']:.3f} 秒")
    other = mean["整份（含分叉）"] - mean["执行笔记本"] - mean["导出 HTML"] - mean["写出 HTML"]
    print(f"  分叉、写出 .ipynb 及其他 {other:.3f} 秒")
    print(f"  整份 {mean['整份（含分叉）']:.3f} 秒")


def main() -> None:
    parser = argparse.ArgumentParser(description="报告渲染基准：命令行循环 对比 jxkit render")
    parser.add_argument("--dataset", type=Path, default=None, help="数据集（默认示例数据）")
    parser.add_argument("--reports", type=int, default=20, help="项目报告份数（默认 20）")
    parser.add_argument("--workers", type=int, default=2, help="最多的进程数（默认 2）")
    parser.add_argument("--dask", action="store_true", help="另在 2 进程的 LocalCluster 上渲染")
    parser.add_argument("--scale", type=int, default=None, help="改为渲染 N 个项目的模拟数据")
    parser.add_argument("--profile", action="store_true", help="改为列出一份报告各部分的用时")
    parser.add_argument("--keep", action="store_true", help="保留输出文件夹")
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="jxkit-bench-"))
    print(f"CPU 核数：{os.cpu_count()}")
    compile_bytecode()
    try:
        if args.profile:
            profile(args, scratch)
        elif args.scale:
            scale(args, scratch)
        else:
            compare(args, scratch)
    finally:
        if args.keep:
            print(f"输出保留在 {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)


def compare(args: argparse.Namespace, scratch: Path) -> None:
    from jxkit.files import demo_dataset, resolve_dataset

    dataset = resolve_dataset(args.dataset) if args.dataset else demo_dataset()
    jobs = project_jobs(dataset, args.reports)
    print(f"数据集：{dataset}；项目报告 {len(jobs)} 份")
    runs: list[tuple[str, float, float]] = []
    seconds = cli_loop(jobs, scratch / "cli")
    runs.append(
        ("papermill + nbconvert 命令行，串行", seconds, cell_seconds(scratch / "cli", jobs))
    )
    for workers in sorted({1, args.workers, os.cpu_count() or 1}):
        out = scratch / f"workers-{workers}"
        seconds = jxkit_render(dataset, jobs, out, workers)
        runs.append((f"jxkit render --workers {workers}", seconds, cell_seconds(out, jobs)))
    if args.dask:
        out = scratch / "dask"
        seconds = on_dask(dataset, jobs, out, 2)
        runs.append(("render_batch(client=LocalCluster 2 进程)", seconds, cell_seconds(out, jobs)))
    n = len(jobs)
    loop = runs[0][1] / n
    print()
    print(
        f"{'方式':<36}{'总用时(秒)':>10}{'每份(秒)':>10}{'单元格(秒)':>11}{'每分钟':>8}{'倍数':>7}"
    )
    for label, total, cells in runs:
        each = total / n
        line = f"{label:<36}{total:>12.1f}{each:>12.3f}{cells:>12.3f}{60 / each:>10.0f}"
        print(f"{line}{loop / each:>9.1f}")
    print(f"“每份”是总用时除以份数；“单元格”是每份报告单元格自身的用时。目标：≥ {TARGET} 倍")


if __name__ == "__main__":
    main()
