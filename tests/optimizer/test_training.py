"""The AT and ST-A models: spec examples 2 and 3, one tiny case per rule and objective, and
properties over generated cohorts (every plan passes the independent checker).

Placements are written through publish_plan, which runs the checker before anything appears.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers.training import (
    ONE_WORKER,
    H,
    cohorts,
    crowded_at_h2,
    even_load_at_two_hospitals,
    example2,
    placements,
)
from leveransplan.models.results import ScenarioPlan
from leveransplan.models.scenario import (
    ATRotation,
    ATRow,
    CapacityRow,
    ObjectiveOrder,
    Requirement,
    Scenario,
    Trainee,
    TravelRow,
)
from leveransplan.models.training import ATData, PlacementData, PlacementSolution
from leveransplan.optimizer.at.model import solve_at
from leveransplan.optimizer.errors import Infeasible
from leveransplan.optimizer.placements.model import PlacementModel, solve_placements
from leveransplan.outputs.checker.plan import check_plan
from leveransplan.outputs.publish import publish_plan


def value(solution: PlacementSolution, objective: str) -> int:
    return next(s.value for s in solution.stages if s.objective == objective)


def published(tmp_path: Path, scenario: Scenario, plan: ScenarioPlan) -> Path:
    """Publish (the checker runs inside and must pass) and check again from the files."""
    out = publish_plan(tmp_path / "plan", tmp_path, scenario, plan, {})
    assert check_plan(scenario, out) == []
    return out


# -- AT: spec example 3 ---------------------------------------------------------------------------


def at_scenario(
    total: int = 10, capacity: int = 12, previous: tuple[int | None, ...] = (3, 5, 2)
) -> Scenario:
    return Scenario(
        name="example 3",
        start="2026-01",
        months=1,
        at_total=total,
        hospitals=H,
        solver=ONE_WORKER,
        at=tuple(
            ATRow(hospital=h.hospital, min=0, max=10, weight=1, previous=p)
            for h, p in zip(H, previous, strict=True)
        ),
        at_rotations=(ATRotation(hospital="H1", area="psykiatri", months=4, capacity_months=capacity),),
    )


def test_at_example3(tmp_path: Path) -> None:
    # deviation sum |3 n_h - 10| is least (4) at (3,3,4) in any order; n_H1 <= 12/4 = 3, and
    # against previous (3,5,2) the order (3,4,3) changes 0+1+1 = 2 where (3,3,4) changes 4.
    scenario = at_scenario()
    solution = solve_at(ATData(scenario))
    assert [(s.objective, s.value, s.status) for s in solution.stages] == [
        ("deviation", 4, "OPTIMAL"),
        ("stability", 2, "OPTIMAL"),
    ]
    assert solution.positions == {"H1": 3, "H2": 4, "H3": 3}
    published(tmp_path, scenario, ScenarioPlan(at=solution))


def test_at_department_capacity_binds() -> None:
    # With room for 2 AT doctors at H1 (8 AT-months / 4), the other 8 split 4 + 4:
    # deviation |6-10| + |12-10| + |12-10| = 8.
    solution = solve_at(ATData(at_scenario(capacity=8)))
    assert solution.positions["H1"] == 2
    assert solution.stages[0].value == 8


def test_at_without_previous_has_only_deviation() -> None:
    solution = solve_at(ATData(at_scenario(previous=(None, None, None))))
    assert [s.objective for s in solution.stages] == ["deviation"]


def test_at_total_out_of_reach_is_infeasible_in_words() -> None:
    # H1 takes at most 3 (12 AT-months / 4), H2 and H3 at most 10 each: 23 < 25.
    with pytest.raises(Infeasible, match=r"at most 23 AT positions.*H1 3 \(psykiatri takes 12 AT-months"):
        solve_at(ATData(at_scenario(total=25)))


# -- ST-A: spec example 2 -------------------------------------------------------------------------


def test_example2_stages(tmp_path: Path) -> None:
    # H1's one paediatrics place goes to the longest stay T2 (10 x 3); T1 and T3 take H2 one
    # after the other (concurrent_max 1; 50 x 2 each); T1 psy at H1 (10 x 2): 30 + 200 + 20 = 250.
    scenario = example2()
    solution = placements(scenario)
    assert [(s.objective, s.value) for s in solution.stages] == [("unplaced", 0), ("travel", 250)]
    assert solution.plan.placed[("T2", "ped")][0] == "H1"
    published(tmp_path, scenario, ScenarioPlan(placements=solution))


def test_example2_fixed_placement_stays(tmp_path: Path) -> None:
    # T1 ped fixed at H1 from 2026-03 (20); T2 (150) and T3 (100) share H2; T1 psy at H1 (20): 290.
    scenario = example2(fixed=True)
    solution = placements(scenario)
    assert [(s.objective, s.value) for s in solution.stages] == [("unplaced", 0), ("travel", 290)]
    assert solution.plan.placed[("T1", "ped")] == ("H1", 2026 * 12 + 2)
    published(tmp_path, scenario, ScenarioPlan(placements=solution))


def test_example2_places_bind(tmp_path: Path) -> None:
    # With one paediatrics place at each hospital, three paediatrics requirements share two places.
    scenario = example2(fixed=True, h2_places=1)
    solution = placements(scenario)
    assert value(solution, "unplaced") == 1
    (reason,) = solution.reasons.values()
    assert "place at H1 taken in 2026" in reason and "place at H2 taken in 2026" in reason
    published(tmp_path, scenario, ScenarioPlan(placements=solution))


def test_propose_places_places_everything_placeable(tmp_path: Path) -> None:
    # Unlimited places: all four requirements placed with 4 places (3 paediatrics, 1 psychiatry).
    # Every department's reference is 1 place (H1's decided 1 and 1; H2's 0 counts as 1), so a
    # load is 100 % per place: paediatrics splits 2 + 1 (peak 200 %), psychiatry 1 (100 %):
    # peak_load 300. Travel then puts 2 at H1 (T2 10 x 3, one 2-month stay 10 x 2) and 1 at H2
    # (50 x 2), psychiatry at H1 (10 x 2): 30 + 20 + 100 + 20 = 170.
    scenario = example2(h2_places=0)
    solution = placements(scenario, propose=True)
    assert [(s.objective, s.value) for s in solution.stages] == [
        ("unplaced", 0),
        ("places", 4),
        ("peak_load", 300),
        ("travel", 170),
    ]
    published(tmp_path, scenario, ScenarioPlan(placements=solution))


def test_proposal_evens_the_load_within_max_places(tmp_path: Path) -> None:
    # Four ped stays share H1 (max 2) and H2 (max 6); the load is proposed places over max_places.
    # H1 0 + H2 4: 0 % and ceil(400/6) = 67 %; H1 1 + H2 3: 50 % and 50 %; H1 2 + H2 2: 100 % and
    # 34 %: the even split 1 + 3 is the least peak, 50. Travel alone would fill H1's maximum
    # (2 x 10 x 2 + 2 x 50 x 2 = 240); held at 50 % it is 1 x 10 x 2 + 3 x 50 x 2 = 320.
    scenario = even_load_at_two_hospitals()
    solution = placements(scenario, propose=True)
    assert [(s.objective, s.value, s.status) for s in solution.stages] == [
        ("unplaced", 0, "OPTIMAL"),
        ("places", 4, "OPTIMAL"),
        ("peak_load", 50, "OPTIMAL"),
        ("travel", 320, "OPTIMAL"),
    ]
    assert solution.places == {("H1", "ped", 2026): 1, ("H2", "ped", 2026): 3}
    out = published(tmp_path, scenario, ScenarioPlan(placements=solution))
    assert (out / "places_proposal.csv").read_text(encoding="utf-8").splitlines() == [
        "hospital,specialty,year,proposed,decided,max_places,load_percent",
        "H1,ped,2026,1,1,2,50",
        "H2,ped,2026,3,3,6,50",
    ]


def test_max_places_caps_the_proposal() -> None:
    # With H1's max_places 0 every stay goes to H2: 4 places of its 6, ceil(400/6) = 67 %; H1's
    # reference counts as 1 place, its 0 places 0 %. Travel 4 x 50 x 2 = 400.
    solution = placements(even_load_at_two_hospitals(h1_max=0), propose=True)
    assert solution.places == {("H1", "ped", 2026): 0, ("H2", "ped", 2026): 4}
    assert [(s.objective, s.value) for s in solution.stages][2:] == [("peak_load", 67), ("travel", 400)]


def test_the_proposal_evens_the_load_over_the_years_too() -> None:
    # Two trainees, 2 months of ped each, free from 2026-11 to 2027-04, so each stay starts in
    # 2026 (November) or in 2027; H1 decided 2 places in each year and has no maximum, so the
    # load is of 2. Both in one year is 100 % that year, one in each is 50 % in both: the
    # specialty's highest load over its departments and years is least split, peak_load 50.
    # (A peak per year summed would see 100 + 0 and 50 + 50 alike.) Travel 2 x 10 x 2 = 40.
    scenario = even_load_at_two_hospitals().model_copy(
        update={
            "start": "2026-11",
            "months": 6,
            "hospitals": H[:1],
            "st_trainees": tuple(
                Trainee(trainee=f"T{i}", home_area="X", earliest_start="2026-11", deadline="2027-04")
                for i in (1, 2)
            ),
            "st_requirements": tuple(Requirement(trainee=f"T{i}", specialty="ped", months=2) for i in (1, 2)),
            "st_capacity": tuple(
                CapacityRow(hospital="H1", specialty="ped", year=year, places=2) for year in (2026, 2027)
            ),
            "travel": (TravelRow(home_area="X", hospital="H1", minutes=10),),
        }
    )
    solution = placements(scenario, propose=True)
    assert [(s.objective, s.value, s.status) for s in solution.stages] == [
        ("unplaced", 0, "OPTIMAL"),
        ("places", 2, "OPTIMAL"),
        ("peak_load", 50, "OPTIMAL"),
        ("travel", 40, "OPTIMAL"),
    ]
    assert solution.places == {("H1", "ped", 2026): 1, ("H1", "ped", 2027): 1}


def test_unavailable_months_and_window_leave_a_reason() -> None:
    # T2 needs 3 months of ped by 2026-04 but is away 2026-02..2026-03: no 3 free months in a row.
    scenario = example2().model_copy(
        update={
            "st_trainees": (
                Trainee(trainee="T1", home_area="X", earliest_start="2026-01", deadline="2026-06"),
                Trainee(
                    trainee="T2",
                    home_area="X",
                    earliest_start="2026-01",
                    deadline="2026-04",
                    unavailable=("2026-02", "2026-03"),
                ),
                Trainee(trainee="T3", home_area="X", earliest_start="2026-05", deadline="2026-05"),
            )
        }
    )
    solution = placements(scenario)
    assert value(solution, "unplaced") == 2
    assert "the trainee is unavailable 2026-02..2026-03" in solution.reasons[("T2", "ped")]
    assert "do not fit between 2026-05 and 2026-05" in solution.reasons[("T3", "ped")]


def test_no_hospital_within_reach() -> None:
    # travel.csv offers only H2 to home area X, and psychiatry exists only at H1.
    scenario = example2().model_copy(
        update={"travel": (TravelRow(home_area="X", hospital="H2", minutes=50),)}
    )
    solution = placements(scenario)
    assert "no hospital within reach of home area X offers psy" in solution.reasons[("T1", "psy")]


def test_concurrent_max_binds() -> None:
    # Only H2 (3 places, concurrent_max 1) is within reach; T2 (3 months by 2026-04) and T3
    # (2 months by 2026-03) cannot both fit 2026-01..2026-04 one at a time (3 + 2 > 4): one stays
    # unplaced though a place is left, and T1 ped fits 2026-05..06 after them.
    scenario = crowded_at_h2()
    solution = placements(scenario)
    # T1 psy is out of reach (1), and one of T2/T3 ped (1).
    assert value(solution, "unplaced") == 2
    reason = next(r for k, r in solution.reasons.items() if k[1] == "ped")
    assert "concurrent_max" in reason


def test_travel_prefers_the_nearer_hospital() -> None:
    # One trainee, one requirement, places at both: H1 at 10 minutes beats H2 at 50; 10 x 2 = 20.
    scenario = example2().model_copy(
        update={
            "st_trainees": (
                Trainee(trainee="T3", home_area="X", earliest_start="2026-01", deadline="2026-06"),
            ),
            "st_requirements": (Requirement(trainee="T3", specialty="ped", months=2),),
        }
    )
    solution = placements(scenario)
    assert value(solution, "travel") == 20


def test_stability_keeps_the_previous_placement() -> None:
    # Without a previous plan T3 could start in any month at H1; with one it keeps 2026-04: 0 changes.
    scenario = example2().model_copy(
        update={
            "objective": ObjectiveOrder(placements=("unplaced", "travel", "stability")),
            "st_trainees": (
                Trainee(trainee="T3", home_area="X", earliest_start="2026-01", deadline="2026-06"),
            ),
            "st_requirements": (Requirement(trainee="T3", specialty="ped", months=2),),
        }
    )
    previous = {("T3", "ped"): ("H1", 2026 * 12 + 3)}
    solution = solve_placements(PlacementData(scenario), 20, previous=previous)
    assert value(solution, "stability") == 0
    assert solution.plan.placed[("T3", "ped")] == ("H1", 2026 * 12 + 3)


# -- properties ------------------------------------------------------------------------------------


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(cohorts())
def test_every_placement_plan_passes_the_checker(
    tmp_path_factory: pytest.TempPathFactory, scenario: Scenario
) -> None:
    folder = tmp_path_factory.mktemp("plan")
    solution = placements(scenario)
    assert all(s.status == "OPTIMAL" for s in solution.stages)
    published(folder, scenario, ScenarioPlan(placements=solution))


@settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(cohorts())
def test_proposed_places_place_everything_placeable(
    tmp_path_factory: pytest.TempPathFactory, scenario: Scenario
) -> None:
    # With every places cell unlimited, the unplaced stage is the least any places table allows;
    # proposing places must reach it, and the proposal itself must then place that many.
    unlimited = scenario.model_copy(
        update={"st_capacity": tuple(c.model_copy(update={"places": 99}) for c in scenario.st_capacity)}
    )
    best = value(placements(unlimited), "unplaced")
    proposal = placements(scenario, propose=True)
    assert value(proposal, "unplaced") == best
    held = scenario.model_copy(
        update={
            "st_capacity": tuple(
                c.model_copy(update={"places": proposal.places[c.hospital, c.specialty, c.year]})
                for c in scenario.st_capacity
            )
        }
    )
    assert value(placements(held), "unplaced") == best
    published(tmp_path_factory.mktemp("plan"), scenario, ScenarioPlan(placements=proposal))


def test_a_plan_for_a_model_the_scenario_lacks_is_rejected(tmp_path: Path) -> None:
    # An AT plan checked against the placements-only example 2: summary.json's "at" has no tables.
    at_plan = published(tmp_path, at_scenario(), ScenarioPlan(at=solve_at(ATData(at_scenario()))))
    assert check_plan(example2(), at_plan) == [
        "summary.json scenario: 'example 3', but the scenario is 'example 2'",
        'summary.json: has an object "at", but the scenario has no tables for that model',
    ]


@st.composite
def at_scenarios(draw: st.DrawFn) -> Scenario:
    """Three hospitals, a small total, random bounds, weights, previous and one rotation limit."""
    rows = []
    for h in H:
        low = draw(st.integers(0, 3))
        rows.append(
            ATRow(
                hospital=h.hospital,
                min=low,
                max=low + draw(st.integers(0, 5)),
                weight=draw(st.integers(0, 4)),
                previous=draw(st.one_of(st.none(), st.integers(0, 8))),
            )
        )
    total = draw(st.integers(sum(r.min for r in rows), sum(r.max for r in rows)))
    rotation = ATRotation(
        hospital="H1",
        area="psykiatri",
        months=draw(st.integers(1, 4)),
        capacity_months=draw(st.integers(0, 40)),
    )
    return Scenario(
        name="generated AT",
        start="2026-01",
        months=1,
        at_total=total,
        hospitals=H,
        solver=ONE_WORKER,
        at=tuple(rows),
        at_rotations=(rotation,),
    )


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(at_scenarios())
def test_at_is_optimal_by_enumeration(tmp_path_factory: pytest.TempPathFactory, scenario: Scenario) -> None:
    # Every distribution within the bounds is enumerated; the solver's stages must equal the
    # lexicographic minimum of (deviation, stability) over those that obey the rotation limit.
    data = ATData(scenario)
    rotation = scenario.at_rotations[0]
    rows = scenario.at
    feasible = [
        {"H1": a, "H2": b, "H3": scenario.at_total - a - b}
        for a in range(rows[0].min, rows[0].max + 1)
        for b in range(rows[1].min, rows[1].max + 1)
        if rows[2].min <= scenario.at_total - a - b <= rows[2].max
        and a * rotation.months <= rotation.capacity_months
    ]
    if not feasible:
        with pytest.raises(Infeasible):
            solve_at(data)
        return
    best = min((data.deviation(p), data.stability(p)) for p in feasible)
    solution = solve_at(data)
    assert solution.stages[0].value == best[0]
    if data.has_previous:
        assert solution.stages[1].value == best[1]
    published(tmp_path_factory.mktemp("at"), scenario, ScenarioPlan(at=solution))


def test_travel_before_unplaced_is_named_in_the_reason() -> None:
    # With travel ranked first, placing anything costs travel: the plan places nothing and each
    # reason says that the order, not a limit, left the free place unused.
    scenario = example2().model_copy(update={"objective": ObjectiveOrder(placements=("travel", "unplaced"))})
    solution = placements(scenario)
    assert value(solution, "travel") == 0 and value(solution, "unplaced") == 4
    assert (
        "is free, but placing it would worsen travel, ranked before unplaced"
        in solution.reasons[("T2", "ped")]
    )


def test_proposed_places_are_never_the_reason() -> None:
    # Proposing places for example 2 with H2 limited to one trainee at a time and T1, T3 both due
    # in 2026-02: the place is proposed freely, so only concurrent_max can be what binds.
    scenario = example2().model_copy(
        update={
            "travel": (TravelRow(home_area="X", hospital="H2", minutes=50),),
            "st_trainees": (
                Trainee(trainee="T1", home_area="X", earliest_start="2026-01", deadline="2026-02"),
                Trainee(trainee="T2", home_area="X", earliest_start="2026-05", deadline="2026-06"),
                Trainee(trainee="T3", home_area="X", earliest_start="2026-01", deadline="2026-02"),
            ),
            "st_requirements": (
                Requirement(trainee="T1", specialty="ped", months=2),
                Requirement(trainee="T3", specialty="ped", months=2),
            ),
        }
    )
    solution = placements(scenario, propose=True)
    assert value(solution, "unplaced") == 1
    (reason,) = solution.reasons.values()
    assert "concurrent_max" in reason
    assert "taken in" not in reason and "has no places" not in reason


def test_many_long_stays_decide_months_directly(tmp_path: Path) -> None:
    # Six 6-month stays over 48 months fit in more than PATTERN_LIMIT year combinations, so the
    # trainee is modelled month by month instead; all six still fit one after another (36 months).
    specialties = ("a", "b", "c", "d", "e", "f")
    scenario = Scenario(
        name="long",
        start="2026-01",
        months=48,
        hospitals=H[:1],
        solver=ONE_WORKER,
        st_trainees=(Trainee(trainee="T1", home_area="X", earliest_start="2026-01", deadline="2029-12"),),
        st_requirements=tuple(Requirement(trainee="T1", specialty=s, months=6) for s in specialties),
        st_capacity=tuple(
            CapacityRow(hospital="H1", specialty=s, year=y, places=1)
            for s in specialties
            for y in range(2026, 2030)
        ),
        travel=(TravelRow(home_area="X", hospital="H1", minutes=10),),
    )
    data = PlacementData(scenario)
    assert data.year_patterns(data.requirements) is None
    solution = solve_placements(data, 20)
    assert value(solution, "unplaced") == 0 and value(solution, "travel") == 6 * 6 * 10
    published(tmp_path, scenario, ScenarioPlan(placements=solution))


def test_frozen_placements_stay_and_nothing_new_starts_in_frozen_months() -> None:
    # Example 2's plan, re-planned with 2026-01..2026-02 already decided and H2's ped places raised
    # to 3: the stays that started by 2026-02 keep hospital and start (they are facts now, not
    # choices), and every other stay starts from 2026-03.
    before = placements(example2())
    changed = example2().model_copy(
        update={
            "st_capacity": (
                CapacityRow(hospital="H1", specialty="ped", year=2026, places=1),
                CapacityRow(hospital="H2", specialty="ped", year=2026, places=3, concurrent_max=1),
                CapacityRow(hospital="H1", specialty="psy", year=2026, places=1),
            )
        }
    )
    freeze = 2026 * 12 + 1  # 2026-02
    data = PlacementData(changed, before.plan.placed, freeze)
    after = solve_placements(data, 20, previous=before.plan.placed)
    for key, (hospital, start) in before.plan.placed.items():
        if start <= freeze:
            assert after.plan.placed[key] == (hospital, start)
    assert all(start > freeze for key, (_, start) in after.plan.placed.items() if key not in data.fixed)


def test_a_previous_start_is_kept_without_month_level_variables() -> None:
    # No concurrent_max anywhere, so T3 is decided by year patterns, and the earliest order that
    # fits would start it in 2026-01. The previous plan had it at H1 from 2026-04: a pattern that
    # pins that start keeps it (stability 0), at the same travel 10 x 2 = 20.
    scenario = example2().model_copy(
        update={
            "objective": ObjectiveOrder(placements=("unplaced", "travel", "stability")),
            "st_trainees": (
                Trainee(trainee="T3", home_area="X", earliest_start="2026-01", deadline="2026-06"),
            ),
            "st_requirements": (Requirement(trainee="T3", specialty="ped", months=2),),
            "st_capacity": (CapacityRow(hospital="H1", specialty="ped", year=2026, places=1),),
        }
    )
    previous = {("T3", "ped"): ("H1", 2026 * 12 + 3)}
    model = PlacementModel(PlacementData(scenario), previous=previous)
    assert model.vars.monthly == set()
    solution = model.solve(20)
    assert [(s.objective, s.value) for s in solution.stages] == [
        ("unplaced", 0),
        ("travel", 20),
        ("stability", 0),
    ]
    assert solution.plan.placed[("T3", "ped")] == ("H1", 2026 * 12 + 3)


def test_a_training_plan_names_its_scenario(tmp_path: Path) -> None:
    # An AT plan checked against a scenario of another name (and otherwise the same tables).
    plan = published(tmp_path, at_scenario(), ScenarioPlan(at=solve_at(ATData(at_scenario()))))
    renamed = at_scenario().model_copy(update={"name": "another"})
    assert check_plan(renamed, plan) == ["summary.json scenario: 'example 3', but the scenario is 'another'"]
