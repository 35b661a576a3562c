"""``jxkit render``: the arguments, the dataset's jobs, and a plain summary at the end.

:mod:`jxkit.cli.report` owns the subcommand; it calls :func:`add_render_arguments` and
:func:`run_render`. Which reports a dataset has is decided by the report kinds
(:func:`jxkit.report.kinds.jobs_for_dataset`, or any ``make_jobs`` passed in).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shlex
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ReportError
from ..files import NOTEBOOKS_ENV, TEMPLATES_ENV
from ..report.kinds import KINDS

if TYPE_CHECKING:
    from ..render.batch import BatchResult, Job

__all__ = [
    "JobsFactory",
    "add_render_arguments",
    "add_slice_arguments",
    "rerun_command",
    "run_render",
    "words",
]

#: ``make_jobs(dataset, *, kinds, round, year, sample) -> list[Job]``
JobsFactory = Callable[..., Sequence["Job"]]


def words(text: str) -> list[str]:
    return [w.strip() for w in text.replace("，", ",").split(",") if w.strip()]


def default_workers() -> int:
    """One worker per core this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def add_slice_arguments(parser: argparse.ArgumentParser) -> None:
    """``--kind`` and ``--year``: which reports of a dataset (``render`` and ``demo``)."""
    parser.add_argument(
        "--kind",
        type=words,
        default=list(KINDS),
        metavar="类型",
        help="报告类型，逗号分隔："
        + "、".join(f"{k.code}（{k.name}）" for k in KINDS.values())
        + "；默认全部",
    )
    parser.add_argument(
        "--year", type=int, default=None, metavar="年度", help="只生成这一年度的报告"
    )


def add_render_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``render`` arguments (names are a contract with users' scripts)."""
    parser.add_argument("dataset", type=Path, metavar="数据集", help="数据集文件夹或工作簿")
    parser.add_argument(
        "--out",
        type=Path,
        required=True,
        metavar="文件夹",
        help="输出文件夹：index.html 与各报告写在这里",
    )
    add_slice_arguments(parser)
    parser.add_argument(
        "--round",
        choices=("self", "review"),
        default=None,
        help="评价轮次：self（自评）或 review（再评价）",
    )
    parser.add_argument(
        "--only",
        type=words,
        default=None,
        metavar="编号",
        help="只生成这些编号的报告，逗号分隔（项目编号；单位报告为“单位编号-年度”）",
    )
    parser.add_argument(
        "--sample", type=Path, default=None, metavar="文件夹", help="抽样结果文件夹"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=default_workers(),
        metavar="N",
        help="并行进程数，默认等于 CPU 核数",
    )
    parser.add_argument("--resume", action="store_true", help="跳过输入未变、上次已成功生成的报告")
    parser.add_argument(
        "--format",
        type=words,
        default=["html"],
        metavar="格式",
        help="输出格式，逗号分隔：html、pdf、docx（Word）；默认 html",
    )
    parser.add_argument(
        "--notebooks",
        type=Path,
        default=None,
        metavar="文件夹",
        help="改用这个文件夹中的报告笔记本（jxkit notebooks --copy 复制出来修改过的）",
    )
    parser.add_argument(
        "--templates",
        type=Path,
        default=None,
        metavar="文件夹",
        help="改用这个文件夹中的模板（指标体系、政策参数文件、报告样式）",
    )
    parser.add_argument(
        "--timeout", type=float, default=None, metavar="秒", help="单份报告最长用时，超时记为失败"
    )
    parser.add_argument(
        "--scheduler",
        default=None,
        metavar="地址",
        help="在已有的 Dask 集群上生成（调度器地址，如 tcp://10.0.0.5:8786；需安装 jxkit[dask]）；"
        "--out 须是各工作机都能以同一路径访问的共享文件夹；此时 --workers 不起作用",
    )


def run_render(
    args: argparse.Namespace,
    *,
    make_jobs: JobsFactory | None = None,
    prepare: Callable[[], object] | None = None,
    prepare_for: Callable[[Sequence[Job]], Callable[[], object]] | None = None,
) -> int:
    """Render the dataset's reports; 0 if all succeeded, 1 if any failed (after all ran).

    ``prepare`` is passed to :func:`~jxkit.render.batch.render_batch` (e.g. load the dataset
    once per worker); ``prepare_for(jobs)`` makes it from the jobs the command will render.
    This process is only the batch: it warms up itself and forks the workers from it.
    """
    from ..render.batch import render_batch
    from ..report.kinds import jobs_for_dataset

    make = make_jobs or jobs_for_dataset
    _use_copies(args)
    jobs = list(
        make(args.dataset, kinds=args.kind, round=args.round, year=args.year, sample=args.sample)
    )
    if args.only:
        wanted = set(args.only)
        missing = wanted - {job.key for job in jobs}
        if missing:
            raise ReportError(f"没有这些编号的报告：{'、'.join(sorted(missing))}")
        jobs = [job for job in jobs if job.key in wanted]
    if args.workers < 1:
        raise ReportError("--workers 至少为 1")
    if prepare_for is not None:
        prepare = prepare_for(jobs)
    scheduler = getattr(args, "scheduler", None)
    with connect(scheduler) if scheduler else contextlib.nullcontext() as client:
        result = render_batch(
            jobs,
            args.out,
            workers=args.workers,
            resume=args.resume,
            formats=args.format,
            progress=True,
            timeout=args.timeout,
            prepare=prepare,
            client=client,
            warm_here=True,
        )
    print(result.summary())
    if not result.failed:
        return 0
    report_failures(result, args, file=sys.stderr)
    return 1


def connect(address: str) -> Any:
    """A client of the Dask scheduler at ``address``, or a plain error saying what is missing."""
    try:
        from distributed import Client
    except ImportError as exc:
        raise ReportError(
            '使用 --scheduler 需要安装 Dask distributed：pip install "jxkit[dask]"'
        ) from exc
    try:
        return Client(address, timeout=30)
    except (OSError, TimeoutError, ValueError) as exc:
        raise ReportError(
            f"连接不上 Dask 调度器 {address}：{exc}。请检查地址与端口，并确认调度器已启动"
            "（dask scheduler）"
        ) from exc


#: Failed reports listed one per line; past this many, the rest are counted.
LISTED = 20


def report_failures(result: BatchResult, args: argparse.Namespace, *, file: Any) -> None:
    """List failed reports with their first error line and the command that re-runs only them."""
    print(f"有 {len(result.failed)} 份报告失败：", file=file)
    for r in result.failed[:LISTED]:
        first = r.error.splitlines()[0] if r.error else "（无错误信息）"
        print(f"  {r.job.kind_name or r.job.kind} {r.job.key}：{first}", file=file)
    if len(result.failed) > LISTED:
        print(f"  …… 另有 {len(result.failed) - LISTED} 份，见索引", file=file)
    print("详情见索引与各报告的执行记录（.ipynb）。修正后只重新生成失败的报告：", file=file)
    print("  " + rerun_command(args, result), file=file)


def rerun_command(args: argparse.Namespace, result: BatchResult) -> str:
    """The ``jxkit render`` command line that renders just the failed reports again.

    After a stopped batch (a full disk) or many failures it is ``--resume``: everything
    that succeeded is skipped, without a list of thousands of codes.
    """
    kinds = sorted({r.job.kind for r in result.failed})
    parts = [
        "jxkit",
        "render",
        str(args.dataset),
        "--out",
        str(args.out),
        "--kind",
        ",".join(kinds),
    ]
    if args.round:
        parts += ["--round", args.round]
    if args.year is not None:
        parts += ["--year", str(args.year)]
    if args.sample is not None:
        parts += ["--sample", str(args.sample)]
    for option in ("policy", "settings"):  # `jxkit render`'s own; absent from `jxkit demo`
        if getattr(args, option, None):
            parts += [f"--{option}", str(getattr(args, option))]
    if args.format != ["html"]:
        parts += ["--format", ",".join(args.format)]
    if getattr(args, "scheduler", None):
        parts += ["--scheduler", args.scheduler]
    if result.stopped or len(result.failed) > LISTED:
        return shlex.join([*parts, "--resume"])
    parts += ["--only", ",".join(r.job.key for r in result.failed)]
    return shlex.join(parts)


def _use_copies(args: argparse.Namespace) -> None:
    """Point this process and every report it starts at the user's edited copies."""
    for option, env in (("notebooks", NOTEBOOKS_ENV), ("templates", TEMPLATES_ENV)):
        folder = getattr(args, option, None)
        if folder is not None:
            if not folder.is_dir():
                raise ReportError(f"--{option} 指定的文件夹不存在：{folder}")
            os.environ[env] = str(folder.resolve())
