"""Decision rounds and the chain of plans: `solve --round M --previous PLAN` freezes the months
before M; each re-plan's manifest.json names its previous plan with the SHA-256 of that plan's
manifest.json; `history` follows the chain back and names a link that no longer holds.

Example 1 of the spec (tests/data/example1) has the months 2026-01..2026-02: a round in 2026-02
freezes 2026-01, a round in 2026-01 freezes nothing. Every solve takes well under a second.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from helpers import ACTUALS, EXAMPLE1, flat, invoke, refused

DETERMINISTIC = ("--deterministic", "--quiet")


def manifest_of(plan: Path) -> dict[str, Any]:
    return json.loads((plan / "manifest.json").read_text(encoding="utf-8"))


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def solve(out: Path, *flags: str | Path) -> None:
    result = invoke("solve", EXAMPLE1, "--out", out, *DETERMINISTIC, *flags)
    assert result.exit_code == 0, result.output


@pytest.fixture
def chain(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A solved plainly; B re-planned from A in the round 2026-02; C from B in the round 2026-01."""
    a, b, c = tmp_path / "A", tmp_path / "B", tmp_path / "C"
    solve(a)
    solve(b, "--previous", a, "--round", "2026-02")
    solve(c, "--previous", b, "--round", "2026-01")
    return a, b, c


def test_a_round_freezes_the_months_before_it_and_the_manifest_links_the_plans(
    chain: tuple[Path, Path, Path],
) -> None:
    a, b, c = chain
    # B's manifest.json was made from A's as it is now: the digest is that of A's file.
    b_manifest, c_manifest = manifest_of(b), manifest_of(c)
    assert b_manifest["previous_plan"] == {
        "folder": str(a.resolve()),
        "manifest_sha256": digest(a / "manifest.json"),
    }
    assert c_manifest["previous_plan"] == {
        "folder": str(b.resolve()),
        "manifest_sha256": digest(b / "manifest.json"),
    }
    assert "previous_plan" not in manifest_of(a)
    # Round 2026-02 holds 2026-01 as decided; round 2026-01, the horizon's first month, holds nothing.
    rounds = [(m["parameters"]["round"], m["parameters"]["freeze_until"]) for m in (b_manifest, c_manifest)]
    assert rounds == [("2026-02", "2026-01"), ("2026-01", None)]
    assert invoke("check", EXAMPLE1, b).exit_code == 0


def test_history_lists_the_chain_newest_first(chain: tuple[Path, Path, Path]) -> None:
    a, b, c = chain
    result = invoke("history", c)
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if line[:2] in ("1.", "2.", "3.")]
    assert len(lines) == 3
    assert lines[0].startswith(f"1. {c}: made ")
    assert "round 2026-01, nothing frozen, scenario Example 1" in lines[0]
    assert lines[1].startswith(f"2. {b.resolve()}: made ")
    assert "round 2026-02, frozen up to 2026-01, scenario Example 1" in lines[1]
    assert lines[2].startswith(f"3. {a.resolve()}: made ") and "round -, nothing frozen" in lines[2]
    text = flat(result.output)
    assert f"previous plan {b.resolve()}: as recorded" in text
    assert f"previous plan {a.resolve()}: as recorded" in text
    assert "the first plan: made from no previous plan" in text

    as_json = invoke("history", c, "--json")
    assert as_json.exit_code == 0, as_json.output
    document = json.loads(as_json.output)
    assert document["broken"] is False
    assert [
        (p["folder"], p["round"], p["frozen_until"], p["previous_plan_status"]) for p in document["plans"]
    ] == [
        (str(c), "2026-01", None, "as recorded"),
        (str(b.resolve()), "2026-02", "2026-01", "as recorded"),
        (str(a.resolve()), None, None, "first plan"),
    ]
    assert [p["made_utc"] for p in document["plans"]] == [manifest_of(plan)["time_utc"] for plan in (c, b, a)]


def test_history_names_a_previous_plan_that_changed_or_is_missing(chain: tuple[Path, Path, Path]) -> None:
    a, b, c = chain
    # The report written into A later lists itself in A's manifest.json: not a break.
    assert invoke("report", a).exit_code == 0
    result = invoke("history", c)
    assert result.exit_code == 0, result.output
    assert "as recorded, but for the report.html" in flat(result.output)
    # An edit of A's manifest.json (its scenario's name) is: B's link to A is broken, exit 6.
    manifest = (a / "manifest.json").read_text(encoding="utf-8")
    (a / "manifest.json").write_text(manifest.replace('"Example 1"', '"Example X"', 1), encoding="utf-8")
    result = invoke("history", c)
    assert result.exit_code == 6, result.output
    broken_at = f"The chain is broken at {b.resolve()}: its previous plan"
    assert f"{broken_at}'s {a.resolve() / 'manifest.json'} has changed" in flat(result.output)
    # The chain is still followed to A, as it is now.
    assert "scenario Example X" in result.output
    assert json.loads(invoke("history", c, "--json").output)["plans"][1]["previous_plan_status"] == "changed"
    # Without A the chain ends at B.
    (a / "manifest.json").unlink()
    result = invoke("history", c)
    assert result.exit_code == 6, result.output
    assert f"{broken_at} {a.resolve()} is missing" in flat(result.output)
    assert f"3. {a.resolve()}" not in result.output


def test_history_of_a_folder_that_is_no_plan(tmp_path: Path) -> None:
    refused(invoke("history", tmp_path), 2, f"{tmp_path / 'manifest.json'} is missing")


def test_a_round_with_actuals_replans_after_the_month_before_it(tmp_path: Path) -> None:
    # --round 2026-02 --actuals is --freeze-until 2026-01 --actuals: the plan covers 2026-02 only.
    a, b = tmp_path / "A", tmp_path / "B"
    solve(a)
    actuals = tmp_path / "actuals.csv"
    actuals.write_text(ACTUALS, encoding="utf-8")
    solve(b, "--previous", a, "--round", "2026-02", "--actuals", actuals)
    parameters = manifest_of(b)["parameters"]
    assert parameters["round"] == "2026-02"
    assert parameters["actuals"]["decided_until"] == "2026-01"
    document = json.loads(invoke("history", b, "--json").output)
    assert [p["frozen_until"] for p in document["plans"]] == ["2026-01", None]


@pytest.mark.parametrize(
    ("flags", "says"),
    [
        (("--round", "2026-02"), "--round '2026-02' needs --previous"),
        (
            ("--previous", "{a}", "--round", "2026-02", "--freeze-until", "2026-01"),
            "--round '2026-02' and --freeze-until '2026-01': give one of them",
        ),
        (
            ("--previous", "{a}", "--round", "2026-03"),
            "--round '2026-03': expected a month of the horizon 2026-01..2026-02",
        ),
        (
            ("--previous", "{a}", "--round", "2025-12"),
            "--round '2025-12': expected a month of the horizon 2026-01..2026-02",
        ),
        (("--previous", "{a}", "--round", "March"), "--round 'March': expected a month of the horizon"),
    ],
)
def test_a_round_that_does_not_fit_is_refused(tmp_path: Path, flags: tuple[str, ...], says: str) -> None:
    a, out = tmp_path / "A", tmp_path / "out"
    if "{a}" in flags:
        solve(a)
    result = invoke("solve", EXAMPLE1, "--out", out, *(str(a) if flag == "{a}" else flag for flag in flags))
    refused(result, 2, says)
    assert not out.exists()
