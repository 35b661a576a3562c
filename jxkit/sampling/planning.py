"""How many units to re-evaluate, and what a re-evaluation's findings allow one to claim.

Attribute sampling as auditors use it: choose ``n`` so that, if no more than the expected
number of deviations is found, the deviation rate is below the tolerable rate with the
stated confidence; afterwards, bound the rate from the deviations actually found.
Models are chosen by name from :data:`MODELS`, each giving ``P(X ≤ k)`` for a sample of
``n`` when the true rate equals the tolerable rate.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from types import ModuleType

from ..errors import SamplingError
from ..labels import MODEL_NAMES

__all__ = [
    "MODELS",
    "MODEL_NAMES",
    "parse_fraction",
    "population_deviations",
    "sample_size",
    "upper_bound",
]

#: Sample sizes beyond this are not a plan but a census; searching stops there.
MAX_N = 10_000_000
# cdf values equal to 1 − C up to rounding count as meeting it.
_TOLERANCE = 1e-12

Model = Callable[[int, int, float, int | None], float]


def _stats() -> ModuleType:
    """``scipy.stats``, imported on first use: it takes half a second, and every ``jxkit``
    command imports this module while only ``plan`` and ``upper-bound`` need it."""
    import scipy.stats

    return scipy.stats


def _binomial(k: int, n: int, rate: float, population: int | None) -> float:
    """Binomial ``P(X ≤ k)``, ``X ~ Bin(n, T)``: sampling with replacement or large N.

    >>> round(_binomial(0, 59, 0.05, None), 4)
    0.0485
    """
    return float(_stats().binom.cdf(k, n, rate))


def _poisson(k: int, n: int, rate: float, population: int | None) -> float:
    """Poisson ``P(X ≤ k)``, ``X ~ Poisson(n·T)``: the classic audit-table approximation.

    >>> round(_poisson(0, 60, 0.05, None), 4)
    0.0498
    """
    return float(_stats().poisson.cdf(k, n * rate))


def population_deviations(rate: float, population: int) -> int:
    """Deviations in a population of N at the tolerable rate: ``D = ⌈T·N⌉``.

    Rounding up is the conservative reading ("at least T of the units deviate") and is
    the convention that gives the published 56 for N=500, T=5%, k=0, C=95%.

    >>> population_deviations(0.05, 500)
    25
    """
    return math.ceil(round(rate * population, 9))


def _hypergeometric(k: int, n: int, rate: float, population: int | None) -> float:
    """Hypergeometric ``P(X ≤ k)`` drawing ``n`` of ``N`` without replacement, ``D = ⌈T·N⌉``.

    >>> round(_hypergeometric(0, 56, 0.05, 500), 4)
    0.0475
    """
    if population is None:
        raise SamplingError("超几何模型需要总体规模 --population N")
    deviations = population_deviations(rate, population)
    return float(_stats().hypergeom.cdf(k, population, deviations, n))


MODELS: dict[str, Model] = {
    "binomial": _binomial,
    "poisson": _poisson,
    "hypergeometric": _hypergeometric,
}


def parse_fraction(value: str | float, *, name: str) -> float:
    """Read 0.95, 95 or "95%" as 0.95: users write rates all three ways.

    A bare number above 1 is read as a percentage.

    >>> [parse_fraction(v, name="置信水平") for v in ("0.95", "95", "95%", 0.9)]
    [0.95, 0.95, 0.95, 0.9]
    """
    text = str(value).strip()
    try:
        number = Decimal(text[:-1].strip() if text.endswith("%") else text)
    except InvalidOperation:
        number = Decimal("NaN")
    if number.is_finite() and (text.endswith("%") or number > 1):
        number /= 100
    if not number.is_finite() or not 0 < number < 1:
        raise SamplingError(f"{name}应在 0 与 1 之间（可写 0.95、95 或 95%），而不是“{value}”")
    return float(number)


def _check_count(value: int, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise SamplingError(f"{name}必须是不小于 {minimum} 的整数，而不是“{value}”")
    return value


def sample_size(
    confidence: float,
    tolerable: float,
    expected: int = 0,
    *,
    model: str = "binomial",
    population: int | None = None,
) -> int:
    """Smallest n with ``P(X ≤ expected) ≤ 1 − confidence`` at the tolerable rate.

    Finding ``expected`` deviations or fewer in such a sample then supports, with the
    stated confidence, that the deviation rate is below ``tolerable``.

    Args:
        confidence: Confidence level, e.g. 0.95.
        tolerable: Tolerable deviation rate, e.g. 0.05.
        expected: Deviations one expects (and allows) to find in the sample.
        model: "binomial", "poisson" or "hypergeometric" (needs ``population``).
        population: Population size N for the hypergeometric model.

    >>> [sample_size(0.95, 0.05, k) for k in (0, 1)]
    [59, 93]
    >>> sample_size(0.95, 0.05, 0, model="poisson")
    60
    >>> sample_size(0.95, 0.05, 0, model="hypergeometric", population=500)
    56
    """
    if model not in MODELS:
        raise SamplingError(f"未知的模型“{model}”（可选：{'、'.join(MODELS)}）")
    if not 0 < confidence < 1 or not 0 < tolerable < 1:
        raise SamplingError("置信水平与可容忍偏差率都应在 0 与 1 之间")
    expected = _check_count(expected, "预期偏差数", 0)
    if population is not None:
        population = _check_count(population, "总体规模", 1)
    cdf = MODELS[model]
    alpha = 1 - confidence

    def enough(n: int) -> bool:
        return cdf(expected, n, tolerable, population) <= alpha + _TOLERANCE

    limit = population if model == "hypergeometric" and population is not None else MAX_N
    lo = expected + 1  # with n ≤ expected every sample passes: P(X ≤ expected) = 1
    if lo > limit or not enough(limit):
        raise SamplingError(
            f"在{MODEL_NAMES[model]}模型下，样本量不超过 {limit} 时无法达到该置信水平"
            "（预期偏差数相对可容忍偏差率过大，或总体太小）"
        )
    hi = lo
    while not enough(hi):  # P(X ≤ k) falls as n grows, so double, then bisect
        lo, hi = hi + 1, min(hi * 2, limit)
    while lo < hi:
        mid = (lo + hi) // 2
        if enough(mid):
            hi = mid
        else:
            lo = mid + 1
    return hi


def upper_bound(errors: int, n: int, confidence: float = 0.95) -> float:
    """One-sided Clopper-Pearson upper bound of the deviation rate after ``errors`` of ``n``.

    ``beta.ppf(C, k + 1, n − k)``, and 1 when every unit deviates: the exact bound, never
    below the true rate more often than ``1 − C``. It is computed as the inverse of the
    regularised incomplete beta function, which is what ``beta.ppf`` calls (the same floats),
    without importing ``scipy.stats``: each report's comparison needs it, and a render worker
    would pay 0.3 s more for it.

    >>> round(upper_bound(2, 60, 0.95), 4)
    0.1012
    >>> round(upper_bound(0, 59, 0.95), 4)
    0.0495
    """
    n = _check_count(n, "样本量", 1)
    errors = _check_count(errors, "偏差数", 0)
    if errors > n:
        raise SamplingError(f"偏差数 {errors} 不能大于样本量 {n}")
    if not 0 < confidence < 1:
        raise SamplingError("置信水平应在 0 与 1 之间")
    if errors == n:
        return 1.0
    from scipy.special import betaincinv

    return float(betaincinv(errors + 1, n - errors, confidence))
