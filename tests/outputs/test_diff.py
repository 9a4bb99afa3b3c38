"""`leveransplan diff`: changes per hospital, provider and month, objective changes, and the
3 000 000 SEK line between a decision on delegation and a committee decision, derived by hand."""

from __future__ import annotations

import csv
import hashlib
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from helpers import EXAMPLE1
from helpers import read_rows as read_csv_rows
from helpers.replans import solve_replans
from helpers.volumes import build
from leveransplan.cli import app
from leveransplan.models.scenario import CapacityLossRow
from leveransplan.outputs.console.compare import print_diff
from leveransplan.outputs.diff import DIFF_COLUMNS, REPLAN_DIFF_COLUMNS, _base_by_month, diff_plans

runner = CliRunner()
HEADER = "month,hospital,category,channel,provider,contract,volume,unit_price_sek,cost_sek"


def plan(folder: Path, flows: list[str], cost: int, over: int) -> Path:
    folder.mkdir()
    (folder / "delivery_plan.csv").write_text("\n".join([HEADER, *flows]) + "\n", encoding="utf-8")
    summary = {
        "scenario": "t",
        "volumes": {"objectives": {"over_guarantee": over, "cost": cost}, "cost_sek": cost},
    }
    (folder / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    return folder


def plans(tmp_path: Path, cost_b: int) -> tuple[Path, Path]:
    # A refers 2 to c1 in 2026-01 (240 SEK) and 1 in 2026-02 (120 SEK).
    # B refers 3 to c1 in 2026-01 (360 SEK), the same in 2026-02, and transfers 1 to B in 2026-02 (150 SEK).
    a = plan(
        tmp_path / "a",
        ["2026-01,A,k,external,X,c1,2,120,240", "2026-02,A,k,external,X,c1,1,120,120"],
        cost=1_000_000,
        over=9,
    )
    b = plan(
        tmp_path / "b",
        [
            "2026-01,A,k,external,X,c1,3,120,360",
            "2026-02,A,k,external,X,c1,1,120,120",
            "2026-02,A,k,transfer,B,,1,150,150",
        ],
        cost=cost_b,
        over=6,
    )
    return a, b


def test_changed_flows_and_objectives(tmp_path: Path) -> None:
    a, b = plans(tmp_path, cost_b=1_000_510)
    result = diff_plans(a, b)
    # 2026-01 to X: 2 -> 3 (+1, +120 SEK); 2026-02 to B: 0 -> 1 (+1, +150 SEK); 2026-02 to X unchanged.
    assert [(r["month"], r["provider"], r["volume_change"], r["cost_change_sek"]) for r in result.flows] == [
        ("2026-01", "X", 1, 120),
        ("2026-02", "B", 1, 150),
    ]
    assert {(o["objective"], o["change"]) for o in result.objectives} == {
        ("over_guarantee", -3),
        ("cost", 510),
    }
    assert result.cost_change_sek == 510 and not result.needs_committee


def test_the_delegation_limit(tmp_path: Path) -> None:
    # 1 000 000 -> 4 000 000 is exactly 3 000 000: still delegation; one SEK more needs the committee.
    a, b = plans(tmp_path, cost_b=4_000_000)
    assert not diff_plans(a, b).needs_committee
    (b / "summary.json").write_text(
        json.dumps({"volumes": {"objectives": {"cost": 4_000_001}, "cost_sek": 4_000_001}}), encoding="utf-8"
    )
    assert diff_plans(a, b).needs_committee


def test_the_command_prints_and_writes_the_csv(tmp_path: Path) -> None:
    # Example 1 of the spec in its own order (A) and cost first (B). A: a transfer of 1 to B
    # (150 SEK) and 2 referrals to c1 in 2026-01 (240 SEK), cost 390. B: only the 2 referrals
    # already paid for, both in 2026-01, cost 240 (examples.md). So the transfer goes (-1,
    # -150 SEK), the referrals stay, and the cost falls by 150 SEK: a decision on delegation.
    a, b = tmp_path / "a", tmp_path / "b"
    assert runner.invoke(app, ["solve", str(EXAMPLE1), "--out", str(a), "--quiet"]).exit_code == 0
    cost_first = ["--objective", "cost,over_guarantee,equity"]
    assert runner.invoke(app, ["solve", str(EXAMPLE1), "--out", str(b), *cost_first]).exit_code == 0
    out = tmp_path / "diff.csv"
    result = runner.invoke(app, ["diff", str(a), str(b), "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "changes by -150 SEK: this update needs a decision on delegation" in text
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0]) == DIFF_COLUMNS
    assert [(r["month"], r["provider"], r["volume_change"], r["cost_change_sek"]) for r in rows] == [
        ("2026-01", "B", "-1", "-150")
    ]
    again = runner.invoke(app, ["diff", str(a), str(b), "--out", str(out)])
    assert again.exit_code == 2 and "exists" in again.output


def test_a_folder_that_is_not_a_plan(tmp_path: Path) -> None:
    a = tmp_path / "a"
    assert runner.invoke(app, ["solve", str(EXAMPLE1), "--out", str(a), "--quiet"]).exit_code == 0
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "summary.json").write_text("{}", encoding="utf-8")
    result = runner.invoke(app, ["diff", str(a), str(tmp_path / "empty"), "--out", str(tmp_path / "d.csv")])
    assert result.exit_code == 2
    assert "manifest.json is missing: the folder is not a plan" in " ".join(result.output.split())
    assert not (tmp_path / "d.csv").exists()


def test_diff_checks_what_it_reads(tmp_path: Path) -> None:
    # A delivery plan edited to refer 3 patients to c1 in 2026-01 breaks its monthly_max 2: the
    # checker refuses it, and so does diff, even when manifest.json's digest is made to match.
    a, b = tmp_path / "a", tmp_path / "b"
    for plan in (a, b):
        assert runner.invoke(app, ["solve", str(EXAMPLE1), "--out", str(plan), "--quiet"]).exit_code == 0
    path = b / "delivery_plan.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("X,c1,2,120,240", "X,c1,3,120,360"), "utf-8")
    result = runner.invoke(app, ["diff", str(a), str(b), "--out", str(tmp_path / "d.csv")])
    assert result.exit_code == 2
    assert "delivery_plan.csv has changed since the plan was written" in " ".join(result.output.split())
    manifest = json.loads((b / "manifest.json").read_text(encoding="utf-8"))
    manifest["outputs_sha256"]["delivery_plan.csv"] = hashlib.sha256(path.read_bytes()).hexdigest()
    (b / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    result = runner.invoke(app, ["diff", str(a), str(b), "--out", str(tmp_path / "d.csv")])
    assert result.exit_code == 2
    assert "above its monthly_max 2" in " ".join(result.output.split())
    assert not (tmp_path / "d.csv").exists()


def spending(folder: Path, spend: dict[str, int], cost: int, table: list[str] | None = None) -> Path:
    """A plan folder with summary.json's per-hospital spend (cost_sek) and the region's cost."""
    folder.mkdir()
    hospitals = [{"hospital": h, "cost_sek": sek} for h, sek in spend.items()]
    summary = {"volumes": {"objectives": {"cost": cost}, "cost_sek": cost, "hospitals": hospitals}}
    (folder / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    if table is not None:
        text = "\n".join(["hospital,category,uppdrag,bas,tillagg", *table]) + "\n"
        (folder / "volume_table.csv").write_text(text, encoding="utf-8")
    return folder


def test_opposite_changes_within_the_limit_are_on_delegation(tmp_path: Path) -> None:
    # H1 +2 000 000 SEK and H2 -2 000 000 SEK: each within 3 000 000, the region unchanged.
    a = spending(tmp_path / "a", {"H1": 10_000_000, "H2": 10_000_000}, cost=20_500_000)
    b = spending(tmp_path / "b", {"H1": 12_000_000, "H2": 8_000_000}, cost=20_500_000)
    delegation = diff_plans(a, b).delegation()
    assert delegation["on_delegation"] is True
    assert delegation["hospitals"] == {"H1": 2_000_000, "H2": -2_000_000}
    assert delegation["region_change_sek"] == 0 and delegation["committee_hospitals"] == []


def test_opposite_changes_beyond_the_limit_go_to_the_committee(tmp_path: Path) -> None:
    # H1 +3 100 000 SEK and H2 -3 100 000 SEK net 0 for the region, but each hospital's change
    # is beyond 3 000 000 SEK: the committee decides, and both hospitals are named.
    a = spending(tmp_path / "a", {"H1": 10_000_000, "H2": 10_000_000}, cost=20_000_000)
    b = spending(tmp_path / "b", {"H1": 13_100_000, "H2": 6_900_000}, cost=20_000_000)
    result = diff_plans(a, b)
    assert result.delegation()["on_delegation"] is False
    assert result.committee_hospitals == ["H1", "H2"]
    assert result.cost_change_sek == 0 and not result.region_beyond_delegation


def test_exactly_the_limit_at_a_hospital_is_on_delegation(tmp_path: Path) -> None:
    # H1 +3 000 000 SEK exactly (and the region with it): on delegation; one SEK more is not.
    a = spending(tmp_path / "a", {"H1": 1_000_000}, cost=1_000_000)
    b = spending(tmp_path / "b", {"H1": 4_000_000}, cost=4_000_000)
    assert diff_plans(a, b).delegation()["on_delegation"] is True
    c = spending(tmp_path / "c", {"H1": 4_000_001}, cost=4_000_000)
    assert diff_plans(a, c).committee_hospitals == ["H1"]


def test_the_region_beyond_the_limit_goes_to_the_committee(tmp_path: Path) -> None:
    # Three hospitals +1 500 000 SEK each: none beyond the limit alone, the region +4 500 000.
    a = spending(tmp_path / "a", {"H1": 0, "H2": 0, "H3": 0}, cost=1_000_000)
    b = spending(tmp_path / "b", {"H1": 1_500_000, "H2": 1_500_000, "H3": 1_500_000}, cost=5_500_000)
    result = diff_plans(a, b)
    assert result.committee_hospitals == [] and result.region_beyond_delegation
    assert result.delegation()["on_delegation"] is False


def test_the_volume_table_changes_are_listed(tmp_path: Path) -> None:
    # H1 k: tillägg 5 -> 7 (uppdrag +2); H2 k unchanged; H2 q only in B: bas 0 -> 3 (uppdrag +3).
    a = spending(tmp_path / "a", {"H1": 0}, cost=0, table=["H1,k,15,10,5", "H2,k,4,4,0"])
    b = spending(tmp_path / "b", {"H1": 0}, cost=0, table=["H1,k,17,10,7", "H2,k,4,4,0", "H2,q,3,3,0"])
    assert diff_plans(a, b).volume_table == [
        {"hospital": "H1", "category": "k", "bas_a": 10, "bas_b": 10, "tillagg_a": 5, "tillagg_b": 7,
         "uppdrag_change": 2},
        {"hospital": "H2", "category": "q", "bas_a": 0, "bas_b": 3, "tillagg_a": 0, "tillagg_b": 0,
         "uppdrag_change": 3},
    ]  # fmt: skip


def test_the_committee_message_names_the_hospitals(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a = spending(tmp_path / "a", {"H1": 10_000_000, "H2": 10_000_000}, cost=20_000_000)
    b = spending(tmp_path / "b", {"H1": 13_100_000, "H2": 6_900_000}, cost=20_000_000)
    print_diff(a, b, diff_plans(a, b))
    text = " ".join(capsys.readouterr().out.split())
    assert (
        "The volume plan's cost changes by +0 SEK: this update needs a committee decision (above the "
        "3 000 000 SEK delegation limit: H1 +3 100 000 SEK, H2 -3 100 000 SEK)."
    ) in text


def test_diff_json_for_scripts(tmp_path: Path) -> None:
    # Example 1 as in test_the_command_prints_and_writes_the_csv: A's patients cost 390 SEK in
    # plan A (the transfer 150 and the referrals 240) and 240 in plan B; B's patients nothing.
    a, b = tmp_path / "a", tmp_path / "b"
    assert runner.invoke(app, ["solve", str(EXAMPLE1), "--out", str(a), "--quiet"]).exit_code == 0
    cost_first = ["--objective", "cost,over_guarantee,equity"]
    assert (
        runner.invoke(app, ["solve", str(EXAMPLE1), "--out", str(b), "--quiet", *cost_first]).exit_code == 0
    )
    out = tmp_path / "diff.csv"
    result = runner.invoke(app, ["diff", str(a), str(b), "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["delegation"]["on_delegation"] is True
    assert document["delegation"]["hospitals"] == {"A": -150, "B": 0}
    assert document["delegation"]["region_change_sek"] == -150
    assert [(f["provider"], f["volume_change"]) for f in document["flows"]] == [("B", -1)]
    assert document["csv"] == str(out) and out.exists()
    # B is no re-plan: every month is compared as decided, and nothing was replaced by actuals.
    assert document["months"] == {"2026-01": "decided", "2026-02": "decided"}
    assert document["replan"] is None and document["actual_months"] is None


# -- re-plans: the plans of helpers/replans.py, their changes derived there ----------------------


@pytest.fixture(scope="module")
def replans(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return solve_replans(tmp_path_factory.mktemp("replans"), "R2", "R31", "F", "Q")


def diff_json(a: Path, b: Path, out: Path) -> dict[str, Any]:
    result = runner.invoke(app, ["diff", str(a), str(b), "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def test_months_replaced_by_actuals_are_not_removals(replans: dict[str, Path], tmp_path: Path) -> None:
    # R2 against P (helpers/replans.py). Read as whole plans, P's 2026-01 would be removed: H2's 40
    # referrals (-4 MSEK), H1's 40 units (-4 MSEK), and H2 -6 MSEK beyond the limit. Over the
    # month R2 decided, 2026-02: H1 0 -> 2 000 000, H2 4 000 000 -> 2 000 000, the region
    # 4 000 000 in both: on delegation.
    out = tmp_path / "diff.csv"
    document = diff_json(replans["P"], replans["R2"], out)
    assert document["months"] == {"2026-01": "actual", "2026-02": "decided"}
    assert document["replan"]["previous_is_a"] is True
    assert document["replan"]["actuals_until"] == "2026-01"
    assert [(f["month"], f["month_kind"], f["volume_a"], f["volume_b"], f["cost_change_sek"])
            for f in document["flows"]] == [
        ("2026-01", "actual", 40, None, None),
        ("2026-02", "decided", 40, 20, -2_000_000),
    ]  # fmt: skip
    assert document["delegation"]["hospitals"] == {"H1": 2_000_000, "H2": -2_000_000}
    assert document["delegation"]["region_change_sek"] == 0
    assert document["delegation"]["on_delegation"] is True
    assert (document["cost_a_sek"], document["cost_b_sek"]) == (4_000_000, 4_000_000)
    # What P planned for 2026-01: H1's 40 units and H2's 40 referrals at 100 000 SEK each.
    assert document["actual_months"] == {
        "months": ["2026-01"],
        "flows_a": 1,
        "referrals_a": 40,
        "cost_a_sek": 8_000_000,
        "hospitals_a_sek": {"H1": 4_000_000, "H2": 4_000_000},
    }
    # The volume table over 2026-02: H1's tillägg 0 in P, 20 in R2; bas 0 in both.
    table = document["volume_table"]
    assert [(r["hospital"], r["tillagg_a"], r["tillagg_b"], r["uppdrag_change"]) for r in table] == [
        ("H1", 0, 20, 20)
    ]
    # Objectives over different months are not subtracted.
    assert {o["change"] for o in document["objectives"]} == {None}
    rows = read_csv_rows(out)
    assert tuple(rows[0]) == REPLAN_DIFF_COLUMNS
    assert [(r["month"], r["volume_b"], r["month_kind"]) for r in rows] == [
        ("2026-01", "", "actual"),
        ("2026-02", "20", "decided"),
    ]


def test_the_replan_diff_says_what_each_month_is(replans: dict[str, Path], tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["diff", str(replans["P"]), str(replans["R2"]), "--out", str(tmp_path / "d.csv")]
    )
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "2026-01 replaced by the actuals in" in text
    assert "2026-02 decided by the re-plan" in text
    assert (
        "The volume plan's cost changes by +0 SEK over the months compared: this update needs a decision "
        "on delegation"
    ) in text
    assert "1 changed flows and the 1 flows of the months replaced by actuals written to" in text


def test_a_replan_beyond_the_limit_at_two_hospitals(replans: dict[str, Path], tmp_path: Path) -> None:
    # R31 against P over 2026-02: H1 0 -> 31 x 100 000 = 3 100 000 (+3.1 MSEK), H2 40 -> 9
    # referrals, 4 000 000 -> 900 000 (-3.1 MSEK); the region 4 000 000 in both. Each hospital is
    # beyond 3 000 000: the committee decides, though the region nets 0.
    document = diff_json(replans["P"], replans["R31"], tmp_path / "diff.csv")
    assert document["delegation"]["hospitals"] == {"H1": 3_100_000, "H2": -3_100_000}
    assert document["delegation"]["region_change_sek"] == 0
    assert document["delegation"]["committee_hospitals"] == ["H1", "H2"]
    assert document["delegation"]["on_delegation"] is False
    result = runner.invoke(
        app, ["diff", str(replans["P"]), str(replans["R31"]), "--out", str(tmp_path / "d.csv")]
    )
    assert (
        "this update needs a committee decision (above the 3 000 000 SEK delegation limit: "
        "H1 +3 100 000 SEK, H2 -3 100 000 SEK)."
    ) in " ".join(result.output.split())


def test_frozen_months_count_as_decided_in_both_plans(replans: dict[str, Path], tmp_path: Path) -> None:
    # F froze 2026-01 as P decided it: no flow changes there (nor in 2026-02: H2 refers 40 in
    # both). H1: 4 000 000 in P, 4 000 000 + 2 000 000 in F (+2 MSEK); H2 8 000 000 in both; the
    # region 12 -> 14 MSEK. Every month is in the comparison, so the objectives are compared.
    document = diff_json(replans["P"], replans["F"], tmp_path / "diff.csv")
    assert document["months"] == {"2026-01": "frozen", "2026-02": "decided"}
    assert document["replan"]["frozen_until"] == "2026-01" and document["replan"]["actuals_until"] is None
    assert document["flows"] == []
    assert document["delegation"]["hospitals"] == {"H1": 2_000_000, "H2": 0}
    assert (document["cost_a_sek"], document["cost_b_sek"]) == (12_000_000, 14_000_000)
    assert document["delegation"]["on_delegation"] is True and document["actual_months"] is None
    # over_guarantee: P 40 (H2's 40 at the end of 2026-01); F adds H1's 20 left then: 60.
    objectives = {o["objective"]: o["change"] for o in document["objectives"]}
    assert objectives["over_guarantee"] == 20


def test_frozen_months_of_another_plan_are_pointed_out(replans: dict[str, Path], tmp_path: Path) -> None:
    # F is a re-plan of P, compared here with Q (no flows): F's frozen 2026-01 holds P's 40
    # referrals of H2, which Q does not have. They are listed as frozen, and the reason is given.
    out = tmp_path / "diff.csv"
    result = runner.invoke(app, ["diff", str(replans["Q"]), str(replans["F"]), "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert f"is a re-plan of {replans['P']}, not of {replans['Q']}" in text
    assert "1 flow differs in the frozen months" in text
    assert [(r["month"], r["volume_change"], r["month_kind"]) for r in read_csv_rows(out)] == [
        ("2026-01", "40", "frozen"),
        ("2026-02", "40", "decided"),
    ]


def test_the_compared_bas_is_own_volumes_base_before_a_capacity_loss() -> None:
    # A's base 6 splits [3, 3] over two months; a go-live keeps nothing in month 2. The volume
    # table's `bas` is own_volumes.csv's base (6), so the months compared after actuals give [3, 3]
    # and the loss is no change of `bas`; without the lost units added back month 2 would be 0.
    scenario = build(
        order=("over_guarantee", "cost"),
        months=2,
        own={("A", "k"): (6, 0)},
        need={("A", "k"): (6, 0)},
        capacity_loss=[
            CapacityLossRow(hospital="A", first_month="2026-02", last_month="2026-02", factor=Decimal(0))
        ],
    )
    assert _base_by_month(scenario) == {("2026-01", "A", "k"): 3, ("2026-02", "A", "k"): 3}
