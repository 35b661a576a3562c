"""Projects: unit, year, category, name, budget and spending, compliance flags, and each
one's latent quality (which drives every value drawn for it later)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..catalogue import CATEGORY_CODES, OTHER
from .wording import yes_no

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


def _rate(table: dict[int, float], years: np.ndarray) -> np.ndarray:
    """The rate for each year; years outside the table take the nearest year's."""
    keys = np.array(sorted(table))
    values = np.array([table[k] for k in keys])
    return values[np.searchsorted(keys, np.clip(years, keys[0], keys[-1]))]


def draw_projects(
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
            "new_major": yes_no(new_major),
            "cross_year": yes_no(cross_year),
            "targets_declared": yes_no(declared),
            "targets_approved": yes_no(approved),
            "self_evaluated": yes_no(evaluated),
            "quality": quality,
        }
    )
    frame = frame.sort_values(["year", "unit_pos"], kind="stable").reset_index(drop=True)
    seq = frame.groupby("year").cumcount() + 1
    frame.insert(0, "project_id", "XM" + frame["year"].astype(str) + seq.astype(str).str.zfill(6))
    return frame, frame.pop("quality").to_numpy()
