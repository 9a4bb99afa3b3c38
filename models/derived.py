"""Derived quantities of spec section 2, in exact integer and rational arithmetic."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from leveransplan.models.months import Horizon
from leveransplan.models.scenario import CapacityLossRow, CatchUpRow, Contract, Scenario

Weight = Fraction | Decimal | int


def _ratio(weight: Weight) -> tuple[int, int]:
    """The weight as an exact (numerator, denominator) with denominator > 0."""
    if isinstance(weight, int):
        return weight, 1
    if isinstance(weight, Fraction):
        return weight.numerator, weight.denominator
    return weight.as_integer_ratio()  # Decimal (and float): exact, like Fraction(weight)


class CumulativeSplit:
    """`split(total, weights)` for one list of weights, brought to integers once.

    Every weight is scaled by the least common multiple of their denominators, so W_m/W is
    the ratio of two integers and floor(A*W_m/W) is one integer floor division: the same value
    as in exact rational arithmetic, without a Fraction per month. VolumeData splits thousands
    of totals over each hospital's profile, so it keeps one of these per hospital.
    """

    def __init__(self, weights: Sequence[Weight]) -> None:
        ratios = [_ratio(w) for w in weights]
        if any(numerator < 0 for numerator, _ in ratios):
            raise ValueError("split weights must be non-negative.")
        scale = math.lcm(*(denominator for _, denominator in ratios)) if ratios else 1
        self.cumulative = list(itertools.accumulate(n * (scale // d) for n, d in ratios))
        self.whole = self.cumulative[-1] if ratios else 0

    def parts(self, total: int) -> list[int]:
        """q_m = floor(A*W_m/W) - floor(A*W_(m-1)/W); every part 0 when W = 0."""
        whole = self.whole
        if whole == 0:
            return [0] * len(self.cumulative)
        parts: list[int] = []
        previous_floor = 0
        for running in self.cumulative:
            current_floor = total * running // whole  # floor division: exact for integers
            parts.append(current_floor - previous_floor)
            previous_floor = current_floor
        return parts


def split(total: int, weights: Sequence[Weight]) -> list[int]:
    """Cumulative floor split of `total` over the weights; the parts are integers summing to total.

    q_m = floor(A*W_m/W) - floor(A*W_(m-1)/W), so rounding never drifts and no month gets a
    unit its weight does not earn; with all weights 0 every part is 0.
    """
    return CumulativeSplit(weights).parts(total)


def guarantee_limit(inflow: int, months: int) -> int:
    """Waiting list length above which patients count as waiting beyond the 90-day guarantee."""
    return (3 * inflow) // months


def capacity_kept(
    rows: Sequence[CapacityLossRow], horizon: Horizon, pairs: Sequence[tuple[str, str]]
) -> dict[tuple[str, str, int], Fraction]:
    """The share of capacity each (hospital, category, month) keeps under capacity-loss rows.

    Only the keys some row reaches are listed; rows that overlap multiply their factors.
    """
    kept: dict[tuple[str, str, int], Fraction] = {}
    for row in rows:
        for h, k in pairs:
            if h != row.hospital or row.category not in (None, k):
                continue
            for m in horizon.clip(row.first_month, row.last_month):
                kept[h, k, m] = kept.get((h, k, m), Fraction(1)) * Fraction(row.factor)
    return kept


def units_lost(
    capacity: dict[tuple[str, str, int], int], kept: dict[tuple[str, str, int], Fraction]
) -> dict[tuple[str, str, int], int]:
    """Units lost when each month keeps floor(share x capacity): the lost units round up."""
    lost = {
        key: capacity.get(key, 0) - math.floor(share * capacity.get(key, 0)) for key, share in kept.items()
    }
    return {key: units for key, units in lost.items() if units}


def catch_up_provider(hospital: str) -> str:
    """The provider code of a hospital's catch-up capacity, as delivery_plan.csv names it."""
    return f"{hospital} catch-up"


def catch_up_contract(row: CatchUpRow, category: str) -> str:
    """The contract code of one catch-up row's units in one category."""
    return f"{catch_up_provider(row.hospital)} {category} {row.first_month}..{row.last_month}"


def catch_up_contracts(scenario: Scenario, pairs: Sequence[tuple[str, str]]) -> list[Contract]:
    """Each catch-up row as a contract open to its own hospital's patients only.

    A contract already has everything a catch-up needs in every formulation of the model and in
    the checker: months, a monthly limit, a price, the hospital's spend, access by hospital. Rows
    that would get the same code keep their own units and price under a numbered code.
    """
    horizon = scenario.horizon
    contracts: dict[str, Contract] = {}
    for row in scenario.catch_up:
        months = len(horizon.clip(row.first_month, row.last_month))
        for h, k in pairs:
            if h != row.hospital or row.category not in (None, k):
                continue
            code = catch_up_contract(row, k)
            number = 1
            while code in contracts:
                number += 1
                code = f"{catch_up_contract(row, k)} ({number})"
            contracts[code] = Contract(
                contract=code,
                provider=catch_up_provider(h),
                category=k,
                volume_min=0,
                volume_max=row.units_per_month * months,
                price_sek=row.price_sek,
                first_month=row.first_month,
                last_month=row.last_month,
                monthly_max=row.units_per_month,
            )
    return list(contracts.values())


@dataclass
class VolumeData:
    """The volume tables of a scenario as lookups keyed by codes and month numbers (1..H)."""

    scenario: Scenario
    hospitals: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    price_class: dict[str, str] = field(default_factory=dict)
    pairs: list[tuple[str, str]] = field(default_factory=list)
    waiting: dict[tuple[str, str], int] = field(default_factory=dict)
    inflow_total: dict[tuple[str, str], int] = field(default_factory=dict)
    inflow: dict[tuple[str, str, int], int] = field(default_factory=dict)
    base_capacity: dict[tuple[str, str, int], int] = field(default_factory=dict)
    additional_capacity: dict[tuple[str, str, int], int] = field(default_factory=dict)
    limit: dict[tuple[str, str], int] = field(default_factory=dict)
    base_total: dict[tuple[str, str], int] = field(default_factory=dict)
    prices: dict[tuple[str, str], int] = field(default_factory=dict)
    contracts: dict[str, Contract] = field(default_factory=dict)
    contract_months: dict[str, range] = field(default_factory=dict)
    access: dict[tuple[str, str], tuple[int, bool]] = field(default_factory=dict)
    inflow_by_hospital: dict[str, int] = field(default_factory=dict)  # I_h of the equity term
    frames: dict[str, int] = field(default_factory=dict)  # frame_sek of each hospital that has one
    # Units capacity_loss.csv (and --dip) take from the split capacities, per (hospital, category, month).
    base_lost: dict[tuple[str, str, int], int] = field(default_factory=dict)
    additional_lost: dict[tuple[str, str, int], int] = field(default_factory=dict)
    catch_up: dict[str, str] = field(default_factory=dict)  # catch-up contract -> its hospital

    @classmethod
    def from_scenario(cls, scenario: Scenario) -> VolumeData:
        data = cls(scenario=scenario)
        horizon = scenario.horizon
        months = list(horizon.months)
        data.hospitals = [h.hospital for h in scenario.hospitals]
        data.frames = {h.hospital: h.frame_sek for h in scenario.hospitals if h.frame_sek is not None}
        data.categories = [c.category for c in scenario.categories]
        data.price_class = {c.category: c.price_class for c in scenario.categories}
        data.prices = {(p.hospital, p.price_class): p.price_sek for p in scenario.prices}
        # One profile per hospital, brought to integers once, splits all its categories' volumes.
        factors: dict[str, list[Weight]] = {h: [1] * len(months) for h in data.hospitals}
        for row in scenario.profile:
            number = horizon.number(row.month)
            if number is not None:
                factors[row.hospital][number - 1] = row.factor
        by_profile = {h: CumulativeSplit(weights).parts for h, weights in factors.items()}
        seen: set[tuple[str, str]] = set()
        for need in scenario.need:
            key = (need.hospital, need.category)
            seen.add(key)
            data.waiting[key] = need.waiting
            data.inflow_total[key] = need.inflow
        for own in scenario.own_volumes:
            h, k = key = (own.hospital, own.category)
            seen.add(key)
            data.base_total[key] = own.base
            profile_split = by_profile[h]
            data.base_capacity.update(
                ((h, k, m), units) for m, units in zip(months, profile_split(own.base), strict=True)
            )
            data.additional_capacity.update(
                ((h, k, m), units) for m, units in zip(months, profile_split(own.additional_max), strict=True)
            )
        order = {code: i for i, code in enumerate(data.categories)}
        hospital_order = {code: i for i, code in enumerate(data.hospitals)}
        data.pairs = sorted(seen, key=lambda hk: (hospital_order[hk[0]], order[hk[1]]))
        even_split = CumulativeSplit([1] * len(months)).parts
        for h, k in data.pairs:
            inflow = data.inflow_total.setdefault((h, k), 0)
            data.waiting.setdefault((h, k), 0)
            data.base_total.setdefault((h, k), 0)
            data.limit[h, k] = guarantee_limit(inflow, len(months))
            data.inflow_by_hospital[h] = data.inflow_by_hospital.get(h, 0) + inflow
            for m, units in zip(months, even_split(inflow), strict=True):
                data.inflow[h, k, m] = units
                data.base_capacity.setdefault((h, k, m), 0)
                data.additional_capacity.setdefault((h, k, m), 0)
        if scenario.capacity_loss:
            kept = capacity_kept(scenario.capacity_loss, horizon, data.pairs)
            data.base_lost = units_lost(data.base_capacity, kept)
            data.additional_lost = units_lost(data.additional_capacity, kept)
            for cell, units in data.base_lost.items():
                data.base_capacity[cell] -= units
            for cell, units in data.additional_lost.items():
                data.additional_capacity[cell] -= units
        catch_ups = catch_up_contracts(scenario, data.pairs)
        contracts = [*scenario.contracts, *catch_ups]
        data.contracts = {c.contract: c for c in contracts}
        data.contract_months = {c.contract: horizon.clip(c.first_month, c.last_month) for c in contracts}
        data.access = {(a.hospital, a.provider): (a.travel_minutes, a.allowed) for a in scenario.access}
        for catch_up in scenario.catch_up:
            provider = catch_up_provider(catch_up.hospital)
            data.catch_up.update((c.contract, catch_up.hospital) for c in catch_ups if c.provider == provider)
            data.access.update(((g, provider), (0, False)) for g in data.hospitals if g != catch_up.hospital)
        return data

    @property
    def months(self) -> range:
        return self.scenario.horizon.months

    def lost_by_hospital(
        self, rows: Sequence[CapacityLossRow] | None = None, before: Sequence[CapacityLossRow] = ()
    ) -> dict[str, tuple[int, int]]:
        """Base and additional units lost per hospital: to every capacity-loss row, or to `rows`
        applied after the rows `before` (what `rows` takes beyond what those took already).

        Losses of rows applied one after the other add up to the loss of them all: each month keeps
        floor(share x capacity) of its capacity before any loss, so row by row the units lost are
        the differences of those floors, and their sum is the loss at the product of the shares.
        """
        if rows is None:
            base_lost, additional_lost = self.base_lost, self.additional_lost
        else:
            base_lost, additional_lost = (
                self._lost_beyond(capacity, lost, rows, before)
                for capacity, lost in (
                    (self.base_capacity, self.base_lost),
                    (self.additional_capacity, self.additional_lost),
                )
            )
        lost: dict[str, tuple[int, int]] = {}
        for h in self.hospitals:
            base = sum(units for (g, _, _), units in base_lost.items() if g == h)
            additional = sum(units for (g, _, _), units in additional_lost.items() if g == h)
            if base or additional:
                lost[h] = (base, additional)
        return lost

    def _lost_beyond(
        self,
        capacity: dict[tuple[str, str, int], int],
        lost: dict[tuple[str, str, int], int],
        rows: Sequence[CapacityLossRow],
        before: Sequence[CapacityLossRow],
    ) -> dict[tuple[str, str, int], int]:
        """Units `rows` take from `capacity` (the capacity left after `lost`) beyond what `before` took."""
        horizon = self.scenario.horizon
        kept_after = capacity_kept([*before, *rows], horizon, self.pairs)
        kept_before = capacity_kept(before, horizon, self.pairs)
        whole = {cell: capacity[cell] + lost.get(cell, 0) for cell in kept_after}
        after = units_lost(whole, kept_after)
        earlier = units_lost(whole, {cell: kept_before.get(cell, Fraction(1)) for cell in kept_after})
        beyond = {cell: units - earlier.get(cell, 0) for cell, units in after.items()}
        return {cell: units for cell, units in beyond.items() if units}

    def allowed(self, hospital: str, provider: str) -> bool:
        """Whether `hospital`'s patients may go to `provider` (a missing access row allows it)."""
        return self.access.get((hospital, provider), (0, True))[1]

    def travel_minutes(self, hospital: str, provider: str) -> int:
        """Travel minutes for `hospital`'s patients to `provider` (0 when no access row)."""
        return self.access.get((hospital, provider), (0, True))[0]

    def additional_price(self, hospital: str, category: str) -> int:
        """Price per additional unit of `category` produced by `hospital`."""
        return self.prices[hospital, self.price_class[category]]

    def has_need(self, hospital: str, category: str) -> bool:
        """Whether the hospital has patients in the category at all (waiting or inflow)."""
        key = (hospital, category)
        return self.waiting.get(key, 0) + self.inflow_total.get(key, 0) > 0

    def hospital_inflow(self, hospital: str) -> int:
        """I_h of the equity term: the hospital's inflow summed over all categories."""
        return self.inflow_by_hospital.get(hospital, 0)
