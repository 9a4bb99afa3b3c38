"""docs/guarantees.md tells the truth about the tests and exit codes it names.

Each guarantee there names the tests that hold the tool to it: every one must exist, so a test
renamed or removed cannot leave a promise without its proof. The exit-code table must be the
tool's own: the same codes as leveransplan/exit_codes.py and `leveransplan --help`.
"""

from __future__ import annotations

import re

from typer.testing import CliRunner

from helpers import ROOT
from leveransplan import cli, exit_codes

GUARANTEES = ROOT / "docs" / "guarantees.md"
TEST_REFERENCE = re.compile(r"`(tests/[\w/]+\.py)::(\w+)`")


def test_every_test_the_guarantees_name_exists() -> None:
    text = GUARANTEES.read_text(encoding="utf-8")
    references = TEST_REFERENCE.findall(text)
    assert len(references) >= 25  # each section names its tests
    missing = [
        f"{file}::{name}"
        for file, name in references
        if not re.search(rf"^def {name}\(", (ROOT / file).read_text(encoding="utf-8"), re.MULTILINE)
    ]
    assert missing == []


def test_every_section_names_its_tests() -> None:
    # A promise without a test is a claim: each bullet of the first two sections ends with the
    # tests that hold it, and the partial plan section names its own.
    text = GUARANTEES.read_text(encoding="utf-8")
    sections = re.split(r"^## ", text, flags=re.MULTILINE)[1:]
    for section in sections[:2]:
        for bullet in re.split(r"^- ", section, flags=re.MULTILINE)[1:]:
            assert TEST_REFERENCE.search(bullet), bullet[:80]
    assert sections[2].startswith("What a partial plan means") and TEST_REFERENCE.search(sections[2])


def test_the_exit_codes_are_the_tools() -> None:
    text = GUARANTEES.read_text(encoding="utf-8")
    table = dict(re.findall(r"^\| (\d+) \| ([^|]+) \|", text, re.MULTILINE))
    assert sorted(map(int, table)) == [0, 1, 2, 3, 4, 5, 6, 7, 8, 130]
    constants = {
        exit_codes.EXIT_USAGE: "usage",
        exit_codes.EXIT_INVALID: "invalid input",
        exit_codes.EXIT_INFEASIBLE: "infeasible",
        exit_codes.EXIT_NO_SOLUTION: "no model has a plan",
        exit_codes.EXIT_CHECK: "checker",
        exit_codes.EXIT_OUTPUT: "cannot be written",
        exit_codes.EXIT_PARTIAL: "partial",
    }
    for code, words in constants.items():
        assert words in table[str(code)], (code, table[str(code)])
    help_text = " ".join(CliRunner().invoke(cli.app, ["--help"]).output.split())
    for code in table:
        assert f"{code} " in help_text
    assert "8 partial" in help_text
