"""solve --parquet: the bi/ folder's typed tables read back, its plan id, its dimension tables, and
its files listed in manifest.json so that `check` and --overwrite see every one of them.

Example 1 of the spec (tests/data/example1; examples.md derives its optimum by hand): month 1
sends 1 patient of A to B at B's price 150 and 2 to contract c1 (provider X) at 120; cost 390.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from helpers import EXAMPLE1, invoke, read_rows, refused
from helpers.training import example2, placements
from helpers.volumes import untaken_candidate, write_scenario
from leveransplan.inputs import load_scenario
from leveransplan.models.results import ScenarioPlan
from leveransplan.outputs.bi import COLUMN_TYPES
from leveransplan.outputs.checker.plan import check_plan
from leveransplan.outputs.manifest import ManifestUnreadable, read_manifest
from leveransplan.outputs.publish import publish_plan
from leveransplan.outputs.staging import FolderState

FACTS = ("delivery_plan", "production_plan", "volume_table", "contract_usage")
DIMENSIONS = ("hospitals", "categories", "providers")


def solved(out: Path, *flags: str) -> Path:
    result = invoke("solve", EXAMPLE1, "--deterministic", "--parquet", "--out", out, "--quiet", *flags)
    assert result.exit_code == 0, result.output  # the independent checker passed inside solve
    return out


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return solved(tmp_path_factory.mktemp("bi") / "plan")


def table(plan: Path, name: str) -> pa.Table:
    return pq.read_table(plan / "bi" / f"{name}.parquet")


def rows(plan: Path, name: str) -> list[tuple[object, ...]]:
    """The table's rows without plan_id and scenario, as Python values."""
    frame = table(plan, name).drop_columns(["plan_id", "scenario"]).to_pylist()
    return [tuple(row.values()) for row in frame]


def test_one_parquet_file_per_table_and_no_other(plan: Path) -> None:
    # Example 1 has volumes only and no candidate contracts: no procurement, no training tables.
    names = sorted(p.name for p in (plan / "bi").iterdir())
    assert names == sorted([*(f"{n}.parquet" for n in (*FACTS, *DIMENSIONS)), "datapackage.json"])


def test_delivery_plan_typed_as_derived(plan: Path) -> None:
    # examples.md: in 2026-01 A sends 1 to B (transfer, B's price 150) and 2 to c1 at X (120 each).
    assert rows(plan, "delivery_plan") == [
        (date(2026, 1, 1), "A", "k", "transfer", "B", None, 1, 150, 150),
        (date(2026, 1, 1), "A", "k", "external", "X", "c1", 2, 120, 240),
    ]
    schema = table(plan, "delivery_plan").schema
    assert schema.field("month").type == pa.date32()
    for column in ("volume", "unit_price_sek", "cost_sek"):
        assert schema.field(column).type == pa.int64()
    for column in ("plan_id", "scenario", "hospital", "provider", "contract"):
        assert schema.field(column).type == pa.string()


@pytest.mark.parametrize("name", FACTS)
def test_rows_equal_the_csv_rows(plan: Path, name: str) -> None:
    # Property: the same cells as the CSV, in the same order; a month "YYYY-MM" is its first day,
    # a number its value, an empty cell null.
    frame = pd.read_parquet(plan / "bi" / f"{name}.parquet")
    expected = read_rows(plan / f"{name}.csv")
    assert list(frame.columns) == ["plan_id", "scenario", *expected[0]]
    assert len(frame) == len(expected)
    for got, want in zip(
        frame.drop(columns=["plan_id", "scenario"]).to_dict("records"), expected, strict=True
    ):
        for column, text in want.items():
            value = got[column]
            if COLUMN_TYPES[column] == "month":
                assert value.strftime("%Y-%m") == text
            elif text == "":
                assert value is None or pd.isna(value)
            else:
                assert str(value) == text, column


def test_dtypes_read_by_pandas(plan: Path) -> None:
    production = pd.read_parquet(plan / "bi" / "production_plan.parquet")
    assert production["waiting_end"].dtype == "int64"
    assert production["over_guarantee"].dtype == "int64"
    # A date32 column reaches pandas as dates (datetime64 or Python dates, by pandas' version).
    assert pd.api.types.is_datetime64_any_dtype(production["month"]) or isinstance(
        production["month"].iloc[0], date
    )
    # examples.md: w1 = w2 = 6 at A; B has no need (0 waiting); month by month, A then B.
    assert list(zip(production["hospital"], production["waiting_end"], strict=True)) == [
        ("A", 6),
        ("B", 0),
        ("A", 6),
        ("B", 0),
    ]


def test_one_plan_id_on_every_row_as_summary_and_manifest_record_it(plan: Path) -> None:
    summary = json.loads((plan / "summary.json").read_text(encoding="utf-8"))
    manifest = read_manifest(plan)
    assert summary["plan_id"] == manifest["plan_id"]
    assert len(summary["plan_id"]) == 16
    for name in (*FACTS, *DIMENSIONS):
        columns = table(plan, name).select(["plan_id", "scenario"]).to_pylist()
        assert columns and {tuple(c.values()) for c in columns} == {(summary["plan_id"], "Example 1")}, name


def test_same_plan_same_id_and_bytes_another_plan_another_id(plan: Path, tmp_path: Path) -> None:
    # --excel and --swedish-csv add workbooks and Swedish copies, but the plan is the same: the id
    # and the Parquet files too. examples.md: --budget 360 gives another plan (three contract
    # units, no transfer).
    same = solved(tmp_path / "same", "--excel", "--swedish-csv")
    other = solved(tmp_path / "other", "--budget", "360")
    assert read_manifest(same)["plan_id"] == read_manifest(plan)["plan_id"]
    for path in sorted((plan / "bi").iterdir()):
        assert (same / "bi" / path.name).read_bytes() == path.read_bytes(), path.name
    assert read_manifest(other)["plan_id"] != read_manifest(plan)["plan_id"]
    assert [r[3:7] for r in rows(other, "delivery_plan")] == [
        ("external", "X", "c1", 2),
        ("external", "X", "c1", 1),
    ]


def test_a_replan_deciding_the_same_has_its_own_id(plan: Path, tmp_path: Path) -> None:
    # Round 2026-02 keeps January as decided, and February's best is as before (examples.md):
    # the same rows, but another plan in the chain, made from the first.
    replan = solved(tmp_path / "replan", "--previous", str(plan), "--round", "2026-02")
    assert rows(replan, "delivery_plan") == rows(plan, "delivery_plan")
    assert rows(replan, "production_plan") == rows(plan, "production_plan")
    assert read_manifest(replan)["plan_id"] != read_manifest(plan)["plan_id"]


def test_dimension_tables(plan: Path) -> None:
    # tests/data/example1: hospitals A and B (no frame), category k, provider X of contract c1.
    assert rows(plan, "hospitals") == [("A", "Hospital A", None), ("B", "Hospital B", None)]
    assert rows(plan, "categories") == [("k", "somatik", "forstabesok", "Test", "besok")]
    assert rows(plan, "providers") == [
        ("A", "Hospital A", "hospital", False, False),
        ("B", "Hospital B", "hospital", False, False),
        ("X", "X", "contract", False, False),
    ]
    assert table(plan, "providers").schema.field("out_of_region").type == pa.bool_()


def test_data_package_describes_every_table(plan: Path) -> None:
    package = json.loads((plan / "bi" / "datapackage.json").read_text(encoding="utf-8"))
    resources = {r["name"]: r for r in package["resources"]}
    assert sorted(resources) == sorted((*FACTS, *DIMENSIONS))
    for name, resource in resources.items():
        fields = [f["name"] for f in resource["schema"]["fields"]]
        assert fields == table(plan, name).column_names
    delivery = {f["name"]: f["type"] for f in resources["delivery_plan"]["schema"]["fields"]}
    assert (delivery["month"], delivery["cost_sek"], delivery["contract"]) == ("date", "integer", "string")


def test_manifest_lists_every_bi_file(plan: Path) -> None:
    listed = read_manifest(plan)["outputs_sha256"]
    assert sorted(n for n in listed if n.startswith("bi/")) == sorted(
        f"bi/{p.name}" for p in (plan / "bi").iterdir()
    )
    assert invoke("check", EXAMPLE1, plan).exit_code == 0


def copied(plan: Path, copy: Path) -> Path:
    copy.mkdir()
    for path in sorted(plan.rglob("*")):
        target = copy / path.relative_to(plan)
        if path.is_dir():
            target.mkdir()
        else:
            target.write_bytes(path.read_bytes())
    return copy


def test_check_flags_an_edited_or_added_bi_file(plan: Path, tmp_path: Path) -> None:
    copy = copied(plan, tmp_path / "edited")
    edited = table(copy, "delivery_plan").set_column(8, "volume", pa.array([5, 5], pa.int64()))
    pq.write_table(edited, copy / "bi" / "delivery_plan.parquet")
    (copy / "bi" / "notes.txt").write_text("mine", encoding="utf-8")
    refused(
        invoke("check", EXAMPLE1, copy),
        6,
        "bi/delivery_plan.parquet has changed since the plan was written",
        "bi/notes.txt was not written with the plan",
    )
    # --overwrite never destroys them either.
    refused(
        invoke("solve", EXAMPLE1, "--deterministic", "--out", copy, "--overwrite", "--quiet"),
        2,
        "bi/delivery_plan.parquet (changed since the plan wrote it)",
        "bi/notes.txt (a file the plan did not write)",
    )


def test_overwrite_replaces_a_plan_with_bi(tmp_path: Path) -> None:
    out = solved(tmp_path / "plan")
    result = invoke("solve", EXAMPLE1, "--deterministic", "--out", out, "--overwrite", "--quiet")
    assert result.exit_code == 0, result.output
    assert not (out / "bi").exists()


@pytest.mark.parametrize("name", ["../delivery_plan.csv", "bi/../summary.json", "bi/x/y.parquet", "other/x"])
def test_manifest_names_outside_the_plan_are_refused(tmp_path: Path, name: str) -> None:
    (tmp_path / "manifest.json").write_text(
        json.dumps({"outputs_sha256": {name: "0" * 64}}), encoding="utf-8"
    )
    with pytest.raises(ManifestUnreadable, match="outputs_sha256 is not what leveransplan writes"):
        read_manifest(tmp_path)


def test_placement_tables_typed(tmp_path: Path) -> None:
    # Spec example 2 (tests/optimizer/test_training.py derives it): T2's paediatrics at H1 for
    # three months, starting by 2026-02 (deadline 2026-04); every requirement placed, so
    # unplaced has no rows but its columns.
    scenario = example2()
    out = publish_plan(
        tmp_path / "plan", tmp_path, scenario, ScenarioPlan(placements=placements(scenario)), {}, parquet=True
    )
    assert check_plan(scenario, out) == []
    names = sorted(p.stem for p in (out / "bi").glob("*.parquet"))
    assert names == ["hospitals", "placements", "places_table", "unplaced"]
    placed = {(r["trainee"], r["specialty"]): r for r in table(out, "placements").to_pylist()}
    t2 = placed["T2", "ped"]
    assert t2["hospital"] == "H1"
    assert (t2["start"], t2["end"]) in [
        (date(2026, 1, 1), date(2026, 3, 1)),
        (date(2026, 2, 1), date(2026, 4, 1)),
    ]
    assert table(out, "unplaced").num_rows == 0
    assert table(out, "places_table").schema.field("year").type == pa.int64()


def test_procurement_and_a_candidate_provider(tmp_path: Path) -> None:
    # tests/optimizer/test_procurement.py's candidate not taken up: base units clear A's 5
    # waiting, so CAND (provider Capio, candidates only) is proposed with 0 units and no months.
    scenario = untaken_candidate()
    out = tmp_path / "plan"
    result = invoke(
        "solve",
        write_scenario(tmp_path / "s", scenario),
        "--deterministic",
        "--parquet",
        "--out",
        out,
        "--quiet",
    )
    assert result.exit_code == 0, result.output
    assert rows(out, "procurement") == [("CAND", "Capio", "k", False, 0, 10, 0, None, None, 0)]
    assert rows(out, "providers")[-1] == ("Capio", "Capio", "candidate", False, False)


def test_the_checker_holds_bi_to_the_csv_files_and_the_plan_id(plan: Path, tmp_path: Path) -> None:
    # The checker reads bi/ itself: the transfer's volume 1 (delivery_plan.csv row 2) written as
    # 5, another plan id on the volume table, and the production plan's file gone.
    copy = copied(plan, tmp_path / "edited")
    scenario = load_scenario(EXAMPLE1)
    assert check_plan(scenario, copy) == []
    edited = table(copy, "delivery_plan").set_column(8, "volume", pa.array([5, 2], pa.int64()))
    pq.write_table(edited, copy / "bi" / "delivery_plan.parquet")
    volume_table = table(copy, "volume_table")
    other = pa.array(["0123456789abcdef"] * volume_table.num_rows)
    pq.write_table(volume_table.set_column(0, "plan_id", other), copy / "bi" / "volume_table.parquet")
    (copy / "bi" / "production_plan.parquet").unlink()
    plan_id = read_manifest(plan)["plan_id"]
    assert check_plan(scenario, copy) == [
        "bi/production_plan.parquet is missing, but production_plan.csv is in the plan folder",
        "bi/delivery_plan.parquet row 1: volume '5', but delivery_plan.csv row 2 has '1'",
        "bi/volume_table.parquet: rows name the plan and scenario '0123456789abcdef' 'Example 1', but "
        f"summary.json's plan_id is '{plan_id}' and the scenario 'Example 1'",
    ]


def test_a_file_edited_inside_bi_changes_the_folder_as_a_run_saw_it(plan: Path, tmp_path: Path) -> None:
    # An --overwrite run replaces its target only if the folder is as it was at the run's start:
    # an edit inside bi/ changes no time or size of the plan folder itself, so bi/ is seen too.
    copy = copied(plan, tmp_path / "copy")
    seen = FolderState.of(copy)
    with (copy / "bi" / "datapackage.json").open("a", encoding="utf-8") as handle:
        handle.write(" ")
    assert FolderState.of(copy) != seen
