"""A small set of rules that cannot hold together, found with CP-SAT assumptions.

A feasibility model states each rule group that can clash under one assumption literal (a
contract's maximum, a department's places, a placement already agreed...). CP-SAT, asked to
hold every literal, answers INFEASIBLE with a subset of them that is infeasible on its own.
QuickXplain then narrows that subset to one of which no rule can be dropped, checking each
candidate subset with its literals fixed (fast: presolve sees a plain model). What remains is
the conflict, in domain words.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from ortools.sat.python import cp_model

_SOLVE_SECONDS = 10.0
_MINIMISE_SECONDS = 30.0
_CHECK_SECONDS = 5.0
_CORE_SECONDS = 3.0  # assumptions can take long where fixed literals take milliseconds


@dataclass
class Conflict:
    """The rules that cannot all hold, each in words; `proven_minimal` when no one can be dropped."""

    rules: list[str]
    proven_minimal: bool


@dataclass
class ConflictSearch:
    """What the feasibility solve found: INFEASIBLE with the conflict, FEASIBLE (every rule can
    hold together, so the model's verdict was wrong) or UNKNOWN (out of time)."""

    status: str
    conflict: Conflict | None


class ConflictModel:
    """A CP-SAT model whose rule groups each hold under one assumption literal, named in words."""

    def __init__(self) -> None:
        self.model = cp_model.CpModel()
        self.groups: dict[str, cp_model.IntVar] = {}
        self._unknown = False
        self._deadline = 0.0

    def group(self, words: str) -> cp_model.IntVar:
        """The literal of the rule group named by `words` (made on first use)."""
        if words not in self.groups:
            self.groups[words] = self.model.new_bool_var(f"rule[{len(self.groups)}]")
        return self.groups[words]

    def core_by_assumptions(self, seconds: float) -> list[str] | None:
        """CP-SAT's subset of the groups that cannot hold together, asked with every group as an
        assumption; None when it found a plan or ran out of time."""
        self.model.clear_assumptions()
        self.model.add_assumptions(list(self.groups.values()))
        solver = _solver(seconds)
        status = solver.solve(self.model)
        self.model.clear_assumptions()
        if status != cp_model.INFEASIBLE:
            return None
        names = {var.index: name for name, var in self.groups.items()}
        core = {names[index] for index in solver.sufficient_assumptions_for_infeasibility()}
        return [g for g in self.groups if g in core] or None

    def check(self, groups: list[str], seconds: float) -> str:
        """Whether the groups `groups` alone can hold: INFEASIBLE, FEASIBLE or UNKNOWN (out of time).

        The groups are fixed on and every other one off in a copy of the model, so that presolve
        sees a plain model; a subset asked as assumptions can take CP-SAT far longer.
        """
        model = self.model.clone()
        chosen = set(groups)
        for name, literal in self.groups.items():
            model.add(model.get_bool_var_from_proto_index(literal.index) == int(name in chosen))
        status = _solver(seconds).solve(model)
        if status == cp_model.INFEASIBLE:
            return "INFEASIBLE"
        return "FEASIBLE" if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else "UNKNOWN"

    def search(self) -> ConflictSearch:
        """A small set of rule groups that cannot hold together (QuickXplain over CP-SAT's core)."""
        status = self.check(list(self.groups), _SOLVE_SECONDS)
        if status != "INFEASIBLE":
            return ConflictSearch(status, None)
        candidates = self.core_by_assumptions(_CORE_SECONDS) or list(self.groups)
        if self.check(candidates, _SOLVE_SECONDS) != "INFEASIBLE":
            candidates = list(self.groups)
        self._unknown = False
        self._deadline = time.monotonic() + _MINIMISE_SECONDS
        rules = self._quick_xplain([], False, candidates)
        return ConflictSearch("INFEASIBLE", Conflict(rules, proven_minimal=not self._unknown))

    def _infeasible(self, groups: list[str]) -> bool:
        seconds = max(min(_CHECK_SECONDS, self._deadline - time.monotonic()), 0.2)
        status = self.check(groups, seconds)
        if status == "UNKNOWN":
            self._unknown = True  # taken as "can hold": the result may keep a rule it need not
        return status == "INFEASIBLE"

    def _quick_xplain(self, background: list[str], changed: bool, candidates: list[str]) -> list[str]:
        """Junker's QuickXplain: a minimal subset of `candidates` that, with `background`, cannot hold."""
        if changed and self._infeasible(background):
            return []
        if len(candidates) == 1:
            return list(candidates)
        half = len(candidates) // 2
        first, second = candidates[:half], candidates[half:]
        needed_second = self._quick_xplain(background + first, bool(first), second)
        needed_first = self._quick_xplain(background + needed_second, bool(needed_second), first)
        return needed_first + needed_second


def _solver(seconds: float) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = 1  # the core of assumptions is only reported by one worker
    solver.parameters.catch_sigint_signal = False
    return solver
