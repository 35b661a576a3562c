"""Totals and the subtotals beside them: hand-computed cases of the apportionment rule."""

from __future__ import annotations

import numpy as np
import pytest

from jxkit.rounding import apportion, round_half_up

NAN = float("nan")


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        # three remainders of exactly half a cent: the total 60.015 → 60.02 needs two, the
        # first two in framework order get them
        ([10.005, 20.005, 30.005], [10.01, 20.01, 30.00]),
        # a total that rounds up across several subtotals: 100.008 → 100.01, floors 99.99
        ([33.336, 33.336, 33.336], [33.34, 33.34, 33.33]),
        # all equal and exact
        ([25.0, 25.0, 25.0, 25.0], [25.0, 25.0, 25.0, 25.0]),
        # all equal thirds of 100: the first takes the missing cent
        ([100 / 3, 100 / 3, 100 / 3], [33.34, 33.33, 33.33]),
        # a single first-level indicator is the total itself
        ([87.456], [87.46]),
        # as in the demo's XM2019000001: the exact total 95.35, but rounding each part alone
        # gives 9.6 + 47.05 + 28.71 + 10.0 = 95.36; floors 95.33, two cents to the largest
        # remainders (.8, then the first of two .6)
        ([9.6, 47.046, 28.706, 9.998], [9.6, 47.05, 28.70, 10.0]),
        # the largest remainder wins over framework order
        ([1.001, 1.009, 1.002], [1.0, 1.01, 1.0]),
        # a first-level indicator with nothing applicable stays empty and takes no cent
        ([NAN, 50.005, 50.005], [NAN, 50.01, 50.0]),
    ],
)
def test_subtotals_add_up_to_the_shown_total(parts: list[float], expected: list[float]) -> None:
    shown = apportion(np.array([parts]))[0]
    np.testing.assert_array_equal(shown, expected)
    total = round_half_up(np.nansum(parts))
    assert round(float(np.nansum(shown)), 2) == total


def test_given_totals_are_respected_and_each_part_is_within_a_cent() -> None:
    rng = np.random.default_rng(7)
    parts = rng.uniform(0, 40, size=(2000, 5))
    parts[rng.random(parts.shape) < 0.2] = np.nan
    parts[:, 0] = rng.uniform(0, 10, 2000)  # every row has at least one part
    totals = round_half_up(np.nansum(parts, axis=1))
    shown = apportion(parts, totals)
    np.testing.assert_allclose(np.nansum(shown, axis=1), totals, atol=1e-9)
    assert np.nanmax(np.abs(shown - parts)) < 0.01
    assert (np.isnan(shown) == np.isnan(parts)).all()


def test_a_total_that_is_not_the_sum_of_its_parts_is_refused() -> None:
    with pytest.raises(ValueError, match="not the rounded sum"):
        apportion(np.array([[10.0, 10.0]]), np.array([25.0]))


def test_first_level_table_of_a_project_with_an_indicator_removed(mini_copy) -> None:
    """P-001 of the mini dataset with 学员满意度 (10 points) 不适用, by hand:
    scores 8 (execution 80%) + 27 (900/1000 × 30) + 16 (500/625 × 20) + 24 (band 0.9 → 80%)
    = 75 of 90 applicable points → total 75 / 90 × 100 = 83.33. Converted (÷ 0.9):
    scores 8.8889 / 47.7778 / 26.6667 → floors 83.31, the two largest remainders get a cent:
    8.89 / 47.78 / 26.66; lost 2.2222 / 7.7778 / 6.6667 to 100 − 83.33 = 16.67: 2.22 / 7.78 /
    6.67; points = score + lost: 11.11 / 55.56 / 33.33 (100 in all)."""
    from jxkit.dataset import load_dataset
    from jxkit.scoring import score

    def edit(tables: dict) -> None:
        ev = tables["evaluations"]
        ev.loc[(ev["project_id"] == "P-001") & (ev["indicator_id"] == "I05"), "actual"] = "不适用"

    result = score(load_dataset(mini_copy(edit)), "self")
    row = result.project("P-001", "self")
    assert row["total"] == 83.33
    assert [row["预算执行"], row["产出指标"], row["效益指标"]] == [8.89, 47.78, 26.66]
    table = result.level1_table("P-001", "self")
    assert table["level1"].tolist() == ["预算执行", "产出指标", "效益指标", "满意度指标", "合计"]
    np.testing.assert_array_equal(table["points"], [11.11, 55.56, 33.33, 0.0, 100.0])
    np.testing.assert_array_equal(table["score"], [8.89, 47.78, 26.66, NAN, 83.33])
    np.testing.assert_array_equal(table["lost"], [2.22, 7.78, 6.67, NAN, 16.67])
    conversion = table.attrs["conversion"]
    assert conversion["removed"] == "学员满意度" and conversion["applicable_points"] == 90.0


def test_first_level_table_without_conversion_keeps_the_points_as_given(mini_copy) -> None:
    from jxkit.dataset import load_dataset
    from jxkit.scoring import score

    result = score(load_dataset(mini_copy()), "self")
    table = result.level1_table("P-001", "self")
    # by hand: 8 | 27 + 16 | 24 | 8 (较好 80%) = 83 of 100
    np.testing.assert_array_equal(table["points"], [10.0, 50.0, 30.0, 10.0, 100.0])
    np.testing.assert_array_equal(table["score"], [8.0, 43.0, 24.0, 8.0, 83.0])
    np.testing.assert_array_equal(table["lost"], [2.0, 7.0, 6.0, 2.0, 17.0])
    assert "conversion" not in table.attrs
