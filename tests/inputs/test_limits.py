"""Absurd numbers are input errors with a located message, never an internal error.

CP-SAT's integers are 64-bit and its random seed is 32-bit: a 20-digit count or a seed of
99 999 999 999 used to reach the solver and end in a TypeError (exit 1). Whole numbers in the
scenario's cells, --budget and scenario.toml now stop at a documented ceiling of 10**12
(1 000 000 000 000), the seed at 2**31 - 1 = 2 147 483 647, the workers at 1 024, a horizon at
1 200 months and a capacity factor at 1 000. Each test breaks one value of example 1 of the spec
(tests/data/example1: hospitals A and B, category k, contract c1 of provider X, 2026-01..02).
"""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from helpers import EXAMPLE1, only_problem
from leveransplan.cli import app
from leveransplan.inputs.cells import WHOLE_MAX, factor, whole_number
from leveransplan.models.scenario import SolverSettings

EXIT_USAGE, EXIT_INVALID = 2, 3
CEILING = "expected a whole number, 0 or more (at most 1 000 000 000 000)"
TWENTY_DIGITS = "12345678901234567890"
runner = CliRunner()


def replace(folder: Path, file: str, old: str, new: str) -> None:
    """Replace one text in one file of the scenario (it must be there once)."""
    path = folder / file
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, text
    path.write_text(text.replace(old, new), encoding="utf-8")


def refused(result: Any, code: int, says: str) -> None:
    """The command ended with `code` and a message (not a traceback) holding `says`."""
    assert result.exit_code == code, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert " ".join(says.split()) in " ".join(result.output.split()), result.output


def solve(tmp_path: Path, scenario: Path, *flags: str) -> Any:
    return runner.invoke(app, ["solve", str(scenario), "--out", str(tmp_path / "plan"), "--quiet", *flags])


# -- whole numbers in the CSV files ------------------------------------------------------------------


def test_the_ceiling_is_the_last_whole_number_accepted() -> None:
    # 10**12 itself is a count; one more is not, whatever its spelling ("1 000 000 000 001").
    assert whole_number("1000000000000", False) == WHOLE_MAX == 10**12
    assert whole_number("000000000000000000000007", False) == 7  # leading zeros are no digits
    for text in ("1000000000001", "1 000 000 000 001", TWENTY_DIGITS, "9" * 5000):
        with pytest.raises(ValueError, match=r"at most 1 000 000 000 000"):
            whole_number(text, False)


@pytest.mark.parametrize(
    ("file", "old", "new", "row", "column", "value"),
    [
        # Contract c1 with a maximum of 10**17 units, and 20-digit counts and travel times.
        (
            "contracts.csv",
            "c1,X,k,2,3,",
            "c1,X,k,2,100000000000000000,",
            2,
            "volume_max",
            "100000000000000000",
        ),
        ("need.csv", "A,k,10,4", f"A,k,10,{TWENTY_DIGITS}", 2, "inflow", TWENTY_DIGITS),
        ("access.csv", "A,X,30,true", f"A,X,{TWENTY_DIGITS},true", 2, "travel_minutes", TWENTY_DIGITS),
    ],
)
def test_a_number_above_the_ceiling_is_located(
    example1: Path, file: str, old: str, new: str, row: int, column: str, value: str
) -> None:
    replace(example1, file, old, new)
    problem = only_problem(example1)
    assert (problem.file, problem.row, problem.column, problem.value) == (file, row, column, value)
    assert CEILING in str(problem)


def test_a_huge_minimum_is_an_input_error_not_an_internal_one(tmp_path: Path, example1: Path) -> None:
    # volume_min and volume_max of 10**17: the unused-minimum cost 120 * 10**17 = 1.2e19 is above
    # CP-SAT's 9.2e18, which used to end the solve in a TypeError (exit 1).
    replace(example1, "contracts.csv", "c1,X,k,2,3,", "c1,X,k,100000000000000000,100000000000000000,")
    result = solve(tmp_path, example1)
    refused(result, EXIT_INVALID, f"contracts.csv, row 2, column volume_min: '100000000000000000': {CEILING}")
    assert not (tmp_path / "plan").exists()


# -- capacity factors --------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["1001", "1e999999999", "1e-999999999", "0.000000000000000000001"])
def test_a_factor_is_0_to_1000_with_at_most_20_decimals(text: str) -> None:
    # 1e999999999 (and its inverse) turned into a fraction of a billion-digit integer: a hang.
    with pytest.raises(ValueError, match="from 0 to 1 000 with at most 20 decimals"):
        factor(text, False)


def test_factors_within_the_limits_are_kept_exactly() -> None:
    # 20 decimals, and trailing zeros beyond them, are the same number.
    assert factor("1000", False) == 1000
    assert factor("0,00000000000000000001", True) == Decimal("1e-20")
    assert factor("0.50000000000000000000000", False) == Decimal("0.5")


def test_a_profile_factor_above_1000_is_located(example1: Path) -> None:
    replace(example1, "profile.csv", "A;2026-02;0,5", "A;2026-02;1001")
    problem = only_problem(example1)
    assert (problem.file, problem.row, problem.column, problem.value) == ("profile.csv", 2, "factor", "1001")


# -- scenario.toml ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "key", "says"),
    [
        (
            "workers = 1",
            "workers = 1\nseed = 99999999999",
            "solver.seed",
            "0 or more (at most 2 147 483 647)",
        ),
        ("workers = 1", "workers = 1025", "solver.workers", "0 or more (at most 1 024)"),
        ("time_limit_s = 20", "time_limit_s = nan", "solver.time_limit_s", "a number of seconds above 0"),
        ("time_limit_s = 20", "time_limit_s = inf", "solver.time_limit_s", "a number of seconds above 0"),
        ("months = 2", "months = 1201", "months", "1 or more (at most 1 200)"),
        (
            "[objective]",
            "[budget]\nmax_cost_sek = 1_000_000_000_001\n[objective]",
            "budget.max_cost_sek",
            CEILING,
        ),
    ],
)
def test_an_absurd_setting_is_located(example1: Path, old: str, new: str, key: str, says: str) -> None:
    replace(example1, "scenario.toml", old, new)
    problem = only_problem(example1)
    assert problem.file == "scenario.toml"
    assert f"key {key}" in str(problem)
    assert says in str(problem)


@pytest.mark.parametrize("value", ["nan", "inf"])
def test_validate_refuses_a_time_limit_of_nan_or_inf(example1: Path, value: str) -> None:
    # nan passed the check `limit <= 0` (every comparison with nan is false) and then failed
    # pydantic's gt=0 inside the loader: an internal error of `validate`.
    replace(example1, "scenario.toml", "time_limit_s = 20", f"time_limit_s = {value}")
    result = runner.invoke(app, ["validate", str(example1)])
    refused(result, EXIT_INVALID, f"solver.time_limit_s: '{value}': expected a number of seconds above 0")


def test_a_seed_above_32_bits_in_the_scenario_is_an_input_error(tmp_path: Path, example1: Path) -> None:
    replace(example1, "scenario.toml", "workers = 1", "workers = 1\nseed = 99999999999")
    result = solve(tmp_path, example1)
    refused(result, EXIT_INVALID, "'99999999999': expected a whole number, 0 or more (at most 2 147 483 647)")


# -- command-line flags ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "flags",
    [
        ["--seed", "99999999999"],  # CP-SAT's random_seed is 32-bit: a TypeError before
        ["--seed", str(2**31)],
        ["--workers", "1025"],
        ["--time-limit", "inf"],
        ["--time-limit", "nan"],
    ],
)
def test_solver_flags_out_of_range(tmp_path: Path, flags: list[str]) -> None:
    result = solve(tmp_path, EXAMPLE1, *flags)
    refused(result, EXIT_USAGE, "--workers 0 to 1024 and --seed 0 to 2147483647")


def test_the_largest_seed_is_accepted(tmp_path: Path) -> None:
    result = solve(tmp_path, EXAMPLE1, "--seed", str(2**31 - 1))
    assert result.exit_code == 0, result.output


def test_solver_settings_bounds() -> None:
    assert SolverSettings(seed=2**31 - 1, workers=1024).seed == 2_147_483_647
    for wrong in (
        {"seed": 2**31},
        {"workers": 1025},
        {"time_limit_s": float("nan")},
        {"time_limit_s": 1e999},
    ):
        with pytest.raises(ValidationError):
            SolverSettings(**wrong)


@pytest.mark.parametrize(
    ("flags", "says"),
    [
        # 1e30 SEK is whole but above the ceiling; on the shipped scenario the budget constraint
        # then overflowed CP-SAT (exit 1).
        (["--budget", "1e30"], "--budget 1e30: expected whole SEK, 0 or more (at most 1 000 000 000 000)"),
        (["--budget", "1000000000001"], "expected whole SEK, 0 or more (at most 1 000 000 000 000)"),
        # Decimal arithmetic overflowed on 1e999999999 (decimal.Overflow, exit 1).
        (["--scale", "need.inflow=1e999999999"], "with a factor from 0 to 1 000"),
        (["--shift", "A:2026-02=1e20"], "with a factor from 0 to 1 000"),
        (["--dip", "A:2026-02=1e20"], "with the share of capacity kept from 0 to 1"),
        # A valid cell and a valid factor whose product passes the ceiling: 10**12 * 2.
        (
            ["--set", "need.A/k.inflow=1000000000000", "--scale", "need.inflow=2"],
            f"need.csv column inflow: {CEILING}",
        ),
        # A's factor in 2026-02 is 0.5; 0.5 * 1000 = 500 is fine, but --set makes it 2 first:
        # 2 * 1000 = 2000 is above 1 000.
        (
            ["--set", "profile.A/2026-02.factor=2", "--shift", "A:2026-02=1000"],
            "profile.csv column factor: expected a decimal number from 0 to 1 000",
        ),
    ],
)
def test_what_if_numbers_out_of_range(tmp_path: Path, flags: list[str], says: str) -> None:
    result = solve(tmp_path, EXAMPLE1, *flags)
    refused(result, EXIT_USAGE, says)
    assert not (tmp_path / "plan").exists()


def test_a_budget_at_the_ceiling_is_accepted(tmp_path: Path) -> None:
    # Example 1's optimum costs 390 SEK: a cap of 10**12 does not bind.
    result = solve(tmp_path, EXAMPLE1, "--budget", "1e12")
    assert result.exit_code == 0, result.output


def test_figures_whose_products_overflow_are_named(tmp_path: Path) -> None:
    # Each figure under the 10**12 ceiling, but 2 * 10**12 patients at 10**12 SEK each make a
    # cost of about 2 * 10**24, beyond 2**62 (4.6 * 10**18): the largest price is named.
    folder = tmp_path / "big"
    shutil.copytree(EXAMPLE1, folder)
    prices = (
        (folder / "prices.csv").read_text(encoding="utf-8").replace("A,besok,100", "A,besok,999999999999")
    )
    (folder / "prices.csv").write_text(prices, encoding="utf-8")
    need = (
        (folder / "need.csv").read_text(encoding="utf-8").replace("A,k,10,4", "A,k,999999999999,999999999999")
    )
    (folder / "need.csv").write_text(need, encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", str(folder)])
    assert result.exit_code == 3
    assert "prices.csv, row 2, column price_sek: '999999999999': is too large" in " ".join(
        result.output.split()
    )
