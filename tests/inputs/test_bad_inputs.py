"""Bad input beside the scenario: reported outcomes with a key twice, a variants file with keys of
the wrong type, and one cell set twice on the command line. Each is a message, never a traceback,
and nothing is written.

Example 1 of the spec (tests/data/example1): hospitals A and B, category k, contract c1 with
provider X (volume_max 3), months 2026-01..2026-02.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from helpers import EXAMPLE1
from leveransplan.cli import app
from leveransplan.inputs.actuals import ActualsInvalid, read_actuals, read_referrals
from leveransplan.inputs.whatif import WhatIfInvalid, parse_what_ifs
from leveransplan.optimizer.sweep import Variant, VariantsInvalid, read_variants

EXIT_USAGE, EXIT_INVALID = 2, 3
ACTUALS = "hospital,category,month,performed,waiting_end"
REFERRALS = "hospital,category,provider,month,referrals"

runner = CliRunner()


def refused(result: Any, code: int, message: str) -> None:
    """The command ended with `code` and `message`, as a message and not as a traceback."""
    assert result.exit_code == code, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    # Compared without whitespace: rich wraps long paths anywhere, even inside a word.
    assert "".join(message.split()) in "".join(result.output.split()), result.output
    assert "Nothing was written" in result.output


def write(path: Path, *lines: str) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


# --- reported outcomes: each key once -------------------------------------------------------------


@pytest.mark.parametrize("again", ["A,k,2026-01,4,7", "A,k,2026-01,3,8"], ids=["conflicting", "repeated"])
def test_actuals_with_a_key_twice(tmp_path: Path, again: str) -> None:
    # Rows 2 and 4 both report A, k, 2026-01; the later one names the first (like the scenario's
    # unique keys), whether its figures differ or not.
    actuals = write(tmp_path / "utfall.csv", ACTUALS, "A,k,2026-01,3,8", "B,k,2026-01,1,0", again)
    with pytest.raises(ActualsInvalid) as raised:
        read_actuals(actuals)
    assert [str(p) for p in raised.value.problems] == [
        "utfall.csv, row 4, column month: '2026-01': duplicates row 2 (A, k, 2026-01); each key once"
    ]
    out = tmp_path / "f"
    result = runner.invoke(app, ["followup", str(tmp_path), "--actuals", str(actuals), "--out", str(out)])
    refused(result, EXIT_INVALID, "utfall.csv, row 4, column month: '2026-01': duplicates row 2")
    assert not out.exists()


def test_referrals_with_a_key_twice(tmp_path: Path) -> None:
    # A's referrals to X in k, 2026-02 are in rows 3 and 5; A's to B in row 4 is another key.
    referrals = write(
        tmp_path / "remisser.csv",
        REFERRALS,
        "A,k,X,2026-01,1",
        "A,k,X,2026-02,2",
        "A,k,B,2026-02,1",
        "A,k,X,2026-02,5",
    )
    with pytest.raises(ActualsInvalid) as raised:
        read_referrals(referrals)
    assert [str(p) for p in raised.value.problems] == [
        "remisser.csv, row 5, column month: '2026-02': duplicates row 3 (A, k, X, 2026-02); each key once"
    ]
    actuals = write(tmp_path / "actuals.csv", ACTUALS, "A,k,2026-01,3,8")
    out = tmp_path / "f"
    result = runner.invoke(
        app,
        [
            "followup",
            str(tmp_path),
            "--actuals",
            str(actuals),
            "--referrals",
            str(referrals),
            "--out",
            str(out),
        ],
    )
    refused(result, EXIT_INVALID, "remisser.csv, row 5, column month: '2026-02': duplicates row 3")
    assert not out.exists()


def test_a_month_of_each_key_is_no_duplicate(tmp_path: Path) -> None:
    actuals = write(tmp_path / "a.csv", ACTUALS, "A,k,2026-01,3,8", "A,k,2026-02,2,6", "B,k,2026-01,1,0")
    assert [(p.row, p.month) for p in read_actuals(actuals)] == [
        (2, "2026-01"),
        (3, "2026-02"),
        (4, "2026-01"),
    ]


# --- the variants file: each key of its type ------------------------------------------------------


def variants_file(tmp_path: Path, *lines: str) -> Path:
    return write(tmp_path / "v.toml", "[[variant]]", 'name = "x"', *lines)


@pytest.mark.parametrize(
    ("line", "budget"),
    [("budget = 5", "5"), ("budget = 250_000_000", "250000000"), ('budget = "250e6"', "250e6")],
)
def test_a_budget_is_a_whole_number_or_a_text(tmp_path: Path, line: str, budget: str) -> None:
    # A whole number is passed on as --budget takes it, as its digits.
    assert read_variants(variants_file(tmp_path, line)) == [Variant("x", {"budget": budget})]


BUDGET = 'expected whole SEK, 0 or more: a whole number (250000000) or a text ("250e6")'


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ("budget = 5.5", f"key budget: 5.5: {BUDGET}"),
        ("budget = 2.5e8", f"key budget: 250000000.0: {BUDGET}"),
        ("budget = -5", f"key budget: -5: {BUDGET}"),
        ("budget = true", f"key budget: True: {BUDGET}"),
        (
            'set = "contracts.c1.volume_max=2"',
            "key set: 'contracts.c1.volume_max=2': expected a list of texts, "
            'e.g. set = ["contracts.KAT-1.volume_max=2500"]',
        ),
        ("where = [1]", 'key where: [1]: expected a list of texts, e.g. where = ["hospital=SÄS"]'),
        (
            'objective = "volumes=cost"',
            "key objective: 'volumes=cost': expected a list of texts, "
            'e.g. objective = ["volumes=over_guarantee,cost"]',
        ),
    ],
)
def test_a_key_of_the_wrong_type_is_named(tmp_path: Path, line: str, says: str) -> None:
    path = variants_file(tmp_path, line)
    with pytest.raises(VariantsInvalid) as raised:
        read_variants(path)
    assert str(raised.value) == f"{path}, variant 1 (x), {says}"


def test_every_bad_variant_is_listed(tmp_path: Path) -> None:
    path = write(
        tmp_path / "v.toml",
        "[[variant]]",
        'name = "a"',
        'set = "x"',
        "budget = 1.5",
        "[[variant]]",
        'name = "b"',
        'without_provider = ["X"]',
        "[[variant]]",
        'name = "c"',
        'dip = "A:2026-01=0.5"',
    )
    with pytest.raises(VariantsInvalid) as raised:
        read_variants(path)
    assert [line.split(":")[0] for line in str(raised.value).splitlines()] == [
        f"{path}, variant 1 (a), key set",
        f"{path}, variant 1 (a), key budget",
        f"{path}, variant 3 (c), key dip",
    ]


@pytest.mark.parametrize(
    ("line", "says"),
    [("budget = 5.5", "variant 1 (x), key budget: 5.5: expected whole SEK"), ('set = "ab"', "key set: 'ab'")],
)
def test_sweep_refuses_a_bad_variants_file(tmp_path: Path, line: str, says: str) -> None:
    out = tmp_path / "s.csv"
    variants = variants_file(tmp_path, line)
    result = runner.invoke(app, ["sweep", str(EXAMPLE1), "--variants", str(variants), "--out", str(out)])
    refused(result, EXIT_USAGE, says)
    assert not out.exists()


# --- one cell set twice ---------------------------------------------------------------------------

TWICE = (
    "--set contracts.c1.volume_max=2: sets the same cell as --set contracts.c1.volume_max=1; "
    "set each cell once"
)


def test_the_same_cell_set_twice_is_an_error() -> None:
    with pytest.raises(WhatIfInvalid) as raised:
        parse_what_ifs(
            sets=["contracts.c1.volume_max=1", "contracts.c1.volume_min=0", "contracts.c1.volume_max=2"]
        )
    assert [str(p) for p in raised.value.problems] == [TWICE]


def test_other_cells_of_a_row_may_each_be_set() -> None:
    changes = parse_what_ifs(sets=["contracts.c1.volume_max=1", "contracts.c1.volume_min=0"])
    assert [str(c) for c in changes] == ["--set contracts.c1.volume_max=1", "--set contracts.c1.volume_min=0"]


def test_solve_refuses_the_same_cell_set_twice(tmp_path: Path) -> None:
    out = tmp_path / "plan"
    result = runner.invoke(
        app,
        [
            "solve", str(EXAMPLE1), "--out", str(out),
            "--set", "contracts.c1.volume_max=1", "--set", "contracts.c1.volume_max=2",
        ],
    )  # fmt: skip
    refused(result, EXIT_USAGE, TWICE)
    assert not out.exists()
