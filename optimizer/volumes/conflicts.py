"""When no volume plan obeys every rule: a small set of rules that cannot hold together, in words.

A separate feasibility model (optimizer.conflicts) states each rule of spec section 3, and each
decision that stays from a previous plan, under one assumption literal per group: a contract's
maximum, a hospital's additional capacity in a category, the budget cap, a hospital's frame, the
months a hospital has already decided...

Only the rules that can clash appear as groups. The waiting-list balance and the take-or-pay
definition are arithmetic, not choices, and stay hard.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from leveransplan.models.derived import VolumeData
from leveransplan.models.evaluation import Decisions
from leveransplan.models.explanation import month_ranges
from leveransplan.models.language import _
from leveransplan.models.numbers import grouped
from leveransplan.optimizer.conflicts import ConflictModel, ConflictSearch


class _FeasibilityModel(ConflictModel):
    """The volume rules with one assumption literal per group of rules that can clash."""

    def __init__(
        self,
        data: VolumeData,
        budget: int | None,
        previous: Decisions | None,
        frozen_until: int | None,
    ) -> None:
        super().__init__()
        self.data = data
        self.frozen = previous if previous is not None and frozen_until is not None else Decisions()
        self.frozen_until = frozen_until or 0
        self._variables()
        self._capacity_rules()
        self._contract_rules()
        self._access_rules()
        self._waiting_list_rules()
        self._frozen_rules()
        spend = self._spend()
        if budget is not None:
            self._budget_rule(budget, spend)
        for hospital, frame in data.frames.items():
            if spend.get(hospital):  # a frame >= 0 over nothing to spend always holds
                self._frame_rule(hospital, frame, spend[hospital])

    def _variables(self) -> None:
        data, model = self.data, self.model
        self.b: dict[tuple[str, str, int], Any] = {}
        self.a: dict[tuple[str, str, int], Any] = {}
        self.t: dict[tuple[str, str, str, int], Any] = {}
        self.e: dict[tuple[str, str, int], Any] = {}
        frozen: dict[Any, int] = {
            **self.frozen.base_used,
            **self.frozen.additional_own,
            **self.frozen.transfers,
            **self.frozen.referrals,
        }
        for h, k in data.pairs:
            # A domain wide enough for any frozen value: "no more than the patients there are" is
            # a rule of its own (_waiting_list_rules), to be named when it is the one that breaks.
            top = data.waiting[h, k] + data.inflow_total[h, k] + max(frozen.values(), default=0)
            for m in data.months:
                self.b[h, k, m] = model.new_int_var(0, top, f"b[{h},{k},{m}]")
                self.a[h, k, m] = model.new_int_var(0, top, f"a[{h},{k},{m}]")
                for g in data.hospitals:
                    offered = data.additional_capacity.get((g, k, m), 0)
                    if g != h and (offered > 0 or (h, g, k, m) in frozen):
                        self.t[h, g, k, m] = model.new_int_var(0, top, f"t[{h},{g},{k},{m}]")
                for c, contract in data.contracts.items():
                    if contract.category == k and (m in data.contract_months[c] or (h, c, m) in frozen):
                        self.e[h, c, m] = model.new_int_var(0, top, f"e[{h},{c},{m}]")

    def _capacity_rules(self) -> None:
        """Base units within the base volume; additional units, own and for others, within the offer."""
        data = self.data
        for (h, k, m), var in self.b.items():
            self.model.add(var <= data.base_capacity.get((h, k, m), 0)).only_enforce_if(
                self.group(
                    _("base volume (bas) of {hospital} in {category}: {units} units").format(
                        hospital=h, category=k, units=grouped(data.base_total.get((h, k), 0))
                    )
                )
            )
        used: dict[tuple[str, str, int], list[Any]] = defaultdict(list)
        for (g, k, m), var in self.a.items():
            used[g, k, m].append(var)
        for (_h, g, k, m), var in self.t.items():
            used[g, k, m].append(var)
        for (g, k, m), variables in used.items():
            offered = data.additional_capacity.get((g, k, m), 0)
            total = sum(data.additional_capacity.get((g, k, mm), 0) for mm in data.months)
            self.model.add(sum(variables) <= offered).only_enforce_if(
                self.group(
                    _(
                        "additional volume (tillägg) offered by {hospital} in {category}: {units} units"
                    ).format(hospital=g, category=k, units=grouped(total))
                )
            )

    def _contract_rules(self) -> None:
        """A contract's volume_max, monthly_max and months."""
        data = self.data
        by_contract: dict[str, list[Any]] = defaultdict(list)
        by_month: dict[tuple[str, int], list[Any]] = defaultdict(list)
        for (_h, c, m), var in self.e.items():
            by_contract[c].append(var)
            by_month[c, m].append(var)
            if m not in data.contract_months[c]:
                runs = month_ranges(data, data.contract_months[c])
                self.model.add(var == 0).only_enforce_if(
                    self.group(_("contract {contract} runs only in {months}").format(contract=c, months=runs))
                )
        for c, variables in by_contract.items():
            contract = data.contracts[c]
            self.model.add(sum(variables) <= contract.volume_max).only_enforce_if(
                self.group(
                    _("contract {contract} ({provider}): volume_max {units}").format(
                        contract=c, provider=contract.provider, units=grouped(contract.volume_max)
                    )
                )
            )
            if contract.monthly_max is not None:
                for m in data.months:
                    if by_month.get((c, m)):
                        self.model.add(sum(by_month[c, m]) <= contract.monthly_max).only_enforce_if(
                            self.group(
                                _("contract {contract} ({provider}): monthly_max {units}").format(
                                    contract=c,
                                    provider=contract.provider,
                                    units=grouped(contract.monthly_max),
                                )
                            )
                        )

    def _access_rules(self) -> None:
        """Patients go only where access.csv allows."""
        data = self.data
        for (h, g, _k, _m), var in self.t.items():
            if not data.allowed(h, g):
                self.model.add(var == 0).only_enforce_if(
                    self.group(
                        _("access.csv: {hospital} patients may not go to {to}").format(hospital=h, to=g)
                    )
                )
        for (h, c, _m), var in self.e.items():
            provider = data.contracts[c].provider
            if not data.allowed(h, provider):
                self.model.add(var == 0).only_enforce_if(
                    self.group(
                        _("access.csv: {hospital} patients may not go to {to}").format(
                            hospital=h, to=provider
                        )
                    )
                )

    def _waiting_list_rules(self) -> None:
        """No more patients treated or referred than are waiting: the list never goes below 0."""
        data = self.data
        outflow: dict[tuple[str, str, int], list[Any]] = defaultdict(list)
        for key, var in self.b.items():
            outflow[key].append(var)
        for key, var in self.a.items():
            outflow[key].append(var)
        for (h, _g, k, m), var in self.t.items():
            outflow[h, k, m].append(var)
        for (h, c, m), var in self.e.items():
            outflow[h, data.contracts[c].category, m].append(var)
        for h, k in data.pairs:
            level: Any = data.waiting[h, k]
            patients = self.group(
                _(
                    "patients of {hospital} in {category}: {waiting} waiting at the start and {new} new "
                    "over the horizon"
                ).format(
                    hospital=h,
                    category=k,
                    waiting=grouped(data.waiting[h, k]),
                    new=grouped(data.inflow_total[h, k]),
                )
            )
            for m in data.months:
                level = level + data.inflow[h, k, m] - sum(outflow.get((h, k, m), []))
                self.model.add(level >= 0).only_enforce_if(patients)

    def _frozen_rules(self) -> None:
        """Decisions of the months already decided stay as the previous plan made them."""
        data = self.data
        until = self.frozen_until
        if not until:
            return
        label = data.scenario.horizon.label
        pairs: tuple[tuple[dict[Any, int], dict[Any, Any], int], ...] = (
            (self.frozen.base_used, self.b, 0),
            (self.frozen.additional_own, self.a, 0),
            (self.frozen.transfers, self.t, 0),
            (self.frozen.referrals, self.e, 0),
        )
        for decided, variables, position in pairs:
            for key, var in variables.items():
                if key[-1] <= until:
                    hospital = key[position]
                    self.model.add(var == decided.get(key, 0)).only_enforce_if(
                        self.group(
                            _(
                                "{hospital}'s decisions of {first}..{last}, frozen from the previous plan "
                                "(--freeze-until)"
                            ).format(hospital=hospital, first=label(1), last=label(until))
                        )
                    )

    def _spend(self) -> dict[str, list[Any]]:
        """What each hospital's patients cost: own additional units, transfers at the receiving
        hospital's price, referrals (a unit without a price is an input error, left out here)."""
        data = self.data
        spend: dict[str, list[Any]] = defaultdict(list)
        for (h, k, _m), var in self.a.items():
            if (h, data.price_class[k]) in data.prices:
                spend[h].append(var * data.additional_price(h, k))
        for (h, g, k, _m), var in self.t.items():
            if (g, data.price_class[k]) in data.prices:
                spend[h].append(var * data.additional_price(g, k))
        for (h, c, _m), var in self.e.items():
            spend[h].append(var * data.contracts[c].price_sek)
        return spend

    def _frame_rule(self, hospital: str, frame: int, spend: list[Any]) -> None:
        """What the plan spends on a hospital's patients within its frame."""
        self.model.add(sum(spend) <= frame).only_enforce_if(
            self.group(
                _(
                    "{hospital}'s frame of {amount} SEK (its additional units, its patients' transfers and "
                    "referrals)"
                ).format(hospital=hospital, amount=grouped(frame))
            )
        )

    def _budget_rule(self, budget: int, spend: dict[str, list[Any]]) -> None:
        """The plan's cost, take-or-pay minimums included, within the budget cap."""
        data = self.data
        cost: list[Any] = [term for terms in spend.values() for term in terms]
        used: dict[str, list[Any]] = defaultdict(list)
        for (_h, c, _m), var in self.e.items():
            used[c].append(var)
        for c, contract in data.contracts.items():
            unused = self.model.new_int_var(0, contract.volume_min, f"unused_min[{c}]")
            self.model.add(unused >= contract.volume_min - sum(used.get(c, [])))
            cost.append(unused * contract.price_sek)
        minimums = sum(c.volume_min * c.price_sek for c in data.contracts.values())
        self.model.add(sum(cost) <= budget).only_enforce_if(
            self.group(
                _(
                    "the budget cap of {amount} SEK (the contracts' take-or-pay minimums alone cost "
                    "{minimums} SEK)"
                ).format(amount=grouped(budget), minimums=grouped(minimums))
            )
        )


def volume_conflicts(
    data: VolumeData,
    budget: int | None,
    previous: Decisions | None = None,
    frozen_until: int | None = None,
) -> ConflictSearch:
    """A small set of volume rules that cannot hold together (see ConflictSearch)."""
    return _FeasibilityModel(data, budget, previous, frozen_until).search()
