"""Generated scenarios of any size, modelled on the shipped VGR 2026 scenario.

`leveransplan generate --scale N --seed S OUT` writes a scenario folder of N regions with five
hospitals each (synthetic_regions). Every region copies the structure of inputs/vgr-2026, that is
the rules and constants of its build (vgr_decision, vgr_volumes, vgr_training): the 49 categories,
the five hospitals' roles (size, regional care, spare capacity, travel times), the deficit
categories, the 30 contracts, the AT order and the ST-A specialties. Its figures are drawn around
the shipped ones (synthetic_volumes, synthetic_training). Every figure is ILLUSTRATIVE.

Scale 1 is about the region (5 hospitals, 49 categories, 30 contracts, 12 months, 292 AT
positions, 540 trainees); scale 20 about the nation (100 hospitals, 600 contracts, about 10 800
trainees). The same (scale, seed) gives the same bytes in any process: each table draws from its
own `random.Random` seeded by a text holding the scale and seed (the trainees from the shipped
rules' SHA-256 hash of such a text), and nothing iterates over a set.
"""

from __future__ import annotations

import csv
import io
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from leveransplan.inputs.generators import synthetic_training, synthetic_volumes, vgr_decision, vgr_training
from leveransplan.inputs.generators.shared import csv_text
from leveransplan.inputs.generators.synthetic_regions import MAX_SCALE, ROLES, Grid
from leveransplan.inputs.generators.vgr_decision import MONTHS
from leveransplan.inputs.generators.vgr_training import ST_MONTHS
from leveransplan.inputs.schemas import ALL_TABLES, CONTRACTS
from leveransplan.models.derived import guarantee_limit
from leveransplan.models.language import _, ngettext
from leveransplan.models.numbers import decimals, grouped

__all__ = ["MAX_SCALE", "describe", "generate_scenario", "key_figures", "unsafe_target"]

START = "2026-01"


def scenario_tables(grid: Grid) -> dict[str, list[list[Any]]]:
    """Every CSV file's rows, header first, in the shipped scenario's order."""
    volumes = synthetic_volumes.own_volumes(grid)
    needs = synthetic_volumes.need(grid, volumes)
    at, rotations = synthetic_training.at_tables(grid)
    people = synthetic_training.trainees(grid)
    travel = synthetic_training.travel(grid)
    capacity = synthetic_training.st_capacity(grid, people, travel)
    fixed = synthetic_training.st_fixed(grid, people, capacity, travel)
    categories = [
        [k, area, kind, spec, vgr_decision.PRICE_CLASS[kind]]
        for k, area, kind, spec, _, _ in vgr_decision.SAS_VOLUMES
    ]
    return {
        "hospitals.csv": [["hospital", "name"]]
        + [
            [h, r.hospital_name(role)]
            for r in grid.regions
            for role, h in zip(ROLES, r.hospitals, strict=True)
        ],
        "categories.csv": [["category", "area", "kind", "specialty", "price_class"], *categories],
        "prices.csv": [["hospital", "price_class", "price_sek"], *synthetic_volumes.prices(grid)],
        "own_volumes.csv": [["hospital", "category", "base", "additional_max"]]
        + [[h, k, b, a] for (h, k), (b, a) in volumes.items()],
        "need.csv": [["hospital", "category", "waiting", "inflow"]]
        + [[h, k, w, i] for (h, k), (w, i) in needs.items()],
        "profile.csv": [["hospital", "month", "factor"], *synthetic_volumes.profile(grid)],
        "contracts.csv": [CONTRACT_COLUMNS, *synthetic_volumes.contracts(grid)],
        "access.csv": [
            ["hospital", "provider", "travel_minutes", "allowed"],
            *synthetic_volumes.access(grid),
        ],
        "at.csv": [["hospital", "min", "max", "weight", "previous"], *at],
        "at_rotations.csv": [["hospital", "area", "months", "capacity_months"], *rotations],
        "st_trainees.csv": [["trainee", "home_area", "earliest_start", "deadline", "unavailable"]]
        + [
            [
                t.trainee,
                t.home_area,
                vgr_training.month_name(t.earliest),
                vgr_training.month_name(t.deadline),
                t.unavailable,
            ]
            for t in people
        ],
        "st_requirements.csv": [["trainee", "specialty", "months"]]
        + [[t.trainee, s, d] for t in people for s, d in t.requirements],
        "st_capacity.csv": [["hospital", "specialty", "year", "places", "concurrent_max"]]
        + [[h, s, y, n, "" if limit is None else limit] for (h, s, y), (n, limit) in capacity.items()],
        "travel.csv": [["home_area", "hospital", "minutes"]]
        + [[area, h, m] for area, row in travel.items() for h, m in row.items()],
        "st_fixed.csv": [["trainee", "specialty", "hospital", "start"]]
        + [[t, s, h, vgr_training.month_name(start)] for t, s, h, start in fixed],
    }


# The header as the loader reads it (every column of contracts.csv, optional ones included).
CONTRACT_COLUMNS = [column.name for column in CONTRACTS.columns]


def _settings(scale: int, seed: int, at_total: int) -> str:
    return f"""\
# Generated by `leveransplan generate --scale {scale} --seed {seed}`. Every figure is ILLUSTRATIVE,
# drawn around the shipped VGR 2026 scenario (see README.md); generate again rather than edit.
name = "Generated scale {scale} seed {seed}"
start = "{START}"
months = {len(MONTHS)}

[objective]
volumes = ["over_guarantee", "equity", "out_of_region", "cost", "travel", "stability"]
placements = ["unplaced", "travel", "stability"]
at = ["deviation", "stability"]

[at]
total = {at_total}

[placements]
months = {ST_MONTHS}          # side-service placements run 2026-01..2027-12; volumes keep 12 months

[solver]
time_limit_s = {min(60 * scale, 600)}
workers = 0
seed = 0
"""


def _readme(scale: int, seed: int, files: Mapping[str, str]) -> str:
    figures = key_figures(files)
    rows = "\n".join(f"| {name} | {grouped(value)} |" for name, value in figures.items())
    regions = "one region of five hospitals" if scale == 1 else f"{scale} regions of five hospitals each"
    return f"""\
# Generated scenario: scale {scale}, seed {seed}

Written by `leveransplan generate --scale {scale} --seed {seed}` (inputs/generators/synthetic.py):
{regions}, modelled on the shipped scenario inputs/vgr-2026; region 1 has VGR's
hospital codes. **Every figure is ILLUSTRATIVE**: drawn around the shipped figures, not facts
about any region. The same scale and seed give the same files byte for byte.

| figure | value |
|---|---|
{rows}
"""


def generate_scenario(scale: int, seed: int) -> dict[str, str]:
    """The generated scenario's files: name -> text (scenario.toml, README.md, the CSV tables)."""
    tables = scenario_tables(Grid(scale, seed))
    at_total = sum(row[4] for row in tables["at.csv"][1:])
    files = {"scenario.toml": _settings(scale, seed, at_total)}
    files |= {name: csv_text(rows) for name, rows in tables.items()}
    return {"scenario.toml": files["scenario.toml"], "README.md": _readme(scale, seed, files)} | files


def key_figures(files: Mapping[str, str]) -> dict[str, int]:
    """Sizes and totals of a scenario's comma-separated files (name -> text), to compare generated
    scenarios with the shipped one."""

    def rows(name: str) -> list[dict[str, str]]:
        return list(csv.DictReader(io.StringIO(files.get(name, ""))))

    def total(name: str, column: str) -> int:
        return sum(int(r[column]) for r in rows(name))

    settings = tomllib.loads(files["scenario.toml"])
    months = settings["months"]
    need = rows("need.csv")
    contracts = rows("contracts.csv")
    return {
        "hospitals": len(rows("hospitals.csv")),
        "categories": len(rows("categories.csv")),
        "contracts": len(contracts),
        "months": months,
        "waiting at the start": total("need.csv", "waiting"),
        "beyond the guarantee at the start": sum(
            max(0, int(r["waiting"]) - guarantee_limit(int(r["inflow"]), months)) for r in need
        ),
        "inflow": total("need.csv", "inflow"),
        "base": total("own_volumes.csv", "base"),
        "additional_max": total("own_volumes.csv", "additional_max"),
        "contract volume_max": total("contracts.csv", "volume_max"),
        "contract volume_min": total("contracts.csv", "volume_min"),
        "out-of-region volume_max": sum(
            int(r["volume_max"])
            for r in contracts
            if r["out_of_region"].lower() in ("true", "1", "yes", "ja")
        ),
        "access pairs": len(rows("access.csv")),
        "AT positions": int(settings.get("at", {}).get("total", 0)),
        "trainees": len(rows("st_trainees.csv")),
        "requirements": len(rows("st_requirements.csv")),
        "requirement months": total("st_requirements.csv", "months"),
        "ST-A places": total("st_capacity.csv", "places"),
        "fixed placements": len(rows("st_fixed.csv")),
    }


def describe(files: Mapping[str, str]) -> str:
    """One line of a generated scenario's sizes, for the command line, in the reader's language."""
    f = key_figures(files)
    megabytes = sum(len(text.encode("utf-8")) for text in files.values()) / 1e6
    # ngettext's texts are written out at each call, where the catalogue's extractor finds them.
    volumes = ", ".join(
        [
            ngettext("{count} hospital", "{count} hospitals", f["hospitals"]).format(
                count=grouped(f["hospitals"])
            ),
            ngettext("{count} category", "{count} categories", f["categories"]).format(
                count=grouped(f["categories"])
            ),
            ngettext("{count} contract", "{count} contracts", f["contracts"]).format(
                count=grouped(f["contracts"])
            ),
            ngettext("{count} month", "{count} months", f["months"]).format(count=grouped(f["months"])),
        ]
    )
    positions = ngettext("{count} AT position", "{count} AT positions", f["AT positions"]).format(
        count=grouped(f["AT positions"])
    )
    trainees = _("{trainees} with {requirements}").format(
        trainees=ngettext("{count} trainee", "{count} trainees", f["trainees"]).format(
            count=grouped(f["trainees"])
        ),
        requirements=ngettext("{count} requirement", "{count} requirements", f["requirements"]).format(
            count=grouped(f["requirements"])
        ),
    )
    size = ngettext("{count} file", "{count} files", len(files)).format(count=grouped(len(files)))
    return f"{volumes}; {positions}; {trainees}; {size}, {decimals(megabytes, 1)} MB"


def unsafe_target(out: Path) -> str | None:
    """Why `out` may not be replaced by a generated scenario, or None: --overwrite replaces only a
    scenario folder (or an empty one), never the current folder, one that holds it, or a file."""
    resolved = out.resolve()
    if resolved == Path.cwd() or resolved in Path.cwd().parents:
        return _("is the current folder or holds it; choose a new folder")
    if any(parent.exists() and not parent.is_dir() for parent in resolved.parents):
        return _("lies under a file, not a folder")
    if resolved.exists() and not resolved.is_dir():
        return _("is a file; a scenario is a folder")
    if resolved.is_dir() and any(resolved.iterdir()) and not (resolved / "scenario.toml").is_file():
        return _("holds files but no scenario.toml: --overwrite replaces only scenario folders")
    if resolved.is_dir():
        written = {"scenario.toml", "README.md", *(schema.file for schema in ALL_TABLES)}
        foreign = sorted(entry.name for entry in resolved.iterdir() if entry.name not in written)
        if foreign:
            return _(
                "holds {files}, which a generated scenario does not have and --overwrite would delete; "
                "move it out of the folder, or choose another"
            ).format(files=", ".join(foreign[:5]))
    return None
