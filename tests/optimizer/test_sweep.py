"""`leveransplan sweep`: variants solved in worker processes give the same rows as one by one."""

from __future__ import annotations

import csv
from pathlib import Path

from typer.testing import CliRunner

from helpers import EXAMPLE1, write
from leveransplan.cli import app
from leveransplan.inputs import load_scenario
from leveransplan.inputs.whatif import parse_recorded
from leveransplan.optimizer.sweep import Variant, built_in_variants, solve_variant, sweep

runner = CliRunner()
VARIANTS = [
    Variant("without X", {"without_provider": ["X"]}),
    Variant("inflow +50 %", {"scale": ["need.inflow=1.5"]}),
    Variant("c1 min above max", {"set": ["contracts.c1.volume_min=9"]}),
]


def test_rows_equal_the_variants_run_one_by_one() -> None:
    rows = sweep(EXAMPLE1, VARIANTS, time_limit_s=10, processes=2)
    assert [r["variant"] for r in rows] == ["base", "without X", "inflow +50 %", "c1 min above max"]
    for row, variant in zip(rows, [Variant("base"), *VARIANTS], strict=True):
        alone = solve_variant(str(EXAMPLE1), variant, 10, 1)
        assert {k: v for k, v in row.items() if k not in ("seconds", "cost_change_sek")} == {
            k: v for k, v in alone.items() if k != "seconds"
        }
    # Base: spec example 1, over_guarantee 0 at 390 SEK. Without X only B helps (1 unit in month 1,
    # 2 in month 2): w1 = 12 - 3 - 1 = 8 (2 over), w2 = 8 + 2 - 2 - 2 = 6: over_guarantee 2, and
    # 3 transfers x 150 = 450 SEK, 60 more than the base.
    base, without = rows[0], rows[1]
    assert (base["over_guarantee"], base["cost"]) == (0, 390)
    assert (without["over_guarantee"], without["cost"], without["cost_change_sek"]) == (2, 450, 60)
    assert rows[3]["status"] == "INVALID" and "is above volume_max 3" in rows[3]["note"]


def test_built_in_variants_cover_providers_and_inflow() -> None:
    names = [v.name for v in built_in_variants(load_scenario(EXAMPLE1))]
    # Two months only: no capacity dip (it needs months 4-6).
    assert names == ["without X", "inflow -10 %", "inflow +10 %", "inflow +20 %"]


def test_built_in_variants_leave_out_candidate_providers_too(example1: Path) -> None:
    # Y offers only a candidate contract: its variant is the plan without that offer (no row of
    # Y left in the contracts or access), not a variant refused as naming an unknown provider.
    write(example1, "candidate_contracts.csv", "contract,provider,category,price_sek", "cand1,Y,k,90")
    write(example1, "access.csv", "hospital,provider,travel_minutes,allowed", "A,X,30,true", "A,Y,45,true")
    variants = {v.name: v for v in built_in_variants(load_scenario(example1))}
    assert list(variants)[:2] == ["without X", "without Y"]
    scenario = load_scenario(example1, parse_recorded(variants["without Y"].flags))
    assert [c.contract for c in scenario.contracts] == ["c1"]
    assert [a.provider for a in scenario.access] == ["X"]


def test_the_command_writes_the_table(tmp_path: Path) -> None:
    variants = tmp_path / "variants.toml"
    variants.write_text('[[variant]]\nname = "without X"\nwithout_provider = ["X"]\n', encoding="utf-8")
    out = tmp_path / "sweep.csv"
    result = runner.invoke(
        app, ["sweep", str(EXAMPLE1), "--variants", str(variants), "--processes", "1", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["variant"], r["over_guarantee"], r["cost_change_sek"]) for r in rows] == [
        ("base", "0", "0"),
        ("without X", "2", "60"),
    ]


def test_a_bad_variants_file_is_named(tmp_path: Path) -> None:
    variants = tmp_path / "variants.toml"
    variants.write_text('[[variant]]\nname = "x"\nremove = ["X"]\n', encoding="utf-8")
    result = runner.invoke(
        app, ["sweep", str(EXAMPLE1), "--variants", str(variants), "--out", str(tmp_path / "s.csv")]
    )
    assert result.exit_code == 2
    assert "variant 1: remove is not a what-if" in " ".join(result.output.split())
