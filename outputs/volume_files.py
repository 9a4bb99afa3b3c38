"""The volume plan's output tables (spec section 6) as rows, and the summary figures per hospital."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict
from typing import Any

from leveransplan.models.derived import VolumeData
from leveransplan.models.evaluation import change_term
from leveransplan.models.plan import VolumeSolution
from leveransplan.models.procurement import candidate_uses

DELIVERY_COLUMNS = (
    "month",
    "hospital",
    "category",
    "channel",
    "provider",
    "contract",
    "volume",
    "unit_price_sek",
    "cost_sek",
)
PRODUCTION_COLUMNS = (
    "month",
    "hospital",
    "category",
    "base_used",
    "additional_own",
    "additional_for_others",
    "waiting_end",
    "over_guarantee",
)
VOLUME_TABLE_COLUMNS = ("hospital", "category", "uppdrag", "bas", "tillagg")
CONTRACT_COLUMNS = (
    "contract",
    "provider",
    "category",
    "volume_min",
    "volume_max",
    "used",
    "unused_min",
    "cost_sek",
)

# The proposal of what to procure: every candidate contract, taken up or not.
PROCUREMENT_COLUMNS = (
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

Row = dict[str, Any]


def delivery_rows(data: VolumeData, solution: VolumeSolution) -> list[Row]:
    """One row per non-zero referral flow: transfers to other hospitals and external referrals."""
    label = _month_labels(data)
    rows: list[Row] = []
    for (h, g, k, m), volume in solution.decisions.transfers.items():
        price = data.additional_price(g, k)
        rows.append(
            {
                "month": label[m],
                "hospital": h,
                "category": k,
                "channel": "transfer",
                "provider": g,
                "contract": "",
                "volume": volume,
                "unit_price_sek": price,
                "cost_sek": volume * price,
            }
        )
    for (h, c, m), volume in solution.decisions.referrals.items():
        contract = data.contracts[c]
        rows.append(
            {
                "month": label[m],
                "hospital": h,
                "category": contract.category,
                "channel": "external",
                "provider": contract.provider,
                "contract": c,
                "volume": volume,
                "unit_price_sek": contract.price_sek,
                "cost_sek": volume * contract.price_sek,
            }
        )
    hospital_order = {h: i for i, h in enumerate(data.hospitals)}
    category_order = {k: i for i, k in enumerate(data.categories)}
    rows.sort(
        key=lambda r: (
            r["month"],
            hospital_order[r["hospital"]],
            category_order[r["category"]],
            r["channel"] != "transfer",
            r["provider"],
            r["contract"],
        )
    )
    return [r for r in rows if r["volume"]]


def _month_labels(data: VolumeData) -> dict[int, str]:
    """YYYY-MM of each month number, formatted once rather than once a row."""
    return dict(zip(data.months, data.scenario.horizon.labels(), strict=True))


def _additional_for_others(solution: VolumeSolution) -> dict[tuple[str, str, int], int]:
    into: dict[tuple[str, str, int], int] = defaultdict(int)
    for (_h, g, k, m), volume in solution.decisions.transfers.items():
        into[g, k, m] += volume
    return into


def production_rows(data: VolumeData, solution: VolumeSolution) -> list[Row]:
    """Every month of every (hospital, category) with a need or own_volumes row."""
    into = _additional_for_others(solution)
    base_used, additional_own = solution.decisions.base_used, solution.decisions.additional_own
    waiting_end, limit = solution.values.waiting, data.limit
    rows: list[Row] = []
    for m, label in _month_labels(data).items():
        for h, k in data.pairs:
            key = (h, k, m)
            waiting = waiting_end[key]
            rows.append(
                {
                    "month": label,
                    "hospital": h,
                    "category": k,
                    "base_used": base_used.get(key, 0),
                    "additional_own": additional_own.get(key, 0),
                    "additional_for_others": into.get(key, 0),
                    "waiting_end": waiting,
                    "over_guarantee": max(0, waiting - limit[h, k]),
                }
            )
    return rows


def volume_table_rows(data: VolumeData, solution: VolumeSolution) -> list[Row]:
    """The decision's volume table: bas as assigned, tillägg as produced (own and for others)."""
    produced: dict[tuple[str, str], int] = defaultdict(int)
    for (h, k, _m), volume in solution.decisions.additional_own.items():
        produced[h, k] += volume
    for (g, k, _m), volume in _additional_for_others(solution).items():
        produced[g, k] += volume
    rows = []
    for h, k in data.pairs:
        base = data.base_total[h, k]
        rows.append(
            {
                "hospital": h,
                "category": k,
                "uppdrag": base + produced[h, k],
                "bas": base,
                "tillagg": produced[h, k],
            }
        )
    return rows


def contract_rows(data: VolumeData, solution: VolumeSolution) -> list[Row]:
    """Every contract: used against minimum and maximum, and what it costs (take-or-pay included)."""
    used: dict[str, int] = defaultdict(int)
    for (_h, c, _m), volume in solution.decisions.referrals.items():
        used[c] += volume
    rows = []
    for c, contract in data.contracts.items():
        unused = max(0, contract.volume_min - used[c])
        rows.append(
            {
                "contract": c,
                "provider": contract.provider,
                "category": contract.category,
                "volume_min": contract.volume_min,
                "volume_max": contract.volume_max,
                "used": used[c],
                "unused_min": unused,
                "cost_sek": (used[c] + unused) * contract.price_sek,
            }
        )
    return rows


def procurement_rows(data: VolumeData, solution: VolumeSolution) -> list[Row]:
    """Every candidate contract: the units the plan refers to it, what they cost, and the first and
    last month it is used and its busiest month (empty months when it is not taken up)."""
    labels = _month_labels(data)
    return [
        {
            "contract": use.contract,
            "provider": use.provider,
            "category": use.category,
            "out_of_region": use.out_of_region,
            "units": use.units,
            "price_sek": use.price_sek,
            "cost_sek": use.cost_sek,
            "first_month": None if use.first_month is None else labels[use.first_month],
            "last_month": None if use.last_month is None else labels[use.last_month],
            "most_in_a_month": use.most_in_a_month,
        }
        for use in candidate_uses(data, solution.decisions)
    ]


def procurement_summary(data: VolumeData, solution: VolumeSolution) -> dict[str, Any]:
    """summary.json's "procurement": the units and cost proposed, and the patient-months beyond the
    guarantee with and without the candidates (null when the stage without them was not solved)."""
    rows = procurement_rows(data, solution)
    without = solution.over_without_candidates
    over = solution.values.over_guarantee()
    return {
        "units": sum(r["units"] for r in rows),
        "cost_sek": sum(r["cost_sek"] for r in rows),
        "contracts_taken_up": sum(1 for r in rows if r["units"]),
        "over_guarantee": over,
        "over_guarantee_without_candidates": None if without is None else without.value,
        "without_candidates_status": None if without is None else without.status,
        "patient_months_bought": None if without is None else without.value - over,
    }


def hospital_summary(data: VolumeData, solution: VolumeSolution) -> list[Row]:
    """Per hospital: patients over the guarantee at the start and the end, referrals out and in, cost
    and its frame; with catch-up capacity the units produced on it; in a re-plan also how much its
    decisions moved against the previous plan, in units and in SEK."""
    decisions = solution.decisions
    last = data.months[-1]
    summary: dict[str, dict[str, Any]] = {
        h: {
            "hospital": h,
            "over_guarantee_start": 0,
            "over_guarantee_end": 0,
            "patient_months_over": 0,
            "referrals_out": 0,
            "referrals_in": 0,
            # What the plan spends on its patients, the measure of its frame: its own additional
            # units, its patients' transfers and referrals (unused minimums are the region's).
            "cost_sek": solution.values.spend(h),
            "frame_sek": data.frames.get(h),  # null when the hospital has no frame
        }
        for h in data.hospitals
    }
    for h, k in data.pairs:
        summary[h]["over_guarantee_start"] += max(0, data.waiting[h, k] - data.limit[h, k])
        summary[h]["over_guarantee_end"] += max(0, solution.values.waiting[h, k, last] - data.limit[h, k])
        summary[h]["patient_months_over"] += solution.values.over_by_hospital_category.get((h, k), 0)
    for (h, g, _k, _m), volume in decisions.transfers.items():
        summary[h]["referrals_out"] += volume
        summary[g]["referrals_in"] += volume
    if data.catch_up:
        for h in data.hospitals:
            summary[h]["catch_up_units"] = 0
    for (h, c, _m), volume in decisions.referrals.items():
        # Catch-up units are the hospital's own production for its own patients: not sent out.
        summary[h]["catch_up_units" if c in data.catch_up else "referrals_out"] += volume
    if solution.values.against_previous:
        for h in data.hospitals:
            summary[h]["change_units"] = solution.values.term(change_term(h, in_sek=False))
            summary[h]["change_sek"] = solution.values.term(change_term(h, in_sek=True))
    return list(summary.values())


def unused_minimum_cost(data: VolumeData, solution: VolumeSolution) -> int:
    """SEK paid for take-or-pay minimums that the plan does not use."""
    return sum(
        row["unused_min"] * data.contracts[row["contract"]].price_sek for row in contract_rows(data, solution)
    )


def volume_summary(data: VolumeData, solution: VolumeSolution, previous_plan: str | None) -> dict[str, Any]:
    """The "volumes" object of summary.json."""
    terms = ["over_guarantee", "equity", "out_of_region", "cost", "travel", "stability"]
    if "procured" in data.scenario.objective.volumes:
        terms.insert(terms.index("out_of_region") + 1, "procured")
    objectives = {name: solution.values.term(name) for name in terms}
    return {
        "stages": [stage.model_dump() for stage in solution.stages],
        "objectives": objectives,
        "cost_sek": objectives["cost"],
        "unused_minimum_cost_sek": unused_minimum_cost(data, solution),
        "previous_plan": previous_plan,
        "hospitals": hospital_summary(data, solution),
        # categories.csv's grouping, so the report can set the decision's table from the plan alone.
        "categories": [
            {"category": c.category, "area": c.area, "kind": c.kind, "specialty": c.specialty}
            for c in data.scenario.categories
        ],
        # own_volumes.csv's decided bas and tillägg, so the decision's table is set from the plan alone.
        "decided": [
            {"hospital": o.hospital, "category": o.category, "bas": o.base, "tillagg": o.additional_max}
            for o in data.scenario.own_volumes
        ],
        # A re-plan's change allowance and each hospital's caps under it, when one was given.
        **(
            {}
            if solution.change_caps is None or solution.allowance is None
            else {
                "change_allowance": {
                    "units": solution.allowance.units,
                    "sek": solution.allowance.sek,
                    "hospitals": solution.change_caps,
                }
            }
        ),
        # `solve --robust`: how the plan was made, and the forecast plan it replaced.
        **({} if solution.robust is None else {"robust": asdict(solution.robust)}),
    }
