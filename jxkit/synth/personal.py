"""Fake personal data for 困难职工帮扶 evidence and notes: names, 18-digit resident ID
numbers with valid check digits, mobile numbers (so that report masking can be tested)."""

from __future__ import annotations

import numpy as np
import pandas as pd

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


def add_personal_data(
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
