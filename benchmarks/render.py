"""Side-by-side benchmark: a serial papermill + nbconvert CLI loop against ``render_batch``.

Both render the same notebook with the same parameters N times (40 by default) in one run,
on the same machine, and print seconds per report and the speed-up. The target is 8x with
``--workers 2``. Figures, not a timed test: run it by hand.

    python benchmarks/render.py
    python benchmarks/render.py --notebook notebooks/project_report.ipynb \\
        --param dataset=sample_data/demo --param project_id=P001 --cli-reports 10

``--param key=value`` passes a string (as ``papermill -r``: "00123" stays "00123");
``--param key:=value`` passes JSON (numbers, booleans). ``{i}`` in a value is the report's
number. Without ``--notebook`` the stand-in ``tests/data/render_smoke.ipynb`` is used, reading
a CSV written to the scratch folder.
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
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
STAND_IN = ROOT / "tests" / "data" / "render_smoke.ipynb"
BIN = Path(sys.executable).parent

SAMPLE_CSV = """指标,目标值,实际值,分值
培训职工人次,1200,1350,20
服务满意度（%）,90,93.5,15
设施开放天数,300,288,15
活动场次,24,20,10
预算执行率（%）,100,96.2,10
"""


def parse_params(items: list[str]) -> dict[str, tuple[str, Any]]:
    """``key=value`` (string) or ``key:=value`` (JSON) into {key: (kind, value)}."""
    params: dict[str, tuple[str, Any]] = {}
    for item in items:
        if ":=" in item:
            key, raw = item.split(":=", 1)
            params[key] = ("json", json.loads(raw))
        elif "=" in item:
            key, raw = item.split("=", 1)
            params[key] = ("str", raw)
        else:
            raise SystemExit(f"--param 须写成 key=value 或 key:=json：{item}")
    return params


def for_report(params: dict[str, tuple[str, Any]], i: int) -> dict[str, tuple[str, Any]]:
    return {
        k: (kind, v.format(i=i) if isinstance(v, str) else v) for k, (kind, v) in params.items()
    }


def cli_loop(notebook: Path, params: dict[str, tuple[str, Any]], n: int, out: Path) -> float:
    """The baseline: papermill CLI then ``jupyter nbconvert --to html --no-input``, serially."""
    out.mkdir(parents=True)
    start = time.perf_counter()
    for i in range(n):
        ipynb = out / f"report-{i:03d}.ipynb"
        command = [str(BIN / "papermill"), str(notebook), str(ipynb), "--no-progress-bar"]
        command += ["--cwd", str(notebook.parent)]
        for key, (kind, value) in for_report(params, i).items():
            command += ["-r", key, value] if kind == "str" else ["-y", json.dumps({key: value})]
        subprocess.run(command, check=True, capture_output=True)
        subprocess.run(
            [str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(ipynb)],
            check=True,
            capture_output=True,
        )
        print(f"\r  命令行循环：{i + 1}/{n}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    return time.perf_counter() - start


def batch(
    notebook: Path, params: dict[str, tuple[str, Any]], n: int, out: Path, workers: int
) -> float:
    """``render_batch`` over the same reports, warm workers included in the time."""
    from jxkit.render import Job, render_batch

    jobs = [
        Job(
            kind="project",
            key=f"R{i:03d}",
            notebook=notebook,
            parameters={k: v for k, (_, v) in for_report(params, i).items()},
            output=Path(f"project/R{i:03d}.html"),
            title=f"基准报告 {i}",
        )
        for i in range(n)
    ]
    start = time.perf_counter()
    result = render_batch(jobs, out, workers=workers, progress=True)
    seconds = time.perf_counter() - start
    if result.failed:
        first = result.failed[0]
        raise SystemExit(
            f"render_batch 有 {len(result.failed)} 份失败，例如 {first.job.key}：{first.error}"
        )
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description="报告渲染基准：命令行循环 对比 render_batch")
    parser.add_argument("--notebook", type=Path, default=STAND_IN, help="要渲染的 notebook")
    parser.add_argument("--param", action="append", default=[], help="参数 key=value 或 key:=json")
    parser.add_argument(
        "--reports", type=int, default=40, help="render_batch 的报告份数（默认 40）"
    )
    parser.add_argument(
        "--cli-reports", type=int, default=None, help="命令行循环的份数（默认与 --reports 相同）"
    )
    parser.add_argument("--workers", type=int, default=2, help="render_batch 的进程数（默认 2）")
    parser.add_argument("--keep", action="store_true", help="保留输出文件夹")
    args = parser.parse_args()

    notebook = args.notebook.resolve()
    params = parse_params(args.param)
    scratch = Path(tempfile.mkdtemp(prefix="jxkit-bench-"))
    if notebook == STAND_IN.resolve() and "data_csv" not in params:
        csv = scratch / "indicators.csv"
        csv.write_text(SAMPLE_CSV, encoding="utf-8")
        params["data_csv"] = ("str", str(csv))
    n_cli = args.cli_reports or args.reports
    print(f"notebook：{notebook}")
    print(f"参数：{ {k: v for k, (_, v) in params.items()} }")
    print(f"CPU 核数：{os.cpu_count()}；命令行循环 {n_cli} 份，render_batch {args.reports} 份")
    try:
        cli = cli_loop(notebook, params, n_cli, scratch / "cli")
        warm = batch(notebook, params, args.reports, scratch / "batch", args.workers)
    finally:
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)
    cli_each = cli / n_cli
    warm_each = warm / args.reports
    print()
    print(f"{'方式':<34}{'份数':>6}{'总用时(秒)':>12}{'每份(秒)':>10}")
    print(f"{'papermill + nbconvert 命令行，串行':<30}{n_cli:>6}{cli:>12.1f}{cli_each:>10.2f}")
    label = f"render_batch(workers={args.workers})"
    print(f"{label:<34}{args.reports:>6}{warm:>12.1f}{warm_each:>10.2f}")
    print(f"吞吐提升：{cli_each / warm_each:.1f} 倍（目标 ≥ 8 倍）")
    if args.keep:
        print(f"输出保留在 {scratch}")


if __name__ == "__main__":
    main()
