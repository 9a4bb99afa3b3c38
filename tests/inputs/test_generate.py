"""Generated scenarios (inputs/generators/synthetic.py): deterministic, valid, sized as the
scales promise, of the shipped scenario's order, and solved into plans that pass the independent
checker.

Scale 1 is one region modelled on the shipped VGR 2026 scenario (5 hospitals, 49 categories, 30
contracts, 12 months, 292 AT positions, 540 trainees); scale N has N such regions.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import invoke
from leveransplan.inputs import default_scenario_path, load_scenario
from leveransplan.inputs.generators.synthetic import describe, generate_scenario, key_figures, unsafe_target
from leveransplan.outputs.generated import write_scenario


def digest(files: dict[str, str]) -> str:
    return hashlib.sha256(repr(sorted(files.items())).encode("utf-8")).hexdigest()


def rows(files: dict[str, str], name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(files[name])))


def shipped_files() -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(default_scenario_path().iterdir())}


# -- deterministic ---------------------------------------------------------------------------------
def test_the_same_scale_and_seed_give_the_same_files():
    assert generate_scenario(2, 7) == generate_scenario(2, 7)


def test_the_same_bytes_in_another_process():
    # Another PYTHONHASHSEED changes the order of set iteration: the files must not depend on it.
    code = (
        "import hashlib, sys; from leveransplan.inputs.generators.synthetic import generate_scenario; "
        "f = generate_scenario(2, 3); "
        "sys.stdout.write(hashlib.sha256(repr(sorted(f.items())).encode('utf-8')).hexdigest())"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    other = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True, cwd=Path.cwd()
    )
    assert other.stdout == digest(generate_scenario(2, 3))


def test_another_seed_gives_another_scenario():
    first, second = generate_scenario(1, 0), generate_scenario(1, 1)
    assert list(first) == list(second)
    same = [name for name in first if first[name] == second[name]]
    # Region 1 keeps VGR's hospitals, categories and travel times between them; all else is drawn.
    assert same == ["hospitals.csv", "categories.csv", "access.csv"]


# -- valid -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(("scale", "seed"), [(1, 0), (1, 1), (1, 2), (2, 0), (2, 5), (3, 1)])
def test_a_generated_folder_passes_the_loader(tmp_path, scale, seed):
    write_scenario(tmp_path / "generated", scale, seed)
    scenario = load_scenario(tmp_path / "generated")
    assert len(scenario.hospitals) == 5 * scale
    assert len(scenario.st_fixed) > 0


def test_validate_accepts_a_generated_folder(tmp_path):
    write_scenario(tmp_path / "generated", 1, 4)
    result = invoke("validate", tmp_path / "generated")
    assert result.exit_code == 0, result.output
    assert "valid" in result.output


def test_scale_20_loads(tmp_path):
    # About 3 MB of files; generating takes about 1 s and loading about 2 s.
    write_scenario(tmp_path / "national", 20, 0)
    scenario = load_scenario(tmp_path / "national")
    assert len(scenario.hospitals) == 100
    assert len(scenario.contracts) == 600


@pytest.mark.parametrize(("scale", "seed"), [(1, 0), (1, 9), (4, 2)])
def test_the_at_total_fits_the_bounds_and_the_rotations(scale, seed):
    # The loader checks min and max; the rotations cap a hospital at floor(capacity_months / months).
    files = generate_scenario(scale, seed)
    at = rows(files, "at.csv")
    hosted: dict[str, int] = {}
    for r in rows(files, "at_rotations.csv"):
        cap = int(r["capacity_months"]) // int(r["months"])
        hosted[r["hospital"]] = min(hosted.get(r["hospital"], cap), cap)
    total = key_figures(files)["AT positions"]
    assert sum(int(r["min"]) for r in at) <= total
    assert total <= sum(min(int(r["max"]), hosted[r["hospital"]]) for r in at)


# -- sizes -----------------------------------------------------------------------------------------
def test_scale_1_is_about_the_region():
    figures = key_figures(generate_scenario(1, 0))
    sizes = ("hospitals", "categories", "contracts", "months", "AT positions", "trainees")
    assert [figures[k] for k in sizes] == [5, 49, 30, 12, 292, 540]


def test_scale_20_is_about_the_nation():
    figures = key_figures(generate_scenario(20, 0))
    assert (figures["hospitals"], figures["contracts"], figures["months"]) == (100, 600, 12)
    # Each region draws its size from 0.7-1.3 times VGR's: about 20 x 540 trainees, 20 x 292 AT.
    assert 9_000 <= figures["trainees"] <= 12_500
    assert 20 * 292 * 0.8 <= figures["AT positions"] <= 20 * 292 * 1.2
    # Every hospital has a pair with every other hospital and provider (a missing pair is allowed).
    assert figures["access pairs"] == 100 * (99 + 20 * 22)


# -- realistic -------------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", [0, 1])
def test_scale_1_is_of_the_shipped_scenarios_order(seed):
    # Drawn around the shipped figures: every total within a quarter of the shipped one.
    shipped, generated = key_figures(shipped_files()), key_figures(generate_scenario(1, seed))
    for name in (
        "waiting at the start",
        "beyond the guarantee at the start",
        "inflow",
        "base",
        "additional_max",
        "contract volume_max",
        "contract volume_min",
        "requirements",
        "requirement months",
        "ST-A places",
    ):
        assert 0.75 <= generated[name] / shipped[name] <= 1.25, (name, generated[name], shipped[name])


def test_the_profile_has_a_july_dip_and_an_ehr_go_live():
    # July is 0.45-0.55 everywhere; no season dip is 0.6, so a 0.6 is a go-live (one per region).
    profile = rows(generate_scenario(1, 0), "profile.csv")
    july = [float(r["factor"]) for r in profile if r["month"] == "2026-07"]
    assert len(july) == 5
    assert all(0.45 <= f <= 0.55 for f in july)
    assert any(float(r["factor"]) == 0.6 for r in profile)


def test_regions_beyond_the_neighbours_are_not_allowed():
    # Scale 4 lays the regions on a 2 x 2 grid: region 1 (SU ...) beside region 2 (H006..H010),
    # region 4 (H016..H020) diagonally across, two steps away.
    access = rows(generate_scenario(4, 0), "access.csv")
    far = [r for r in access if r["hospital"] == "SU" and r["provider"] == "H016"]
    near = [r for r in access if r["hospital"] == "SU" and r["provider"] == "H006"]
    assert far[0]["allowed"] == "false"
    assert near[0]["allowed"] == "true"


# -- writing ---------------------------------------------------------------------------------------
def test_write_scenario_refuses_an_existing_folder_and_replaces_it_when_asked(tmp_path):
    out = tmp_path / "generated"
    write_scenario(out, 1, 0)
    with pytest.raises(FileExistsError):
        write_scenario(out, 1, 1)
    write_scenario(out, 1, 1, overwrite=True)
    assert {p.name: p.read_text(encoding="utf-8") for p in out.iterdir()} == generate_scenario(1, 1)
    assert [p.name for p in tmp_path.iterdir()] == ["generated"]  # no staging folder left behind


def test_unsafe_targets_are_named(tmp_path, monkeypatch):
    (tmp_path / "file.txt").write_text("x", encoding="utf-8")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("x", encoding="utf-8")
    write_scenario(tmp_path / "scenario", 1, 0)
    assert "is a file" in (unsafe_target(tmp_path / "file.txt") or "")
    assert "no scenario.toml" in (unsafe_target(tmp_path / "other") or "")
    assert unsafe_target(tmp_path / "scenario") is None
    monkeypatch.chdir(tmp_path / "scenario")
    assert "current folder" in (unsafe_target(tmp_path) or "")


def test_overwrite_never_deletes_what_a_generated_scenario_does_not_have(tmp_path):
    # A generated scenario with the analyst's notes and an edited copy of a table beside it:
    # --overwrite would delete them, so it refuses and names them; nothing changes.
    out = tmp_path / "generated"
    write_scenario(out, 1, 0)
    (out / "notes.md").write_text("why SU's inflow is raised\n", encoding="utf-8")
    (out / "need-edited.csv").write_text("hospital,category,waiting,inflow\n", encoding="utf-8")
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    result = invoke("generate", out, "--seed", "1", "--overwrite")
    assert result.exit_code == 2, result.output
    assert "holds need-edited.csv, notes.md, which a generated scenario does not have" in " ".join(
        result.output.split()
    )
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_describe_gives_the_sizes():
    line = describe(generate_scenario(1, 0))
    assert line.startswith(
        "5 hospitals, 49 categories, 30 contracts, 12 months; 292 AT positions; 540 trainees"
    )


# -- the command ----------------------------------------------------------------------------------
def test_the_generate_command(tmp_path):
    out = tmp_path / "generated"
    result = invoke("generate", out, "--scale", "1", "--seed", "3")
    assert result.exit_code == 0, result.output
    assert "540 trainees" in result.output
    assert {p.name: p.read_text(encoding="utf-8") for p in out.iterdir()} == generate_scenario(1, 3)
    assert invoke("generate", out, "--seed", "4").exit_code == 2
    assert {p.name: p.read_text(encoding="utf-8") for p in out.iterdir()} == generate_scenario(1, 3)
    assert invoke("generate", out, "--seed", "4", "--overwrite").exit_code == 0
    assert (out / "scenario.toml").read_text(encoding="utf-8") == generate_scenario(1, 4)["scenario.toml"]
    assert invoke("generate", tmp_path / "x", "--scale", "0").exit_code == 2
    assert [p.name for p in sorted(tmp_path.iterdir())] == ["generated"]


# -- solvable --------------------------------------------------------------------------------------
def test_a_generated_scenario_solves_and_passes_the_checker(tmp_path):
    # Every model (volumes, AT, placements) within 10 s of deterministic time in all, so that a
    # loaded machine gets the same plan; the plan checker runs on the files.
    scenario, plan = tmp_path / "generated", tmp_path / "plan"
    write_scenario(scenario, 1, 0)
    result = invoke("solve", scenario, "--out", plan, "--time-limit", "10", "--deterministic", "--quiet")
    # 8: a stage stopped by the time limit before it was proven optimal, and marked so.
    assert result.exit_code in (0, 8), result.output
    summary = json.loads((plan / "summary.json").read_text(encoding="utf-8"))
    assert summary["partial"] is (result.exit_code == 8)
    assert [m for m in ("volumes", "at", "placements") if m in summary] == ["volumes", "at", "placements"]
    # Each region's three edge-case trainees have one requirement that cannot be placed.
    assert summary["placements"]["stages"][0]["value"] >= 3
    result = invoke("check", scenario, plan)
    assert result.exit_code == 0, result.output
    assert "every rule holds" in " ".join(result.output.split())
