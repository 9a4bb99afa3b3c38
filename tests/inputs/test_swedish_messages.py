"""The messages about bad input and the plan checker's findings in Swedish, the default language,
and unchanged in English with --lang en.

A message keeps the file, the row as a spreadsheet numbers it (header = row 1), the column and
the value as the analyst wrote them; only the words around them and what was expected are
translated. Figures are Swedish: 1 000 000 000 000 with no-break spaces, which `flat` turns into
plain spaces as rich's wrapping is undone.

Example 1 of the spec (tests/data/example1): hospitals A and B, category k, contract c1 with
provider X; need.csv has one row, A,k,10,4 (row 2).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from helpers import EXAMPLE1, flat, invoke, refused
from helpers.plans import check, one_violation, optimal_plan
from leveransplan.inputs import load_scenario
from leveransplan.inputs.problems import InputProblem
from leveransplan.models.language import use_language

EXIT_USAGE, EXIT_INVALID, EXIT_CHECK = 2, 3, 6


def broken_example1(tmp_path: Path, need: str) -> Path:
    """A copy of example 1 whose need.csv is `need` (header and rows)."""
    folder = tmp_path / "example1"
    shutil.copytree(EXAMPLE1, folder)
    (folder / "need.csv").write_text(need, encoding="utf-8")
    return folder


def test_a_bad_cell_in_swedish_names_file_row_column_value_and_expectation(tmp_path: Path) -> None:
    # Row 2 of need.csv (the header is row 1) has inflow -1; a count is a whole number from 0 to
    # WHOLE_MAX = 10**12, grouped the Swedish way.
    folder = broken_example1(tmp_path, "hospital,category,waiting,inflow\nA,k,10,-1\n")
    result = invoke("--lang", "sv", "validate", folder)
    refused(result, EXIT_INVALID)
    assert (
        "need.csv, rad 2, kolumn inflow: '-1': förväntat ett heltal, 0 eller mer (högst 1 000 000 000 000)"
        in flat(result.output)
    )


def test_a_code_another_table_lacks_in_swedish(tmp_path: Path) -> None:
    # Row 3 names hospital C, which hospitals.csv (A and B) does not have.
    folder = broken_example1(tmp_path, "hospital,category,waiting,inflow\nA,k,10,4\nC,k,1,1\n")
    result = invoke("--lang", "sv", "validate", folder)
    refused(result, EXIT_INVALID)
    assert "need.csv, rad 3, kolumn hospital: 'C': är inget sjukhus i hospitals.csv" in flat(result.output)


def test_the_same_bad_cell_in_english_is_unchanged(tmp_path: Path) -> None:
    folder = broken_example1(tmp_path, "hospital,category,waiting,inflow\nA,k,10,-1\n")
    result = invoke("--lang", "en", "validate", folder)
    refused(result, EXIT_INVALID)
    assert (
        "need.csv, row 2, column inflow: '-1': expected a whole number, 0 or more (at most 1 000 000 000 000)"
        in flat(result.output)
    )


def test_a_problem_reads_in_the_language_of_the_moment_it_is_printed() -> None:
    # The place words (row, column) are put together when the problem is shown, so a problem
    # found before the language is chosen still reads in the language chosen.
    problem = InputProblem("need.csv", 2, "inflow", "-1", "expected a value")
    use_language("sv")
    assert str(problem) == "need.csv, rad 2, kolumn inflow: '-1': expected a value"
    use_language("en")
    assert str(problem) == "need.csv, row 2, column inflow: '-1': expected a value"


@pytest.mark.parametrize(
    ("language", "message"),
    [
        # FACTOR_MAX = 1000, grouped: 1 000 in both languages (a no-break space).
        (
            "sv",
            "--scale need.inflow=mycket: förväntat TABELL.KOLUMN=FAKTOR med en faktor från 0 till 1 000, "
            "t.ex. need.inflow=1.10",
        ),
        (
            "en",
            "--scale need.inflow=mycket: expected TABLE.COLUMN=FACTOR with a factor from 0 to 1 000, "
            "e.g. need.inflow=1.10",
        ),
    ],
)
def test_a_what_if_flag_written_wrongly(tmp_path: Path, language: str, message: str) -> None:
    out = tmp_path / "plan"
    result = invoke("--lang", language, "solve", EXAMPLE1, "--scale", "need.inflow=mycket", "--out", out)
    refused(result, EXIT_USAGE)
    assert message in flat(result.output)
    assert not out.exists()


def test_a_what_if_flag_naming_what_the_scenario_lacks_in_swedish(tmp_path: Path) -> None:
    # --set on need.csv's row for C: need.csv has only A/k, so the key names no row.
    out = tmp_path / "plan"
    result = invoke("--lang", "sv", "solve", EXAMPLE1, "--set", "need.C/k.inflow=5", "--out", out)
    refused(result, EXIT_USAGE)
    assert "--set need.C/k.inflow=5: 'C/k': need.csv har ingen rad hospital/category = C/k" in flat(
        result.output
    )
    assert not out.exists()


def test_a_checker_finding_in_swedish(tmp_path: Path) -> None:
    # Example 1's optimal plan with row 3 (the referral of 2 to c1 at 120 SEK) costing 2 500:
    # 2 × 120 = 240. The figure is grouped the Swedish way, the file and column names stay.
    scenario = load_scenario(EXAMPLE1)
    plan = optimal_plan()
    plan["delivery_plan.csv"][1][8] = 2500
    use_language("sv")
    violations = check(scenario, tmp_path, plan)
    found = one_violation(violations, "delivery_plan.csv rad 3")
    assert flat(found) == "delivery_plan.csv rad 3: cost_sek 2 500 är inte volym 2 × unit_price_sek 120 = 240"


@pytest.mark.parametrize(
    ("language", "changed", "zero_flow"),
    [
        (
            "sv",
            "delivery_plan.csv har ändrats sedan planen skrevs (dess SHA-256 skiljer sig från manifest.json)",
            "delivery_plan.csv rad {row}: volym 0; leveransplanen listar bara flöden som inte är noll",
        ),
        (
            "en",
            "delivery_plan.csv has changed since the plan was written "
            "(its SHA-256 differs from manifest.json)",
            "delivery_plan.csv row {row}: volume 0; the delivery plan lists only non-zero flows",
        ),
    ],
)
def test_check_of_a_plan_changed_by_hand(tmp_path: Path, language: str, changed: str, zero_flow: str) -> None:
    plan = tmp_path / "plan"
    assert invoke("solve", EXAMPLE1, "--deterministic", "--workers", "1", "--out", plan).exit_code == 0
    delivery = plan / "delivery_plan.csv"
    text = delivery.read_text(encoding="utf-8")
    # The added flow is the row after the last: the header is row 1, so one more than the lines.
    row = len(text.splitlines()) + 1
    delivery.write_text(text + "2026-02,A,k,external,X,c1,0,120,0\n", encoding="utf-8")
    result = invoke("--lang", language, "check", EXAMPLE1, plan)
    assert result.exit_code == EXIT_CHECK, result.output
    assert changed in flat(result.output)
    assert zero_flow.format(row=row) in flat(result.output)
