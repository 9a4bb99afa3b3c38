"""Fixtures shared by the test modules (plain helpers and constants are in helpers/)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from helpers import EXAMPLE1


@pytest.fixture
def example1(tmp_path: Path) -> Path:
    """A private copy of example 1 that a test may break (a module's own `example1` overrides it)."""
    folder = tmp_path / "example1"
    shutil.copytree(EXAMPLE1, folder)
    return folder
