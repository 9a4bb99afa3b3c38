"""The spec's example 2 of the ST-A model (placements), and its solve."""

from __future__ import annotations

from leveransplan.models.scenario import (
    CapacityRow,
    FixedPlacement,
    Hospital,
    ObjectiveOrder,
    Requirement,
    Scenario,
    SolverSettings,
    Trainee,
    TravelRow,
)
from leveransplan.models.training import PlacementData, PlacementSolution
from leveransplan.optimizer.placements.model import solve_placements

ONE_WORKER = SolverSettings(time_limit_s=20, workers=1, seed=0)
H = (
    Hospital(hospital="H1", name="one"),
    Hospital(hospital="H2", name="two"),
    Hospital(hospital="H3", name="three"),
)


def placements(scenario: Scenario, propose: bool = False) -> PlacementSolution:
    """The placements solved, within 20 s."""
    return solve_placements(PlacementData(scenario), 20, propose_places=propose)


def example2(fixed: bool = False, h2_places: int = 2) -> Scenario:
    """Example 2: trainees T1-T3 of home area X, hospitals H1 (10 minutes) and H2 (50), 2026-01..06.
    `fixed`: T1's paediatrics fixed at H1 from 2026-03; `h2_places`: H2's paediatrics places."""
    return Scenario(
        name="example 2",
        start="2026-01",
        months=6,
        hospitals=H[:2],
        solver=ONE_WORKER,
        objective=ObjectiveOrder(placements=("unplaced", "travel")),
        st_trainees=(
            Trainee(
                trainee="T1",
                home_area="X",
                earliest_start="2026-01",
                deadline="2026-06",
                unavailable=("2026-02",),
            ),
            Trainee(trainee="T2", home_area="X", earliest_start="2026-01", deadline="2026-04"),
            Trainee(trainee="T3", home_area="X", earliest_start="2026-01", deadline="2026-06"),
        ),
        st_requirements=(
            Requirement(trainee="T1", specialty="ped", months=2),
            Requirement(trainee="T1", specialty="psy", months=2),
            Requirement(trainee="T2", specialty="ped", months=3),
            Requirement(trainee="T3", specialty="ped", months=2),
        ),
        st_capacity=(
            CapacityRow(hospital="H1", specialty="ped", year=2026, places=1),
            CapacityRow(hospital="H2", specialty="ped", year=2026, places=h2_places, concurrent_max=1),
            CapacityRow(hospital="H1", specialty="psy", year=2026, places=1),
        ),
        travel=(
            TravelRow(home_area="X", hospital="H1", minutes=10),
            TravelRow(home_area="X", hospital="H2", minutes=50),
        ),
        st_fixed=(FixedPlacement(trainee="T1", specialty="ped", hospital="H1", start="2026-03"),)
        if fixed
        else (),
    )
