"""What a volume plan's decisions imply under the scenario, recomputed from scratch for the checker.

Waiting lists, contract use, costs, per-hospital figures and the six objective terms are computed
from the plan's rows and the scenario alone, in exact integer arithmetic, so every rule compares
the files with figures the optimizer had no part in.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from leveransplan.models.derived import VolumeData
from leveransplan.models.language import _
from leveransplan.models.months import parse_month
from leveransplan.outputs.checker.files import SUMMARY, WHOLE_NUMBER, previous_folder, read_table
from leveransplan.outputs.checker.volume_files import (
    CATCH_UP_FIGURE,
    CHANGE_FIGURES,
    DELIVERY,
    HEADERS,
    HOSPITAL_FIGURES,
    PRODUCTION,
    Flow,
    Key,
    PlanFiles,
    Production,
)


@dataclass
class Recomputed:
    """Quantities the plan's decisions imply under the scenario, computed without the optimizer."""

    production: dict[Key, Production] = field(default_factory=dict)  # first row of each key
    base: dict[Key, int] = field(default_factory=lambda: defaultdict(int))
    own: dict[Key, int] = field(default_factory=lambda: defaultdict(int))
    into: dict[Key, int] = field(default_factory=lambda: defaultdict(int))
    into_rows: dict[Key, list[int]] = field(default_factory=lambda: defaultdict(list))
    transferred: dict[Key, int] = field(default_factory=lambda: defaultdict(int))
    referred: dict[Key, int] = field(default_factory=lambda: defaultdict(int))
    out_rows: dict[Key, list[int]] = field(default_factory=lambda: defaultdict(list))
    balance_pairs: list[tuple[str, str]] = field(default_factory=list)
    waiting: dict[Key, int] = field(default_factory=dict)
    contract_used: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    contract_rows: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    contract_month: dict[tuple[str, int], int] = field(default_factory=lambda: defaultdict(int))
    contract_month_rows: dict[tuple[str, int], list[int]] = field(default_factory=lambda: defaultdict(list))
    unused_minimum_cost: int = 0
    hospital: dict[str, dict[str, int]] = field(default_factory=dict)
    terms: dict[str, int] = field(default_factory=dict)
    stability_problems: list[str] = field(default_factory=list)


def additional_price(data: VolumeData, hospital: str, category: str) -> int | None:
    """The hospital's additional price for the category's price class; None when prices.csv has none."""
    return data.prices.get((hospital, data.price_class[category]))


def external(flow: Flow, data: VolumeData) -> bool:
    """Whether a flow is a referral to a contract of contracts.csv."""
    return flow.channel == "external" and flow.contract in data.contracts


def recompute(plan: PlanFiles, data: VolumeData) -> Recomputed:
    """Waiting lists, contract use, costs, per-hospital figures and objective terms of the plan."""
    found = Recomputed()
    hospitals = frozenset(data.hospitals)
    for line in plan.production:
        key = line.key
        if key in found.production:
            continue
        found.production[key] = line
        found.base[key] += line.base_used
        found.own[key] += line.additional_own
    for flow in plan.flows:
        key = (flow.hospital, flow.category, flow.month)
        found.out_rows[key].append(flow.row)
        if flow.channel == "transfer":
            found.transferred[key] += flow.volume
            if flow.provider in hospitals:  # an unknown receiver is transfers_allowed's finding
                into = (flow.provider, flow.category, flow.month)
                found.into[into] += flow.volume
                found.into_rows[into].append(flow.row)
        else:
            found.referred[key] += flow.volume
            if flow.contract in data.contracts:
                found.contract_used[flow.contract] += flow.volume
                found.contract_rows[flow.contract].append(flow.row)
                found.contract_month[flow.contract, flow.month] += flow.volume
                found.contract_month_rows[flow.contract, flow.month].append(flow.row)
    _waiting_lists(found, data)
    _hospital_figures(found, plan, data)
    _objective_terms(found, plan, data)
    return found


def _waiting_lists(found: Recomputed, data: VolumeData) -> None:
    """w[h,k,m] from w0 = waiting; pairs without need or own_volumes rows start empty with no inflow."""
    leaving = set(found.base) | set(found.own) | set(found.transferred) | set(found.referred)
    extra = sorted({(h, k) for h, k, _m in leaving} - set(data.pairs))
    found.balance_pairs = list(data.pairs) + extra
    for h, k in found.balance_pairs:
        level = data.waiting.get((h, k), 0)
        for m in data.months:
            key = (h, k, m)
            level += data.inflow.get(key, 0) - found.base[key] - found.own[key]
            level -= found.transferred[key] + found.referred[key]
            found.waiting[key] = level


def _hospital_figures(found: Recomputed, plan: PlanFiles, data: VolumeData) -> None:
    """Per hospital: guarantee figures at start and end, X_h, referrals out and in, catch-up units, cost."""
    last = data.months[-1]
    for h in data.hospitals:
        found.hospital[h] = dict.fromkeys((*HOSPITAL_FIGURES, CATCH_UP_FIGURE), 0)
    waiting = found.waiting
    for h, k in found.balance_pairs:
        figures = found.hospital[h]
        limit = data.limit.get((h, k), 0)
        figures["over_guarantee_start"] += max(0, data.waiting.get((h, k), 0) - limit)
        figures["over_guarantee_end"] += max(0, waiting[h, k, last] - limit)
        figures["patient_months_over"] += sum(max(0, waiting[h, k, m] - limit) for m in data.months)
    for (h, k, _m), units in found.own.items():
        found.hospital[h]["cost_sek"] += units * (additional_price(data, h, k) or 0)
    for flow in plan.flows:
        figures = found.hospital[flow.hospital]
        # Catch-up units are the hospital's own production for its own patients, not sent out.
        catch_up = flow.channel == "external" and data.catch_up.get(flow.contract) == flow.hospital
        figures[CATCH_UP_FIGURE if catch_up else "referrals_out"] += flow.volume
        if flow.channel == "transfer":
            if flow.provider in found.hospital:
                found.hospital[flow.provider]["referrals_in"] += flow.volume
                price = additional_price(data, flow.provider, flow.category) or 0
                figures["cost_sek"] += flow.volume * price
        elif external(flow, data):
            figures["cost_sek"] += flow.volume * data.contracts[flow.contract].price_sek
    found.unused_minimum_cost = sum(
        max(0, c.volume_min - found.contract_used[code]) * c.price_sek for code, c in data.contracts.items()
    )


def _objective_terms(found: Recomputed, plan: PlanFiles, data: VolumeData) -> None:
    """The six volume terms of spec section 4, in exact integer arithmetic."""
    terms = found.terms
    terms["over_guarantee"] = sum(f["patient_months_over"] for f in found.hospital.values())
    shares = [
        -(-1000 * found.hospital[h]["patient_months_over"] // inflow)  # ceil without floats
        for h in data.hospitals
        if (inflow := data.hospital_inflow(h)) > 0
    ]
    terms["equity"] = max(shares, default=0)
    terms["out_of_region"] = sum(
        f.volume for f in plan.flows if external(f, data) and data.contracts[f.contract].out_of_region
    )
    terms["procured"] = sum(
        f.volume for f in plan.flows if external(f, data) and data.contracts[f.contract].candidate
    )
    terms["cost"] = sum(f["cost_sek"] for f in found.hospital.values()) + found.unused_minimum_cost
    travel = 0
    for flow in plan.flows:
        if flow.channel == "transfer":
            travel += flow.volume * data.travel_minutes(flow.hospital, flow.provider)
        elif external(flow, data):
            travel += flow.volume * data.travel_minutes(flow.hospital, data.contracts[flow.contract].provider)
    terms["travel"] = travel
    terms["stability"] = _stability(found, plan, data)


def _decision_values(
    flows: Iterable[tuple[str, str, str, str, str, str, int]],
    own: Iterable[tuple[str, str, str, int]],
) -> dict[tuple[str, ...], int]:
    """a, t and e values keyed by codes and month label, so two plans compare directly."""
    values: dict[tuple[str, ...], int] = defaultdict(int)
    for h, k, label, units in own:
        values["a", h, k, label] += units
    for label, h, k, channel, provider, contract, units in flows:
        if channel == "transfer":
            values["t", h, provider, k, label] += units
        else:
            values["e", h, contract, label] += units
    return values


def _stability(found: Recomputed, plan: PlanFiles, data: VolumeData) -> int:
    """sum |x - x_prev| over a, t and e against the previous plan; 0 without one."""
    summary = plan.summary
    if summary is None or summary.previous_plan is None:
        return 0
    folder = previous_folder(summary.previous_plan, plan.folder)
    if folder is None:
        found.stability_problems.append(
            _(
                "{file} volumes.previous_plan: folder {previous_plan} not found; the stability term "
                "cannot be recomputed"
            ).format(file=SUMMARY, previous_plan=repr(summary.previous_plan))
        )
        return 0
    label = data.scenario.horizon.label
    current = _decision_values(
        (
            (label(f.month), f.hospital, f.category, f.channel, f.provider, f.contract, f.volume)
            for f in plan.flows
        ),
        ((h, k, label(m), v) for (h, k, m), v in found.own.items()),
    )
    previous = _previous_values(folder, data, found.stability_problems)
    in_horizon = set(data.scenario.horizon.labels())
    total = 0
    change = {h: dict.fromkeys(CHANGE_FIGURES, 0) for h in data.hospitals}
    for key in set(current) | set(previous):
        if key[-1] not in in_horizon:
            continue
        moved = abs(current.get(key, 0) - previous.get(key, 0))
        total += moved
        hospital = key[1]
        if moved and hospital in change:
            change[hospital]["change_units"] += moved
            change[hospital]["change_sek"] += moved * _unit_price(key, data)
    for h, figures in change.items():
        found.hospital[h].update(figures)
    return total


def _unit_price(key: tuple[str, ...], data: VolumeData) -> int:
    """What one unit of a decision is paid at: the hospital's own additional price (a), the
    receiving hospital's (t), the contract's (e); 0 where the scenario has no such price."""
    if key[0] in ("a", "t"):
        producer, category = (key[1], key[2]) if key[0] == "a" else (key[2], key[3])
        return (additional_price(data, producer, category) or 0) if category in data.price_class else 0
    contract = data.contracts.get(key[2])
    return contract.price_sek if contract is not None else 0


def _previous_values(folder: Path, data: VolumeData, out: list[str]) -> dict[tuple[str, ...], int]:
    """a, t and e of a previous plan folder (its production_plan.csv and delivery_plan.csv)."""
    flows: list[tuple[str, str, str, str, str, str, int]] = []
    own: list[tuple[str, str, str, int]] = []
    for file in (PRODUCTION, DELIVERY):
        rows = read_table(
            folder, file, HEADERS[file], out, label=_("previous plan {file}").format(file=folder / file)
        )
        for row, raw in rows or []:
            cells = {c: v.strip() for c, v in raw.items()}
            units_column = "additional_own" if file == PRODUCTION else "volume"
            try:
                parse_month(cells["month"])
            except ValueError:
                out.append(
                    _("previous plan {folder} row {row}: month {month} is not YYYY-MM").format(
                        folder=folder / file, row=row, month=repr(cells["month"])
                    )
                )
                continue
            if not WHOLE_NUMBER.match(cells[units_column]):
                out.append(
                    _("previous plan {folder} row {row}: {column} {value} is not a whole number >= 0").format(
                        folder=folder / file,
                        row=row,
                        column=units_column,
                        value=repr(cells[units_column]),
                    )
                )
                continue
            units = int(cells[units_column])
            if file == PRODUCTION:
                own.append((cells["hospital"], cells["category"], cells["month"], units))
            else:
                flows.append((
                    cells["month"], cells["hospital"], cells["category"], cells["channel"],
                    cells["provider"], cells["contract"], units,
                ))  # fmt: skip
    return _decision_values(flows, own)


@dataclass
class VolumeCheck:
    """What every rule reads: the scenario's lookups, the plan's rows and the recomputed figures."""

    data: VolumeData
    plan: PlanFiles
    found: Recomputed
    hospitals: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        self.hospitals = frozenset(self.data.hospitals)

    def label(self, month: int) -> str:
        return self.data.scenario.horizon.label(month)
