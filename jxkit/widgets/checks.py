"""What a reviewer must confirm before a value is saved: implausible values and unexplained deductions.

A 满意度 of 120 %, 0.5 起 safety incidents or a value a hundred times its target are
usually typing slips; a deduction in the review round without its reason (扣分理由) cannot
be defended to the unit. Such a value is held until the reviewer writes why in the row's
备注 / 扣分理由 field. The settings come from the ``workbench`` section of the policy file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..policy import Policy
from .live import Indicator, IndicatorScore, Values

__all__ = ["WorkbenchSettings", "concerns"]

#: Units that count whole things: a negative or fractional value is a slip.
COUNT_UNITS = frozenset(
    [
        "个",
        "人",
        "次",
        "起",
        "件",
        "家",
        "场",
        "项",
        "期",
        "名",
        "户",
        "所",
        "座",
        "套",
        "台",
        "本",
        "篇",
        "人次",
        "户次",
        "场次",
    ]
)
_NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?")


@dataclass(frozen=True)
class WorkbenchSettings:
    """The policy's ``workbench`` section (defaults when absent).

    Attributes:
        timezone: Zone of the change log's times (default 北京时间).
        deduction_reason: In the review round every deduction needs a reason before saving.
        scale_ratio: A value above this many times its target, or below its inverse,
            asks for a reason.
    """

    timezone: str = "Asia/Shanghai"
    deduction_reason: bool = True
    scale_ratio: float = 10.0

    @classmethod
    def of(cls, policy: Policy) -> WorkbenchSettings:
        section: Any = policy.raw.get("workbench") or {}
        if not isinstance(section, dict):
            return cls()
        default = cls()
        return cls(
            str(section.get("timezone", default.timezone)),
            bool(section.get("deduction_reason", default.deduction_reason)),
            float(section.get("scale_ratio", default.scale_ratio)),
        )


def _number(text: str) -> float | None:
    m = _NUMBER.search(text.replace(",", ""))
    return float(m.group()) if m else None


def plausibility(ind: Indicator, actual: str, ratio: float) -> str:
    """Why ``actual`` looks like a slip for ``ind`` ("" when it does not)."""
    text = actual.strip()
    if (
        ind.kind not in {"number", "count"}
        or not text
        or _NUMBER.fullmatch(text.rstrip("%")) is None
    ):
        return ""
    x = float(text.rstrip("%"))
    unit = ind.unit.strip()
    if "%" in unit and x > 100:
        return f"百分比 {text} 超过 100%"
    if (ind.kind == "count" or unit in COUNT_UNITS) and (x < 0 or not x.is_integer()):
        return f"{text} {unit} 不是非负整数"
    target = _number(ind.target)
    if target and target > 0 and x > 0 and not (target / ratio <= x <= target * ratio):
        return f"{text} 与指标值 {ind.target} 相差 {ratio:g} 倍以上"
    return ""


def concerns(
    ind: Indicator, value: Values, score: IndicatorScore, round: str, settings: WorkbenchSettings
) -> str:
    """What the reviewer must explain in 备注 / 扣分理由 before this row is saved ("" if nothing)."""
    if value.note.strip():
        return ""
    slip = plausibility(ind, value.actual, settings.scale_ratio)
    if slip:
        return f"{slip}，请核实；如属实，请在“备注 / 扣分理由”中写明原因"
    lost = score.lost or 0
    if round == "review" and settings.deduction_reason and score.status == "ok" and lost > 0.005:
        return f"复核扣 {lost:g} 分，请在“备注 / 扣分理由”中写明扣分理由"
    return ""
