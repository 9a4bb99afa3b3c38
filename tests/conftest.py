"""Fixtures shared by the test modules."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

EXAMPLE1 = Path(__file__).parent / "data" / "example1"


@pytest.fixture
def example1(tmp_path: Path) -> Path:
    """A private copy of example 1 that a test may break (a module's own `example1` overrides it)."""
    folder = tmp_path / "example1"
    shutil.copytree(EXAMPLE1, folder)
    return folder
