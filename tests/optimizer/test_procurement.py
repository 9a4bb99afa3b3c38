"""Candidate contracts: the plan procures after the region's own capacity and existing contracts,
before sending patients out of the region; what it procures and what that buys.

Notation as in test_volumes.py: with inflow 0 the guarantee limit L is 0, so every waiting
patient is over the guarantee and over_guarantee is the sum of the month-end waiting lists.
Every plan goes through the CLI with deterministic time, so publish runs the independent
checker, and the written folder is checked once more.
"""

from __future__ import annotations

import csv
import html
import json
import tempfile
from pathlib import Path

from hypothesis import given
from typer.testing import CliRunner

from helpers import flat
from helpers.generated import PROPERTY, reference_stage_values, scenarios
from helpers.volumes import build, contract, write_scenario
from leveransplan.cli import app
from leveransplan.inputs import load_scenario
from leveransplan.models.scenario import Scenario, order_with_procurement
from leveransplan.optimizer.search import search_run
from leveransplan.optimizer.solve import solve_scenario
from leveransplan.outputs.checker.volume_plan import check_volume_plan
from leveransplan.outputs.publish import publish_plan
from leveransplan.outputs.report.page import write_report
from leveransplan.outputs.report.volumes import procurement_order_words

ORDER = order_with_procurement(("over_guarantee", "equity", "out_of_region", "cost", "travel", "stability"))


def _solve(tmp_path: Path, scenario: Scenario) -> tuple[dict, list[dict[str, str]]]:
    summary, proposal, _plan = _solve_plan(tmp_path, scenario)
    return summary, proposal


def _solve_plan(tmp_path: Path, scenario: Scenario) -> tuple[dict, list[dict[str, str]], Path]:
    """Solve through the CLI (deterministic, one worker); the plan's volumes summary and procurement.csv."""
    folder = write_scenario(tmp_path / "scenario", scenario)
    plan = tmp_path / "plan"
    result = CliRunner().invoke(
        app, ["solve", str(folder), "--deterministic", "--workers", "1", "--out", str(plan), "--quiet"]
    )
    assert result.exit_code == 0, result.output
    assert check_volume_plan(load_scenario(folder), plan) == []
    summary = json.loads((plan / "summary.json").read_text(encoding="utf-8"))["volumes"]
    with (plan / "procurement.csv").open(encoding="utf-8", newline="") as handle:
        return summary, list(csv.DictReader(handle)), plan


def cheaper_candidate() -> Scenario:
    """A has 10 waiting (L = 0) in one month, its own additional 4 units at 1 000 SEK, the existing
    contract EX 3 units at 800 SEK and the candidate CAND up to 10 units at 10 SEK."""
    return build(
        order=ORDER,
        prices={"A": 1000},
        own={("A", "k"): (0, 4)},
        need={("A", "k"): (10, 0)},
        contracts=[
            contract("EX", price=800, volume_max=3),
            contract("CAND", price=10, volume_max=10, provider="Capio", candidate=True),
        ],
    )


def _stages(summary: dict) -> list[tuple[str, int]]:
    for stage in summary["stages"]:
        assert stage["status"] == "OPTIMAL" and stage["bound"] == stage["value"], stage
    return [(stage["objective"], stage["value"]) for stage in summary["stages"]]


def test_procured_goes_right_after_out_of_region() -> None:
    # The spec's default order with `procured` after out_of_region; an order naming it keeps it;
    # without out_of_region it goes before the first of cost, travel and stability.
    assert ORDER == ("over_guarantee", "equity", "out_of_region", "procured", "cost", "travel", "stability")
    assert order_with_procurement(("procured", "over_guarantee")) == ("procured", "over_guarantee")
    assert order_with_procurement(("over_guarantee", "cost")) == ("over_guarantee", "procured", "cost")
    assert order_with_procurement(("over_guarantee",)) == ("over_guarantee", "procured")


def test_a_procurement_beats_out_of_region(tmp_path: Path) -> None:
    # A has 10 waiting (L = 0), no own capacity, one month. OUT (out of region, 100 SEK, up to 10)
    # alone clears the list; the candidate CAND (in region, 500 SEK, up to 6) can take 6.
    # over_guarantee 0 (refer all 10); equity 0 (A has no inflow, so it is left out);
    # out_of_region: at least 10 - 6 = 4 go out; procured: then CAND must take the 6;
    # cost 6*500 + 4*100 = 3 400. Without CAND, OUT takes all 10: over_guarantee is 0 either way,
    # so the procurement buys 0 patient-months: it keeps 6 patients in the region.
    scenario = build(
        order=ORDER,
        need={("A", "k"): (10, 0)},
        contracts=[
            contract("OUT", price=100, volume_max=10, provider="Halmstad", out_of_region=True),
            contract("CAND", price=500, volume_max=6, provider="Capio", candidate=True),
        ],
    )
    summary, proposal = _solve(tmp_path, scenario)
    assert _stages(summary)[:5] == [
        ("over_guarantee", 0),
        ("equity", 0),
        ("out_of_region", 4),
        ("procured", 6),
        ("cost", 3_400),
    ]
    assert proposal == [
        {
            "contract": "CAND",
            "provider": "Capio",
            "category": "k",
            "out_of_region": "false",
            "units": "6",
            "price_sek": "500",
            "cost_sek": "3000",
            "first_month": "2026-01",
            "last_month": "2026-01",
            "most_in_a_month": "6",
        }
    ]
    assert summary["procurement"]["patient_months_bought"] == 0
    assert summary["objectives"]["procured"] == 6


def test_own_capacity_and_existing_contracts_come_before_a_cheaper_candidate(tmp_path: Path) -> None:
    # A has 10 waiting (L = 0), one month; its own additional 4 units at 1 000 SEK, the existing
    # contract EX 3 units at 800 SEK, the candidate CAND up to 10 at only 10 SEK.
    # over_guarantee 0 needs all 10 treated; procured is minimised before cost, so CAND takes
    # only 10 - 4 - 3 = 3; cost 4*1 000 + 3*800 + 3*10 = 6 430 (CAND for all 10 would cost 100).
    # Without CAND at most 4 + 3 = 7 are treated: over_guarantee 3, so the 3 units buy 3
    # patient-months.
    scenario = cheaper_candidate()
    summary, proposal = _solve(tmp_path, scenario)
    assert _stages(summary)[:5] == [
        ("over_guarantee", 0),
        ("equity", 0),
        ("out_of_region", 0),
        ("procured", 3),
        ("cost", 6_430),
    ]
    assert [(r["contract"], r["units"], r["cost_sek"]) for r in proposal] == [("CAND", "3", "30")]
    procurement = summary["procurement"]
    assert procurement["over_guarantee_without_candidates"] == 3
    assert procurement["without_candidates_status"] == "OPTIMAL"
    assert procurement["patient_months_bought"] == 3
    assert (procurement["units"], procurement["cost_sek"]) == (3, 30)


def test_a_candidate_not_taken_up_is_in_the_proposal_with_no_units(tmp_path: Path) -> None:
    # Base units clear A's 5 waiting: no candidate is needed, so CAND is proposed with 0 units
    # and no months, and buys 0 patient-months.
    scenario = build(
        order=ORDER,
        own={("A", "k"): (5, 0)},
        need={("A", "k"): (5, 0)},
        contracts=[contract("CAND", price=10, volume_max=10, provider="Capio", candidate=True)],
    )
    summary, proposal = _solve(tmp_path, scenario)
    assert [(r["units"], r["first_month"], r["most_in_a_month"]) for r in proposal] == [("0", "", "0")]
    assert summary["procurement"]["patient_months_bought"] == 0


def test_the_checker_holds_the_proposal_to_the_delivery_plan(tmp_path: Path) -> None:
    # The plan of test_own_capacity_...: CAND takes 3 units at 10 SEK. A proposal that says 4
    # units, or a summary that says 40 SEK, disagrees with delivery_plan.csv's referrals.
    scenario = cheaper_candidate()
    _summary, _proposal, plan = _solve_plan(tmp_path, scenario)
    loaded = load_scenario(tmp_path / "scenario")
    path = plan / "procurement.csv"
    written = path.read_text(encoding="utf-8")
    path.write_text(
        written.replace("CAND,Capio,k,false,3,10,30", "CAND,Capio,k,false,4,10,30"), encoding="utf-8"
    )
    assert check_volume_plan(loaded, plan) == ["procurement.csv row 2: units '4', but it is 3 (CAND)"]
    path.write_text(written, encoding="utf-8")
    summary_path = plan / "summary.json"
    document = json.loads(summary_path.read_text(encoding="utf-8"))
    document["volumes"]["procurement"]["cost_sek"] = 40
    summary_path.write_text(json.dumps(document), encoding="utf-8")
    assert check_volume_plan(loaded, plan) == ["summary.json volumes.procurement.cost_sek: 40, but it is 30"]


@PROPERTY
@given(scenarios(candidates=True))
def test_generated_plans_with_candidates_pass_the_checker_and_match_one_whole_region_model(
    scenario: Scenario,
) -> None:
    # Every plan with candidates passes the checker (procured and procurement.csv included); its
    # stage values equal one CP-SAT model of the whole region, each term held region-wide; and
    # with over_guarantee first, candidates only add options, so they buy >= 0 patient-months.
    scenario = scenario.model_copy(
        update={"solver": scenario.solver.model_copy(update={"deterministic": True})}
    )
    with search_run(deterministic=True):
        plan = solve_scenario(scenario, ["volumes"])
    solution = plan.volumes
    assert solution is not None
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "plan"
        parameters = {
            "objective_volumes": list(scenario.objective.volumes),
            "max_cost_sek": scenario.max_cost_sek,
        }
        publish_plan(target, Path(folder), scenario, plan, parameters)  # runs the checker
        assert check_volume_plan(scenario, target) == []
    if all(stage.status == "OPTIMAL" for stage in solution.stages):
        assert [stage.value for stage in solution.stages] == reference_stage_values(scenario)
    without = solution.over_without_candidates
    first = solution.stages[0]
    if (
        first.objective == "over_guarantee"
        and without is not None
        and without.status == first.status == "OPTIMAL"
    ):
        assert without.value >= first.value


def test_explain_and_the_report_show_the_proposal(tmp_path: Path) -> None:
    # The scenario of test_own_capacity_...: CAND takes 3 units at 10 SEK (30 SEK), and they buy
    # 3 patient-months (3 without the candidates, 0 with them).
    scenario = cheaper_candidate()
    folder = write_scenario(tmp_path / "scenario", scenario)
    plan = tmp_path / "plan"
    runner = CliRunner()
    solved = runner.invoke(
        app, ["solve", str(folder), "--deterministic", "--workers", "1", "--out", str(plan), "--report"]
    )
    assert solved.exit_code == 0, solved.output
    assert check_volume_plan(load_scenario(folder), plan) == []
    told = (
        "What to procure: 3 units for 30 SEK, from 1 of 1 candidate contracts.",
        "CAND (Capio, k): 3 units at 10 SEK, 30 SEK, 2026-01, at most 3 in a month",
        "Together they buy 3 patient-months beyond the guarantee: 3 without them, 0 with them.",
    )
    explained = runner.invoke(app, ["explain", str(folder), str(plan)])
    assert explained.exit_code == 0, explained.output
    for text in told:
        assert text in " ".join(solved.output.split()), solved.output
        assert text in " ".join(explained.output.split()), explained.output
    report = (plan / "report.html").read_text(encoding="utf-8")
    assert "What to procure (candidate contracts)" in report
    assert "Together they buy 3 patient-months beyond the guarantee" in report


def _cheaper_candidate_plan(tmp_path: Path) -> Path:
    """The plan of test_own_capacity_...: CAND takes 3 units at 10 SEK, all in 2026-01; without
    the candidates over_guarantee is 3 (OPTIMAL), with them 0."""
    _summary, _proposal, plan = _solve_plan(tmp_path, cheaper_candidate())
    return plan


def test_the_checker_holds_every_column_of_the_proposal_and_the_summary(tmp_path: Path) -> None:
    # CAND's row is CAND,Capio,k,false,3,10,30,2026-01,2026-01,3: in region, referrals only in
    # 2026-01, 3 at most in a month; 1 candidate taken up; the stage without candidates is OPTIMAL.
    plan = _cheaper_candidate_plan(tmp_path)
    loaded = load_scenario(tmp_path / "scenario")
    path = plan / "procurement.csv"
    written = path.read_text(encoding="utf-8")
    row = "CAND,Capio,k,false,3,10,30,2026-01,2026-01,3"
    assert row in written
    for wrong, column, expected in (
        ("CAND,Capio,k,true,3,10,30,2026-01,2026-01,3", "out_of_region 'true'", "false"),
        ("CAND,Capio,k,false,3,10,30,,2026-01,3", "first_month ''", "2026-01"),
        ("CAND,Capio,k,false,3,10,30,2026-01,2026-02,3", "last_month '2026-02'", "2026-01"),
        ("CAND,Capio,k,false,3,10,30,2026-01,2026-01,10", "most_in_a_month '10'", "3"),
    ):
        path.write_text(written.replace(row, wrong), encoding="utf-8")
        assert check_volume_plan(loaded, plan) == [
            f"procurement.csv row 2: {column}, but it is {expected} (CAND)"
        ]
    path.write_text(written, encoding="utf-8")
    summary_path = plan / "summary.json"
    original = summary_path.read_text(encoding="utf-8")
    for key, value, says in (
        ("contracts_taken_up", 2, "summary.json volumes.procurement.contracts_taken_up: 2, but it is 1"),
        (
            "without_candidates_status",
            "UNKNOWN",
            "summary.json volumes.procurement.without_candidates_status: 'UNKNOWN', but a figure needs "
            "OPTIMAL or FEASIBLE",
        ),
    ):
        document = json.loads(original)
        document["volumes"]["procurement"][key] = value
        summary_path.write_text(json.dumps(document), encoding="utf-8")
        assert check_volume_plan(loaded, plan) == [says]
    summary_path.write_text(original, encoding="utf-8")
    assert check_volume_plan(loaded, plan) == []


def test_the_reports_note_follows_the_stages_and_the_order(tmp_path: Path) -> None:
    # The default order puts procured right after out_of_region; both over_guarantee stages are
    # OPTIMAL, so the 3 patient-months bought are proven. Were the plan's own over_guarantee stage
    # only FEASIBLE, they would not be, though the stage without candidates is OPTIMAL.
    plan = _cheaper_candidate_plan(tmp_path)
    report = tmp_path / "report.html"
    write_report(plan, report)
    text = flat(html.unescape(report.read_text(encoding="utf-8")))
    assert (
        "The objective order minimises procured after over_guarantee, equity, out_of_region and before "
        "cost, travel, stability." in text
    )
    assert "candidate in the region is taken up before patients are sent out of the region" in text
    assert "3 with the region's own capacity and existing contracts alone, 0 with them" in text
    summary_path = plan / "summary.json"
    document = json.loads(summary_path.read_text(encoding="utf-8"))
    [stage] = [s for s in document["volumes"]["stages"] if s["objective"] == "over_guarantee"]
    stage["status"] = "FEASIBLE"
    summary_path.write_text(json.dumps(document), encoding="utf-8")
    write_report(plan, report)
    text = flat(html.unescape(report.read_text(encoding="utf-8")))
    assert "existing contracts alone (not proven optimal), 0 with them" in text


def test_the_note_words_an_order_that_names_procured_and_out_of_region_candidates() -> None:
    # procured named after cost: no claim that own capacity comes first or that it keeps patients
    # in the region; an out-of-region candidate is said to send patients out.
    words = procurement_order_words(["over_guarantee", "cost", "procured"], out_of_region_candidates=True)
    assert words == (
        "The objective order minimises procured after over_guarantee, cost, last. Cost is minimised "
        "before it, so a candidate is taken up where it is the cheaper way. A candidate marked out of "
        "region sends patients out of the region: its units count in out_of_region as well as in procured."
    )
    words = procurement_order_words(["procured", "over_guarantee", "cost"], out_of_region_candidates=False)
    assert words.startswith("The objective order minimises procured first and before over_guarantee, cost.")
    assert "sent out of the region" not in words
