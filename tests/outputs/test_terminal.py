"""What the terminal shows of a user's files: control characters as visible escapes, never
obeyed; long lists of problems cut with the number left out."""

from __future__ import annotations

import io
from pathlib import Path

from typer.testing import CliRunner

from helpers import write_files
from leveransplan.cli import app
from leveransplan.outputs.terminal import SafeConsole, printable

runner = CliRunner()
# Clear the screen, then retitle the window: what a hostile hospital code would do if printed raw.
HOSTILE = "A\x1b[2J\x1b]0;owned\x07"


def test_printable_escapes_controls_and_bidirectional_overrides() -> None:
    # ESC is 0x1b, BEL 0x07, the right-to-left override U+202E; tab, newline and å stay.
    assert printable("SÄS\x1b[2J\x07\u202eabc\tå\n") == "SÄS\\x1b[2J\\x07\\u202eabc\tå\n"


def test_the_console_prints_a_cell_escaped_and_its_own_styles_as_styles() -> None:
    stream = io.StringIO()
    console = SafeConsole(file=stream, force_terminal=True, color_system="standard")
    console.print(f"[bold]hospital[/] {HOSTILE}", highlight=False)
    text = stream.getvalue()
    assert "\\x1b[2J\\x1b]0;owned" in text  # the cell, visible (rich drops the bell itself)
    assert "\x1b[1m" in text  # bold, rich's own
    assert "\x1b[2J" not in text and "\x07" not in text


def test_a_hostile_hospital_code_is_printed_escaped(tmp_path: Path) -> None:
    # One hospital, nothing to plan beyond its base: the per-hospital table names it.
    scenario = write_files(
        tmp_path / "scenario",
        {
            "scenario.toml": 'name = "Escapes"\nstart = "2026-01"\nmonths = 1\n',
            "hospitals.csv": f"hospital,name\n{HOSTILE},Hostile\n",
            "categories.csv": "category,area,kind,specialty,price_class\nk,s,f,T,besok\n",
            "prices.csv": f"hospital,price_class,price_sek\n{HOSTILE},besok,100\n",
            "own_volumes.csv": f"hospital,category,base,additional_max\n{HOSTILE},k,1,0\n",
            "need.csv": f"hospital,category,waiting,inflow\n{HOSTILE},k,1,1\n",
        },
    )
    result = runner.invoke(app, ["solve", str(scenario), "--out", str(tmp_path / "plan")])
    assert result.exit_code == 0, result.output
    assert "A\\x1b[2J" in result.output  # the table may cut the rest of the cell short
    assert "\x1b" not in result.output and "\x07" not in result.output


def test_a_flood_of_problems_is_cut(tmp_path: Path) -> None:
    # 250 hospitals in need.csv with a bad inflow each, and 250 in own_volumes.csv: each file
    # lists its first 100 and one line counting the other 150 (inputs.tables), 202 lines in all;
    # the terminal shows 200 of them and says 2 more are not shown.
    bad = "".join(f"H{i},k,1,x\n" for i in range(250))
    scenario = write_files(
        tmp_path / "scenario",
        {
            "scenario.toml": 'name = "Flood"\nstart = "2026-01"\nmonths = 1\n',
            "hospitals.csv": "hospital,name\nA,A\n",
            "categories.csv": "category,area,kind,specialty,price_class\nk,s,f,T,besok\n",
            "prices.csv": "hospital,price_class,price_sek\nA,besok,100\n",
            "own_volumes.csv": "hospital,category,base,additional_max\n" + bad,
            "need.csv": "hospital,category,waiting,inflow\n" + bad,
        },
    )
    result = runner.invoke(app, ["validate", str(scenario)])
    assert result.exit_code == 3
    lines = result.output.splitlines()
    assert (
        sum(1 for line in lines if line.startswith("  need.csv") or line.startswith("  own_volumes.csv"))
        == 200
    )
    assert "  ... and 2 more not shown here." in lines
