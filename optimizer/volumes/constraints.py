"""The volume model's rules (spec section 3), one method per rule."""

from __future__ import annotations

from typing import Any

from ortools.sat.python import cp_model

from leveransplan.models.derived import VolumeData
from leveransplan.optimizer.volumes.variables import Variables


class Constraints:
    """Adds the hard rules of the volume model; base capacity is the domain of b."""

    def __init__(self, model: cp_model.CpModel, data: VolumeData, variables: Variables) -> None:
        self.model = model
        self.data = data
        self.vars = variables

    def add_constraints(self) -> None:
        self._additional_capacity()
        self._contract_total()
        self._contract_monthly()
        self._waiting_list_balance()
        self._over_guarantee_definition()
        self._unused_minimum_definition()

    def _additional_capacity(self) -> None:
        """Hard: a hospital's additional units, for itself and for others, fit its offered capacity."""
        for (g, k, m), used in self.vars.additional_use().items():
            if len(used) > 1:
                self.model.add(sum(used) <= self.data.additional_capacity[g, k, m])

    def _contract_total(self) -> None:
        """Hard: referrals to a contract over the horizon stay within its volume_max."""
        for c, referred in self.vars.referrals_by_contract().items():
            self.model.add(sum(referred) <= self.data.contracts[c].volume_max)

    def _contract_monthly(self) -> None:
        """Hard: referrals to a contract in one month stay within its monthly_max."""
        for (c, _m), referred in self.vars.referrals_by_contract_month().items():
            monthly_max = self.data.contracts[c].monthly_max
            if monthly_max is not None and len(referred) > 1:
                self.model.add(sum(referred) <= monthly_max)

    def _waiting_list_balance(self) -> None:
        """Hard: w[m] = w[m-1] + inflow - everything treated or referred, and never below 0."""
        outflow = self.vars.outflow()
        for h, k in self.vars.patients:
            before: Any = self.data.waiting[h, k]
            for m in self.data.months:
                after = self.vars.waiting[h, k, m]
                self.model.add(after == before + self.data.inflow[h, k, m] - sum(outflow.get((h, k, m), [])))
                before = after

    def _over_guarantee_definition(self) -> None:
        """Patients beyond the guarantee limit: over >= w - L (and >= 0 by its domain)."""
        for (h, k, m), over in self.vars.over.items():
            self.model.add(over >= self.vars.waiting[h, k, m] - self.data.limit[h, k])

    def _unused_minimum_definition(self) -> None:
        """Take-or-pay: the unpaid-for part of a contract's minimum, unused >= volume_min - used."""
        referred = self.vars.referrals_by_contract()
        for c, unused in self.vars.unused_min.items():
            self.model.add(unused >= self.data.contracts[c].volume_min - sum(referred.get(c, [])))
