"""The lexicographic volume optimizer on tiny scenarios whose optima are derived by hand.

Each scenario is built as a Scenario, written as CSV files into tmp_path, read back with
load_scenario, solved, and published (publish_plan runs the independent plan checker).

Notation of the derivations: H months; the monthly inflow is split evenly; the guarantee limit
is L = floor(3*inflow/H), so with inflow 0 every waiting patient is over the guarantee and
over_guarantee is the sum of the month-end waiting lists. w_m is a waiting list at the end of
month m.
"""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from helpers import EXAMPLE1
from helpers.volumes import (
    FAST,
    build,
    contract,
    publish_and_check,
    solve_checked,
    stage_values,
    write_scenario,
)
from leveransplan.cli import app
from leveransplan.inputs import load_scenario
from leveransplan.models import (
    Decisions,
    ObjectiveOrder,
    Scenario,
    TermValues,
    VolumeData,
)
from leveransplan.optimizer.errors import Infeasible
from leveransplan.optimizer.volumes.driver import solve_volumes


@pytest.fixture(scope="module")
def example1() -> Scenario:
    """Example 1 of examples.md: A sends patients to B's additional units and to contract c1."""
    return load_scenario(EXAMPLE1).model_copy(update={"solver": FAST})


# -- example 1 of the spec ------------------------------------------------------------------


def test_example1_transfer_and_contract_clear_the_guarantee(example1, tmp_path):
    # A's base [3, 2], B's additional [1, 2], inflow [2, 2], L = 6. Month 1 must lose 3 more
    # patients: 1 to B (its month-1 capacity) and 2 to c1 (monthly_max). w = 6, 6: over 0;
    # cost 150 + 2 × 120 = 390; travel 20 + 2 × 30 = 80.
    solution = solve_volumes(example1)
    assert stage_values(solution) == [("over_guarantee", 0), ("cost", 390), ("travel", 80)]
    assert solution.decisions.transfers == {("A", "B", "k", 1): 1}
    assert solution.decisions.referrals == {("A", "c1", 1): 2}
    publish_and_check(tmp_path, EXAMPLE1, example1, solution)


def test_example1_cost_first(example1, tmp_path):
    # Cheapest is 240: only c1's two units that are paid anyway. Used in month 1: w = 7, 7,
    # over 1 + 1 = 2; equity ceil(1000 × 2 / 4) = 500.
    scenario = example1.model_copy(
        update={"objective": ObjectiveOrder(volumes=("cost", "over_guarantee", "equity"))}
    )
    solution = solve_volumes(scenario)
    assert stage_values(solution) == [("cost", 240), ("over_guarantee", 2), ("equity", 500)]
    assert solution.decisions.referrals == {("A", "c1", 1): 2}
    assert solution.decisions.transfers == {}
    publish_and_check(tmp_path, EXAMPLE1, scenario, solution)


def test_example1_budget_360(example1, tmp_path):
    # The transfer costs 150 on top of c1's paid minimum 240: 390 > 360. Three c1 units cost
    # 360 exactly (2 in month 1, 1 in month 2): w = 7 (over 1), 6. Travel 3 × 30 = 90.
    scenario = example1.model_copy(update={"max_cost_sek": 360})
    solution = solve_volumes(scenario)
    assert stage_values(solution) == [("over_guarantee", 1), ("cost", 360), ("travel", 90)]
    assert solution.decisions.referrals == {("A", "c1", 1): 2, ("A", "c1", 2): 1}
    assert solution.decisions.transfers == {}
    publish_and_check(tmp_path, EXAMPLE1, scenario, solution)


# -- one scenario per objective -------------------------------------------------------------


def test_over_guarantee_a_transfer_beats_waiting(tmp_path):
    # H = 2. A: waiting 10, inflow 2 -> [1, 1], L = floor(6/2) = 3, base 2 -> [1, 1], which only
    # keeps up with the inflow. B offers 4 additional -> [2, 2] at 200 SEK.
    # Waiting: w = 10, 10, over 7 + 7 = 14. Sending 2 each month: w = 8, 6, over 5 + 3 = 8.
    # Cost 4 × 200 = 800.
    scenario = build(
        order=("over_guarantee", "cost"),
        months=2,
        hospitals=("A", "B"),
        prices={"B": 200},
        own={("A", "k"): (2, 0), ("B", "k"): (0, 4)},
        need={("A", "k"): (10, 2)},
    )
    solution = solve_checked(tmp_path, scenario)
    assert stage_values(solution) == [("over_guarantee", 8), ("cost", 800)]
    assert solution.decisions.transfers == {("A", "B", "k", 1): 2, ("A", "B", "k", 2): 2}


def equity_scenario() -> Scenario:
    """A and B share contract c (10 units); A is worse off per 1000 inflow, B is nearer to X."""
    return build(
        order=("over_guarantee", "equity", "travel"),
        hospitals=("A", "B"),
        need={("A", "k"): (21, 3), ("B", "k"): (47, 9)},
        contracts=[contract("c", price=100, volume_max=10)],
        access={("A", "X"): (60, True), ("B", "X"): (10, True)},
    )


def test_equity_splits_a_shared_contract_towards_the_worse_hospital(tmp_path):
    # H = 1. A: inflow 3, L = 9, w = 21 + 3 - x_A = 24 - x_A, X_A = 15 - x_A (5000 per 1000 inflow).
    # B: inflow 9, L = 27, w = 47 + 9 - x_B = 56 - x_B, X_B = 29 - x_B (3223 per 1000 inflow).
    # over_guarantee: c's 10 units in full, 44 - 10 = 34, any split x_A + x_B = 10.
    # equity = max(ceil(1000 (15 - x_A)/3), ceil(1000 (19 + x_A)/9)):
    #   x_A = 6: max(3000, 2778) = 3000; x_A = 7: max(2667, 2889) = 2889; x_A = 8: max(2334, 3000) = 3000.
    # So A gets 7 and B 3: equity 2889. Travel would rather send B's patients (10 min) than A's
    # (60 min), but equity is held: travel 7 × 60 + 3 × 10 = 450.
    solution = solve_checked(tmp_path, equity_scenario())
    assert stage_values(solution) == [("over_guarantee", 34), ("equity", 2889), ("travel", 450)]
    assert solution.decisions.referrals == {("A", "c", 1): 7, ("B", "c", 1): 3}
    assert solution.values.over_of_hospital("A") == 8
    assert solution.values.over_of_hospital("B") == 26


def test_equity_under_a_budget(tmp_path):
    # The scenario above with a budget of 700 SEK: only 7 of c's units. over_guarantee 44 - 7 = 37.
    # With x_A + x_B = 7: equity = max(ceil(1000 (15 - x_A)/3), ceil(1000 (22 + x_A)/9)):
    #   x_A = 5: max(3334, 3000) = 3334; x_A = 6: max(3000, 3112) = 3112; x_A = 7: max(2667, 3223) = 3223.
    # So A gets 6 and B 1: equity 3112, travel 6 × 60 + 1 × 10 = 370.
    scenario = equity_scenario().model_copy(update={"max_cost_sek": 700})
    solution = solve_checked(tmp_path, scenario)
    assert stage_values(solution) == [("over_guarantee", 37), ("equity", 3112), ("travel", 370)]
    assert solution.decisions.referrals == {("A", "c", 1): 6, ("B", "c", 1): 1}


def test_equity_couples_categories(tmp_path):
    # H = 1, I_A = 5 + 5 = 10, I_B = 10. Only A has patients in k1; A and B share c2 in k2.
    # k1: A waiting 26, inflow 5, L = 15: over 31 - 15 - e = 16 - e; c1's 10 units: 6.
    # k2: A waiting 20, inflow 5, L = 15: over 10 - x_A; B waiting 30, inflow 10, L = 30: over 10 - x_B.
    # over_guarantee: 6 + 20 - 10 = 16 with x_A + x_B = 10.
    # Jointly X_A = 6 + 10 - x_A = 16 - x_A and X_B = x_A: equity = 100 max(16 - x_A, x_A),
    # least at x_A = 8: 800 (x_A = 7 or 9 give 900).
    # Looking at k2 alone (A's 5 inflow there, B's 10) the fair split would be
    # max(200 (10 - x_A), 100 x_A), least at x_A = 7, which is 900 for the region.
    scenario = build(
        order=("over_guarantee", "equity"),
        hospitals=("A", "B"),
        categories=("k1", "k2"),
        need={("A", "k1"): (26, 5), ("A", "k2"): (20, 5), ("B", "k2"): (30, 10)},
        contracts=[
            contract("c1", price=100, volume_max=10, category="k1"),
            contract("c2", price=100, volume_max=10, category="k2"),
        ],
    )
    solution = solve_checked(tmp_path, scenario)
    assert stage_values(solution) == [("over_guarantee", 16), ("equity", 800)]
    assert solution.decisions.referrals == {("A", "c1", 1): 10, ("A", "c2", 1): 8, ("B", "c2", 1): 2}
    per_category_fair = Decisions(referrals={("A", "c1", 1): 10, ("A", "c2", 1): 7, ("B", "c2", 1): 3})
    assert TermValues(VolumeData.from_scenario(scenario), per_category_fair).equity() == 900


@pytest.mark.parametrize(
    ("order", "expected", "contract_used"),
    [
        # Out-of-region last but one: all 5 to the in-region c_in at 300: 0, 0, 1 500.
        (("over_guarantee", "out_of_region", "cost"), [0, 0, 1500], "c_in"),
        # Cost before out_of_region: all 5 to the cheaper c_out at 100: 0, 500, 5.
        (("over_guarantee", "cost", "out_of_region"), [0, 500, 5], "c_out"),
    ],
)
def test_out_of_region_after_the_regions_own_options(tmp_path, order, expected, contract_used):
    # H = 1, A has 5 waiting and no inflow (L = 0); either contract alone clears them.
    scenario = build(
        order=order,
        need={("A", "k"): (5, 0)},
        contracts=[
            contract("c_in", price=300, volume_max=5),
            contract("c_out", price=100, volume_max=5, provider="Y", out_of_region=True),
        ],
    )
    solution = solve_checked(tmp_path, scenario)
    assert stage_values(solution) == list(zip(order, expected, strict=True))
    assert solution.decisions.referrals == {("A", contract_used, 1): 5}


def test_cost_prefers_the_cheaper_contract(tmp_path):
    # H = 1, A has 4 waiting (L = 0). c1 at 100 and c2 at 150 each take all 4: cost 4 × 100 = 400.
    scenario = build(
        order=("over_guarantee", "cost"),
        need={("A", "k"): (4, 0)},
        contracts=[contract("c1", price=100, volume_max=10), contract("c2", price=150, volume_max=10)],
    )
    solution = solve_checked(tmp_path, scenario)
    assert stage_values(solution) == [("over_guarantee", 0), ("cost", 400)]
    assert solution.decisions.referrals == {("A", "c1", 1): 4}


def test_cost_uses_a_take_or_pay_minimum_that_is_paid_anyway(tmp_path):
    # H = 1, A has 6 waiting (L = 0). c_cheap: 100 SEK, at most 4. c_dear: 200 SEK, minimum 3
    # paid whether used or not. With x to c_cheap and 6 - x to c_dear (x <= 4):
    # cost = 100 x + 200 max(6 - x, 3): x = 2: 1000, x = 3: 900, x = 4: 1000.
    # So the cheap contract is not filled: 3 + 3, cost 900.
    scenario = build(
        order=("over_guarantee", "cost"),
        need={("A", "k"): (6, 0)},
        contracts=[
            contract("c_cheap", price=100, volume_max=4),
            contract("c_dear", price=200, volume_min=3, volume_max=10, provider="Y"),
        ],
    )
    solution = solve_checked(tmp_path, scenario)
    assert stage_values(solution) == [("over_guarantee", 0), ("cost", 900)]
    assert solution.decisions.referrals == {("A", "c_cheap", 1): 3, ("A", "c_dear", 1): 3}


def test_travel_prefers_the_nearer_of_two_equally_priced_hospitals(tmp_path):
    # H = 1, A has 3 waiting (L = 0). B and C each offer 5 additional units at 200 SEK; B is 40
    # minutes away, C 15. Over 0, cost 3 × 200 = 600 either way, travel 3 × 15 = 45 via C.
    scenario = build(
        order=("over_guarantee", "cost", "travel"),
        hospitals=("A", "B", "C"),
        prices={"B": 200, "C": 200},
        own={("B", "k"): (0, 5), ("C", "k"): (0, 5)},
        need={("A", "k"): (3, 0)},
        access={("A", "B"): (40, True), ("A", "C"): (15, True)},
    )
    solution = solve_checked(tmp_path, scenario)
    assert stage_values(solution) == [("over_guarantee", 0), ("cost", 600), ("travel", 45)]
    assert solution.decisions.transfers == {("A", "C", "k", 1): 3}


@pytest.mark.parametrize(
    ("order", "expected", "receiver"),
    [
        # Cost first: both to the cheap, distant B: cost 2 × 100 = 200, travel 2 × 50 = 100.
        (("over_guarantee", "cost", "travel"), [0, 200, 100], "B"),
        # Travel first: both to the near, dear C: travel 2 × 10 = 20, cost 2 × 300 = 600.
        (("over_guarantee", "travel", "cost"), [0, 20, 600], "C"),
    ],
)
def test_the_order_of_the_terms_decides(tmp_path, order, expected, receiver):
    # H = 1, A has 2 waiting (L = 0); B (100 SEK, 50 min) and C (300 SEK, 10 min) can take 2 each.
    scenario = build(
        order=order,
        hospitals=("A", "B", "C"),
        prices={"B": 100, "C": 300},
        own={("B", "k"): (0, 2), ("C", "k"): (0, 2)},
        need={("A", "k"): (2, 0)},
        access={("A", "B"): (50, True), ("A", "C"): (10, True)},
    )
    solution = solve_checked(tmp_path, scenario)
    assert stage_values(solution) == list(zip(order, expected, strict=True))
    assert solution.decisions.transfers == {("A", receiver, "k", 1): 2}


# -- one scenario per rule ------------------------------------------------------------------


def test_additional_capacity_is_shared_between_own_patients_and_transfers(tmp_path):
    # H = 1, no inflow (L = 0). A has 6 waiting and no capacity; B has 4 waiting and offers 5
    # additional units, 30 minutes from A. a_B + t_AB <= 5, so over = 10 - 5 = 5 (it would be
    # 10 - 4 - 5 = 1 if the transfers had their own 5). Cost 5 × 100 = 500 however split.
    # a_B <= 4 (B's own patients), so t_AB >= 1: travel 30 with a_B = 4, t_AB = 1.
    scenario = build(
        order=("over_guarantee", "cost", "travel"),
        hospitals=("A", "B"),
        own={("B", "k"): (0, 5)},
        need={("A", "k"): (6, 0), ("B", "k"): (4, 0)},
        access={("A", "B"): (30, True)},
    )
    solution = solve_checked(tmp_path, scenario)
    assert stage_values(solution) == [("over_guarantee", 5), ("cost", 500), ("travel", 30)]
    assert solution.decisions.additional_own == {("B", "k", 1): 4}
    assert solution.decisions.transfers == {("A", "B", "k", 1): 1}


def test_contract_monthly_max_and_volume_max_bind(tmp_path):
    # H = 3, A has 10 waiting (L = 0), c takes at most 2 a month and 5 in all. Referred as early
    # as possible: 2, 2, 1, w = 8, 6, 5, over 19. (Without monthly_max: 5, 5, 5 = 15; without
    # volume_max: 8, 6, 4 = 18.) Cost 5 × 100 = 500.
    scenario = build(
        order=("over_guarantee", "cost"),
        months=3,
        need={("A", "k"): (10, 0)},
        contracts=[contract("c", price=100, volume_max=5, monthly_max=2)],
    )
    solution = solve_checked(tmp_path, scenario)
    assert stage_values(solution) == [("over_guarantee", 19), ("cost", 500)]
    assert solution.decisions.referrals == {("A", "c", 1): 2, ("A", "c", 2): 2, ("A", "c", 3): 1}


def test_contract_months_are_respected(tmp_path):
    # H = 3 from 2026-01, A has 4 waiting (L = 0).
    # c_old runs 2025-11..2026-01: in the horizon only month 1; minimum = maximum = 2 at 50 SEK.
    # c_feb runs in 2026-02 only, 10 units at 100 SEK.
    # c_late runs 2026-04..2026-06, wholly after the horizon: never usable, but its minimum 1 at
    # 70 SEK is paid in full.
    # w1 = 4 - e_old >= 2, w2 = w1 - e_feb >= 0: over 2 + 0 + 0 = 2 (0 if c_feb could be used
    # in month 1). Cost 2 × 50 + 2 × 100 + 70 = 370.
    scenario = build(
        order=("over_guarantee", "cost"),
        months=3,
        need={("A", "k"): (4, 0)},
        contracts=[
            contract(
                "c_old", price=50, volume_min=2, volume_max=2, first_month="2025-11", last_month="2026-01"
            ),
            contract("c_feb", price=100, volume_max=10, first_month="2026-02", last_month="2026-02"),
            contract(
                "c_late", price=70, volume_min=1, volume_max=5, first_month="2026-04", last_month="2026-06"
            ),
        ],
    )
    solution = solve_checked(tmp_path, scenario)
    assert stage_values(solution) == [("over_guarantee", 2), ("cost", 370)]
    assert solution.decisions.referrals == {("A", "c_old", 1): 2, ("A", "c_feb", 2): 2}


def test_access_not_allowed_is_respected(tmp_path):
    # H = 1, A has 4 waiting (L = 0). B (100 SEK) and contract c (50 SEK) are not allowed for
    # A's patients; C (300 SEK, no access row: allowed, 0 minutes) is. Over 0, cost 4 × 300 = 1200
    # (it would be 200 with c).
    scenario = build(
        order=("over_guarantee", "cost"),
        hospitals=("A", "B", "C"),
        prices={"B": 100, "C": 300},
        own={("B", "k"): (0, 5), ("C", "k"): (0, 5)},
        need={("A", "k"): (4, 0)},
        contracts=[contract("c", price=50, volume_max=10)],
        access={("A", "B"): (5, False), ("A", "X"): (5, False)},
    )
    solution = solve_checked(tmp_path, scenario)
    assert stage_values(solution) == [("over_guarantee", 0), ("cost", 1200)]
    assert solution.decisions.transfers == {("A", "C", "k", 1): 4}
    assert solution.decisions.referrals == {}


def test_a_profile_dip_moves_base_capacity(tmp_path):
    # H = 2, A runs at 0.5 in 2026-01: weights [0.5, 1], W = 1.5.
    # base split(6) = [floor(6 × 0.5/1.5), 6 - 2] = [2, 4]; additional split(3) = [1, 2].
    # A has 6 waiting (L = 0): w1 = 6 - 2 - 1 = 3, w2 = 0 (3 of month 2's 4 base units).
    # Over 3, cost 1 × 100 = 100. (Without the dip base [3, 3], additional [1, 2]: over 2.)
    scenario = build(
        order=("over_guarantee", "cost"),
        months=2,
        own={("A", "k"): (6, 3)},
        need={("A", "k"): (6, 0)},
        profile={("A", "2026-01"): "0.5"},
    )
    data = VolumeData.from_scenario(scenario)
    assert [data.base_capacity["A", "k", m] for m in (1, 2)] == [2, 4]
    assert [data.additional_capacity["A", "k", m] for m in (1, 2)] == [1, 2]
    solution = solve_checked(tmp_path, scenario)
    assert stage_values(solution) == [("over_guarantee", 3), ("cost", 100)]
    assert solution.decisions.base_used == {("A", "k", 1): 2, ("A", "k", 2): 3}
    assert solution.decisions.additional_own == {("A", "k", 1): 1}


def test_budget_binds_across_categories(tmp_path):
    # H = 1, A has 3 waiting in k1 and in k2 (L = 0); B offers 3 additional units in each at
    # 100 SEK. Unbounded, 6 transfers clear everything for 600. The budget 400 pays for 4:
    # over 6 - 4 = 2, cost 400 (the budget couples the two categories).
    scenario = build(
        order=("over_guarantee", "cost"),
        hospitals=("A", "B"),
        categories=("k1", "k2"),
        own={("B", "k1"): (0, 3), ("B", "k2"): (0, 3)},
        need={("A", "k1"): (3, 0), ("A", "k2"): (3, 0)},
        budget=400,
    )
    solution = solve_checked(tmp_path, scenario)
    assert stage_values(solution) == [("over_guarantee", 2), ("cost", 400)]
    assert sum(solution.decisions.transfers.values()) == 4


def infeasible_budget_scenario(waiting: int, order: tuple[str, ...]) -> Scenario:
    """A has `waiting` patients (L = 0); contract c's take-or-pay minimum 2 × 100 = 200 SEK is paid
    by every plan, so the budget of 150 SEK is infeasible whatever the order."""
    return build(
        order=order,
        need={("A", "k"): (waiting, 0)},
        contracts=[contract("c", price=100, volume_min=2, volume_max=5)],
        budget=150,
    )


# The budget must be found infeasible however the stages reach it: through a relaxed first stage
# that needs more than the paid units (3 patients), one whose optimum costs no more than the
# base-only plan (c's 2 paid units clear A's 2 patients), cost first, equity, or no stage at all.
INFEASIBLE_CASES = [
    pytest.param(3, ("over_guarantee", "cost"), id="over_guarantee first"),
    pytest.param(2, ("over_guarantee", "cost"), id="relaxed optimum at the minimum cost"),
    pytest.param(3, ("cost", "over_guarantee"), id="cost first"),
    pytest.param(3, ("over_guarantee", "equity", "cost"), id="with equity"),
    pytest.param(3, ("stability",), id="no stage solved"),
    pytest.param(3, (), id="empty order"),
]


@pytest.mark.parametrize(("waiting", "order"), INFEASIBLE_CASES)
def test_a_budget_below_the_take_or_pay_minimums_is_infeasible(waiting, order):
    with pytest.raises(Infeasible):
        solve_volumes(infeasible_budget_scenario(waiting, order))


@pytest.mark.parametrize(
    ("waiting", "order"), [INFEASIBLE_CASES[0], INFEASIBLE_CASES[1], INFEASIBLE_CASES[4]]
)
def test_a_budget_below_the_take_or_pay_minimums_exits_4_and_writes_nothing(tmp_path, waiting, order):
    folder = write_scenario(tmp_path / "scenario", infeasible_budget_scenario(waiting, order))
    out = tmp_path / "plan"
    result = CliRunner().invoke(app, ["solve", str(folder), "--out", str(out)])
    assert result.exit_code == 4, result.output
    assert "Infeasible" in result.output
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scenario"]


@pytest.mark.parametrize(
    ("order", "expected", "receiver"),
    [
        # Stability before travel: keep the previous transfers to B: 0, 600, 0, travel 3 × 40 = 120.
        (("over_guarantee", "cost", "stability", "travel"), [0, 600, 0, 120], "B"),
        # Travel before stability: move them to C: travel 3 × 15 = 45, stability |0 - 3| + |3 - 0| = 6.
        (("over_guarantee", "cost", "travel", "stability"), [0, 600, 45, 6], "C"),
    ],
)
def test_stability_against_a_previous_plan(tmp_path, order, expected, receiver):
    # H = 1, A has 3 waiting (L = 0); B (40 min) and C (15 min) each offer 5 units at 200 SEK.
    # The previous plan was made when C was not allowed: all 3 to B.
    def scenario(c_allowed: bool) -> Scenario:
        return build(
            order=order,
            hospitals=("A", "B", "C"),
            prices={"B": 200, "C": 200},
            own={("B", "k"): (0, 5), ("C", "k"): (0, 5)},
            need={("A", "k"): (3, 0)},
            access={("A", "B"): (40, True), ("A", "C"): (15, c_allowed)},
        )

    before = solve_volumes(scenario(c_allowed=False))
    assert before.decisions.transfers == {("A", "B", "k", 1): 3}
    previous_plan = publish_and_check(tmp_path, tmp_path, scenario(False), before, name="previous")
    now = scenario(c_allowed=True)
    solution = solve_volumes(now, previous=before.decisions)
    assert stage_values(solution) == list(zip(order, expected, strict=True))
    assert solution.decisions.transfers == {("A", receiver, "k", 1): 3}
    publish_and_check(tmp_path, tmp_path, now, solution, previous_plan=previous_plan)
