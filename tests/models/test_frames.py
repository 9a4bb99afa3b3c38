"""Each hospital's frame (hospitals.csv's frame_sek, spec 1.1 section 7): read, evaluated, modelled,
checked, named in conflicts and explanations, and shown in the outputs.

Example 1 of the spec (tests/data/example1): hospitals A and B, category k, 2026-01..2026-02. A
waits 10 with inflow 2 a month, so L = floor(3*4/2) = 6; A's base splits 3 + 2. Nothing beyond
base leaves w1 = 10 + 2 - 3 = 9 and w2 = 9 + 2 - 2 = 9: over_guarantee 3 + 3 = 6. B's additional
units (1 in 2026-01, 2 in 2026-02) cost 150 SEK; contract c1 (provider X) 120 SEK a unit,
volume_min 2, volume_max 3, monthly_max 2. A unit more in 2026-01 shortens both months' lists, so
it saves 2 patient-months; one in 2026-02 saves 1.

A's spend is what the plan pays for A's patients beyond base: B's units at B's price and c1's
units. c1's take-or-pay minimum (2 × 120 = 240 SEK) is paid whether used or not, and is in no
hospital's spend.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from helpers import EXAMPLE1, assert_located, only_problem, write
from helpers.columns import CP_SAT
from helpers.plans import Xlsx, check, one_violation, optimal_plan, volumes
from leveransplan.cli import app
from leveransplan.inputs import load_scenario
from leveransplan.inputs.cells import expected_whole
from leveransplan.inputs.whatif import parse_what_ifs
from leveransplan.models.derived import VolumeData
from leveransplan.models.evaluation import Decisions, TermValues, frames_kept
from leveransplan.models.explanation import explain_over_guarantee
from leveransplan.models.scenario import Scenario
from leveransplan.optimizer.volumes.conflicts import volume_conflicts
from leveransplan.optimizer.volumes.model import VolumeModel
from leveransplan.outputs.report.page import render_report

HOSPITALS = "hospital,name,frame_sek"
runner = CliRunner()

# A's base in both months, and the two ways A's patients leave in 2026-01 in the optimum of
# example 1: 1 to B (150 SEK) and 2 to c1 (2 × 120 SEK). A's spend: 150 + 240 = 390.
BASE = {("A", "k", 1): 3, ("A", "k", 2): 2}
OPTIMUM = Decisions(base_used=BASE, transfers={("A", "B", "k", 1): 1}, referrals={("A", "c1", 1): 2})
FROZEN_RULE = "A's decisions of 2026-01..2026-01, frozen from the previous plan (--freeze-until)"


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return load_scenario(EXAMPLE1)


def with_frames(scenario: Scenario, **frames: int) -> Scenario:
    """The scenario with frame_sek set for the hospitals named, and no frame for the others."""
    hospitals = tuple(h.model_copy(update={"frame_sek": frames.get(h.hospital)}) for h in scenario.hospitals)
    return scenario.model_copy(update={"hospitals": hospitals})


def framed(scenario: Scenario, **frames: int) -> VolumeData:
    return VolumeData.from_scenario(with_frames(scenario, **frames))


# -- reading hospitals.csv --------------------------------------------------------------------


def test_frames_are_read_with_spaces_and_an_empty_cell_means_none(example1: Path) -> None:
    write(example1, "hospitals.csv", HOSPITALS, 'A,Hospital A,"4 400 209 000"', "B,Hospital B,")
    loaded = load_scenario(example1)
    assert [h.frame_sek for h in loaded.hospitals] == [4_400_209_000, None]
    assert VolumeData.from_scenario(loaded).frames == {"A": 4_400_209_000}


def test_frames_in_a_semicolon_file(example1: Path) -> None:
    # A Swedish Excel's file: `;` between cells, a no-break space between thousands.
    write(example1, "hospitals.csv", "hospital;name;frame_sek", "A;Hospital A;0", "B;Hospital B;1\u00a0000")
    assert VolumeData.from_scenario(load_scenario(example1)).frames == {"A": 0, "B": 1000}


def test_a_scenario_without_the_column_has_no_frames(scenario: Scenario) -> None:
    assert [h.frame_sek for h in scenario.hospitals] == [None, None]
    assert VolumeData.from_scenario(scenario).frames == {}


@pytest.mark.parametrize("value", ["-5", "12.5", "ett", "10000000000000"])
def test_a_bad_frame_is_located(example1: Path, value: str) -> None:
    write(example1, "hospitals.csv", HOSPITALS, "A,Hospital A,", f'B,Hospital B,"{value}"')
    problem = only_problem(example1)
    assert_located(problem, "hospitals.csv", 3, "frame_sek", value, expected_whole())


def test_a_decimal_comma_is_no_whole_number(example1: Path) -> None:
    write(example1, "hospitals.csv", "hospital;name;frame_sek", "A;Hospital A;1,5", "B;Hospital B;")
    assert_located(only_problem(example1), "hospitals.csv", 2, "frame_sek", "1,5", expected_whole())


def test_a_what_if_sets_a_frame() -> None:
    changed = load_scenario(EXAMPLE1, parse_what_ifs(sets=["hospitals.B.frame_sek=250"]))
    assert VolumeData.from_scenario(changed).frames == {"B": 250}


# -- what a plan spends on a hospital's patients ------------------------------------------------


def test_spend_counts_own_units_transfers_and_referrals_but_no_unused_minimum(scenario: Scenario) -> None:
    # A makes 1 additional unit itself in 2026-02 (at A's price 100; a plan of the evaluation,
    # not of the rules: A offers none), sends 1 to B (at B's price 150) and 1 to c1 (120).
    # A's spend: 100 + 150 + 120 = 370; B's: 0. The cost adds c1's unused minimum, 1 × 120:
    # 370 + 120 = 490.
    decisions = Decisions(
        base_used=BASE,
        additional_own={("A", "k", 2): 1},
        transfers={("A", "B", "k", 1): 1},
        referrals={("A", "c1", 1): 1},
    )
    values = TermValues(VolumeData.from_scenario(scenario), decisions)
    assert values.spend("A") == 370
    assert values.spend("A", ["k"]) == 370
    assert values.spend("B") == 0
    assert values.spend_by_hospital_category == {("A", "k"): 370}
    assert values.term("cost") == 490


def test_spend_of_categories_not_evaluated_is_refused(scenario: Scenario) -> None:
    values = TermValues(VolumeData.from_scenario(scenario), OPTIMUM, categories=[])
    with pytest.raises(ValueError, match="spend asked of categories not evaluated"):
        values.spend("A")


def test_frames_kept_up_to_the_last_sek(scenario: Scenario) -> None:
    # The optimum spends 390 on A's patients.
    assert frames_kept(framed(scenario, A=390), TermValues(framed(scenario, A=390), OPTIMUM))
    assert not frames_kept(framed(scenario, A=389), TermValues(framed(scenario, A=389), OPTIMUM))
    assert frames_kept(framed(scenario, B=0), TermValues(framed(scenario, B=0), OPTIMUM))


# -- the CP-SAT model -----------------------------------------------------------------------------


def over_guarantee_under(data: VolumeData, frames: dict[str, int], budget: int | None = None) -> int:
    model = VolumeModel(data, ["k"])
    model.add_frames(frames)
    if budget is not None:
        model.add_budget(budget)
    outcome = model.solve(model.term("over_guarantee"), CP_SAT)
    assert outcome.status == "OPTIMAL" and outcome.decisions is not None
    values = TermValues(data, outcome.decisions)
    assert all(values.spend(h) <= cap for h, cap in frames.items())
    return outcome.bound


def test_a_frame_limits_what_a_hospitals_patients_get(scenario: Scenario) -> None:
    data = VolumeData.from_scenario(scenario)
    # 120 SEK buy one unit (c1's; B's costs 150), in 2026-01: w1 = w2 = 8, over 2 + 2 = 4.
    assert over_guarantee_under(data, {"A": 120}) == 4
    # 300 SEK buy two units in 2026-01 (c1's two, 240), not a third (120 more): w1 = w2 = 7, over 2.
    assert over_guarantee_under(data, {"A": 300}) == 2
    # 390 SEK buy the optimum of example 1 (1 to B, 2 to c1 in 2026-01): over 0.
    assert over_guarantee_under(data, {"A": 390}) == 0
    # A frame on B, whose patients need nothing, leaves A's optimum alone.
    assert over_guarantee_under(data, {"B": 0}) == 0


def test_a_frame_of_0_is_not_a_budget_of_the_minimums(scenario: Scenario) -> None:
    data = VolumeData.from_scenario(scenario)
    # A budget of 240 SEK is c1's minimum, paid anyway: the two units it pays for may be used in
    # 2026-01 (w1 = w2 = 7, over 2). A frame of 0 allows A's patients nothing beyond base, the
    # minimum's units included: over 6, as with nothing extra.
    assert over_guarantee_under(data, {}, budget=240) == 2
    assert over_guarantee_under(data, {"A": 0}) == 6


def test_the_spend_expression_is_what_the_plan_spends(scenario: Scenario) -> None:
    # With over_guarantee held at 2, two units leave in 2026-01: the cheapest are c1's, 240 SEK.
    model = VolumeModel(VolumeData.from_scenario(scenario), ["k"])
    model.hold("over_guarantee", 2)
    outcome = model.solve(model.objectives.spend("A"), CP_SAT)
    assert (outcome.status, outcome.bound) == ("OPTIMAL", 240)
    assert outcome.decisions is not None and outcome.decisions.referrals == {("A", "c1", 1): 2}


def test_a_cap_below_0_leaves_no_plan(scenario: Scenario) -> None:
    # The driver passes the frame less what categories outside the model spend: below 0 when
    # they spend more than the frame, and then no plan of this model keeps it.
    model = VolumeModel(VolumeData.from_scenario(scenario), ["k"])
    model.add_frames({"B": -1})
    assert model.solve(model.term("over_guarantee"), CP_SAT).status == "INFEASIBLE"


# -- rules that cannot hold together ----------------------------------------------------------------


def test_a_frame_below_decisions_that_stay_is_named(scenario: Scenario) -> None:
    # A re-plan that keeps 2026-01's decisions of the optimum (A spends 390 in that month alone)
    # cannot keep a frame of 389 for A; a frame of 390 holds.
    conflict = volume_conflicts(framed(scenario, A=389), None, OPTIMUM, frozen_until=1).conflict
    assert conflict is not None and conflict.proven_minimal
    assert sorted(conflict.rules) == [
        FROZEN_RULE,
        "A's frame of 389 SEK (its additional units, its patients' transfers and referrals)",
    ]
    assert volume_conflicts(framed(scenario, A=390), None, OPTIMUM, frozen_until=1).status == "FEASIBLE"


def test_frames_and_the_budget_are_named_together(scenario: Scenario) -> None:
    # A budget of 400 holds the frozen 390 (c1's minimum is used); with B's frame of 0 too, still
    # nothing breaks (B's patients need nothing). A's frame of 300 is what cannot hold.
    search = volume_conflicts(framed(scenario, A=300, B=0), 400, OPTIMUM, frozen_until=1)
    assert search.conflict is not None
    assert sorted(search.conflict.rules) == [
        FROZEN_RULE,
        "A's frame of 300 SEK (its additional units, its patients' transfers and referrals)",
    ]


# -- the explanation ----------------------------------------------------------------------------


def one_unit_to_c1() -> Decisions:
    # A sends 1 patient to c1 in 2026-01: w1 = 10 + 2 - 3 - 1 = 8, w2 = 8 + 2 - 2 = 8, so 2 + 2 = 4
    # patient-months beyond L = 6. A spends 120; B's units (150) and c1 (120, one of its monthly
    # 2 used in 2026-01) still have room: the cheapest way left is 120 SEK.
    return Decisions(base_used=BASE, referrals={("A", "c1", 1): 1})


@pytest.mark.parametrize(("frame", "left"), [(120, 0), (239, 119)])
def test_a_frame_that_buys_no_more_unit_binds(scenario: Scenario, frame: int, left: int) -> None:
    (reason,) = explain_over_guarantee(framed(scenario, A=frame), one_unit_to_c1())
    assert (reason.hospital, reason.patient_months) == ("A", 4)
    assert (
        f"A's frame binds at {frame} SEK: the plan spends 120 SEK on its patients, and the {left} SEK "
        "left buy no unit of the cheapest way with room left (120 SEK)"
    ) in reason.limits
    assert reason.money_binds


def test_a_frame_with_a_unit_left_does_not_bind(scenario: Scenario) -> None:
    # 240 - 120 = 120 SEK left buy one more of c1's units: the frame is not why it was left unused.
    (reason,) = explain_over_guarantee(framed(scenario, A=240), one_unit_to_c1())
    assert not any("frame" in limit for limit in reason.limits)
    assert not reason.money_binds
    (other,) = explain_over_guarantee(framed(scenario, B=0), one_unit_to_c1())
    assert not any("frame" in limit for limit in other.limits)


# -- the plan's files ----------------------------------------------------------------------------


def test_the_checker_finds_a_frame_broken(scenario: Scenario, tmp_path: Path) -> None:
    # Example 1's optimum spends 150 + 240 = 390 on A's patients: 90 above a frame of 300.
    plan = optimal_plan()
    for entry in volumes(plan)["hospitals"]:
        entry["frame_sek"] = {"A": 300}.get(entry["hospital"])
    violations = check(with_frames(scenario, A=300), tmp_path, plan)
    assert violations == [
        "delivery_plan.csv and production_plan.csv: the plan spends 390 SEK on A's patients (its "
        "additional units, its patients' transfers and referrals), 90 SEK above its frame_sek 300 SEK in "
        "hospitals.csv"
    ]
    for entry in volumes(plan)["hospitals"]:
        entry["frame_sek"] = {"A": 390}.get(entry["hospital"])
    assert check(with_frames(scenario, A=390), tmp_path / "kept", plan) == []


def test_the_checker_compares_summary_frames_with_hospitals_csv(scenario: Scenario, tmp_path: Path) -> None:
    plan = optimal_plan()  # written without frame_sek, as before frames: fine without frames
    assert check(scenario, tmp_path / "none", plan) == []
    violations = check(with_frames(scenario, A=1000), tmp_path / "missing", plan)
    one_violation(violations, "summary.json volumes.hospitals (A): no frame_sek", "frame of 1 000 SEK")
    assert len(violations) == 1
    a, b = volumes(plan)["hospitals"]
    a["frame_sek"], b["frame_sek"] = 900, 5
    violations = check(with_frames(scenario, A=1000), tmp_path / "wrong", plan)
    assert sorted(violations) == [
        "summary.json volumes.hospitals (A).frame_sek: 900, but hospitals.csv gives 1 000 SEK",
        "summary.json volumes.hospitals (B).frame_sek: 5, but hospitals.csv gives no frame (null)",
    ]
    b["frame_sek"] = "5"
    violations = check(with_frames(scenario, A=900), tmp_path / "text", plan)
    said = "summary.json volumes.hospitals[1].frame_sek: '5' is neither null nor a whole number"
    assert violations == [said]


@pytest.fixture(scope="module")
def framed_plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Example 1 solved with a frame of 1 000 SEK on A (not binding: the optimum spends 390), --excel."""
    folder = tmp_path_factory.mktemp("framed")
    scenario = folder / "example1"
    shutil.copytree(EXAMPLE1, scenario)
    write(scenario, "hospitals.csv", HOSPITALS, "A,Hospital A,1000", "B,Hospital B,")
    plan = folder / "plan"
    result = runner.invoke(app, ["solve", str(scenario), "--out", str(plan), "--quiet", "--excel"])
    assert result.exit_code == 0, result.output
    checked = runner.invoke(app, ["check", str(scenario), str(plan)])
    assert checked.exit_code == 0, checked.output
    return plan


def test_summary_json_states_each_frame(framed_plan: Path) -> None:
    summary = json.loads((framed_plan / "summary.json").read_text(encoding="utf-8"))
    figures = {h["hospital"]: (h["cost_sek"], h["frame_sek"]) for h in summary["volumes"]["hospitals"]}
    assert figures == {"A": (390, 1000), "B": (0, None)}


def test_the_workbook_shows_what_is_left_of_each_frame(framed_plan: Path) -> None:
    # Row 2 is the header; A's frame 1 000 less its cost 390 leaves 610; B has no frame.
    xlsx = Xlsx(framed_plan / "workbooks" / "region.xlsx")
    header = [xlsx.value("Hospitals", f"{c}2") for c in "HIJ"]
    assert header == ["Cost (SEK)", "Frame (SEK)", "Left of frame (SEK)"]
    assert [xlsx.value("Hospitals", f"{c}3") for c in "HIJ"] == [390, 1000, 610]
    assert xlsx.value("Hospitals", "H4") == 0
    assert "I4" not in xlsx.cells("Hospitals") and "J4" not in xlsx.cells("Hospitals")


def test_the_report_shows_what_is_left_of_each_frame(framed_plan: Path) -> None:
    page = render_report(framed_plan)
    nbsp = "\u00a0"
    assert "<th>frame SEK</th><th>left of frame SEK</th>" in page.replace(' class="num"', "")
    assert f'<td class="num">390</td><td class="num">1{nbsp}000</td><td class="num">610</td>' in page
    assert "caps that cost" in page
