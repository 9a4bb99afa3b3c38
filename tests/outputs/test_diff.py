"""`leveransplan diff`: changes per hospital, provider and month, objective changes, and the
3 000 000 SEK line between a decision on delegation and a committee decision, derived by hand."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

from typer.testing import CliRunner

from helpers import EXAMPLE1
from leveransplan.cli import app
from leveransplan.outputs.diff import DIFF_COLUMNS, diff_plans

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
