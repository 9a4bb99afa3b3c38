"""The placement CP-SAT model wired together, and its lexicographic solve."""

from __future__ import annotations

import math
from collections import defaultdict
from contextlib import nullcontext

from ortools.sat.python import cp_model

from leveransplan.models import language
from leveransplan.models.language import N_
from leveransplan.models.placement_reasons import free_option_note, unplaced_reasons
from leveransplan.models.plan import StageResult
from leveransplan.models.training import (
    Placement,
    PlacementData,
    PlacementPlan,
    PlacementSolution,
    RequirementKey,
    placement_terms,
)
from leveransplan.models.wording import phrase
from leveransplan.optimizer.errors import Infeasible, NoPlanInTime
from leveransplan.optimizer.placements.balance import even_out
from leveransplan.optimizer.placements.constraints import Constraints
from leveransplan.optimizer.placements.greedy import greedy_plan
from leveransplan.optimizer.placements.objectives import Objectives
from leveransplan.optimizer.placements.variables import Variables
from leveransplan.optimizer.search import current_run, starting_plan
from leveransplan.optimizer.training_driver import (
    hint_solution,
    solve_in_order,
    stage_time,
)

# Said when no placement plan exists (the functions here use `_` for values they ignore).
NO_PLAN = N_("no placement plan obeys every rule")
PROPOSE_TERMS = ("places", "peak_load")
# The workers that solve the LP with every constraint in it (with and without symmetry handling)
# prove the bounds of this model in seconds; the default two-worker portfolio's LP crawls
# towards them for minutes (see docs/performance.md).
FULL_SUBSOLVERS = ("max_lp", "max_lp_sym")


class PlacementModel:
    """Spec section 5's ST-A model; with `propose_places` the places per year are decided too."""

    def __init__(
        self,
        data: PlacementData,
        propose_places: bool = False,
        previous: dict[RequirementKey, Placement] | None = None,
        enforced: set[tuple[str, str]] | None = None,
    ) -> None:
        """`enforced`: the (hospital, specialty) departments whose concurrent_max the model holds
        (None: all; a smaller set makes the relaxation RelaxAndComplete solves first)."""
        self.data = data
        self.propose_places = propose_places
        self.previous = previous
        self.model = cp_model.CpModel()
        self.vars = Variables(self.model, data, propose_places, previous, enforced)
        Constraints(self.model, data, self.vars).add_constraints()
        self.objectives = Objectives(self.model, data, self.vars, previous)

    @property
    def order(self) -> list[str]:
        """The configured order; proposing places puts places and peak_load right after unplaced."""
        configured = list(self.data.scenario.objective.placements)
        if not self.propose_places:
            return configured
        return ["unplaced", *PROPOSE_TERMS, *(t for t in configured if t != "unplaced")]

    def hint_greedy_plan(self) -> dict[RequirementKey, Placement]:
        """Start the search from a quick plan (optimizer.placements.greedy); return the plan.

        With a previous plan, its placements that are still options come first: a re-plan
        should change little, and the search finds that far sooner from the old plan.
        """
        patterns = {t: [p for p, _ in options] for t, options in self.vars.patterns.items()}
        kept = {}
        if self.previous is not None:
            for key, (hospital, start) in self.previous.items():
                if any(o.hospital == hospital and o.start == start for o in self.data.options.get(key, [])):
                    kept[key] = (hospital, start)
        _, placed = greedy_plan(self.data, patterns, limited_places=not self.propose_places, first=kept)
        self.hint_plan(placed)
        return placed

    def hint_plan(self, placed: dict[RequirementKey, Placement]) -> None:
        """Start the search from a plan given as (hospital, start) per placed requirement.

        Proposing places, the plan is first evened out (optimizer.placements.balance) and put in the
        order CP-SAT keeps interchangeable trainees in (Variables.in_symmetry_order).
        """
        if self.propose_places:
            evened = even_out(self.data, self.vars.pattern_starts, placed, self.previous)
            placed = self.vars.in_symmetry_order(evened)
        self.model.clear_hints()
        for trainee, options in self.vars.patterns.items():
            placed_years = {
                r.key: placed[r.key][1] // 12 for r in self.vars.requirements_of[trainee] if r.key in placed
            }
            chosen = next((p for p, _ in options if placed_years.items() <= p.items()), None)
            for pattern, var in options:
                self.model.add_hint(var, pattern is chosen)
        for key, years in self.vars.year.items():
            where = placed.get(key)
            for year, var in years.items():
                self.model.add_hint(var, where is not None and where[1] // 12 == year)
        for key, sites in self.vars.site.items():
            where = placed.get(key)
            for (hospital, year), var in sites.items():
                self.model.add_hint(
                    var, where is not None and where[0] == hospital and where[1] // 12 == year
                )
        counts: dict[tuple[tuple[str, str, int], int, str], int] = defaultdict(int)
        for key, (hospital, start) in placed.items():
            if key not in self.vars.site:
                requirement = self.data.by_key[key]
                pool = (self.data.trainees[key[0]].home_area, key[1], requirement.months)
                counts[pool, start // 12, hospital] += 1
        for flow_key, var in self.vars.flow.items():
            self.model.add_hint(var, counts.get(flow_key, 0))
        for key, starts in self.vars.start.items():
            where = placed.get(key)
            for start, var in starts.items():
                self.model.add_hint(var, where is not None and where[1] == start)
        for (trainee, specialty, hospital, start), var in self.vars.stay.items():
            self.model.add_hint(var, placed.get((trainee, specialty)) == (hospital, start))
        self.objectives.hint_proposal(placed)

    def _restate_stability(self, stages: list[StageResult], plan: PlacementPlan) -> list[StageResult]:
        """The stability stage's value as the plan has it.

        A stay that no kept pattern pins may still land on its previous start by the earliest-fit
        order, so the plan can change fewer stays than the stage counted; the plan's count is
        the value reached (the bound stays valid: it bounds every plan).
        """
        if self.previous is None:
            return stages
        actual = placement_terms(self.data, plan, self.previous)["stability"]
        restated = []
        for stage in stages:
            if stage.objective == "stability" and actual < stage.value:
                status = "OPTIMAL" if stage.bound >= actual else stage.status
                stage = stage.model_copy(
                    update={"value": actual, "bound": min(stage.bound, actual), "status": status}
                )
            restated.append(stage)
        return restated

    def hint_all(self, solver: cp_model.CpSolver) -> None:
        """Start the next search from every variable's value in a solution of this model."""
        hint_solution(self.model, solver)

    def decode(self, solver: cp_model.CpSolver) -> PlacementPlan:
        """The plan a solution describes: years and hospitals from the model, months where free."""
        years = {
            key: y for key, by_year in self.vars.year.items() for y, v in by_year.items() if solver.value(v)
        }
        hospital_of = {
            key: h for key, sites in self.vars.site.items() for (h, _), v in sites.items() if solver.value(v)
        }
        for (pool, year), members in sorted(self.vars.pooled.items()):
            going = sorted(r.key for r in members if years.get(r.key) == year)
            for (p, y, hospital), var in self.vars.flow.items():
                if p == pool and y == year:
                    for _ in range(solver.value(var)):
                        hospital_of[going.pop(0)] = hospital
        placed: dict[RequirementKey, Placement] = {}
        for trainee, requirements_of in self.vars.requirements_of.items():
            requirements = [r for r in requirements_of if r.key in years]
            if trainee in self.vars.monthly:
                starts = [
                    next(s for s, var in self.vars.start[r.key].items() if solver.value(var))
                    for r in requirements
                ]
            else:  # any order that fits the years will do; the pattern guarantees one exists
                pins = {
                    r.key: self.previous[r.key][1]
                    for r in requirements
                    if self.previous is not None
                    and r.key in self.objectives.kept
                    and solver.value(self.objectives.kept[r.key])
                }
                starts = self.data.sequence(requirements, years, pins) or []
            for requirement, start in zip(requirements, starts, strict=True):
                placed[requirement.key] = (hospital_of[requirement.key], start)
        return PlacementPlan(placed)

    def solve(self, time_limit_s: float, previous_plan: str | None = None) -> PlacementSolution:
        """The stages in order within `time_limit_s`, counted from here (the quick plan and the
        relaxation are built within it).

        The stages leave the time the quick plan took: reading the plan out of the solver and
        the reasons for what is unplaced come after them, and take about as long.
        """
        search = current_run()
        started = search.now()
        quick_plan = self.hint_greedy_plan()
        afterwards = search.now() - started
        constant = {"stability": 0} if self.previous is None else {}
        if self.vars.stay:
            relax_and_complete = RelaxAndComplete(self, quick_plan)
            left = time_limit_s - (search.now() - started) - afterwards
            stages, solver = relax_and_complete.run(left, constant)
        else:
            staged = solve_in_order(
                self.model,
                self.objectives.terms,
                self.order,
                self.data.scenario.solver,
                time_limit_s - (search.now() - started) - afterwards,
                constant_terms=constant,
                full_subsolvers=FULL_SUBSOLVERS,
            )
            stages, solver = staged.stages, staged.solver
        return self.solution(stages, solver, previous_plan)

    def solution(
        self, stages: list[StageResult], solver: cp_model.CpSolver, previous_plan: str | None
    ) -> PlacementSolution:
        plan = self.decode(solver)
        stages = self._restate_stability(stages, plan)
        if self.propose_places:
            places = {place: solver.value(var) for place, var in self.vars.places.items()}
        else:
            places = {place: row.places for place, row in self.data.capacity.items()}
        unplaced_stage = next((s for s in stages if s.objective == "unplaced"), None)
        note = free_option_note(self.order, None if unplaced_stage is None else unplaced_stage.status)
        # Stopped above its bound: which requirements a finished search would place is unknown.
        stopped = (
            unplaced_stage is not None
            and unplaced_stage.status != "OPTIMAL"
            and unplaced_stage.value > unplaced_stage.bound
        )
        return PlacementSolution(
            plan=plan,
            places=places,
            stages=stages,
            terms=placement_terms(self.data, plan, self.previous),
            propose_places=self.propose_places,
            previous_plan=previous_plan,
            reasons=unplaced_reasons(self.data, plan, None if self.propose_places else places, note, stopped),
        )


class RelaxAndComplete:
    """Each stage solved with concurrent_max only where it binds; the full model only if that falls short.

    concurrent_max makes a trainee's months matter, and with it the model needs month-level
    variables for every trainee who can reach such a department: most of a region's cohort.
    Usually only a few departments' limits actually bind. So each stage is solved first on a
    relaxation that enforces concurrent_max at an `enforced` set of departments only (at the
    start none). Its optimum is a lower bound for the stage. Its plan's years and hospitals are
    then kept and the months chosen under every limit (the completion). If the completion reaches
    the bound, it is optimal. If it had to leave requirements out, the departments they were
    meant for are added to `enforced` and the stage is tried again. What is left after that is
    solved on the full model, hinted with the best plan, and the relaxation's optimum stays a
    valid bound. Each stage's value is held in every model.
    """

    def __init__(self, full: PlacementModel, quick_plan: dict[RequirementKey, Placement]) -> None:
        """`quick_plan`: the greedy plan the full model starts from; the relaxation starts from it too."""
        self.full = full
        self.quick_plan = quick_plan
        self.settings = full.data.scenario.solver
        self.enforced: set[tuple[str, str]] = set()
        self.holds: list[tuple[str, int]] = []
        self.best_plan: PlacementPlan | None = None
        self.relaxed = self._relaxation()

    def _relaxation(self) -> PlacementModel:
        full = self.full
        relaxed = PlacementModel(full.data, full.propose_places, full.previous, enforced=set(self.enforced))
        relaxed.hint_plan(self.quick_plan if self.best_plan is None else self.best_plan.placed)
        for name, value in self.holds:
            relaxed.model.add(relaxed.objectives.terms[name] <= value)
        return relaxed

    def _solve(
        self, model: cp_model.CpModel, objective: cp_model.LinearExprT, seconds: float, detail: str = ""
    ) -> tuple[str, int, int, cp_model.CpSolver]:
        """One solve: (status, value, bound, solver); a `detail` solve is shown as a part of the stage."""
        model.minimize(objective)
        search = current_run()
        with search.progress.part(detail) if detail else nullcontext():
            status, solver, _ = search.solve(model, self.settings, seconds, FULL_SUBSOLVERS)
        if status == cp_model.INFEASIBLE:
            return "INFEASIBLE", 0, 0, solver
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return "UNKNOWN", 0, 0, solver
        value = round(solver.objective_value)
        bound = min(math.ceil(solver.best_objective_bound - 1e-6), value)
        return ("OPTIMAL" if status == cp_model.OPTIMAL else "FEASIBLE"), value, bound, solver

    @staticmethod
    def _keep_to(target: PlacementModel, relaxed_plan: PlacementPlan) -> cp_model.CpModel:
        """A copy of `target` kept to the relaxed plan's years and hospitals (leaving out allowed)."""
        model = target.model.clone()

        def same(var: cp_model.IntVar) -> cp_model.IntVar:
            return model.get_int_var_from_proto_index(var.index)

        placed = relaxed_plan.placed
        for key, years in target.vars.year.items():
            for year, var in years.items():
                if key not in placed or placed[key][1] // 12 != year:
                    model.add(same(var) == 0)
        for key, sites in target.vars.site.items():
            for (hospital, year), var in sites.items():
                if key not in placed or placed[key][0] != hospital or placed[key][1] // 12 != year:
                    model.add(same(var) == 0)
        counts: dict[tuple[tuple[str, str, int], int, str], int] = defaultdict(int)
        for key, (hospital, start) in placed.items():
            if key not in target.vars.site:
                pool = (target.data.trainees[key[0]].home_area, key[1], target.data.by_key[key].months)
                counts[pool, start // 12, hospital] += 1
        for flow_key, var in target.vars.flow.items():
            model.add(same(var) <= counts.get(flow_key, 0))
        return model

    def _binding_departments(self, relaxed_plan: PlacementPlan, seconds: float) -> set[tuple[str, str]]:
        """Departments whose concurrent_max makes the relaxed plan leave requirements out.

        The relaxed plan is kept to with months chosen under every limit, and as many of its
        requirements placed as possible (earlier stages' holds left out, so this only asks
        where the limits bite).
        """
        unheld = PlacementModel(self.full.data, self.full.propose_places, self.full.previous)
        model = self._keep_to(unheld, relaxed_plan)
        status, _, _, solver = self._solve(
            model, unheld.objectives.terms["unplaced"], seconds, "where concurrent_max binds"
        )
        if status not in ("OPTIMAL", "FEASIBLE"):
            return set()
        return self._departments_of(relaxed_plan, unheld.decode(solver).placed)

    def _departments_of(
        self, relaxed_plan: PlacementPlan, kept: dict[RequirementKey, Placement]
    ) -> set[tuple[str, str]]:
        """Departments with a concurrent_max not yet enforced where the completion left requirements out."""
        return {
            (hospital, key[1])
            for key, (hospital, _) in relaxed_plan.placed.items()
            if key not in kept and (hospital, key[1]) in self.full.vars.crowded
        } - self.enforced

    def _stage(self, name: str, share: float) -> tuple[int, tuple[str, int, int, cp_model.CpSolver] | None]:
        """The relaxation's bound and the best completed plan for one stage."""
        search = current_run()
        started = search.now()
        bound, candidate = 0, None
        while True:
            left = share - (search.now() - started)
            status, _, low_bound, relaxed_solver = self._solve(
                self.relaxed.model,
                self.relaxed.objectives.terms[name],
                left * 0.7,
                f"without concurrent_max at {len(self.full.vars.crowded) - len(self.enforced)} departments",
            )
            if status == "INFEASIBLE":
                raise Infeasible(language._(NO_PLAN))
            if status == "UNKNOWN":
                return bound, candidate
            bound = max(bound, low_bound)
            relaxed_plan = self.relaxed.decode(relaxed_solver)
            completion = self._keep_to(self.full, relaxed_plan)
            search.progress.update(search.now(), bound=bound)
            left = share - (search.now() - started)
            done = self._solve(
                completion, self.full.objectives.terms[name], left * 0.7, "months under every limit"
            )
            binding: set[tuple[str, str]] = set()
            if done[0] in ("OPTIMAL", "FEASIBLE"):
                if candidate is None or done[1] < candidate[1]:
                    candidate = done
                    search.progress.update(search.now(), value=done[1], bound=bound)
                # Requirements the completion left out show where the limits bite (when the
                # earlier stages' holds let it leave any out; otherwise ask separately below).
                kept = self.full.decode(done[3]).placed
                binding = self._departments_of(relaxed_plan, kept)
            if candidate is not None and candidate[1] <= bound:
                return bound, candidate
            if not binding:
                left = share - (search.now() - started)
                binding = self._binding_departments(relaxed_plan, left * 0.5)
            if not binding:
                return bound, candidate
            self.enforced |= binding
            if candidate is not None:  # the completed plan obeys every limit: a good start
                self.best_plan = self.full.decode(candidate[3])
            self.relaxed = self._relaxation()

    def run(
        self, time_limit_s: float, constant: dict[str, int]
    ) -> tuple[list[StageResult], cp_model.CpSolver]:
        search = current_run()
        started = search.now()
        full = self.full
        order = full.order
        stages: list[StageResult] = []
        best: cp_model.CpSolver | None = None
        for index, name in enumerate(order):
            stage_started = search.now()
            if name in constant:
                value = constant[name]
                stages.append(
                    StageResult(objective=name, value=value, bound=value, status="OPTIMAL", seconds=0.0)
                )
                continue
            solved_later = sum(1 for later in order[index:] if later not in constant)
            share = stage_time(time_limit_s - (stage_started - started), solved_later)
            search.progress.start_stage(name, search.now())
            bound, candidate = self._stage(name, share)
            if candidate is None or candidate[1] > bound:
                if candidate is not None:
                    full.hint_all(candidate[3])
                elif best is not None:
                    full.hint_all(best)
                left = share - (search.now() - stage_started)
                direct = self._solve(full.model, full.objectives.terms[name], left)
                if direct[0] == "INFEASIBLE":
                    raise Infeasible(language._(NO_PLAN))
                if direct[0] != "UNKNOWN":
                    bound = max(bound, direct[2])
                    if candidate is None or direct[1] <= candidate[1]:
                        candidate = direct
            if candidate is None and best is None:
                # No plan of the search's own: the quick plan the search started from stands.
                best = starting_plan(full.model, self.settings, full.objectives.terms[name])
            seconds = search.now() - stage_started
            if candidate is None:
                if best is None:
                    raise NoPlanInTime(
                        phrase(
                            N_("no placement plan was found for the {name} stage within the time limit"),
                            name=name,
                        )
                    )
                value = round(best.value(full.objectives.terms[name]))
                result = StageResult(
                    objective=name, value=value, bound=min(bound, value), status="FEASIBLE", seconds=seconds
                )
            else:
                _, value, _, best = candidate
                bound = min(bound, value)
                result = StageResult(
                    objective=name,
                    value=value,
                    bound=bound,
                    status="OPTIMAL" if bound == value else "FEASIBLE",
                    seconds=seconds,
                )
            stages.append(result)
            search.progress.finish_stage(search.now(), result.value, result.bound)
            self.holds.append((name, result.value))
            full.model.add(full.objectives.terms[name] <= result.value)
            self.relaxed.model.add(self.relaxed.objectives.terms[name] <= result.value)
            if best is not None:
                full.hint_all(best)
                self.best_plan = full.decode(best)
                self.relaxed.hint_plan(self.best_plan.placed)
        if best is None:  # every term constant: one plan that obeys the rules
            status, _, _, best = self._solve(full.model, 0, time_limit_s)
            if status == "INFEASIBLE":
                raise Infeasible(language._(NO_PLAN))
            if status == "UNKNOWN":
                raise NoPlanInTime(phrase(N_("no placement plan was found within the time limit")))
        return stages, best


def solve_placements(
    data: PlacementData,
    time_limit_s: float,
    propose_places: bool = False,
    previous: dict[RequirementKey, Placement] | None = None,
    previous_plan: str | None = None,
) -> PlacementSolution:
    """Place every requirement it can, then lower travel, then keep to the previous plan.

    The time limit counts building the model too.
    """
    search = current_run()
    started = search.now()
    model = PlacementModel(data, propose_places, previous)
    return model.solve(time_limit_s - (search.now() - started), previous_plan)
