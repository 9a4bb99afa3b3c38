"""Reading inputs robustly: files not in UTF-8, files that cannot be read, and Excel's CSV dialect.

Example 1 of the spec (tests/data/example1: hospitals A and B, category k, contract c1 with
provider X, months 2026-01..2026-02) is copied and one file is replaced by what another program
would have written. Swedish Excel on Windows saves "CSV (semikolonavgränsad)" in Windows-1252
(cp1252) with ';', decimal commas and CRLF; such a file loads, with a note on stderr. Bytes that are
neither UTF-8 nor cp1252 (0x81, 0x8D, 0x8F, 0x90, 0x9D are undefined in cp1252) are a located
problem. We run as root here, so a locked file (PermissionError, what Windows gives for a file
open in Excel) is simulated by patching Path.open for that one file.
"""

from __future__ import annotations

import errno
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from helpers import ACTUALS, EXAMPLE1, flat, only_message, refused
from leveransplan.cli import app
from leveransplan.inputs import load_scenario
from leveransplan.inputs.actuals import ActualsInvalid, read_actuals, read_referrals

EXIT_USAGE, EXIT_INVALID = 2, 3
LOCKED = "cannot be read (permission denied: is it open in another program, e.g. Excel?)"
A_FOLDER = "cannot be read: it is a folder; expected a file"
CONTRACTS = (
    "contract;provider;category;volume_min;volume_max;price_sek;"
    "first_month;last_month;monthly_max;out_of_region"
)

runner = CliRunner()


def excel_csv(*lines: str) -> bytes:
    """What Swedish Excel saves as "CSV (semikolonavgränsad)": cp1252 and CRLF."""
    return "".join(line + "\r\n" for line in lines).encode("cp1252")


def fail_reading(monkeypatch: pytest.MonkeyPatch, name: str, error: OSError) -> None:
    """Opening the file called `name` raises `error`; every other file opens as usual."""
    original: Callable[..., Any] = Path.open

    def open_file(self: Path, *args: Any, **kwargs: Any) -> Any:
        if self.name == name:
            raise error
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", open_file)


def locked() -> PermissionError:
    return PermissionError(errno.EACCES, "Permission denied")


# --- files not in UTF-8 -------------------------------------------------------------------------


def test_an_excel_csv_in_cp1252_loads_with_a_note(example1: Path) -> None:
    # Excel's ';' file: cp1252 letters, CRLF, a thousands separator that is a no-break space
    # (0xA0 in cp1252), the separators Excel leaves for a column once used and cleared, and a
    # row of separators only. c1's price "1 200" reads as 1200; the rest as example 1.
    (example1 / "contracts.csv").write_bytes(
        excel_csv(CONTRACTS + ";;", "c1;X;k;2;3;1\u00a0200;;;2;nej;;", ";;;;;;;;;;;")
    )
    (example1 / "hospitals.csv").write_bytes(excel_csv("hospital;name", "A;Södra Älvsborg", "B;Borås"))
    scenario = load_scenario(example1)
    assert [(h.hospital, h.name) for h in scenario.hospitals] == [("A", "Södra Älvsborg"), ("B", "Borås")]
    contract = scenario.contracts[0]
    assert (contract.contract, contract.price_sek, contract.monthly_max, contract.out_of_region) == (
        "c1",
        1200,
        2,
        False,
    )
    # One note per file, in the order the files are read (contracts.csv's 0xA0 is not UTF-8 either).
    assert scenario.notes == tuple(
        f"{name} is not UTF-8; read it as Windows-1252 (cp1252): check å, ä, ö "
        "(save it as 'CSV UTF-8' in Excel to avoid this note)"
        for name in ("hospitals.csv", "contracts.csv")
    )


def test_a_cp1252_scenario_toml_loads_with_a_note(example1: Path) -> None:
    (example1 / "scenario.toml").write_bytes(
        'name = "Södra Älvsborg"\nstart = "2026-01"\nmonths = 2\n'.encode("cp1252")
    )
    scenario = load_scenario(example1)
    assert scenario.name == "Södra Älvsborg"
    assert scenario.notes == (
        "scenario.toml is not UTF-8; read it as Windows-1252 (cp1252): check å, ä, ö "
        "(save it as UTF-8 to avoid this note)",
    )


def test_utf8_files_bring_no_note() -> None:
    assert load_scenario(EXAMPLE1).notes == ()


def test_the_note_is_printed_on_stderr_by_every_command_that_reads_a_scenario(
    example1: Path, tmp_path: Path
) -> None:
    (example1 / "hospitals.csv").write_bytes(excel_csv("hospital;name", "A;Södra Älvsborg", "B;Borås"))
    note = "Note: hospitals.csv is not UTF-8; read it as Windows-1252 (cp1252): check å, ä, ö"
    plan = tmp_path / "plan"
    variants = tmp_path / "variants.toml"
    variants.write_text('[[variant]]\nname = "without X"\nwithout_provider = ["X"]\n', encoding="utf-8")
    commands = [
        ["validate", example1],
        ["solve", example1, "--out", plan],
        ["check", example1, plan],
        ["sweep", example1, "--variants", variants, "--processes", "1", "--out", tmp_path / "s.csv"],
    ]
    for command in commands:
        result = runner.invoke(app, [str(a) for a in command])
        assert result.exit_code == 0, result.output
        assert note in flat(result.stderr), command[0]
        assert "cp1252" not in result.stdout


def test_the_note_comes_with_the_problems_when_the_scenario_is_invalid(example1: Path) -> None:
    # A code that does not match after reading as cp1252 is exactly when the note matters.
    (example1 / "need.csv").write_bytes(excel_csv("hospital;category;waiting;inflow", "SÄS;k;10;4"))
    result = runner.invoke(app, ["validate", str(example1)])
    refused(result, EXIT_INVALID, "need.csv, row 2, column hospital: 'SÄS': is not a hospital")
    assert "Note: need.csv is not UTF-8; read it as Windows-1252 (cp1252)" in flat(result.stderr)


def test_bytes_neither_utf8_nor_cp1252_are_located(example1: Path, tmp_path: Path) -> None:
    # 0x81 is undefined in cp1252 and not UTF-8: row 2, column waiting; nothing is solved or written.
    (example1 / "need.csv").write_bytes(b"hospital,category,waiting,inflow\nA,k,1\x810,4\n")
    out = tmp_path / "plan"
    result = runner.invoke(app, ["solve", str(example1), "--out", str(out)])
    refused(
        result,
        EXIT_INVALID,
        "need.csv, row 2, column waiting: '1\ufffd0': has byte 0x81, which is neither UTF-8 nor "
        "Windows-1252 (cp1252); save it as 'CSV UTF-8' in Excel",
    )
    assert "Nothing was written" in result.output
    assert "Note:" not in result.output
    assert not out.exists()


def test_a_scenario_toml_neither_utf8_nor_cp1252_names_the_line(example1: Path) -> None:
    (example1 / "scenario.toml").write_bytes(b'start = "2026-01"\nname = "S\x8fdra"\nmonths = 2\n')
    assert only_message(example1) == (
        "scenario.toml: byte 0x8F in line 2 is neither UTF-8 nor Windows-1252 (cp1252); save it as UTF-8"
    )


def test_a_damaged_utf8_file_is_not_read_as_cp1252(example1: Path) -> None:
    # Row 2 is UTF-8 ("Älvsborg"), row 3 was added by a program that wrote cp1252 ("Borås", å = 0xE5).
    # Read as cp1252, row 2 would silently become "Ã„lvsborg"; so this is a problem, not a note.
    (example1 / "hospitals.csv").write_bytes(
        "hospital,name\nA,Älvsborg\n".encode() + "B,Borås\n".encode("cp1252")
    )
    assert only_message(example1) == (
        "hospitals.csv, row 3, column name: 'Bor\ufffds': has byte 0xE5, which is not UTF-8 like the "
        "rest of the file; save it as 'CSV UTF-8' in Excel"
    )


@pytest.mark.parametrize(
    ("data", "says"),
    [
        pytest.param(
            b"PK\x03\x04\x14\x00\x06\x00",
            "is an Excel workbook (or another binary file), not text",
            id="xlsx",
        ),
        pytest.param(
            "hospital\tname\nA\tSödra\n".encode("utf-16"),
            "is UTF-16 text (Excel's 'Unicode text'), not UTF-8",
            id="utf16",
        ),
        pytest.param(
            b"hospital,name\nA,\x00\x00\n", "contains NUL bytes, so it is not a text file", id="nul"
        ),
    ],
)
def test_a_file_that_is_not_text(example1: Path, data: bytes, says: str) -> None:
    (example1 / "hospitals.csv").write_bytes(data)
    assert only_message(example1) == f"hospitals.csv: {says}; save it as 'CSV UTF-8' in Excel"


# --- files that cannot be read ------------------------------------------------------------------


@pytest.mark.parametrize("name", ["contracts.csv", "need.csv", "scenario.toml"])
def test_a_file_open_in_another_program(
    example1: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    # One line for the locked file; the others are read and checked as usual (no follow-on problems).
    fail_reading(monkeypatch, name, locked())
    out = tmp_path / "plan"
    result = runner.invoke(app, ["solve", str(example1), "--out", str(out)])
    refused(result, EXIT_INVALID, f"has 1 problem: {name}: {LOCKED} Nothing was written.")
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["example1"]


def test_another_read_error_gives_the_system_reason(example1: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fail_reading(monkeypatch, "access.csv", OSError(errno.EIO, "Input/output error"))
    result = runner.invoke(app, ["validate", str(example1)])
    refused(result, EXIT_INVALID, "access.csv: cannot be read (Input/output error)")


@pytest.mark.parametrize("name", ["contracts.csv", "hospitals.csv", "scenario.toml"])
def test_a_folder_in_place_of_a_file(example1: Path, tmp_path: Path, name: str) -> None:
    (example1 / name).unlink()
    (example1 / name).mkdir()
    out = tmp_path / "plan"
    result = runner.invoke(app, ["solve", str(example1), "--out", str(out)])
    refused(result, EXIT_INVALID, f"{name}: {A_FOLDER}")
    assert not out.exists()


def test_a_folder_one_may_not_look_into(example1: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Path.exists raises (not returns False) when the system will not say whether a file is there.
    original = Path.exists

    def exists(self: Path, **kwargs: Any) -> bool:
        if self.name == "profile.csv":
            raise locked()
        return original(self, **kwargs)

    monkeypatch.setattr(Path, "exists", exists)
    assert only_message(example1) == f"profile.csv: {LOCKED}"


def test_a_scenario_folder_that_cannot_be_listed(example1: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    original = Path.iterdir

    def iterdir(self: Path) -> Any:
        if self == example1:
            raise locked()
        return original(self)

    monkeypatch.setattr(Path, "iterdir", iterdir)
    result = runner.invoke(app, ["validate", str(example1)])
    refused(result, EXIT_INVALID, f"{example1}: cannot be read (permission denied)")


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (lambda folder: folder / "nowhere", "is not a scenario folder (it does not exist)"),
        (lambda folder: folder / "need.csv", "is not a scenario folder (it is a file)"),
    ],
    ids=["missing", "a file"],
)
def test_a_scenario_argument_that_is_not_a_folder(
    example1: Path, tmp_path: Path, make: Callable[[Path], Path], says: str
) -> None:
    out = tmp_path / "plan"
    result = runner.invoke(app, ["solve", str(make(example1)), "--out", str(out)])
    refused(result, EXIT_INVALID, says)
    assert not out.exists()


# --- reported outcomes (--actuals, --referrals) and the variants file -----------------------------


def test_reported_outcomes_in_cp1252_load_with_a_note(tmp_path: Path) -> None:
    actuals = tmp_path / "utfall.csv"
    actuals.write_bytes(excel_csv("hospital;category;month;performed;waiting_end", "SÄS;k;2026-01;3;8"))
    referrals = tmp_path / "remisser.csv"
    referrals.write_bytes(
        excel_csv("hospital;category;provider;month;referrals", "SÄS;k;Capio Göta;2026-01;2")
    )
    notes: list[str] = []
    assert [(p.hospital, p.performed, p.waiting_end) for p in read_actuals(actuals, notes)] == [("SÄS", 3, 8)]
    assert [(d.provider, d.referrals) for d in read_referrals(referrals, notes)] == [("Capio Göta", 2)]
    assert [note.split(";")[0] for note in notes] == ["utfall.csv is not UTF-8", "remisser.csv is not UTF-8"]


@pytest.mark.parametrize(
    ("prepare", "says"),
    [
        (lambda path: None, "does not exist; expected a CSV file"),
        (lambda path: path.mkdir(), A_FOLDER),
        (lambda path: path.write_bytes(b"hospital,category\nA,\x81\n"), "has byte 0x81"),
    ],
    ids=["missing", "a folder", "neither utf8 nor cp1252"],
)
def test_a_reported_outcomes_file_that_cannot_be_read(
    tmp_path: Path, prepare: Callable[[Path], object], says: str
) -> None:
    actuals = tmp_path / "actuals.csv"
    prepare(actuals)
    with pytest.raises(ActualsInvalid) as raised:
        read_actuals(actuals)
    assert says in str(raised.value)
    out = tmp_path / "f"
    result = runner.invoke(app, ["followup", str(tmp_path), "--actuals", str(actuals), "--out", str(out)])
    refused(result, EXIT_INVALID, says)
    assert not out.exists()


def test_a_locked_actuals_file_stops_the_replan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    assert runner.invoke(app, ["solve", str(EXAMPLE1), "--out", str(first)]).exit_code == 0
    actuals = tmp_path / "actuals.csv"
    actuals.write_text(ACTUALS, encoding="utf-8")
    fail_reading(monkeypatch, "actuals.csv", locked())
    result = runner.invoke(
        app,
        [
            "solve", str(EXAMPLE1), "--out", str(second), "--previous", str(first),
            "--freeze-until", "2026-01", "--actuals", str(actuals),
        ],
    )  # fmt: skip
    refused(result, EXIT_INVALID, f"cannot start: actuals.csv: {LOCKED}")
    assert not second.exists()


def test_a_locked_referrals_file_in_followup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    actuals, referrals = tmp_path / "actuals.csv", tmp_path / "referrals.csv"
    actuals.write_text(ACTUALS, encoding="utf-8")
    referrals.write_text("hospital,category,provider,month,referrals\n", encoding="utf-8")
    fail_reading(monkeypatch, "referrals.csv", locked())
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
    refused(result, EXIT_INVALID, f"referrals.csv: {LOCKED}")
    assert not out.exists()


@pytest.mark.parametrize("kind", ["locked", "a folder"])
def test_a_variants_file_that_cannot_be_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    # optimizer/sweep.py reads it as the scenario files are read (inputs.tables.read_text, which
    # reads the bytes); the message names the file and the reason.
    variants = tmp_path / "variants.toml"
    if kind == "a folder":
        variants.mkdir()
    else:
        variants.write_text('[[variant]]\nname = "x"\n', encoding="utf-8")
        fail_reading(monkeypatch, "variants.toml", locked())
    out = tmp_path / "s.csv"
    result = runner.invoke(app, ["sweep", str(EXAMPLE1), "--variants", str(variants), "--out", str(out)])
    refused(result, EXIT_USAGE, "cannot be read")
    assert "variants.toml" in result.output and "Nothing was written" in result.output
    assert not out.exists()


# --- Excel's separators ---------------------------------------------------------------------------


def test_a_value_beyond_the_header_is_still_an_error(example1: Path) -> None:
    # Empty trailing cells are Excel's; a value there has no column to belong to.
    (example1 / "hospitals.csv").write_bytes(excel_csv("hospital;name;", "A;Hospital A;;", "B;Hospital B;x;"))
    assert only_message(example1) == "hospitals.csv, row 3: the row has 3 cells but the header has 2 columns"


def test_a_month_excel_made_a_date_says_so(example1: Path) -> None:
    # Typed "2026-02" in a cell, Swedish Excel keeps the date 2026-02-01 and saves it so.
    (example1 / "profile.csv").write_bytes(excel_csv("hospital;month;factor", "A;2026-02-01;0,5"))
    assert only_message(example1) == (
        "profile.csv, row 2, column month: '2026-02-01': expected a month written YYYY-MM, not a date "
        "(Excel makes dates of months typed in a cell: format the column as Text)"
    )
