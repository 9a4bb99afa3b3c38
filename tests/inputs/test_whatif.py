"""What-if flags: each changes the scenario in memory (never the files), is recorded in manifest.json,
is applied again by `check`, and a bad flag is rejected with a message naming it.

Example 1 of the spec (tests/data/example1): hospitals A and B, category k, contract c1 with
provider X (volume_min 2, volume_max 3, monthly_max 2, 120 SEK), A's capacity factor 0.5 in
2026-02; A waits 10 with inflow 4 over two months.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from helpers import EXAMPLE1, flat
from leveransplan.cli import app
from leveransplan.inputs import ScenarioInvalid, load_scenario
from leveransplan.inputs.whatif import WhatIfInvalid, parse_what_ifs

runner = CliRunner()


def files_digest() -> str:
    return hashlib.sha256(b"".join(p.read_bytes() for p in sorted(EXAMPLE1.iterdir()))).hexdigest()


def loaded(**flags: object):  # type: ignore[no-untyped-def]
    return load_scenario(EXAMPLE1, parse_what_ifs(**flags))  # type: ignore[arg-type]


def test_set_one_value() -> None:
    assert loaded(sets=["contracts.c1.volume_max=5"]).contracts[0].volume_max == 5


def test_set_with_a_composite_key() -> None:
    # own_volumes is keyed by hospital/category.
    scenario = loaded(sets=["own_volumes.B/k.additional_max=7"])
    assert [(o.hospital, o.additional_max) for o in scenario.own_volumes] == [("A", 0), ("B", 7)]


def test_scale_on_matching_rows_rounds_half_up() -> None:
    # A's inflow 4 x 1.10 = 4.4 -> 4; x 1.125 = 4.5 -> 5 (half up).
    assert loaded(scales=["need.inflow=1.10"], where=["hospital=A"]).need[0].inflow == 4
    assert loaded(scales=["need.inflow=1.125"], where=["hospital=A"]).need[0].inflow == 5


def test_shift_multiplies_the_profile() -> None:
    # A already runs at 0.5 in 2026-02: 0.5 x 0.6 = 0.3; 2026-01 gets a new row 0.6.
    factors = {(p.hospital, p.month): p.factor for p in loaded(shifts=["A:2026-01..2026-02=0.6"]).profile}
    assert factors == {("A", "2026-01"): Decimal("0.6"), ("A", "2026-02"): Decimal("0.30")}


def test_dip_adds_capacity_loss_rows_and_leaves_the_profile() -> None:
    scenario = loaded(dips=["A:2026-01..2026-02=0.6"])
    assert [
        (r.hospital, r.category, r.first_month, r.last_month, r.factor) for r in scenario.capacity_loss
    ] == [("A", None, "2026-01", "2026-02", Decimal("0.6"))]
    assert [(p.hospital, p.month, p.factor) for p in scenario.profile] == [("A", "2026-02", Decimal("0.5"))]


@pytest.mark.parametrize("text", ["A:k:2026-02=0", "A:k,k:2026-02..2026-02=0"])
def test_dip_names_categories_between_the_hospital_and_the_months(text: str) -> None:
    # One row per category named; k twice is two rows that multiply (0 either way).
    rows = loaded(dips=[text]).capacity_loss
    assert {(r.hospital, r.category, r.first_month, r.last_month) for r in rows} == {
        ("A", "k", "2026-02", "2026-02")
    }


def test_without_provider_leaves_out_its_contracts_and_access() -> None:
    scenario = loaded(without_providers=["X"])
    assert scenario.contracts == () and all(a.provider != "X" for a in scenario.access)


def test_budget_and_objective() -> None:
    scenario = loaded(budget="2.5e3", objectives=["over_guarantee,cost"])
    assert scenario.max_cost_sek == 2500
    assert scenario.objective.volumes == ("over_guarantee", "cost")


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        ({"sets": ["contracts.c9.volume_max=5"]}, "contracts.csv has no row contract = c9"),
        ({"sets": ["contract.c1.volume_max=5"]}, "is not a table"),
        ({"sets": ["contracts.c1.volume_maximum=5"]}, "is not a column of contracts.csv"),
        (
            {"sets": ["contracts.c1.volume_max=lots"]},
            "contracts.csv column volume_max: expected a whole number",
        ),
        ({"sets": ["contracts.c1"]}, "expected TABLE.KEY.COLUMN=VALUE"),
        ({"scales": ["need.category=2"]}, "need.csv column category is not a number"),
        ({"scales": ["need.inflow=1.1"], "where": ["hospital=Z"]}, "no row of need.csv has hospital=Z"),
        ({"where": ["hospital=A"]}, "applies to --scale"),
        ({"dips": ["Q:2026-01..2026-02=0.5"]}, "'Q': is not a hospital in hospitals.csv"),
        ({"dips": ["A:2026-03=0.5"]}, "2026-03 is outside the horizon"),
        ({"dips": ["A:2026-02..2026-01=0.5"]}, "the months end (2026-01) before they start (2026-02)"),
        ({"dips": ["A:2026-01=1.5"]}, "with the share of capacity kept from 0 to 1"),
        ({"dips": ["A:q:2026-01=0.5"]}, "'q': is not a category in categories.csv"),
        ({"shifts": ["Q:2026-01..2026-02=0.5"]}, "--shift Q:2026-01..2026-02=0.5: 'Q': is not a hospital"),
        ({"shifts": ["A:2026-03=0.5"]}, "2026-03 is outside the horizon"),
        ({"shifts": ["A:k:2026-01=0.5"]}, "expected HOSPITAL:YYYY-MM..YYYY-MM=FACTOR"),
        ({"without_providers": ["Y"]}, "is not a provider in contracts.csv; expected one of X"),
        ({"budget": "cheap"}, "expected whole SEK, 0 or more"),
        ({"objectives": ["over_guarantee,speed"]}, "expected volumes terms from"),
    ],
)
def test_bad_flags_are_named(flags: dict[str, object], message: str) -> None:
    with pytest.raises(WhatIfInvalid) as raised:
        loaded(**flags)
    assert message in str(raised.value)


def test_a_change_that_breaks_a_rule_is_reported_like_the_file() -> None:
    # volume_min 2 above the new volume_max 1: the same message as if typed into contracts.csv.
    with pytest.raises(ScenarioInvalid) as raised:
        loaded(sets=["contracts.c1.volume_max=1"])
    assert not isinstance(raised.value, WhatIfInvalid)
    assert "contracts.csv, row 2, column volume_min: '2': is above volume_max 1" in str(raised.value)


def test_solve_records_the_flags_and_check_applies_them_again(tmp_path: Path) -> None:
    before = files_digest()
    out = tmp_path / "plan"
    flags = ["--set", "contracts.c1.volume_max=2", "--budget", "100000", "--without-provider", "X"]
    result = runner.invoke(app, ["solve", str(EXAMPLE1), "--out", str(out), *flags])
    assert result.exit_code == 0, result.output
    assert "What-if changes" in result.output and "--without-provider X" in result.output
    parameters = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["parameters"]
    assert parameters["what_if"] == [
        "--set contracts.c1.volume_max=2",
        "--without-provider X",
        "--budget 100000",
    ]
    assert parameters["what_if_flags"]["without_provider"] == ["X"]
    assert parameters["max_cost_sek"] == 100000
    # Without contract c1 nothing is referred externally.
    assert "external" not in (out / "delivery_plan.csv").read_text(encoding="utf-8")
    checked = runner.invoke(app, ["check", str(EXAMPLE1), str(out)])
    assert checked.exit_code == 0, checked.output
    assert "With the plan's what-if changes" in checked.output
    assert files_digest() == before  # the scenario files are untouched


def test_a_bad_flag_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "plan"
    result = runner.invoke(
        app, ["solve", str(EXAMPLE1), "--out", str(out), "--set", "contracts.c9.volume_max=1"]
    )
    assert result.exit_code == 2
    assert "contracts.csv has no row contract = c9" in flat(result.output)
    assert not out.exists()


def test_previous_plan_turns_on_stability_and_is_recorded(tmp_path: Path) -> None:
    # Plan A (spec example 1): 1 transferred to B and 2 referred to c1, both in 2026-01.
    # Re-planned with c1 capped at 1: month 1 sheds B's 1 and c1's 1, w1 = 12 - 3 - 2 = 7 (over
    # the limit 6 by 1); month 2 must shed 1 more, and only B is left: over_guarantee 1.
    # Against plan A: c1 in 2026-01 |1 - 2| = 1, the new transfer in 2026-02 |1 - 0| = 1: stability 2,
    # the least possible, since both changes are forced.
    first, second = tmp_path / "a", tmp_path / "b"
    assert runner.invoke(app, ["solve", str(EXAMPLE1), "--out", str(first)]).exit_code == 0
    result = runner.invoke(
        app,
        [
            "solve", str(EXAMPLE1), "--out", str(second), "--previous", str(first),
            "--set", "contracts.c1.volume_min=0", "--set", "contracts.c1.volume_max=1",
            "--objective", "over_guarantee,stability",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    summary = json.loads((second / "summary.json").read_text(encoding="utf-8"))["volumes"]
    assert summary["previous_plan"] == str(first)
    assert [(s["objective"], s["value"], s["status"]) for s in summary["stages"]] == [
        ("over_guarantee", 1, "OPTIMAL"),
        ("stability", 2, "OPTIMAL"),
    ]
    manifest = json.loads((second / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["parameters"]["previous_plan"] == str(first)
    assert runner.invoke(app, ["check", str(EXAMPLE1), str(second)]).exit_code == 0


def test_a_previous_plan_with_unknown_codes_is_refused(tmp_path: Path) -> None:
    # The previous plan is sound for its own scenario, where the contract is called c9; this
    # scenario has no c9, so the two plans do not describe the same options.
    renamed, first = tmp_path / "renamed", tmp_path / "a"
    shutil.copytree(EXAMPLE1, renamed)
    contracts = renamed / "contracts.csv"
    contracts.write_text(contracts.read_text(encoding="utf-8").replace("c1,", "c9,"), encoding="utf-8")
    assert runner.invoke(app, ["solve", str(renamed), "--out", str(first)]).exit_code == 0
    result = runner.invoke(
        app, ["solve", str(EXAMPLE1), "--out", str(tmp_path / "b"), "--previous", str(first)]
    )
    assert result.exit_code == 2
    assert "column contract: 'c9': is not a contract of this scenario" in flat(result.output)
    assert not (tmp_path / "b").exists()


WIDER_C1 = ["--set", "contracts.c1.volume_max=5", "--set", "contracts.c1.monthly_max=4"]


def test_frozen_months_stay_as_decided(tmp_path: Path) -> None:
    # Plan A (example 1) refers 2 to c1 and transfers 1 to B in 2026-01. Re-planned with c1's
    # maximum raised to 5 and its monthly maximum to 4, but 2026-01 frozen: month 1 keeps exactly
    # plan A's decisions (production_plan and delivery_plan rows of 2026-01 identical). Unfrozen,
    # the cheaper plan refers 3 to c1 (360 SEK) instead of 2 plus a transfer (390 SEK) in month 1.
    first, second, free = tmp_path / "a", tmp_path / "b", tmp_path / "free"
    assert runner.invoke(app, ["solve", str(EXAMPLE1), "--out", str(first)]).exit_code == 0
    result = runner.invoke(
        app,
        [
            "solve", str(EXAMPLE1), "--out", str(second), "--previous", str(first),
            "--freeze-until", "2026-01", *WIDER_C1,
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output

    def month1(folder: Path, file: str) -> list[str]:
        return [
            r for r in (folder / file).read_text(encoding="utf-8").splitlines() if r.startswith("2026-01")
        ]

    for file in ("production_plan.csv", "delivery_plan.csv"):
        assert month1(second, file) == month1(first, file)
    assert runner.invoke(app, ["solve", str(EXAMPLE1), "--out", str(free), *WIDER_C1]).exit_code == 0
    assert month1(free, "delivery_plan.csv") == ["2026-01,A,k,external,X,c1,3,120,360"]
    parameters = json.loads((second / "manifest.json").read_text(encoding="utf-8"))["parameters"]
    assert parameters["freeze_until"] == "2026-01"


def test_freeze_needs_a_previous_plan_and_a_month_of_the_horizon(tmp_path: Path) -> None:
    first = tmp_path / "a"
    assert runner.invoke(app, ["solve", str(EXAMPLE1), "--out", str(first)]).exit_code == 0
    alone = runner.invoke(
        app, ["solve", str(EXAMPLE1), "--out", str(tmp_path / "b"), "--freeze-until", "2026-01"]
    )
    assert alone.exit_code == 2 and "--freeze-until needs --previous" in flat(alone.output)
    outside = runner.invoke(
        app,
        [
            "solve",
            str(EXAMPLE1),
            "--out",
            str(tmp_path / "c"),
            "--previous",
            str(first),
            "--freeze-until",
            "2026-05",
        ],
    )
    assert outside.exit_code == 2 and "expected a month of the horizon 2026-01..2026-02" in flat(
        outside.output
    )


def test_replan_from_actuals(tmp_path: Path) -> None:
    # Plan A (example 1) referred 2 to c1 in 2026-01. Reported for 2026-01: A performed its 3 base
    # units but ends with 8 waiting (not 6); B performed 1 additional unit. The rest of the year is
    # 2026-02 alone: A waits 8, inflow 2, base 2 (the 0.5 month), limit floor(3 x 2 / 1) = 6; B has
    # 3 - 1 = 2 additional units left; c1 has 3 - 2 = 1 left and no minimum. Shedding 2 patients:
    # c1 1 (120) + B 1 (150) = 270 SEK, over_guarantee 0, travel 30 + 20 = 50.
    first, second = tmp_path / "a", tmp_path / "b"
    assert runner.invoke(app, ["solve", str(EXAMPLE1), "--out", str(first)]).exit_code == 0
    actuals = tmp_path / "actuals.csv"
    actuals.write_text(
        "hospital,category,month,performed,waiting_end\nA,k,2026-01,3,8\nB,k,2026-01,1,0\n", encoding="utf-8"
    )
    result = runner.invoke(
        app,
        [
            "solve", str(EXAMPLE1), "--out", str(second), "--previous", str(first),
            "--freeze-until", "2026-01", "--actuals", str(actuals),
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    summary = json.loads((second / "summary.json").read_text(encoding="utf-8"))["volumes"]
    assert [(s["objective"], s["value"]) for s in summary["stages"]] == [
        ("over_guarantee", 0),
        ("cost", 270),
        ("travel", 50),
    ]
    months = {
        r.split(",")[0] for r in (second / "production_plan.csv").read_text(encoding="utf-8").splitlines()[1:]
    }
    assert months == {"2026-02"}
    parameters = json.loads((second / "manifest.json").read_text(encoding="utf-8"))["parameters"]
    assert parameters["actuals"] == {"file": str(actuals), "decided_until": "2026-01"}
    checked = runner.invoke(app, ["check", str(EXAMPLE1), str(second)])
    assert checked.exit_code == 0, checked.output


def test_actuals_must_cover_every_waiting_list(tmp_path: Path) -> None:
    actuals = tmp_path / "actuals.csv"
    actuals.write_text("hospital,category,month,performed,waiting_end\nB,k,2026-01,1,0\n", encoding="utf-8")
    result = runner.invoke(
        app,
        [
            "solve",
            str(EXAMPLE1),
            "--out",
            str(tmp_path / "b"),
            "--freeze-until",
            "2026-01",
            "--actuals",
            str(actuals),
        ],
    )
    assert result.exit_code == 3
    assert "actuals.csv: has no waiting_end for A k in 2026-01" in flat(result.output)


def test_every_flag_is_recorded_in_the_manifest(tmp_path: Path) -> None:
    out = tmp_path / "plan"
    flags = [
        "--set", "contracts.c1.volume_max=3",
        "--scale", "need.inflow=1.0", "--where", "hospital=A",
        "--dip", "B:2026-02=0.5",
        "--shift", "A:2026-01=0.5",
        "--budget", "1e6",
        "--objective", "over_guarantee,cost",
    ]  # fmt: skip
    result = runner.invoke(app, ["solve", str(EXAMPLE1), "--out", str(out), *flags])
    assert result.exit_code == 0, result.output
    parameters = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["parameters"]
    assert parameters["what_if"] == [
        "--set contracts.c1.volume_max=3",
        "--scale need.inflow=1.0 --where hospital=A",
        "--dip B:2026-02=0.5",
        "--shift A:2026-01=0.5",
        "--budget 1e6",
        "--objective over_guarantee,cost",
    ]
    assert parameters["what_if_flags"] == {
        "set": ["contracts.c1.volume_max=3"],
        "scale": ["need.inflow=1.0"],
        "where": ["hospital=A"],
        "dip": ["B:2026-02=0.5"],
        "without_provider": [],
        "budget": "1e6",
        "objective": ["over_guarantee,cost"],
        "shift": ["A:2026-01=0.5"],
    }
    assert (
        parameters["objective"]["volumes"] == ["over_guarantee", "cost"]
        and parameters["max_cost_sek"] == 1_000_000
    )
    assert runner.invoke(app, ["check", str(EXAMPLE1), str(out)]).exit_code == 0
