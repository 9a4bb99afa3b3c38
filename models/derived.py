"""Derived quantities of spec section 2, in exact integer and rational arithmetic."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from models.scenario import Contract, Scenario


def split(total: int, weights: Sequence[Fraction | Decimal | int]) -> list[int]:
    """Cumulative floor split of `total` over the weights; the parts are integers summing to total.

    q_m = floor(A*W_m/W) - floor(A*W_(m-1)/W), so rounding never drifts and no month gets a
    unit its weight does not earn; with all weights 0 every part is 0.
    """
    exact = [Fraction(w) for w in weights]
    if any(w < 0 for w in exact):
        raise ValueError("split weights must be non-negative.")
    whole = sum(exact, Fraction(0))
    if whole == 0:
        return [0] * len(exact)
    parts: list[int] = []
    running = Fraction(0)
    previous_floor = 0
    for weight in exact:
        running += weight
        current_floor = math.floor(total * running / whole)
        parts.append(current_floor - previous_floor)
        previous_floor = current_floor
    return parts


def guarantee_limit(inflow: int, months: int) -> int:
    """Waiting list length above which patients count as waiting beyond the 90-day guarantee."""
    return (3 * inflow) // months


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

    @classmethod
    def from_scenario(cls, scenario: Scenario) -> VolumeData:
        data = cls(scenario=scenario)
        horizon = scenario.horizon
        months = list(horizon.months)
        data.hospitals = [h.hospital for h in scenario.hospitals]
        data.categories = [c.category for c in scenario.categories]
        data.price_class = {c.category: c.price_class for c in scenario.categories}
        data.prices = {(p.hospital, p.price_class): p.price_sek for p in scenario.prices}
        factors: dict[str, list[Fraction]] = {h: [Fraction(1)] * len(months) for h in data.hospitals}
        for row in scenario.profile:
            number = horizon.number(row.month)
            if number is not None:
                factors[row.hospital][number - 1] = Fraction(row.factor)
        seen: set[tuple[str, str]] = set()
        for need in scenario.need:
            key = (need.hospital, need.category)
            seen.add(key)
            data.waiting[key] = need.waiting
            data.inflow_total[key] = need.inflow
        for own in scenario.own_volumes:
            key = (own.hospital, own.category)
            seen.add(key)
            data.base_total[key] = own.base
            for m, units in zip(months, split(own.base, factors[own.hospital]), strict=True):
                data.base_capacity[own.hospital, own.category, m] = units
            for m, units in zip(months, split(own.additional_max, factors[own.hospital]), strict=True):
                data.additional_capacity[own.hospital, own.category, m] = units
        order = {code: i for i, code in enumerate(data.categories)}
        hospital_order = {code: i for i, code in enumerate(data.hospitals)}
        data.pairs = sorted(seen, key=lambda hk: (hospital_order[hk[0]], order[hk[1]]))
        for h, k in data.pairs:
            data.waiting.setdefault((h, k), 0)
            data.inflow_total.setdefault((h, k), 0)
            data.base_total.setdefault((h, k), 0)
            data.limit[h, k] = guarantee_limit(data.inflow_total[h, k], len(months))
            for m, units in zip(months, split(data.inflow_total[h, k], [1] * len(months)), strict=True):
                data.inflow[h, k, m] = units
                data.base_capacity.setdefault((h, k, m), 0)
                data.additional_capacity.setdefault((h, k, m), 0)
        data.contracts = {c.contract: c for c in scenario.contracts}
        data.contract_months = {
            c.contract: horizon.clip(c.first_month, c.last_month) for c in scenario.contracts
        }
        data.access = {(a.hospital, a.provider): (a.travel_minutes, a.allowed) for a in scenario.access}
        return data

    @property
    def months(self) -> range:
        return self.scenario.horizon.months

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
        return sum(v for (h, _k), v in self.inflow_total.items() if h == hospital)
