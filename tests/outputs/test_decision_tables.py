"""The decision's tables: a hospital's volume table as the 2026 decision prints it, and the referrals
it sends as provider x month.

The decision's SÄS table (seeds/000, "Bas- och tilläggsvolymerna för 2026"), copied by hand, as
uppdrag / bas / tillägg: Psykiatri 8 830 / 6 196 / 2 634; Somatik 54 609 / 35 208 / 19 401, its
Förstabesök 36 305 / 25 096 / 11 209, Operation/åtgärd 11 454 / 6 752 / 4 702, Undersökning
6 850 / 3 360 / 3 490; Totalsumma 63 439 / 41 404 / 22 035. The decision leaves the psykiatri kinds'
subtotals blank; from its rows: Förstabesök 1 680 + 1 020 = 2 700 / 1 177 + 712 = 1 889 / 503 + 308
= 811, Utredning 60 + 1 460 = 1 520 / 60 + 1 023 = 1 083 / 0 + 437 = 437, Behandling 2 460 + 2 150 =
4 610 / 1 722 + 1 502 = 3 224 / 738 + 648 = 1 386. The shipped scenario's own_volumes.csv holds
SÄS's decided bas (base) and tillägg (additional_max), row for row (tests/inputs/test_inputs.py).
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from pathlib import Path

import pandas as pd
import pytest

from helpers import EXAMPLE1, invoke
from helpers.plans import Page
from leveransplan.inputs import load_scenario
from leveransplan.inputs.load import default_scenario_path
from leveransplan.models.language import use_language
from leveransplan.outputs.checker.volume_plan import check_volume_plan
from leveransplan.outputs.decision_tables import (
    KIND_WORDS,
    decision_volume_table,
    delivery_matrix,
    matrix_rows,
    swedish_word,
)
from leveransplan.outputs.report.page import render_report

SHIPPED = default_scenario_path()

# The decision's printed subtotals and total, (label, uppdrag, bas, tillägg), in its order.
DECISION_SUBTOTALS = [
    ("Psykiatri", 8_830, 6_196, 2_634),
    ("Förstabesök", 2_700, 1_889, 811),
    ("Utredning", 1_520, 1_083, 437),
    ("Behandling", 4_610, 3_224, 1_386),
    ("Somatik", 54_609, 35_208, 19_401),
    ("Förstabesök", 36_305, 25_096, 11_209),
    ("Operation/åtgärd", 11_454, 6_752, 4_702),
    ("Undersökning", 6_850, 3_360, 3_490),
    ("Totalsumma", 63_439, 41_404, 22_035),
]


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def categories() -> list[dict[str, str]]:
    return read_csv(SHIPPED / "categories.csv")


@pytest.fixture(scope="module")
def shipped_plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped scenario's volume plan (deterministic; solve checks it)."""
    out = tmp_path_factory.mktemp("shipped") / "plan"
    args = ("--only", "volumes", "--deterministic", "--workers", "1", "--quiet")
    result = invoke("solve", SHIPPED, "--out", out, *args)
    assert result.exit_code == 0, result.output
    return out


def subtotals(table: pd.DataFrame) -> list[tuple[str, int, int, int]]:
    rows = table.to_dict("records")
    return [(r["row"], r["uppdrag"], r["bas"], r["tillagg"]) for r in rows if r["level"] != "category"]


def decided_rows() -> list[dict[str, object]]:
    """own_volumes.csv as summary.json's volumes.decided records it: bas = base, tillagg = additional_max."""
    return [
        {
            "hospital": r["hospital"],
            "category": r["category"],
            "bas": int(r["base"]),
            "tillagg": int(r["additional_max"]),
        }
        for r in read_csv(SHIPPED / "own_volumes.csv")
    ]


def test_the_decided_volumes_give_the_decisions_table(categories: list[dict[str, str]]) -> None:
    # SÄS's decided volumes with an empty plan: the table the decision prints, in Swedish,
    # subtotals and Totalsumma included; the plan's columns are bas alone (nothing produced).
    use_language("sv")
    table = decision_volume_table(categories, [], "SÄS", decided_rows())
    assert list(table.columns) == [
        "level",
        "row",
        "uppdrag",
        "bas",
        "tillagg",
        "tillagg_plan",
        "uppdrag_plan",
    ]
    assert subtotals(table) == DECISION_SUBTOTALS
    assert (table["tillagg_plan"] == 0).all() and (table["uppdrag_plan"] == table["bas"]).all()
    # The decision's first rows and its last category, as printed: 2 areas + 6 kinds + 49
    # categories + Totalsumma = 58 rows.
    rows = table.to_dict("records")
    assert len(rows) == 58
    assert [(r["level"], r["row"]) for r in rows[:4]] == [
        ("area", "Psykiatri"),
        ("kind", "Förstabesök"),
        ("category", "BUP"),
        ("category", "VUP"),
    ]
    assert (rows[-2]["row"], rows[-2]["uppdrag"], rows[-2]["bas"], rows[-2]["tillagg"]) == (
        "Koloskopi",
        3_200,
        1_260,
        1_940,
    )


def test_the_shipped_plans_table_for_sas(shipped_plan: Path, categories: list[dict[str, str]]) -> None:
    # The plan records the decided volumes (summary.json's volumes.decided), so SÄS's table has
    # the decision's figures, subtotals and Totalsumma 63 439 / 41 404 / 22 035, whatever the
    # plan produces. Beside them, what the plan has SÄS produce: tillägg i planen is below the
    # decided 22 035 (20 960 when measured; the plan produces additional units where the need
    # asks for them), summed here from volume_table.csv with plain Python.
    use_language("sv")
    summary = json.loads((shipped_plan / "summary.json").read_text(encoding="utf-8"))
    assert summary["volumes"]["decided"] == decided_rows()
    written = read_csv(shipped_plan / "volume_table.csv")
    rows = [{**r, "bas": int(r["bas"]), "tillagg": int(r["tillagg"])} for r in written]
    table = decision_volume_table(categories, rows, "SÄS", summary["volumes"]["decided"])
    assert subtotals(table) == DECISION_SUBTOTALS
    area_of = {c["category"]: c["area"] for c in categories}
    produced: dict[str, int] = defaultdict(int)
    for r in written:
        if r["hospital"] == "SÄS":
            produced[area_of[r["category"]]] += int(r["tillagg"])
    printed = {r["row"]: r for r in table.to_dict("records") if r["level"] in ("area", "total")}
    assert printed["Psykiatri"]["tillagg_plan"] == produced["psykiatri"]
    assert printed["Somatik"]["tillagg_plan"] == produced["somatik"]
    total = printed["Totalsumma"]
    assert total["tillagg_plan"] == produced["psykiatri"] + produced["somatik"] <= 22_035
    assert total["uppdrag_plan"] == 41_404 + total["tillagg_plan"]


def test_a_hospital_without_rows_shows_zeros() -> None:
    # One category in an area and kind not in the decision's words: labelled from the codes.
    categories = [{"category": "k", "area": "tandvard", "kind": "akut_besok", "specialty": "Test"}]
    table = decision_volume_table(categories, [], "A", [])
    assert subtotals(table) == [("Tandvard", 0, 0, 0), ("Akut besok", 0, 0, 0), ("Grand total", 0, 0, 0)]
    # A known code is the decision's word, in the reader's language.
    assert swedish_word("operation_atgard", KIND_WORDS) == "Operation/procedure"
    use_language("sv")
    assert swedish_word("operation_atgard", KIND_WORDS) == "Operation/åtgärd"
    # A plan that does not record the decided volumes: bas and the plan's columns only.
    table = decision_volume_table(
        categories, [{"hospital": "A", "category": "k", "bas": 4, "tillagg": 1}], "A"
    )
    assert list(table.columns) == ["level", "row", "bas", "tillagg_plan", "uppdrag_plan"]
    assert table.iloc[-1].tolist() == ["total", "Totalsumma", 4, 1, 5]


def test_delivery_matrix_of_a_hand_made_plan() -> None:
    # A sends 3 to B and 2 to X in 2026-01, 4 to X in 2026-03; B's referral is not A's. Columns
    # are the three months asked for (2026-02 empty) and the total: B 3 0 0 | 3, X 2 0 4 | 6,
    # total 5 0 4 | 9.
    delivery = [
        {"month": "2026-01", "hospital": "A", "provider": "B", "volume": 3},
        {"month": "2026-01", "hospital": "A", "provider": "X", "volume": 2},
        {"month": "2026-03", "hospital": "A", "provider": "X", "volume": 4},
        {"month": "2026-01", "hospital": "B", "provider": "X", "volume": 7},
    ]
    matrix = delivery_matrix(delivery, "A", ["2026-01", "2026-02", "2026-03"])
    assert list(matrix.columns) == ["2026-01", "2026-02", "2026-03", "total"]
    assert matrix_rows(matrix) == [["B", 3, 0, 0, 3], ["X", 2, 0, 4, 6], ["total", 5, 0, 4, 9]]
    # A hospital that sends nobody: the total row alone.
    assert matrix_rows(delivery_matrix(delivery, "C", ["2026-01"])) == [["total", 0, 0]]


def test_the_report_shows_example1s_tables(tmp_path: Path) -> None:
    # Example 1: A has bas 5 and tillägg 0 decided and produces no additional unit; B has bas 0
    # and tillägg 3 decided and treats A's 1 transfer, so its tillägg in the plan is 1 and its
    # uppdrag in the plan 0 + 1. A sends 1 to B and 2 to provider X in 2026-01, nothing in 2026-02.
    plan = tmp_path / "plan"
    assert invoke("solve", EXAMPLE1, "--out", plan, "--quiet", "--deterministic").exit_code == 0
    use_language("sv")
    page = Page(render_report(plan))
    assert page.table("A") == [
        ["A", "Uppdrag", "Bas", "Tillägg", "Tillägg i planen", "Uppdrag i planen"],
        ["Somatik", "5", "5", "0", "0", "5"],
        ["Förstabesök", "5", "5", "0", "0", "5"],
        ["Test", "5", "5", "0", "0", "5"],
        ["Totalsumma", "5", "5", "0", "0", "5"],
    ]
    assert page.table("B")[-1] == ["Totalsumma", "3", "0", "3", "1", "1"]
    assert page.table("vårdgivare") == [
        ["vårdgivare", "2026-01", "2026-02", "totalt"],
        ["B", "1", "0", "1"],
        ["X", "2", "0", "2"],
        ["totalt", "3", "0", "3"],
    ]
    # In English, the same figures under the English words.
    use_language("en")
    page = Page(render_report(plan))
    assert page.table("A")[0] == [
        "A",
        "Assignment",
        "Base",
        "Additional",
        "Additional in the plan",
        "Assignment in the plan",
    ]
    assert page.table("A")[-1] == ["Grand total", "5", "5", "0", "0", "5"]
    # A plan whose summary.json names no decided volumes: the note, and the plan's columns.
    summary = json.loads((plan / "summary.json").read_text(encoding="utf-8"))
    del summary["volumes"]["decided"]
    (plan / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    page = Page(render_report(plan))
    assert "does not record the decided volumes" in render_report(plan)
    assert page.table("B")[-1] == ["Grand total", "0", "1", "1"]
    # No categories either: the note, and still the referrals.
    del summary["volumes"]["categories"]
    (plan / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    text = render_report(plan)
    assert "summary.json names no categories" in text
    assert Page(text).table("provider")[-1] == ["total", "3", "0", "3"]


def test_the_checker_holds_summary_decided_to_own_volumes_csv(tmp_path: Path) -> None:
    # Example 1's own_volumes.csv: A 5 / 0, B 0 / 3. B's tillagg written as 4 is one finding,
    # naming the entry and own_volumes.csv's row 3 (header row 1, A row 2).
    plan = tmp_path / "plan"
    assert invoke("solve", EXAMPLE1, "--out", plan, "--quiet", "--deterministic").exit_code == 0
    summary = json.loads((plan / "summary.json").read_text(encoding="utf-8"))
    assert summary["volumes"]["decided"] == [
        {"hospital": "A", "category": "k", "bas": 5, "tillagg": 0},
        {"hospital": "B", "category": "k", "bas": 0, "tillagg": 3},
    ]
    summary["volumes"]["decided"][1]["tillagg"] = 4
    (plan / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    violations = check_volume_plan(load_scenario(EXAMPLE1), plan)
    assert len(violations) == 1
    assert "volumes.decided[1]" in violations[0] and "own_volumes.csv row 3" in violations[0]


def test_the_checker_holds_summary_categories_to_categories_csv(tmp_path: Path) -> None:
    plan = tmp_path / "plan"
    assert invoke("solve", EXAMPLE1, "--out", plan, "--quiet", "--deterministic").exit_code == 0
    summary = json.loads((plan / "summary.json").read_text(encoding="utf-8"))
    assert summary["volumes"]["categories"] == [
        {"category": "k", "area": "somatik", "kind": "forstabesok", "specialty": "Test"}
    ]
    summary["volumes"]["categories"][0]["specialty"] = "Ögon"
    (plan / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    violations = check_volume_plan(load_scenario(EXAMPLE1), plan)
    assert len(violations) == 1
    assert "volumes.categories[0]" in violations[0] and "categories.csv row 2" in violations[0]
