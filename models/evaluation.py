"""Decision values of a volume plan, and the objective terms they give (spec section 4)."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from leveransplan.models.derived import VolumeData

BaseKey = tuple[str, str, int]  # hospital, category, month
TransferKey = tuple[str, str, str, int]  # from hospital, to hospital, category, month
ReferralKey = tuple[str, str, int]  # hospital, contract, month


@dataclass
class Decisions:
    """Values of b, a, t and e; a missing key is 0."""

    base_used: dict[BaseKey, int] = field(default_factory=dict)
    additional_own: dict[BaseKey, int] = field(default_factory=dict)
    transfers: dict[TransferKey, int] = field(default_factory=dict)
    referrals: dict[ReferralKey, int] = field(default_factory=dict)

    def update(self, other: Decisions, categories: set[str], data: VolumeData) -> None:
        """Replace the values of `categories` by those of `other`."""
        flows: tuple[tuple[dict[Any, int], dict[Any, int], int], ...] = (
            (self.base_used, other.base_used, 1),
            (self.additional_own, other.additional_own, 1),
            (self.transfers, other.transfers, 2),
        )
        for mine, theirs, position in flows:
            for key in [key for key in mine if key[position] in categories]:
                del mine[key]
            mine.update({key: v for key, v in theirs.items() if key[position] in categories})
        for key in [key for key in self.referrals if data.contracts[key[1]].category in categories]:
            del self.referrals[key]
        self.referrals.update(
            {key: v for key, v in other.referrals.items() if data.contracts[key[1]].category in categories}
        )

    def replace(self, parts: Mapping[str, Decisions], data: VolumeData) -> None:
        """Replace the values of each category `k` of `parts` by those of `parts[k]`.

        The same as `update(parts[k], {k})` for each one, in one pass over the plan instead of
        one per category (at scale 20 a plan has hundreds of thousands of values).
        """
        merged = Decisions()
        for k, part in parts.items():
            merged.base_used.update((key, v) for key, v in part.base_used.items() if key[1] == k)
            merged.additional_own.update((key, v) for key, v in part.additional_own.items() if key[1] == k)
            merged.transfers.update((key, v) for key, v in part.transfers.items() if key[2] == k)
            merged.referrals.update(
                (key, v) for key, v in part.referrals.items() if data.contracts[key[1]].category == k
            )
        self.update(merged, set(parts), data)

    def copy(self) -> Decisions:
        return Decisions(
            dict(self.base_used), dict(self.additional_own), dict(self.transfers), dict(self.referrals)
        )


class TermValues:
    """Objective terms of a set of decisions, per category where the term is separable."""

    def __init__(
        self,
        data: VolumeData,
        decisions: Decisions,
        previous: Decisions | None = None,
        categories: Iterable[str] | None = None,
    ) -> None:
        """With `categories`, only those categories are evaluated (and only they may be asked
        for): the waiting lists of every hospital and category are a Python loop, slow for a
        national plan, and the driver evaluates each category's own plan after every stage."""
        self.data = data
        self.only = None if categories is None else frozenset(categories)
        self.waiting: dict[BaseKey, int] = {}
        self.over_by_hospital_category: dict[tuple[str, str], int] = defaultdict(int)
        self.cost_by_category: dict[str, int] = defaultdict(int)
        # What the plan spends on each hospital's patients (its frame's measure, spec 1.1 section 7).
        self.spend_by_hospital_category: dict[tuple[str, str], int] = defaultdict(int)
        self._spend_by_hospital: dict[str, int] | None = None
        self.travel_by_category: dict[str, int] = defaultdict(int)
        self.out_of_region_by_category: dict[str, int] = defaultdict(int)
        self.procured_by_category: dict[str, int] = defaultdict(int)  # units of candidate contracts
        self.stability_by_category: dict[str, int] = defaultdict(int)
        # How much each hospital's decisions move against the previous plan, per category: units
        # (its part of the stability term) and SEK (each unit moved at the price it is paid at);
        # a hospital's total is the term change_term names.
        self.change_by_hospital_category: dict[tuple[str, str], tuple[int, int]] = {}
        self.against_previous = previous is not None
        self._evaluate(decisions, previous)

    def _evaluate(self, x: Decisions, previous: Decisions | None) -> None:
        data = self.data
        only = self.only
        leaving: dict[BaseKey, int] = defaultdict(int)
        for (h, k, m), v in x.base_used.items():
            if only is None or k in only:
                leaving[h, k, m] += v
        for (h, k, m), v in x.additional_own.items():
            if only is None or k in only:
                leaving[h, k, m] += v
                spent = v * data.additional_price(h, k)
                self.cost_by_category[k] += spent
                self.spend_by_hospital_category[h, k] += spent
        for (h, g, k, m), v in x.transfers.items():
            if only is None or k in only:
                leaving[h, k, m] += v
                spent = v * data.additional_price(g, k)  # at the receiving hospital's price
                self.cost_by_category[k] += spent
                self.spend_by_hospital_category[h, k] += spent
                self.travel_by_category[k] += v * data.travel_minutes(h, g)
        used: dict[str, int] = defaultdict(int)
        for (h, c, m), v in x.referrals.items():
            contract = data.contracts[c]
            if only is not None and contract.category not in only:
                continue
            leaving[h, contract.category, m] += v
            used[c] += v
            self.cost_by_category[contract.category] += v * contract.price_sek
            self.spend_by_hospital_category[h, contract.category] += v * contract.price_sek
            self.travel_by_category[contract.category] += v * data.travel_minutes(h, contract.provider)
            if contract.out_of_region:
                self.out_of_region_by_category[contract.category] += v
            if contract.candidate:
                self.procured_by_category[contract.category] += v
        # Unused take-or-pay minimums are the region's cost, in no hospital's spend.
        for c, contract in data.contracts.items():
            if only is not None and contract.category not in only:
                continue
            self.cost_by_category[contract.category] += (
                max(0, contract.volume_min - used[c]) * contract.price_sek
            )
        for h, k in data.pairs if only is None else [(h, k) for h, k in data.pairs if k in only]:
            level = data.waiting[h, k]
            for m in data.months:
                level += data.inflow[h, k, m] - leaving[h, k, m]
                self.waiting[h, k, m] = level
                self.over_by_hospital_category[h, k] += max(0, level - data.limit[h, k])
        if previous is not None:
            for (h, k), (units, sek) in changes(data, x, previous).items():
                if only is None or k in only:
                    self.stability_by_category[k] += units
                    self.change_by_hospital_category[h, k] = (units, sek)

    def _evaluated(self, what: str, categories: list[str] | None) -> None:
        """Refuse a figure of categories this evaluation left out (see __init__)."""
        if self.only is not None and (categories is None or not self.only.issuperset(categories)):
            raise ValueError(f"{what} asked of categories not evaluated (only {sorted(self.only)})")

    def over_guarantee(self, categories: Iterable[str] | None = None) -> int:
        chosen = None if categories is None else set(categories)
        self._evaluated("over_guarantee", None if chosen is None else list(chosen))
        return sum(
            v for (_h, k), v in self.over_by_hospital_category.items() if chosen is None or k in chosen
        )

    def over_of_hospital(self, hospital: str) -> int:
        """X_h of the equity term."""
        self._evaluated("X_h", None)
        return sum(v for (h, _k), v in self.over_by_hospital_category.items() if h == hospital)

    def equity(self) -> int:
        self._evaluated("equity", None)
        return equity_value(self.data, {h: self.over_of_hospital(h) for h in self.data.hospitals})

    def spend(self, hospital: str, categories: Iterable[str] | None = None) -> int:
        """SEK spent on `hospital`'s patients: its own additional units, its patients' transfers at
        the receiving hospital's price and its patients' referrals (over `categories`, all when None)."""
        chosen = None if categories is None else set(categories)
        self._evaluated("spend", None if chosen is None else list(chosen))
        if chosen is None:
            if self._spend_by_hospital is None:  # made once: the driver asks it of every frame
                self._spend_by_hospital = defaultdict(int)
                for (h, _k), v in self.spend_by_hospital_category.items():
                    self._spend_by_hospital[h] += v
            return self._spend_by_hospital.get(hospital, 0)
        return sum(self.spend_by_hospital_category.get((hospital, k), 0) for k in chosen)

    def term(self, name: str, categories: Iterable[str] | None = None) -> int:
        """Value of one objective term, over the given categories (all when None); also a
        hospital's change against the previous plan (`change:<hospital>` in units,
        `change_sek:<hospital>` in SEK: see change_term)."""
        if categories is not None:
            categories = list(categories)
        self._evaluated(name, None if name == "equity" else categories)
        measured = changed_hospital(name)
        if measured is not None:
            hospital, in_sek = measured
            return sum(
                figures[1 if in_sek else 0]
                for (h, k), figures in self.change_by_hospital_category.items()
                if h == hospital and (categories is None or k in categories)
            )
        if name == "over_guarantee":
            return self.over_guarantee(categories)
        if name == "equity":
            return self.equity()
        by_category = {
            "cost": self.cost_by_category,
            "travel": self.travel_by_category,
            "out_of_region": self.out_of_region_by_category,
            "procured": self.procured_by_category,
            "stability": self.stability_by_category,
        }[name]
        if categories is None:
            return sum(by_category.values())
        return sum(by_category.get(k, 0) for k in categories)


def frames_kept(data: VolumeData, values: TermValues) -> bool:
    """Whether every hospital with a frame spends at most its frame_sek (values of every category)."""
    return all(values.spend(h) <= frame for h, frame in data.frames.items())


def equity_value(data: VolumeData, over_by_hospital: dict[str, int]) -> int:
    """max over hospitals with inflow of ceil(1000 * X_h / I_h); 0 when no hospital has inflow."""
    values = [
        math.ceil(1000 * over_by_hospital.get(h, 0) / inflow)
        for h in data.hospitals
        if (inflow := data.hospital_inflow(h)) > 0
    ]
    return max(values, default=0)


# The names of a hospital's change against the previous plan as a term the solve can hold.
CHANGE_UNITS = "change:"
CHANGE_SEK = "change_sek:"


def change_term(hospital: str, in_sek: bool) -> str:
    """The name of `hospital`'s change against the previous plan, in units or in SEK, as a held term."""
    return f"{CHANGE_SEK if in_sek else CHANGE_UNITS}{hospital}"


def changed_hospital(term: str) -> tuple[str, bool] | None:
    """(hospital, in SEK) of a change term's name; None for any other term."""
    if term.startswith(CHANGE_UNITS):
        return term.removeprefix(CHANGE_UNITS), False
    if term.startswith(CHANGE_SEK):
        return term.removeprefix(CHANGE_SEK), True
    return None


def changes(data: VolumeData, x: Decisions, previous: Decisions) -> dict[tuple[str, str], tuple[int, int]]:
    """sum |x - x_prev| over every a, t and e value by (hospital, category): in units, and in SEK
    at the price each unit is paid at (the hospital's own additional price, the receiving
    hospital's for a transfer, the contract's for a referral). The hospital is the one whose
    patients the decision treats, as in its spend (spec 1.1 section 7)."""
    result: dict[tuple[str, str], tuple[int, int]] = {}

    def add(hospital: str, category: str, moved: int, price: int) -> None:
        units, sek = result.get((hospital, category), (0, 0))
        result[hospital, category] = (units + moved, sek + moved * price)

    def price(hospital: str, category: str) -> int:
        # A previous plan may have bought where this scenario no longer has a price (and so no
        # additional capacity): those units are counted, at no price.
        return data.prices.get((hospital, data.price_class[category]), 0)

    for own in set(x.additional_own) | set(previous.additional_own):
        h, k, _m = own
        moved = abs(x.additional_own.get(own, 0) - previous.additional_own.get(own, 0))
        add(h, k, moved, price(h, k))
    for transfer in set(x.transfers) | set(previous.transfers):
        h, g, k, _m = transfer
        moved = abs(x.transfers.get(transfer, 0) - previous.transfers.get(transfer, 0))
        add(h, k, moved, price(g, k))
    for referral in set(x.referrals) | set(previous.referrals):
        h, c, _m = referral
        contract = data.contracts[c]
        moved = abs(x.referrals.get(referral, 0) - previous.referrals.get(referral, 0))
        add(h, contract.category, moved, contract.price_sek)
    return result
