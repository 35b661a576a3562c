"""Subcommands for the national 自评表: ``import``, ``recheck``, ``forms``."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from ..errors import DataError
from .common import FMT, add_dataset, add_policy, refuse_own_input


def register(sub: Any) -> None:
    p = sub.add_parser(
        "import",
        help="导入项目支出绩效自评表（Excel）为数据集",
        description="读取填好的项目支出绩效自评表（.xlsx 文件或文件夹；每张含自评表的工作表为一个项目），\n"
        "写成 jxkit 数据集：单位、项目、绩效指标、评价（自评轮次），以及自评表原值表（published：\n"
        "各行分值、自评得分与总分，和每个值所在的单元格）。无法识别的单元格逐一列出（文件、工作表、\n"
        "单元格、所填内容、应填什么），退出码为 2，其余自评表照常导入。",
        epilog="示例：\n  jxkit import 自评表/ --out 导入数据\n"
        "  jxkit import a.xlsx b.xlsx --out 导入.xlsx --units 单位对照.csv",
        formatter_class=FMT,
    )
    p.add_argument("forms", nargs="+", metavar="自评表", help=".xlsx 文件或包含 .xlsx 的文件夹")
    p.add_argument("--out", required=True, metavar="数据集", help="输出 CSV 文件夹或 .xlsx 工作簿")
    p.add_argument(
        "--units",
        metavar="文件",
        help="单位对照表（单位名称、单位编码，可加层级、上级单位编码）；缺省时编码由单位名称生成，层级按名称判断",
    )
    p.add_argument("--jobs", type=int, default=1, metavar="N", help="并行读取的进程数（默认 1）")
    add_policy(p, "定性指标的结果字样与得分比例")
    p.set_defaults(func=run_import)

    p = sub.add_parser(
        "recheck",
        help="复核导入的自评表：得分、合计、分值、执行率、照抄与无佐证",
        description="对 jxkit import 导入的自评表逐项复核：得分与评分规则不符（差多少、偏高或偏低）、\n"
        "分项得分合计与总分不符、分值合计不为 100、满分但无实际完成值或只照抄年度指标值、\n"
        "执行率填写错误、定性指标满分但无佐证材料。自评表所填得分即自评得分。",
        epilog="示例：\n  jxkit recheck 导入数据 --out 复核.xlsx",
        formatter_class=FMT,
    )
    add_dataset(p)
    p.add_argument(
        "--out", metavar="文件", help="输出 .xlsx（复核发现、指标复核、项目复核）或 .csv"
    )
    p.set_defaults(func=run_recheck)

    p = sub.add_parser(
        "forms",
        help="按全国通用格式写出项目支出绩效自评表",
        description="把数据集中每个项目写成项目支出绩效自评表（每个项目一个工作簿，或 --one-file 每个项目一张工作表）：\n"
        "表头、预算资金区、绩效指标区（年度指标值写成“≥50个”的形式）、jxkit 计算的得分、总分与等级；\n"
        "A4 纸、按页宽打印、每页重复表头。",
        epilog="示例：\n  jxkit forms sample_data/demo --out 自评表\n"
        "  jxkit forms sample_data/demo --out 复核表 --round review --only XM2019000001,XM2019000002",
        formatter_class=FMT,
    )
    add_dataset(p)
    p.add_argument("--out", required=True, metavar="目录", help="输出目录")
    p.add_argument(
        "--round",
        choices=["self", "review"],
        default="self",
        help="自评（self，默认）或复核（review）",
    )
    p.add_argument("--only", metavar="编码", help="只写这些项目（逗号分隔的项目编码）")
    p.add_argument("--one-file", action="store_true", help="写成一个工作簿，每个项目一张工作表")
    add_policy(p, "等级区间")
    p.set_defaults(func=run_forms)


def run_import(args: argparse.Namespace) -> int:
    from ..forms.dataset import IMPORTED, form_tables, read_unit_map, write_dataset
    from ..forms.read import read_forms
    from ..policy import load_policy

    out = Path(args.out)
    folder = out.suffix.lower() != ".xlsx"
    written = [f"{name}.csv" for name in IMPORTED] if folder else []
    refuse_own_input(out, *args.forms, args.units, args.policy, folder=folder, writes=written)
    policy = load_policy(args.policy)
    units = read_unit_map(args.units)
    jobs = max(1, min(args.jobs, os.cpu_count() or 1))
    result = read_forms(args.forms, policy.form_levels, jobs=jobs)
    if result.forms:
        write_dataset(form_tables(result.forms, units), out)
        print(f"已导入 {len(result.forms)} 张自评表，写入 {out}")
        if not args.units:
            print("  单位编码由单位名称生成（各次导入一致），层级按单位名称判断；可用 --units 指定")
    if result.skipped:
        print(f"没有自评表、已跳过的工作表 {len(result.skipped)} 张：")
        for file, sheet in result.skipped:
            print(f"  {file} 工作表“{sheet}”")
    if result.problems:
        failed = "、".join(f"{f}{'（' + s + '）' if s else ''}" for f, s in result.failed)
        raise DataError(
            result.problems, title=f"以下 {len(result.failed)} 张自评表未能导入：{failed}。问题"
        )
    if not result.forms:
        raise DataError(
            "所给工作簿中没有找到项目支出绩效自评表（表头应有“一级指标”“三级指标”“分值”）"
        )
    return 0


def run_recheck(args: argparse.Namespace) -> int:
    from ..dataset.workbook import write_output, write_workbook
    from ..forms.recheck import load_for_recheck, recheck

    refuse_own_input(args.out, dataset=args.dataset)
    ds = load_for_recheck(args.dataset)
    result = recheck(ds)
    if args.out:
        if str(args.out).lower().endswith(".xlsx"):
            write_workbook(result.sheets(), args.out)
        else:
            write_output(result.findings, args.out, "复核发现")
    f = result.findings
    print(f"复核 {len(result.projects)} 个项目，发现问题 {len(f)} 处。")
    for kind, n in f["问题"].value_counts(sort=False).items():
        print(f"  {kind}：{n} 处")
    for r in f.head(30).itertuples(index=False):
        print(f"  {r.项目编码} {r.三级指标}：{r.问题}，{r.说明}（{r.来源}）")
    if len(f) > 30:
        print(f"  ……其余 {len(f) - 30} 处见输出文件")
    if args.out:
        print(f"已写入 {args.out}")
    return 0


def run_forms(args: argparse.Namespace) -> int:
    from ..dataset import load_dataset
    from ..forms.write import write_forms
    from ..policy import load_policy

    out = Path(args.out)
    refuse_own_input(out, args.policy, dataset=args.dataset, folder=True)
    ds = load_dataset(args.dataset)
    only = [x.strip() for x in args.only.split(",") if x.strip()] if args.only else None
    written = write_forms(
        ds,
        out,
        round=args.round,
        only=only,
        one_file=args.one_file,
        policy=load_policy(args.policy),
    )
    print(f"已写出 {len(written)} 个文件到 {out}")
    return 0
