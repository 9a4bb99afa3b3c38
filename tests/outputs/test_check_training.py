"""The training plan checker: the spec's examples 2 and 3 pass, and each rule catches its break.

The plans are written by hand from examples.md, so these tests depend neither on the optimizer nor
on the plan writer.

Example 2 (placements), horizon 2026-01..2026-06, home area X, H1 10 minutes, H2 50 minutes away:
T1 ped H2 2026-03..04 (100), T1 psy H1 2026-05..06 (20), T2 ped H1 2026-01..03 (30),
T3 ped H2 2026-01..02 (100): unplaced 0, travel 250.
Example 3 (AT): total 10 over H1, H2, H3 (weight 1 each, W = 3, previous 3, 5, 2); H1 3, H2 4,
H3 3: deviation |9-10| + |12-10| + |9-10| = 4, stability 0 + 1 + 1 = 2.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from helpers.plans import one_violation, summary_stage
from leveransplan.models.scenario import (
    ATRotation,
    ATRow,
    CapacityRow,
    FixedPlacement,
    Hospital,
    ObjectiveOrder,
    Requirement,
    Scenario,
    Trainee,
    TravelRow,
)
from leveransplan.outputs.checker.files import SUMMARY
from leveransplan.outputs.checker.training_files import HEADERS
from leveransplan.outputs.checker.training_plan import check_at_plan, check_placements_plan

Plan = dict[str, Any]


def write_plan(folder: Path, plan: Plan) -> Path:
    """Write the plan's CSV files (header row first) and summary.json into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    for file, header in HEADERS.items():
        if file not in plan:
            continue
        with (folder / file).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(plan[file])
    if SUMMARY in plan:
        (folder / SUMMARY).write_text(json.dumps(plan[SUMMARY], indent=2), encoding="utf-8")
    return folder


HOSPITALS = (Hospital(hospital="H1", name="Sjukhus 1"), Hospital(hospital="H2", name="Sjukhus 2"))


# == AT: example 3 =============================================================================


@pytest.fixture()
def example3() -> Scenario:
    return Scenario(
        name="Example 3",
        start="2026-01",
        months=12,
        at_total=10,
        hospitals=(*HOSPITALS, Hospital(hospital="H3", name="Sjukhus 3")),
        at=(
            ATRow(hospital="H1", min=0, max=10, weight=1, previous=3),
            ATRow(hospital="H2", min=0, max=10, weight=1, previous=5),
            ATRow(hospital="H3", min=0, max=10, weight=1, previous=2),
        ),
        at_rotations=(ATRotation(hospital="H1", area="psykiatri", months=4, capacity_months=12),),
    )


def at_plan() -> Plan:
    return {
        "at_distribution.csv": [
            ["H1", 3, "3.33", 3],  # row 2
            ["H2", 4, "3.33", 5],  # row 3
            ["H3", 3, "3.33", 2],  # row 4
        ],
        SUMMARY: {
            "scenario": "Example 3",
            "at": {
                "stages": [summary_stage("deviation", 4), summary_stage("stability", 2)],
                "objectives": {"deviation": 4, "stability": 2},
                "total": 10,
            },
        },
    }


def at(plan: Plan) -> dict[str, Any]:
    return plan[SUMMARY]["at"]


def check_at(scenario: Scenario, tmp_path: Path, plan: Plan) -> list[str]:
    return check_at_plan(scenario, write_plan(tmp_path / "plan", plan))


def test_example3_plan_passes(example3: Scenario, tmp_path: Path) -> None:
    assert check_at(example3, tmp_path, at_plan()) == []


def test_example3_without_previous_has_only_the_deviation_stage(example3: Scenario, tmp_path: Path) -> None:
    # Without previous both (3, 3, 4) and (3, 4, 3) reach deviation 4; the order is just deviation.
    scenario = example3.model_copy(
        update={"at": tuple(r.model_copy(update={"previous": None}) for r in example3.at)}
    )
    plan = at_plan()
    plan["at_distribution.csv"] = [["H1", 3, "3.33", ""], ["H2", 3, "3.33", ""], ["H3", 4, "3.33", ""]]
    at(plan)["stages"] = [summary_stage("deviation", 4)]
    at(plan)["objectives"] = {"deviation": 4, "stability": 0}
    assert check_at(scenario, tmp_path, plan) == []
    at(plan)["stages"].append(summary_stage("stability", 0))
    assert check_at(scenario, tmp_path, plan) == [
        "summary.json at.stages[1] (stability): 'stability' is not a term of the AT objective order "
        "(stability left out: no at.csv row has previous) ['deviation']"
    ]


def test_target_accepts_either_rounding_of_a_tie(tmp_path: Path) -> None:
    # total 1, weights 1 and 7: targets 1/8 = 0.125 and 7/8 = 0.875, each written either way.
    scenario = Scenario(
        name="tie",
        start="2026-01",
        months=1,
        at_total=1,
        objective=ObjectiveOrder(at=("deviation",)),
        hospitals=HOSPITALS,
        at=(ATRow(hospital="H1", min=0, max=1, weight=1), ATRow(hospital="H2", min=0, max=1, weight=7)),
    )
    # n = (0, 1): |8 × 0 - 1| + |8 × 1 - 7| = 2.
    plan: Plan = {
        "at_distribution.csv": [["H1", 0, "0.12", ""], ["H2", 1, "0.88", ""]],
        SUMMARY: {
            "at": {
                "stages": [summary_stage("deviation", 2)],
                "objectives": {"deviation": 2, "stability": 0},
                "total": 1,
            }
        },
    }
    assert check_at(scenario, tmp_path, plan) == []
    plan["at_distribution.csv"] = [["H1", 0, "0.13", ""], ["H2", 1, "0.87", ""]]
    assert check_at(scenario, tmp_path, plan) == []
    plan["at_distribution.csv"] = [["H1", 0, "0.14", ""], ["H2", 1, "0.87", ""]]
    assert check_at(scenario, tmp_path, plan) == [
        "at_distribution.csv row 2: target '0.14', but total 1 × weight 1 / sum of weights 8 = 0.13 (two "
        "decimals)"
    ]


def test_at_missing_file_is_reported_alone(example3: Scenario, tmp_path: Path) -> None:
    plan = at_plan()
    del plan["at_distribution.csv"]
    assert check_at(example3, tmp_path, plan) == [
        f"at_distribution.csv: missing from the plan folder {tmp_path / 'plan'}"
    ]


def test_at_wrong_header_is_reported_alone(example3: Scenario, tmp_path: Path) -> None:
    folder = write_plan(tmp_path / "plan", at_plan())
    text = (folder / "at_distribution.csv").read_text(encoding="utf-8")
    (folder / "at_distribution.csv").write_text(text.replace("positions", "n"), encoding="utf-8")
    assert check_at_plan(example3, folder) == [
        "at_distribution.csv row 1: header is 'hospital,n,target,previous', "
        "expected 'hospital,positions,target,previous'"
    ]


def test_at_missing_summary_object_is_reported(example3: Scenario, tmp_path: Path) -> None:
    plan = at_plan()
    del plan[SUMMARY]["at"]
    assert check_at(example3, tmp_path, plan) == ['summary.json: has no object "at"']


def test_at_bad_cell_is_reported(example3: Scenario, tmp_path: Path) -> None:
    plan = at_plan()
    plan["at_distribution.csv"][1][1] = "four"
    violations = check_at(example3, tmp_path, plan)
    one_violation(violations, "at_distribution.csv row 3: positions 'four' is not a whole number >= 0")
    one_violation(violations, "at_distribution.csv: no row for hospital H2; one row per hospital of at.csv")


def test_at_missing_repeated_and_unknown_hospitals(example3: Scenario, tmp_path: Path) -> None:
    plan = at_plan()
    plan["at_distribution.csv"] = [
        ["H1", 3, "3.33", 3],  # row 2
        ["H2", 4, "3.33", 5],  # row 3
        ["H2", 4, "3.33", 5],  # row 4 repeats row 3
        ["H9", 3, "3.33", ""],  # row 5: not in at.csv
    ]
    violations = check_at(example3, tmp_path, plan)
    one_violation(violations, "at_distribution.csv row 4: repeats row 3 (hospital H2)")
    one_violation(violations, "at_distribution.csv row 5: no row is expected for hospital H9")
    one_violation(violations, "at_distribution.csv: no row for hospital H3")


def test_positions_must_add_up_to_the_total(example3: Scenario, tmp_path: Path) -> None:
    plan = at_plan()
    plan["at_distribution.csv"][2][1] = 2  # H3 gets 2: 3 + 4 + 2 = 9
    violations = check_at(example3, tmp_path, plan)
    one_violation(
        violations,
        "at_distribution.csv rows 2, 3, 4: the positions add up to 9, but [at] total distributes 10",
    )


def test_positions_above_max_are_reported(example3: Scenario, tmp_path: Path) -> None:
    rows = list(example3.at)
    rows[1] = rows[1].model_copy(update={"max": 3})
    scenario = example3.model_copy(update={"at": tuple(rows)})
    assert check_at(scenario, tmp_path, at_plan()) == [
        "at_distribution.csv row 3: H2 gets 4 AT positions, above its max 3"
    ]


def test_positions_below_min_are_reported(example3: Scenario, tmp_path: Path) -> None:
    rows = list(example3.at)
    rows[2] = rows[2].model_copy(update={"min": 4})
    scenario = example3.model_copy(update={"at": tuple(rows)})
    assert check_at(scenario, tmp_path, at_plan()) == [
        "at_distribution.csv row 4: H3 gets 3 AT positions, below its min 4"
    ]


def test_rotation_capacity_is_checked(example3: Scenario, tmp_path: Path) -> None:
    # 3 AT doctors × 4 months of psykiatri = 12 > 11.
    rotation = ATRotation(hospital="H1", area="psykiatri", months=4, capacity_months=11)
    scenario = example3.model_copy(update={"at_rotations": (rotation,)})
    assert check_at(scenario, tmp_path, at_plan()) == [
        "at_distribution.csv row 2: H1's 3 AT doctors need 3 × 4 = 12 months of psykiatri, above the "
        "capacity_months 11 at_rotations.csv gives H1 in psykiatri"
    ]


def test_wrong_target_and_previous_columns(example3: Scenario, tmp_path: Path) -> None:
    plan = at_plan()
    plan["at_distribution.csv"][0][2] = "3.3"  # one decimal
    plan["at_distribution.csv"][1][2] = "3.34"
    plan["at_distribution.csv"][2][3] = ""  # H3's previous is 2
    assert check_at(example3, tmp_path, plan) == [
        "at_distribution.csv row 2: target '3.3', but total 10 × weight 1 / sum of weights 3 = 3.33 (two "
        "decimals)",
        "at_distribution.csv row 3: target '3.34', but total 10 × weight 1 / sum of weights 3 = 3.33 (two "
        "decimals)",
        "at_distribution.csv row 4: previous empty, but at.csv gives H3 previous 2",
    ]


def test_at_objectives_and_total_are_recomputed(example3: Scenario, tmp_path: Path) -> None:
    plan = at_plan()
    at(plan)["objectives"] = {"deviation": 4, "stability": 4}  # (3, 3, 4) would give 4, (3, 4, 3) gives 2
    at(plan)["total"] = 11
    assert check_at(example3, tmp_path, plan) == [
        "summary.json at.objectives.stability: 4, but the plan's stability recomputed from its files is 2",
        "summary.json at.total: 11, but [at] total is 10",
    ]


def test_at_stage_rules(example3: Scenario, tmp_path: Path) -> None:
    plan = at_plan()
    at(plan)["stages"] = [summary_stage("stability", 2), summary_stage("deviation", 4)]
    violations = check_at(example3, tmp_path, plan)
    one_violation(violations, "summary.json at.stages[1] (deviation): comes after stability")
    at(plan)["stages"] = [
        summary_stage("deviation", 4),
        summary_stage("deviation", 4),
        summary_stage("stability", 2),
    ]
    violations = check_at(example3, tmp_path, plan)
    one_violation(violations, "summary.json at.stages[1] (deviation): a second stage for deviation")
    plan = at_plan()
    at(plan)["stages"] = [summary_stage("deviation", 4)]
    assert check_at(example3, tmp_path, plan) == [
        "summary.json at.stages: no stage for 'stability' of the AT objective order ['deviation', "
        "'stability']"
    ]


def test_last_stage_value_must_be_the_final_plans(example3: Scenario, tmp_path: Path) -> None:
    # The stability stage says 3 (bound 1), but the plan's stability is 2.
    plan = at_plan()
    at(plan)["stages"][1] = summary_stage("stability", 3, bound=1, status="FEASIBLE")
    assert check_at(example3, tmp_path, plan) == [
        "summary.json at.stages[1] (stability): the final plan's stability is 2, but this last stage "
        "reached 3; the final plan is the last stage's solution"
    ]


def test_earlier_stage_below_final_value_and_bound_rules(example3: Scenario, tmp_path: Path) -> None:
    plan = at_plan()
    at(plan)["stages"][0] = summary_stage("deviation", 3, bound=5, status="OPTIMAL")
    assert check_at(example3, tmp_path, plan) == [
        "summary.json at.stages[0] (deviation): bound 5 is above value 3; a bound cannot exceed the "
        "minimum reached",
        "summary.json at.stages[0] (deviation): status OPTIMAL, but bound 5 is not value 3",
        "summary.json at.stages[0] (deviation): the final plan's deviation is 4, above the value 3 this "
        "stage reached; later stages hold it at or below that",
    ]


# == ST-A placements: example 2 ================================================================


@pytest.fixture()
def example2() -> Scenario:
    return Scenario(
        name="Example 2",
        start="2026-01",
        months=6,
        objective=ObjectiveOrder(placements=("unplaced", "travel")),
        hospitals=HOSPITALS,
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
            CapacityRow(hospital="H2", specialty="ped", year=2026, places=2, concurrent_max=1),
            CapacityRow(hospital="H1", specialty="psy", year=2026, places=1),
        ),
        travel=(
            TravelRow(home_area="X", hospital="H1", minutes=10),
            TravelRow(home_area="X", hospital="H2", minutes=50),
        ),
    )


def placements_plan() -> Plan:
    """Example 2's optimum: unplaced 0, travel 250."""
    return {
        "placements.csv": [
            ["T1", "ped", "H2", "2026-03", "2026-04", 50],  # row 2
            ["T1", "psy", "H1", "2026-05", "2026-06", 10],  # row 3
            ["T2", "ped", "H1", "2026-01", "2026-03", 10],  # row 4
            ["T3", "ped", "H2", "2026-01", "2026-02", 50],  # row 5
        ],
        "unplaced.csv": [],
        "places_table.csv": [
            ["H1", "ped", 2026, 1, 1],  # row 2
            ["H2", "ped", 2026, 2, 2],  # row 3
            ["H1", "psy", 2026, 1, 1],  # row 4
        ],
        SUMMARY: {
            "scenario": "Example 2",
            "placements": {
                "stages": [summary_stage("unplaced", 0), summary_stage("travel", 250)],
                "objectives": {"unplaced": 0, "travel": 250, "stability": 0},
                "mode": "places",
                "months": "2026-01..2026-06",
                "requirements": 4,
                "placed": 4,
                "trainees": 3,
                "trainees_fully_placed": 3,
                "places_total": 4,
                "previous_plan": None,
            },
        },
    }


def placements(plan: Plan) -> dict[str, Any]:
    return plan[SUMMARY]["placements"]


def check_st(scenario: Scenario, tmp_path: Path, plan: Plan) -> list[str]:
    return check_placements_plan(scenario, write_plan(tmp_path / "plan", plan))


def with_rows(scenario: Scenario, **tables: Any) -> Scenario:
    return scenario.model_copy(update=tables)


# -- plans that pass -----------------------------------------------------------------------------


def test_example2_plan_passes(example2: Scenario, tmp_path: Path) -> None:
    assert check_st(example2, tmp_path, placements_plan()) == []


def test_example2_with_a_fixed_placement_passes(example2: Scenario, tmp_path: Path) -> None:
    # st_fixed T1 ped H1 2026-03: T1 ped at H1 (20), T2 (150) and T3 (100) one after the other at H2,
    # T1 psy at H1 May-Jun (20): travel 290.
    scenario = with_rows(
        example2, st_fixed=(FixedPlacement(trainee="T1", specialty="ped", hospital="H1", start="2026-03"),)
    )
    plan = placements_plan()
    plan["placements.csv"] = [
        ["T1", "ped", "H1", "2026-03", "2026-04", 10],
        ["T1", "psy", "H1", "2026-05", "2026-06", 10],
        ["T2", "ped", "H2", "2026-01", "2026-03", 50],
        ["T3", "ped", "H2", "2026-04", "2026-05", 50],
    ]
    placements(plan)["stages"] = [summary_stage("unplaced", 0), summary_stage("travel", 290)]
    placements(plan)["objectives"]["travel"] = 290
    assert check_st(scenario, tmp_path, plan) == []


def test_example2_with_one_requirement_unplaced_passes(example2: Scenario, tmp_path: Path) -> None:
    # H2's paediatrics cut to one place: one of three ped requirements stays unplaced. Leaving T2's
    # three months out is cheapest: T1 ped H1 (20), T3 ped H2 (100), T1 psy H1 (20) = 140.
    capacity = list(example2.st_capacity)
    capacity[1] = capacity[1].model_copy(update={"places": 1})
    scenario = with_rows(example2, st_capacity=tuple(capacity))
    plan = placements_plan()
    plan["placements.csv"] = [
        ["T1", "ped", "H1", "2026-03", "2026-04", 10],
        ["T1", "psy", "H1", "2026-05", "2026-06", 10],
        ["T3", "ped", "H2", "2026-01", "2026-02", 50],
    ]
    plan["unplaced.csv"] = [["T2", "ped", "No paediatrics place is left in 2026 before T2's deadline."]]
    plan["places_table.csv"] = [
        ["H1", "ped", 2026, 1, 1],
        ["H2", "ped", 2026, 1, 1],
        ["H1", "psy", 2026, 1, 1],
    ]
    summary = placements(plan)
    summary["stages"] = [summary_stage("unplaced", 1), summary_stage("travel", 140)]
    summary["objectives"].update(unplaced=1, travel=140)
    summary.update(placed=3, trainees_fully_placed=2, places_total=3)
    assert check_st(scenario, tmp_path, plan) == []


def propose_plan() -> Plan:
    """Example 2 proposing places: 4 places in all; T2 and T3 at H1, T1 ped at H2. No max_places, so
    each load is of the decided places: H1 ped 2 of 1 = 200 %, H2 ped 1 of 2 = 50 %, H1 psy 1 of 1
    = 100 %: peak_load 200 + 100 = 300."""
    plan = placements_plan()
    plan["placements.csv"] = [
        ["T1", "ped", "H2", "2026-03", "2026-04", 50],
        ["T1", "psy", "H1", "2026-05", "2026-06", 10],
        ["T2", "ped", "H1", "2026-01", "2026-03", 10],
        ["T3", "ped", "H1", "2026-01", "2026-02", 10],
    ]
    plan["places_table.csv"] = [
        ["H1", "ped", 2026, 2, 2],
        ["H2", "ped", 2026, 1, 1],
        ["H1", "psy", 2026, 1, 1],
    ]
    plan["places_proposal.csv"] = [
        ["H1", "ped", 2026, 2, 1, "", 200],  # row 2
        ["H2", "ped", 2026, 1, 2, "", 50],  # row 3
        ["H1", "psy", 2026, 1, 1, "", 100],  # row 4
    ]
    summary = placements(plan)
    summary["mode"] = "propose_places"
    summary["stages"] = [
        summary_stage("unplaced", 0),
        summary_stage("places", 4),
        summary_stage("peak_load", 300),
        summary_stage("travel", 170),
    ]
    summary["objectives"]["travel"] = 170
    return plan


def test_propose_places_plan_passes(example2: Scenario, tmp_path: Path) -> None:
    assert check_st(example2, tmp_path, propose_plan()) == []


def with_max_places(scenario: Scenario, *maxima: int | None) -> Scenario:
    """The scenario with st_capacity.csv's max_places set row by row."""
    rows = tuple(
        row.model_copy(update={"max_places": most})
        for row, most in zip(scenario.st_capacity, maxima, strict=True)
    )
    return with_rows(scenario, st_capacity=rows)


def test_a_proposal_within_max_places_passes(example2: Scenario, tmp_path: Path) -> None:
    # max_places 4, 2, 1: the loads are of the maxima, H1 ped 2 of 4 = 50 %, H2 ped 1 of 2 = 50 %,
    # H1 psy 1 of 1 = 100 %: peak_load 50 + 100 = 150.
    plan = propose_plan()
    plan["places_proposal.csv"] = [
        ["H1", "ped", 2026, 2, 1, 4, 50],
        ["H2", "ped", 2026, 1, 2, 2, 50],
        ["H1", "psy", 2026, 1, 1, 1, 100],
    ]
    placements(plan)["stages"][2] = summary_stage("peak_load", 150)
    assert check_st(with_max_places(example2, 4, 2, 1), tmp_path, plan) == []


def test_a_proposal_above_max_places_is_reported(example2: Scenario, tmp_path: Path) -> None:
    # H1 can take 1 ped placement in 2026 (max_places 1), but the plan proposes and starts 2 there.
    plan = propose_plan()
    plan["places_proposal.csv"][0] = ["H1", "ped", 2026, 2, 1, 1, 200]
    violations = check_st(with_max_places(example2, 1, None, None), tmp_path, plan)
    assert violations == [
        "places_proposal.csv row 2: proposed 2 places, above the max_places 1 st_capacity.csv gives "
        "H1, ped, 2026"
    ]


def test_a_tampered_proposal_is_reported(example2: Scenario, tmp_path: Path) -> None:
    # Row 3 claims 2 proposed places for H2 (places_table.csv has 1), decided 3 (st_capacity.csv: 2),
    # a maximum st_capacity.csv does not give, and a load that is not 2 of 2 = 100 %.
    plan = propose_plan()
    plan["places_proposal.csv"][1] = ["H2", "ped", 2026, 2, 3, 5, 60]
    assert check_st(example2, tmp_path, plan) == [
        "places_proposal.csv row 3: proposed 2, but places_table.csv row 3 gives 1 places",
        "places_proposal.csv row 3: decided 3, but st_capacity.csv gives H2, ped, 2026 2 places",
        "places_proposal.csv row 3: max_places 5, but st_capacity.csv gives H2, ped, 2026 none",
        "places_proposal.csv row 3: load_percent 60, but 2 proposed places are 100 % of the department's "
        "reference, rounded up",
    ]


def test_the_proposal_belongs_to_a_proposal(example2: Scenario, tmp_path: Path) -> None:
    # Proposing without places_proposal.csv, or holding to the places with one, are both wrong.
    plan = propose_plan()
    del plan["places_proposal.csv"]
    assert check_st(example2, tmp_path, plan) == [
        f"places_proposal.csv: missing from the plan folder {tmp_path / 'plan'}"
    ]
    plan = placements_plan()
    plan["places_proposal.csv"] = propose_plan()["places_proposal.csv"]
    assert check_st(example2, tmp_path / "held", plan) == [
        "places_proposal.csv: the plan holds to st_capacity.csv's places (mode places); the file is "
        "written only with --propose-places"
    ]


# -- files ---------------------------------------------------------------------------------------


def test_placements_missing_file_is_reported_alone(example2: Scenario, tmp_path: Path) -> None:
    plan = placements_plan()
    del plan["places_table.csv"]
    assert check_st(example2, tmp_path, plan) == [
        f"places_table.csv: missing from the plan folder {tmp_path / 'plan'}"
    ]


def test_placements_wrong_header_is_reported_alone(example2: Scenario, tmp_path: Path) -> None:
    folder = write_plan(tmp_path / "plan", placements_plan())
    (folder / "unplaced.csv").write_text("trainee,specialty\n", encoding="utf-8")
    assert check_placements_plan(example2, folder) == [
        "unplaced.csv row 1: header is 'trainee,specialty', expected 'trainee,specialty,reason'"
    ]


def test_bad_month_cell_is_reported(example2: Scenario, tmp_path: Path) -> None:
    plan = placements_plan()
    plan["placements.csv"][0][3] = "2026-13"
    violations = check_st(example2, tmp_path, plan)
    one_violation(violations, "placements.csv row 2: start '2026-13' is not a month written YYYY-MM")


def test_scenarios_without_training_have_nothing_to_check(tmp_path: Path) -> None:
    scenario = Scenario(name="volumes only", start="2026-01", months=2)
    assert check_at_plan(scenario, tmp_path) == []
    assert check_placements_plan(scenario, tmp_path) == []


# -- requirements --------------------------------------------------------------------------------


def test_unknown_trainee_and_requirement_are_reported(example2: Scenario, tmp_path: Path) -> None:
    plan = placements_plan()
    plan["placements.csv"].append(["T9", "ped", "H1", "2026-05", "2026-06", 10])  # row 6
    plan["unplaced.csv"] = [["T2", "ort", "No place."], ["T3", "ped", ""]]  # rows 2, 3
    violations = check_st(example2, tmp_path, plan)
    one_violation(violations, "placements.csv row 6: trainee 'T9' is not a trainee in st_trainees.csv")
    one_violation(violations, "unplaced.csv row 2: T2 has no requirement in 'ort' in st_requirements.csv")
    one_violation(violations, "unplaced.csv row 3: the reason is empty")
    one_violation(violations, "unplaced.csv row 3: repeats the requirement T3, ped of placements.csv row 5")


def test_requirement_placed_twice_or_not_at_all(example2: Scenario, tmp_path: Path) -> None:
    plan = placements_plan()
    del plan["placements.csv"][1]  # T1 psy gone
    plan["placements.csv"].append(["T2", "ped", "H1", "2026-01", "2026-03", 10])  # row 5 repeats row 3
    violations = check_st(example2, tmp_path, plan)
    one_violation(violations, "placements.csv row 5: repeats the requirement T2, ped of placements.csv row 3")
    one_violation(
        violations,
        "placements.csv and unplaced.csv: no row for the requirement T1, psy (2 months); each requirement is "
        "placed or listed as unplaced",
    )


# -- a stay's months -----------------------------------------------------------------------------


def test_wrong_end_is_reported(example2: Scenario, tmp_path: Path) -> None:
    plan = placements_plan()
    plan["placements.csv"][2][4] = "2026-02"
    assert check_st(example2, tmp_path, plan) == [
        "placements.csv row 4: end 2026-02, but T2's 3-month stay in ped starting 2026-01 ends 2026-03"
    ]


def test_stay_after_the_deadline_is_reported(example2: Scenario, tmp_path: Path) -> None:
    plan = placements_plan()
    plan["placements.csv"][2][3:5] = ["2026-02", "2026-04"]  # T2's deadline is 2026-04: fine
    assert check_st(example2, tmp_path, plan) == []
    plan["placements.csv"][2][3:5] = ["2026-03", "2026-05"]
    assert check_st(example2, tmp_path, plan) == [
        "placements.csv row 4: T2's stay in ped (2026-03..2026-05) ends after the trainee's deadline 2026-04"
    ]


def test_stay_before_earliest_start_is_reported(example2: Scenario, tmp_path: Path) -> None:
    trainees = list(example2.st_trainees)
    trainees[2] = trainees[2].model_copy(update={"earliest_start": "2026-02"})
    violations = check_st(with_rows(example2, st_trainees=tuple(trainees)), tmp_path, placements_plan())
    assert violations == [
        "placements.csv row 5: T3's stay in ped (2026-01..2026-02) starts before the trainee's "
        "earliest_start 2026-02"
    ]


def test_stay_outside_the_placement_horizon_is_reported(example2: Scenario, tmp_path: Path) -> None:
    # [placements] months = 5: T1 psy in 2026-05..2026-06 runs past 2026-05.
    violations = check_st(example2.model_copy(update={"placement_months": 5}), tmp_path, placements_plan())
    one_violation(
        violations,
        "placements.csv row 3: T1's stay in psy (2026-05..2026-06) reaches outside the placement horizon "
        "2026-01..2026-05",
    )
    one_violation(
        violations,
        "summary.json placements.months: '2026-01..2026-06', but the placement horizon is 2026-01..2026-05",
    )


def test_unavailable_month_is_reported(example2: Scenario, tmp_path: Path) -> None:
    trainees = list(example2.st_trainees)
    trainees[0] = trainees[0].model_copy(update={"unavailable": ("2026-02", "2026-04", "2027-01")})
    violations = check_st(with_rows(example2, st_trainees=tuple(trainees)), tmp_path, placements_plan())
    assert violations == [
        "placements.csv row 2: T1's stay in ped (2026-03..2026-04) includes 2026-04, when st_trainees.csv "
        "has the trainee unavailable"
    ]


def test_overlapping_stays_are_reported(example2: Scenario, tmp_path: Path) -> None:
    plan = placements_plan()
    plan["placements.csv"][1][3:5] = ["2026-04", "2026-05"]  # T1 psy overlaps T1 ped (2026-03..04)
    assert check_st(example2, tmp_path, plan) == [
        "placements.csv rows 2, 3: T1's stay in ped (2026-03..2026-04) and psy (2026-04..2026-05) overlap in "
        "2026-04; a trainee does one side-service at a time"
    ]


# -- travel --------------------------------------------------------------------------------------


def test_wrong_travel_minutes_are_reported(example2: Scenario, tmp_path: Path) -> None:
    plan = placements_plan()
    plan["placements.csv"][3][5] = 40
    assert check_st(example2, tmp_path, plan) == [
        "placements.csv row 5: travel_minutes 40, but travel.csv gives 50 minutes from X to H2"
    ]


def test_hospital_not_offered_to_the_home_area_is_reported(example2: Scenario, tmp_path: Path) -> None:
    violations = check_st(with_rows(example2, travel=example2.travel[:1]), tmp_path, placements_plan())
    for row in (2, 5):
        one_violation(
            violations,
            f"placements.csv row {row}: T",
            "home area X has no travel.csv row to H2, so that hospital is not offered to the trainee",
        )


# -- places and concurrent limits ----------------------------------------------------------------


def test_start_without_a_capacity_row_is_reported(example2: Scenario, tmp_path: Path) -> None:
    violations = check_st(
        with_rows(example2, st_capacity=example2.st_capacity[:2]), tmp_path, placements_plan()
    )
    one_violation(
        violations,
        "placements.csv row 3: st_capacity.csv has no row for H1, psy, 2026, so no stay in psy may start "
        "at H1 in 2026",
    )
    one_violation(violations, "places_table.csv row 4: no row is expected for H1, psy, 2026")


def test_starts_above_places_are_reported(example2: Scenario, tmp_path: Path) -> None:
    capacity = list(example2.st_capacity)
    capacity[1] = capacity[1].model_copy(update={"places": 1})
    violations = check_st(with_rows(example2, st_capacity=tuple(capacity)), tmp_path, placements_plan())
    assert violations == [
        "placements.csv rows 2, 5: 2 stays in ped start at H2 in 2026, above the 1 places st_capacity.csv "
        "gives",
        "places_table.csv row 3: places 2, but st_capacity.csv gives H2 1 places in ped in 2026",
    ]


def test_proposed_places_below_the_starts_are_reported(example2: Scenario, tmp_path: Path) -> None:
    plan = propose_plan()
    plan["places_table.csv"][0] = ["H1", "ped", 2026, 2, 1]  # H1 proposes 1 place for 2 starts
    violations = check_st(example2, tmp_path, plan)
    one_violation(
        violations,
        "placements.csv rows 4, 5: 2 stays in ped start at H1 in 2026, above the 1 places proposed on "
        "places_table.csv row 2",
    )


def test_concurrent_max_is_reported(example2: Scenario, tmp_path: Path) -> None:
    plan = placements_plan()
    plan["placements.csv"][3][3:5] = ["2026-03", "2026-04"]  # T3 at H2 at the same time as T1
    assert check_st(example2, tmp_path, plan) == [
        "placements.csv rows 2, 5: 2 trainees present in ped at H2 in 2026-03..2026-04, above the "
        "concurrent_max 1 st_capacity.csv gives for 2026"
    ]


def test_a_month_takes_the_concurrent_max_of_its_own_year(tmp_path: Path) -> None:
    # Two trainees at H1 in 2026-12..2027-01: 2026's row allows 1 at a time, 2027 has no row (no limit).
    scenario = Scenario(
        name="years",
        start="2026-11",
        months=4,
        objective=ObjectiveOrder(placements=("unplaced",)),
        hospitals=HOSPITALS,
        st_trainees=tuple(
            Trainee(trainee=t, home_area="X", earliest_start="2026-11", deadline="2027-02")
            for t in ("A", "B")
        ),
        st_requirements=tuple(Requirement(trainee=t, specialty="ped", months=2) for t in ("A", "B")),
        st_capacity=(CapacityRow(hospital="H1", specialty="ped", year=2026, places=2, concurrent_max=1),),
        travel=(TravelRow(home_area="X", hospital="H1", minutes=10),),
    )
    plan: Plan = {
        "placements.csv": [
            ["A", "ped", "H1", "2026-12", "2027-01", 10],
            ["B", "ped", "H1", "2026-12", "2027-01", 10],
        ],
        "unplaced.csv": [],
        "places_table.csv": [["H1", "ped", 2026, 2, 2]],
        SUMMARY: {
            "placements": {
                "stages": [summary_stage("unplaced", 0)],
                "objectives": {"unplaced": 0, "travel": 40, "stability": 0},
                "mode": "places",
                "months": "2026-11..2027-02",
                "requirements": 2,
                "placed": 2,
                "trainees": 2,
                "trainees_fully_placed": 2,
                "places_total": 2,
                "previous_plan": None,
            }
        },
    }
    assert check_st(scenario, tmp_path, plan) == [
        "placements.csv rows 2, 3: 2 trainees present in ped at H1 in 2026-12, above the concurrent_max 1 "
        "st_capacity.csv gives for 2026"
    ]
    capacity = (
        *scenario.st_capacity,
        CapacityRow(hospital="H1", specialty="ped", year=2027, places=0, concurrent_max=1),
    )
    plan["places_table.csv"].append(["H1", "ped", 2027, 0, 0])
    violations = check_st(scenario.model_copy(update={"st_capacity": capacity}), tmp_path, plan)
    assert violations == [
        "placements.csv rows 2, 3: 2 trainees present in ped at H1 in 2026-12, above the concurrent_max 1 "
        "st_capacity.csv gives for 2026",
        "placements.csv rows 2, 3: 2 trainees present in ped at H1 in 2027-01, above the concurrent_max 1 "
        "st_capacity.csv gives for 2027",
    ]


# -- fixed placements ----------------------------------------------------------------------------


def test_fixed_placement_moved_or_unplaced_is_reported(example2: Scenario, tmp_path: Path) -> None:
    scenario = with_rows(
        example2, st_fixed=(FixedPlacement(trainee="T1", specialty="ped", hospital="H1", start="2026-03"),)
    )
    assert check_st(scenario, tmp_path, placements_plan()) == [
        "placements.csv row 2: T1, ped is placed at H2 from 2026-03, but st_fixed.csv fixes it at H1 from "
        "2026-03; an agreed placement stays"
    ]
    plan = placements_plan()
    del plan["placements.csv"][0]
    plan["unplaced.csv"] = [["T1", "ped", "No place."]]
    violations = check_st(scenario, tmp_path, plan)
    one_violation(
        violations,
        "unplaced.csv row 2: the requirement T1, ped is not placed, but st_fixed.csv fixes it at H1 from "
        "2026-03",
    )


# -- places table and summary --------------------------------------------------------------------


def test_places_table_rows_and_used_are_checked(example2: Scenario, tmp_path: Path) -> None:
    plan = placements_plan()
    plan["places_table.csv"][1] = ["H2", "ped", 2026, 1, 2]
    del plan["places_table.csv"][2]
    violations = check_st(example2, tmp_path, plan)
    one_violation(
        violations, "places_table.csv row 3: used 1, but placements.csv starts 2 stays in ped at H2 in 2026"
    )
    one_violation(
        violations, "places_table.csv: no row for H1, psy, 2026; one row per row of st_capacity.csv"
    )


def test_summary_counts_are_checked(example2: Scenario, tmp_path: Path) -> None:
    plan = placements_plan()
    placements(plan).update(requirements=3, placed=3, trainees=4, trainees_fully_placed=2, places_total=5)
    assert check_st(example2, tmp_path, plan) == [
        "summary.json placements.requirements: 3, but st_requirements.csv has 4",
        "summary.json placements.placed: 3, but placements.csv has 4",
        "summary.json placements.trainees: 4, but st_trainees.csv has 3",
        "summary.json placements.trainees_fully_placed: 2, but the trainees with every requirement placed "
        "are 3",
        "summary.json placements.places_total: 5, but the places column of places_table.csv sums to 4",
    ]


def test_summary_mode_must_be_known(example2: Scenario, tmp_path: Path) -> None:
    plan = placements_plan()
    placements(plan)["mode"] = "propose"
    assert check_st(example2, tmp_path, plan) == [
        "summary.json placements.mode: 'propose' is not one of places, propose_places"
    ]


def test_travel_objective_is_recomputed(example2: Scenario, tmp_path: Path) -> None:
    plan = placements_plan()
    placements(plan)["objectives"]["travel"] = 125  # one way per month: 100 + 20 + 30 + 100 = 250
    violations = check_st(example2, tmp_path, plan)
    assert violations == [
        "summary.json placements.objectives.travel: 125, but the plan's travel recomputed from its files "
        "is 250"
    ]


def test_stability_is_recomputed_against_the_previous_plan(example2: Scenario, tmp_path: Path) -> None:
    # The previous plan had T3 ped at H2 from 2026-05 and no row for T2 ped: two requirements differ.
    previous = placements_plan()
    previous["placements.csv"] = [
        ["T1", "ped", "H2", "2026-03", "2026-04", 50],
        ["T1", "psy", "H1", "2026-05", "2026-06", 10],
        ["T3", "ped", "H2", "2026-05", "2026-06", 50],
    ]
    write_plan(tmp_path / "previous", previous)
    plan = placements_plan()
    placements(plan)["previous_plan"] = "../previous"  # relative: found from the plan folder
    assert check_st(example2, tmp_path, plan) == [
        "summary.json placements.objectives.stability: 0, but the plan's stability recomputed from its "
        "files is 2"
    ]
    placements(plan)["objectives"]["stability"] = 2
    assert check_st(example2, tmp_path, plan) == []


def test_missing_previous_plan_is_reported(example2: Scenario, tmp_path: Path) -> None:
    plan = placements_plan()
    placements(plan)["previous_plan"] = str(tmp_path / "nowhere")
    assert check_st(example2, tmp_path, plan) == [
        f"summary.json placements.previous_plan: folder {str(tmp_path / 'nowhere')!r} not found; the "
        "stability term cannot be recomputed"
    ]


def test_propose_stages_follow_their_own_order(example2: Scenario, tmp_path: Path) -> None:
    plan = propose_plan()
    placements(plan)["stages"] = [summary_stage("unplaced", 0), summary_stage("travel", 170)]
    violations = check_st(example2, tmp_path, plan)
    order = "['unplaced', 'places', 'peak_load', 'travel']"
    assert violations == [
        "summary.json placements.stages: no stage for 'places' of the placement order of mode "
        f"propose_places {order}",
        "summary.json placements.stages: no stage for 'peak_load' of the placement order of mode "
        f"propose_places {order}",
    ]


def test_peak_load_is_recomputed_from_the_places_table(example2: Scenario, tmp_path: Path) -> None:
    # The proposed ped places are 2 at H1 (of 1 decided: 200 %) and 1 at H2 (of 2: 50 %); the peak
    # is 200 (+ 100 for psy), not 200 in all.
    plan = propose_plan()
    placements(plan)["stages"][2] = summary_stage("peak_load", 200)
    violations = check_st(example2, tmp_path, plan)
    assert violations == [
        "summary.json placements.stages[2] (peak_load): the final plan's peak_load is 300, above the "
        "value 200 this stage reached; later stages hold it at or below that"
    ]
