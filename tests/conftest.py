"""Fixtures shared by the test modules (plain helpers and constants are in helpers/)."""

from __future__ import annotations

import os

# The tool prints Swedish unless asked otherwise. Most tests compare English texts, so the suite
# asks for English; the tests of the Swedish texts ask for Swedish (`--lang sv`, use_language).
# Set before anything imports the command line, whose help texts are translated when it is built.
os.environ["LEVERANSPLAN_LANG"] = "en"

import shutil
from pathlib import Path

import pytest

from helpers import EXAMPLE1
from leveransplan.models.language import use_language


@pytest.fixture(autouse=True)
def _english_unless_asked() -> None:
    """Each test starts in English, whatever language the test before it chose."""
    use_language("en")


@pytest.fixture
def example1(tmp_path: Path) -> Path:
    """A private copy of example 1 that a test may break (a module's own `example1` overrides it)."""
    folder = tmp_path / "example1"
    shutil.copytree(EXAMPLE1, folder)
    return folder
