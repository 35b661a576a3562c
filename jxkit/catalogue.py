"""The 三项十类 catalogue, organisation levels and the yes/no vocabulary users write.

Codes are the contract (see domain.md); Chinese names are what users type and read.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "CATEGORIES",
    "CATEGORY_CODES",
    "FALSE_WORDS",
    "GROUPS",
    "LEVELS",
    "NA_WORDS",
    "OTHER",
    "TRUE_WORDS",
    "Category",
    "category_code",
    "category_name",
    "level_code",
    "level_name",
]


@dataclass(frozen=True)
class Category:
    code: str
    name: str
    group: str


GROUPS = {
    "large": "大型活动项目",
    "subsidy": "重点补助项目",
    "general": "一般项目",
}

CATEGORIES: tuple[Category, ...] = (
    Category("large_event", "大型活动类", "large"),
    Category("large_publicity", "大型宣传类", "large"),
    Category("model_worker_care", "劳模慰问类", "subsidy"),
    Category("hardship_assistance", "困难职工帮扶类", "subsidy"),
    Category("social_workers", "职业化社会化工会工作者类", "subsidy"),
    Category("facility_construction", "服务职工设施建设类", "general"),
    Category("research", "课题类", "general"),
    Category("labour_competition", "劳动竞赛类", "general"),
    Category("it_network", "信息网络建设类", "general"),
    Category("training", "培训类", "general"),
)
CATEGORY_CODES: tuple[str, ...] = tuple(c.code for c in CATEGORIES)
OTHER = Category("other", "其他", "")

_CATEGORY_BY_ANY = {c.code: c for c in (*CATEGORIES, OTHER)} | {
    c.name: c for c in (*CATEGORIES, OTHER)
}

LEVELS: dict[str, str] = {
    "province": "省总本级",
    "city": "市总工会",
    "industry": "省产业工会",
    "county": "县级工会",
}
_LEVEL_BY_ANY = {code: code for code in LEVELS} | {name: code for code, name in LEVELS.items()}

TRUE_WORDS = frozenset({"是", "yes", "y", "true", "t", "1", "1.0", "√", "有"})
FALSE_WORDS = frozenset({"否", "no", "n", "false", "f", "0", "0.0", "×", "无"})
NA_WORDS = frozenset({"不适用", "na", "n/a", "NA", "N/A", "/"})


def category_code(text: str) -> str | None:
    """The category code for a code or a Chinese name, or None if unknown.

    >>> category_code("困难职工帮扶类"), category_code("training"), category_code("x")
    ('hardship_assistance', 'training', None)
    """
    c = _CATEGORY_BY_ANY.get(str(text).strip())
    return c.code if c else None


def category_name(code: str) -> str:
    """The Chinese name of a category code (the code itself when unknown)."""
    c = _CATEGORY_BY_ANY.get(code)
    return c.name if c else code


def level_code(text: str) -> str | None:
    """The level code for a code or a Chinese name, or None if unknown.

    >>> level_code("县级工会"), level_code("city"), level_code("乡镇")
    ('county', 'city', None)
    """
    return _LEVEL_BY_ANY.get(str(text).strip())


def level_name(code: str) -> str:
    return LEVELS.get(code, code)
