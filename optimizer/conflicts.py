"""A small set of rules that cannot hold together, found with CP-SAT assumptions.

A feasibility model states each rule group that can clash under one assumption literal (a
contract's maximum, a department's places, a placement already agreed...). CP-SAT, asked to
hold every literal, answers INFEASIBLE with a subset of them that is infeasible on its own; each
literal of that subset is then left out in turn and kept out while the rest stay infeasible.
What remains is a set of rules of which no one can be dropped: the conflict, in domain words.
"""

from __future__ import annotations

from dataclasses import dataclass

from ortools.sat.python import cp_model

_SOLVE_SECONDS = 10.0
_MINIMISE_SECONDS = 30.0


@dataclass
class Conflict:
    """The rules that cannot all hold, each in words; `proven_minimal` when no one can be dropped."""

    rules: list[str]
    proven_minimal: bool


class ConflictModel:
    """A CP-SAT model whose rule groups each hold under one assumption literal, named in words."""

    def __init__(self) -> None:
        self.model = cp_model.CpModel()
        self.groups: dict[str, cp_model.IntVar] = {}

    def group(self, words: str) -> cp_model.IntVar:
        """The literal of the rule group named by `words` (made on first use)."""
        if words not in self.groups:
            self.groups[words] = self.model.new_bool_var(f"rule[{len(self.groups)}]")
        return self.groups[words]

    def check(self, groups: list[str], seconds: float) -> tuple[str, list[str]]:
        """Whether the rules `groups` alone can hold: ("INFEASIBLE", a subset that cannot),
        ("FEASIBLE", []) or ("UNKNOWN", []) when the time ran out first."""
        self.model.clear_assumptions()
        self.model.add_assumptions([self.groups[g] for g in groups])
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = seconds
        solver.parameters.num_workers = 1  # the core of assumptions is only reported by one worker
        solver.parameters.catch_sigint_signal = False
        status = solver.solve(self.model)
        if status == cp_model.INFEASIBLE:
            names = {var.index: name for name, var in self.groups.items()}
            core = {names[index] for index in solver.sufficient_assumptions_for_infeasibility()}
            return "INFEASIBLE", [g for g in groups if g in core] or list(groups)
        return ("FEASIBLE" if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else "UNKNOWN"), []

    def conflict(self) -> Conflict | None:
        """A small set of rule groups that cannot hold together; None when they can (or no
        conflict was proven in time)."""
        status, core = self.check(list(self.groups), _SOLVE_SECONDS)
        if status != "INFEASIBLE":
            return None
        proven = True
        seconds_per_try = _MINIMISE_SECONDS / max(len(core), 1)
        for rule in list(core):
            if rule not in core or len(core) == 1:
                continue
            without = [r for r in core if r != rule]
            status, smaller = self.check(without, seconds_per_try)
            if status == "INFEASIBLE":
                core = smaller
            elif status == "UNKNOWN":
                proven = False
        return Conflict(core, proven)
