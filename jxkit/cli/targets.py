"""Subcommand ``targets``: review the performance targets declared with the budget (绩效目标审核)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from .common import FMT, add_dataset, add_out, add_policy, refuse_own_input


def register(sub: Any) -> None:
    p = sub.add_parser(
        "targets",
        help="绩效目标审核：申报的绩效目标是否完整、相关、适当、可行，审核结果与处理",
        description="逐个项目审核指标表（indicators）中与预算同步申报的绩效目标：\n"
        "完整性（产出的数量、质量、时效、成本，效益，满意度指标齐全；分值合计 100；有指标值和计量单位）、\n"
        "相关性（属于本类别指标体系或标明为个性指标；不重复计分）、\n"
        "适当性（定量指标比例；成本指标为“≤”；满意度 80%～100%；延续项目不低于上年实际、不远超以往实际；\n"
        "预算变动而目标未调整）、可行性（完成时限不晚于项目结束；百分比不超过 100%）。\n"
        "每处问题在所属审核要点内扣分，按政策参数文件给出 优/良/中/差 及处理：\n"
        "优 进入预算安排；良 完善后进入；中 修改后重新报送审核；差 不得进入预算安排。",
        epilog="示例：\n  jxkit targets sample_data/demo --year 2021\n"
        "  jxkit targets sample_data/demo --year 2021 --out 目标审核.xlsx",
        formatter_class=FMT,
    )
    add_dataset(p)
    p.add_argument("--year", type=int, metavar="年度", help="预算年度（默认全部年度）")
    add_policy(p, "审核扣分与等级见 targets 部分，默认 templates/policy.yaml")
    add_out(p, ".xlsx（审核结果、审核发现）或 .csv（审核结果）")
    p.set_defaults(func=run_targets)


def run_targets(args: argparse.Namespace) -> int:
    from ..dataset import load_dataset
    from ..dataset.workbook import write_output, write_workbook
    from ..policy import load_policy
    from ..targets import review_targets

    refuse_own_input(args.out, args.policy, dataset=args.dataset)
    ds, policy = load_dataset(args.dataset), load_policy(args.policy)
    result = review_targets(ds, args.year, policy=policy)
    if args.out:
        if str(args.out).lower().endswith(".xlsx"):
            write_workbook(result.sheets(), args.out)
        else:
            write_output(result.projects, args.out, "审核结果")
    p = result.projects
    when = f"{args.year} 年" if args.year is not None else "全部年度"
    counts = p["grade"].value_counts()
    print(
        f"{when} {len(p)} 个项目的绩效目标审核："
        + "，".join(f"{g} {counts.get(g, 0)} 个" for g, _ in policy.targets.grades)
    )
    for r in p.itertuples():
        score = "" if r.total != r.total else f"{r.total:g} 分，"
        why = f"；{r.findings}" if r.findings else ""
        print(f"  {r.project_id} {r.name}：{score}{r.grade}（{r.action}）{why}")
    if args.out:
        print(f"已写入 {Path(args.out)}")
    return 0
