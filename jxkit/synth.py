"""Synthetic datasets: realistic fake unions, projects, indicators and evaluations.

Used for the demo, tests, training assessors and benchmarks. Everything is drawn from
one seed through independent streams per stage (units, projects, indicators,
evaluations), so the same seed always gives the same tables, and the work is
vectorised: each project's indicators are its category framework's leaves repeated
with numpy, never a Python loop per row.

What makes the data useful for testing the rest of jxkit:

- a latent quality per project drives its values: good projects reach their targets,
  poor ones miss, spend less and comply less;
- compliance (targets declared, approved, self-evaluated) improves year by year and is
  lower in county unions, so 三项十类 coverage is not 100%;
- re-evaluation (review) values exist for a share of self-evaluated projects and are a
  little stricter; weak projects tend to inflate their self-evaluation, often by
  10 or more points;
- some indicators are 不适用 where the framework allows it;
- evidence and notes of 困难职工帮扶 projects carry fake but realistic personal data
  (names, 18-digit ID numbers with valid check digits, mobile numbers) so that report
  masking can be tested;
- the whole process (a fifth stream, so the tables above do not change): ex-ante
  assessments of new major projects (the weakest one not supported, one capital project
  without its collective decision), monitoring of the last year's projects at the end of
  June and September (the weakest project a serious case at both dates; cross-year
  projects with start and end dates), unit-level indicators and values for every unit
  and year, and the assessor's values of the management-work indicators jxkit cannot
  compute.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from .catalogue import CATEGORY_CODES, OTHER
from .errors import DataError, Problem
from .frameworks import INDICATOR_COLUMNS, Framework, list_frameworks
from .rules import DEFAULT_GRADE_LEVELS
from .tables import atomic_path
from .text import per_value, to_number

__all__ = ["TABLE_COLUMNS", "synth_dataset", "write_dataset"]

#: Columns of the projects table drawn first (what the ``reviewed`` callback receives).
BASE_PROJECT_COLUMNS = (
    "project_id",
    "unit_id",
    "year",
    "name",
    "category",
    "budget",
    "spent",
    "new_major",
    "cross_year",
    "targets_declared",
    "targets_approved",
    "self_evaluated",
)
#: Column order of each table written (the dataset contract).
TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "units": ("unit_id", "name", "level", "parent_id", "region"),
    "projects": (
        *BASE_PROJECT_COLUMNS,
        "has_basis",
        "collective_decision",
        "start_date",
        "end_date",
        "rectified",
    ),
    "indicators": INDICATOR_COLUMNS,
    "evaluations": ("project_id", "indicator_id", "round", "actual", "evidence", "note"),
    "exante": ("project_id", "dimension", "score", "points", "note"),
    "monitoring": (
        "project_id",
        "as_of",
        "indicator_id",
        "spent_to_date",
        "progress",
        "expected",
        "likelihood",
        "reason",
    ),
    "unit_indicators": ("unit_id", "year", *INDICATOR_COLUMNS[1:]),
    "unit_evaluations": ("unit_id", "year", "indicator_id", "round", "actual", "evidence", "note"),
    "assessment": ("unit_id", "year", "indicator_id", "actual", "evidence", "note"),
}

# ----------------------------------------------------------------------------- units

#: Zhejiang's cities (name, 4-digit area code) with their county-level districts,
#: the first of each listed first so small datasets read naturally.
CITIES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("杭州市", "3301", ("西湖区", "上城区", "拱墅区", "滨江区", "萧山区", "余杭区", "临平区",
                      "钱塘区", "富阳区", "临安区", "桐庐县", "淳安县", "建德市")),
    ("宁波市", "3302", ("海曙区", "江北区", "北仑区", "镇海区", "鄞州区", "奉化区", "余姚市",
                      "慈溪市", "象山县", "宁海县")),
    ("温州市", "3303", ("鹿城区", "龙湾区", "瓯海区", "洞头区", "瑞安市", "乐清市", "龙港市",
                      "永嘉县", "平阳县", "苍南县", "文成县", "泰顺县")),
    ("嘉兴市", "3304", ("南湖区", "秀洲区", "海宁市", "平湖市", "桐乡市", "嘉善县", "海盐县")),
    ("湖州市", "3305", ("吴兴区", "南浔区", "德清县", "长兴县", "安吉县")),
    ("绍兴市", "3306", ("越城区", "柯桥区", "上虞区", "诸暨市", "嵊州市", "新昌县")),
    ("金华市", "3307", ("婺城区", "金东区", "兰溪市", "义乌市", "东阳市", "永康市", "武义县",
                      "浦江县", "磐安县")),
    ("衢州市", "3308", ("柯城区", "衢江区", "江山市", "常山县", "开化县", "龙游县")),
    ("舟山市", "3309", ("定海区", "普陀区", "岱山县", "嵊泗县")),
    ("台州市", "3310", ("椒江区", "黄岩区", "路桥区", "温岭市", "临海市", "玉环市", "三门县",
                      "天台县", "仙居县")),
    ("丽水市", "3311", ("莲都区", "龙泉市", "青田县", "缙云县", "遂昌县", "松阳县", "云和县",
                      "庆元县", "景宁畲族自治县")),
)  # fmt: skip
#: Province-level industry unions (name, the scope used in their project names).
INDUSTRIES: tuple[tuple[str, str], ...] = (
    ("浙江省教育工会", "全省教育系统"),
    ("浙江省财贸金融工会", "全省财贸金融系统"),
    ("浙江省机械冶金工会", "全省机械冶金行业"),
    ("浙江省建设建材工会", "全省建设建材行业"),
    ("浙江省交通运输工会", "全省交通运输系统"),
    ("浙江省能源化学地质工会", "全省能源化学地质行业"),
    ("浙江省农林水利气象工会", "全省农林水利气象系统"),
    ("浙江省医务工会", "全省卫生健康系统"),
)
PROVINCE_ID = "330000"

# ----------------------------------------------------------------------------- projects

#: Relative frequency of categories among projects (``other`` is a small remainder).
CATEGORY_WEIGHTS: dict[str, float] = {
    "large_event": 0.10,
    "large_publicity": 0.07,
    "model_worker_care": 0.08,
    "hardship_assistance": 0.14,
    "social_workers": 0.07,
    "facility_construction": 0.08,
    "research": 0.07,
    "labour_competition": 0.10,
    "it_network": 0.06,
    "training": 0.18,
    "other": 0.05,
}
#: Median budget in yuan of a city-level project, by category.
BUDGET_MEDIAN: dict[str, float] = {
    "large_event": 800_000,
    "large_publicity": 500_000,
    "model_worker_care": 600_000,
    "hardship_assistance": 1_500_000,
    "social_workers": 1_200_000,
    "facility_construction": 2_000_000,
    "research": 80_000,
    "labour_competition": 400_000,
    "it_network": 900_000,
    "training": 200_000,
    "other": 150_000,
}
LEVEL_BUDGET = {"province": 1.6, "city": 1.0, "industry": 0.6, "county": 0.35}
LEVEL_WEIGHT = {"province": 4.0, "city": 2.5, "industry": 1.2, "county": 1.0}
#: Project names: the scope (全省, 杭州市, 西湖区 …) goes between the year and these.
NAME_PARTS: dict[str, tuple[str, ...]] = {
    "large_event": (
        "职工文化艺术节",
        "职工运动会",
        "“五一”国际劳动节庆祝活动",
        "迎新春职工文艺汇演",
        "职工读书月活动",
        "劳模工匠事迹报告会",
    ),
    "large_publicity": (
        "工会主题宣传活动",
        "“最美职工”宣传展示活动",
        "工会新媒体宣传矩阵建设项目",
        "职工普法宣传月活动",
        "工会好新闻宣传推广项目",
    ),
    "model_worker_care": ("劳动模范春节慰问项目", "困难劳模帮扶慰问项目", "劳模疗休养项目", "劳模健康体检项目"),
    "hardship_assistance": (
        "困难职工帮扶项目",
        "金秋助学项目",
        "“两节”送温暖项目",
        "职工医疗互助补助项目",
        "大病职工救助项目",
    ),
    "social_workers": (
        "社会化工会工作者薪酬保障项目",
        "工会社会工作者队伍建设项目",
        "职业化工会工作者培训与考核项目",
    ),
    "facility_construction": (
        "职工服务中心建设项目",
        "爱心驿站建设项目",
        "职工书屋建设项目",
        "职工之家提升改造项目",
        "爱心妈咪小屋建设项目",
    ),
    "research": (
        "工会理论研究课题",
        "新就业形态劳动者权益保障调研课题",
        "产业工人队伍建设改革课题",
        "职工队伍状况调查",
    ),
    "labour_competition": (
        "职工职业技能竞赛",
        "重点工程劳动竞赛",
        "“五小”创新竞赛",
        "数字经济劳动竞赛",
    ),
    "it_network": (
        "智慧工会平台建设项目",
        "会员服务APP升级项目",
        "网上工会系统运维项目",
        "工会数据中心建设项目",
    ),
    "training": (
        "工会干部培训项目",
        "基层工会主席培训班",
        "职工技能提升培训项目",
        "工会财务人员业务培训班",
        "新就业形态劳动者技能培训项目",
    ),
    "other": ("工会办公设备购置项目", "工会档案数字化项目", "职工法律援助服务项目", "会员普惠服务项目"),
}  # fmt: skip
#: Compliance rates by year (before 2019 as 2019, after 2021 as 2021); approval is the
#: rate among declared targets. County unions lag (COUNTY_LAG).
COMPLIANCE: dict[str, dict[int, float]] = {
    "targets_declared": {2019: 0.80, 2020: 0.90, 2021: 0.97},
    "targets_approved": {2019: 0.50, 2020: 0.85, 2021: 0.95},
    "self_evaluated": {2019: 0.82, 2020: 0.91, 2021: 0.97},
}
COUNTY_LAG: dict[int, float] = {2019: 0.20, 2020: 0.10, 2021: 0.03}

# ----------------------------------------------------------------------------- values

#: Units whose values are counts: targets scale with the budget, values are integers.
COUNT_UNITS = frozenset(
    {"人", "人次", "户", "个", "家", "场", "次", "期", "项", "篇", "件", "份", "条", "处", "名",
     "支", "门", "册", "台（套）", "卷", "起"}
)  # fmt: skip
#: Reasons written in notes when a target is missed; 2020 adds the epidemic.
DEVIATION_REASONS = (
    "部分基层单位工作推进较慢，未按计划完成",
    "项目实施方案调整，部分内容延至次年实施",
    "前期调研不足，指标值设置偏高",
    "采购程序耗时较长，实施进度滞后",
    "参与单位报名不足",
)
EPIDEMIC_REASONS = (
    "受新冠肺炎疫情影响，线下活动压减",
    "受疫情防控要求影响，部分活动改为线上开展",
)
REVIEW_NOTES = (
    "复核调整：佐证材料不足，按核实数计",
    "复核调整：自评口径有误，剔除计划外数据",
    "复核调整：部分数据无法与原始凭证核对一致",
    "复核调整：现场核查与自评不符",
)
SURNAMES = tuple(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程"
)
GIVEN = tuple("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国红玉兰志海燕春梅林斌波宁浩")
MOBILE_PREFIXES = ("130", "133", "135", "137", "138", "139", "150", "151", "152", "157", "158",
                   "159", "177", "186", "187", "188", "189", "199")  # fmt: skip
_ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
_ID_CHECK = np.array(list("10X98765432"))
#: Leaves of 困难职工帮扶 whose evidence or notes name the people helped.
PERSONAL_LEAVES = frozenset(
    {"households_assisted", "targeting_accuracy", "payment_timely", "recipient_satisfaction",
     "custom_output", "exit_rate"}
)  # fmt: skip
NA_SHARE = 0.08
#: Rows whose draw exceeds this finish at 130–160% of target (a target set too low).
OVERRUN_DRAW = 0.985
EXCEL_MAX_ROWS = 1_048_575


def synth_dataset(
    n_projects: int,
    seed: int,
    *,
    years: Sequence[int] = (2019, 2020, 2021),
    review_share: float = 0.3,
    reviewed: Callable[[pd.DataFrame], Iterable[str]] | None = None,
    new_major: Iterable[str] | None = None,
) -> dict[str, pd.DataFrame]:
    """A realistic fake dataset: every table of :data:`TABLE_COLUMNS`.

    Units scale with ``n_projects`` (60 projects give 1 province, 4 cities, 2 industry
    unions and 4 counties; from about 1,400 projects, all 11 cities and 90 counties).
    ``review_share`` is the share of self-evaluated projects that also get review values;
    ``reviewed``, when given, picks them instead: it receives the projects table and
    returns the ids to review (e.g. a re-evaluation sample drawn with a public seed).
    ``new_major``, when given, names the new major projects (assessed ex ante) instead of
    the drawn ones. The tables hold text the way users write it (是/否, 不适用), ready for
    :func:`write_dataset` and :func:`jxkit.load_dataset`.
    """
    problems = []
    if n_projects < 1:
        problems.append(Problem("synth", f"项目数应至少为 1，而不是 {n_projects}"))
    if not years:
        problems.append(Problem("synth", "至少需要一个年度"))
    if not 0 <= review_share <= 1:
        problems.append(Problem("synth", f"复核比例应在 0 到 1 之间，而不是 {review_share}"))
    if problems:
        raise DataError(problems, title="生成模拟数据的参数有问题")
    # spawn(n)[:4] is the same for any n: the fifth stream leaves the first four unchanged
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(5)]
    frameworks = _project_frameworks()
    units = _units(n_projects)
    projects, quality = _projects(streams[0], units, n_projects, tuple(int(y) for y in years))
    indicators, facts, variants = _indicators(streams[1], projects, frameworks)
    chosen = (
        None
        if reviewed is None
        else {str(i) for i in reviewed(projects.loc[:, list(BASE_PROJECT_COLUMNS)])}
    )
    evaluations = _evaluations(
        streams[2], projects, quality, facts, variants, review_share, units, chosen
    )
    tables = {
        "units": units.loc[:, list(TABLE_COLUMNS["units"])],
        "projects": projects,
        "indicators": indicators,
        "evaluations": evaluations,
    }
    tables |= _process(streams[4], tables, units, quality, new_major)
    tables["projects"] = tables["projects"].loc[:, list(TABLE_COLUMNS["projects"])]
    return {name: tables[name] for name in TABLE_COLUMNS}


def write_dataset(
    tables: dict[str, pd.DataFrame], out_dir: str | os.PathLike[str], *, xlsx: Path | None = None
) -> list[Path]:
    """Write one CSV per table (UTF-8 with BOM, atomic), and optionally one workbook.

    The workbook has one sheet per table with the same names; it is refused when a table
    has more rows than Excel can hold, rather than silently truncated.
    """
    out = Path(out_dir)
    written = []
    names = [n for n in TABLE_COLUMNS if n in tables]
    for name in names:
        with atomic_path(out / f"{name}.csv") as tmp:
            tmp.write_text(_csv_text(tables[name]), encoding="utf-8-sig", newline="")
        written.append(out / f"{name}.csv")
    if xlsx is not None:
        too_big = [n for n in names if len(tables[n]) > EXCEL_MAX_ROWS]
        if too_big:
            raise DataError(
                [
                    Problem(Path(xlsx).name, f"表 {n} 有 {len(tables[n])} 行，超过 Excel 单表上限")
                    for n in too_big
                ],
                title="数据过大，无法写成 Excel 工作簿（请只用 CSV）",
            )
        with atomic_path(xlsx) as tmp, pd.ExcelWriter(tmp, engine="openpyxl") as book:
            for name in names:
                tables[name].to_excel(book, sheet_name=name, index=False)
        written.append(Path(xlsx))
    return written


def _csv_text(frame: pd.DataFrame) -> str:
    """The frame as CSV text, quoted as pandas and Excel do; whole floats without ".0".

    Several times faster than ``DataFrame.to_csv`` on millions of rows because columns
    repeat heavily: each distinct value is formatted and quoted once.
    """
    columns = []
    for name in frame.columns:
        codes, distinct = pd.factorize(frame[name], use_na_sentinel=False)
        texts = np.array([_csv_field(v) for v in distinct], dtype=object)
        columns.append(texts[codes])
    header = ",".join(_csv_field(c) for c in frame.columns)
    return "\n".join([header, *map(",".join, zip(*columns, strict=True))]) + "\n"


def _csv_field(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # whole yuan read as 368000, not 368000.0
    text = str(value)
    if any(c in text for c in ',"\n\r'):
        return '"' + text.replace('"', '""') + '"'
    return text


# ----------------------------------------------------------------------------- units


def _units(n_projects: int) -> pd.DataFrame:
    """The union hierarchy, sized to the number of projects (no randomness needed)."""
    n_city = int(np.clip(round(n_projects / 15), 1, len(CITIES)))
    n_industry = int(np.clip(round(n_projects / 30), 1, len(INDUSTRIES)))
    cities = CITIES[:n_city]
    # round-robin over the cities so that a few counties come from different cities
    counties = [
        (f"{code}{k + 1:02d}", names[k], city, code)
        for k in range(max(len(c[2]) for c in cities))
        for city, code, names in cities
        if k < len(names)
    ]
    n_county = int(np.clip(round(n_projects / 15), 1, len(counties)))
    rows = [(PROVINCE_ID, "浙江省总工会", "province", "", "浙江省", "全省", "3301")]
    rows += [
        (f"3300{i + 1:02d}", name, "industry", PROVINCE_ID, "浙江省", scope, "3301")
        for i, (name, scope) in enumerate(INDUSTRIES[:n_industry])
    ]
    rows += [
        (f"{code}00", f"{city}总工会", "city", PROVINCE_ID, city, city, code)
        for city, code, _ in cities
    ]
    rows += [
        (uid, f"{county}总工会", "county", f"{code}00", city, county, code)
        for uid, county, city, code in counties[:n_county]
    ]
    return pd.DataFrame(
        rows, columns=["unit_id", "name", "level", "parent_id", "region", "scope", "area"]
    )


# ----------------------------------------------------------------------------- projects


def _rate(table: dict[int, float], years: np.ndarray) -> np.ndarray:
    """The rate for each year; years outside the table take the nearest year's."""
    keys = np.array(sorted(table))
    values = np.array([table[k] for k in keys])
    return values[np.searchsorted(keys, np.clip(years, keys[0], keys[-1]))]


def _projects(
    rng: np.random.Generator, units: pd.DataFrame, n: int, years: tuple[int, ...]
) -> tuple[pd.DataFrame, np.ndarray]:
    """Projects with budget, spending and compliance flags, and each one's latent quality."""
    levels = units["level"].to_numpy()
    weight = np.array([LEVEL_WEIGHT[lv] for lv in levels])
    unit_idx = rng.choice(len(units), size=n, p=weight / weight.sum())
    year = rng.choice(np.array(years), size=n)
    codes = np.array([*CATEGORY_CODES, OTHER.code])
    cat_p = np.array([CATEGORY_WEIGHTS[c] for c in codes])
    cat_idx = rng.choice(len(codes), size=n, p=cat_p / cat_p.sum())
    first = min(n, len(CATEGORY_CODES))  # every category appears in any dataset of 10+
    cat_idx[:first] = rng.permutation(len(CATEGORY_CODES))[:first]
    category = codes[cat_idx]
    level = levels[unit_idx]

    # unit cultures differ; counties are weaker at first; everyone improves each year
    unit_effect = rng.normal(0.0, 0.06, size=len(units))[unit_idx]
    trend = 0.03 * (year - min(years))
    quality = np.clip(
        rng.beta(5.0, 1.6, size=n) + unit_effect + trend - 0.05 * (level == "county"), 0.05, 0.99
    )

    median = np.array([BUDGET_MEDIAN[c] for c in category]) * np.array(
        [LEVEL_BUDGET[lv] for lv in level]
    )
    budget = np.maximum(10_000.0, np.round(median * rng.lognormal(0.0, 0.6, size=n), -3)).astype(
        np.int64
    )
    rate = np.clip(0.70 + 0.32 * quality + rng.normal(0.0, 0.05, size=n), 0.25, 1.0)
    rate = np.where(rate > 0.985, 1.0, rate)
    spent = np.round(budget * rate, 2)

    lag = np.where(level == "county", _rate(COUNTY_LAG, year), 0.0)
    bonus = 0.10 * (quality - 0.75)
    draws = rng.random((4, n))
    complies = {
        flag: draws[i] < _rate(rates, year) - lag + bonus
        for i, (flag, rates) in enumerate(COMPLIANCE.items())
    }
    declared, evaluated = complies["targets_declared"], complies["self_evaluated"]
    approved = declared & complies["targets_approved"]  # only declared targets get approved
    new_major = draws[3] < np.where(budget >= 2_000_000, 0.15, 0.02)
    long_running = np.isin(category, ["facility_construction", "it_network"])
    cross_year = rng.random(n) < np.where(long_running, 0.25, 0.04)

    part = np.empty(n, dtype=object)
    for code in codes:
        mask = category == code
        options = np.array(NAME_PARTS[code], dtype=object)
        part[mask] = options[rng.integers(len(options), size=int(mask.sum()))]
    scope = units["scope"].to_numpy()[unit_idx]
    frame = pd.DataFrame(
        {
            "unit_pos": unit_idx,
            "unit_id": units["unit_id"].to_numpy()[unit_idx],
            "year": year,
            "category": category,
            "name": pd.Series(year.astype(str), dtype=object) + "年" + scope + part,
            "budget": budget,
            "spent": spent,
            "new_major": _yes_no(new_major),
            "cross_year": _yes_no(cross_year),
            "targets_declared": _yes_no(declared),
            "targets_approved": _yes_no(approved),
            "self_evaluated": _yes_no(evaluated),
            "quality": quality,
        }
    )
    frame = frame.sort_values(["year", "unit_pos"], kind="stable").reset_index(drop=True)
    seq = frame.groupby("year").cumcount() + 1
    frame.insert(0, "project_id", "XM" + frame["year"].astype(str) + seq.astype(str).str.zfill(6))
    return frame, frame.pop("quality").to_numpy()


def _yes_no(mask: np.ndarray) -> np.ndarray:
    return np.where(mask, "是", "否").astype(object)


# ----------------------------------------------------------------------------- indicators


def _project_frameworks() -> dict[str, Framework]:
    """The shipped project framework of each category (and of ``other``)."""
    found = {fw.category: fw for fw in list_frameworks() if fw.kind == "project"}
    missing = [c for c in (*CATEGORY_CODES, OTHER.code) if c not in found]
    if missing:
        raise DataError(
            [Problem("templates/frameworks", f"缺少类别 {c} 的指标体系") for c in missing],
            title="无法生成模拟数据",
        )
    return {c: found[c] for c in (*CATEGORY_CODES, OTHER.code)}


#: Rules the generator knows how to produce values for, coded as small integers.
RULE_CODES = (
    "execution_rate",
    "ratio",
    "bands",
    "inverse",
    "inverse_linear",
    "equal_zero",
    "deduction",
    "grade",
    "boolean",
    "interval",
)
_R = {name: i for i, name in enumerate(RULE_CODES)}


def _variants(frameworks: dict[str, Framework]) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """Every way a leaf can appear in a project: common leaves as written, custom slots once
    per example. Returns the table and, per category, each leaf's first variant and count.

    Per-row work then reduces to integer indexing into this small table.
    """
    rows: list[dict[str, object]] = []
    slots: dict[str, np.ndarray] = {}
    for code, fw in frameworks.items():
        spans = []
        for leaf in fw.leaves.to_dict("records"):
            examples = (
                fw.examples.get(str(leaf["indicator_id"]), ()) if leaf["type"] == "custom" else ()
            )
            spans.append((len(rows), max(1, len(examples))))
            base = {**leaf, "category": code}
            rows += [
                {
                    **base,
                    "name": e["name"],
                    "unit_of_measure": e.get("unit", ""),
                    "target": e.get("target"),
                }
                for e in examples
            ] or [base]
        slots[code] = np.array(spans, dtype=np.int64)
    table = pd.DataFrame(rows)
    params = [json.loads(p) if p else {} for p in table["params"]]
    for key in ("low", "high", "tolerance"):
        table[key] = [float(p.get(key, np.nan)) for p in params]
    levels = [list(p.get("levels", DEFAULT_GRADE_LEVELS)) for p in params]
    table["labels"] = [(lv + [lv[-1]] * 4)[:4] for lv in levels]  # padded: 4 columns for take
    table["n_levels"] = [len(lv) for lv in levels]
    table["rule_code"] = [_R.get(r, -1) for r in table["rule"]]
    table["numeric"] = [_is_number(t) for t in table["target"]]
    table["target_num"] = [float(t) if _is_number(t) else np.nan for t in table["target"]]
    table["target_text"] = ["" if t is None else str(t) for t in table["target"]]
    unit = table["unit_of_measure"].astype(str)
    table["count_unit"] = unit.isin(COUNT_UNITS)
    table["money_unit"] = unit.str.contains("元")
    table["pct_unit"] = unit == "%"
    table["personal"] = (table["category"] == "hardship_assistance") & table["indicator_id"].isin(
        PERSONAL_LEAVES
    )
    return table, slots


def _indicators(
    rng: np.random.Generator, projects: pd.DataFrame, frameworks: dict[str, Framework]
) -> tuple[pd.DataFrame, dict[str, np.ndarray], pd.DataFrame]:
    """The indicators table, per-row facts for the evaluations (project, variant, numeric
    target) and the variants table they index."""
    variants, slots = _variants(frameworks)
    category = projects["category"].to_numpy()
    proj_parts, var_parts = [], []
    for code, spans in slots.items():
        pos = np.flatnonzero(category == code)
        first = np.tile(spans[:, 0], len(pos))
        count = np.tile(spans[:, 1], len(pos))
        proj_parts.append(np.repeat(pos, len(spans)))
        # a custom slot takes one of its examples at random; common leaves have one variant
        var_parts.append(first + (rng.random(len(first)) * count).astype(np.int64))
    proj = np.concatenate(proj_parts)
    order = np.argsort(proj, kind="stable")  # project order, framework order within
    proj, var = proj[order], np.concatenate(var_parts)[order]

    def col(name: str) -> np.ndarray:
        return variants[name].to_numpy()[var]

    # count targets grow with the budget; cost standards vary a little between projects
    target = col("target_num")
    numeric = col("numeric").astype(bool)
    rule = col("rule_code")
    up = np.isin(rule, [_R["ratio"], _R["bands"]])
    ref = np.array([BUDGET_MEDIAN[c] for c in category])[proj]
    scale = np.clip((projects["budget"].to_numpy()[proj] / ref) ** 0.7, 0.2, 8.0)
    counts = col("count_unit").astype(bool) & up & numeric
    target[counts] = np.maximum(1.0, np.round(target[counts] * scale[counts]))
    costs = np.isin(rule, [_R["inverse"], _R["inverse_linear"]]) & col("money_unit").astype(bool)
    target[costs] = np.round(target[costs] * rng.lognormal(0.0, 0.15, int(costs.sum())), -1)
    target_text = col("target_text").copy()
    target_text[numeric] = _fmt(target[numeric], np.full(int(numeric.sum()), 2))

    indicators = pd.DataFrame(
        {
            "project_id": projects["project_id"].to_numpy()[proj],
            **_indicator_fields(col, target_text),
        }
    )
    return indicators, {"proj": proj, "var": var, "target": target}, variants


def _indicator_fields(
    col: Callable[[str], np.ndarray], target_text: np.ndarray
) -> dict[str, np.ndarray]:
    """The indicator columns after the key (shared by project and unit indicators)."""
    points = col("points")
    return {
        "indicator_id": col("indicator_id"),
        "level1": col("level1"),
        "level2": col("level2"),
        "name": col("name"),
        "points": points.astype(np.int64) if (points == np.round(points)).all() else points,
        "rule": col("rule"),
        "target": target_text,
        "params": col("params"),
        "unit_of_measure": col("unit_of_measure"),
    }


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


# ----------------------------------------------------------------------------- evaluations


def _evaluations(
    rng: np.random.Generator,
    projects: pd.DataFrame,
    quality: np.ndarray,
    facts: dict[str, np.ndarray],
    variants: pd.DataFrame,
    review_share: float,
    units: pd.DataFrame,
    chosen: set[str] | None = None,
) -> pd.DataFrame:
    """Self-evaluation values for self-evaluated projects, review values for a sample."""
    n_proj = len(projects)
    evaluated = (projects["self_evaluated"] == "是").to_numpy()
    candidates = np.flatnonzero(evaluated)
    reviewed = np.zeros(n_proj, dtype=bool)
    picked = rng.choice(candidates, size=round(review_share * len(candidates)), replace=False)
    reviewed[picked] = True
    if chosen is not None:  # the draw above still runs so the other values stay the same
        reviewed = projects["project_id"].isin(chosen).to_numpy() & evaluated
    # weak projects are the ones that inflate: their self-evaluation reads as a good project's
    inflated = rng.random(n_proj) < np.clip(0.05 + 0.9 * (1.0 - quality), 0.0, 0.6)
    boosted = np.maximum(quality + rng.uniform(0.25, 0.45, n_proj), 0.93)
    q_self = np.minimum(0.99, np.where(inflated, boosted, quality + 0.02))
    q_review = np.maximum(0.02, quality - 0.03)

    rule_of = variants["rule_code"].to_numpy()
    keep = evaluated[facts["proj"]] & (rule_of[facts["var"]] != _R["execution_rate"])
    proj, var, target = (facts[k][keep] for k in ("proj", "var", "target"))
    n = len(proj)
    rule = rule_of[var]
    # shared draws make review a stricter reading of the same facts, not a new world
    u, depth_u, side_u, extra_u, evid_u, na_u = rng.random((6, n))
    na = variants["na_allowed"].to_numpy().astype(bool)[var] & (na_u < NA_SHARE)
    year = projects["year"].to_numpy()[proj]

    self_value = _values(variants, var, target, q_self[proj], u, depth_u, side_u, extra_u)
    self_value[na] = "不适用"
    plain_evidence = variants["evidence"].to_numpy()[var]
    evidence = plain_evidence.copy()
    evidence[evid_u < 0.12 * (1 - quality[proj]) ** 2] = ""
    evidence[na] = "不适用情况说明"
    note = np.full(n, "", dtype=object)
    missed = _missed(q_self[proj], u) & ~na & ~np.isin(rule, [_R["equal_zero"], _R["deduction"]])
    note[missed] = _choose(rng, DEVIATION_REASONS, int(missed.sum()))
    epidemic = missed & (year == 2020) & (rng.random(n) < 0.6)
    note[epidemic] = _choose(rng, EPIDEMIC_REASONS, int(epidemic.sum()))
    up = np.isin(rule, [_R["ratio"], _R["bands"]])
    overrun = ~missed & ~na & up & (extra_u > OVERRUN_DRAW) & (rng.random(n) < 0.3)
    note[overrun] = "指标值设置偏低，实际完成超出较多，次年将调整"
    personal = variants["personal"].to_numpy().astype(bool)[var] & (rng.random(n) < 0.5)
    _personal_data(rng, projects, units, proj, np.flatnonzero(personal), evidence, note)

    r = np.flatnonzero(reviewed[proj])
    review_value = _values(
        variants, var[r], target[r], q_review[proj[r]], u[r], depth_u[r], side_u[r], extra_u[r]
    )
    review_value[na[r]] = "不适用"
    review_note = np.full(len(r), "", dtype=object)
    changed = review_value != self_value[r]
    review_note[changed] = _choose(rng, REVIEW_NOTES, int(changed.sum()))
    review_evidence = np.where(evidence[r] == "", "未提供佐证材料", "已核查：" + plain_evidence[r])
    review_evidence[na[r]] = "不适用情况说明"

    pid = projects["project_id"].to_numpy()
    indicator_id = variants["indicator_id"].to_numpy()[var]
    rows = np.concatenate([np.arange(n), r])
    frame = pd.DataFrame(
        {
            "project_id": pid[proj[rows]],
            "indicator_id": indicator_id[rows],
            "round": np.repeat(np.array(["self", "review"], dtype=object), [n, len(r)]),
            "actual": np.concatenate([self_value, review_value]),
            "evidence": np.concatenate([evidence, review_evidence.astype(object)]),
            "note": np.concatenate([note, review_note]),
        }
    )
    is_review = np.repeat([0, 1], [n, len(r)])
    return frame.iloc[np.lexsort((rows, is_review, proj[rows]))].reset_index(drop=True)


def _choose(rng: np.random.Generator, options: Sequence[str], k: int) -> np.ndarray:
    return np.array(options, dtype=object)[rng.integers(len(options), size=k)]


def _missed(q: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Whether an indicator misses its target: likelier the poorer the project."""
    return u < (1.0 - q) * 1.5


def _values(
    variants: pd.DataFrame,
    var: np.ndarray,
    target: np.ndarray,
    q: np.ndarray,
    u: np.ndarray,
    depth_u: np.ndarray,
    side_u: np.ndarray,
    extra_u: np.ndarray,
) -> np.ndarray:
    """Values as users write them, from each row's attainment (1 = exactly on target)."""
    n = len(var)
    missed = _missed(q, u)
    depth = (0.05 + 0.55 * depth_u) * (1.2 - q)
    attain = np.where(missed, 1.0 - depth, 1.0 + 0.15 * extra_u * (extra_u > 0.6))
    attain = np.where(
        ~missed & (extra_u > OVERRUN_DRAW), 1.3 + 20 * (extra_u - OVERRUN_DRAW), attain
    )

    def col(name: str) -> np.ndarray:
        return variants[name].to_numpy()[var]

    rule = col("rule_code")
    value = np.full(n, np.nan)
    out = np.full(n, "", dtype=object)

    up = np.isin(rule, [_R["ratio"], _R["bands"]])
    value[up] = target[up] * attain[up]
    capped = up & col("pct_unit").astype(bool) & (target <= 100)
    value[capped] = np.minimum(value[capped], 100.0)

    down = np.isin(rule, [_R["inverse"], _R["inverse_linear"]])
    value[down] = target[down] / attain[down]

    zero = rule == _R["equal_zero"]
    value[zero] = np.where(missed[zero] & (side_u[zero] < 0.12), 1 + (extra_u[zero] > 0.8), 0)
    ded = rule == _R["deduction"]
    value[ded] = np.where(missed[ded], 1 + np.floor(depth[ded] * 5), 0)

    inter = rule == _R["interval"]
    low, high, tol = (col(k)[inter] for k in ("low", "high", "tolerance"))
    inside = low + (high - low) * extra_u[inter]
    # a share cannot exceed 100%, so an availability can only fall short
    above = (side_u[inter] < 0.4) & ~(col("pct_unit").astype(bool)[inter] & (high >= 100))
    off = depth[inter] * tol * 1.5
    value[inter] = np.maximum(
        0.0, np.where(missed[inter], np.where(above, high + off, low - off), inside)
    )

    numeric = up | down | zero | ded | inter
    decimals = np.where(
        col("count_unit").astype(bool) | zero | ded,
        0,
        np.where(col("money_unit").astype(bool), np.where(target >= 1000, 0, 2), 1),
    )
    out[numeric] = _fmt(value[numeric], decimals[numeric])

    grade = np.flatnonzero(rule == _R["grade"])
    a = attain[grade]
    n_levels = col("n_levels")[grade]
    level = np.where(
        n_levels == 3,
        (a < 0.95).astype(int) + (a < 0.7),
        np.minimum((a < 0.97).astype(int) + (a < 0.85) + (a < 0.65), n_levels - 1),
    )
    labels = np.array(variants["labels"].tolist(), dtype=object)
    out[grade] = labels[var[grade], level]
    boolean = rule == _R["boolean"]
    out[boolean] = np.where(attain[boolean] >= 0.8, "是", "否")
    return out


def _fmt(values: np.ndarray, decimals: np.ndarray) -> np.ndarray:
    """Numbers as short text: 500, 95.5, 812.25 (no trailing .0).

    Values repeat a lot (counts, percentages), so only the distinct ones are formatted.
    """
    scale = 10.0 ** decimals.astype(float)
    rounded = np.round(values * scale) / scale
    distinct, inverse = np.unique(rounded, return_inverse=True)
    text = distinct.astype(str)
    whole = distinct == np.round(distinct)
    text[whole] = np.round(distinct[whole]).astype(np.int64).astype(str)
    return text.astype(object)[inverse]


# ----------------------------------------------------------------------------- personal data


def _personal_data(
    rng: np.random.Generator,
    projects: pd.DataFrame,
    units: pd.DataFrame,
    proj: np.ndarray,
    rows: np.ndarray,
    evidence: np.ndarray,
    note: np.ndarray,
) -> None:
    """Put fake names, ID and phone numbers into the given rows' evidence or notes."""
    k = len(rows)
    if not k:
        return
    area = units.set_index("unit_id")["area"]
    region = area.reindex(projects["unit_id"].to_numpy()[proj[rows]]).to_numpy().astype(str)
    people = _names(rng, k)
    ids = _id_numbers(rng, region)
    phones = _phones(rng, k)
    as_note = rng.random(k) < 0.4
    add = np.strings.add
    ev = add(
        add(
            add(add(add(add("帮扶对象花名册（", people), "，身份证号 "), ids), "，联系电话 "),
            phones,
        ),
        "）、银行代发回单",
    )
    nt = add(
        add(
            add(add(add("受助职工", people), "（身份证 "), ids), "）因病致困，已入户核实，联系电话 "
        ),
        phones,
    )
    evidence[rows[~as_note]] = ev[~as_note].astype(object)
    note[rows[as_note]] = nt[as_note].astype(object)


def _names(rng: np.random.Generator, k: int) -> np.ndarray:
    surname = np.array(SURNAMES)[rng.integers(len(SURNAMES), size=k)]
    given = np.array(GIVEN)
    first = given[rng.integers(len(given), size=k)]
    second = np.where(rng.random(k) < 0.7, given[rng.integers(len(given), size=k)], "")
    return np.strings.add(np.strings.add(surname, first), second)


def _id_numbers(rng: np.random.Generator, area: np.ndarray) -> np.ndarray:
    """18-digit resident ID numbers with a valid GB 11643 check digit (fake people)."""
    k = len(area)
    district = np.char.zfill(rng.integers(1, 30, size=k).astype(str), 2)
    birth = np.datetime64("1962-01-01") + rng.integers(0, 365 * 35, size=k).astype("timedelta64[D]")
    born = np.strings.replace(birth.astype(str), "-", "")
    serial = np.char.zfill(rng.integers(0, 1000, size=k).astype(str), 3)
    body = np.strings.add(np.strings.add(np.strings.add(area, district), born), serial)
    digits = body.astype("S17").view(np.uint8).reshape(k, 17) - ord("0")
    check = _ID_CHECK[(digits.astype(int) @ _ID_WEIGHTS) % 11]
    return np.strings.add(body, check)


def _phones(rng: np.random.Generator, k: int) -> np.ndarray:
    prefix = np.array(MOBILE_PREFIXES)[rng.integers(len(MOBILE_PREFIXES), size=k)]
    return np.strings.add(prefix, np.char.zfill(rng.integers(0, 10**8, size=k).astype(str), 8))


# ----------------------------------------------------------------------------- the whole process

#: Points of each ex-ante dimension (a generator's choice; the data carry the points).
EXANTE_POINTS = {
    "立项必要性": 25,
    "投入经济性": 20,
    "绩效目标合理性": 25,
    "实施方案可行性": 20,
    "筹资合规性": 10,
}
#: Assessors' remarks on a dimension: (full or nearly, points lost).
EXANTE_NOTES = {
    "立项必要性": ("立项依据充分，符合工会重点工作方向", "与现有项目内容交叉，必要性论证不足"),
    "投入经济性": ("预算测算依据充分，单价符合支出标准", "部分单价高于支出标准，预算测算偏粗"),
    "绩效目标合理性": ("绩效目标明确，指标细化量化", "效益指标难以衡量，部分指标值设置偏低"),
    "实施方案可行性": ("实施方案具体，进度安排合理", "实施计划和风险应对措施不够具体"),
    "筹资合规性": ("资金来源明确，符合经费使用规定", "配套资金来源尚未落实"),
}
#: Months of the two monitoring dates (end of June, end of September) in the last year.
MONITORING_MONTHS = (6, 9)
SLOW_SPENDING = (
    "采购程序耗时较长，资金支付滞后",
    "项目按合同节点付款，下半年集中支付",
    "活动集中在下半年开展",
)
SERIOUS_REASON = "项目实施方案调整，核心内容已无法在本年度完成"


def _process(
    rng: np.random.Generator,
    tables: dict[str, pd.DataFrame],
    units: pd.DataFrame,
    quality: np.ndarray,
    new_major: Iterable[str] | None,
) -> dict[str, pd.DataFrame]:
    """The whole-process tables, and the projects with their process columns."""
    projects = tables["projects"].copy()
    if new_major is not None:
        projects["new_major"] = _yes_no(projects["project_id"].isin(list(new_major)).to_numpy())
    projects = _project_process(rng, projects)
    unit_indicators, unit_evaluations, unit_quality = _unit_tables(rng, units, projects)
    return {
        "projects": projects,
        "exante": _exante(rng, projects, quality),
        "monitoring": _monitoring(rng, projects, quality, tables),
        "unit_indicators": unit_indicators,
        "unit_evaluations": unit_evaluations,
        "assessment": _assessment(rng, units, projects, unit_quality),
    }


def _project_process(rng: np.random.Generator, projects: pd.DataFrame) -> pd.DataFrame:
    """Basis and collective decision of new major projects; spans of cross-year projects."""
    major = (projects["new_major"] == "是").to_numpy()
    capital = major & (projects["category"] == "facility_construction").to_numpy()
    # the first capital project has no collective decision on record
    undecided = np.zeros(len(projects), dtype=bool)
    if capital.any():
        undecided[np.flatnonzero(capital)[0]] = True
    projects["has_basis"] = np.where(major, "是", "")
    projects["collective_decision"] = np.where(major, np.where(undecided, "否", "是"), "")
    cross = (projects["cross_year"] == "是").to_numpy()
    year = projects["year"].to_numpy(dtype=np.int64)
    start_month = rng.integers(3, 10, size=len(projects))  # March to September
    first = ((year - 1970) * 12 + start_month - 1).astype("datetime64[M]")
    last = (first + 12).astype("datetime64[D]") - 1
    projects["start_date"] = np.where(cross, first.astype("datetime64[D]").astype(str), "")
    projects["end_date"] = np.where(cross, last.astype(str), "")
    projects["rectified"] = ""  # rectification follows results the generator does not compute
    return projects


def _exante(rng: np.random.Generator, projects: pd.DataFrame, quality: np.ndarray) -> pd.DataFrame:
    """Five dimension scores for every new major project; the weakest is not supported."""
    pos = np.flatnonzero((projects["new_major"] == "是").to_numpy())
    dims = np.array(list(EXANTE_POINTS), dtype=object)
    points = np.array(list(EXANTE_POINTS.values()), dtype=float)
    share = np.clip(0.55 + 0.45 * quality[pos] + rng.normal(0.0, 0.04, len(pos)), 0.4, 1.0)
    if len(pos):
        weakest = int(np.argmin(quality[pos]))
        share[weakest] = min(share[weakest], 0.62)
    k = len(dims)
    each = np.clip(np.repeat(share, k) + rng.normal(0.0, 0.05, len(pos) * k), 0.3, 1.0)
    pts = np.tile(points, len(pos))
    scores = np.round(pts * each * 2) / 2  # assessors score in half points
    dim = np.tile(dims, len(pos))
    good = np.array([EXANTE_NOTES[d][0] for d in dims], dtype=object)
    poor = np.array([EXANTE_NOTES[d][1] for d in dims], dtype=object)
    note = np.where(scores >= pts, np.tile(good, len(pos)), np.tile(poor, len(pos)))
    return pd.DataFrame(
        {
            "project_id": np.repeat(projects["project_id"].to_numpy()[pos], k),
            "dimension": dim,
            "score": scores,
            "points": pts.astype(np.int64),
            "note": note,
        }
    )


def _monitoring(
    rng: np.random.Generator,
    projects: pd.DataFrame,
    quality: np.ndarray,
    tables: dict[str, pd.DataFrame],
) -> pd.DataFrame:
    """Monitoring at the end of June and September of the last year, of every project
    running then: that year's projects and cross-year projects whose span covers the date."""
    year = int(projects["year"].max())
    dates = ((year - 1970) * 12 + np.array(MONITORING_MONTHS) - 1).astype("datetime64[M]")
    ends = (dates + 1).astype("datetime64[D]") - 1
    start = projects["start_date"].to_numpy(dtype=object)
    spanned = start != ""
    start_m = np.where(spanned, start, "1970-01-01").astype("datetime64[M]")
    end_d = np.where(spanned, projects["end_date"].to_numpy(dtype=object), "1970-01-01")
    end_d = end_d.astype("datetime64[D]")
    in_year = (projects["year"] == year).to_numpy()
    # (project, date) pairs running at the date; time progress counts the date's month
    proj, at_date = np.nonzero(
        np.where(
            spanned[:, None],
            (start_m[:, None] <= dates[None, :]) & (end_d[:, None] >= ends[None, :]),
            in_year[:, None],
        )
    )
    elapsed = (dates[at_date] - start_m[proj]).astype(int) + 1
    share = np.where(spanned[proj], elapsed / 12, np.array(MONITORING_MONTHS)[at_date] / 12)
    share = np.minimum(share, 1.0)
    order = np.lexsort((proj, at_date))
    proj, at_date, share = proj[order], at_date[order], share[order]
    n = len(proj)
    q = quality[proj]
    this_year = np.flatnonzero(in_year)
    serious_pos = this_year[np.argmin(quality[this_year])] if len(this_year) else -1
    serious = proj == serious_pos
    # poor projects spend late: spent_to_date = spent × share^k
    k = np.clip(0.85 + 0.9 * (1.0 - q) + rng.normal(0.0, 0.1, n), 0.7, 2.0)
    k[serious] = 2.4
    spent = projects["spent"].to_numpy(dtype=float)[proj]
    budget = projects["budget"].to_numpy(dtype=float)[proj]
    as_of = ends.astype(str).astype(object)[at_date]
    spent_to_date = np.round(spent * share**k, 2)
    slow = spent_to_date / budget / share < 0.8
    spend_rows = pd.DataFrame(
        {
            "project_id": projects["project_id"].to_numpy()[proj],
            "as_of": as_of,
            "indicator_id": "",
            "spent_to_date": _fmt(spent_to_date, np.full(n, 2)),
            "progress": "",
            "expected": "",
            "likelihood": "",
            "reason": np.where(slow, _choose(rng, SLOW_SPENDING, n), ""),
        }
    )
    ind_rows = _monitored_indicators(rng, tables, projects, proj, share, q, serious, as_of)
    frame = pd.concat([spend_rows, ind_rows], ignore_index=True)
    is_ind = (frame["indicator_id"] != "").to_numpy()
    order = np.lexsort((np.arange(len(frame)), is_ind, frame["project_id"], frame["as_of"]))
    return frame.iloc[order].reset_index(drop=True)


def _monitored_indicators(
    rng: np.random.Generator,
    tables: dict[str, pd.DataFrame],
    projects: pd.DataFrame,
    proj: np.ndarray,
    share: np.ndarray,
    q: np.ndarray,
    serious: np.ndarray,
    as_of: np.ndarray,
) -> pd.DataFrame:
    """Cumulative progress of each indicator (from its year-end self value, else its target)."""
    ind = tables["indicators"]
    ind = ind[ind["rule"] != "execution_rate"]
    ev = tables["evaluations"]
    own = ev[ev["round"] == "self"].set_index(["project_id", "indicator_id"])["actual"]
    pid = projects["project_id"].to_numpy()
    # one row per (project-date, indicator of the project)
    starts = ind.groupby("project_id", sort=False).indices
    pieces = [starts.get(p, np.array([], dtype=np.int64)) for p in pid[proj]]
    counts = np.array([len(x) for x in pieces])
    rows = np.concatenate(pieces) if len(pieces) else np.array([], dtype=np.int64)
    at = np.repeat(np.arange(len(proj)), counts)
    r = ind.iloc[rows].reset_index(drop=True)
    final_text = own.reindex(pd.MultiIndex.from_frame(r[["project_id", "indicator_id"]]))
    final_text = final_text.fillna("").to_numpy(dtype=object)
    applicable = final_text != "不适用"
    r, at, final_text = r[applicable].reset_index(drop=True), at[applicable], final_text[applicable]
    n = len(r)
    rule = r["rule"].to_numpy(dtype=object)
    target, _ = to_number(r["target"], decorated=True)
    final, _ = to_number(final_text, decorated=True)
    final = np.where(np.isnan(final), target, final)
    # progress runs roughly with time, a little behind in poorer projects
    t = share[at]
    kk = np.clip(1.0 + 0.5 * (1.0 - q[at]) + rng.normal(0.0, 0.06, n), 0.9, 2.0)
    positive = np.isin(rule, ["ratio", "bands"])
    progress = np.where(positive, final * np.power(t, kk), final)
    # the serious case: its largest positive indicator cannot be reached this year
    hit = np.zeros(n, dtype=bool)
    cand = np.flatnonzero(serious[at] & positive)
    if len(cand):
        pts = r["points"].to_numpy(dtype=float)[cand]
        top = r["indicator_id"].to_numpy()[cand][np.argmax(pts)]
        hit = serious[at] & (r["indicator_id"].to_numpy() == top)
        progress[hit] = 0.15 * target[hit] * t[hit]
    unit = r["unit_of_measure"].astype(str)
    decimals = np.where(unit.isin(COUNT_UNITS), 0, np.where(unit.str.contains("元"), 0, 1)).astype(
        int
    )
    numeric = ~np.isnan(progress)
    labels = _monitoring_labels(r, final_text)
    progress_text = np.where(labels != "", labels, "")
    progress_text[numeric & (labels == "")] = _fmt(
        progress[numeric & (labels == "")], decimals[numeric & (labels == "")]
    )
    expected = np.where(labels != "", labels, "")
    expected[numeric & (labels == "")] = _fmt(
        np.where(hit, progress / t, final)[numeric & (labels == "")],
        decimals[numeric & (labels == "")],
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        on_track = np.where(positive, progress / (target * t) >= 0.8, True)
        reach = np.where(
            positive, final >= target, np.where(labels == "达成", True, final <= target)
        )
    likelihood = np.where(hit, "完全不可能", np.where(reach, "确定能", "有可能"))
    reason = np.where(positive & ~on_track, _choose(rng, DEVIATION_REASONS, n), "")
    reason = np.where(hit, SERIOUS_REASON, reason)
    filled = progress_text != ""  # e.g. an interval indicator of a project never evaluated
    return pd.DataFrame(
        {
            "project_id": r["project_id"].to_numpy(),
            "as_of": as_of[at],
            "indicator_id": r["indicator_id"].to_numpy(),
            "spent_to_date": "",
            "progress": progress_text,
            "expected": expected,
            "likelihood": likelihood,
            "reason": reason,
        }
    )[filled]


def _monitoring_labels(rows: pd.DataFrame, final: np.ndarray) -> np.ndarray:
    """达成 / 部分达成 / 未达成 for qualitative indicators (是 / 否 for yes-no ones), else ""."""
    rule = rows["rule"].to_numpy(dtype=object)
    key = pd.Series(rows["params"].astype(str) + "\x1f" + pd.Series(final, dtype=object))

    def label(text: str) -> str:
        params, value = text.split("\x1f", 1)
        levels = (json.loads(params) if params else {}).get("levels", DEFAULT_GRADE_LEVELS)
        share = float(levels.get(value, 1.0)) if value else 1.0
        return "达成" if share >= 0.8 else "部分达成" if share >= 0.6 else "未达成"

    grades = per_value(key, label)
    yes_no = np.where(np.array([str(v) for v in final]) == "否", "否", "是")
    return np.where(rule == "grade", grades, np.where(rule == "boolean", yes_no, "")).astype(object)


def _unit_quality(rng: np.random.Generator, units: pd.DataFrame, years: np.ndarray) -> np.ndarray:
    """A latent quality per unit and year: units differ, counties lag, all improve."""
    base = rng.beta(6.0, 2.0, size=len(units)) - 0.05 * (units["level"] == "county").to_numpy()
    trend = 0.03 * (years - years.min())
    return np.clip(base[:, None] + trend[None, :], 0.05, 0.99)


def _unit_tables(
    rng: np.random.Generator, units: pd.DataFrame, projects: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray]:
    """Unit-level indicators (the ``unit`` framework, custom slot filled) and values for
    every unit and year, and the units' latent quality (units × years)."""
    years = np.array(sorted({int(y) for y in projects["year"]}))
    quality = _unit_quality(rng, units, years)
    fw = next(f for f in list_frameworks() if f.kind == "unit")
    variants, slots = _variants({"unit": fw})
    spans = slots["unit"]
    n_uy = len(units) * len(years)
    first = np.tile(spans[:, 0], n_uy)
    count = np.tile(spans[:, 1], n_uy)
    var = first + (rng.random(len(first)) * count).astype(np.int64)
    uy = np.repeat(np.arange(n_uy), len(spans))
    unit_pos, year_pos = uy // len(years), uy % len(years)

    def col(name: str) -> np.ndarray:
        return variants[name].to_numpy()[var]

    target = col("target_num").astype(float)
    numeric = col("numeric").astype(bool)
    target_text = col("target_text").copy()
    target_text[numeric] = _fmt(target[numeric], np.full(int(numeric.sum()), 2))
    uid = units["unit_id"].to_numpy()[unit_pos]
    yr = years[year_pos]
    indicators = pd.DataFrame({"unit_id": uid, "year": yr, **_indicator_fields(col, target_text)})
    q = quality[unit_pos, year_pos]
    u, depth_u, side_u, extra_u = rng.random((4, len(var)))
    values = _values(variants, var, target, q, u, depth_u, side_u, extra_u)
    evaluations = pd.DataFrame(
        {
            "unit_id": uid,
            "year": yr,
            "indicator_id": col("indicator_id"),
            "round": "self",
            "actual": values,
            "evidence": col("evidence"),
            "note": "",
        }
    )
    return indicators, evaluations, quality


def _assessment(
    rng: np.random.Generator, units: pd.DataFrame, projects: pd.DataFrame, quality: np.ndarray
) -> pd.DataFrame:
    """The assessor's values of the management indicators jxkit does not compute, for every
    union with projects in a year."""
    from .assess import COMPUTED  # the assessment imports this module's neighbours

    years = np.array(sorted({int(y) for y in projects["year"]}))
    fw = next(f for f in list_frameworks() if f.kind == "management")
    variants, slots = _variants({"management": fw})
    manual = ~variants["indicator_id"].isin(list(COMPUTED)).to_numpy()
    leaves = slots["management"][:, 0][manual[slots["management"][:, 0]]]
    pairs = projects[["unit_id", "year"]].drop_duplicates().sort_values(["year", "unit_id"])
    position = pd.Series(np.arange(len(units)), index=units["unit_id"])
    unit_pos = position.reindex(pairs["unit_id"]).to_numpy()
    year_pos = np.searchsorted(years, pairs["year"].to_numpy())
    var = np.tile(leaves, len(pairs))
    at = np.repeat(np.arange(len(pairs)), len(leaves))
    target = variants["target_num"].to_numpy(dtype=float)[var]
    q = quality[unit_pos[at], year_pos[at]]
    u, depth_u, side_u, extra_u = rng.random((4, len(var)))
    values = _values(variants, var, target, q, u, depth_u, side_u, extra_u)
    ids = variants["indicator_id"].to_numpy()[var]
    county = units["level"].to_numpy()[unit_pos[at]] == "county"
    values[county & (ids == "lower_level_review")] = "不适用"  # no lower-level unions
    return pd.DataFrame(
        {
            "unit_id": pairs["unit_id"].to_numpy()[at],
            "year": pairs["year"].to_numpy()[at],
            "indicator_id": ids,
            "actual": values,
            "evidence": variants["evidence"].to_numpy()[var],
            "note": "",
        }
    )
