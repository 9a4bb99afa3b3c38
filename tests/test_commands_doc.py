"""docs/commands.md documents every command and every option the command line has: a flag added
to the CLI without a line in the usage document fails here."""

from __future__ import annotations

from pathlib import Path

from typer.main import get_command

from leveransplan.cli import app

ROOT = Path(__file__).resolve().parents[1]


def test_every_command_and_option_is_documented() -> None:
    usage = (ROOT / "docs" / "commands.md").read_text(encoding="utf-8")
    group = get_command(app)
    undocumented = []
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        if f"leveransplan {name}" not in usage:
            undocumented.append(name)
        for parameter in command.params:
            for option in (*parameter.opts, *parameter.secondary_opts):
                if option.startswith("--") and option != "--help" and option not in usage:
                    undocumented.append(f"{name} {option}")
    for option in ("--version", "--install-completion", "--show-completion"):
        if option not in usage:
            undocumented.append(option)
    assert undocumented == []
