"""Subcommands on frameworks and example data: ``frameworks``, ``new-project``, ``synth``."""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path
from typing import Any

from ..errors import DataError
from .common import FMT, add_out, refuse_own_input

FRAMEWORKS_DESCRIPTION = """\
列出已安装的绩效指标体系（三项十类项目、通用项目、单位整体评价、工作考核），每行一个：
编码、名称、版本、类型、三级指标数。模板文件在 templates/frameworks，格式见其中的 README.md。
用 --check 检查自己修改过的指标体系文件：分值是否逐级相加、合计 100，评分方法和参数是否有效。"""

FRAMEWORKS_EPILOG = """\
示例：
  jxkit frameworks
  jxkit frameworks --check 培训类_2022.yaml
  jxkit frameworks --dir 本单位指标体系"""

NEW_PROJECT_DESCRIPTION = """\
按指标体系生成一个新项目的绩效指标表（indicators 表的格式），可在 Excel 中填写后并入数据集。
共性指标带建议的年度指标值，请按项目实际调整；个性指标为“个性指标1（请填写）”等占位行，
请改为反映项目特点的指标名称并填写指标值。分值合计 100。"""

NEW_PROJECT_EPILOG = """\
示例：
  jxkit new-project --framework training --project-id XM2022000001
  jxkit new-project --framework 困难职工帮扶类 --project-id XM2022000002 --out 指标.xlsx
  jxkit new-project --framework 我的培训类.yaml --project-id XM2022000003 --out 指标.csv"""

SYNTH_DESCRIPTION = """\
生成模拟数据集（单位、项目、绩效指标、评价四张表），用于演示、培训和测试。
数据完全虚构：单位层级随项目数扩展；项目质量有好有差，覆盖率逐年提高；
部分项目有复核（再评价）值，部分自评偏高；困难职工帮扶类的佐证材料含虚构的姓名、
身份证号和手机号，用于检验报告脱敏。相同的 --seed 总是生成完全相同的数据。"""

SYNTH_EPILOG = """\
示例：
  jxkit synth --projects 60 --seed 2021 --out 模拟数据
  jxkit synth --projects 100000 --seed 1 --out 大数据集 --years 2019-2021 --review-share 0.3
  jxkit synth --projects 200 --seed 7 --out 模拟 --xlsx 模拟.xlsx"""


def register(sub: Any) -> None:
    """Add the subcommands to the main parser's subparsers."""
    p = sub.add_parser(
        "frameworks",
        help="列出或检查绩效指标体系",
        description=FRAMEWORKS_DESCRIPTION,
        epilog=FRAMEWORKS_EPILOG,
        formatter_class=FMT,
    )
    p.add_argument("--check", metavar="文件", nargs="+", help="检查一个或多个指标体系文件（.yaml）")
    p.add_argument("--dir", metavar="目录", help="列出该目录中的指标体系（默认：自带模板）")
    p.set_defaults(func=run_frameworks)

    p = sub.add_parser(
        "new-project",
        help="按指标体系生成新项目的指标表",
        description=NEW_PROJECT_DESCRIPTION,
        epilog=NEW_PROJECT_EPILOG,
        formatter_class=FMT,
    )
    p.add_argument(
        "--framework",
        required=True,
        metavar="指标体系",
        help="指标体系编码、类别名称（如 培训类）或 .yaml 文件路径",
    )
    p.add_argument("--project-id", required=True, metavar="项目编码", help="新项目的项目编码")
    add_out(p, ".csv 或 .xlsx（缺省时打印 CSV 到屏幕）")
    p.set_defaults(func=run_new_project)

    p = sub.add_parser(
        "synth",
        help="生成模拟数据集",
        description=SYNTH_DESCRIPTION,
        epilog=SYNTH_EPILOG,
        formatter_class=FMT,
    )
    p.add_argument("--projects", type=int, required=True, metavar="N", help="项目数")
    p.add_argument("--seed", type=int, required=True, metavar="种子", help="随机数种子（整数）")
    p.add_argument("--out", required=True, metavar="目录", help="输出目录（每张表一个 CSV）")
    p.add_argument(
        "--years", default="2019-2021", metavar="年度", help="年度范围，如 2019-2021 或 2020,2021"
    )
    p.add_argument(
        "--review-share",
        type=float,
        default=0.3,
        metavar="比例",
        help="已自评项目中有复核值的比例（默认 0.3）",
    )
    p.add_argument("--xlsx", metavar="文件", help="另存一个 .xlsx 工作簿（每张表一个工作表）")
    p.set_defaults(func=run_synth)


def run_frameworks(args: argparse.Namespace) -> int:
    from ..frameworks import list_frameworks, load_framework

    if args.check:
        for path in args.check:
            fw = load_framework(path)
            print(
                f"{Path(path).name}：检查通过。{fw.id}  {fw.name}  v{fw.version}  "
                f"{len(fw.leaves)} 项指标，合计 {fw.leaves['points'].sum():g} 分"
            )
        return 0
    for fw in list_frameworks(args.dir):
        print(f"{fw.id}  {fw.name}  v{fw.version}  {fw.kind}  {len(fw.leaves)} 项指标")
    return 0


def run_new_project(args: argparse.Namespace) -> int:
    from ..dataset import is_dataset
    from ..dataset.tables import write_table
    from ..frameworks import get_framework, new_project_rows

    # the rows are a new project's indicators: never written over a dataset's own table
    beside = Path(args.out).parent if args.out else None
    refuse_own_input(
        args.out, args.framework, dataset=beside if beside and is_dataset(beside) else None
    )
    rows = new_project_rows(get_framework(args.framework), args.project_id)
    if args.out:
        write_table(rows, args.out)
        print(f"已生成项目 {args.project_id} 的 {len(rows)} 项指标，写入 {args.out}")
    else:
        rows.to_csv(sys.stdout, index=False)
    return 0


def run_synth(args: argparse.Namespace) -> int:
    from ..synth import synth_dataset, write_dataset

    years = parse_years(args.years)
    started = time.perf_counter()
    tables = synth_dataset(args.projects, args.seed, years=years, review_share=args.review_share)
    write_dataset(tables, args.out, xlsx=Path(args.xlsx) if args.xlsx else None)
    took = time.perf_counter() - started
    print(f"已生成模拟数据集，写入 {args.out}（用时 {took:.1f} 秒）")
    for name, frame in tables.items():
        print(f"  {name:<12} {len(frame):>10,} 行")
    return 0


def parse_years(text: str) -> tuple[int, ...]:
    """Years from "2019-2021", "2019~2021", "2020,2021" or "2021".

    >>> parse_years("2019-2021"), parse_years("2020，2021")
    ((2019, 2020, 2021), (2020, 2021))
    """
    t = text.strip()
    span = re.fullmatch(r"(\d{4})\s*[-~～—至到]\s*(\d{4})", t)
    if span:
        first, last = int(span[1]), int(span[2])
        if first <= last:
            return tuple(range(first, last + 1))
    elif re.fullmatch(r"\d{4}(\s*[,，、]\s*\d{4})*", t):
        return tuple(sorted({int(y) for y in re.findall(r"\d{4}", t)}))
    raise DataError(f"--years “{text}”不是有效的年度范围（应如 2019-2021 或 2020,2021）")
