"""The data dictionary: datapackage.json in every folder of CSV files, describing each column in
English and Swedish, and the checker that holds a folder to it.

The plans are example 1 (tests/data/example1: volumes), the spec's example 3 (AT) and example 2
(ST-A placements) from tests/helpers/training.py, a candidate contract (procurement.csv), the
shipped scenario's volumes, and example 1's frontier and follow-up.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from helpers import EXAMPLE1, ROOT, invoke
from helpers.training import ONE_WORKER, H, example2, placements
from helpers.volumes import untaken_candidate, write_scenario
from leveransplan.inputs import load_scenario
from leveransplan.inputs.plan_files import read_plan_csv
from leveransplan.models.results import ScenarioPlan
from leveransplan.models.scenario import ATRow, Scenario
from leveransplan.models.training import ATData
from leveransplan.optimizer.at.model import solve_at
from leveransplan.outputs import (
    bi,
    followup,
    followup_guarantee,
    followup_training,
    frontier_files,
    risk_files,
)
from leveransplan.outputs import training_files as tf
from leveransplan.outputs import volume_files as vf
from leveransplan.outputs.checker.data_dictionary import check_data_package
from leveransplan.outputs.checker.plan import check_plan
from leveransplan.outputs.data_dictionary import (
    DATA_PACKAGE,
    JSON_TYPES,
    TABLE_TYPES,
    TEXTS,
    DictionaryMismatch,
    describe_columns,
    dictionary,
)
from leveransplan.outputs.manifest import read_manifest
from leveransplan.outputs.publish import publish_plan

# Every CSV file a folder can hold, with the columns its writer writes, and the bi/ dimensions.
WRITTEN = {
    "delivery_plan.csv": vf.DELIVERY_COLUMNS,
    "production_plan.csv": vf.PRODUCTION_COLUMNS,
    "volume_table.csv": vf.VOLUME_TABLE_COLUMNS,
    "contract_usage.csv": vf.CONTRACT_COLUMNS,
    "procurement.csv": vf.PROCUREMENT_COLUMNS,
    "at_distribution.csv": tf.AT_COLUMNS,
    "placements.csv": tf.PLACEMENT_COLUMNS,
    "unplaced.csv": tf.UNPLACED_COLUMNS,
    "places_table.csv": tf.PLACES_COLUMNS,
    "places_proposal.csv": tf.PROPOSAL_COLUMNS,
    "frontier.csv": frontier_files.FRONTIER_COLUMNS,
    "risk_summary.csv": risk_files.SUMMARY_COLUMNS,
    "risk_months.csv": risk_files.MONTH_COLUMNS,
    "followup_production.csv": followup.PRODUCTION_COLUMNS,
    "followup_referrals.csv": followup.REFERRAL_COLUMNS,
    "followup_referrals_by_provider.csv": followup.BY_PROVIDER_COLUMNS,
    "followup_by_kind.csv": followup.BY_KIND_COLUMNS,
    "followup_periods.csv": followup.PERIOD_COLUMNS,
    "followup_settlement.csv": followup.SETTLEMENT_COLUMNS,
    "followup_guarantee.csv": followup_guarantee.GUARANTEE_COLUMNS,
    "followup_st_status.csv": followup_training.ST_STATUS_COLUMNS,
    "hospitals.parquet": bi.HOSPITAL_COLUMNS,
    "categories.parquet": bi.CATEGORY_COLUMNS,
    "providers.parquet": bi.PROVIDER_COLUMNS,
}
UNITS = {"SEK", "patients", "units", "patient-months", "positions", "places", "minutes", "seconds", "percent"}
UNITS |= {"patient-months per MSEK", "percentage points"}


def package(folder: Path) -> dict[str, Any]:
    return json.loads((folder / DATA_PACKAGE).read_text(encoding="utf-8"))


def fields(folder: Path, file: str) -> dict[str, dict[str, Any]]:
    resource = next(r for r in package(folder)["resources"] if r["path"] == file)
    return {f["name"]: f for f in resource["schema"]["fields"]}


def assert_described(folder: Path) -> None:
    """Every CSV file's header is its resource's field names in order, summary.json's keys are its
    resource's, and the checker finds nothing."""
    resources = {r["path"]: r for r in package(folder)["resources"]}
    csv_files = sorted(p.name for p in folder.glob("*.csv"))
    assert csv_files, folder
    summary = ["summary.json"] if (folder / "summary.json").exists() else []
    assert sorted(resources) == sorted([*csv_files, *summary])
    for name in csv_files:
        header = read_plan_csv(folder / name).header
        assert [f["name"] for f in resources[name]["schema"]["fields"]] == header, name
    assert check_data_package(folder) == []


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dictionary") / "plan"
    result = invoke("solve", EXAMPLE1, "--deterministic", "--parquet", "--out", out, "--quiet")
    assert result.exit_code == 0, result.output  # the checker, the dictionary's included, passed
    return out


def copied(plan: Path, to: Path) -> Path:
    shutil.copytree(plan, to)
    return to


def rewrite_package(folder: Path, change: Any) -> None:
    document = package(folder)
    change(document)
    (folder / DATA_PACKAGE).write_text(json.dumps(document), encoding="utf-8")


# -- the dictionary itself --------------------------------------------------------------------------


def test_the_dictionary_describes_exactly_the_columns_the_writers_write() -> None:
    # Both ways: no file or column left out, none described that no writer writes.
    assert sorted(dictionary().files) == sorted(WRITTEN)
    for file, columns in WRITTEN.items():
        assert [c.name for c in describe_columns(file, columns)] == list(columns), file


def test_every_entry_is_typed_and_described_in_both_languages() -> None:
    entries = [c for f in dictionary().files.values() for c in f.columns]
    for entry in [*entries, *dictionary().summary.values()]:
        assert all(text.strip() for text in entry.texts().values()), entry.name
        assert entry.unit is None or entry.unit in UNITS, entry.name
    assert {e.type for e in entries} <= TABLE_TYPES
    assert {e.type for e in dictionary().summary.values()} <= JSON_TYPES
    for file in dictionary().files.values():
        assert all(text.strip() for text in file.texts.values()), file.name


def test_hand_checked_entries() -> None:
    # delivery_plan.csv's volume is the patients sent that month (docs/commands.md); glossary:
    # referral = remiss, beyond the guarantee = utöver vårdgarantin, additional volume = tillägg.
    (volume,) = [c for c in describe_columns("delivery_plan.csv", vf.DELIVERY_COLUMNS) if c.name == "volume"]
    assert (volume.type, volume.unit, volume.title_en, volume.title_sv) == (
        "integer",
        "patients",
        "Patients sent",
        "Remitterade patienter",
    )
    production = {c.name: c for c in describe_columns("production_plan.csv", vf.PRODUCTION_COLUMNS)}
    assert production["over_guarantee"].title_sv == "Väntande utöver vårdgarantin"
    assert production["month"].type == "yearmonth"
    table = {c.name: c for c in describe_columns("volume_table.csv", vf.VOLUME_TABLE_COLUMNS)}
    assert (table["tillagg"].title_sv, table["uppdrag"].description_sv) == (
        "Tillägg",
        "Årets uppdrag: bas plus tillägg.",
    )
    assert dictionary().files["delivery_plan.csv"].texts["title_sv"] == "Leveransplan"


def test_the_user_document_names_every_file_described() -> None:
    document = (ROOT / "docs" / "data-dictionary.md").read_text(encoding="utf-8")
    for name, file in dictionary().files.items():
        assert f"`{name}`" in document or f"`bi/{name}`" in document, name
        assert f"| {file.texts['title_sv']} | {file.texts['title']} |" in document, name


def test_a_header_the_dictionary_does_not_describe_is_refused() -> None:
    with pytest.raises(DictionaryMismatch, match=r"delivery_plan.csv: columns .*'referrals'"):
        describe_columns("delivery_plan.csv", (*vf.DELIVERY_COLUMNS, "referrals"))
    with pytest.raises(DictionaryMismatch, match=r"diff\.csv is not in the data dictionary"):
        describe_columns("diff.csv", ("month",))


# -- the folders ------------------------------------------------------------------------------------


def test_a_plan_folder_describes_each_csv_file_and_summary_json(plan: Path) -> None:
    assert_described(plan)
    delivery = fields(plan, "delivery_plan.csv")
    assert delivery["volume"] == {
        "name": "volume",
        "type": "integer",
        "unit": "patients",
        "title": "Patients sent",
        "description": "How many patients are sent this month.",
        "title_sv": "Remitterade patienter",
        "description_sv": "Hur många patienter som skickas under månaden.",
    }
    assert delivery["cost_sek"]["unit"] == "SEK"
    resources = {r["path"]: r for r in package(plan)["resources"]}
    assert resources["delivery_plan.csv"]["dialect"] == {"delimiter": ",", "header": True}
    keys = [k["name"] for k in resources["summary.json"]["keys"]]
    summary = json.loads((plan / "summary.json").read_text(encoding="utf-8"))
    # The file's keys in its order, each model's keys after its own.
    assert [k for k in keys if "." not in k] == list(summary)
    assert [k.removeprefix("volumes.") for k in keys if k.startswith("volumes.")] == list(summary["volumes"])
    # check verifies it: manifest.json lists it with its digest.
    assert DATA_PACKAGE in read_manifest(plan)["outputs_sha256"]


def test_the_bi_folder_takes_its_texts_from_the_same_dictionary(plan: Path) -> None:
    bi_package = json.loads((plan / "bi" / DATA_PACKAGE).read_text(encoding="utf-8"))
    bi_fields = {r["name"]: {f["name"]: f for f in r["schema"]["fields"]} for r in bi_package["resources"]}
    for name, described in fields(plan, "delivery_plan.csv").items():
        assert {t: bi_fields["delivery_plan"][name][t] for t in TEXTS} == {t: described[t] for t in TEXTS}
    # bi/ keeps Parquet's types: a month is a date there, a yearmonth in the CSV file.
    assert bi_fields["delivery_plan"]["month"]["type"] == "date"
    assert bi_fields["hospitals"]["frame_sek"]["title_sv"] == "Ersättningsram"
    assert bi_fields["providers"]["plan_id"]["title_sv"] == "Plan-id"
    for table in bi_fields.values():
        assert all(field[t].strip() for field in table.values() for t in TEXTS)


def test_the_dictionary_is_the_same_bytes_in_either_language_and_with_workbooks(tmp_path: Path) -> None:
    written = {}
    for lang in ("sv", "en"):
        out = tmp_path / lang
        result = invoke("--lang", lang, "solve", EXAMPLE1, "--deterministic", "--out", out, "--quiet")
        assert result.exit_code == 0, result.output
        written[lang] = (out / DATA_PACKAGE).read_bytes()
    assert written["sv"] == written["en"]
    # Workbooks and the Swedish copies leave the machine CSV files, and so their description, plain.
    excel = tmp_path / "excel"
    args = ("--deterministic", "--excel", "--swedish-csv", "--out", excel, "--quiet")
    result = invoke("--lang", "sv", "solve", EXAMPLE1, *args)
    assert result.exit_code == 0, result.output
    assert_described(excel)
    assert (excel / DATA_PACKAGE).read_bytes() == written["sv"]


def at_example() -> Scenario:
    # The spec's example 3: 10 positions over H1-H3, weights 1, previous (3, 5, 2).
    return Scenario(
        name="example 3",
        start="2026-01",
        months=1,
        at_total=10,
        hospitals=H,
        solver=ONE_WORKER,
        at=tuple(
            ATRow(hospital=h.hospital, min=0, max=10, weight=1, previous=p)
            for h, p in zip(H, (3, 5, 2), strict=True)
        ),
    )


def test_at_and_placement_plans_are_described(tmp_path: Path) -> None:
    at = at_example()
    out = publish_plan(tmp_path / "at", tmp_path, at, ScenarioPlan(at=solve_at(ATData(at))), {}, excel=True)
    assert_described(out)
    target = fields(out, "at_distribution.csv")["target"]
    # 3.33 is written with a decimal point, the machine files' only form: no decimalChar.
    assert target["type"] == "number" and "decimalChar" not in target
    scenario = example2()
    out = publish_plan(tmp_path / "st", tmp_path, scenario, ScenarioPlan(placements=placements(scenario)), {})
    assert_described(out)
    assert sorted(p.name for p in out.glob("*.csv")) == ["placements.csv", "places_table.csv", "unplaced.csv"]
    assert fields(out, "placements.csv")["travel_minutes"]["unit"] == "minutes"
    assert check_plan(scenario, out) == []
    proposed = ScenarioPlan(placements=placements(scenario, propose=True))
    out = publish_plan(tmp_path / "proposed", tmp_path, scenario, proposed, {}, excel=True, parquet=True)
    assert_described(out)
    assert fields(out, "places_proposal.csv")["load_percent"]["unit"] == "percent"


def test_a_procurement_plan_is_described(tmp_path: Path) -> None:
    scenario = untaken_candidate()
    out = tmp_path / "plan"
    result = invoke(
        "solve", write_scenario(tmp_path / "s", scenario), "--deterministic", "--out", out, "--quiet"
    )
    assert result.exit_code == 0, result.output
    assert_described(out)
    assert fields(out, "procurement.csv")["out_of_region"]["type"] == "boolean"
    keys = [k["name"] for k in package(out)["resources"][-1]["keys"]]
    assert "volumes.procurement" in keys


def test_the_shipped_scenarios_volume_plan_is_described(tmp_path: Path) -> None:
    out = tmp_path / "plan"
    result = invoke(
        "solve", "--only", "volumes", "--deterministic", "--workers", "1", "--out", out, "--quiet"
    )
    assert result.exit_code == 0, result.output
    assert_described(out)
    keys = [k["name"] for k in package(out)["resources"][-1]["keys"]]
    assert keys[:2] == ["scenario", "illustrative"]  # the shipped scenario is marked illustrative


def test_frontier_and_followup_folders_are_described(plan: Path, tmp_path: Path) -> None:
    frontier = tmp_path / "frontier"
    result = invoke("frontier", EXAMPLE1, "--points", "3", "--deterministic", "--out", frontier)
    assert result.exit_code == 0, result.output
    assert_described(frontier)
    assert DATA_PACKAGE in read_manifest(frontier)["outputs_sha256"]
    assert fields(frontier, "frontier.csv")["over_guarantee"]["unit"] == "patient-months"
    # Example 1's optimum performed as planned, and one of the two patients to c1 delivered.
    actuals = tmp_path / "actuals.csv"
    actuals.write_text(
        "hospital,category,month,performed,waiting_end\nA,k,2026-01,3,6\nB,k,2026-01,1,0\n"
        "A,k,2026-02,2,6\nB,k,2026-02,0,0\n",
        encoding="utf-8",
    )
    referrals = tmp_path / "referrals.csv"
    referrals.write_text(
        "hospital,category,provider,month,referrals\nA,k,B,2026-01,1\nA,k,X,2026-01,1\n", encoding="utf-8"
    )
    out = tmp_path / "followup"
    result = invoke("followup", plan, "--actuals", actuals, "--referrals", referrals, "--out", out)
    assert result.exit_code == 0, result.output
    assert_described(out)
    # With --referrals and the scenario: every file but the ST-A status (example 1 has no trainees).
    assert len(list(out.glob("*.csv"))) == 7
    assert fields(out, "followup_settlement.csv")["payment_sek"]["title_sv"] == "Betalning"


# -- the checker ------------------------------------------------------------------------------------


def test_the_checker_names_a_column_the_dictionary_does_not_describe(plan: Path, tmp_path: Path) -> None:
    copy = copied(plan, tmp_path / "a")
    text = (copy / "volume_table.csv").read_text(encoding="utf-8").splitlines()
    rows = [text[0] + ",note", *(line + "," for line in text[1:])]
    (copy / "volume_table.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert check_data_package(copy) == ["volume_table.csv column 'note' is not described in datapackage.json"]
    scenario = load_scenario(EXAMPLE1)
    assert "volume_table.csv column 'note' is not described in datapackage.json" in check_plan(scenario, copy)


def test_the_checker_names_a_description_of_a_column_or_file_not_there(plan: Path, tmp_path: Path) -> None:
    copy = copied(plan, tmp_path / "b")

    def change(document: dict[str, Any]) -> None:
        resources = {r["path"]: r for r in document["resources"]}
        resources["delivery_plan.csv"]["schema"]["fields"].append(
            {**resources["delivery_plan.csv"]["schema"]["fields"][0], "name": "referrals"}
        )
        fields_ = resources["production_plan.csv"]["schema"]["fields"]
        fields_[0], fields_[1] = fields_[1], fields_[0]
        resources["volume_table.csv"]["schema"]["fields"][0]["title_sv"] = " "
        document["resources"].append({"path": "unplaced.csv", "schema": {"fields": []}})
        document["resources"].remove(resources["contract_usage.csv"])
        resources["summary.json"]["keys"].append({**resources["summary.json"]["keys"][0], "name": "at"})

    rewrite_package(copy, change)
    assert sorted(check_data_package(copy)) == sorted(
        [
            "contract_usage.csv has no resource in datapackage.json: its columns are not described",
            "datapackage.json describes unplaced.csv, which is not in the folder",
            "datapackage.json describes column 'referrals' of delivery_plan.csv, which the file does not "
            "have",
            "production_plan.csv: columns in the order ['month', 'hospital', 'category', 'base_used', "
            "'additional_own', 'additional_for_others', 'waiting_end', 'over_guarantee'], but "
            "datapackage.json describes ['hospital', 'month', 'category', 'base_used', 'additional_own', "
            "'additional_for_others', 'waiting_end', 'over_guarantee']",
            "datapackage.json volume_table.csv field 'hospital': no title_sv; every one is described in "
            "English and Swedish",
            "datapackage.json describes summary.json key 'at', which the file does not have",
        ]
    )


def test_check_fails_on_a_plan_whose_dictionary_was_removed(plan: Path, tmp_path: Path) -> None:
    # The dictionary is one of the plan's files: removed, manifest.json's digests say so.
    copy = copied(plan, tmp_path / "c")
    (copy / DATA_PACKAGE).unlink()
    result = invoke("check", EXAMPLE1, copy)
    assert result.exit_code == 6
    assert "datapackage.json is listed in manifest.json but missing" in " ".join(result.output.split())
