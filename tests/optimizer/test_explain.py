"""`leveransplan explain`: the limits that bind where patients are left beyond the guarantee, and,
when no plan obeys every rule, a small set of rules that conflict.

Example 1 of the spec (tests/data/example1): hospitals A and B, category k, two months from
2026-01. A waits 10 with inflow 4 (2 a month), so the guarantee limit is L = floor(3*4/2) = 6 and
4 patients are beyond it at the start. A's base 5 splits 3 + 2 (A's capacity factor is 0.5 in
2026-02); B offers 3 additional units, split 1 + 2; contract c1 with provider X: volume_min 2,
volume_max 3, monthly_max 2, 120 SEK. B's additional units cost 150 SEK.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from helpers import EXAMPLE1, flat
from helpers.training import example2, placements
from leveransplan.cli import app
from leveransplan.inputs import load_scenario
from leveransplan.models.derived import VolumeData
from leveransplan.models.evaluation import Decisions
from leveransplan.models.explanation import explain_over_guarantee, month_ranges
from leveransplan.models.scenario import CapacityRow
from leveransplan.models.training import PlacementData, PlacementPlan, placement_terms
from leveransplan.optimizer.errors import Infeasible
from leveransplan.optimizer.placements.conflicts import placement_conflicts
from leveransplan.optimizer.placements.model import solve_placements
from leveransplan.optimizer.volumes.conflicts import volume_conflicts

runner = CliRunner()


def write_scenario(folder: Path, **tables: str) -> Path:
    """Example 1 with some tables replaced (name without .csv -> file text)."""
    shutil.copytree(EXAMPLE1, folder)
    for name, text in tables.items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return folder


def test_contract_at_its_maximum_and_the_other_hospital_used_up(tmp_path: Path) -> None:
    # With c1 capped at 1 (and its minimum at 1), the optimum leaves 1 patient-month beyond the
    # guarantee (test_whatif derives it): in 2026-01 A treats 3 with base, sends 1 to B (all of
    # B's 1 unit that month) and 1 to c1 (its whole maximum): 10 + 2 - 5 = 7 > 6. In 2026-02 the
    # list is 7 + 2 - 2 (base) - 1 (B) = 6, at the limit. So the limits binding in 2026-01 are
    # A's base, B's additional capacity and c1's maximum; A offers no additional units at all.
    plan = tmp_path / "plan"
    solved = runner.invoke(
        app,
        [
            "solve",
            str(EXAMPLE1),
            "--out",
            str(plan),
            "--set",
            "contracts.c1.volume_max=1",
            "--set",
            "contracts.c1.volume_min=1",
        ],
    )
    assert solved.exit_code == 0, solved.output
    result = runner.invoke(app, ["explain", str(EXAMPLE1), str(plan), "--json"])
    assert result.exit_code == 0, result.output
    explained = json.loads(result.stdout)
    assert explained == [
        {
            "hospital": "A",
            "category": "k",
            "patient_months": 1,
            "over_start": 4,
            "over_end": 0,
            "months": "2026-01",
            "limits": [
                "base volume (bas) used in full: 3 units in 2026-01",
                "A offers no additional volume (tillägg) in k in 2026-01",
                "other hospitals' additional capacity used up: B in 2026-01",
                "contract c1 (X) at its maximum of 1",
            ],
            "unused": [],
        }
    ]
    printed = runner.invoke(app, ["explain", str(EXAMPLE1), str(plan)])
    assert printed.exit_code == 0
    assert "1 patient-months beyond the care guarantee" in flat(printed.output)
    assert "binds: contract c1 (X) at its maximum of 1" in flat(printed.output)


def test_no_plan_given_solves_first_and_finds_nobody_left(tmp_path: Path) -> None:
    # Unchanged example 1 reaches over_guarantee 0 (spec examples.md), so nothing to explain.
    result = runner.invoke(app, ["explain", str(EXAMPLE1), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == []


def test_most_patient_months_first_and_what_is_not_offered(tmp_path: Path) -> None:
    # No base, no additional volume, no contract. Two months, inflow 4 each, so L = 6 for both.
    # A waits 10: lists 12 and 14 -> 6 + 8 = 14 patient-months. B waits 8: 10 and 12 -> 4 + 6 = 10.
    folder = write_scenario(
        tmp_path / "s",
        need="hospital,category,waiting,inflow\nA,k,10,4\nB,k,8,4\n",
        own_volumes="hospital,category,base,additional_max\n",
        contracts="contract,provider,category,volume_min,volume_max,price_sek\n",
        access="hospital,provider,travel_minutes,allowed\n",
    )
    scenario = load_scenario(folder)
    data = VolumeData.from_scenario(scenario)
    reasons = explain_over_guarantee(data, Decisions())
    assert [(r.hospital, r.patient_months, r.over_start, r.over_end) for r in reasons] == [
        ("A", 14, 4, 8),
        ("B", 10, 2, 6),
    ]
    assert reasons[0].months == "2026-01..2026-02"
    assert reasons[0].limits == [
        "A has no base volume (bas) in k in 2026-01..2026-02",
        "A offers no additional volume (tillägg) in k in 2026-01..2026-02",
        "no additional volume (tillägg) in k offered by B",
        "no contract (köpt vård) in k",
    ]


def test_provider_and_hospital_not_allowed(tmp_path: Path) -> None:
    # access.csv forbids A's patients both X and B: only A's base remains. Lists: 10 + 2 - 3 = 9
    # (3 over) and 9 + 2 - 2 = 9 (3 over): 6 patient-months; c1's minimum is paid unused.
    folder = write_scenario(
        tmp_path / "s",
        access="hospital,provider,travel_minutes,allowed\nA,X,30,false\nA,B,20,false\n",
    )
    plan = tmp_path / "plan"
    assert runner.invoke(app, ["solve", str(folder), "--out", str(plan)]).exit_code == 0
    explained = json.loads(runner.invoke(app, ["explain", str(folder), str(plan), "--json"]).stdout)
    assert explained[0]["patient_months"] == 6
    assert "transfers to B not allowed for A patients (access.csv)" in explained[0]["limits"]
    assert "provider X not allowed for A patients (access.csv)" in explained[0]["limits"]


def test_budget_cap_binds(tmp_path: Path) -> None:
    # Budget 240 SEK = c1's take-or-pay minimum (2 x 120). The 2 units paid for anyway go to c1 in
    # 2026-01 (its monthly maximum): 10 + 2 - 3 - 2 = 7 (1 over). Any further unit costs 120 (c1)
    # or 150 (B), beyond the cap: 2026-02 ends at 7 + 2 - 2 = 7 (1 over). 2 patient-months.
    plan = tmp_path / "plan"
    solved = runner.invoke(app, ["solve", str(EXAMPLE1), "--out", str(plan), "--budget", "240"])
    assert solved.exit_code == 0, solved.output
    explained = json.loads(runner.invoke(app, ["explain", str(EXAMPLE1), str(plan), "--json"]).stdout)
    assert explained[0]["patient_months"] == 2
    assert (
        "the budget cap binds at 240 SEK: the plan costs 240 SEK, and the 0 SEK left buy no unit "
        "of the cheapest way with room left (120 SEK)" in explained[0]["limits"]
    )


def test_budget_below_the_take_or_pay_minimums_is_named(tmp_path: Path) -> None:
    # c1's minimum of 2 at 120 SEK is paid whatever happens: 240 SEK > 100 SEK. Only the budget
    # rule is needed for the conflict.
    scenario = load_scenario(EXAMPLE1)
    conflict = volume_conflicts(VolumeData.from_scenario(scenario), 100).conflict
    assert conflict is not None
    assert conflict.rules == [
        "the budget cap of 100 SEK (the contracts' take-or-pay minimums alone cost 240 SEK)"
    ]
    assert conflict.proven_minimal
    out = tmp_path / "plan"
    result = runner.invoke(app, ["solve", str(EXAMPLE1), "--budget", "100", "--out", str(out)])
    assert result.exit_code == 4
    assert "This rule cannot hold by itself: - the budget cap of 100 SEK" in flat(result.output)
    assert not out.exists()
    explained = runner.invoke(app, ["explain", str(EXAMPLE1)], env={})
    assert explained.exit_code == 0  # without the what-if there is a plan


def test_frozen_decisions_against_a_lowered_contract_maximum(tmp_path: Path) -> None:
    # The base plan refers 2 of A's patients to c1 in 2026-01. Frozen up to 2026-01 with c1's
    # maximum then cut to 0, the two rules cannot both hold (and each is needed: without the cut
    # the base plan itself obeys the freeze; without the freeze the re-plan simply avoids c1).
    base = tmp_path / "base"
    assert runner.invoke(app, ["solve", str(EXAMPLE1), "--out", str(base)]).exit_code == 0
    assert "2026-01,A,k,external,X,c1,2" in (base / "delivery_plan.csv").read_text(encoding="utf-8")
    out = tmp_path / "replan"
    result = runner.invoke(
        app,
        [
            "solve",
            str(EXAMPLE1),
            "--previous",
            str(base),
            "--freeze-until",
            "2026-01",
            "--set",
            "contracts.c1.volume_max=0",
            "--set",
            "contracts.c1.volume_min=0",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 4, result.output
    words = flat(result.output)
    assert "These 2 rules cannot all hold; each one is needed for the conflict" in words
    assert "- contract c1 (X): volume_max 0" in words
    assert "- A's decisions of 2026-01..2026-01, frozen from the previous plan (--freeze-until)" in words
    assert not out.exists()


def test_a_feasible_scenario_has_no_conflict() -> None:
    scenario = load_scenario(EXAMPLE1)
    assert volume_conflicts(VolumeData.from_scenario(scenario), None).status == "FEASIBLE"


def test_month_ranges() -> None:
    data = VolumeData.from_scenario(load_scenario(EXAMPLE1))
    assert month_ranges(data, [2, 1]) == "2026-01..2026-02"
    assert month_ranges(data, [2]) == "2026-02"
    assert month_ranges(data, []) == "no month"


@pytest.mark.parametrize("arguments", [["--top", "0"], []])
def test_explain_a_training_only_plan_is_refused(tmp_path: Path, arguments: list[str]) -> None:
    # A plan folder without delivery_plan.csv has no volume plan to explain (exit 2).
    plan = tmp_path / "plan"
    plan.mkdir()
    (plan / "summary.json").write_text('{"scenario": "Example 1"}', encoding="utf-8")
    result = runner.invoke(app, ["explain", str(EXAMPLE1), str(plan), *arguments])
    assert result.exit_code == 2
    assert "has no volume plan" in flat(result.output)


# --- placements that must stay ------------------------------------------------------------------


# One of example 2's optima (tests/helpers/training.py), as the plan re-planned from: T2 ped at H1
# from 2026-02 (H1's one place, the longest stay), T3 ped at H2 from 2026-01, T1 ped at H2 from
# 2026-03 and psy at H1 from 2026-05. Written out, since the optimum's months are not unique.
EXAMPLE2_PLAN = {
    ("T2", "ped"): ("H1", 2026 * 12 + 1),
    ("T3", "ped"): ("H2", 2026 * 12 + 0),
    ("T1", "ped"): ("H2", 2026 * 12 + 2),
    ("T1", "psy"): ("H1", 2026 * 12 + 4),
}


def _example2_replanned(capacity: tuple[object, ...]) -> PlacementData:
    """Example 2's plan re-planned with 2026-01..2026-02 frozen."""
    before = placements(example2())
    # The plan is an optimum: unplaced and travel as the solve's (0 and 2*10 + 3*10 + 2*50 + 2*50).
    assert placement_terms(PlacementData(example2()), PlacementPlan(EXAMPLE2_PLAN), None) == before.terms
    changed = example2().model_copy(update={"st_capacity": capacity})
    return PlacementData(changed, EXAMPLE2_PLAN, 2026 * 12 + 1)


def test_a_frozen_placement_beyond_the_places_left_is_named() -> None:
    # H1's ped places cut to 0: T2's stay, started in the frozen 2026-02, cannot stay. The two
    # rules together are the conflict; either alone holds.
    data = _example2_replanned(
        (
            CapacityRow(hospital="H1", specialty="ped", year=2026, places=0),
            CapacityRow(hospital="H2", specialty="ped", year=2026, places=2, concurrent_max=1),
            CapacityRow(hospital="H1", specialty="psy", year=2026, places=1),
        )
    )
    with pytest.raises(Infeasible):
        solve_placements(data, 5)
    conflict = placement_conflicts(data).conflict
    assert conflict is not None and conflict.proven_minimal
    assert conflict.rules == [
        "T2's ped at H1 from 2026-02, started in the frozen months of the previous plan (--freeze-until)",
        "st_capacity.csv: H1 ped 2026 has 0 places",
    ]


def test_a_frozen_placement_at_a_department_without_a_row_is_named() -> None:
    # The row for H1 ped 2026 is gone: no places there (never a KeyError).
    data = _example2_replanned(
        (
            CapacityRow(hospital="H2", specialty="ped", year=2026, places=2, concurrent_max=1),
            CapacityRow(hospital="H1", specialty="psy", year=2026, places=1),
        )
    )
    with pytest.raises(Infeasible):
        solve_placements(data, 5)
    conflict = placement_conflicts(data).conflict
    assert conflict is not None
    assert conflict.rules[1] == "st_capacity.csv has no row for H1 ped 2026 (no places)"


def test_placements_that_must_stay_and_fit_have_no_conflict() -> None:
    data = _example2_replanned(
        (
            CapacityRow(hospital="H1", specialty="ped", year=2026, places=1),
            CapacityRow(hospital="H2", specialty="ped", year=2026, places=2, concurrent_max=1),
            CapacityRow(hospital="H1", specialty="psy", year=2026, places=1),
        )
    )
    assert placement_conflicts(data).status == "FEASIBLE"


# --- limits found binding in a review of the explanations -------------------------------------


def test_a_budget_with_frozen_months_is_not_declared_infeasible(tmp_path: Path) -> None:
    # Example 1 frozen up to 2026-01 (the base plan: 1 transfer to B at 150 and 2 to c1 at 120,
    # 390 SEK) with A's waiting list raised to 14 and a cap of 600 SEK: keeping January and
    # buying at most one more c1 unit (120) stays within 600, so a plan exists. (The solver's
    # start once ignored the frozen month and a capped step then called it infeasible.)
    base = tmp_path / "base"
    assert runner.invoke(app, ["solve", str(EXAMPLE1), "--out", str(base)]).exit_code == 0
    out = tmp_path / "replan"
    result = runner.invoke(
        app,
        [
            *("solve", str(EXAMPLE1), "--out", str(out), "--previous", str(base)),
            *("--freeze-until", "2026-01", "--budget", "600", "--set", "need.A/k.waiting=14"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert runner.invoke(app, ["check", str(EXAMPLE1), str(out)]).exit_code == 0


def test_frozen_referrals_beyond_the_patients_name_the_patients(tmp_path: Path) -> None:
    # The base plan's January uses 3 base units, 1 transfer and 2 c1 referrals for A: 6
    # patients. With A's list cut to 0 waiting and 2 new (1 a month), January cannot stay:
    # the conflict is the frozen month against "patients of A in k", not the freeze alone.
    base = tmp_path / "base"
    assert runner.invoke(app, ["solve", str(EXAMPLE1), "--out", str(base)]).exit_code == 0
    result = runner.invoke(
        app,
        [
            *("solve", str(EXAMPLE1), "--out", str(tmp_path / "q"), "--previous", str(base)),
            *("--freeze-until", "2026-01", "--set", "need.A/k.waiting=0", "--set", "need.A/k.inflow=2"),
        ],
    )
    assert result.exit_code == 4
    words = flat(result.output)
    assert "These 2 rules cannot all hold; each one is needed for the conflict" in words
    assert "- patients of A in k: 0 waiting at the start and 2 new over the horizon" in words
    assert "- A's decisions of 2026-01..2026-01, frozen from the previous plan (--freeze-until)" in words


def test_explain_names_frozen_months_as_decided(tmp_path: Path) -> None:
    # A plan made cost first (over_guarantee second) leaves patients beyond the guarantee in
    # 2026-01; re-planned with 2026-01 frozen, January is a fact: explain names it as decided
    # instead of listing its capacity as "left unused".
    cost_first = tmp_path / "cost-first"
    made = runner.invoke(
        app, ["solve", str(EXAMPLE1), "--out", str(cost_first), "--objective", "cost,over_guarantee"]
    )
    assert made.exit_code == 0, made.output
    frozen = tmp_path / "frozen"
    replanned = runner.invoke(
        app,
        [
            *("solve", str(EXAMPLE1), "--out", str(frozen)),
            *("--previous", str(cost_first), "--freeze-until", "2026-01"),
        ],
    )
    assert replanned.exit_code == 0, replanned.output
    explained = json.loads(runner.invoke(app, ["explain", str(EXAMPLE1), str(frozen), "--json"]).stdout)
    assert explained[0]["months"] == "2026-01"
    assert explained[0]["limits"] == [
        "2026-01 decided by the previous plan (--freeze-until): its decisions stay as they were"
    ]
    assert explained[0]["unused"] == []


def test_a_frozen_stay_without_a_route_any_more_is_named() -> None:
    # Example 2 re-planned with 2026-01..2026-02 frozen and travel.csv no longer offering H2 to
    # home area X: T3's stay at H2 from 2026-01 must stay and cannot (never a KeyError).

    changed = example2().model_copy(
        update={"travel": tuple(t for t in example2().travel if t.hospital != "H2")}
    )
    data = PlacementData(changed, EXAMPLE2_PLAN, 2026 * 12 + 1)
    with pytest.raises(Infeasible):
        solve_placements(data, 5)
    conflict = placement_conflicts(data).conflict
    assert conflict is not None
    assert conflict.rules == [
        "T3's ped at H2 from 2026-01, started in the frozen months of the previous plan (--freeze-until)",
        "travel.csv offers H2 no route from home area X",
    ]


def test_a_provider_not_allowed_is_named_once(tmp_path: Path) -> None:
    # Two contracts of provider X in category k, and access.csv forbids A's patients X: one line.
    folder = write_scenario(
        tmp_path / "s",
        contracts="contract,provider,category,volume_min,volume_max,price_sek\nc1,X,k,0,3,120\nc2,X,k,0,3,130\n",
        access="hospital,provider,travel_minutes,allowed\nA,X,30,false\nA,B,20,true\n",
    )
    reasons = explain_over_guarantee(VolumeData.from_scenario(load_scenario(folder)), Decisions())
    assert reasons[0].limits.count("provider X not allowed for A patients (access.csv)") == 1


def test_the_shipped_scenario_under_its_take_or_pay_minimums() -> None:
    # The shipped contracts' minimums cost 121 775 000 SEK (sum of volume_min x price_sek in
    # inputs/vgr-2026/contracts.csv), so a budget of 100 000 000 SEK cannot hold, by itself.
    from leveransplan.inputs import default_scenario_path

    data = VolumeData.from_scenario(load_scenario(default_scenario_path()))
    minimums = sum(c.volume_min * c.price_sek for c in data.contracts.values())
    assert minimums == 121_775_000
    search = volume_conflicts(data, 100_000_000)
    assert search.status == "INFEASIBLE" and search.conflict is not None
    assert search.conflict.rules == [
        "the budget cap of 100 000 000 SEK (the contracts' take-or-pay minimums alone cost 121 775 000 SEK)"
    ]
