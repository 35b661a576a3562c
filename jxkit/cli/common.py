"""What every command shares: the dataset argument, ``--policy``, ``--out``, the help layout."""

from __future__ import annotations

import argparse

__all__ = ["FMT", "add_dataset", "add_out", "add_policy"]

FMT = argparse.RawDescriptionHelpFormatter


def add_dataset(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dataset", metavar="数据集", help="CSV 文件夹或 .xlsx 工作簿")


def add_policy(parser: argparse.ArgumentParser, what: str = "默认 templates/policy.yaml") -> None:
    parser.add_argument("--policy", metavar="文件", help=f"政策参数文件（{what}）")


def add_out(parser: argparse.ArgumentParser, what: str) -> None:
    """``--out FILE``: a workbook (.xlsx, Chinese headers) or a CSV of the main table."""
    parser.add_argument("--out", metavar="文件", help=f"输出 {what}")
