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
from jxkit.synth import synth_dataset, targets, write_dataset

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

#: Declared-target problems of the demo's target review (jxkit targets): each kind of finding
#: in a few projects that were not self-evaluated (no score moves), three projects renamed
#: to continue last year's (their own targets then read 偏低 or 偏高 against last year's
#: actuals), and one continuing project whose budget rose by half with last year's targets.
TARGET_FINDINGS: tuple[targets.Edit, ...] = (
    # 2019 杭州市萧山区 training: a cost written ≥, a percentage above 100%, a unit missing
    targets.set_field("XM2019000015", "cost_per_head", target="≥820"),
    targets.set_field("XM2019000015", "pass_rate", target="105"),
    targets.set_field("XM2019000015", "hours_per_head", unit_of_measure=""),
    # 2019 facility: no 时效 indicators, an output counted again under 效益
    targets.set_field("XM2019000016", ("completion_on_time", "opened_on_time"), level2="质量指标"),
    targets.set_field(
        "XM2019000016", "custom_benefit", name="新建（改造）设施数量", unit_of_measure="个"
    ),
    # 2019 training: mostly qualitative, satisfaction aimed at 75%
    targets.set_field(
        "XM2019000017",
        ("custom_quality", "ability_improvement", "custom_benefit", "follow_up_rate"),
        rule="grade",
        target="好",
        unit_of_measure="",
    ),
    targets.set_field("XM2019000017", "trainee_satisfaction", target="75"),
    # 2019 facility: no targets declared at all
    targets.drop_indicators("XM2019000019"),
    # 2019 model workers: an indicator outside the framework, a target missing, a deadline
    # after the year, a cost share written ≥
    targets.set_field(
        "XM2019000020", "visited_count", indicator_id="care_hotline", name="劳模关爱热线接听量"
    ),
    targets.set_field("XM2019000020", "sense_of_honour", target=""),
    targets.set_field("XM2019000020", "list_publicised", target="2020年3月底前公示"),
    targets.set_field("XM2019000020", "admin_cost_share", target="≥5"),
    # 2020 温州市 training: 时效 missing, percentages above 100%, satisfaction 70%, cost ≥
    targets.set_field(
        "XM2020000011", ("on_schedule_rate", "certificate_timely"), level2="质量指标"
    ),
    targets.set_field("XM2020000011", "pass_rate", target="110"),
    targets.set_field("XM2020000011", "custom_quality", target="120"),
    targets.set_field("XM2020000011", "trainee_satisfaction", target="70"),
    targets.set_field("XM2020000011", "cost_per_head", target="≥670"),
    targets.set_field("XM2020000011", "daily_rate", unit_of_measure=""),
    # 2020 鹿城区 competition: no 数量/质量/时效 split, two indicators outside the
    # framework, low satisfaction, a deadline after the year
    targets.set_field(
        "XM2020000018",
        (
            "participants",
            "enterprises",
            "innovations",
            "custom_output",
            "award_compliance",
            "organisation_quality",
            "rules_published",
            "safety_incidents",
            "schedule_rate",
            "award_timely",
        ),
        level2="产出指标",
    ),
    targets.set_field("XM2020000018", "innovations", indicator_id="media_reports"),
    targets.set_field("XM2020000018", "economic_benefit", indicator_id="tech_reports"),
    targets.set_field(
        "XM2020000018", ("participant_satisfaction", "enterprise_satisfaction"), target="60"
    ),
    targets.set_field("XM2020000018", "award_timely", target="2021年3月底前兑现"),
    # continuing projects
    targets.rename("XM2020000007", "2020年宁波市“五小”创新竞赛"),
    targets.copy_targets("XM2020000007", "XM2019000007"),
    targets.rename("XM2020000008", "2020年温州市工会主题宣传活动"),
    targets.rename("XM2021000012", "2021年温州市职工文化艺术节"),
)

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
    tables = synth_dataset(
        N_PROJECTS,
        SEED,
        years=YEARS,
        reviewed=demo_sample,
        new_major=NEW_MAJOR,
        edits=TARGET_FINDINGS,
    )
    write_dataset(tables, args.out / "demo", xlsx=args.out / "demo.xlsx")
    for name, frame in tables.items():
        print(f"{name:<12} {len(frame):>6} 行")
    print(f"已写入 {args.out / 'demo'} 与 {args.out / 'demo.xlsx'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
