"""docs/spec-map.md names, for each rule of the spec, where each formulation keeps it. Every
reference `path::name` in it must name a file of the repository that defines `name` (a function,
method or class), so the map cannot silently drift from the code as files are split or renamed."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAP = ROOT / "docs" / "spec-map.md"
REFERENCE = re.compile(r"`([\w./-]+\.py)::(\w+)`")


def _references() -> list[tuple[str, str]]:
    return REFERENCE.findall(MAP.read_text(encoding="utf-8"))


def test_the_map_names_places_in_every_formulation() -> None:
    # Every section of the spec with rules has a table, and every room appears.
    text = MAP.read_text(encoding="utf-8")
    for section in ("section 2", "section 3", "section 4", "section 5", "section 6"):
        assert section in text
    paths = {path for path, _ in _references()}
    for room in ("models/", "optimizer/volumes/", "optimizer/placements/", "optimizer/at/", "outputs/check"):
        assert any(path.startswith(room) for path in paths), room
    assert len(_references()) >= 60


def test_every_reference_names_a_definition_in_its_file() -> None:
    missing = []
    for path, name in _references():
        file = ROOT / path
        if not file.is_file():
            missing.append(f"{path} (no such file)")
            continue
        source = file.read_text(encoding="utf-8")
        if not re.search(rf"^\s*(?:async\s+)?(?:def|class)\s+{name}\b|^\s*{name}\s*[:=]", source, re.M):
            missing.append(f"{path}::{name}")
    assert missing == []
