"""The Chinese words jxkit shows for its codes and columns: one source for every report,
workbook, widget and command.
"""

from __future__ import annotations

__all__ = [
    "HEADERS",
    "LIGHT_NAMES",
    "METHOD_NAMES",
    "MODEL_NAMES",
    "REASON_NAMES",
    "ROUND_NAMES",
    "header",
    "yes_no",
]

#: Evaluation rounds by code.
ROUND_NAMES = {"self": "自评", "review": "复核"}

#: Monitoring lights by code (the policy may rename them; these are the defaults).
LIGHT_NAMES = {"green": "绿灯", "blue": "蓝灯", "yellow": "黄灯", "red": "红灯"}

#: Why a unit is in a re-evaluation sample, and how the sample was drawn.
REASON_NAMES = {"mandatory": "必选", "certainty": "必然入选", "random": "随机抽中"}
METHOD_NAMES = {
    "srs": "简单随机抽样",
    "stratified-srs": "分层随机抽样",
    "pps": "按规模 PPS 抽样（顺序泊松）",
    "stratified-pps": "分层 PPS 抽样（顺序泊松）",
}
#: The models of attribute-sampling plans (jxkit plan --model).
MODEL_NAMES = {"binomial": "二项分布", "poisson": "泊松分布", "hypergeometric": "超几何分布"}

#: Chinese headers of the columns jxkit writes (workbooks, tables shown in reports).
HEADERS: dict[str, str] = {
    "project_id": "项目编码",
    "name": "名称",
    "unit_id": "单位编码",
    "unit_name": "单位名称",
    "level": "层级代码",
    "level_name": "层级",
    "year": "年度",
    "category": "项目类别",
    "budget": "全年预算数（元）",
    "capital": "重大基建项目",
    "has_basis": "立项依据",
    "collective_decision": "集体决策意见",
    "total": "总分",
    "conclusion": "评估结论",
    "decision": "预算安排",
    "reasons": "原因",
    "dimension": "评估维度",
    "score": "得分",
    "points": "分值",
    "lost": "失分",
    "note": "备注",
    "as_of": "监控日期",
    "spent_to_date": "累计执行数（元）",
    "cross_year": "跨年项目",
    "time_progress": "时间进度（%）",
    "execution_rate": "累计执行率（%）",
    "execution_index": "执行进度指数",
    "execution_light": "执行灯号",
    "goal_progress": "目标平均进度（%）",
    "n_green": "绿灯指标",
    "n_blue": "蓝灯指标",
    "n_yellow": "黄灯指标",
    "n_red": "红灯指标",
    "indicator_light": "指标最重灯号",
    "light": "灯号代码",
    "light_name": "灯号",
    "gap": "目标与执行进度差（百分点）",
    "gap_flag": "进度差超限",
    "checkpoint_month": "检查点月份",
    "checkpoint": "检查点要求（%）",
    "checkpoint_due": "检查点时间",
    "checkpoint_missed": "未达检查点",
    "serious": "严重问题",
    "serious_streak": "连续严重次数",
    "action": "处置建议",
    "flags": "预警提示",
    "indicator_id": "指标编码",
    "level1": "一级指标",
    "rule": "评分方法",
    "target": "年度指标值",
    "unit_of_measure": "计量单位",
    "progress": "累计完成值",
    "expected": "全年预计完成值",
    "likelihood": "完成目标可能性",
    "reason": "偏差原因",
    "progress_index": "目标进度指数",
    "attainment": "目标完成进度（%）",
    "row": "监控表行号",
    "grade": "等级",
    "red_light": "红灯警示",
    "basis": "依据",
    "previous": "上年度项目",
    "previous_red_light": "上年度红灯",
    "not_rectified": "上年度红灯未整改",
    "cut": "压减比例",
    "cut_amount": "建议压减（元）",
    "next_budget": "下年度建议预算（元）",
    "projects": "项目数",
    "rank": "名次",
    "value": "完成值",
    "source": "来源",
    "category_name": "项目类别",
    "round": "轮次",
    "required": "应覆盖",
    "declared": "目标同步申报",
    "approved": "目标批复下达",
    "self_evaluated": "已自评",
    "complied": "已覆盖",
    "missing": "缺少环节",
    "coverage_rate": "覆盖率",
    "self_total": "自评总分",
    "review_total": "复核总分",
    "self_grade": "自评等级",
    "review_grade": "复核等级",
    "self_source": "自评得分来源",
    "difference": "总分差（自评−复核）",
    "grade_changed": "等级变化",
    "poor": "自评质量差",
    "verdict": "自评质量判定",
    "inflated": "自评偏高的指标",
    "level2": "二级指标",
    "self_actual": "自评完成值",
    "self_score": "自评得分",
    "review_actual": "复核完成值",
    "review_score": "复核得分",
    "review_note": "复核备注",
    "deviation": "偏离度（自评−复核）",
    "flag": "提示",
    "removed": "不适用指标",
    "removed_points": "不适用指标分值",
    "applicable_points": "适用指标分值",
    "factor": "折算系数（100÷适用分值）",
    "id": "编号",
    "stratum": "抽样层",
    "selection_reason": "入样原因",
    "u": "随机数",
    "inclusion_probability": "入样概率",
    "spent": "全年执行数（元）",
    "parent_id": "上级单位编码",
    "actual": "实际完成值",
    "evidence": "佐证材料",
    "region": "地区",
}


def header(column: str) -> str:
    """The Chinese header of a column jxkit writes.

    Columns of this module's table first, then the Chinese name the dataset schema gives
    the column (so a dataset column copied into an output is never shown by its code);
    the name itself when neither knows it.
    """
    if column in HEADERS:
        return HEADERS[column]
    from .dataset.schema import TABLES  # a pure declaration module: no pandas

    for table in TABLES.values():
        for c in table.columns:
            if c.name == column:
                return c.zh
    return column


def yes_no(value: object) -> object:
    """是/否 for a boolean, anything else unchanged."""
    if value is True or value is False or type(value).__name__ == "bool_":
        return "是" if value else "否"
    return value
