"""Subcommands ``render`` (batch reports) and ``demo`` (the whole job on the sample data)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .common import FMT, refuse_own_input
from .render import add_slice_arguments

if TYPE_CHECKING:
    from ..render.batch import Job

#: The demo's re-evaluation sample: a seed anyone can read in the audit report.
DEMO_SEED = "2022-03-15 省总工会经审会第1次会议"
DEMO_YEAR = 2021
DEMO_N = 8
#: the population: that year's self-evaluated projects
DEMO_WHERE = f"year={DEMO_YEAR},self_evaluated=是"


def register(sub: Any) -> None:
    from .render import add_render_arguments

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
    p.add_argument(
        "--settings",
        metavar="文件",
        help="报告设置文件（委托单位、评价机构、报告日期等，见 templates/report_settings.yaml）；"
        "默认读数据集文件夹中的 report_settings.yaml",
    )
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
    add_slice_arguments(p)
    p.set_defaults(func=run_demo)

    p = sub.add_parser(
        "notebooks",
        help="列出报告笔记本与模板的位置，或复制一份供修改",
        description="列出 jxkit 自带的报告笔记本与模板所在的文件夹。\n"
        "加 --copy 文件夹：把笔记本（notebooks）与模板（templates：指标体系、政策参数文件、报告样式）\n"
        "复制到该文件夹，修改后用 jxkit render --notebooks 文件夹/notebooks --templates 文件夹/templates 生成报告。\n"
        "不会覆盖已有的文件：目标中已有同名文件时不复制并列出它们。",
        epilog="示例：\n  jxkit notebooks\n  jxkit notebooks --copy 我的报告模板",
        formatter_class=FMT,
    )
    p.add_argument("--copy", type=Path, default=None, metavar="文件夹", help="复制到这个文件夹")
    p.set_defaults(func=run_notebooks)


def warm_worker(
    dataset: str,
    policy: str | None = None,
    years: Iterable[int] | None = None,
    assessed: bool = True,
    kinds: Iterable[str] = (),
    compared: bool = True,
) -> None:
    """Run once before the reports fork (in the command, or in each worker that starts
    fresh): every report then finds the dataset loaded and scored, the results application
    of ``years`` made (all when None; with ``assessed`` the unit assessment too, which only
    unit and summary reports show: a third of a second per year), with ``compared`` the
    self/review comparison made, the frameworks parsed, the chart fonts set up and the
    ``kinds``' report modules imported. Each would otherwise be repeated by every report."""
    from importlib import import_module

    from ..frameworks import list_frameworks
    from ..report.blocks import application, assessment, comparison, loaded, setup

    setup()
    list_frameworks()
    _, _, scores = loaded(dataset, policy)
    if compared:
        comparison(dataset, policy)
    if years is None:
        years = {int(y) for y in scores.projects["year"]}
    for each in sorted(years):
        application(dataset, each, policy)
        if assessed:
            assessment(dataset, each, policy)
    for kind in kinds:
        import_module(f"jxkit.report.{kind}")


def warm_for(
    jobs: Sequence[Job], dataset: str, policy: str | None = None, year: int | None = None
) -> Callable[[], None]:
    """The warm-up of a batch of ``jobs``: what their reports read, for their years only
    (``year``: that one, as ``jxkit render --year``)."""
    from ..report.blocks import loaded
    from ..report.kinds import ASSESSED_KINDS, YEAR_KINDS

    kinds = sorted({job.kind for job in jobs})
    if year is not None:
        years: set[int] = {year}
    else:
        ds, _, _ = loaded(dataset, policy)  # listed already: loaded and scored in this process
        year_of = dict(zip(ds.projects["project_id"], ds.projects["year"], strict=True))
        years = set()
        for job in jobs:
            if job.kind == "project" and job.parameters.get("project_id") in year_of:
                years.add(int(year_of[job.parameters["project_id"]]))
            elif job.kind in YEAR_KINDS and "year" in job.parameters:
                years.add(int(job.parameters["year"]))
    assessed = any(kind in ASSESSED_KINDS for kind in kinds)
    return partial(
        warm_worker,
        dataset,
        policy,
        years=sorted(years),
        assessed=assessed,
        kinds=kinds,
        compared="project" in kinds,  # only project reports read the comparison
    )


def run_render(args: argparse.Namespace) -> int:
    from ..render.workers import one_blas_thread

    one_blas_thread()  # before NumPy loads: this process forks the workers
    from ..files import resolve_dataset
    from .render import run_render as render

    def make(dataset: Any, **kw: Any) -> Any:
        from ..report.kinds import jobs_for_dataset

        jobs = jobs_for_dataset(dataset, policy=args.policy, **kw)
        return with_settings(jobs, settings) if settings else jobs

    dataset = resolve_dataset(args.dataset)
    given = getattr(args, "settings", None)  # absent from namespaces built before --settings
    refuse_own_input(args.out, args.policy, given, args.sample, dataset=dataset, folder=True)
    settings = str(Path(given).resolve()) if given else ""
    if settings:
        from ..report.filing import load_settings

        load_settings(settings)  # a missing or malformed file fails here, not in every report
    policy = str(Path(args.policy).resolve()) if args.policy else None
    prepare = partial(warm_for, dataset=str(dataset.resolve()), policy=policy, year=args.year)
    return render(args, make_jobs=make, prepare_for=prepare)


def with_settings(jobs: Iterable[Job], settings: str) -> list[Job]:
    """The jobs, with the report settings file given to every notebook that takes it.

    Like the policy, the file travels as a parameter (so the executed notebook records it
    and Dask workers see it); it also counts as an input, so ``--resume`` re-renders after
    it is edited. Notebooks without a ``settings`` parameter (the audit, monitoring …
    reports have no cover) are left as they are: papermill would warn of an unknown one.
    """
    from papermill import inspect_notebook

    takes: dict[Path, bool] = {}
    out = []
    for job in jobs:
        if job.notebook not in takes:
            takes[job.notebook] = "settings" in inspect_notebook(str(job.notebook))
        if takes[job.notebook]:
            job = replace(
                job,
                parameters={**job.parameters, "settings": settings},
                inputs=[*job.inputs, Path(settings)],
            )
        out.append(job)
    return out


def run_demo(args: argparse.Namespace) -> int:
    from ..render.workers import one_blas_thread

    one_blas_thread()  # before NumPy loads: this process forks the workers
    from ..compare import compare
    from ..coverage import coverage
    from ..dataset import load_dataset
    from ..dataset.workbook import write_workbook
    from ..files import demo_dataset, resolve_dataset
    from ..render.batch import render_batch
    from ..report.kinds import jobs_for_dataset
    from ..sampling import draw, write_sample
    from ..scoring import score
    from .render import default_workers, report_failures

    dataset = resolve_dataset(args.dataset) if args.dataset else demo_dataset()
    out: Path = args.out
    refuse_own_input(out, getattr(args, "policy", None), dataset=dataset, folder=True)
    out.mkdir(parents=True, exist_ok=True)
    steps = 11
    print(f"1/{steps} 检查数据集 {dataset}")
    ds = load_dataset(dataset)
    for _, row in ds.summary().iterrows():
        print(f"    {row['表']} {row['行数']:,} 行")
    print(f"2/{steps} 计算得分")
    result = score(ds)
    write_workbook(result.sheets(), out / "得分.xlsx")
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
    jobs = jobs_for_dataset(dataset, sample=sample_dir, kinds=args.kind, year=args.year)
    batch = render_batch(
        jobs,
        out,
        workers=args.workers or default_workers(),
        progress=True,
        prepare=warm_for(jobs, str(dataset.resolve())),
        warm_here=True,
    )
    print(batch.summary())
    if batch.failed:
        report_failures(
            batch,
            argparse.Namespace(
                dataset=dataset,
                out=out,
                round=None,
                year=args.year,
                sample=sample_dir,
                format=["html"],
            ),
            file=sys.stderr,
        )
    print(f"\n打开报告索引：{batch.index.resolve()}")
    return 1 if batch.failed else 0


def _process_steps(ds: Any, out: Path, steps: int) -> None:
    """Steps 4–6 of the demo: unit-level scores, ex-ante assessment, monitoring."""
    from ..dataset import optional_table
    from ..dataset.workbook import write_workbook, zh_frame
    from ..exante import exante
    from ..monitoring import monitor
    from ..unit_eval import unit_scores

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
    from ..assess import assess
    from ..catalogue import level_name
    from ..dataset.workbook import write_workbook, zh_frame
    from ..results import apply_results
    from ..rounding import wan

    print(f"9/{steps} 结果应用（{DEMO_YEAR} 年评价结果用于下一年度预算）")
    app = apply_results(ds, DEMO_YEAR, scores=scores)
    write_workbook(
        {"项目建议": zh_frame(app.projects), "单位汇总": zh_frame(app.units)},
        out / "结果应用.xlsx",
    )
    print(f"    建议压减 {wan(app.total['cut_amount'])}；已写入 {out / '结果应用.xlsx'}")
    print(f"10/{steps} 预算绩效管理工作考核与排名（{DEMO_YEAR} 年）")
    a = assess(ds, DEMO_YEAR, scores=scores)
    sheets = {f"{level_name(lv)}排名": zh_frame(a.ranking(lv)) for lv in a.levels}
    write_workbook({**sheets, "考核明细": zh_frame(a.values)}, out / "工作考核.xlsx")
    print(f"    {len(a.units)} 个单位；已写入 {out / '工作考核.xlsx'}")


def run_notebooks(args: argparse.Namespace) -> int:
    """Show where the shipped notebooks and templates are, or copy them for editing."""
    import shutil

    from ..errors import JxkitError
    from ..files import notebooks_dir, templates_dir
    from ..report.kinds import KINDS

    sources = {"notebooks": notebooks_dir(), "templates": templates_dir()}
    if args.copy is None:
        for name, folder in sources.items():
            print(f"{name}：{folder}")
        for kind in KINDS.values():
            print(f"  {kind.notebook}（{kind.name}报告，jxkit render --kind {kind.code}）")
        print("  workbench.ipynb（评价工作台，jxkit workbench）")
        return 0
    files = {
        args.copy / name / f.relative_to(folder): f
        for name, folder in sources.items()
        for f in sorted(folder.rglob("*"))
        if f.is_file() and "__pycache__" not in f.parts and ".ipynb_checkpoints" not in f.parts
    }
    existing = [str(t) for t in files if t.exists()]
    if existing:
        raise JxkitError(
            f"{args.copy} 中已有 {len(existing)} 个同名文件，未复制（不会覆盖）："
            + "、".join(existing[:5])
            + ("……" if len(existing) > 5 else "")
        )
    for target, source in files.items():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
    print(f"已复制 {len(files)} 个文件到 {args.copy}")
    print(
        "修改后生成报告：jxkit render 数据集 --out 报告 "
        f"--notebooks {args.copy / 'notebooks'} --templates {args.copy / 'templates'}"
    )
    return 0
