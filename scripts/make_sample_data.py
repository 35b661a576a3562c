"""Regenerate the demo dataset: sample_data/demo/ (CSV, UTF-8 with BOM) and sample_data/demo.xlsx.

Run after changing jxkit.synth or the shipped frameworks, then commit the result; the
tests regenerate it into a temporary folder and compare, so the committed files never
drift from the generator.

    .venv/bin/python scripts/make_sample_data.py [--out sample_data]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from jxkit.cli.report import DEMO_N, DEMO_SEED, DEMO_WHERE
from jxkit.sampling import draw
from jxkit.synth import synth_dataset, write_dataset

#: The demo: 1 province, 4 cities, 2 industry unions, 4 counties, 2019–2021, all ten
#: categories; review values for exactly the re-evaluation sample that ``jxkit demo`` draws
#: with its public seed, so the demo's audit report compares every sampled project.
SEED = 2020
N_PROJECTS = 60
YEARS = (2019, 2020, 2021)
#: The 2021 projects the demo treats as new major projects, assessed ex ante: the province's
#: data centre, two service-centre buildings (capital projects, one without its collective
#: decision on record) and Hangzhou's member app.
NEW_MAJOR = ("XM2021000002", "XM2021000006", "XM2021000007", "XM2021000008")

DEFAULT_OUT = Path(__file__).resolve().parent.parent / "sample_data"


def demo_sample(projects: pd.DataFrame) -> list[str]:
    """The projects the demo's re-evaluation sample selects (see ``jxkit demo``)."""
    sample = draw(projects, seed=DEMO_SEED, n=DEMO_N, strata="category", where=DEMO_WHERE)
    return [str(i) for i in sample.selected["id"]]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="重新生成示例数据 sample_data/demo 与 demo.xlsx")
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="输出目录（默认 sample_data）"
    )
    args = parser.parse_args(argv)
    tables = synth_dataset(N_PROJECTS, SEED, years=YEARS, reviewed=demo_sample, new_major=NEW_MAJOR)
    write_dataset(tables, args.out / "demo", xlsx=args.out / "demo.xlsx")
    for name, frame in tables.items():
        print(f"{name:<12} {len(frame):>6} 行")
    print(f"已写入 {args.out / 'demo'} 与 {args.out / 'demo.xlsx'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
