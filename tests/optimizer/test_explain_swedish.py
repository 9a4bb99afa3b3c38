"""The explanations and comparisons in Swedish: explain's limits, the capacity-loss account, what
another 10 MSEK buys, the rules in conflict, the reasons a trainee is unplaced, the frontier's
budget, diff's verdict and history's breaks. Each Swedish sentence is written out by hand from
explain.po; a figure of four digits or more shows the Swedish grouping (a no-break space, which
`flat` turns into a plain one).

Texts that machine files keep (explain --json, unplaced.csv's reason, history --json) stay
English whatever the language: their value is the English and `shown` gives the Swedish.
"""

from __future__ import annotations

import json
import pickle
import shutil
from pathlib import Path

from helpers import EXAMPLE1, flat, invoke
from helpers.training import crowded_at_h2, example2, placements
from leveransplan.inputs import load_scenario
from leveransplan.inputs.previous import read_previous_plan
from leveransplan.models.derived import VolumeData
from leveransplan.models.evaluation import Decisions
from leveransplan.models.explanation import CapacityLossAccount, explain_over_guarantee
from leveransplan.models.frontier import BudgetResult, Frontier, MarginalFigure, budget_words
from leveransplan.models.language import use_language
from leveransplan.models.placement_reasons import (
    after_horizon,
    free_option_note,
    shown_reason,
    unplaced_reasons,
)
from leveransplan.models.scenario import Requirement, Trainee
from leveransplan.models.training import PlacementData
from leveransplan.models.wording import shown
from leveransplan.optimizer.marginal import describe_marginal
from leveransplan.optimizer.volumes.conflicts import volume_conflicts
from leveransplan.outputs.chain import MISSING, plan_chain
from leveransplan.outputs.diff import decision_words, diff_plans


def write_scenario(folder: Path, **tables: str) -> Path:
    """Example 1 with some tables replaced (name without .csv -> file text)."""
    shutil.copytree(EXAMPLE1, folder)
    for name, text in tables.items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return folder


def test_explain_names_the_limits_in_swedish_and_keeps_the_english(tmp_path: Path) -> None:
    # Example 1's two months (2026-01..02) and hospitals A and B; A's patients alone, with 1 200
    # base units and nothing else: no additional volume at A or B, no contract. With no decision
    # at all A's list only grows (5 000 waiting, 400 new a month), so both months are beyond the
    # guarantee and the 1 200 base units of the two months are all unused.
    folder = write_scenario(
        tmp_path / "s",
        need="hospital,category,waiting,inflow\nA,k,5000,800\n",
        own_volumes="hospital,category,base,additional_max\nA,k,1200,0\n",
        contracts="contract,provider,category,volume_min,volume_max,price_sek\n",
        access="hospital,provider,travel_minutes,allowed\n",
    )
    data = VolumeData.from_scenario(load_scenario(folder))
    (reason,) = explain_over_guarantee(data, Decisions())
    english = (
        [
            "A offers no additional volume (tillägg) in k in 2026-01..2026-02",
            "no additional volume (tillägg) in k offered by B",
            "no contract (köpt vård) in k",
        ],
        ["base volume (bas): 1 200 units unused in 2026-01..2026-02"],
    )
    assert (reason.limits, reason.unused) == english
    use_language("sv")
    assert [shown(limit) for limit in reason.limits] == [
        "A erbjuder inget tillägg i k under 2026-01..2026-02",
        "inget tillägg i k erbjuds av B",
        "inget avtal (köpt vård) i k",
    ]
    assert [flat(shown(unused)) for unused in reason.unused] == [
        "bas: 1 200 enheter outnyttjade under 2026-01..2026-02"
    ]
    assert "\u00a0" in shown(reason.unused[0])  # the Swedish grouping: a no-break space
    # What explain --json writes is the English, whatever the language.
    assert (reason.limits, reason.unused) == english
    assert json.loads(json.dumps(reason.as_dict()))["unused"] == english[1]


def test_explain_json_stays_english_with_lang_sv(tmp_path: Path) -> None:
    # The plan of test_explain's first test: c1 capped at 1 leaves 1 patient-month in 2026-01.
    plan = tmp_path / "plan"
    solved = invoke(
        "solve", EXAMPLE1, "--out", plan, "--deterministic", "--quiet",
        "--set", "contracts.c1.volume_max=1", "--set", "contracts.c1.volume_min=1",
    )  # fmt: skip
    assert solved.exit_code == 0, solved.output
    swedish = invoke("--lang", "sv", "explain", EXAMPLE1, plan, "--json")
    assert swedish.exit_code == 0, swedish.output
    english = invoke("--lang", "en", "explain", EXAMPLE1, plan, "--json")
    assert swedish.stdout == english.stdout
    assert "contract c1 (X) at its maximum of 1" in json.loads(swedish.stdout)[0]["limits"]


def test_the_budget_cap_in_swedish(tmp_path: Path) -> None:
    # test_explain's test_budget_cap_binds: the cap of 240 SEK is the take-or-pay minimum, all
    # spent on c1's 2 units in 2026-01; the cheapest way with room left is c1 at 120 SEK.
    plan = tmp_path / "plan"
    assert invoke("solve", EXAMPLE1, "--out", plan, "--budget", "240", "--deterministic").exit_code == 0
    scenario = load_scenario(EXAMPLE1).model_copy(update={"max_cost_sek": 240})
    decisions = read_previous_plan(plan, scenario).volumes
    assert decisions is not None
    (reason,) = explain_over_guarantee(VolumeData.from_scenario(scenario), decisions, 240)
    use_language("sv")
    assert (
        "budgettaket binder vid 240 kr: planen kostar 240 kr, och de 0 kr som återstår räcker inte till en "
        "enda enhet av det billigaste alternativet med utrymme kvar (120 kr)"
    ) in [shown(limit) for limit in reason.limits]
    assert reason.money_binds  # read from the English, whatever the language


def test_the_capacity_loss_account_in_swedish() -> None:
    # Figures chosen by hand: SU loses 1 200 base and 300 additional units; 40 transfers cost
    # 1 234 567 SEK, 25 referrals 98 765 SEK; 1 500 patient-months are left.
    account = CapacityLossAccount(
        "SU", 1200, 300, transfer_units=40, transfer_cost=1_234_567, referral_units=25, referral_cost=98_765,
        patient_months=1500,
    )  # fmt: skip
    use_language("sv")
    assert [flat(line) for line in account.lines()] == [
        "SU förlorar 1 200 enheter bas och 300 enheter tillägg genom capacity_loss.csv och --dip",
        "överföringar till andra sjukhus: 40 enheter, 1 234 567 kr",
        "remisser till avtal: 25 enheter, 98 765 kr",
        "kvar utöver vårdgarantin: 1 500 patientmånader",
    ]


def test_what_another_10_msek_buys_in_swedish() -> None:
    # At a budget of 50 000 000 SEK the plan leaves 1 234 patient-months (proven), at 60 000 000
    # it leaves 1 000: 234 fewer, and the plan costs 59 000 000 - 49 500 000 = 9 500 000 SEK more.
    figure = MarginalFigure(
        budget_sek=50_000_000,
        extra_sek=10_000_000,
        unconstrained_cost_sek=80_000_000,
        at_budget=BudgetResult(50_000_000, 1234, 1234, 49_500_000),
        with_extra=BudgetResult(60_000_000, 1000, 1000, 59_000_000),
    )
    use_language("sv")
    assert [flat(line) for line in describe_marginal(figure)] == [
        "Vid en budget på 50 000 000 kr: ytterligare 10 mnkr tar bort 234 patientmånader utöver "
        "vårdgarantin: 1 234 -> 1 000; planen kostar då 9 500 000 kr mer."
    ]
    assert describe_marginal(MarginalFigure(None, 10_000_000, None)) == [
        "Ingen budget: pengarna begränsar inte. Planen når det lägsta möjliga antalet patientmånader utöver "
        "vårdgarantin; mer pengar skulle inte ta bort någon."
    ]


def test_the_rule_in_conflict_in_swedish() -> None:
    # test_explain's test_budget_below_the_take_or_pay_minimums_is_named: c1's minimum of 2 at
    # 120 SEK (240 SEK) is paid whatever happens, above a budget of 100 SEK.
    use_language("sv")
    conflict = volume_conflicts(VolumeData.from_scenario(load_scenario(EXAMPLE1)), 100).conflict
    assert conflict is not None
    assert conflict.rules == ["budgettaket på 100 kr (avtalens lägsta åtaganden kostar ensamma 240 kr)"]


def test_the_reasons_a_trainee_is_unplaced_in_swedish() -> None:
    # test_training's test_concurrent_max_binds: only H2 (concurrent_max 1) is within reach of
    # home area X; psychiatry is only at H1, and one of T2 and T3 cannot do ped beside the other.
    scenario = crowded_at_h2()
    use_language("sv")  # a solve in Swedish: unplaced.csv still gets the English
    reasons = placements(scenario).reasons
    out_of_reach = reasons["T1", "psy"]
    assert out_of_reach == "no hospital within reach of home area X offers psy (travel.csv, st_capacity.csv)"
    (key,) = [k for k in reasons if k[1] == "ped"]
    deadline = {"T2": "2026-04", "T3": "2026-03"}[key[0]]
    assert shown(out_of_reach) == (
        "inget sjukhus inom räckhåll från hemområde X erbjuder psy (travel.csv, st_capacity.csv)"
    )
    crowded = shown(reasons[key])
    assert crowded.startswith(
        f"ingen plats i ped inom räckhåll från hemområde X (H2) före slutmånaden {deadline}: "
    )
    assert "H2 har redan 1 ST-läkare samtidigt (concurrent_max) under 2026-" in crowded
    # unplaced.csv's reason column is the English in any language, also after a trip to another process.
    assert str(reasons[key]).startswith(
        f"no place in ped within reach of home area X (H2) before the deadline {deadline}: "
    )
    assert pickle.loads(pickle.dumps(reasons[key])) == str(reasons[key])
    assert shown(free_option_note(["travel", "unplaced"], "OPTIMAL")) == (
        "en placering skulle försämra travel, som rangordnas före unplaced"
    )
    # The report reads the English back from unplaced.csv: the same Swedish from it.
    assert shown_reason(str(reasons[key])) == crowded
    assert shown_reason(str(out_of_reach)) == shown(out_of_reach)


def test_a_reason_read_back_from_unplaced_csv_in_swedish() -> None:
    # A reason as unplaced.csv holds it, written out by hand from its parts: the lead, the places
    # taken at H1 and the free place at H2 with the objective order's note.
    english = (
        "no place in ped within reach of home area X (H1, H2) before the deadline 2026-06: all 2 places at "
        "H1 taken in 2026; a place at H2 from 2026-03 is free, but placing it would worsen travel, ranked "
        "before unplaced"
    )
    use_language("sv")
    assert shown_reason(english) == (
        "ingen plats i ped inom räckhåll från hemområde X (H1, H2) före slutmånaden 2026-06: alla 2 platser "
        "vid H1 är tagna 2026; en plats vid H2 från 2026-03 är ledig, men en placering skulle försämra "
        "travel, som rangordnas före unplaced"
    )
    # A text that is no reason of ours (an edited file) is shown as it is.
    assert shown_reason("moved by hand; see the minutes") == "moved by hand; see the minutes"
    use_language("en")
    assert shown_reason(english) == english


def test_the_frontiers_budget_in_swedish() -> None:
    # A budget of 1 234 567 SEK between the least cost (1 000) and the unconstrained optimum's (2 000 000).
    frontier = Frontier("s", [], 1000, 2_000_000, 1_234_567, 0)
    words = frontier.scenario_budget_words()
    assert words == "the scenario's budget of 1 234 567 SEK is marked on the curve"
    use_language("sv")
    assert flat(shown(words)) == "scenariots budget på 1 234 567 kr är markerad på kurvan"
    assert words == "the scenario's budget of 1 234 567 SEK is marked on the curve"  # the frontier's files
    # The report reads the three figures back from the frontier's files; 500 SEK is below the least cost.
    below = budget_words(500, 1000, 2_000_000)
    assert below is not None
    assert (
        flat(below.shown())
        == "scenariots budget på 500 kr är lägre än de lägsta åtagandena (1 000 kr): ingen plan håller den"
    )


def spending(folder: Path, spend: dict[str, int], cost: int) -> Path:
    """A plan folder with summary.json's per-hospital spend (cost_sek) and the region's cost."""
    folder.mkdir()
    hospitals = [{"hospital": h, "cost_sek": sek} for h, sek in spend.items()]
    summary = {"volumes": {"objectives": {"cost": cost}, "cost_sek": cost, "hospitals": hospitals}}
    (folder / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    return folder


def test_the_delegation_verdict_in_swedish(tmp_path: Path) -> None:
    # test_diff's cases: H1 +3 100 000 and H2 -3 100 000 SEK, the region unchanged, go to the
    # committee; H1 +2 000 000 and H2 -2 000 000 SEK stay within the 3 000 000 SEK delegation.
    a = spending(tmp_path / "a", {"H1": 10_000_000, "H2": 10_000_000}, cost=20_000_000)
    committee = spending(tmp_path / "b", {"H1": 13_100_000, "H2": 6_900_000}, cost=20_000_000)
    delegation = spending(tmp_path / "c", {"H1": 12_000_000, "H2": 8_000_000}, cost=20_000_000)
    use_language("sv")
    assert flat(decision_words(diff_plans(a, committee))) == (
        "Volymplanens kostnad ändras med +0 kr: uppdateringen går till nämnden (OSN) för beslut (över "
        "delegationsgränsen på 3 000 000 kr: H1 +3 100 000 kr, H2 -3 100 000 kr)."
    )
    assert flat(decision_words(diff_plans(a, delegation))) == (
        "Volymplanens kostnad ändras med +0 kr: uppdateringen beslutas på delegation (inom 3 000 000 kr för "
        "regionen och för varje sjukhus)."
    )


def test_a_broken_chain_in_swedish(tmp_path: Path) -> None:
    # B is re-planned from A; A's manifest.json then goes: the link is missing.
    a, b = tmp_path / "A", tmp_path / "B"
    assert invoke("solve", EXAMPLE1, "--out", a, "--deterministic", "--quiet").exit_code == 0
    solved = invoke("solve", EXAMPLE1, "--out", b, "--previous", a, "--round", "2026-02", "--deterministic")
    assert solved.exit_code == 0, solved.output
    (a / "manifest.json").unlink()
    link = plan_chain(b)[0]
    assert link.previous_status == MISSING
    previous = a.resolve()
    english = f"its previous plan {previous} is missing ({previous / 'manifest.json'} cannot be read)"
    assert link.problem == english
    use_language("sv")
    assert (
        link.problem_text
        == f"dess föregående plan {previous} saknas ({previous / 'manifest.json'} kan inte läsas)"
    )
    # history --json keeps the English.
    document = json.loads(invoke("--lang", "sv", "history", b, "--json").output)
    assert document["plans"][0]["problem"] == english


def test_a_requirement_the_search_left_is_not_given_a_capacity_reason() -> None:
    # The same plan as test_the_reasons_a_trainee_is_unplaced_in_swedish, reasoned as if its
    # unplaced stage had stopped at the time limit above its bound: the crowded ped stay is the
    # search's, said first, with what blocks it in the plan as it stood; T1's psychiatry has no
    # option at all, a rule of the scenario whatever the search did, so it keeps its reason.
    scenario = crowded_at_h2()
    solution = placements(scenario)
    data = PlacementData(scenario)
    places = {place: row.places for place, row in data.capacity.items()}
    proven = unplaced_reasons(data, solution.plan, places, "", stopped=False)
    stopped = unplaced_reasons(data, solution.plan, places, "", stopped=True)
    (key,) = [k for k in stopped if k[1] == "ped"]
    lead = "the search stopped at the time limit before it could place this or prove it impossible; "
    assert str(stopped[key]) == lead + "in the plan as it stood: " + str(proven[key])
    assert str(stopped["T1", "psy"]) == str(proven["T1", "psy"])
    use_language("sv")
    swedish = shown(stopped[key])
    assert swedish.startswith("sökningen stoppades av tidsgränsen innan den kunde placera detta")
    assert swedish.endswith(shown(proven[key]))
    # Read back from unplaced.csv, the same Swedish.
    assert shown_reason(str(stopped[key])) == swedish


def test_a_stay_that_can_start_after_the_horizon_is_said_to_be_for_a_later_plan() -> None:
    # Example 2 plus T4 (earliest 2026-05, deadline 2026-12) needing 3 months of ped: the horizon
    # 2026-01..06 leaves only May and June, so the spec counts it unplaced; its stay can start
    # 2026-07 and end 2026-09, before the deadline. The other reasons are example 2's own.
    base = example2()
    scenario = base.model_copy(
        update={
            "st_trainees": (
                *base.st_trainees,
                Trainee(trainee="T4", home_area="X", earliest_start="2026-05", deadline="2026-12"),
            ),
            "st_requirements": (*base.st_requirements, Requirement(trainee="T4", specialty="ped", months=3)),
        }
    )
    solution = placements(scenario)
    reason = solution.reasons["T4", "ped"]
    assert str(reason) == (
        "after the horizon: the stay can start after 2026-06, the placement horizon's last month, and end "
        "by the deadline 2026-12; a later plan places it"
    )
    assert after_horizon(str(reason))
    assert not any(after_horizon(str(r)) for key, r in solution.reasons.items() if key != ("T4", "ped"))
    use_language("sv")
    assert (
        shown_reason(str(reason))
        == shown(reason)
        == (
            "efter planeringsperioden: placeringen kan börja efter 2026-06, planeringsperiodens sista månad, "
            "och sluta senast slutmånaden 2026-12; en senare plan placerar den"
        )
    )
