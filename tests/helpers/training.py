"""The spec's example 2 of the ST-A model (placements), its solve, and small generated cohorts."""

from __future__ import annotations

from hypothesis import strategies as st

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


def crowded_at_h2() -> Scenario:
    """Example 2 with only H2 (3 places, concurrent_max 1) within reach of home area X: T2
    (3 months by 2026-04) and T3 (2 months by 2026-03) cannot both fit 2026-01..04 one at a time,
    so one stays unplaced though a place is left; T1's psychiatry is only at H1, out of reach."""
    return example2(h2_places=3).model_copy(
        update={
            "travel": (TravelRow(home_area="X", hospital="H2", minutes=50),),
            "st_trainees": (
                Trainee(trainee="T1", home_area="X", earliest_start="2026-05", deadline="2026-06"),
                Trainee(trainee="T2", home_area="X", earliest_start="2026-01", deadline="2026-04"),
                Trainee(trainee="T3", home_area="X", earliest_start="2026-01", deadline="2026-03"),
            ),
        }
    )


def even_load_at_two_hospitals(h1_max: int = 2) -> Scenario:
    """Four trainees of home area X, each with 2 months of ped in 2026-01..06; H1 (10 minutes,
    decided 1 place or `h1_max` if less, max_places `h1_max`) and H2 (50 minutes, decided 3,
    max_places 6)."""
    return Scenario(
        name="even load",
        start="2026-01",
        months=6,
        hospitals=H[:2],
        solver=ONE_WORKER,
        objective=ObjectiveOrder(placements=("unplaced", "travel")),
        st_trainees=tuple(
            Trainee(trainee=f"T{i}", home_area="X", earliest_start="2026-01", deadline="2026-06")
            for i in range(1, 5)
        ),
        st_requirements=tuple(Requirement(trainee=f"T{i}", specialty="ped", months=2) for i in range(1, 5)),
        st_capacity=(
            CapacityRow(hospital="H1", specialty="ped", year=2026, places=min(1, h1_max), max_places=h1_max),
            CapacityRow(hospital="H2", specialty="ped", year=2026, places=3, max_places=6),
        ),
        travel=(
            TravelRow(home_area="X", hospital="H1", minutes=10),
            TravelRow(home_area="X", hospital="H2", minutes=50),
        ),
    )


# A scenario folder of the training models alone, as files: the spec's example 3 (AT: H1 3, H2 4,
# H3 3 of 10, each weighted 1: target 10/3 = 3.33) and example 2 (ST-A: H1's one paediatrics place
# to T2, H2's two places to T1 and T3).
TRAINING_FILES = {
    "scenario.toml": (
        'name = "Training only"\nstart = "2026-01"\nmonths = 6\n\n[objective]\n'
        'placements = ["unplaced", "travel"]\n\n[at]\ntotal = 10\n\n'
        "[solver]\ntime_limit_s = 20\nworkers = 1\n"
    ),
    "hospitals.csv": "hospital,name\nH1,one\nH2,two\nH3,three\n",
    "at.csv": "hospital,min,max,weight,previous\nH1,0,10,1,3\nH2,0,10,1,5\nH3,0,10,1,2\n",
    "at_rotations.csv": "hospital,area,months,capacity_months\nH1,psykiatri,4,12\n",
    "st_trainees.csv": (
        "trainee,home_area,earliest_start,deadline,unavailable\n"
        "T1,X,2026-01,2026-06,2026-02\nT2,X,2026-01,2026-04,\nT3,X,2026-01,2026-06,\n"
    ),
    "st_requirements.csv": "trainee,specialty,months\nT1,ped,2\nT1,psy,2\nT2,ped,3\nT3,ped,2\n",
    "st_capacity.csv": (
        "hospital,specialty,year,places,concurrent_max\nH1,ped,2026,1,\nH2,ped,2026,2,1\nH1,psy,2026,1,\n"
    ),
    "travel.csv": "home_area,hospital,minutes\nX,H1,10\nX,H2,50\n",
}


@st.composite
def cohorts(draw: st.DrawFn) -> Scenario:
    """Small random cohorts over 12 months: windows, leave, reach, places and concurrent limits."""
    specialties = ("ped", "psy", "med")
    hospitals = H
    capacity = []
    for h in hospitals:
        for s in specialties:
            if draw(st.booleans()):
                capacity.append(
                    CapacityRow(
                        hospital=h.hospital,
                        specialty=s,
                        year=2026,
                        places=draw(st.integers(0, 3)),
                        concurrent_max=draw(st.one_of(st.none(), st.integers(0, 2))),
                    )
                )
    if not capacity:
        capacity.append(CapacityRow(hospital="H1", specialty="ped", year=2026, places=1))
    offered = sorted({c.specialty for c in capacity})
    areas = ("A", "B")
    travel = [
        TravelRow(home_area=a, hospital=h.hospital, minutes=draw(st.integers(0, 90)))
        for a in areas
        for h in hospitals
        if draw(st.booleans())
    ]
    reached = sorted({t.home_area for t in travel}) or ["A"]
    if not travel:
        travel.append(TravelRow(home_area="A", hospital="H1", minutes=5))
    trainees, requirements = [], []
    for number in range(draw(st.integers(1, 6))):
        name = f"T{number}"
        first = draw(st.integers(1, 12))
        last = draw(st.integers(first, 12))
        away = tuple(f"2026-{m:02d}" for m in sorted(draw(st.sets(st.integers(1, 12), max_size=3))))
        trainees.append(
            Trainee(
                trainee=name,
                home_area=draw(st.sampled_from(reached)),
                earliest_start=f"2026-{first:02d}",
                deadline=f"2026-{last:02d}",
                unavailable=away,
            )
        )
        for s in draw(st.sets(st.sampled_from(offered), min_size=1)):
            requirements.append(Requirement(trainee=name, specialty=s, months=draw(st.integers(1, 4))))
    return Scenario(
        name="generated",
        start="2026-01",
        months=12,
        hospitals=hospitals,
        solver=ONE_WORKER,
        st_trainees=tuple(trainees),
        st_requirements=tuple(requirements),
        st_capacity=tuple(capacity),
        travel=tuple(travel),
    )
