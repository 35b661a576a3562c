"""The published algorithm ``jxkit-prn-v1``: ids and sizes as text, ``u``, allocation, selection.

An audit committee must be able to check, years later, that nobody chose the sample. So
the selection is a pure function of (seed, ids, sizes): every unit gets a permanent random
number ``u`` from SHA-256 of the seed and its id, and the units with the smallest ``u``
(or ``u / λ`` for PPS) are taken. Row order, other columns and library versions never
matter.

This module is the published description, ``docs/sampling.md`` sections 1 and 2, in
code, and nothing else: canonical id and number text (:func:`canonical_id`,
:func:`canonical_number`), the random numbers (:func:`prn`), the allocation to strata
(:func:`allocate`), the parameters of a draw (:class:`Params`) and the selection
(:func:`select`: mandatory units, then per stratum certainty units and a simple random or
PPS sequential Poisson sample). Everything here is pure; it reads a prepared population
(:class:`Units`, built by :mod:`jxkit.sampling.population`) and no file.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal, InvalidOperation
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
import pandas as pd

from ..errors import SamplingError

__all__ = [
    "ALGORITHM",
    "REASONS",
    "CodeArray",
    "Draw",
    "FloatArray",
    "IntArray",
    "Params",
    "Units",
    "allocate",
    "canonical_id",
    "canonical_number",
    "cell_text",
    "check_params",
    "prn",
    "prn_utf8",
    "select",
]

ALGORITHM = "jxkit-prn-v1"
#: Why a unit is in the sample: named by the user, too big to leave out, or drawn.
REASONS = ("mandatory", "certainty", "random")

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
CodeArray = npt.NDArray[np.unsignedinteger[Any]]

# A positive decimal already in canonical form (no sign, exponent, grouping, leading or
# trailing zeros): most sizes in real files, so they skip the slow Decimal path.
_CANONICAL_POSITIVE = re.compile(r"(?:[1-9][0-9]*(?:\.[0-9]*[1-9])?|0\.[0-9]*[1-9])\Z")


# --------------------------------------------------------------------------- canonical text


def canonical_id(value: object) -> str:
    """The id as the algorithm sees it: text, surrounding whitespace stripped, Unicode NFC.

    Ids typed by different people (a trailing space, a decomposed accent, a number read
    as ``1001.0``) must still name the same unit, or the sample would change.

    >>> canonical_id("  P001 ")
    'P001'
    >>> canonical_id("Cafe\\u0301") == "Caf\\u00e9"
    True
    >>> canonical_id(1001.0)
    '1001'
    """
    return unicodedata.normalize("NFC", cell_text(value).strip())


def cell_text(value: object) -> str:
    """Text of a cell whatever type a loader gave it; missing values become ""."""
    if isinstance(value, str):
        return value
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        number = float(value)
        if math.isnan(number):
            return ""
        text = canonical_number(number)
        return text if text is not None else repr(number)
    if isinstance(value, Decimal):
        return canonical_number(value) or str(value)
    return str(value)


def canonical_number(value: object) -> str | None:
    """Canonical decimal text of a number as people write it, or None if it is not one.

    Sizes enter the population fingerprint as text, so "1,000", "1000.0" and "1000" must
    give the same text; otherwise re-saving a file in Excel would look like a changed row.

    >>> [canonical_number(v) for v in ("1,000", "1000.0", " 1000 ", "1e3", "0.50", 7)]
    ['1000', '1000', '1000', '1000', '0.5', '7']
    >>> [canonical_number(v) for v in ("12万", "", "nan", None)]
    [None, None, None, None]
    """
    if isinstance(value, str):
        if _CANONICAL_POSITIVE.match(value):
            return value
        text = value.strip().replace(",", "")
    elif isinstance(value, bool | np.bool_) or value is None:
        return None
    elif isinstance(value, int | np.integer):
        return str(int(value))
    elif isinstance(value, float | np.floating):
        text = repr(float(value))
    elif isinstance(value, Decimal):
        text = str(value)
    else:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    if not number.is_finite():
        return None
    if number.is_zero():
        return "0"
    return format(number.normalize(), "f")


# --------------------------------------------------------------------------- random numbers


def prn(seed: str, ids: Iterable[object]) -> FloatArray:
    """Permanent random numbers ``u`` in (0, 1) of ``ids`` under ``seed`` (``jxkit-prn-v1``).

    ``h = SHA-256(utf8(seed) + b"\\x1f" + utf8(canonical id))`` and
    ``u = ((first 8 bytes of h, big-endian) >> 11) + 0.5) / 2**53`` in IEEE double
    arithmetic, so any language with SHA-256 gets the same numbers bit for bit.

    >>> [f"{u:.17g}" for u in prn("2024", ["P001", " P001 "])]
    ['0.16155602176991762', '0.16155602176991762']
    """
    return prn_utf8(_check_seed(seed), [canonical_id(i).encode("utf-8") for i in ids])


def _check_seed(seed: object) -> str:
    if not isinstance(seed, str) or seed == "":
        raise SamplingError(
            "随机数种子不能为空：请给出一段公开的文字（如日期、公开开奖号码、会议记录编号）"
        )
    return seed


def prn_utf8(seed: str, encoded: Sequence[bytes]) -> FloatArray:
    """:func:`prn` for canonical ids already in UTF-8; the one hashing pass over the population."""
    seeded = hashlib.sha256(seed.encode("utf-8") + b"\x1f")
    copy = seeded.copy  # cheaper than a fresh hash object per id
    digests: list[bytes] = []
    append = digests.append
    for c in encoded:
        h = copy()
        h.update(c)
        append(h.digest())
    # the first 8 of every 32 bytes, read big-endian
    k = np.frombuffer(b"".join(digests), dtype=">u8")[::4] >> np.uint64(11)
    u: FloatArray = (k.astype(np.float64) + 0.5) / 2.0**53
    return u


def _smallest(keys: FloatArray, pos: IntArray, ids: Sequence[str], k: int) -> IntArray:
    """Indices into ``keys`` of its ``k`` smallest values, ties by canonical id, in order.

    ``pos`` maps each key to its unit (for the id). A partition finds the k-th key; only
    keys up to it (k plus any ties) are sorted, so a big stratum costs one pass.
    """
    if k <= 0:
        return np.empty(0, dtype=np.intp)
    if k >= len(keys):
        cand = np.arange(len(keys))
    else:
        cand = np.flatnonzero(keys <= np.partition(keys, k - 1)[k - 1])
    ranked = sorted(cand.tolist(), key=lambda j: (keys[j], ids[int(pos[j])]))
    return np.array(ranked[:k], dtype=np.intp)


# --------------------------------------------------------------------------- allocation


def allocate(n: int, sizes: Mapping[str, int], min_per_stratum: int = 0) -> dict[str, int]:
    """Share ``n`` among strata in proportion to their sizes, then raise small strata.

    Largest remainder in exact integers: ``n_h = ⌊n·N_h/N⌋``, the ``n − Σn_h`` units left
    go to the largest remainders ``n·N_h mod N`` (ties by stratum key, ascending). Then
    every stratum gets at least ``min(min_per_stratum, N_h)``, so the total may exceed
    ``n``. ``n ≥ N`` takes every unit.

    >>> allocate(5, {"a": 3, "b": 3, "c": 2})
    {'a': 2, 'b': 2, 'c': 1}
    >>> allocate(2, {"x": 3, "y": 3, "z": 3}, min_per_stratum=1)
    {'x': 1, 'y': 1, 'z': 1}
    """
    keys = sorted(sizes)
    total = sum(sizes.values())
    if n >= total:
        return {k: sizes[k] for k in keys}
    share = {k: n * sizes[k] // total for k in keys}
    left = n - sum(share.values())
    for k in sorted(keys, key=lambda k: (-(n * sizes[k] % total), k))[:left]:
        share[k] += 1
    return {k: max(share[k], min(min_per_stratum, sizes[k])) for k in keys}


# --------------------------------------------------------------------------- parameters


@dataclass(frozen=True)
class Params:
    """What a draw was asked for, as :func:`check_params` accepted it and the manifest records it."""

    seed: str
    n: int | None
    rate: str | None
    id_col: str
    strata: str | None
    pps: str | None
    min_per_stratum: int
    include: tuple[str, ...]
    where: str | None

    def method(self) -> str:
        base = "pps" if self.pps else "srs"
        return f"stratified-{base}" if self.strata else base


def check_params(
    *,
    seed: object,
    n: int | None,
    rate: float | str | Decimal | None,
    id_col: str,
    strata: str | None,
    pps: str | None,
    min_per_stratum: int,
    include: tuple[str, ...],
    where: str | None,
) -> Params:
    """Check the draw's parameters at once, before any data is read."""
    seed = _check_seed(seed)
    if (n is None) == (rate is None):
        raise SamplingError("请给出样本量 --n 或抽样比例 --rate 之一（不能同时给出）")
    if n is not None and (isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 0):
        raise SamplingError(f"样本量 --n 必须是不小于 0 的整数，而不是 {n!r}")
    rate_text = None if rate is None else _rate_text(rate)
    if (
        isinstance(min_per_stratum, bool)
        or not isinstance(min_per_stratum, int)
        or min_per_stratum < 0
    ):
        raise SamplingError(
            f"每层最少样本数 --min-per-stratum 必须是不小于 0 的整数，而不是 {min_per_stratum!r}"
        )
    if strata is not None and strata == id_col:
        raise SamplingError("分层列不能是编号列本身")
    return Params(
        seed,
        None if n is None else int(n),
        rate_text,
        id_col,
        strata or None,
        pps or None,
        min_per_stratum,
        include,
        (where or "").strip() or None,
    )


def _rate_text(rate: float | str | Decimal) -> str:
    """Rate as exact decimal text ("10%" → "0.1"), so ceil(R × N) has no float surprises."""
    text = str(rate).strip()
    try:
        value = Decimal(text[:-1]) / 100 if text.endswith("%") else Decimal(text)
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or not 0 < value <= 1:
        raise SamplingError(f"抽样比例 --rate 应在 0 与 1 之间（可写 0.1 或 10%），而不是“{rate}”")
    return format(value.normalize(), "f")


# --------------------------------------------------------------------------- selection


class Units(Protocol):
    """What the selection reads of a prepared population (:class:`jxkit.sampling.population.Population`).

    ``ids`` are canonical; ``strata`` are codes into the sorted stratum keys ``names``
    (None when not stratified, ``names`` then ``[""]``); ``sizes`` are the PPS sizes.
    """

    @property
    def ids(self) -> list[str]: ...

    @property
    def strata(self) -> CodeArray | None: ...

    @property
    def names(self) -> list[str]: ...

    @property
    def sizes(self) -> FloatArray | None: ...


@dataclass
class Draw:
    """Selected positions with their reason and inclusion probability, plus the tallies."""

    pos: list[int] = field(default_factory=list)
    reason: list[str] = field(default_factory=list)
    prob: list[float] = field(default_factory=list)
    strata: list[dict[str, Any]] = field(default_factory=list)
    n: int = 0
    notes: list[str] = field(default_factory=list)

    def add(self, pos: Sequence[int], reason: str, prob: float | Sequence[float]) -> None:
        probs = [prob] * len(pos) if isinstance(prob, float) else prob
        for p, q in zip(pos, probs, strict=True):
            self.pos.append(int(p))
            self.reason.append(reason)
            self.prob.append(float(q))


def _srs(pos: IntArray, n_h: int, u: FloatArray, pop: Units, out: Draw) -> tuple[int, int]:
    """Simple random sample within a stratum: the ``n_h`` smallest ``u``; π = n_h / N_h."""
    if n_h >= len(pos):
        out.add(sorted(pos.tolist(), key=pop.ids.__getitem__), "certainty", 1.0)
        return len(pos), 0
    chosen = pos[_smallest(u[pos], pos, pop.ids, n_h)]
    out.add(chosen.tolist(), "random", n_h / len(pos))
    return 0, n_h


def _pps(pos: IntArray, n_h: int, u: FloatArray, pop: Units, out: Draw) -> tuple[int, int]:
    """Sequential Poisson sampling: certainty units first, then the smallest ``u / λ``.

    ``λ_i = (m · x_i) / fsum(x)`` over the units still in play, ``m`` the places left;
    units with ``λ_i ≥ 1`` are taken with certainty and λ recomputed until none is. The
    inclusion probability recorded for a drawn unit is its final ``λ_i`` (the usual
    approximation π_i ≈ λ_i of sequential Poisson sampling).
    """
    assert pop.sizes is not None  # prepare parsed sizes whenever pps is set
    certain: list[int] = []
    rest, m = pos, n_h
    while True:
        if m <= 0 or len(rest) <= m:
            if m > 0:
                certain += rest.tolist()
                rest = rest[:0]
            out.add(sorted(certain, key=pop.ids.__getitem__), "certainty", 1.0)
            return len(certain), 0
        x = pop.sizes[rest]
        lam = m * x / math.fsum(x.tolist())
        big = lam >= 1.0
        if not big.any():
            break
        certain += rest[big].tolist()
        m -= int(big.sum())
        rest = rest[~big]
    out.add(sorted(certain, key=pop.ids.__getitem__), "certainty", 1.0)
    keys = u[rest] / lam
    chosen = _smallest(keys, rest, pop.ids, m)
    out.add(rest[chosen].tolist(), "random", lam[chosen].tolist())
    return len(certain), m


_WITHIN_STRATUM: dict[str, Callable[[IntArray, int, FloatArray, Units, Draw], tuple[int, int]]] = {
    "srs": _srs,
    "pps": _pps,
}


def _resolve_n(params: Params, total: int) -> int:
    if params.n is not None:
        return params.n
    assert params.rate is not None  # check_params() demands one of them
    return int((Decimal(params.rate) * total).to_integral_value(rounding=ROUND_CEILING))


def select(pop: Units, params: Params, mandatory: list[int], u: FloatArray) -> Draw:
    """The whole selection: mandatory units, then per stratum certainty and random units."""
    out = Draw()
    total = len(pop.ids)
    out.n = _resolve_n(params, total)
    out.add(sorted(mandatory, key=pop.ids.__getitem__), "mandatory", 1.0)
    eligible = np.ones(total, dtype=bool)
    eligible[mandatory] = False
    candidates = np.flatnonzero(eligible)

    names = pop.names
    if pop.strata is None:
        groups = [candidates]
        mandatory_by = [len(mandatory)]
    else:
        cand_codes = pop.strata[candidates]
        order = np.argsort(cand_codes, kind="stable")
        bounds = np.cumsum(np.bincount(cand_codes, minlength=len(names)))[:-1]
        groups = np.split(candidates[order], bounds)
        mandatory_by = np.bincount(pop.strata[mandatory], minlength=len(names)).tolist()

    counts = {k: len(g) for k, g in zip(names, groups, strict=True) if len(g)}
    shares = allocate(out.n, counts, params.min_per_stratum if pop.strata is not None else 0)
    if out.n >= len(candidates) and len(candidates):
        out.notes.append(
            f"样本量 n={out.n} 不小于可抽单位数 {len(candidates)}：全部入选（certainty，入选概率 1）"
        )
    if sum(shares.values()) > out.n:
        out.notes.append(
            f"每层至少 {params.min_per_stratum} 个使分配合计 {sum(shares.values())} 超过 n={out.n}"
        )
    within = _WITHIN_STRATUM["pps" if params.pps else "srs"]
    for name, group, fixed in zip(names, groups, mandatory_by, strict=True):
        n_h = shares.get(name, 0)
        certainty, random = within(group, n_h, u, pop, out) if len(group) else (0, 0)
        out.strata.append(
            {
                "stratum": name,
                "N_h": len(group),
                "n_h": n_h,
                "certainty": certainty,
                "random": random,
                "mandatory": fixed,
            }
        )
    return out
