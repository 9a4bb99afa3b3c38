"""Derived quantities of spec section 2: the cumulative floor split, the guarantee limit, VolumeData.

split(A, w_1..w_H): q_m = floor(A*W_m/W) - floor(A*W_(m-1)/W) with W_m = w_1+...+w_m and W = W_H,
in exact rational arithmetic; every part is 0 when W = 0. Each expected value below is derived
by hand in a comment.
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from helpers import EXAMPLE1
from leveransplan.inputs import load_scenario
from leveransplan.models.derived import VolumeData, guarantee_limit, split


def test_split_two_months_with_a_half_month():
    # W = 1.5. Month 1: floor(5*1/1.5) = floor(3.33) = 3. Month 2: floor(5*1.5/1.5) - 3 = 5 - 3 = 2.
    assert split(5, [1, Decimal("0.5")]) == [3, 2]


def test_split_odd_total_over_equal_weights():
    # W = 2. Month 1: floor(3*1/2) = floor(1.5) = 1. Month 2: floor(3*2/2) - 1 = 3 - 1 = 2.
    # The remainder goes to the later month, where the cumulative floor first reaches it.
    assert split(3, [1, 1]) == [1, 2]


def test_split_remainder_lands_where_the_cumulative_floor_steps():
    # W = 3. Cumulative floors: floor(10*1/3) = 3, floor(10*2/3) = floor(6.67) = 6, floor(10*3/3) = 10.
    # Parts: 3 - 0 = 3, 6 - 3 = 3, 10 - 6 = 4.
    assert split(10, [1, 1, 1]) == [3, 3, 4]


def test_split_months_with_zero_weight_get_nothing():
    # W = 2. Cumulative floors: floor(4*1/2) = 2, floor(4*1/2) = 2 (W_2 = W_1), floor(4*2/2) = 4.
    # Parts: 2, 0, 2.
    assert split(4, [1, 0, 1]) == [2, 0, 2]


def test_split_all_zero_weights_gives_all_zeros():
    # W = 0: the spec says every part is 0 (the total is not placed anywhere).
    assert split(7, [0, 0, 0]) == [0, 0, 0]


def test_split_total_zero():
    # Every cumulative floor is floor(0) = 0, so every part is 0.
    assert split(0, [1, 2, 3]) == [0, 0, 0]


def test_split_july_dip():
    # Factor 1 in every month but July (0.5): W = 11.5, so a unit weight earns 100/11.5 = 8.696.
    # Cumulative floors: m=1..6 (W_m = m): 8, 17, 26, 34, 43, 52; July (W_7 = 6.5): 56;
    # m=8..12 (W_m = m - 0.5): floor(65.2) = 65, floor(73.9) = 73, floor(82.6) = 82, floor(91.3) = 91, 100.
    # Differences: 8, 9, 9, 8, 9, 9, 4, 9, 8, 9, 9, 9 (sum 100).
    weights = [1] * 6 + [Decimal("0.5")] + [1] * 5
    assert split(100, weights) == [8, 9, 9, 8, 9, 9, 4, 9, 8, 9, 9, 9]


def test_split_uses_exact_rationals_not_floats():
    # W = 0.3 + 0.1 + 0.2 = 0.6 exactly. Month 1: floor(2*0.3/0.6) = floor(1) = 1; month 2:
    # floor(2*0.4/0.6) = floor(1.33) = 1; month 3: 2. Parts [1, 0, 1]. In floats
    # 0.3 + 0.1 + 0.2 = 0.6000000000000001, so month 1 would get floor(0.9999...) = 0: [0, 1, 1].
    assert split(2, [Decimal("0.3"), Decimal("0.1"), Decimal("0.2")]) == [1, 0, 1]


def test_split_rejects_negative_weights():
    with pytest.raises(ValueError):
        split(5, [1, -1])


weights_strategy = st.lists(
    st.one_of(
        st.integers(min_value=0, max_value=3),
        st.fractions(min_value=0, max_value=3, max_denominator=12),
        st.decimals(min_value=0, max_value=2, places=2),
    ),
    min_size=1,
    max_size=24,
)
totals = st.integers(min_value=0, max_value=10**7)


@settings(deadline=None, derandomize=True, database=None, max_examples=300)
@given(total=totals, weights=weights_strategy)
def test_split_parts_are_non_negative_integers_one_per_month(total, weights):
    parts = split(total, weights)
    assert len(parts) == len(weights)
    assert all(type(q) is int and q >= 0 for q in parts)


@settings(deadline=None, derandomize=True, database=None, max_examples=300)
@given(total=totals, weights=weights_strategy)
def test_split_parts_sum_to_the_total_when_weights_sum_above_zero(total, weights):
    parts = split(total, weights)
    if sum(Fraction(w) for w in weights) > 0:
        assert sum(parts) == total
    else:
        assert parts == [0] * len(weights)


@settings(deadline=None, derandomize=True, database=None, max_examples=300)
@given(total=totals, weights=weights_strategy)
def test_split_prefix_sums_are_the_cumulative_floors(total, weights):
    # The definition itself: q_1 + ... + q_m = floor(A*W_m/W), and a zero-weight month gets 0.
    exact = [Fraction(w) for w in weights]
    whole = sum(exact)
    assume(whole > 0)
    parts = split(total, weights)
    running = Fraction(0)
    for m, weight in enumerate(exact):
        running += weight
        assert sum(parts[: m + 1]) == math.floor(total * running / whole)
        if weight == 0:
            assert parts[m] == 0


@settings(deadline=None, derandomize=True, database=None, max_examples=300)
@given(total=totals, weights=weights_strategy)
def test_split_each_part_is_within_one_of_its_exact_share(total, weights):
    # With x = A*W_(m-1)/W and y = A*W_m/W, q_m = floor(y) - floor(x) and the exact share is
    # y - x = A*w_m/W. Since y - 1 < floor(y) <= y and x - 1 < floor(x) <= x,
    # (y - x) - 1 < q_m < (y - x) + 1, so |q_m - A*w_m/W| < 1 strictly.
    exact = [Fraction(w) for w in weights]
    whole = sum(exact)
    assume(whole > 0)
    for part, weight in zip(split(total, weights), exact, strict=True):
        assert abs(part - total * weight / whole) < 1


@pytest.mark.parametrize(
    ("inflow", "months", "limit"),
    [
        (4, 2, 6),  # floor(3*4/2) = floor(6) = 6 (example 1)
        (10, 12, 2),  # floor(30/12) = floor(2.5) = 2
        (1, 12, 0),  # floor(3/12) = 0: one referral a year never makes a queue "over the guarantee"
        (0, 12, 0),  # no inflow: any waiting patient is over the limit
        (12, 12, 3),  # one a month: three months of inflow = 3
        (4139, 12, 1034),  # floor(12417/12) = floor(1034.75) = 1034
    ],
)
def test_guarantee_limit_is_three_months_of_inflow_rounded_down(inflow, months, limit):
    assert guarantee_limit(inflow, months) == limit
    assert limit == math.floor(Fraction(3 * inflow, months))


@pytest.fixture(scope="module")
def example1_data() -> VolumeData:
    """Example 1 of the spec as lookups: A (base 5, profile 0.5 in 2026-02, need 10 + 4), B (additional 3)."""
    return VolumeData.from_scenario(load_scenario(EXAMPLE1))


def test_example1_base_capacity_follows_the_profile(example1_data):
    # A's base 5 over A's profile [1, 0.5]: split(5, [1, 0.5]) = [3, 2] (see above).
    data = example1_data
    assert [data.base_capacity["A", "k", m] for m in data.months] == [3, 2]


def test_example1_additional_capacity_of_b(example1_data):
    # B has no profile rows, so weights [1, 1]: split(3, [1, 1]) = [1, 2].
    data = example1_data
    assert [data.additional_capacity["B", "k", m] for m in data.months] == [1, 2]


def test_example1_inflow_and_guarantee_limit(example1_data):
    # A's inflow 4 over two equal months: split(4, [1, 1]) = [2, 2]; L = floor(3*4/2) = 6.
    # B has no need row: inflow [0, 0] and L = 0.
    data = example1_data
    assert [data.inflow["A", "k", m] for m in data.months] == [2, 2]
    assert data.limit["A", "k"] == 6
    assert [data.inflow["B", "k", m] for m in data.months] == [0, 0]
    assert data.limit["B", "k"] == 0
