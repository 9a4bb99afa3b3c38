"""CP-SAT model of the AT distribution: one integer per hospital, so one module holds it all."""

from __future__ import annotations

from ortools.sat.python import cp_model

from leveransplan.models.language import _
from leveransplan.models.training import ATData, ATSolution
from leveransplan.optimizer.training_driver import solve_in_order


class ATModel:
    """Positions n_h per hospital: the total distributed within bounds and department capacity."""

    def __init__(self, data: ATData) -> None:
        self.data = data
        self.model = cp_model.CpModel()
        self.positions = {
            h: self.model.new_int_var(data.rows[h].min, data.rows[h].max, f"n[{h}]") for h in data.hospitals
        }
        self.add_constraints()
        self.terms = {"deviation": self._deviation(), "stability": self._stability()}

    def add_constraints(self) -> None:
        self._total_distributed()
        self._department_capacity()

    def _total_distributed(self) -> None:
        """Hard: the positions add up to [at] total."""
        self.model.add(sum(self.positions.values()) == self.data.total)

    def _department_capacity(self) -> None:
        """Hard: every AT doctor gets the months each area needs: n_h * months <= capacity_months."""
        for rotation in self.data.scenario.at_rotations:
            self.model.add(self.positions[rotation.hospital] * rotation.months <= rotation.capacity_months)

    def _deviation(self) -> cp_model.LinearExprT:
        """sum_h |W*n_h - total*weight_h|: how far the positions are from the need-weighted shares."""
        data = self.data
        parts = []
        for h, n in self.positions.items():
            gap = data.weight_sum * n - data.total * data.rows[h].weight
            reach = data.weight_sum * data.rows[h].max + data.total * data.rows[h].weight
            size = self.model.new_int_var(0, reach, f"deviation[{h}]")
            self.model.add_abs_equality(size, gap)
            parts.append(size)
        return sum(parts)  # type: ignore[return-value]

    def _stability(self) -> cp_model.LinearExprT:
        """sum_h |n_h - previous_h| over hospitals with a previous distribution."""
        parts = []
        for h, n in self.positions.items():
            previous = self.data.rows[h].previous
            if previous is None:
                continue
            size = self.model.new_int_var(0, max(previous, self.data.rows[h].max), f"change[{h}]")
            self.model.add_abs_equality(size, n - previous)
            parts.append(size)
        return sum(parts)  # type: ignore[return-value]

    def infeasible_words(self) -> str:
        """Why the total cannot be distributed: the most each hospital can take, and what limits it."""
        limits = [self.data.limit(h) for h in self.data.hospitals]
        most = sum(max(limit.positions, 0) for limit in limits)
        least = sum(self.data.rows[h].min for h in self.data.hospitals)
        if least > most or any(limit.positions < self.data.rows[limit.hospital].min for limit in limits):
            below = [
                _("{hospital} needs at least {least} but can take {most} ({because})").format(
                    hospital=limit.hospital,
                    least=self.data.rows[limit.hospital].min,
                    most=limit.positions,
                    because=limit.because,
                )
                for limit in limits
                if limit.positions < self.data.rows[limit.hospital].min
            ]
            return _("the AT minimums cannot be met: {hospitals}").format(hospitals="; ".join(below))
        details = ", ".join(f"{limit.hospital} {limit.positions} ({limit.because})" for limit in limits)
        return _(
            "the hospitals can take at most {most} AT positions, fewer than [at] total {total}: {details}"
        ).format(most=most, total=self.data.total, details=details)

    def solve(self, time_limit_s: float | None = None) -> ATSolution:
        settings = self.data.scenario.solver
        staged = solve_in_order(
            self.model,
            self.terms,
            self.data.order,
            settings,
            settings.time_limit_s if time_limit_s is None else time_limit_s,
            on_infeasible=self.infeasible_words,
        )
        positions = {h: staged.solver.value(n) for h, n in self.positions.items()}
        return ATSolution(positions, staged.stages)


def solve_at(data: ATData, time_limit_s: float | None = None) -> ATSolution:
    """The AT distribution of spec section 5, stages in the configured order."""
    return ATModel(data).solve(time_limit_s)
