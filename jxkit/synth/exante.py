"""Ex-ante assessment of new major projects: five dimension scores each, the weakest
project not supported."""

from __future__ import annotations

import numpy as np
import pandas as pd

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


def draw_exante(
    rng: np.random.Generator, projects: pd.DataFrame, quality: np.ndarray
) -> pd.DataFrame:
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
