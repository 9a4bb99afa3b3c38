"""A plain `pip install .` ships every subpackage: each one with an __init__.py is listed in
pyproject.toml (setuptools does not find them by itself with an explicit list; an editable
install would hide a missing one, and then `leveransplan solve` fails on a fresh machine)."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_package_is_listed() -> None:
    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"]
    )
    found = {
        ".".join(path.parent.relative_to(ROOT).parts)
        for top in ("models", "inputs", "optimizer", "outputs")
        for path in (ROOT / top).rglob("__init__.py")
    }
    assert found == listed
