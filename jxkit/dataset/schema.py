"""Every table of a dataset, declared once: names, Chinese names, columns, keys.

The four core tables are required; the tables of the whole process (ex-ante assessment,
monitoring, unit-level evaluation, the management-work assessment) are optional and load
whenever a dataset has them, whichever module a caller imported first. A new table is one
more entry in :data:`TABLES`; its checks go to :mod:`jxkit.dataset.checks`.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "EXANTE_DIMENSIONS",
    "INDICATOR_FIELDS",
    "KINDS",
    "ROUNDS",
    "TABLES",
    "UNIT_DIMENSIONS",
    "Column",
    "TableSpec",
]

#: Kinds of column and how each is typed; the loader reports values that do not fit.
KINDS = (
    "id",
    "text",
    "year",
    "money",
    "number",
    "bool",
    "date",
    "category",
    "level",
    "round",
    "json",
)

#: What users write in a round column, and the round it means.
ROUNDS = {"self": "self", "自评": "self", "review": "review", "复核": "review", "再评价": "review"}

#: The dimensions of an ex-ante assessment (``exante.dimension``), in report order.
EXANTE_DIMENSIONS = ("立项必要性", "投入经济性", "绩效目标合理性", "实施方案可行性", "筹资合规性")

#: The six dimensions of unit-level evaluation (seed, section 二（一）; ``unit_indicators.level1``).
UNIT_DIMENSIONS = (
    "运行成本",
    "管理效率",
    "履职效能",
    "社会效应",
    "可持续发展能力",
    "服务对象满意度",
)


@dataclass(frozen=True)
class Column:
    name: str
    zh: str
    kind: str = "text"
    required: bool = False
    #: a required column whose cells may be empty (checked later, where it matters)
    blank_ok: bool = False


@dataclass(frozen=True)
class TableSpec:
    """A table of the dataset: its names, columns and key (unique per row)."""

    name: str
    zh: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    required: bool = True

    @property
    def file_names(self) -> str:
        return f"{self.name}.csv 或 {self.zh}.csv"

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


#: An indicator's columns after the key of what it measures (a project, or a unit-year).
INDICATOR_FIELDS = (
    Column("indicator_id", "指标编码", "id", True),
    Column("level1", "一级指标", "text", True),
    Column("level2", "二级指标", "text"),
    Column("name", "三级指标", "text", True),
    Column("points", "分值", "number", True),
    Column("rule", "评分方法", "text", True),
    Column("target", "年度指标值", "text"),
    Column("params", "评分参数", "json"),
    Column("unit_of_measure", "计量单位", "text"),
)

_TABLES = (
    TableSpec(
        "units",
        "单位",
        (
            Column("unit_id", "单位编码", "id", True),
            Column("name", "单位名称", "text", True),
            Column("level", "层级", "level", True),
            Column("parent_id", "上级单位编码", "id"),
            Column("region", "地区", "text"),
        ),
        key=("unit_id",),
    ),
    TableSpec(
        "projects",
        "项目",
        (
            Column("project_id", "项目编码", "id", True),
            Column("unit_id", "单位编码", "id", True),
            Column("year", "年度", "year", True),
            Column("name", "项目名称", "text", True),
            Column("category", "项目类别", "category", True),
            Column("budget", "全年预算数", "money", True),
            Column("spent", "全年执行数", "money"),
            Column("new_major", "新增重大项目", "bool"),
            Column("cross_year", "跨年项目", "bool"),
            Column("targets_declared", "目标同步申报", "bool"),
            Column("targets_approved", "目标批复下达", "bool"),
            Column("self_evaluated", "已自评", "bool"),
            Column("has_basis", "立项依据", "bool"),
            Column("collective_decision", "集体决策意见", "bool"),
            Column("start_date", "开始日期", "date"),
            Column("end_date", "结束日期", "date"),
            Column("rectified", "已整改", "bool"),
            # what only the assessor can write; reports show it where given, 待补充 where not
            Column("background", "立项背景"),
            Column("content", "主要内容"),
            Column("funding_source", "资金来源"),
            Column("funds_in_place", "资金到位情况"),
            Column("overall_goal", "总体目标"),
            Column("annual_goal", "年度目标"),
            Column("experience", "主要经验及做法"),
        ),
        key=("project_id",),
    ),
    TableSpec(
        "indicators",
        "绩效指标",
        (Column("project_id", "项目编码", "id", True), *INDICATOR_FIELDS),
        key=("project_id", "indicator_id"),
    ),
    TableSpec(
        "evaluations",
        "评价",
        (
            Column("project_id", "项目编码", "id", True),
            Column("indicator_id", "指标编码", "id", True),
            Column("round", "轮次", "round", True),
            Column("actual", "实际完成值", "text", True, blank_ok=True),
            Column("evidence", "佐证材料", "text"),
            Column("note", "备注", "text"),
        ),
        key=("project_id", "indicator_id", "round"),
    ),
    # ---------------------------------------------------------------- the whole process
    TableSpec(
        "exante",
        "事前评估",
        (
            Column("project_id", "项目编码", "id", True),
            Column("dimension", "评估维度", "text", True),
            Column("score", "得分", "number", True),
            Column("points", "分值", "number", True),
            Column("note", "评估意见", "text"),
        ),
        key=("project_id", "dimension"),
        required=False,
    ),
    TableSpec(
        "monitoring",
        "绩效监控",
        (
            Column("project_id", "项目编码", "id", True),
            Column("as_of", "监控日期", "date", True),
            Column("indicator_id", "指标编码", "id"),
            Column("spent_to_date", "累计执行数", "money"),
            Column("progress", "累计完成值", "text"),
            Column("expected", "全年预计完成值", "text"),
            Column("likelihood", "完成目标可能性", "text"),
            Column("reason", "偏差原因", "text"),
        ),
        key=("project_id", "as_of", "indicator_id"),
        required=False,
    ),
    TableSpec(
        "unit_indicators",
        "单位指标",
        (
            Column("unit_id", "单位编码", "id", True),
            Column("year", "年度", "year", True),
            *INDICATOR_FIELDS,
        ),
        key=("unit_id", "year", "indicator_id"),
        required=False,
    ),
    TableSpec(
        "unit_evaluations",
        "单位评价",
        (
            Column("unit_id", "单位编码", "id", True),
            Column("year", "年度", "year", True),
            Column("indicator_id", "指标编码", "id", True),
            Column("round", "轮次", "round"),
            Column("actual", "实际完成值", "text", True, blank_ok=True),
            Column("evidence", "佐证材料", "text"),
            Column("note", "备注", "text"),
        ),
        key=("unit_id", "year", "indicator_id", "round"),
        required=False,
    ),
    TableSpec(
        "assessment",
        "工作考核",
        (
            Column("unit_id", "单位编码", "id", True),
            Column("year", "年度", "year", True),
            Column("indicator_id", "指标编码", "id", True),
            Column("actual", "完成值", "text", True, blank_ok=True),
            Column("evidence", "佐证材料", "text"),
            Column("note", "备注", "text"),
        ),
        key=("unit_id", "year", "indicator_id"),
        required=False,
    ),
    # what imported 自评表 printed (jxkit import), kept beside what jxkit computes; the row
    # with a blank indicator_id is the form's 总分 row
    TableSpec(
        "published",
        "自评表原值",
        (
            Column("project_id", "项目编码", "id", True),
            Column("indicator_id", "指标编码", "id"),
            Column("points", "分值", "number"),
            Column("score", "自评得分", "number"),
            Column("target_text", "年度指标值原文", "text"),
            Column("actual_text", "实际完成值原文", "text"),
            Column("rate_text", "执行率原文", "text"),
            Column("file", "来源文件", "text"),
            Column("sheet", "工作表", "text"),
            Column("cells", "单元格", "json"),
        ),
        key=("project_id", "indicator_id"),
        required=False,
    ),
)

#: Every table by name, in the order they are read, checked and reported.
TABLES: dict[str, TableSpec] = {t.name: t for t in _TABLES}
