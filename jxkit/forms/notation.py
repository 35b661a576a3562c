"""The notation of the forms' 年度指标值 and 实际完成值: ``≥50个``, ``≤90万元``, ``达成预期指标``.

Real files write the same thing many ways (``≥`` ``≧`` ``>=`` ``＞=`` ``不低于`` ``50个以上``,
full-width digits, ``1,000``); :func:`parse_value` reads them all into one
:class:`Quantity`, :func:`format_target` writes one back the way the national form does.
Pure text in, values out: where it came from is the reader's business.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

__all__ = [
    "Quantity",
    "format_number",
    "format_target",
    "in_unit",
    "parse_cell_number",
    "parse_value",
]

#: Words and signs before a number, longest first, and the sign each means.
_PREFIX = (
    ("大于或等于", "≥"),
    ("小于或等于", "≤"),
    ("大于等于", "≥"),
    ("小于等于", "≤"),
    ("不低于", "≥"),
    ("不少于", "≥"),
    ("不小于", "≥"),
    ("不高于", "≤"),
    ("不超过", "≤"),
    ("不多于", "≤"),
    ("不大于", "≤"),
    (">=", "≥"),
    ("=>", "≥"),
    ("<=", "≤"),
    ("=<", "≤"),
    ("≥", "≥"),
    ("≧", "≥"),
    ("⩾", "≥"),
    ("≤", "≤"),
    ("≦", "≤"),
    ("⩽", "≤"),
    ("==", "="),
    ("=", "="),
    ("═", "="),
    ("大于", ">"),
    ("高于", ">"),
    ("超过", ">"),
    ("小于", "<"),
    ("低于", "<"),
    ("少于", "<"),
    (">", ">"),
    ("<", "<"),
)
#: Words after the number (and unit): 50个以上 is ≥ 50 个.
_SUFFIX = (("及以上", "≥"), ("以上", "≥"), ("及以下", "≤"), ("以下", "≤"), ("以内", "≤"))
_NUMBER = re.compile(r"([+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[+-]?\.\d+)")
#: A scale written inside the number ("1.5万"), kept apart from units that start with it.
_SCALES = {"万": 1e4, "亿": 1e8, "千": 1e3}
#: Units of measure that start with a scale word but are units in their own right (1.2万人次
#: is 12000 人次, so that an actual written 12500 is read in the same unit).
_ONE_NUMBER = "只能写一个符号、一个数字和单位（如 ≥50个），区间或多个数字无法识别"
_SCALED_UNITS = ("万元", "亿元", "千元", "千米", "千克", "千瓦")


@dataclass(frozen=True)
class Quantity:
    """A value as the form wrote it: ``sign`` (≥ ≤ = > < or ""), ``number`` and ``unit``.

    A qualitative value (``达成预期指标``) has ``number`` None and its words in ``text``.
    """

    sign: str
    number: float | None
    unit: str
    text: str

    @property
    def qualitative(self) -> bool:
        return self.number is None


def normalize(text: str) -> str:
    """Full-width to half-width (NFKC: ０-９, ＞, ＝, ％, ，), no spaces, Chinese comma as ","."""
    s = unicodedata.normalize("NFKC", text)
    return re.sub(r"\s+", "", s).replace("，", ",").replace("。", ".")


def parse_value(text: object) -> Quantity | str:
    """Read a target or an actual; a string (Chinese, the reason) when it cannot be read.

    Numbers may carry a sign, thousands separators, full-width digits and a unit; a text
    with no digit is qualitative. A sign with no number, two signs that disagree, or a
    number followed by more than a unit is refused rather than guessed.

    >>> parse_value("≧ 50 个")
    Quantity(sign='≥', number=50.0, unit='个', text='≧ 50 个')
    >>> parse_value("不低于１，０００人次以上").number, parse_value("90万元以内").sign
    (1000.0, '≤')
    >>> parse_value("1.5万").number, parse_value("≤90万元").unit
    (15000.0, '万元')
    >>> parse_value("达成预期指标").qualitative, parse_value("≥好")
    (True, '符号后应为数字（如 ≥50个）')
    """
    raw = "" if text is None else str(text)
    if isinstance(text, bool):
        raw = "是" if text else "否"
    elif isinstance(text, int | float):
        return Quantity("", float(text), "", raw)
    s = normalize(raw)
    if not s:
        return Quantity("", None, "", "")
    sign = ""
    for word, meaning in _PREFIX:
        if s.startswith(word):
            sign, s = meaning, s[len(word) :]
            break
    for word, meaning in _SUFFIX:
        if s.endswith(word) and any(c.isdigit() for c in s):
            if sign and sign != meaning and not (sign in "≥>" and meaning == "≥"):
                return f"符号“{sign}”与“{word}”矛盾"
            sign, s = sign or meaning, s[: -len(word)]
            break
    m = _NUMBER.match(s)
    if m is None:
        if sign:
            return "符号后应为数字（如 ≥50个）"
        if any(c.isdigit() for c in s):
            return _qualitative_or_refuse(raw, s)
        return Quantity("", None, "", raw.strip())
    number = float(m.group(1).replace(",", ""))
    unit = s[m.end() :]
    if unit[:1] in _SCALES and not unit.startswith(_SCALED_UNITS):
        number, unit = number * _SCALES[unit[0]], unit[1:]
    unit = unit.replace("％", "%")
    if any(ch in unit for ch in "≥≤=<>") or re.match(r"[-~—至到]\d", unit):
        return _ONE_NUMBER
    if any(c.isdigit() for c in unit):  # 2021年12月底前完成: words, unless a sign came first
        return _ONE_NUMBER if sign else Quantity("", None, "", raw.strip())
    return Quantity(sign, number, unit, raw.strip())


def _qualitative_or_refuse(raw: str, s: str) -> Quantity | str:
    """Digits inside words (``2021年底前完成``) are a qualitative standard; a range is refused."""
    if re.search(r"\d[-~—至到]\d", s):
        return _ONE_NUMBER
    return Quantity("", None, "", raw.strip())


def in_unit(q: Quantity, unit: str) -> float | str:
    """The number of ``q`` in ``unit`` (the target's): 1.2万人次 in 人次, 9800 元 in 万元.

    >>> in_unit(parse_value("1.2万人次"), "人次"), in_unit(parse_value("98%"), "%")
    (12000.0, 98.0)
    >>> in_unit(parse_value("5天"), "个")
    '单位“天”与年度指标值的单位“个”不一致'
    """
    assert q.number is not None
    mine, theirs = q.unit, unit
    if not mine or mine == theirs or not theirs:
        return q.number
    for word, scale in _SCALES.items():
        if mine == word + theirs:
            return q.number * scale
        if theirs == word + mine:
            return q.number / scale
    return f"单位“{mine}”与年度指标值的单位“{theirs}”不一致"


def parse_cell_number(value: object) -> float | str | None:
    """A numeric cell (分值, 得分, amounts): the number, None when blank, or the reason.

    >>> parse_cell_number("１，２３４.５"), parse_cell_number(" "), parse_cell_number("约10")
    (1234.5, None, '不是数字')
    """
    if value is None:
        return None
    if isinstance(value, bool):
        return "不是数字"
    if isinstance(value, int | float):
        return float(value)
    s = normalize(str(value)).rstrip("分")
    if not s:
        return None
    m = _NUMBER.fullmatch(s)
    return float(s.replace(",", "")) if m else "不是数字"


def format_number(x: float) -> str:
    """A number as a form shows it: no trailing zeros, no exponent (``1e-05`` is ``0.00001``).

    >>> format_number(50.0), format_number(89.97), format_number(1234567.0)
    ('50', '89.97', '1234567')
    """
    text = f"{x:.6f}".rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text


def format_target(sign: str, number: float, unit: str) -> str:
    """A numeric target in the form's notation.

    >>> format_target("≥", 50, "个"), format_target("=", 0, "起"), format_target("", 100, "%")
    ('≥50个', '=0起', '100%')
    """
    return f"{sign}{format_number(number)}{unit}"
