"""Subcommands for random re-evaluation: ``sample``, ``verify``, ``plan``, ``upper-bound``."""

from __future__ import annotations

import argparse
from typing import Any

from ..errors import SamplingError
from ..labels import METHOD_NAMES, MODEL_NAMES, REASON_NAMES
from .common import FMT, refuse_own_input

SAMPLE_DESCRIPTION = """\
随机抽取再评价样本。抽样方法公开（算法 jxkit-prn-v1，见 docs/sampling.md）：
每个单位的随机数 u 只由“随机数种子 + 单位编号”经 SHA-256 算出，任何人可用任何语言复算；
结果与行的顺序、其他列和软件版本无关。

  简单随机抽样：取 u 最小的 n 个单位。
  分层（--strata 列）：按各层单位数以最大余数法分配 n，每层至少 --min-per-stratum 个。
  按规模 PPS（--pps 列，如 budget）：顺序泊松抽样，规模大到 λ≥1 的单位必然入选。
  必选（--include 文件）：清单中的单位一定入选，不占 n 的名额。

输出目录中写出 manifest.json（抽样清单：种子、方法、全部参数、总体指纹、入选单位）、
sample.csv、sample.xlsx 和 population.txt（总体明细，其 SHA-256 即总体指纹）。
种子应在抽样前公开确定（如会议记录编号、公开开奖号码），并原样记录。"""

SAMPLE_EPILOG = """\
示例：
  jxkit sample sample_data/demo --seed 20211231 --n 10 --out 抽样
  jxkit sample sample_data/demo --seed "2022年第3次党组会" --rate 10% --strata category --out 抽样
  jxkit sample 项目.xlsx --seed 20220315 --n 30 --pps budget --strata category \\
      --include 去年红灯项目.csv --where year=2021 --out 抽样2022
  jxkit sample sample_data/demo --units --seed 20220315 --n 5 --out 单位抽样"""

VERIFY_DESCRIPTION = """\
复核一次抽样：按抽样清单（manifest.json）记录的种子与参数，对给出的总体重新抽样并比较。
总体与入选单位都一致时显示“复现一致”，退出码 0；否则列出差异（新增、删除、变动的行，
以及哪些单位将新入选或不再入选），显示“复现不一致”，退出码 1。
清单旁的 population.txt 用于逐行列出总体的差异。"""

VERIFY_EPILOG = """\
示例：
  jxkit verify 抽样/manifest.json sample_data/demo
  jxkit verify 抽样 项目.xlsx"""

PLAN_DESCRIPTION = """\
属性抽样的样本量：若在样本中发现的偏差不超过预期偏差数，则可以给定的置信水平认为
总体偏差率低于可容忍偏差率。取满足 P(X ≤ K) ≤ 1 − C 的最小 n（按可容忍偏差率计算）。
  binomial（二项分布，默认）；poisson（泊松近似）；
  hypergeometric（超几何，无放回，需 --population N，总体偏差数 D = ⌈T·N⌉）。
最后一行只有样本量数字，便于脚本读取。"""

PLAN_EPILOG = """\
示例：
  jxkit plan --confidence 95% --tolerable 5% --expected 0             → 59
  jxkit plan --confidence 95% --tolerable 5% --expected 1             → 93
  jxkit plan --confidence 95% --tolerable 5% --expected 0 --model poisson   → 60
  jxkit plan --confidence 0.95 --tolerable 0.05 --expected 0 \\
      --model hypergeometric --population 500                          → 56"""

UPPER_DESCRIPTION = """\
再评价后，按样本中发现的偏差数计算总体偏差率的单侧上限（Clopper-Pearson 精确法）：
beta.ppf(C, K+1, n−K)，K = n 时为 1。最后一行只有上限数字（保留 4 位小数）。"""

UPPER_EPILOG = """\
示例：
  jxkit upper-bound --errors 2 --n 60                   → 0.1012
  jxkit upper-bound --errors 0 --n 59 --confidence 90%"""


def register(sub: Any) -> None:
    """Add ``sample``, ``verify``, ``plan`` and ``upper-bound`` to the ``jxkit`` command."""
    p = sub.add_parser(
        "sample",
        help="随机抽取再评价样本（公开算法，可复现）",
        description=SAMPLE_DESCRIPTION,
        epilog=SAMPLE_EPILOG,
        formatter_class=FMT,
    )
    p.add_argument(
        "population",
        metavar="POPULATION",
        help="总体：数据集（CSV 文件夹或 .xlsx 工作簿，取项目表；加 --units 取单位表）或任意 CSV/xlsx 表",
    )
    p.add_argument("--seed", required=True, metavar="TEXT", help="随机数种子：事先公开的一段文字")
    size = p.add_mutually_exclusive_group(required=True)
    size.add_argument("--n", type=_count, metavar="N", help="随机抽取的单位数（不含必选单位）")
    size.add_argument("--rate", metavar="R", help="抽样比例，如 0.1 或 10%%：n = ⌈R × N⌉")
    p.add_argument(
        "--id-col",
        metavar="COL",
        help="编号列（默认 project_id；加 --units 时默认 unit_id）",
    )
    p.add_argument("--units", action="store_true", help="总体为数据集时，抽取单位而不是项目")
    p.add_argument("--strata", metavar="COL", help="分层列，如 category")
    p.add_argument("--pps", metavar="COL", help="规模列（正数），如 budget：按规模成比例抽样")
    p.add_argument(
        "--min-per-stratum",
        type=_count,
        default=1,
        metavar="K",
        help="分层时每层至少抽取的单位数（默认 1，不超过该层单位数）",
    )
    p.add_argument("--include", metavar="FILE", help="必选单位清单（CSV/xlsx，编号列或唯一一列）")
    p.add_argument(
        "--where",
        metavar="FILTER",
        help="先筛选总体，如 year=2021,category=training；数字列可用 >=、<=、>、<",
    )
    p.add_argument("--out", required=True, metavar="DIR", help="输出目录")
    p.set_defaults(func=run_sample)

    p = sub.add_parser(
        "verify",
        help="按抽样清单复算，检查样本能否复现",
        description=VERIFY_DESCRIPTION,
        epilog=VERIFY_EPILOG,
        formatter_class=FMT,
    )
    p.add_argument("manifest", metavar="MANIFEST", help="抽样清单 manifest.json（或其所在目录）")
    p.add_argument("population", metavar="POPULATION", help="总体（与抽样时同一份数据）")
    p.set_defaults(func=run_verify)

    p = sub.add_parser(
        "plan",
        help="属性抽样所需样本量",
        description=PLAN_DESCRIPTION,
        epilog=PLAN_EPILOG,
        formatter_class=FMT,
    )
    p.add_argument("--confidence", required=True, metavar="C", help="置信水平，如 95%% 或 0.95")
    p.add_argument("--tolerable", required=True, metavar="T", help="可容忍偏差率，如 5%% 或 0.05")
    p.add_argument(
        "--expected", required=True, type=_count, metavar="K", help="预期（允许）偏差数，如 0"
    )
    p.add_argument(
        "--model",
        choices=list(MODEL_NAMES),
        default="binomial",
        help="分布模型（默认 binomial）",
    )
    p.add_argument("--population", type=_count, metavar="N", help="总体单位数（超几何模型必填）")
    p.set_defaults(func=run_plan)

    p = sub.add_parser(
        "upper-bound",
        help="偏差率的单侧置信上限（Clopper-Pearson）",
        description=UPPER_DESCRIPTION,
        epilog=UPPER_EPILOG,
        formatter_class=FMT,
    )
    p.add_argument("--errors", required=True, type=_count, metavar="K", help="样本中发现的偏差数")
    p.add_argument("--n", required=True, type=_count, metavar="N", help="样本量")
    p.add_argument("--confidence", default="95%", metavar="C", help="置信水平（默认 95%%）")
    p.set_defaults(func=run_upper_bound)


def _count(text: str) -> int:
    """argparse type for counts, with a Chinese message."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}”不是整数") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} 不能为负数")
    return value


def _percent(value: float) -> str:
    return f"{value * 100:g}%"


def run_sample(args: argparse.Namespace) -> int:
    from .. import sampling
    from ..dataset.tables import read_table
    from ..sampling.io import SAMPLE_NAMES

    refuse_own_input(
        args.out,
        args.include,
        dataset=args.population,
        folder=True,
        writes=(sampling.MANIFEST_NAME, *SAMPLE_NAMES, sampling.LISTING_NAME),
    )
    population = sampling.read_population(args.population, units=args.units)
    id_col = args.id_col or ("unit_id" if args.units else "project_id")
    include = read_table(args.include) if args.include else ()
    result = sampling.draw(
        population,
        seed=args.seed,
        n=args.n,
        rate=args.rate,
        id_col=id_col,
        strata=args.strata,
        pps=args.pps,
        min_per_stratum=args.min_per_stratum,
        include=include,
        where=args.where,
    )
    written = sampling.write_sample(result, args.out)
    m = result.manifest
    filtered = f"（筛选：{m['parameters']['where']}）" if m["parameters"]["where"] else ""
    print(f"总体：{m['population']['source']}，{m['population']['count']} 个单位{filtered}")
    print(f"方法：{METHOD_NAMES[m['method']]}，随机数种子“{m['seed']}”，n = {m['n']}")
    totals = m["totals"]
    parts = "，".join(f"{REASON_NAMES[r]} {totals[r]}" for r in sampling.REASONS)
    print(f"入选 {totals['selected']} 个单位：{parts}")
    for note in m["notes"]:
        print(f"说明：{note}")
    print(f"总体指纹 SHA-256：{m['population']['sha256']}")
    print("已写出：" + "、".join(str(p) for p in written))
    return 0


def run_verify(args: argparse.Namespace) -> int:
    from .. import sampling

    manifest = sampling.read_manifest(args.manifest)
    units = (manifest.get("population") or {}).get("table") == "units"
    population = sampling.read_population(args.population, units=units)
    report = sampling.verify(manifest, population, listing=sampling.read_listing(args.manifest))
    print(report)
    return 0 if report.ok else 1


def run_plan(args: argparse.Namespace) -> int:
    from ..sampling import planning

    confidence = planning.parse_fraction(args.confidence, name="置信水平")
    tolerable = planning.parse_fraction(args.tolerable, name="可容忍偏差率")
    if args.model == "hypergeometric" and args.population is None:
        raise SamplingError("超几何模型需要总体单位数：请加 --population N")
    n = planning.sample_size(
        confidence, tolerable, args.expected, model=args.model, population=args.population
    )
    print(f"模型：{MODEL_NAMES[args.model]}（{args.model}）")
    if args.model == "hypergeometric":
        d = planning.population_deviations(tolerable, args.population)
        print(f"总体单位数：{args.population}，按可容忍偏差率计的总体偏差数 D = {d}")
    print(
        f"置信水平：{_percent(confidence)}，可容忍偏差率：{_percent(tolerable)}，预期偏差数：{args.expected}"
    )
    print("所需样本量：")
    print(n)
    return 0


def run_upper_bound(args: argparse.Namespace) -> int:
    from ..sampling import planning

    confidence = planning.parse_fraction(args.confidence, name="置信水平")
    bound = planning.upper_bound(args.errors, args.n, confidence)
    print(f"样本量：{args.n}，发现偏差：{args.errors}，置信水平：{_percent(confidence)}")
    print("总体偏差率的单侧上限（Clopper-Pearson）：")
    print(f"{bound:.4f}")
    return 0
