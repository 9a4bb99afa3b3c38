"""The placement CP-SAT model wired together, and its lexicographic solve."""

from __future__ import annotations

from ortools.sat.python import cp_model

from models.placement_reasons import unplaced_reasons
from models.training import (
    Placement,
    PlacementData,
    PlacementPlan,
    PlacementSolution,
    RequirementKey,
    placement_terms,
)
from optimizer.lexicographic import solve_in_order
from optimizer.placements.constraints import Constraints
from optimizer.placements.greedy import greedy_plan
from optimizer.placements.objectives import Objectives
from optimizer.placements.variables import Variables

PROPOSE_TERMS = ("places", "peak_places")


class PlacementModel:
    """Spec section 5's ST-A model; with `propose_places` the places per year are decided too."""

    def __init__(
        self,
        data: PlacementData,
        propose_places: bool = False,
        previous: dict[RequirementKey, Placement] | None = None,
    ) -> None:
        self.data = data
        self.propose_places = propose_places
        self.previous = previous
        self.model = cp_model.CpModel()
        self.vars = Variables(self.model, data, propose_places, previous)
        Constraints(self.model, data, self.vars).add_constraints()
        self.objectives = Objectives(self.model, data, self.vars, previous)

    @property
    def order(self) -> list[str]:
        """The configured order; proposing places puts places and peak_places right after unplaced."""
        configured = list(self.data.scenario.objective.placements)
        if not self.propose_places:
            return configured
        return ["unplaced", *PROPOSE_TERMS, *(t for t in configured if t != "unplaced")]

    def hint_greedy_plan(self) -> None:
        """Start the search from a quick plan (optimizer.placements.greedy)."""
        patterns = {t: [p for p, _ in options] for t, options in self.vars.patterns.items()}
        chosen, placed = greedy_plan(self.data, patterns, limited_places=not self.propose_places)
        for trainee, options in self.vars.patterns.items():
            for pattern, var in options:
                self.model.add_hint(var, pattern is chosen.get(trainee))
        for key, sites in self.vars.site.items():
            where = placed.get(key)
            for (hospital, year), var in sites.items():
                self.model.add_hint(
                    var, where is not None and where[0] == hospital and where[1] // 12 == year
                )
        for key, starts in self.vars.start.items():
            where = placed.get(key)
            for start, var in starts.items():
                self.model.add_hint(var, where is not None and where[1] == start)

    def solve(self, time_limit_s: float, previous_plan: str | None = None) -> PlacementSolution:
        self.hint_greedy_plan()
        constant = {"stability": 0} if self.previous is None else {}
        staged = solve_in_order(
            self.model,
            self.objectives.terms,
            self.order,
            self.data.scenario.solver,
            time_limit_s,
            constant_terms=constant,
            # The LP with symmetry handling proves the bound at once on this model; the default
            # two-worker portfolio's LP crawls towards it for minutes (see README, performance).
            full_subsolvers=("max_lp_sym",),
        )
        solver = staged.solver
        placed: dict[RequirementKey, Placement] = {}
        for trainee, requirements_of in self.vars.requirements_of.items():
            sites = {
                r.key: site
                for r in requirements_of
                for site, var in self.vars.site[r.key].items()
                if solver.value(var)
            }
            requirements = [r for r in requirements_of if r.key in sites]
            if trainee in self.vars.monthly:
                starts = [
                    next(s for s, var in self.vars.start[r.key].items() if solver.value(var))
                    for r in requirements
                ]
            else:  # any order that fits the years will do; the pattern guarantees one exists
                starts = self.data.sequence(requirements, {k: y for k, (_, y) in sites.items()}) or []
            for requirement, start in zip(requirements, starts, strict=True):
                placed[requirement.key] = (sites[requirement.key][0], start)
        plan = PlacementPlan(placed)
        if self.propose_places:
            places = {place: solver.value(var) for place, var in self.vars.places.items()}
        else:
            places = {place: row.places for place, row in self.data.capacity.items()}
        unplaced_stage = next((s for s in staged.stages if s.objective == "unplaced"), None)
        proven = unplaced_stage is not None and unplaced_stage.status == "OPTIMAL"
        return PlacementSolution(
            plan=plan,
            places=places,
            stages=staged.stages,
            terms=placement_terms(self.data, plan, self.previous),
            propose_places=self.propose_places,
            previous_plan=previous_plan,
            reasons=unplaced_reasons(self.data, plan, places, proven),
        )


def solve_placements(
    data: PlacementData,
    time_limit_s: float,
    propose_places: bool = False,
    previous: dict[RequirementKey, Placement] | None = None,
    previous_plan: str | None = None,
) -> PlacementSolution:
    """Place every requirement it can, then lower travel, then keep to the previous plan."""
    return PlacementModel(data, propose_places, previous).solve(time_limit_s, previous_plan)
