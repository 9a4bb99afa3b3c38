"""One installed package: a plain `pip install .` ships `leveransplan` and every room beneath it,
the shipped scenario included, and nothing else at the top of site-packages (generic names such as
`models` or `inputs` would clash with other packages)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

from typer.testing import CliRunner

from helpers import ROOT
from leveransplan import __version__
from leveransplan.cli import app

ROOMS = ("models", "inputs", "optimizer", "outputs")


def test_every_package_is_listed() -> None:
    # setuptools does not find subpackages by itself with an explicit list; an editable install
    # would hide a missing one, and then `leveransplan solve` fails on a fresh machine.
    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"]
    )
    found = {"leveransplan"} | {
        ".".join(("leveransplan", *path.parent.relative_to(ROOT).parts))
        for top in ROOMS
        for path in (ROOT / top).rglob("__init__.py")
    }
    assert found == listed


def test_the_wheel_installs_one_top_level_package(tmp_path: Path) -> None:
    # Built from a copy: setuptools leaves a build/ folder beside the sources it builds.
    source = tmp_path / "source"
    skip = shutil.ignore_patterns("__pycache__", "*.egg-info")
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    for room in (*ROOMS, "leveransplan"):
        shutil.copytree(ROOT / room, source / room, symlinks=True, ignore=skip)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", str(source), "-w", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("leveransplan-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    tops = {name.split("/")[0] for name in names if not name.split("/")[0].endswith(".dist-info")}
    assert tops == {"leveransplan"}
    assert {f"leveransplan/{room}/__init__.py" for room in ROOMS} <= set(names)
    assert "leveransplan/inputs/vgr-2026/scenario.toml" in names
    assert "leveransplan/outputs/data_dictionary.toml" in names  # every folder's datapackage.json
    assert "leveransplan/__main__.py" in names


def test_version_and_module_entry_point() -> None:
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"leveransplan {__version__}"
    module = subprocess.run(
        [sys.executable, "-m", "leveransplan", "--version"], capture_output=True, text=True, cwd="/"
    )
    assert module.returncode == 0
    assert module.stdout.strip() == f"leveransplan {__version__}"


def test_shell_completion_is_offered() -> None:
    result = CliRunner().invoke(app, ["--show-completion", "bash"], prog_name="leveransplan")
    assert result.exit_code == 0
    assert "leveransplan" in result.output
