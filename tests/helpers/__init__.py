"""What several test modules share: the test data's paths, the command line run in this process
and in another, and the scenario loader's problems. The submodules build scenarios and plans:
`volumes` (hand-made volume scenarios), `generated` (hypothesis's generated ones and the
whole-region reference), `columns` (the column generation's stages on them), `plans` (plan files
written by hand for the checker, and readers of the workbook and the report) and `training` (the
spec's example 2 of the ST-A model).
"""

from __future__ import annotations

import csv
import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from typer.testing import CliRunner

from leveransplan.cli import app
from leveransplan.inputs import InputProblem, ScenarioInvalid, load_scenario

ROOT = Path(__file__).resolve().parents[2]
BENCHMARKS = ROOT / "benchmarks"
DATA = ROOT / "tests" / "data"
# Example 1 of the spec (examples.md): hospitals A and B, category k, contract c1 with provider X,
# months 2026-01..2026-02.
EXAMPLE1 = DATA / "example1"
# Reported outcomes of example 1's first month, as `solve --actuals` reads them.
ACTUALS = "hospital,category,month,performed,waiting_end\nA,k,2026-01,3,8\nB,k,2026-01,1,0\n"

# `leveransplan` in another process: a process of its own to kill, or its own hash seed and cores.
COMMAND = [sys.executable, "-c", "from leveransplan.cli import main; main()"]

runner = CliRunner()


def invoke(*args: str | Path) -> Any:
    """Run `leveransplan ARGS` in this process."""
    return runner.invoke(app, [str(a) for a in args])


def alive(pid: int) -> bool:
    """Whether the process runs (a zombie, ended but not yet reaped, does not; Linux /proc)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def flat(text: str) -> str:
    """The output with rich's line wrapping undone."""
    return " ".join(text.split())


def refused(result: Any, code: int, *says: str) -> None:
    """The command ended with `code` and every message part, as a message and not as a traceback."""
    assert result.exit_code == code, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    for part in says:
        # Compared without whitespace: rich wraps long paths anywhere, even inside a word.
        assert "".join(part.split()) in "".join(result.output.split()), result.output


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def write_files(folder: Path, files: dict[str, str]) -> Path:
    """A new folder holding the files (name -> text, UTF-8)."""
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def benchmark_module(name: str) -> ModuleType:
    """A script of benchmarks/ (not a package) loaded as a module."""
    spec = importlib.util.spec_from_file_location(f"benchmarks_{name}", BENCHMARKS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# -- the scenario loader's problems -------------------------------------------------------------


def write(folder: Path, file: str, *lines: str, bom: bool = False, newline: str = "\n") -> None:
    """Replace one file of the scenario with the given lines (UTF-8)."""
    text = newline.join(lines) + newline
    (folder / file).write_bytes((("\ufeff" if bom else "") + text).encode("utf-8"))


def with_category_m(folder: Path) -> None:
    """Example 1's categories.csv with a second category m that no hospital plans."""
    write(
        folder,
        "categories.csv",
        "category,area,kind,specialty,price_class",
        "k,somatik,forstabesok,Test,besok",
        "m,somatik,forstabesok,Test,besok",
    )


def problems_in(folder: Path) -> list[InputProblem]:
    with pytest.raises(ScenarioInvalid) as raised:
        load_scenario(folder)
    return raised.value.problems


def only_problem(folder: Path) -> InputProblem:
    problems = problems_in(folder)
    assert len(problems) == 1, "\n".join(map(str, problems))
    return problems[0]


def only_message(folder: Path) -> str:
    """The message of the one problem loading `folder` reports."""
    return str(only_problem(folder))


def assert_located(
    problem: InputProblem,
    file: str,
    row: int | None,
    column: str | None,
    value: str | None,
    says: str,
    key: str | None = None,
) -> None:
    """The problem names file, row, column (or scenario.toml's key) and value, both as fields and
    in its message."""
    assert (problem.file, problem.row, problem.column, problem.value, problem.key) == (
        file,
        row,
        column,
        value,
        key,
    )
    message = str(problem)
    assert message.startswith(file)
    if row is not None:
        assert re.search(rf"\brow {row}\b", message), message
    if column is not None:
        assert f"column {column}" in message
    if key is not None:
        assert f"key {key}" in message
    if value is not None:
        assert value in message
    assert says in message
