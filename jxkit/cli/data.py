"""Subcommands on a dataset: ``validate``, ``score``, ``coverage``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..errors import ScoringError
from ..labels import ROUND_NAMES
from .common import FMT, add_dataset, add_out, add_policy, refuse_own_input


def register(sub: Any) -> None:
    p = sub.add_parser(
        "validate",
        help="检查数据集（列出全部问题）",
        description="检查数据集：表、列、数字、编码、引用关系、分值合计、评分方法与参数、完成值。\n"
        "无问题时退出码为 0 并显示各表行数；有问题时列出全部问题（文件、行、列、值），退出码为 2。",
        epilog="示例：\n  jxkit validate sample_data/demo\n  jxkit validate sample_data/demo.xlsx",
        formatter_class=FMT,
    )
    add_dataset(p)
    add_policy(p)
    p.set_defaults(func=run_validate)

    p = sub.add_parser(
        "score",
        help="计算项目得分、等级与红灯警示",
        description="按绩效指标与完成值计算每个项目的总分、等级（优/良/中/差）、红灯警示与一级指标小计。",
        epilog="示例：\n  jxkit score sample_data/demo --out 得分.xlsx\n"
        "  jxkit score sample_data/demo --round review --year 2021 --out 复核得分.csv\n"
        "  jxkit score sample_data/demo --units --out 单位整体得分.xlsx",
        formatter_class=FMT,
    )
    add_dataset(p)
    p.add_argument(
        "--round", choices=["self", "review"], help="只计算自评（self）或复核（review）轮次"
    )
    p.add_argument("--year", type=int, metavar="年度", help="只计算该年度的项目")
    add_out(p, ".csv 或 .xlsx（缺省时打印到屏幕）")
    add_policy(p, "等级区间、红灯规则")
    p.add_argument(
        "--units",
        action="store_true",
        help="改为计算单位整体绩效（单位指标、单位评价两表）：每个单位每年一行，含六个维度小计、总分、等级",
    )
    p.set_defaults(func=run_score)

    p = sub.add_parser(
        "coverage",
        help="三项十类绩效管理覆盖率",
        description="按浙总工办发〔2019〕76号的分年度要求，计算每个单位应覆盖的三项十类项目、\n"
        "目标同步申报、批复下达、项目自评情况与覆盖率，并列出应覆盖而未覆盖的项目。",
        epilog="示例：\n  jxkit coverage sample_data/demo --year 2020\n"
        "  jxkit coverage sample_data/demo --year 2021 --out 覆盖率.xlsx",
        formatter_class=FMT,
    )
    add_dataset(p)
    p.add_argument("--year", type=int, required=True, metavar="年度", help="考核年度")
    add_out(p, ".xlsx（含单位汇总与未覆盖项目两张表）或 .csv")
    add_policy(p, "覆盖要求")
    p.set_defaults(func=run_coverage)

    p = sub.add_parser(
        "compare",
        help="随机再评价：自评与复核比较",
        description="对抽中的项目比较自评与复核：总分、等级、差值、自评偏高的指标，判定自评质量\n"
        "（默认：总分相差 10 分及以上或等级变化即为“自评质量差”，阈值见政策参数文件），\n"
        "并给出总体“自评质量差”比例的 Clopper-Pearson 单侧置信上限和各单位的风险提示。",
        epilog="示例：\n  jxkit compare sample_data/demo --sample 抽样 --out 复核比较.xlsx",
        formatter_class=FMT,
    )
    add_dataset(p)
    p.add_argument(
        "--sample", metavar="目录", help="jxkit sample 的输出目录（缺省时比较全部有复核的项目）"
    )
    add_out(p, ".xlsx（比较、复核底稿、单位提示）或 .csv")
    add_policy(p, "自评质量阈值")
    p.set_defaults(func=run_compare)


def run_validate(args: argparse.Namespace) -> int:
    from ..dataset import load_dataset
    from ..policy import load_policy
    from ..scoring import score

    ds = load_dataset(args.dataset)
    policy = load_policy(args.policy)
    result = score(ds, policy=policy)  # also checks every value against its rule
    print(f"数据集 {args.dataset} 检查通过。")
    for _, row in ds.summary().iterrows():
        print(f"  {row['表']:<20} {row['行数']:>8,} 行   {row['来源']}")
    rounds = result.projects["round"].value_counts()
    print(
        "  已评分项目："
        + "，".join(f"{ROUND_NAMES[r]} {rounds.get(r, 0)} 个" for r in ("self", "review"))
    )
    return 0


def run_score(args: argparse.Namespace) -> int:
    # project scores need the core tables only (jxkit validate checks the optional ones),
    # and not the free text no score reads
    from ..dataset import load_dataset
    from ..dataset.workbook import write_output, write_workbook
    from ..policy import load_policy
    from ..scoring import UNUSED_TEXT, score

    refuse_own_input(args.out, args.policy, dataset=args.dataset)
    if args.units:
        ds = load_dataset(args.dataset)
    else:
        ds = load_dataset(args.dataset, only=(), unread=UNUSED_TEXT)
    policy = load_policy(args.policy)
    if args.units:
        from ..unit_eval import unit_scores

        frame = unit_scores(ds, args.round, year=args.year, policy=policy).units
        what, subjects, sheets = "单位", frame[["unit_id", "year"]].drop_duplicates(), None
        subject = "个单位年度"
    else:
        result = score(ds, args.round, year=args.year, policy=policy)
        # the conversion sheet reads the breakdown: built only for a workbook
        frame = result.projects
        sheets = result.sheets() if str(args.out or "").lower().endswith(".xlsx") else None
        what, subjects, subject = "项目", frame["project_id"].drop_duplicates(), "个项目"
    if frame.empty:
        raise ScoringError(f"没有可评分的{what}：所选轮次/年度没有完成值")
    if args.out:
        if sheets is not None and str(args.out).lower().endswith(".xlsx"):
            write_workbook(sheets, args.out)
        else:
            write_output(frame, args.out, "单位整体得分" if args.units else "项目得分")
        # counts say what they count: subjects, and results per round
        per_round = {r: frame[frame["round"] == r] for r in ("self", "review")}
        parts = [f"{ROUND_NAMES[r]} {len(f):,} 条" for r, f in per_round.items() if len(f)]
        print(
            f"已计算 {len(subjects):,} {subject}的 {len(frame):,} 条评分结果"
            f"（{'、'.join(parts)}），写入 {args.out}"
        )
        for r, f in per_round.items():
            if len(f):
                counts = f["grade"].value_counts()
                print(
                    f"  {ROUND_NAMES[r]}等级分布："
                    + "，".join(f"{g} {counts.get(g, 0)}" for g, _ in policy.grades)
                )
    else:
        print(frame.to_csv(index=False), end="")
    return 0


def run_coverage(args: argparse.Namespace) -> int:
    import pandas as pd

    from ..coverage import coverage
    from ..dataset import load_dataset
    from ..dataset.workbook import write_output
    from ..policy import load_policy

    refuse_own_input(args.out, args.policy, dataset=args.dataset)
    ds = load_dataset(args.dataset)
    result = coverage(ds, args.year, policy=load_policy(args.policy))
    units = result.units
    if args.out and str(args.out).lower().endswith(".xlsx"):
        from ..dataset.workbook import write_workbook

        write_workbook(
            {"单位覆盖率": units, "未覆盖项目": result.missed, "全部项目": result.projects},
            args.out,
        )
    elif args.out:
        write_output(units, args.out, "单位覆盖率")
    required = units[units["required"] > 0]
    print(f"{args.year} 年三项十类绩效管理覆盖情况（{len(required)} 个单位有应覆盖项目）：")
    shown = pd.DataFrame(
        {
            "单位": required["name"],
            "层级": required["level_name"],
            "应覆盖": required["required"],
            "已覆盖": required["complied"],
            "覆盖率": required["coverage_rate"].map(lambda x: f"{x:.1%}"),
        }
    )
    if not shown.empty:
        print(shown.to_string(index=False))
    missed = result.missed
    if not missed.empty:
        print(f"应覆盖而未覆盖的项目 {len(missed)} 个：")
        for r in missed.itertuples():
            print(f"  {r.project_id} {r.name}：缺少 {r.missing}")
    if args.out:
        print(f"已写入 {args.out}")
    return 0


def run_compare(args: argparse.Namespace) -> int:
    from ..compare import compare, read_sample_ids
    from ..dataset import load_dataset
    from ..dataset.workbook import write_output
    from ..policy import load_policy

    refuse_own_input(args.out, args.policy, *_sample_record(args.sample), dataset=args.dataset)
    ds = load_dataset(args.dataset)
    ids = read_sample_ids(args.sample) if args.sample else None
    result = compare(ds, ids, policy=load_policy(args.policy))
    s = result.summary
    if args.out and str(args.out).lower().endswith(".xlsx"):
        from ..dataset.workbook import write_workbook

        write_workbook(
            {"复核比较": result.projects, "复核底稿": result.indicators, "单位提示": result.flags},
            args.out,
        )
    elif args.out:
        write_output(result.projects, args.out, "复核比较")
    print(f"抽中 {s['sampled']} 个项目，其中 {s['compared']} 个同时有自评与复核结果。")
    for r in result.projects.itertuples():
        mark = "  ← " + r.verdict if r.poor else ""
        print(
            f"  {r.project_id} 自评 {r.self_total:g}（{r.self_grade}） 复核 {r.review_total:g}（{r.review_grade}） 差 {r.difference:+g}{mark}"
        )
    if s["missing_review"]:
        print(f"尚无复核结果：{'、'.join(s['missing_review'])}")
    if s["compared"]:
        print(
            f"自评质量差 {s['poor']} 个（{s['poor'] / s['compared']:.1%}）；"
            f"总体比例的 {s['confidence']:.0%} 单侧置信上限：{s['upper_bound']:.4f}"
        )
    if args.out:
        print(f"已写入 {args.out}")
    return 0


def _sample_record(folder: str | None) -> list[Path]:
    """The folder of a sample and the files that record it (``--out`` must spare them all)."""
    if not folder:
        return []
    from ..sampling import LISTING_NAME, MANIFEST_NAME
    from ..sampling.io import SAMPLE_NAMES

    names = (MANIFEST_NAME, *SAMPLE_NAMES, LISTING_NAME)
    return [Path(folder), *(Path(folder) / n for n in names)]
