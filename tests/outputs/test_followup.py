"""`leveransplan followup`: performed against planned and referrals against the delivery plan,
shortfalls first, with figures derived by hand from spec example 1's plan.

Example 1's optimal plan (tests/inputs/test_whatif.py derives it): in 2026-01 A uses 3 base units, B
produces 1 additional unit for A's patient, c1 (provider X) takes 2; in 2026-02 A uses 2 base units.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

from typer.testing import CliRunner

from helpers import EXAMPLE1
from leveransplan.cli import app
from leveransplan.outputs.followup import settle

runner = CliRunner()


def solved(tmp_path: Path) -> Path:
    plan = tmp_path / "plan"
    assert runner.invoke(app, ["solve", str(EXAMPLE1), "--out", str(plan)]).exit_code == 0
    return plan


def write(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_shortfalls_first(tmp_path: Path) -> None:
    plan = solved(tmp_path)
    actuals = write(
        tmp_path / "actuals.csv",
        "hospital,category,month,performed,waiting_end",
        "A,k,2026-01,3,7",  # planned 3 base: 100 %
        "B,k,2026-01,0,0",  # planned 1 additional for A's patients: 0 %
        "A,k,2026-02,1,8",  # planned 2 base: 50 %
    )
    delivered = write(
        tmp_path / "referrals.csv",
        "hospital,category,provider,month,referrals",
        "A,k,X,2026-01,1",  # planned 2 to X: 50 %
        "A,k,B,2026-01,1",  # planned 1 transfer to B: 100 %
        "A,k,Y,2026-01,0",  # neither planned nor delivered: left out
    )
    out = tmp_path / "followup"
    result = runner.invoke(
        app,
        ["followup", str(plan), "--actuals", str(actuals), "--referrals", str(delivered), "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    with (out / "followup_production.csv").open(encoding="utf-8") as handle:
        production = [
            (r["month"], r["hospital"], r["planned"], r["performed"], r["fulfilment_pct"])
            for r in csv.DictReader(handle)
        ]
    assert production == [
        ("2026-01", "B", "1", "0", "0.0"),
        ("2026-02", "A", "2", "1", "50.0"),
        ("2026-01", "A", "3", "3", "100.0"),
    ]
    with (out / "followup_referrals.csv").open(encoding="utf-8") as handle:
        referrals = [
            (r["hospital"], r["provider"], r["planned"], r["delivered"], r["fulfilment_pct"])
            for r in csv.DictReader(handle)
        ]
    assert referrals == [("A", "X", "2", "1", "50.0"), ("A", "B", "1", "1", "100.0")]
    # Per provider over January, then A's total and the region's: 1 + 1 of 1 + 2 = 2 of 3 = 66.7 %.
    with (out / "followup_referrals_by_provider.csv").open(encoding="utf-8") as handle:
        by_provider = [tuple(r.values()) for r in csv.DictReader(handle)]
    assert by_provider == [
        ("A", "B", "1", "1", "0", "100.0"),
        ("A", "X", "2", "1", "-1", "50.0"),
        ("A", "total", "3", "2", "-1", "66.7"),
        ("total", "total", "3", "2", "-1", "66.7"),
    ]
    # Per hospital and kind (k is a visit, price class besok), January and February reported:
    # A 3 of 3, then 1 of 2, so 4 of 5 = 80 % to date; B 0 of 1, then nothing planned in February
    # (its row is not reported and counts as 0 performed of 0).
    with (out / "followup_by_kind.csv").open(encoding="utf-8") as handle:
        by_kind = [
            (
                r["month"],
                r["hospital"],
                r["kind"],
                r["planned"],
                r["performed"],
                r["fulfilment_pct"],
                r["ytd_planned"],
                r["ytd_performed"],
                r["ytd_fulfilment_pct"],
            )
            for r in csv.DictReader(handle)
        ]
    assert by_kind == [
        ("2026-01", "A", "besok", "3", "3", "100.0", "3", "3", "100.0"),
        ("2026-02", "A", "besok", "2", "1", "50.0", "5", "4", "80.0"),
        ("2026-01", "B", "besok", "1", "0", "0.0", "1", "0", "0.0"),
        ("2026-02", "B", "besok", "0", "0", "", "1", "0", "0.0"),
    ]
    # Both months lie in T1 (January-April) and in the year; T2 has no reported month.
    with (out / "followup_periods.csv").open(encoding="utf-8") as handle:
        periods = [
            (
                r["year"],
                r["period"],
                r["hospital"],
                r["planned"],
                r["performed"],
                r["difference"],
                r["fulfilment_pct"],
            )
            for r in csv.DictReader(handle)
        ]
    assert periods == [
        ("2026", "T1", "A", "5", "4", "-1", "80.0"),
        ("2026", "T1", "B", "1", "0", "-1", "0.0"),
        ("2026", "ÅR", "A", "5", "4", "-1", "80.0"),
        ("2026", "ÅR", "B", "1", "0", "-1", "0.0"),
    ]
    # Settlement is per April, August and December: no such month is reported, nothing is settled.
    assert (out / "followup_settlement.csv").read_text(encoding="utf-8").splitlines() == [
        "checkpoint,hospital,category,base_to_date,performed_to_date,additional_performed,"
        "decided_additional,settled_units,price_sek,settled_to_date_sek,settled_earlier_sek,payment_sek"
    ]


def test_a_bad_report_is_located(tmp_path: Path) -> None:
    plan = solved(tmp_path)
    actuals = write(
        tmp_path / "actuals.csv", "hospital,category,month,performed,waiting_end", "A,k,2026-13,3,7"
    )
    result = runner.invoke(
        app, ["followup", str(plan), "--actuals", str(actuals), "--out", str(tmp_path / "f")]
    )
    assert result.exit_code == 3
    assert "actuals.csv, row 2, column month: '2026-13': expected a month written YYYY-MM" in " ".join(
        result.output.split()
    )
    assert not (tmp_path / "f").exists()


def test_templates_list_the_plans_rows_and_followup_reads_them_filled(tmp_path: Path) -> None:
    plan = solved(tmp_path)
    actuals, referrals = tmp_path / "actuals.csv", tmp_path / "referrals.csv"
    for kind, target in (("actuals", actuals), ("referrals", referrals)):
        result = runner.invoke(app, ["template", kind, str(plan), "--out", str(target)])
        assert result.exit_code == 0, result.output
    # Example 1's production plan has A and B in both months; its deliveries are January's
    # transfer A -> B and referral A -> X (the module docstring).
    assert actuals.read_text(encoding="utf-8").splitlines() == [
        "hospital,category,month,performed,waiting_end",
        "A,k,2026-01,,",
        "B,k,2026-01,,",
        "A,k,2026-02,,",
        "B,k,2026-02,,",
    ]
    assert referrals.read_text(encoding="utf-8").splitlines() == [
        "hospital,category,provider,month,referrals",
        "A,k,B,2026-01,",
        "A,k,X,2026-01,",
    ]
    # January filled in, February not yet: followup compares January only.
    actuals.write_text(
        actuals.read_text(encoding="utf-8").replace("A,k,2026-01,,", "A,k,2026-01,3,7"), encoding="utf-8"
    )
    referrals.write_text(
        referrals.read_text(encoding="utf-8").replace("A,k,X,2026-01,", "A,k,X,2026-01,1"),
        encoding="utf-8",
    )
    out = tmp_path / "followup"
    result = runner.invoke(
        app,
        ["followup", str(plan), "--actuals", str(actuals), "--referrals", str(referrals), "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    with (out / "followup_production.csv").open(encoding="utf-8") as handle:
        assert [(r["month"], r["hospital"], r["fulfilment_pct"]) for r in csv.DictReader(handle)] == [
            ("2026-01", "A", "100.0")
        ]
    with (out / "followup_referrals.csv").open(encoding="utf-8") as handle:
        # The transfer to B is planned (1) but its cell is empty: delivered 0 of 1.
        assert [(r["provider"], r["delivered"], r["planned"]) for r in csv.DictReader(handle)] == [
            ("B", "0", "1"),
            ("X", "1", "2"),
        ]


def test_a_template_never_replaces_a_file_unless_told(tmp_path: Path) -> None:
    plan = solved(tmp_path)
    mine = write(tmp_path / "actuals.csv", "my own notes")
    result = runner.invoke(app, ["template", "actuals", str(plan), "--out", str(mine)])
    assert result.exit_code == 2
    assert mine.read_text(encoding="utf-8") == "my own notes\n"
    result = runner.invoke(app, ["template", "actuals", str(plan), "--out", str(mine), "--overwrite"])
    assert result.exit_code == 0, result.output
    assert mine.read_text(encoding="utf-8").startswith("hospital,category,month,performed,waiting_end\n")
    inside = plan / "actuals.csv"
    assert runner.invoke(app, ["template", "actuals", str(plan), "--out", str(inside)]).exit_code == 2
    assert not inside.exists()


def test_a_half_filled_row_is_located(tmp_path: Path) -> None:
    plan = solved(tmp_path)
    header = "hospital,category,month,performed,waiting_end"
    actuals = write(tmp_path / "actuals.csv", header, "A,k,2026-01,3,")
    result = runner.invoke(
        app, ["followup", str(plan), "--actuals", str(actuals), "--out", str(tmp_path / "f")]
    )
    assert result.exit_code == 3
    assert "row 2, column waiting_end" in " ".join(result.output.split())
    assert not (tmp_path / "f").exists()


def test_a_settlement_worked_by_hand() -> None:
    months = [f"2026-{number:02d}" for number in range(1, 13)]
    # H plans 10 base units of c a month and has 10 additional units decided at 2 503 SEK. It
    # performs 13 a month in January-April, 9 in May-August and 12 in September-December.
    base = {(month, "H", "c"): 10 for month in months}
    done = {
        (month, "H", "c"): 13 if month <= "2026-04" else 9 if month <= "2026-08" else 12 for month in months
    }
    # G performs 2 units of c beyond its base by April but has no additional units decided.
    base |= {("2026-04", "G", "c"): 5}
    done |= {("2026-04", "G", "c"): 7}
    rows = settle(base, done, {("H", "c"): 10, ("G", "c"): 0}, {("H", "c"): 2503, ("G", "c"): 2503})
    figures = [
        (
            r["checkpoint"],
            r["hospital"],
            r["additional_performed"],
            r["settled_units"],
            r["settled_to_date_sek"],
            r["settled_earlier_sek"],
            r["payment_sek"],
        )
        for r in rows
    ]
    assert figures == [
        # April: G 7 - 5 = 2 beyond its base, decided 0: nothing paid.
        ("2026-04", "G", 2, 0, 0, 0, 0),
        # April: 4 x 13 = 52 performed against 40 base: 12 additional, capped at 10 x 2 503 = 25 030.
        ("2026-04", "H", 12, 10, 25030, 0, 25030),
        # August: G's 2 units stay, still unpaid.
        ("2026-08", "G", 2, 0, 0, 0, 0),
        # August: 52 + 4 x 9 = 88 against 80: 8 units = 20 024, 5 006 less than paid in April.
        ("2026-08", "H", 8, 8, 20024, 25030, -5006),
        ("2026-12", "G", 2, 0, 0, 0, 0),
        # December: 88 + 4 x 12 = 136 against 120: 16, capped at 10 = 25 030, 5 006 more than August.
        ("2026-12", "H", 16, 10, 25030, 20024, 5006),
    ]


def test_a_scenario_changed_since_the_plan_gives_no_settlement(tmp_path: Path) -> None:
    # The per-kind tables and the settlement take the scenario's categories, prices and decided
    # levels; when its files are not those the plan was made from, they are not written, and the
    # row-by-row comparison (the plan's own files) still is.
    scenario = tmp_path / "scenario"
    shutil.copytree(EXAMPLE1, scenario)
    plan = tmp_path / "plan"
    assert runner.invoke(app, ["solve", str(scenario), "--out", str(plan)]).exit_code == 0
    actuals = write(
        tmp_path / "actuals.csv", "hospital,category,month,performed,waiting_end", "A,k,2026-01,3,7"
    )
    out = tmp_path / "before"
    result = runner.invoke(app, ["followup", str(plan), "--actuals", str(actuals), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "followup_settlement.csv").is_file()
    prices = scenario / "prices.csv"
    prices.write_text(
        prices.read_text(encoding="utf-8").replace("B,besok,150", "B,besok,170"), encoding="utf-8"
    )
    out = tmp_path / "after"
    result = runner.invoke(app, ["followup", str(plan), "--actuals", str(actuals), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "has changed since (prices.csv differ)" in " ".join(result.output.split())
    assert (out / "followup_production.csv").is_file()
    assert not (out / "followup_settlement.csv").exists()
