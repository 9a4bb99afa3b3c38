"""A re-plan changes as little as the care guarantee allows: with --previous, stability comes right
after the guarantee's terms unless the scenario or --objective gives the order; the order that ran
is printed and recorded; each hospital's change is measured in units and in SEK.

The scenario, worked by hand: one month, hospital A with 10 patients waiting and no inflow, so its
guarantee limit is floor(3*0/1) = 0 and every patient still waiting at the month's end is a
patient-month beyond the guarantee. A has no capacity of its own; B offers 10 additional units at
150 SEK and contract c1 (provider X, in the region) 10 units at 100 SEK. Every plan with
over_guarantee 0 treats all 10, split between B and X.

- The previous plan P is solved with c1 at 200 SEK: B is the cheaper, so P transfers all 10 to B
  (cost 1 500).
- Re-planned at c1's 100 SEK with stability before cost, the plan keeps the 10 at B: stability 0,
  cost 1 500.
- With the spec's order (cost before stability) it moves all 10 to X: cost 1 000, stability
  |0 - 10| (the transfer) + |10 - 0| (the referral) = 20. A's change is 20 units and
  10 * 150 + 10 * 100 = 2 500 SEK.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers import flat, invoke, refused, write_files
from leveransplan.inputs import load_scenario
from leveransplan.models.scenario import ObjectiveOrder, stability_after
from leveransplan.outputs.checker.plan import check_plan

SCENARIO = {
    "scenario.toml": 'name = "Re-plan order"\nstart = "2026-01"\nmonths = 1\n\n[solver]\nworkers = 1\n',
    "hospitals.csv": "hospital,name\nA,Hospital A\nB,Hospital B\n",
    "categories.csv": "category,area,kind,specialty,price_class\nk,somatik,forstabesok,Test,besok\n",
    "prices.csv": "hospital,price_class,price_sek\nA,besok,100\nB,besok,150\n",
    "own_volumes.csv": "hospital,category,base,additional_max\nB,k,0,10\n",
    "need.csv": "hospital,category,waiting,inflow\nA,k,10,0\n",
    "contracts.csv": ("contract,provider,category,volume_min,volume_max,price_sek\nc1,X,k,0,10,100\n"),
}


@pytest.fixture
def previous(tmp_path: Path) -> tuple[Path, Path]:
    """The scenario folder and plan P: made with c1 at 200 SEK, so all 10 go to B."""
    scenario = write_files(tmp_path / "scenario", SCENARIO)
    plan = tmp_path / "P"
    result = invoke(
        "solve", scenario, "--deterministic", "--set", "contracts.c1.price_sek=200", "--out", plan
    )
    assert result.exit_code == 0, result.output
    summary = json.loads((plan / "summary.json").read_text(encoding="utf-8"))
    assert summary["volumes"]["objectives"]["cost"] == 1_500  # 10 transfers to B at 150
    return scenario, plan


def replan(scenario: Path, plan: Path, out: Path, *flags: str) -> dict:  # type: ignore[type-arg]
    result = invoke("solve", scenario, "--deterministic", "--previous", plan, "--out", out, *flags)
    assert result.exit_code == 0, result.output
    # Every plan `solve` writes has passed the checker; `check` verifies it again from its
    # manifest, which must derive the same order from the recorded re-plan.
    checked = invoke("check", scenario, out)
    assert checked.exit_code == 0, checked.output
    return {
        "output": flat(result.output),
        "summary": json.loads((out / "summary.json").read_text(encoding="utf-8")),
        "manifest": json.loads((out / "manifest.json").read_text(encoding="utf-8")),
    }


def test_a_replan_keeps_the_previous_plan_before_it_saves_money(
    previous: tuple[Path, Path], tmp_path: Path
) -> None:
    scenario, plan = previous
    run = replan(scenario, plan, tmp_path / "R")
    volumes = run["summary"]["volumes"]
    assert [s["objective"] for s in volumes["stages"]] == [
        "over_guarantee", "equity", "out_of_region", "stability", "cost", "travel",
    ]  # fmt: skip
    assert volumes["objectives"]["over_guarantee"] == 0
    assert volumes["objectives"]["stability"] == 0
    assert volumes["objectives"]["cost"] == 1_500
    hospitals = {h["hospital"]: h for h in volumes["hospitals"]}
    assert (hospitals["A"]["change_units"], hospitals["A"]["change_sek"]) == (0, 0)
    parameters = run["manifest"]["parameters"]
    assert parameters["objective"]["volumes"][3] == "stability"
    assert parameters["objective_source"]["volumes"] == "re-plan"
    assert "Re-plan: as little change as the care guarantee allows" in run["output"]


def test_the_order_given_runs_and_the_change_is_measured(previous: tuple[Path, Path], tmp_path: Path) -> None:
    scenario, plan = previous
    order = "over_guarantee,equity,out_of_region,cost,travel,stability"
    run = replan(scenario, plan, tmp_path / "R", "--objective", order)
    volumes = run["summary"]["volumes"]
    assert [s["objective"] for s in volumes["stages"]] == order.split(",")
    assert volumes["objectives"]["cost"] == 1_000
    assert volumes["objectives"]["stability"] == 20
    hospitals = {h["hospital"]: h for h in volumes["hospitals"]}
    assert (hospitals["A"]["change_units"], hospitals["A"]["change_sek"]) == (20, 2_500)
    assert (hospitals["B"]["change_units"], hospitals["B"]["change_sek"]) == (0, 0)
    assert run["manifest"]["parameters"]["objective_source"]["volumes"] == "given"
    assert "Re-plan: as little change" not in run["output"]


def test_a_plan_without_a_previous_plan_keeps_the_spec_order(previous: tuple[Path, Path]) -> None:
    _scenario, plan = previous
    manifest = json.loads((plan / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["parameters"]["objective"]["volumes"] == [
        "over_guarantee", "equity", "out_of_region", "cost", "travel", "stability",
    ]  # fmt: skip
    assert manifest["parameters"]["objective_source"]["volumes"] == "default"
    summary = json.loads((plan / "summary.json").read_text(encoding="utf-8"))
    assert all("change_units" not in h for h in summary["volumes"]["hospitals"])


def test_the_replan_order_moves_only_stability_and_only_in_orders_left_open() -> None:
    replanned = ObjectiveOrder().replanning()
    assert replanned.volumes == ("over_guarantee", "equity", "out_of_region", "stability", "cost", "travel")
    assert replanned.placements == ("unplaced", "stability", "travel")
    assert replanned.at == ("deviation", "stability")  # AT stability is at.csv's, not a re-plan's
    given = ObjectiveOrder(placements=("travel", "unplaced", "stability"))
    assert given.replanning().placements == ("travel", "unplaced", "stability")
    assert given.replanning().sources(replanning=True) == {
        "volumes": "re-plan", "placements": "given", "at": "default",
    }  # fmt: skip
    # Candidate contracts add procured after out_of_region without marking the order given; a
    # re-plan then changes as little as it can after procurement.
    assert ObjectiveOrder().with_procurement().replanning().volumes == (
        "over_guarantee", "equity", "out_of_region", "procured", "stability", "cost", "travel",
    )  # fmt: skip
    # An order without guarantee terms puts stability first; one without stability is left alone.
    assert stability_after(("cost", "stability", "travel"), ("over_guarantee",)) == (
        "stability",
        "cost",
        "travel",
    )
    assert ObjectiveOrder(volumes=("over_guarantee", "cost")).replanning().volumes == (
        "over_guarantee",
        "cost",
    )


# -- a change allowance ---------------------------------------------------------------------------
# The least change keeps all 10 at B (A's change 0). With an allowance the cost stage may move n of
# A's patients from B (150 SEK) to X (100 SEK): A's change is n (the transfer) + n (the referral)
# = 2n units, and 150n + 100n = 250n SEK; the cost is 1 500 - 50n.


@pytest.mark.parametrize(
    ("flags", "moved", "cost"),
    [
        (("--allow-change", "20"), 10, 1_000),  # 2n <= 20: all 10 move
        (("--allow-change", "10"), 5, 1_250),  # 2n <= 10
        (("--allow-change-sek", "1250"), 5, 1_250),  # 250n <= 1 250
        (("--allow-change", "20", "--allow-change-sek", "1e3"), 4, 1_300),  # 250n <= 1 000
    ],
)
def test_an_allowance_lets_each_hospital_change_up_to_its_cap(
    previous: tuple[Path, Path], tmp_path: Path, flags: tuple[str, ...], moved: int, cost: int
) -> None:
    scenario, plan = previous
    run = replan(scenario, plan, tmp_path / "R", *flags)
    volumes = run["summary"]["volumes"]
    stages = {s["objective"]: s["value"] for s in volumes["stages"]}
    assert stages["stability"] == 0  # the least change, reported as reached
    assert volumes["objectives"]["cost"] == cost
    assert volumes["objectives"]["stability"] == 2 * moved
    hospitals = {h["hospital"]: h for h in volumes["hospitals"]}
    assert (hospitals["A"]["change_units"], hospitals["A"]["change_sek"]) == (2 * moved, 250 * moved)
    allowance = volumes["change_allowance"]
    assert set(allowance["hospitals"]) == {"A", "B"}
    assert run["manifest"]["parameters"]["change_allowance"] == {
        "units": allowance["units"], "sek": allowance["sek"],
    }  # fmt: skip
    assert "Change allowed after the least change" in run["output"]


def test_the_checker_holds_each_hospital_to_its_cap(previous: tuple[Path, Path], tmp_path: Path) -> None:
    scenario, plan = previous
    out = tmp_path / "R"
    replan(scenario, plan, out, "--allow-change", "10")
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    caps = summary["volumes"]["change_allowance"]["hospitals"]["A"]
    assert caps == {"units": 10, "least_units": 0, "least_sek": 0}  # A kept all at B at least
    caps["units"] = 6
    (out / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    problems = " ".join(check_plan(load_scenario(scenario).replanning(), out))
    assert "the plan changes A by 10 units, above its cap 6" in problems
    assert "cap 6, but the allowance 10 and the least change's 0 make it 10" in problems
    # A cap raised by claiming the least change moved more than the stability stage reached.
    caps["units"], caps["least_units"] = 12, 12
    (out / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    problems = " ".join(check_plan(load_scenario(scenario).replanning(), out))
    assert "the least change's moves add up to 12 units, but the stability stage reached 0" in problems


def test_an_allowance_needs_a_previous_plan_and_a_stage_after_stability(
    previous: tuple[Path, Path], tmp_path: Path
) -> None:
    scenario, plan = previous
    refused(
        invoke("solve", scenario, "--allow-change", "5", "--out", tmp_path / "A"),
        2,
        "--allow-change and --allow-change-sek loosen a re-plan's least change: give --previous",
    )
    last = ("--objective", "over_guarantee,cost,stability")
    refused(
        invoke("solve", scenario, "--previous", plan, "--allow-change", "5", *last, "--out", tmp_path / "B"),
        2,
        "the volume order over_guarantee, cost, stability has none after it",
    )
    refused(
        invoke("solve", scenario, "--previous", plan, "--allow-change-sek", "2,5", "--out", tmp_path / "C"),
        2,
        "--allow-change-sek 2,5: expected whole SEK, 0 or more",
    )
    assert not any((tmp_path / name).exists() for name in "ABC")
