"""The ``jxkit`` command: one subcommand per job, help and messages in Chinese.

The only package that prints. One module per group of commands, each exposing
``register(subparsers)`` and setting ``func`` on its parsers:

- ``data.py``: validate, score, coverage, compare;
- ``frameworks.py``: frameworks, new-project, synth;
- ``sampling.py``: sample, verify, plan, upper-bound;
- ``report.py`` (with ``render.py``, the render arguments and summary): render, demo, notebooks;
- ``process.py``: exante, monitor, results, assess;
- ``workbench.py``: workbench;
- ``forms.py``: import, recheck, forms (the national 自评表);
- ``common.py``: the arguments and output every command shares.

Command modules import only what building the parser needs; the work's imports happen when
a command runs, so ``jxkit --help`` answers at once (benchmarks/cli.py). Errors a user can
fix (:class:`JxkitError`) are printed as plain Chinese and exit non-zero; they never show a
traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from .. import __version__
from ..errors import JxkitError, os_error_text

#: Modules that add subcommands, in the order their commands appear in ``--help``.
COMMAND_MODULES = (
    "jxkit.cli.data",
    "jxkit.cli.frameworks",
    "jxkit.cli.sampling",
    "jxkit.cli.report",
    "jxkit.cli.process",
    "jxkit.cli.targets",
    "jxkit.cli.workbench",
    "jxkit.cli.forms",
)

DESCRIPTION = """\
jxkit：工会预算绩效管理工具包（三项十类指标体系、评分、随机再评价抽样、批量报告）。

常用示例：
  jxkit demo                                   用示例数据生成全部报告
  jxkit validate sample_data/demo              检查数据集
  jxkit score sample_data/demo --out 得分.xlsx  计算项目得分
  jxkit sample sample_data/demo --seed 20211231 --n 10 --out 抽样
"""


_ARGPARSE_ZH = {
    "usage: ": "用法：",
    "positional arguments": "位置参数",
    "options": "选项",
    "show this help message and exit": "显示帮助并退出",
    "show program's version number and exit": "显示版本并退出",
}


def _translate(text: str) -> str:
    """argparse's fixed words in Chinese; it looks them up through ``argparse._``."""
    return _ARGPARSE_ZH.get(text, text)


argparse._ = _translate  # type: ignore[attr-defined]


class _Parser(argparse.ArgumentParser):
    """argparse with Chinese usage errors and exit code 2, never a traceback."""

    def error(self, message: str) -> None:  # type: ignore[override]
        message = (
            message.replace("the following arguments are required", "缺少必填参数")
            .replace("unrecognized arguments", "无法识别的参数")
            .replace("invalid choice", "无效的选项")
            .replace("expected one argument", "需要一个值")
            .replace("argument ", "参数 ")
            .replace("not allowed with argument", "不能与此参数同时使用")
            .replace("one of the arguments", "以下参数须提供其一")
            .replace("is required", "")
            .replace("invalid int value", "不是整数")
            .replace("invalid float value", "不是数字")
        )
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: 参数错误：{message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="jxkit",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        add_help=False,
    )
    parser.add_argument("-h", "--help", action="help", help="显示帮助并退出")
    parser.add_argument(
        "--version", action="version", version=f"jxkit {__version__}", help="显示版本"
    )
    sub = parser.add_subparsers(
        title="子命令", metavar="命令", parser_class=_Parser, dest="command"
    )
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        code = int(args.func(args) or 0)
    except JxkitError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("已中断。", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the output went to a pager or `head` that has quit
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # nothing more to write, not even at exit
        return 1
    except OSError as exc:  # a file the user named cannot be read or written
        print(f"错误：{os_error_text(exc)}", file=sys.stderr)
        return 2
    except UnicodeDecodeError as exc:  # a text file (policy, framework) saved in GBK
        print(
            f"错误：读取失败：有文件不是 UTF-8 编码（{exc.encoding} 无法识别第 {exc.start + 1} 个字节）。"
            "请把政策参数、指标体系等文本文件用 UTF-8 编码另存后重试",
            file=sys.stderr,
        )
        return 2
    return code


if __name__ == "__main__":
    sys.exit(main())
