"""Subcommands of the whole process: ``exante``, ``monitor``, ``results``, ``assess``.

Each loads the dataset and the policy file, runs one step and prints a short summary in
Chinese; ``--out`` writes the full tables (a workbook with Chinese headers, or a CSV of
the main table with English column names, as the other commands do).
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .common import FMT, add_dataset, add_out, add_policy, refuse_own_input

if TYPE_CHECKING:
    import pandas as pd

    from ..policy import Policy


def _write(sheets: Mapping[str, pd.DataFrame], out: str, main: str) -> None:
    from ..dataset.workbook import write_output, write_workbook, zh_frame

    if str(out).lower().endswith(".xlsx"):
        write_workbook({k: zh_frame(v) for k, v in sheets.items()}, out)
    else:
        write_output(sheets[main], out, main)


def register(sub: Any) -> None:
    p = sub.add_parser(
        "exante",
        help="事前绩效评估：新增重大项目的评估结论与能否纳入预算",
        description="按事前评估表（exante）各维度得分计算总分（百分制），按政策参数文件的区间给出结论\n"
        "（默认 ≥90 予以支持、≥70 调整完善后予以支持、其余不予支持，左闭右开），\n"
        "并判断能否纳入预算：未评估、不予支持、重大基建项目缺少立项依据或集体决策意见的，不得纳入预算。",
        epilog="示例：\n  jxkit exante sample_data/demo\n  jxkit exante sample_data/demo --out 事前评估.xlsx",
        formatter_class=FMT,
    )
    add_dataset(p)
    add_policy(p)
    add_out(p, ".xlsx（评估结论、各维度得分）或 .csv")
    p.set_defaults(func=run_exante)

    p = sub.add_parser(
        "monitor",
        help="绩效运行监控（双监控）：某一监控日期的灯号与处置建议",
        description="按绩效监控表（monitoring）计算监控日期的预算执行进度指数、各指标目标进度指数与灯号，\n"
        "目标进度与执行进度之差、累计执行进度检查点，项目灯号取最重者，并给出处置建议\n"
        "（红灯且有指标“完全不可能”完成为严重问题：建议暂缓拨付；连续两次：建议停止拨付）。\n"
        "跨年项目按项目表的开始日期、结束日期计算整个实施期的时间进度。全部阈值见政策参数文件。",
        epilog="示例：\n  jxkit monitor sample_data/demo --as-of 2021-06-30\n"
        "  jxkit monitor sample_data/demo --as-of 2021/9/30 --unit 330300 --out 监控.xlsx",
        formatter_class=FMT,
    )
    add_dataset(p)
    add_policy(p)
    p.add_argument(
        "--as-of", required=True, metavar="日期", help="监控日期，如 2021-06-30 或 2021/6/30"
    )
    p.add_argument("--unit", metavar="单位编码", help="只看一个单位的项目")
    add_out(p, ".xlsx（项目灯号、指标灯号、未监控项目）或 .csv")
    p.set_defaults(func=run_monitor)

    p = sub.add_parser(
        "results",
        help="结果应用：下一年度预算安排建议与预算影响",
        description="对某年度每个项目给出下一年度预算建议（有复核结果的以复核为准）：红灯项目原则上不再安排预算；\n"
        "中、差按政策参数文件的比例压减预算（专项补助同比例压减）；优、良予以支持；上年度红灯且未整改到位的\n"
        "（上年度项目的“已整改”为空或否）压减；未自评的先补充自评。多条同时适用时取压减最多的一条。\n"
        "并按单位和合计汇总预算影响。",
        epilog="示例：\n  jxkit results sample_data/demo --year 2021\n"
        "  jxkit results sample_data/demo --year 2021 --out 结果应用.xlsx",
        formatter_class=FMT,
    )
    add_dataset(p)
    add_policy(p)
    p.add_argument("--year", type=int, required=True, metavar="年度", help="评价年度")
    add_out(p, ".xlsx（项目建议、单位汇总）或 .csv")
    p.set_defaults(func=run_results)

    p = sub.add_parser(
        "assess",
        help="预算绩效管理工作考核与排名通报",
        description="按工作考核指标体系（默认 management）为每个有本年度项目的工会打分：覆盖率、自评完成率、\n"
        "再评价反映的自评质量、事前评估与绩效监控开展情况、红灯项目整改、结果应用、单位整体自评等由数据计算，\n"
        "其余指标取工作考核表（assessment）的填报值，均无数据的按“不适用”处理（分值按比例分摊）。\n"
        "按层级（市总工会、省产业工会、县级工会等）排名，可直接用于通报。",
        epilog="示例：\n  jxkit assess sample_data/demo --year 2021\n"
        "  jxkit assess sample_data/demo --year 2021 --out 工作考核.xlsx",
        formatter_class=FMT,
    )
    add_dataset(p)
    add_policy(p)
    p.add_argument("--year", type=int, required=True, metavar="年度", help="考核年度")
    p.add_argument(
        "--framework",
        metavar="指标体系",
        help="考核指标体系的 id 或 YAML 文件（默认见政策参数文件）",
    )
    add_out(p, ".xlsx（各层级排名、考核明细）或 .csv")
    p.set_defaults(func=run_assess)


def _load(args: argparse.Namespace) -> tuple[Any, Policy]:
    from ..dataset import load_dataset
    from ..policy import load_policy

    framework = getattr(args, "framework", None)
    refuse_own_input(args.out, args.policy, framework, dataset=args.dataset)
    return load_dataset(args.dataset), load_policy(args.policy)


def _done(args: argparse.Namespace) -> None:
    if args.out:
        print(f"已写入 {Path(args.out)}")


def run_exante(args: argparse.Namespace) -> int:
    import pandas as pd

    from .. import exante

    ds, policy = _load(args)
    result = exante.exante(ds, policy=policy)
    p = result.projects
    if args.out:
        _write({"事前评估结论": p, "各维度得分": result.dimensions}, args.out, "事前评估结论")
    if p.empty:
        print("数据集中没有新增重大项目，也没有事前评估记录。")
    else:
        print(f"新增重大项目及已评估项目 {len(p)} 个：")
    for r in p.itertuples():
        total = "—" if pd.isna(r.total) else f"{r.total:g} 分"
        why = f"（{r.reasons}）" if r.reasons else ""
        print(f"  {r.project_id} {r.name}：{total}，{r.conclusion}，{r.decision}{why}")
    _done(args)
    return 0


def run_monitor(args: argparse.Namespace) -> int:
    from .. import monitoring

    ds, policy = _load(args)
    result = monitoring.monitor(ds, args.as_of, policy=policy, unit_id=args.unit)
    p = result.projects
    if args.out:
        _write(
            {"项目灯号": p, "指标灯号": result.indicators, "未报送监控数据的项目": result.missing},
            args.out,
            "项目灯号",
        )
    lights = policy.monitoring.lights
    counts = result.counts()
    print(
        f"{result.settings['as_of']} 绩效运行监控：{len(p)} 个项目，"
        + "，".join(f"{x.name} {counts.get(x.code, 0)} 个" for x in reversed(lights))
    )
    for r in p[p["light"] != "green"].itertuples():
        print(f"  {r.project_id} {r.name}：{r.light_name}，{r.action}。{r.flags}")
    if not result.missing.empty:
        ids = "、".join(result.missing["project_id"])
        print(f"未报送本期监控数据的项目 {len(result.missing)} 个：{ids}")
    _done(args)
    return 0


def run_results(args: argparse.Namespace) -> int:
    from .. import results
    from ..rounding import wan

    ds, policy = _load(args)
    result = results.apply_results(ds, args.year, policy=policy)
    p, t = result.projects, result.total
    if args.out:
        _write({"项目建议": p, "单位汇总": result.units}, args.out, "项目建议")
    print(f"{args.year} 年 {len(p)} 个项目的下一年度预算建议：")
    for action, g in p.groupby("action", sort=False):
        print(f"  {action}：{len(g)} 个，建议压减 {wan(g['cut_amount'].sum())}")
    print(
        f"合计：本年度预算 {wan(t['budget'])}，建议压减 {wan(t['cut_amount'])}，"
        f"下一年度建议 {wan(t['next_budget'])}"
    )
    _done(args)
    return 0


def run_assess(args: argparse.Namespace) -> int:
    from .. import assess
    from ..catalogue import level_name

    ds, policy = _load(args)
    result = assess.assess(ds, args.year, policy=policy, framework=args.framework)
    if args.out:
        sheets = {f"{level_name(lv)}排名": result.ranking(lv) for lv in result.levels}
        _write({**sheets, "考核明细": result.values}, args.out, "考核明细")
    print(f"{args.year} 年度预算绩效管理工作考核（{result.framework}）：")
    for lv in result.levels:
        print(f"  {level_name(lv)}：")
        for r in result.ranking(lv).itertuples():
            print(f"    {r.rank:>2}. {r.name} {r.total:g} 分（{r.grade}）")
    _done(args)
    return 0
