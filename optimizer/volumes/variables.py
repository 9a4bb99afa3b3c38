"""CP-SAT variables of the volume model for a set of categories, with domains tight from the data."""

from __future__ import annotations

from collections import defaultdict

from ortools.sat.python import cp_model

from leveransplan.models.derived import VolumeData


class Variables:
    """b, a, t, e and the waiting lists, keyed by tuples and named in brackets.

    Only variables that can be non-zero are created: a hospital without patients in a
    category produces nothing for itself, a transfer needs the receiver's additional capacity
    and access, a referral needs the contract's months and access.
    """

    def __init__(self, model: cp_model.CpModel, data: VolumeData, categories: list[str]) -> None:
        self.model = model
        self.data = data
        self.categories = categories
        chosen = set(categories)
        months = list(data.months)
        self.patients = [(h, k) for h, k in data.pairs if k in chosen and data.has_need(h, k)]
        self.contracts = [c for c, contract in data.contracts.items() if contract.category in chosen]
        self.base_used: dict[tuple[str, str, int], cp_model.IntVar] = {}
        self.additional_own: dict[tuple[str, str, int], cp_model.IntVar] = {}
        self.transfers: dict[tuple[str, str, str, int], cp_model.IntVar] = {}
        self.referrals: dict[tuple[str, str, int], cp_model.IntVar] = {}
        self.waiting: dict[tuple[str, str, int], cp_model.IntVar] = {}
        self.over: dict[tuple[str, str, int], cp_model.IntVar] = {}
        self.unused_min: dict[str, cp_model.IntVar] = {}
        suppliers = {
            k: [
                g
                for g, kk in data.pairs
                if kk == k and any(data.additional_capacity[g, k, m] for m in months)
            ]
            for k in categories
        }
        for h, k in self.patients:
            total = data.waiting[h, k] + data.inflow_total[h, k]
            excess = max(0, total - data.limit[h, k])
            for m in months:
                self.waiting[h, k, m] = model.new_int_var(0, total, f"w[{h},{k},{m}]")
                self.over[h, k, m] = model.new_int_var(0, excess, f"over[{h},{k},{m}]")
                if (cap := min(data.base_capacity[h, k, m], total)) > 0:
                    self.base_used[h, k, m] = model.new_int_var(0, cap, f"b[{h},{k},{m}]")
                if (cap := min(data.additional_capacity[h, k, m], total)) > 0:
                    self.additional_own[h, k, m] = model.new_int_var(0, cap, f"a[{h},{k},{m}]")
                for g in suppliers[k]:
                    cap = min(data.additional_capacity[g, k, m], total)
                    if g != h and cap > 0 and data.allowed(h, g):
                        self.transfers[h, g, k, m] = model.new_int_var(0, cap, f"t[{h},{g},{k},{m}]")
        for c in self.contracts:
            contract = data.contracts[c]
            limit = contract.volume_max
            if contract.monthly_max is not None:
                limit = min(limit, contract.monthly_max)
            for h, k in self.patients:
                if k != contract.category or not data.allowed(h, contract.provider):
                    continue
                cap = min(limit, data.waiting[h, k] + data.inflow_total[h, k])
                for m in data.contract_months[c]:
                    if cap > 0:
                        self.referrals[h, c, m] = model.new_int_var(0, cap, f"e[{h},{c},{m}]")
            self.unused_min[c] = model.new_int_var(0, contract.volume_min, f"unused_min[{c}]")

    def outflow(self) -> dict[tuple[str, str, int], list[cp_model.IntVar]]:
        """Everything that takes h's patients of category k off the waiting list in month m."""
        grouped: dict[tuple[str, str, int], list[cp_model.IntVar]] = defaultdict(list)
        for key, var in self.base_used.items():
            grouped[key].append(var)
        for key, var in self.additional_own.items():
            grouped[key].append(var)
        for (h, _g, k, m), var in self.transfers.items():
            grouped[h, k, m].append(var)
        for (h, c, m), var in self.referrals.items():
            grouped[h, self.data.contracts[c].category, m].append(var)
        return grouped

    def additional_use(self) -> dict[tuple[str, str, int], list[cp_model.IntVar]]:
        """Additional units hospital g produces in category k and month m, for itself and others."""
        grouped: dict[tuple[str, str, int], list[cp_model.IntVar]] = defaultdict(list)
        for key, var in self.additional_own.items():
            grouped[key].append(var)
        for (_h, g, k, m), var in self.transfers.items():
            grouped[g, k, m].append(var)
        return grouped

    def referrals_by_contract(self) -> dict[str, list[cp_model.IntVar]]:
        grouped: dict[str, list[cp_model.IntVar]] = defaultdict(list)
        for (_h, c, _m), var in self.referrals.items():
            grouped[c].append(var)
        return grouped

    def referrals_by_contract_month(self) -> dict[tuple[str, int], list[cp_model.IntVar]]:
        grouped: dict[tuple[str, int], list[cp_model.IntVar]] = defaultdict(list)
        for (_h, c, m), var in self.referrals.items():
            grouped[c, m].append(var)
        return grouped
