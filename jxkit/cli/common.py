"""What every command shares: the dataset argument, ``--policy``, ``--out``, the help layout,
and the rule that no command writes onto one of its own inputs."""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterable
from pathlib import Path

from ..errors import OutputError

__all__ = ["FMT", "add_dataset", "add_out", "add_policy", "refuse_own_input"]

FMT = argparse.RawDescriptionHelpFormatter

PathArg = str | os.PathLike[str] | None


def add_dataset(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dataset", metavar="数据集", help="CSV 文件夹或 .xlsx 工作簿")


def add_policy(parser: argparse.ArgumentParser, what: str = "默认 templates/policy.yaml") -> None:
    parser.add_argument("--policy", metavar="文件", help=f"政策参数文件（{what}）")


def add_out(parser: argparse.ArgumentParser, what: str) -> None:
    """``--out FILE``: a workbook (.xlsx, Chinese headers) or a CSV of the main table."""
    parser.add_argument("--out", metavar="文件", help=f"输出 {what}")


def refuse_own_input(
    out: PathArg,
    *inputs: PathArg,
    dataset: PathArg = None,
    folder: bool = False,
    writes: Iterable[str] = (),
) -> None:
    """Refuse, before any work, an ``--out`` that would overwrite what the command reads.

    A file output may not be an input file (the dataset workbook, the policy, a framework)
    nor a table of a CSV dataset folder (``evaluations.csv``); a folder output may not be
    the dataset folder or an input folder, nor hold an input under a name it ``writes``.
    Inputs that do not exist (a framework given by its id) are ignored.
    """
    if out is None or str(out) == "":
        return
    target = Path(out).resolve()
    given = Path(out)
    sources = [Path(i) for i in inputs if i is not None and str(i) != ""]
    data = Path(dataset) if dataset is not None else None
    if data is not None and data.is_dir():
        if _same(target, data):
            what = "输出文件夹" if folder else "输出位置"
            raise OutputError(
                f"{what}“{given}”就是数据集文件夹：写入会覆盖或混入您的数据。"
                "请用 --out 指定另一个位置"
            )
        table = _table_of(target, data)
        if table and not folder:
            raise OutputError(
                f"输出文件“{given}”是数据集 {data.name} 中的{table}：写入会覆盖您的数据。"
                "请用 --out 指定数据集文件夹以外的文件，或换一个文件名"
            )
    elif data is not None:
        sources.append(data)
    for source in sources:
        if not source.exists():
            continue
        if _same(target, source):
            kind = "文件夹" if source.is_dir() else "文件"
            raise OutputError(
                f"输出位置“{given}”就是本命令读取的{kind}“{source}”：写入会覆盖它。"
                "请用 --out 指定另一个位置"
            )
        if folder and any(_same(target / name, source) for name in writes):
            raise OutputError(
                f"输出文件夹“{given}”中的“{source.name}”是本命令读取的文件，写入会覆盖它："
                "请用 --out 指定另一个文件夹，或先把该文件移到别处"
            )


def _same(a: Path, b: Path) -> bool:
    """One file or folder (after links and ``..``; by identity when both exist)."""
    if a.exists() and b.exists():
        return os.path.samefile(a, b)
    return a.resolve() == b.resolve()


def _table_of(target: Path, folder: Path) -> str:
    """The table a file in a dataset folder would be read as ("评价表（evaluations）"), or ""."""
    from ..dataset.schema import TABLES

    if target.suffix.lower() != ".csv" or not _same(target.parent, folder):
        return ""
    stem = target.stem.strip().lower()
    for spec in TABLES.values():
        if stem in {spec.name.lower(), spec.zh}:
            return f"{spec.zh}表（{spec.name}）"
    return ""
