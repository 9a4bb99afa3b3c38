"""Input files as files: which may sit in a scenario folder, how records are split, what is not read.

Example 1 of the spec (tests/data/example1: hospitals A and B, category k, contract c1 with
provider X, months 2026-01..2026-02) is copied and one file is added, replaced or broken. Rows
are numbered as a spreadsheet shows them: the header is row 1.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

import pytest
from typer.testing import CliRunner

from helpers import EXAMPLE1, only_message, problems_in, refused
from leveransplan.cli import app
from leveransplan.inputs import default_scenario_path, load_scenario
from leveransplan.inputs.actuals import ActualsInvalid, read_actuals
from leveransplan.inputs.generators.synthetic import generate_scenario
from leveransplan.inputs.plan_files import read_plan_csv
from leveransplan.inputs.tables import MAX_FILE_BYTES, MAX_PROBLEMS_PER_FILE, UnreadableFile
from leveransplan.optimizer.sweep import VariantsInvalid, read_variants

EXIT_USAGE, EXIT_INVALID = 2, 3
HOSPITALS = "hospital,name"
# csv's limit on one cell (csv.field_size_limit()), as the message writes it.
CELL_LIMIT = "131 072"
TOO_LONG = f'a cell is longer than {CELL_LIMIT} characters, the most one cell may hold: is a quote (") opened'

runner = CliRunner()


def write(path: Path, text: str) -> None:
    path.write_bytes(text.encode("utf-8"))


@contextmanager
def within(seconds: int) -> Iterator[None]:
    """Fail instead of hanging when a read blocks (opening a named pipe waits for a writer)."""

    def stop(signum: int, frame: FrameType | None) -> None:
        raise TimeoutError(f"still reading after {seconds} s: the read blocked")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


# --- files beside the scenario's ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("Contracts.csv", "did you mean contracts.csv? (file names are lower case)"),
        ("contract.csv", "did you mean contracts.csv?"),
        ("profiles.csv", "did you mean profile.csv?"),
        ("access.xlsx", "did you mean access.csv? (save it as 'CSV UTF-8' in Excel)"),
        ("Scenario.TOML", "did you mean scenario.toml? (file names are lower case)"),
    ],
)
def test_a_misspelled_file_is_an_error(example1: Path, name: str, says: str) -> None:
    # Misspelled, an optional table would be left out of the plan without a word.
    write(example1 / name, (EXAMPLE1 / "contracts.csv").read_text(encoding="utf-8"))
    assert only_message(example1) == f"{name}: is not a file of the scenario format; {says}"


def test_a_file_near_no_name_of_the_format_says_where_others_go(example1: Path) -> None:
    # "data" is not near any table's name (difflib's ratio to "at" is 0.67).
    write(example1 / "data.csv", "a,b\n")
    message = only_message(example1)
    assert message.startswith("data.csv: is not a file of the scenario format; expected scenario.toml, ")
    assert message.endswith("README or notes files; keep other files in a sub-folder")


def test_validate_and_solve_refuse_a_misspelled_table(example1: Path, tmp_path: Path) -> None:
    (example1 / "contracts.csv").rename(example1 / "Contracts.csv")
    (example1 / "access.csv").unlink()  # access.csv names provider X of the contract
    says = "Contracts.csv: is not a file of the scenario format; did you mean contracts.csv?"
    refused(runner.invoke(app, ["validate", str(example1)]), EXIT_INVALID, says)
    out = tmp_path / "plan"
    refused(runner.invoke(app, ["solve", str(example1), "--out", str(out)]), EXIT_INVALID, says)
    assert not out.exists()


@pytest.mark.parametrize(
    "name",
    [
        "README.md",
        "readme",
        "ReadMe.txt",
        "notes.txt",
        "NOTES",
        ".DS_Store",
        ".~lock.need.csv#",
        "~$contracts.xlsx",
        "Thumbs.db",
        "desktop.ini",
    ],
)
def test_notes_and_the_systems_files_are_left_alone(example1: Path, name: str) -> None:
    write(example1 / name, "whatever\n")
    assert load_scenario(example1).name == "Example 1"


def test_a_sub_folder_is_left_alone(example1: Path) -> None:
    (example1 / "old plans").mkdir()
    write(example1 / "old plans" / "Contracts.csv", "x\n")
    assert load_scenario(example1).name == "Example 1"


def test_the_shipped_and_generated_scenarios_have_only_their_own_files(tmp_path: Path) -> None:
    # The shipped scenario and `generate`'s output both hold a README.md beside the tables.
    assert (default_scenario_path() / "README.md").is_file()
    assert load_scenario(default_scenario_path()).name == "VGR 2026"
    assert load_scenario(EXAMPLE1).name == "Example 1"
    assert "README.md" in generate_scenario(1, 0)
    assert runner.invoke(app, ["generate", str(tmp_path / "generated")]).exit_code == 0
    assert (tmp_path / "generated" / "README.md").is_file()
    load_scenario(tmp_path / "generated")


# --- records as a spreadsheet reads them ----------------------------------------------------------


@pytest.mark.parametrize("inside", ["\u2028", "\u2029", "\x0b", "\x0c", "\x1c", "\x85"])
def test_only_a_line_break_ends_a_record(example1: Path, inside: str) -> None:
    # str.splitlines() ends a line at each of these; a spreadsheet keeps them in the cell.
    write(example1 / "hospitals.csv", f"{HOSPITALS}\nA,Hospital{inside}A\nB,Hospital B\n")
    names = [h.name for h in load_scenario(example1).hospitals]
    assert names == [f"Hospital{inside}A", "Hospital B"]


def test_a_quoted_cell_keeps_its_line_break(example1: Path) -> None:
    write(example1 / "hospitals.csv", f'{HOSPITALS}\nA,"Hospital\nA"\nB,Hospital B\n')
    assert [h.name for h in load_scenario(example1).hospitals] == ["Hospital\nA", "Hospital B"]


@pytest.mark.parametrize("name", ['"Hos\npital A"', "Hospital\u2028A"], ids=["line break", "U+2028"])
def test_rows_are_records_as_a_spreadsheet_numbers_them(example1: Path, name: str) -> None:
    # Header row 1, A's record row 2 (a quoted line break or a U+2028 in its name), B's row 3.
    write(example1 / "hospitals.csv", f"{HOSPITALS}\nA,{name}\nB,\n")
    assert only_message(example1) == "hospitals.csv, row 3, column name: '': expected a value"


def test_a_byte_that_is_not_utf8_is_located_by_record(example1: Path) -> None:
    # The record of A spans two lines; B's name, with byte 0x81 (undefined in cp1252), is row 3.
    (example1 / "hospitals.csv").write_bytes(b'hospital,name\nA,"Hos\npital"\nB,x\x81\n')
    message = only_message(example1)
    assert message.startswith("hospitals.csv, row 3, column name: 'x\ufffd': has byte 0x81")


def test_semicolons_and_decimal_commas_still_come_from_the_header(example1: Path) -> None:
    # The header has two ';' and no ','; the quoted name holds a ',' and a line break.
    write(example1 / "hospitals.csv", 'hospital;name\nA;"Hospital, A\n(main)"\nB;Hospital B\n')
    write(example1 / "profile.csv", "hospital;month;factor\nA;2026-02;0,25\n")
    scenario = load_scenario(example1)
    assert scenario.hospitals[0].name == "Hospital, A\n(main)"
    assert str(scenario.profile[0].factor) == "0.25"


# --- a cell longer than the csv module reads ------------------------------------------------------


@pytest.mark.parametrize("cell", ['"' + "x" * 200_000, "x" * 140_000], ids=["quote never closed", "long"])
def test_a_cell_over_the_limit_is_located(example1: Path, cell: str) -> None:
    # A's row is row 2; an unclosed quote takes in the rest of the file, and so makes the cell long.
    write(example1 / "hospitals.csv", f"{HOSPITALS}\nA,{cell}\nB,Hospital B\n")
    message = only_message(example1)
    assert message.startswith(f"hospitals.csv, row 2: {TOO_LONG}")
    refused(runner.invoke(app, ["validate", str(example1)]), EXIT_INVALID, "hospitals.csv, row 2: a cell is")


def test_a_plan_csv_with_a_cell_over_the_limit_is_located(tmp_path: Path) -> None:
    plan = tmp_path / "plan"
    plan.mkdir()
    write(plan / "production_plan.csv", 'month,hospital\n2026-01,A\n2026-02,"' + "x" * 200_000 + "\n")
    with pytest.raises(UnreadableFile, match=f"^row 3: a cell is longer than {CELL_LIMIT} characters"):
        read_plan_csv(plan / "production_plan.csv")
    actuals = tmp_path / "actuals.csv"
    write(actuals, "hospital,category,month,performed,waiting_end\nA,k,2026-01,3,8\n")
    out = tmp_path / "f"
    result = runner.invoke(app, ["followup", str(plan), "--actuals", str(actuals), "--out", str(out)])
    refused(result, EXIT_USAGE, f"cannot be read (row 3: a cell is longer than {CELL_LIMIT} characters")
    assert not out.exists()


# --- what is not a regular file, and what is too large --------------------------------------------

FIFO = "is not a regular file (a FIFO, a named pipe); expected"


@pytest.mark.parametrize(
    ("name", "expected"), [("contracts.csv", "a CSV file"), ("scenario.toml", "a TOML file")]
)
def test_a_named_pipe_in_the_scenario_is_refused_without_waiting(
    example1: Path, name: str, expected: str
) -> None:
    (example1 / name).unlink()
    os.mkfifo(example1 / name)
    with within(10):
        assert only_message(example1) == f"{name}: {FIFO} {expected}"


def test_a_named_pipe_is_refused_by_every_reader(tmp_path: Path) -> None:
    pipe = tmp_path / "pipe.csv"
    os.mkfifo(pipe)
    with within(10):
        with pytest.raises(ActualsInvalid, match=r"pipe\.csv: is not a regular file"):
            read_actuals(pipe)
        with pytest.raises(UnreadableFile, match=r"^is not a regular file"):
            read_plan_csv(pipe)
        variants = tmp_path / "variants.toml"
        os.mkfifo(variants)
        with pytest.raises(VariantsInvalid) as raised:
            read_variants(variants)
        assert str(raised.value) == f"{variants}: {FIFO} a TOML file"


def test_a_link_to_a_device_is_refused(example1: Path) -> None:
    # /dev/null, not /dev/zero: code that reads a device anyway must fail this test, not fill the
    # memory. A link to a regular file is followed.
    (example1 / "need.csv").rename(example1.parent / "need elsewhere.csv")
    (example1 / "need.csv").symlink_to(example1.parent / "need elsewhere.csv")
    assert load_scenario(example1).need[0].waiting == 10
    (example1 / "contracts.csv").unlink()
    (example1 / "contracts.csv").symlink_to("/dev/null")
    assert only_message(example1) == "contracts.csv: is not a regular file (a device); expected a CSV file"


def test_a_file_over_the_cap_is_refused_unread(example1: Path) -> None:
    # A sparse file: MAX_FILE_BYTES + 1 bytes long without taking the disk space.
    with (example1 / "need.csv").open("r+b") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)
    assert only_message(example1) == (
        "need.csv: is larger than 256 MiB, the most an input file may hold; expected a CSV file"
    )


# --- many problems in one file --------------------------------------------------------------------


def test_the_problems_of_one_file_are_capped_and_counted(example1: Path) -> None:
    # 250 rows of need.csv with a negative waiting list: 250 problems, of which the first 100
    # (rows 2..101) are listed and the other 150 counted in one more.
    rows = "".join(f"A,k{n},-1,4\n" for n in range(250))
    write(example1 / "need.csv", "hospital,category,waiting,inflow\n" + rows)
    problems = [p for p in problems_in(example1) if p.file == "need.csv"]
    assert MAX_PROBLEMS_PER_FILE == 100
    assert len(problems) == 101
    assert [p.row for p in problems[:100]] == list(range(2, 102))
    assert str(problems[-1]) == "need.csv: has 150 more problems, not listed: the first 100 are above"


def test_a_file_with_few_problems_lists_them_all(example1: Path) -> None:
    rows = "".join(f"A,k{n},-1,4\n" for n in range(MAX_PROBLEMS_PER_FILE))
    write(example1 / "need.csv", "hospital,category,waiting,inflow\n" + rows)
    problems = [p for p in problems_in(example1) if p.file == "need.csv"]
    assert [p.row for p in problems] == list(range(2, 102))
