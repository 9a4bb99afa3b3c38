"""Write the CSV tables of the default scenario inputs/vgr-2026/.

    python -m leveransplan.inputs.generators.vgr_2026           # (re)write inputs/vgr-2026/*.csv
    python -m leveransplan.inputs.generators.vgr_2026 --check   # compare with the files, write nothing
    python -m leveransplan.inputs.generators.vgr_2026 --report  # also the AT optimum, ST-A demand/places

The output is deterministic: running it again reproduces the CSV files byte for byte. scenario.toml and
README.md are written by hand and are not touched.

The REAL figures come from the 2026 decision (vgr_decision; `--source DIR` checks them against
the extracted CSV files in DIR); every other figure is ILLUSTRATIVE, invented by the fixed rules of
vgr_volumes and vgr_training and labelled as such in README.md. Before writing, the build checks
the training tables' rules (check_training) and exits 1 if one fails.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from leveransplan.inputs.generators.shared import csv_text
from leveransplan.inputs.generators.vgr_decision import (
    HOSPITAL_CODES,
    HOSPITALS,
    MONTHS,
    PRICE_CLASS,
    PRICES,
    SAS_VOLUMES,
    check_source,
)
from leveransplan.inputs.generators.vgr_training import (
    TRAVEL,
    at_tables,
    check_training,
    month_name,
    report,
    st_capacity,
    st_fixed,
    trainees,
)
from leveransplan.inputs.generators.vgr_volumes import (
    CONTRACTS,
    EHR_GO_LIVE,
    NOT_ALLOWED,
    PROVIDERS,
    SEASON,
    minutes,
    need,
    own_volumes,
)
from leveransplan.inputs.load import default_scenario_path


def tables() -> dict[str, list[list[Any]]]:
    """Every CSV file's rows, header first, in the scenario's order."""
    volumes = own_volumes()
    needs = need(volumes)
    out: dict[str, list[list[Any]]] = {}
    out["hospitals.csv"] = [["hospital", "name"]] + [[h, n] for h, n in HOSPITALS]
    out["categories.csv"] = [["category", "area", "kind", "specialty", "price_class"]] + [
        [k, area, kind, spec, PRICE_CLASS[kind]] for k, area, kind, spec, _, _ in SAS_VOLUMES
    ]
    out["prices.csv"] = [["hospital", "price_class", "price_sek"]] + [list(p) for p in PRICES]
    out["own_volumes.csv"] = [["hospital", "category", "base", "additional_max"]] + [
        [h, k, b, a] for (h, k), (b, a) in volumes.items()
    ]
    out["need.csv"] = [["hospital", "category", "waiting", "inflow"]] + [
        [h, k, w, i] for (h, k), (w, i) in needs.items()
    ]
    out["profile.csv"] = [["hospital", "month", "factor"]] + [
        [h, m, EHR_GO_LIVE.get(h, {}).get(m) or SEASON.get(m, "1.0")] for h in HOSPITAL_CODES for m in MONTHS
    ]
    out["contracts.csv"] = [
        [
            "contract",
            "provider",
            "category",
            "volume_min",
            "volume_max",
            "price_sek",
            "first_month",
            "last_month",
            "monthly_max",
            "out_of_region",
        ]
    ] + [list(c) for c in CONTRACTS]
    access: list[list[Any]] = [["hospital", "provider", "travel_minutes", "allowed"]]
    for h in HOSPITAL_CODES:
        for target in [g for g in HOSPITAL_CODES if g != h] + list(PROVIDERS):
            allowed = "false" if (h, target) in NOT_ALLOWED else "true"
            access.append([h, target, minutes(h, target), allowed])
    out["access.csv"] = access
    at, rotations = at_tables()
    out["at.csv"] = [["hospital", "min", "max", "weight", "previous"], *at]
    out["at_rotations.csv"] = [["hospital", "area", "months", "capacity_months"], *rotations]
    people = trainees()
    capacity = st_capacity()
    out["st_trainees.csv"] = [["trainee", "home_area", "earliest_start", "deadline", "unavailable"]] + [
        [t.trainee, t.home_area, month_name(t.earliest), month_name(t.deadline), t.unavailable]
        for t in people
    ]
    out["st_requirements.csv"] = [["trainee", "specialty", "months"]] + [
        [t.trainee, s, d] for t in people for s, d in t.requirements
    ]
    out["st_capacity.csv"] = [["hospital", "specialty", "year", "places", "concurrent_max"]] + [
        [h, s, year, places, "" if limit is None else limit]
        for (h, s, year), (places, limit) in capacity.items()
    ]
    out["travel.csv"] = [["home_area", "hospital", "minutes"]] + [
        [area, h, minutes] for area, row in TRAVEL.items() for h, minutes in row.items()
    ]
    out["st_fixed.csv"] = [["trainee", "specialty", "hospital", "start"]] + [
        [t, s, h, month_name(start)] for t, s, h, start in st_fixed(people, capacity)
    ]
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=default_scenario_path(), help="scenario folder")
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    parser.add_argument("--source", type=Path, help="check the embedded real figures against DIR")
    parser.add_argument(
        "--report", action="store_true", help="print the AT optimum and ST-A demand vs places"
    )
    args = parser.parse_args()
    people, capacity = trainees(), st_capacity()
    problems = check_training(people, capacity)
    for p in problems:
        print(f"training tables: {p}", file=sys.stderr)
    if problems:
        return 1
    if args.report:
        print(report(people, capacity))
    if args.source is not None:
        problems = check_source(args.source)
        for p in problems:
            print(f"real figures: {p} from {args.source}", file=sys.stderr)
        if problems:
            return 1
    differ = []
    for name, rows in tables().items():
        data = csv_text(rows).encode("utf-8")
        path = args.out / name
        if args.check:
            if not path.exists() or path.read_bytes() != data:
                differ.append(name)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
    if differ:
        print("differ from the generated tables: " + ", ".join(differ), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
