"""Attribute-sampling plans and the Clopper-Pearson bound against published values."""

from __future__ import annotations

import math

import pytest
from scipy import stats

from jxkit.errors import SamplingError
from jxkit.sampling.planning import parse_fraction, population_deviations, sample_size, upper_bound


@pytest.mark.parametrize(
    ("confidence", "tolerable", "expected", "model", "population", "n"),
    [
        # the values quoted in the issue
        (0.95, 0.05, 0, "binomial", None, 59),
        (0.95, 0.05, 1, "binomial", None, 93),
        (0.95, 0.05, 0, "poisson", None, 60),
        (0.95, 0.05, 0, "hypergeometric", 500, 56),
        # AICPA attribute-sampling table, 5% risk (binomial)
        (0.95, 0.05, 2, "binomial", None, 124),
        (0.95, 0.10, 0, "binomial", None, 29),
        (0.95, 0.10, 1, "binomial", None, 46),
        (0.90, 0.05, 0, "binomial", None, 45),
        (0.90, 0.10, 1, "binomial", None, 38),
        # a small population needs fewer units without replacement, never more than N
        (0.95, 0.05, 0, "hypergeometric", 100, 45),
        (0.95, 0.50, 0, "hypergeometric", 4, 3),
    ],
)
def test_published_sample_sizes(
    confidence: float,
    tolerable: float,
    expected: int,
    model: str,
    population: int | None,
    n: int,
) -> None:
    got = sample_size(confidence, tolerable, expected, model=model, population=population)
    assert got == n


@pytest.mark.parametrize("model", ["binomial", "poisson"])
@pytest.mark.parametrize("expected", [0, 1, 3])
def test_sample_size_is_the_smallest_that_works(model: str, expected: int) -> None:
    n = sample_size(0.9, 0.04, expected, model=model)
    cdf = {
        "binomial": lambda m: stats.binom.cdf(expected, m, 0.04),
        "poisson": lambda m: stats.poisson.cdf(expected, m * 0.04),
    }[model]
    assert cdf(n) <= 0.1 < cdf(n - 1)


def test_hypergeometric_uses_ceiling_of_deviations() -> None:
    assert population_deviations(0.05, 500) == 25
    assert population_deviations(0.05, 510) == 26  # 25.5 deviations → 26
    assert population_deviations(0.1, 30) == 3  # 0.1 × 30 is 3.0000000000000004 in floats


@pytest.mark.parametrize(
    ("errors", "n", "confidence", "bound"),
    [
        (2, 60, 0.95, 0.1012),
        (0, 59, 0.95, 0.0495),
        (0, 60, 0.95, 1 - 0.05 ** (1 / 60)),
        (1, 93, 0.95, 0.0500),
        (5, 5, 0.95, 1.0),
        (0, 1, 0.90, 0.9),
    ],
)
def test_clopper_pearson_upper_bound(errors: int, n: int, confidence: float, bound: float) -> None:
    assert math.isclose(upper_bound(errors, n, confidence), bound, abs_tol=5e-5)


@pytest.mark.parametrize(
    ("text", "value"),
    [("0.95", 0.95), ("95", 0.95), ("95%", 0.95), (" 95 % ", 0.95), (0.9, 0.9), ("5", 0.05),
     ("0.05", 0.05), ("99.5%", 0.995)],
)  # fmt: skip
def test_parse_fraction(text: str | float, value: float) -> None:
    assert parse_fraction(text, name="置信水平") == value


@pytest.mark.parametrize("text", ["0", "100%", "150", "-5%", "abc", "", "nan"])
def test_parse_fraction_rejects(text: str) -> None:
    with pytest.raises(SamplingError, match="置信水平应在 0 与 1 之间"):
        parse_fraction(text, name="置信水平")


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: sample_size(0.95, 0.05, 0, model="normal"), "未知的模型"),
        (lambda: sample_size(0.95, 0.05, 0, model="hypergeometric"), "--population"),
        (lambda: sample_size(0.95, 0.05, -1), "预期偏差数"),
        (lambda: sample_size(1.5, 0.05, 0), "0 与 1 之间"),
        # 25 deviations expected in a population of 500 at 5%: no sample can show < 5%
        (lambda: sample_size(0.95, 0.05, 25, model="hypergeometric", population=500), "无法达到"),
        (lambda: upper_bound(3, 2), "不能大于样本量"),
        (lambda: upper_bound(0, 0), "样本量"),
        (lambda: upper_bound(1, 10, 1.0), "置信水平"),
    ],
)
def test_planning_errors(call: object, message: str) -> None:
    with pytest.raises(SamplingError, match=message):
        call()  # type: ignore[operator]


def test_upper_bound_is_the_beta_quantile() -> None:
    """The bound is computed without scipy.stats; it is still beta.ppf, to the last bit."""
    import scipy.stats

    for n in (1, 2, 7, 30, 59, 60, 200, 1000):
        for errors in range(min(n, 12)):
            for confidence in (0.8, 0.9, 0.95, 0.99):
                want = float(scipy.stats.beta.ppf(confidence, errors + 1, n - errors))
                assert upper_bound(errors, n, confidence) == want
