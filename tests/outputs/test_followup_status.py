"""`followup`'s care-guarantee fulfilment (followup_guarantee.csv), ST-A status report
(followup_st_status.csv), referrals of the hospitals that report, and its Swedish, with figures
derived by hand.

Example 1's optimal plan (tests/outputs/test_followup.py): A's waiting list of k is 10 + 2 - 3 - 1
- 2 = 6 at the end of January; A's guarantee limit is floor(3 * 4 / 2) = 6, so the plan has all 6
within the guarantee (over_guarantee 0). B has no need: limit 0, nothing waiting.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from helpers import ACTUALS, EXAMPLE1, flat, invoke, read_rows
from helpers.training import example2
from leveransplan.models.actuals import Performed
from leveransplan.outputs.followup_guarantee import guarantee_fulfilment
from leveransplan.outputs.followup_training import st_status

GUARANTEE_HEADER = (
    "month,hospital,categories,guarantee_limit,planned_waiting,planned_within,planned_pct,"
    "actual_waiting,actual_within,actual_pct,difference_pct_points"
)
ST_HEADER = "month,hospital,trainees,fully_planned,share_pct,unplaced_requirements"


def squeezed(text: str) -> str:
    """Without whitespace: rich wraps a long path anywhere, even inside a word."""
    return "".join(text.split())


def solve(scenario: Path, plan: Path) -> Path:
    result = invoke("solve", scenario, "--deterministic", "--out", plan)
    assert result.exit_code == 0, result.output  # solve publishes only what the plan checker passes
    return plan


def with_trainees(tmp_path: Path) -> Path:
    """Example 1 with the spec's example 2 of the ST-A model (tests/helpers/training.py) on its
    hospitals (A for H1, 10 minutes from home area X; B for H2, 50 minutes) with one paediatrics
    place at B, over a placement horizon of 2026-01..06."""
    folder = tmp_path / "scenario"
    shutil.copytree(EXAMPLE1, folder)
    toml = folder / "scenario.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + "\n[placements]\nmonths = 6\n", encoding="utf-8")
    files = {
        "st_trainees.csv": "trainee,home_area,earliest_start,deadline,unavailable\n"
        "T1,X,2026-01,2026-06,2026-02\nT2,X,2026-01,2026-04,\nT3,X,2026-01,2026-06,\n",
        "st_requirements.csv": "trainee,specialty,months\nT1,ped,2\nT1,psy,2\nT2,ped,3\nT3,ped,2\n",
        "st_capacity.csv": "hospital,specialty,year,places,concurrent_max\nA,ped,2026,1,\nB,ped,2026,1,1\n"
        "A,psy,2026,1,\n",
        "travel.csv": "home_area,hospital,minutes\nX,A,10\nX,B,50\n",
    }
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_guarantee_fulfilment_worked_by_hand() -> None:
    # H's plan for 2026-03: k1 waiting 10 with 4 beyond the guarantee (within 6), k2 waiting 5 and
    # none beyond: 11 of 15 = 73.3 %. Reported: k1 waiting 12 against L 6 (within 6), k2 9 against
    # L 8 (within 8): 14 of 21 = 66.7 %, 6.6 points short. G's category q is not in the scenario:
    # no inflow, L = 0, so its 3 waiting are all beyond (0 %), and nothing of it was planned.
    planned = {("2026-03", "H", "k1"): (10, 4), ("2026-03", "H", "k2"): (5, 0)}
    limit = {("H", "k1"): 6, ("H", "k2"): 8}
    reported = [
        Performed(2, "H", "k1", "2026-03", 0, 12),
        Performed(3, "H", "k2", "2026-03", 0, 9),
        Performed(4, "G", "q", "2026-03", 0, 3),
    ]
    rows = [tuple(row.values()) for row in guarantee_fulfilment(planned, reported, limit)]
    assert rows == [
        ("2026-03", "G", 1, 0, 0, 0, None, 3, 0, 0.0, None),
        ("2026-03", "H", 2, 14, 15, 11, 73.3, 21, 14, 66.7, -6.6),
        # The region: planned 11 of 15, reported 14 of 24 = 58.3 %.
        ("2026-03", "total", 3, 14, 15, 11, 73.3, 24, 14, 58.3, -15.0),
    ]


def test_followup_guarantee_csv_of_example1(tmp_path: Path) -> None:
    # ACTUALS reports A waiting 8 at January's end: min(8, 6) = 6 within, 75 %, against the plan's
    # 100 %. B waits nobody: no share either way.
    plan = solve(EXAMPLE1, tmp_path / "plan")
    actuals = tmp_path / "actuals.csv"
    actuals.write_text(ACTUALS, encoding="utf-8")
    out = tmp_path / "followup"
    result = invoke("followup", plan, "--actuals", actuals, "--out", out)
    assert result.exit_code == 0, result.output
    assert (out / "followup_guarantee.csv").read_text(encoding="utf-8").splitlines() == [
        GUARANTEE_HEADER,
        "2026-01,A,1,6,6,6,100.0,8,6,75.0,-25.0",
        "2026-01,B,1,0,0,0,,0,0,,",
        "2026-01,total,2,6,6,6,100.0,8,6,75.0,-25.0",
    ]
    # Example 1 plans no ST-A placements: said, and no empty table written.
    assert "The plan has no ST-A placements (placements.csv): no ST-A status." in flat(result.output)
    assert not (out / "followup_st_status.csv").exists()


def test_st_status_of_example2_worked_by_hand() -> None:
    # With one paediatrics place at each hospital, the three paediatrics stays share two places;
    # T2's (3 months by April) is the one left: T1 (ped and psy) and T3 have all placed, T2 not.
    # All of home area X count at H1, its nearest hospital (10 minutes). T2's window ends in April:
    # January-April 2 of 3 = 66.7 %, May-June 2 of 2 = 100 %.
    placed = {("T1", "ped"), ("T1", "psy"), ("T3", "ped")}
    rows = [
        (
            r["month"],
            r["hospital"],
            r["trainees"],
            r["fully_planned"],
            r["share_pct"],
            r["unplaced_requirements"],
        )
        for r in st_status(example2(h2_places=1), placed)
        if r["hospital"] != "total"
    ]
    assert rows == [
        *((f"2026-0{m}", "H1", 3, 2, 66.7, 1) for m in range(1, 5)),
        ("2026-05", "H1", 2, 2, 100.0, 0),
        ("2026-06", "H1", 2, 2, 100.0, 0),
    ]


def test_followup_st_status_csv_and_its_swedish(tmp_path: Path) -> None:
    # The solve leaves T2's paediatrics unplaced (test_st_status_of_example2_worked_by_hand), so
    # at A, X's hospital: 2 of 3 trainees fully planned in January-April (66.7 %), 2 of 2 after.
    plan = solve(with_trainees(tmp_path), tmp_path / "plan")
    assert [r["trainee"] for r in read_rows(plan / "unplaced.csv")] == ["T2"]
    actuals = tmp_path / "actuals.csv"
    actuals.write_text(ACTUALS, encoding="utf-8")
    out = tmp_path / "followup"
    result = invoke("--lang", "sv", "followup", plan, "--actuals", actuals, "--out", out)
    assert result.exit_code == 0, result.output
    lines = (out / "followup_st_status.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == ST_HEADER
    assert [line for line in lines[1:] if ",A," in line] == [
        "2026-01,A,3,2,66.7,1",
        "2026-02,A,3,2,66.7,1",
        "2026-03,A,3,2,66.7,1",
        "2026-04,A,3,2,66.7,1",
        "2026-05,A,2,2,100.0,0",
        "2026-06,A,2,2,100.0,0",
    ]
    text = flat(result.output)
    # The headings and figures in Swedish: decimal commas, a space before the per cent sign.
    assert "Väntande inom vårdgarantin, plan och utfall" in text
    assert "│ 2026-01 │ A │ 6 │ 100,0 % │ 8 │ 75,0 % │" in text
    assert "ST-läkare i allmänmedicin med alla sidotjänstgöringar planerade (mål 100 %)" in text
    # The status of the month followed up (January) only, the region's row saying totalt.
    assert "│ 2026-01 │ A │ 3 │ 2 │ 66,7 % │ 1 │" in text
    assert "│ 2026-01 │ totalt │ 3 │ 2 │ 66,7 % │ 1 │" in text
    assert "2026-05" not in text
    assert "Utfört mot planerat (mål 100 %), största underskott först" in text
    assert squeezed(f"Uppföljningen är sparad i {out}.") in squeezed(text)


def test_the_same_follow_up_in_english(tmp_path: Path) -> None:
    plan = solve(EXAMPLE1, tmp_path / "plan")
    actuals = tmp_path / "actuals.csv"
    actuals.write_text(ACTUALS, encoding="utf-8")
    result = invoke("--lang", "en", "followup", plan, "--actuals", actuals, "--out", tmp_path / "f")
    assert result.exit_code == 0, result.output
    text = flat(result.output)
    assert "Waiting lists within the care guarantee, planned and reported" in text
    assert "│ 2026-01 │ total │ 6 │ 100.0 % │ 8 │ 75.0 % │ -25.0 │" in text


def test_referrals_of_hospitals_that_do_not_report_are_left_out(tmp_path: Path) -> None:
    # Only B reports January: 1 referral to X it was not planned to make. A's planned flows
    # (2 to X, 1 to B) are A's to report; A sent no file, so they are not listed as 0 %.
    plan = solve(EXAMPLE1, tmp_path / "plan")
    actuals = tmp_path / "actuals.csv"
    actuals.write_text(ACTUALS, encoding="utf-8")
    referrals = tmp_path / "referrals.csv"
    referrals.write_text("hospital,category,provider,month,referrals\nB,k,X,2026-01,1\n", encoding="utf-8")
    out = tmp_path / "followup"
    result = invoke("followup", plan, "--actuals", actuals, "--referrals", referrals, "--out", out)
    assert result.exit_code == 0, result.output
    assert [tuple(r.values()) for r in read_rows(out / "followup_referrals.csv")] == [
        ("2026-01", "B", "X", "0", "1", "1", "")
    ]
    assert [tuple(r.values()) for r in read_rows(out / "followup_referrals_by_provider.csv")] == [
        ("B", "X", "0", "1", "1", ""),
        ("B", "total", "0", "1", "1", ""),
        ("total", "total", "0", "1", "1", ""),
    ]


def test_template_speaks_swedish(tmp_path: Path) -> None:
    # Example 1's production plan has A and B in January and February: 4 rows to fill in.
    plan = solve(EXAMPLE1, tmp_path / "plan")
    target = tmp_path / "actuals.csv"
    result = invoke("--lang", "sv", "template", "actuals", plan, "--out", target)
    assert result.exit_code == 0, result.output
    assert squeezed(f"4 rader att fylla i är sparade i {target}.") in squeezed(result.output)
    result = invoke("--lang", "sv", "template", "actuals", plan, "--out", target)
    assert result.exit_code == 2
    message = f"{target} finns redan; välj en annan --out eller lägg till --overwrite. Inget skrevs."
    assert squeezed(message) in squeezed(result.output)


def test_the_st_status_needs_no_actuals(tmp_path: Path) -> None:
    # A status of the plan: without --actuals the same rows as with them (2 of 3 trainees at A in
    # January-April, 2 of 2 after), and the terminal shows every month, as no month is reported.
    plan = solve(with_trainees(tmp_path), tmp_path / "plan")
    out = tmp_path / "followup"
    result = invoke("--lang", "sv", "followup", plan, "--out", out)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["datapackage.json", "followup_st_status.csv"]
    lines = (out / "followup_st_status.csv").read_text(encoding="utf-8").splitlines()
    assert [line for line in lines[1:] if ",A," in line][::4] == [
        "2026-01,A,3,2,66.7,1",
        "2026-05,A,2,2,100.0,0",
    ]
    text = flat(result.output)
    assert "│ 2026-05 │ A │ 2 │ 2 │ 100,0 % │ 0 │" in text
    assert "Utfört mot planerat" not in text


def test_without_actuals_a_plan_without_trainees_has_nothing_to_follow_up(tmp_path: Path) -> None:
    plan = solve(EXAMPLE1, tmp_path / "plan")
    out = tmp_path / "followup"
    result = invoke("followup", plan, "--out", out)
    assert result.exit_code == 2
    assert squeezed(
        f"Without --actuals only the ST-A status is followed up, and {plan} has no ST-A placements"
    ) in squeezed(result.output)
    assert "Nothing was written." in result.output
    assert not out.exists()
