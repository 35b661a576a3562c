"""Widgets for assessors in JupyterLab: the evaluation workbench (评价工作台).

``Workbench(dataset)`` shows everything an assessor does on one dataset: pick a project,
score it live with the engine of ``jxkit score``, compare self-evaluation and review,
save into the dataset with a change log, draw a re-evaluation sample, render a report.
"""

from __future__ import annotations

from .live import IndicatorScore, LiveScore, ProjectScorer, Values
from .session import SaveReport, Session
from .workbench import Workbench

__all__ = [
    "IndicatorScore",
    "LiveScore",
    "ProjectScorer",
    "SaveReport",
    "Session",
    "Values",
    "Workbench",
]
