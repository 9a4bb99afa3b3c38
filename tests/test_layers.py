"""The rooms' import rules, read from the source: data flows one way. models imports no solver
and no other room; inputs imports only models; optimizer never imports outputs; outputs never
imports optimizer (the checker shares nothing with the model it checks) and no solver; only the
command line (leveransplan/*.py) joins all four. Imports inside functions count too."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = {
    "models": ("leveransplan.inputs", "leveransplan.optimizer", "leveransplan.outputs", "ortools", "highspy"),
    "inputs": ("leveransplan.optimizer", "leveransplan.outputs", "ortools", "highspy"),
    "optimizer": ("leveransplan.outputs", "leveransplan.cli", "leveransplan.commands"),
    "outputs": ("leveransplan.optimizer", "leveransplan.cli", "leveransplan.commands", "ortools", "highspy"),
}
# The manifest records the OR-Tools version it ran with: by package metadata, not an import.


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """Every module `path` imports, with the line, at any depth (functions included)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module is not None and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def _breaks(module: str, forbidden: tuple[str, ...]) -> bool:
    return any(module == name or module.startswith(name + ".") for name in forbidden)


@pytest.mark.parametrize("room", sorted(FORBIDDEN))
def test_room_imports_only_what_its_layer_allows(room: str) -> None:
    broken = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in sorted((ROOT / room).rglob("*.py"))
        for line, module in imported_modules(path)
        if _breaks(module, FORBIDDEN[room])
    ]
    assert broken == []


def test_the_rule_reads_imports_inside_functions(tmp_path: Path) -> None:
    # The reader itself: an import hidden in a function body is found, with its line.
    source = tmp_path / "m.py"
    source.write_text(
        "import os\n\ndef f():\n    from leveransplan.optimizer.solve import x\n", encoding="utf-8"
    )
    assert imported_modules(source) == [(1, "os"), (4, "leveransplan.optimizer.solve")]
    assert _breaks("leveransplan.optimizer.solve", FORBIDDEN["outputs"])
    assert not _breaks("leveransplan.outputs_extra", ("leveransplan.outputs",))


BARE = re.compile(r"\b(?:from|import) (?:models|inputs|optimizer|outputs)\b")


def test_no_module_imports_the_rooms_by_their_bare_names() -> None:
    # `import models` would find the repository's folder only when run from the checkout, and
    # would load a second copy of every module beside leveransplan.models. Code run in another
    # process (a string given to `python -c`) counts too.
    bare = []
    for top in ("leveransplan", "models", "inputs", "optimizer", "outputs", "tests", "benchmarks"):
        for path in sorted((ROOT / top).rglob("*.py")):
            where = path.relative_to(ROOT)
            tree = ast.parse(path.read_text(encoding="utf-8"))
            bare += [
                f"{where}:{line} imports {module}"
                for line, module in imported_modules(path)
                if module.split(".")[0] in {"models", "inputs", "optimizer", "outputs"}
            ]
            bare += [
                f"{where}:{node.lineno} runs {node.value!r}"
                for node in ast.walk(tree)
                if isinstance(node, ast.Constant) and isinstance(node.value, str) and BARE.search(node.value)
            ]
    assert bare == []


def test_no_module_imports_another_modules_private_names() -> None:
    # A name with a leading underscore is its module's own: a second module that needs it gets
    # a public name for it (or the shared piece moves to a module of its own).
    private = [
        f"{path.relative_to(ROOT)}:{node.lineno} imports {node.module}.{alias.name}"
        for room in sorted(FORBIDDEN)
        for path in sorted((ROOT / room).rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("leveransplan")
        for alias in node.names
        if alias.name.startswith("_")
        and not alias.name.startswith("__")
        # gettext's `_` is the catalogue's public marker (docs/language.md), used in every room.
        and (node.module, alias.name) != ("leveransplan.models.language", "_")
    ]
    assert private == []


def test_the_checker_runs_without_ortools_or_the_optimizer() -> None:
    # The rule above at run time: a fresh interpreter (so modules other tests imported do not
    # count) imports the whole checker, volume and training models alike, and no module of
    # OR-Tools or of the optimizer comes with it, however indirectly.
    code = (
        "import sys, leveransplan.outputs.checker.plan; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'ortools' "
        "or m.startswith('leveransplan.optimizer')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd="/")
    assert result.stdout.strip() == "[]"
