"""The proposal of what to procure (procurement.csv): one row per candidate contract, its units
the plan's referrals to it, its cost those units at the candidate's price; and summary.json's
procurement totals the same figures.

A format 1.1 addition of the tool (docs/scenarios.md): candidate contracts are contracts.csv-like
rows not bought yet, and the plan's `procured` term counts their units (checked with the other
terms in volume_summary.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from leveransplan.models.language import _
from leveransplan.models.numbers import grouped
from leveransplan.outputs.checker.files import read_table
from leveransplan.outputs.checker.summary import one_row_each
from leveransplan.outputs.checker.volume_figures import VolumeCheck
from leveransplan.outputs.manifest import SUMMARY

PROCUREMENT = "procurement.csv"
HEADER = (
    "contract",
    "provider",
    "category",
    "out_of_region",
    "units",
    "price_sek",
    "cost_sek",
    "first_month",
    "last_month",
    "most_in_a_month",
)


def procurement_proposal(c: VolumeCheck) -> Iterator[str]:
    """Hard: procurement.csv has one row per candidate contract, whose units are the plan's
    referrals to it and whose cost is units × price_sek; summary.json's totals add them up."""
    data, folder = c.data, c.plan.folder
    candidates = {code: contract for code, contract in data.contracts.items() if contract.candidate}
    if not candidates:
        if (folder / PROCUREMENT).exists():
            yield _("{file}: the scenario has no candidate contracts (candidate_contracts.csv)").format(
                file=PROCUREMENT
            )
        return
    out: list[str] = []
    rows = read_table(folder, PROCUREMENT, HEADER, out)
    yield from out
    if rows is None:
        return
    yield from one_row_each(
        PROCUREMENT,
        ((row, cells["contract"].strip()) for row, cells in rows),
        candidates,
        lambda code: _("candidate contract {code}").format(code=code),
        _("one row per row of candidate_contracts.csv"),
    )
    units_total = cost_total = 0
    for row, cells in rows:
        code = cells["contract"].strip()
        contract = candidates.get(code)
        if contract is None:
            continue
        where = _("{file} row {row}").format(file=PROCUREMENT, row=row)
        used = c.found.contract_used.get(code, 0)
        by_month = {m: c.found.contract_month.get((code, m), 0) for m in data.months}
        referred = [m for m, units in by_month.items() if units]
        label = data.scenario.horizon.label
        expected = {
            "provider": contract.provider,
            "category": contract.category,
            "out_of_region": "true" if contract.out_of_region else "false",
            "units": str(used),
            "price_sek": str(contract.price_sek),
            "cost_sek": str(used * contract.price_sek),
            # The first and last month with referrals (empty when not taken up), and the most in one.
            "first_month": label(referred[0]) if referred else "",
            "last_month": label(referred[-1]) if referred else "",
            "most_in_a_month": str(max(by_month.values(), default=0)),
        }
        for column, value in expected.items():
            if cells[column].strip() != value:
                yield _("{where}: {column} {written}, but it is {value} ({code})").format(
                    where=where, column=column, written=repr(cells[column].strip()), value=value, code=code
                )
        units_total += used
        cost_total += used * contract.price_sek
    taken_up = sum(1 for code in candidates if c.found.contract_used.get(code, 0))
    yield from _summary_totals(c, units_total, cost_total, taken_up)


def _summary_totals(c: VolumeCheck, units: int, cost: int, taken_up: int) -> Iterator[str]:
    """Hard: summary.json's volumes.procurement has the proposal's units and cost, the number of
    candidates taken up, the plan's over_guarantee, and buys the difference to the figure without
    candidates."""
    try:
        document: Any = json.loads((c.plan.folder / SUMMARY).read_text(encoding="utf-8"))
        figures = document["volumes"]["procurement"]
    except (OSError, ValueError, KeyError, TypeError):
        yield _("{file}: has no object volumes.procurement; expected one with candidate contracts").format(
            file=SUMMARY
        )
        return
    if not isinstance(figures, dict):
        yield _("{file} volumes.procurement: {figures} is not an object").format(
            file=SUMMARY, figures=repr(figures)
        )
        return
    over = c.found.terms.get("over_guarantee")
    expected: dict[str, int | None] = {
        "units": units,
        "cost_sek": cost,
        "contracts_taken_up": taken_up,
        "over_guarantee": over,
    }
    without = figures.get("over_guarantee_without_candidates")
    if isinstance(without, int) and over is not None:
        expected["patient_months_bought"] = without - over
    for key, value in expected.items():
        if figures.get(key) != value:
            shown = "missing" if key not in figures else repr(figures.get(key))
            yield _("{file} volumes.procurement.{key}: {shown}, but it is {value}").format(
                file=SUMMARY, key=key, shown=shown, value=grouped(value or 0)
            )
    yield from _without_candidates(figures)


def _without_candidates(figures: dict[str, Any]) -> Iterator[str]:
    """Hard: the stage without the candidates, which the checker cannot solve, is at least a plan:
    OPTIMAL or FEASIBLE with a figure, and neither status nor patient-months bought without one."""
    without = figures.get("over_guarantee_without_candidates")
    status = figures.get("without_candidates_status")
    where = f"{SUMMARY} volumes.procurement"
    if without is None:
        for key in ("without_candidates_status", "patient_months_bought"):
            if figures.get(key) is not None:
                yield _("{where}.{key}: {value}, but over_guarantee_without_candidates is null").format(
                    where=where, key=key, value=repr(figures[key])
                )
    elif not isinstance(without, int) or isinstance(without, bool):
        yield _(
            "{where}.over_guarantee_without_candidates: {without} is neither null nor a whole number"
        ).format(where=where, without=repr(without))
    elif status not in ("OPTIMAL", "FEASIBLE"):
        yield _("{where}.without_candidates_status: {status}, but a figure needs OPTIMAL or FEASIBLE").format(
            where=where, status=repr(status)
        )
