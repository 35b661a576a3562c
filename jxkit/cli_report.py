"""Subcommands ``render`` (batch reports) and ``demo`` (the whole job on the sample data)."""

from __future__ import annotations

import argparse
import sys
from functools import partial
from pathlib import Path
from typing import Any

FMT = argparse.RawDescriptionHelpFormatter

#: The demo's re-evaluation sample: a seed anyone can read in the audit report.
DEMO_SEED = "2022-03-15 省总工会经审会第1次会议"
DEMO_YEAR = 2021
DEMO_N = 8
#: the population: that year's self-evaluated projects
DEMO_WHERE = f"year={DEMO_YEAR},self_evaluated=是"


def register(sub: Any) -> None:
    from .render.cli import add_render_arguments

    p = sub.add_parser(
        "render",
        help="批量生成报告（HTML/PDF）与索引页",
        description="为数据集批量生成项目、单位、抽样审计与年度汇总报告，写出 index.html（可搜索、排序）。\n"
        "单份报告失败不影响其他报告；全部完成后失败时退出码为 1，并给出只重跑失败报告的命令。",
        epilog="示例：\n  jxkit render sample_data/demo --out 报告\n"
        "  jxkit render sample_data/demo --out 报告 --kind project --year 2021 --workers 2\n"
        "  jxkit render sample_data/demo --out 报告 --sample 抽样 --resume --format html,pdf",
        formatter_class=FMT,
    )
    add_render_arguments(p)
    p.add_argument("--policy", metavar="文件", help="政策参数文件")
    p.set_defaults(func=run_render)

    p = sub.add_parser(
        "demo",
        help="用示例数据演示全部流程并生成报告",
        description="用 sample_data/demo 依次：检查数据、计算得分、计算覆盖率、单位整体绩效、事前绩效评估、\n"
        "绩效运行监控、抽取随机再评价样本、比较自评与复核、结果应用、工作考核与排名，\n"
        "批量生成全部报告，最后显示 index.html 的位置。",
        epilog="示例：\n  jxkit demo\n  jxkit demo --out 演示报告",
        formatter_class=FMT,
    )
    p.add_argument(
        "--out",
        type=Path,
        default=Path("out/demo"),
        metavar="文件夹",
        help="输出文件夹（默认 out/demo）",
    )
    p.add_argument(
        "--dataset",
        type=Path,
        default=None,
        metavar="数据集",
        help="换用其他数据集（默认 sample_data/demo）",
    )
    p.add_argument(
        "--workers", type=int, default=None, metavar="N", help="并行进程数（默认等于 CPU 核数）"
    )
    p.set_defaults(func=run_demo)


def warm_worker(dataset: str, policy: str | None = None) -> None:
    """Run once in each render worker before it forks: every report then finds the dataset
    loaded and scored, the frameworks parsed and the chart fonts set up."""
    from .frameworks import list_frameworks
    from .report.blocks import loaded, setup

    setup()
    list_frameworks()
    loaded(dataset, policy)


def run_render(args: argparse.Namespace) -> int:
    from .render.cli import run_render as render
    from .report.blocks import resolve

    def make(dataset: Any, **kw: Any) -> Any:
        from .report.jobs import jobs_for_dataset

        return jobs_for_dataset(dataset, policy=args.policy, **kw)

    policy = str(Path(args.policy).resolve()) if args.policy else None
    prepare = partial(warm_worker, str(resolve(args.dataset).resolve()), policy)
    return render(args, make_jobs=make, prepare=prepare)


def run_demo(args: argparse.Namespace) -> int:
    from .compare import compare
    from .coverage import coverage
    from .dataset import load_dataset
    from .dataset.workbook import write_workbook
    from .render.batch import render_batch
    from .render.cli import default_workers, report_failures
    from .report.blocks import resolve
    from .report.jobs import jobs_for_dataset
    from .sampling import draw, write_sample
    from .scoring import score

    dataset = resolve(args.dataset or "sample_data/demo")
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    steps = 11
    print(f"1/{steps} 检查数据集 {dataset}")
    ds = load_dataset(dataset)
    for _, row in ds.summary().iterrows():
        print(f"    {row['表']} {row['行数']:,} 行")
    print(f"2/{steps} 计算得分")
    result = score(ds)
    write_workbook({"项目得分": result.projects}, out / "得分.xlsx")
    counts = result.projects[result.projects["round"] == "self"]["grade"].value_counts()
    print(
        "    自评等级分布："
        + "，".join(f"{g} {n}" for g, n in counts.items())
        + f"；已写入 {out / '得分.xlsx'}"
    )
    print(f"3/{steps} 计算三项十类覆盖率")
    years = sorted({int(y) for y in ds.projects["year"]})
    sheets = {f"{y}年": coverage(ds, y).units for y in years}
    write_workbook(sheets, out / "覆盖率.xlsx")
    print(f"    {len(years)} 个年度；已写入 {out / '覆盖率.xlsx'}")
    _process_steps(ds, out, steps)
    print(
        f"7/{steps} 抽取随机再评价样本（{DEMO_YEAR} 年已自评项目，按类别分层，种子“{DEMO_SEED}”）"
    )
    sample = draw(ds.projects, seed=DEMO_SEED, n=DEMO_N, strata="category", where=DEMO_WHERE)
    sample_dir = out / "抽样"
    write_sample(sample, sample_dir)
    print(f"    抽中 {len(sample.selected)} 个项目；抽样记录 {sample_dir / 'manifest.json'}")
    print(f"8/{steps} 比较自评与复核")
    comparison = compare(ds, list(sample.selected["id"]), scores=result)
    s = comparison.summary
    write_workbook(
        {
            "复核比较": comparison.projects,
            "复核底稿": comparison.indicators,
            "单位提示": comparison.flags,
        },
        out / "复核比较.xlsx",
    )
    print(
        f"    已复核 {s['compared']} 个，自评质量差 {s['poor']} 个；已写入 {out / '复核比较.xlsx'}"
    )
    _results_steps(ds, out, steps, result)
    print(f"{steps}/{steps} 生成报告")
    jobs = jobs_for_dataset(dataset, sample=sample_dir)
    prepare = partial(warm_worker, str(dataset.resolve()))
    batch = render_batch(
        jobs, out, workers=args.workers or default_workers(), progress=True, prepare=prepare
    )
    print(batch.summary())
    if batch.failed:
        report_failures(
            batch,
            argparse.Namespace(
                dataset=dataset, out=out, round=None, year=None, sample=sample_dir, format=["html"]
            ),
            file=sys.stderr,
        )
    print(f"\n打开报告索引：{batch.index.resolve()}")
    return 1 if batch.failed else 0


def _process_steps(ds: Any, out: Path, steps: int) -> None:
    """Steps 4–6 of the demo: unit-level scores, ex-ante assessment, monitoring."""
    from .dataset import optional_table
    from .dataset.workbook import write_workbook, zh_frame
    from .exante import exante
    from .monitoring import monitor
    from .unit_eval import unit_scores

    print(f"4/{steps} 计算单位整体绩效（六个维度）")
    units = unit_scores(ds).units
    write_workbook({"单位整体得分": zh_frame(units)}, out / "单位整体得分.xlsx")
    print(f"    {len(units)} 个单位年度；已写入 {out / '单位整体得分.xlsx'}")
    print(f"5/{steps} 事前绩效评估（新增重大项目）")
    ex = exante(ds)
    write_workbook(
        {"事前评估结论": zh_frame(ex.projects), "各维度得分": zh_frame(ex.dimensions)},
        out / "事前评估.xlsx",
    )
    decided = ex.projects["decision"].value_counts()
    print(
        f"    {len(ex.projects)} 个项目："
        + "，".join(f"{k} {v} 个" for k, v in decided.items())
        + f"；已写入 {out / '事前评估.xlsx'}"
    )
    print(f"6/{steps} 绩效运行监控（双监控）")
    dates = sorted({d.strftime("%Y-%m-%d") for d in optional_table(ds, "monitoring")["as_of"]})
    sheets = {}
    for day in dates:
        m = monitor(ds, day)
        sheets[f"{day} 项目灯号"] = zh_frame(m.projects)
        serious = int(m.projects["serious"].sum())
        print(
            f"    {day}：{len(m.projects)} 个项目，红灯 {m.counts().get('red', 0)} 个，严重问题 {serious} 个"
        )
    if sheets:
        write_workbook(sheets, out / "绩效监控.xlsx")
        print(f"    已写入 {out / '绩效监控.xlsx'}")


def _results_steps(ds: Any, out: Path, steps: int, scores: Any) -> None:
    """Steps 9–10 of the demo: results application and the management-work assessment."""
    from .assess import assess
    from .catalogue import level_name
    from .dataset.workbook import write_workbook, zh_frame
    from .results import apply_results

    print(f"9/{steps} 结果应用（{DEMO_YEAR} 年评价结果用于下一年度预算）")
    app = apply_results(ds, DEMO_YEAR, scores=scores)
    write_workbook(
        {"项目建议": zh_frame(app.projects), "单位汇总": zh_frame(app.units)},
        out / "结果应用.xlsx",
    )
    print(
        f"    建议压减 {app.total['cut_amount'] / 10_000:,.2f} 万元；已写入 {out / '结果应用.xlsx'}"
    )
    print(f"10/{steps} 预算绩效管理工作考核与排名（{DEMO_YEAR} 年）")
    a = assess(ds, DEMO_YEAR, scores=scores)
    sheets = {f"{level_name(lv)}排名": zh_frame(a.ranking(lv)) for lv in a.levels}
    write_workbook({**sheets, "考核明细": zh_frame(a.values)}, out / "工作考核.xlsx")
    print(f"    {len(a.units)} 个单位；已写入 {out / '工作考核.xlsx'}")
