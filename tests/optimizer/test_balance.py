"""The hints of a proposal's stages evened out (optimizer/placements/balance.py), on
tests/helpers/training.py's even-load scenario: four 2-month ped stays in 2026-01..06, H1 (10
minutes, max_places 2) and H2 (50 minutes, max_places 6); the loads are of the maxima."""

from __future__ import annotations

from helpers.training import even_load_at_two_hospitals
from leveransplan.models.training import PlacementData
from leveransplan.optimizer.placements.balance import balanced, even_out, peak_load
from leveransplan.optimizer.placements.model import PlacementModel

JANUARY = 2026 * 12  # 2026-01 as a running month number


def nearest_first() -> dict[tuple[str, str], tuple[str, int]]:
    """T1 and T2 at H1, T3 and T4 at H2, all from 2026-01: H1 2 of 2 = 100 %, H2 2 of 6 = 34 %."""
    return {
        ("T1", "ped"): ("H1", JANUARY),
        ("T2", "ped"): ("H1", JANUARY),
        ("T3", "ped"): ("H2", JANUARY),
        ("T4", "ped"): ("H2", JANUARY),
    }


def test_balanced_finds_the_least_load_and_then_the_least_travel() -> None:
    # Loads 1 of 2 and 3 of 6 are both 50 %, the least peak; 2 + 2 is 100 %, 0 + 4 is 67 %. At
    # 50 % H1 takes one stay (the nearest), so one of T1, T2 moves to H2; starts stay.
    data = PlacementData(even_load_at_two_hospitals())
    plan = balanced(data, nearest_first())
    assert peak_load(data, nearest_first()) == 100
    assert peak_load(data, plan) == 50
    assert sorted(h for h, _ in plan.values()) == ["H1", "H2", "H2", "H2"]
    assert {start for _, start in plan.values()} == {JANUARY}


def test_even_out_keeps_a_plan_it_cannot_improve() -> None:
    # 1 + 3 is already the least peak (50): the plan comes back as it was, travel and all.
    data = PlacementData(even_load_at_two_hospitals())
    model = PlacementModel(data, propose_places=True)
    even = balanced(data, nearest_first())
    assert even_out(data, model.vars.pattern_starts, even, None) == even
    assert even_out(data, model.vars.pattern_starts, nearest_first(), None) != nearest_first()


def test_max_places_bounds_what_balanced_moves() -> None:
    # With H1's max_places 0, H1 can take none: all four at H2, 4 of 6 = 67 %.
    data = PlacementData(even_load_at_two_hospitals(h1_max=0))
    at_h2 = {key: ("H2", start) for key, (_, start) in nearest_first().items()}
    assert balanced(data, at_h2) == at_h2
    assert peak_load(data, at_h2) == 67
