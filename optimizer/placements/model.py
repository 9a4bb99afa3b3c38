"""The placement CP-SAT model wired together, and its lexicographic solve."""

from __future__ import annotations

import math
from collections import defaultdict
from contextlib import nullcontext
from dataclasses import dataclass
from functools import cached_property

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
from leveransplan.optimizer.placements.constraints import Constraints
from leveransplan.optimizer.placements.greedy import greedy_plan
from leveransplan.optimizer.placements.lp_relaxation import (
    LpRelaxation,
    fix_integral_choices,
    solve_lp_relaxation,
)
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
# towards them for minutes (see docs/solver.md).
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
        """Start the search from a plan given as (hospital, start) per placed requirement."""
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
            stages, found = relax_and_complete.run(left, constant)
            return self.solution(stages, found.model, found.solver, previous_plan)
        staged = solve_in_order(
            self.model,
            self.objectives.terms,
            self.order,
            self.data.scenario.solver,
            time_limit_s - (search.now() - started) - afterwards,
            constant_terms=constant,
            full_subsolvers=FULL_SUBSOLVERS,
        )
        return self.solution(staged.stages, self, staged.solver, previous_plan)

    def solution(
        self,
        stages: list[StageResult],
        solved: PlacementModel,
        solver: cp_model.CpSolver,
        previous_plan: str | None,
    ) -> PlacementSolution:
        """The solution of the cohort from the plan `solver` holds for `solved` (this model, or the
        same cohort narrowed to a plan's years and hospitals: `PlacementData.kept_to`)."""
        plan = solved.decode(solver)
        stages = self._restate_stability(stages, plan)
        if self.propose_places:
            places = {place: solver.value(var) for place, var in solved.vars.places.items()}
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


@dataclass
class Found:
    """A plan of a stage found by one solve: its figures, and the model and solver that hold it."""

    status: str  # OPTIMAL or FEASIBLE, of that solve
    value: int
    bound: int  # of that solve's model, which may be a restriction of the stage
    model: PlacementModel
    solver: cp_model.CpSolver

    @cached_property
    def plan(self) -> PlacementPlan:
        return self.model.decode(self.solver)


class RelaxAndComplete:
    """Each stage solved with concurrent_max only where it binds; the full model only if that falls short.

    concurrent_max makes a trainee's months matter, and with it the model needs month-level
    variables for every trainee who can reach such a department: most of a region's cohort.
    Usually only a few departments' limits actually bind. So each stage is solved first on a
    relaxation that enforces concurrent_max at an `enforced` set of departments only (at the
    start none): its LP first (optimizer.placements.lp_relaxation), whose bound is a lower bound
    for the stage, then the plan that keeps the LP's whole choices. That plan's years and
    hospitals are then kept and the months chosen under every limit, on a model of the cohort
    narrowed to them (the completion, `PlacementData.kept_to`). If the completion reaches the bound, it is
    optimal. If it had to leave requirements out, the departments they were meant for are added
    to `enforced` and the stage is tried again. What is left after that is solved on the full
    model, hinted with the best plan, and the relaxation's bound stays valid. Each stage's value
    is held in every model.
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
            relaxed.model.add(relaxed.objectives.held(name) <= value)
        return relaxed

    def _solve(
        self,
        target: PlacementModel,
        name: str,
        seconds: float,
        detail: str = "",
        good_enough: int | None = None,
    ) -> Found | str:
        """One solve of a stage on `target` (its `model`): what it found, or INFEASIBLE or UNKNOWN.

        A `detail` solve is shown as a part of the stage. `good_enough`: a bound proven elsewhere;
        the solve stops at a plan that reaches it.
        """
        return self._solve_model(target, target.model, name, seconds, detail, good_enough)

    def _solve_model(
        self,
        target: PlacementModel,
        model: cp_model.CpModel,
        name: str,
        seconds: float,
        detail: str = "",
        good_enough: int | None = None,
    ) -> Found | str:
        """As `_solve`, on `model`: `target`'s model or a copy of it with narrower domains."""
        model.minimize(target.objectives.terms[name])
        search = current_run()
        with search.progress.part(detail) if detail else nullcontext():
            status, solver, _ = search.solve(
                model, self.settings, seconds, FULL_SUBSOLVERS, good_enough=good_enough
            )
        if status == cp_model.INFEASIBLE:
            return "INFEASIBLE"
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return "UNKNOWN"
        value = round(solver.objective_value)
        bound = min(math.ceil(solver.best_objective_bound - 1e-6), value)
        return Found("OPTIMAL" if status == cp_model.OPTIMAL else "FEASIBLE", value, bound, target, solver)

    def _lp_bound(self, name: str, seconds: float, detail: str) -> LpRelaxation | None:
        """The LP relaxation of the relaxation's stage (optimizer.placements.lp_relaxation)."""
        search = current_run()
        self.relaxed.model.minimize(self.relaxed.objectives.terms[name])
        # GLOP has no deterministic clock; its result does not depend on time unless it stops.
        with search.progress.part(detail):
            return solve_lp_relaxation(self.relaxed.model, None if search.deterministic else seconds)

    def _solve_relaxed(
        self, name: str, relaxation: LpRelaxation | None, seconds: float, detail: str
    ) -> Found | str:
        """The relaxation's stage, first as the plan that keeps the LP's whole choices.

        When that plan reaches the LP's bound it is optimal; otherwise CP-SAT solves the
        relaxation, starting from that plan, and the LP's bound stays a bound.
        """
        relaxed = self.relaxed
        search = current_run()
        started = search.now()
        if relaxation is not None:
            kept = fix_integral_choices(relaxed.model, relaxation, relaxed.vars.year_and_site_choices())
            found = self._solve_model(relaxed, kept, name, seconds * 0.5, detail, relaxation.bound)
            if isinstance(found, Found):
                if found.value <= relaxation.bound:
                    found.status, found.bound = "OPTIMAL", found.value
                    return found
                hint_solution(relaxed.model, found.solver)
        proven = None if relaxation is None else relaxation.bound
        done = self._solve(relaxed, name, seconds - (search.now() - started), detail, proven)
        if relaxation is not None and isinstance(done, Found):
            done.bound = min(max(done.bound, relaxation.bound), done.value)
            done.status = "OPTIMAL" if done.bound == done.value else done.status
        return done

    def _complete(
        self, name: str, relaxed_plan: PlacementPlan, seconds: float, bound: int, held: bool = True
    ) -> Found | str:
        """The relaxed plan's years and hospitals kept, the months chosen under every limit.

        `bound`: the stage's proven bound, where the completion may stop. `held`: the earlier
        stages' values are held (without, it only asks where limits bite).
        """
        full = self.full
        completion = PlacementModel(
            full.data.kept_to(relaxed_plan.placed), full.propose_places, full.previous
        )
        completion.hint_plan(relaxed_plan.placed)
        for held_name, value in self.holds if held else []:
            completion.model.add(completion.objectives.held(held_name) <= value)
        detail = "months under every limit" if held else "where concurrent_max binds"
        return self._solve(completion, name if held else "unplaced", seconds, detail, bound if held else None)

    def _departments_of(
        self, relaxed_plan: PlacementPlan, kept: dict[RequirementKey, Placement]
    ) -> set[tuple[str, str]]:
        """Departments with a concurrent_max not yet enforced where the completion left requirements out."""
        return {
            (hospital, key[1])
            for key, (hospital, _) in relaxed_plan.placed.items()
            if key not in kept and (hospital, key[1]) in self.full.vars.crowded
        } - self.enforced

    def _stage(self, name: str, share: float) -> tuple[int, Found | None]:
        """The relaxation's bound and the best completed plan for one stage."""
        search = current_run()
        started = search.now()
        bound, candidate = 0, None
        while True:
            relaxed_departments = len(self.full.vars.crowded) - len(self.enforced)
            detail = f"without concurrent_max at {relaxed_departments} departments"
            left = share - (search.now() - started)
            relaxation = self._lp_bound(name, left * 0.3, detail)
            if relaxation is not None:
                bound = max(bound, relaxation.bound)
                search.progress.update(search.now(), bound=bound)
                # A plan under every limit found before already reaches the tighter bound.
                if candidate is not None and candidate.value <= bound:
                    return bound, candidate
            left = share - (search.now() - started)
            relaxed = self._solve_relaxed(name, relaxation, left * 0.7, detail)
            if relaxed == "INFEASIBLE":
                raise Infeasible(language._(NO_PLAN))
            if not isinstance(relaxed, Found):
                return bound, candidate
            bound = max(bound, relaxed.bound)
            search.progress.update(search.now(), bound=bound)
            left = share - (search.now() - started)
            done = self._complete(name, relaxed.plan, left * 0.7, bound)
            binding: set[tuple[str, str]] = set()
            if isinstance(done, Found):
                if candidate is None or done.value < candidate.value:
                    candidate = done
                    search.progress.update(search.now(), value=done.value, bound=bound)
                # Requirements the completion left out show where the limits bite (when the
                # earlier stages' holds let it leave any out; otherwise ask separately below).
                binding = self._departments_of(relaxed.plan, done.plan.placed)
            if candidate is not None and candidate.value <= bound:
                return bound, candidate
            if not binding:
                left = share - (search.now() - started)
                asked = self._complete(name, relaxed.plan, left * 0.5, bound, held=False)
                if isinstance(asked, Found):
                    binding = self._departments_of(relaxed.plan, asked.plan.placed)
            if not binding:
                return bound, candidate
            self.enforced |= binding
            if candidate is not None:  # the completed plan obeys every limit: a good start
                self.best_plan = candidate.plan
            self.relaxed = self._relaxation()

    def _implied(self, name: str, stages: list[StageResult]) -> int | None:
        """A stage's value that the stages before it settle, or None.

        Proposed places are the placements started, so once unplaced is proven the total places
        are the requirements less those unplaced: the stage needs no search.
        """
        unplaced = next((s for s in stages if s.objective == "unplaced"), None)
        if name != "places" or not self.full.propose_places or unplaced is None:
            return None
        if unplaced.status != "OPTIMAL":
            return None
        data = self.full.data
        # A frozen stay at a department without a row starts no proposed place.
        rowless = sum(
            1
            for (_, specialty), (h, start) in data.fixed.items()
            if (h, specialty, start // 12) not in data.capacity
        )
        return len(data.requirements) - unplaced.value - rowless

    def run(self, time_limit_s: float, constant: dict[str, int]) -> tuple[list[StageResult], Found]:
        search = current_run()
        started = search.now()
        full = self.full
        order = full.order
        stages: list[StageResult] = []
        best: Found | None = None
        for index, name in enumerate(order):
            stage_started = search.now()
            implied = constant.get(name, self._implied(name, stages))
            if implied is not None:
                value = implied
                stages.append(
                    StageResult(objective=name, value=value, bound=value, status="OPTIMAL", seconds=0.0)
                )
                continue
            # The first stage (unplaced, the indicator) may take all the time but a reserve for
            # each later stage; later stages share what is left evenly, so that proposing places
            # leaves travel as much as the peak_load stage, which is seldom proven.
            searched = [later for later in order[index:] if later not in constant and later != "places"]
            remaining = time_limit_s - (stage_started - started)
            share = remaining / max(len(searched), 1) if stages else stage_time(remaining, len(searched))
            search.progress.start_stage(name, search.now())
            bound, candidate = self._stage(name, share)
            if candidate is None or candidate.value > bound:
                start_from = candidate or best
                full.hint_plan(self.quick_plan if start_from is None else start_from.plan.placed)
                left = share - (search.now() - stage_started)
                direct = self._solve(full, name, left, good_enough=bound)
                if direct == "INFEASIBLE":
                    raise Infeasible(language._(NO_PLAN))
                if isinstance(direct, Found):
                    bound = max(bound, direct.bound)
                    if candidate is None or direct.value <= candidate.value:
                        candidate = direct
            if candidate is None and best is None:
                # No plan of the search's own: the quick plan the search started from stands,
                # read out of a model of the cohort narrowed to it (the full one is slow to load).
                narrowed = full.data.kept_to(self.quick_plan)
                quick = PlacementModel(narrowed, full.propose_places, full.previous)
                quick.hint_plan(self.quick_plan)
                solver = starting_plan(quick.model, self.settings, quick.objectives.terms[name])
                if solver is not None:
                    value = round(solver.value(quick.objectives.terms[name]))
                    best = Found("FEASIBLE", value, 0, quick, solver)
            seconds = search.now() - stage_started
            if candidate is None:
                if best is None:
                    raise NoPlanInTime(
                        phrase(
                            N_("no placement plan was found for the {name} stage within the time limit"),
                            name=name,
                        )
                    )
                value = round(best.solver.value(best.model.objectives.terms[name]))
                result = StageResult(
                    objective=name, value=value, bound=min(bound, value), status="FEASIBLE", seconds=seconds
                )
            else:
                best, value = candidate, candidate.value
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
            holds = [(name, result.value)]
            if name == "peak_load" and best is not None:
                # Each specialty keeps the load the plan reached: the later stages then choose
                # under fixed caps on every department, the problem the relaxation solves fastest.
                holds += [
                    (Objectives.load_name(specialty), round(best.solver.value(load)))
                    for specialty, load in best.model.objectives.loads.items()
                ]
            for held_name, value in holds:
                self.holds.append((held_name, value))
                full.model.add(full.objectives.held(held_name) <= value)
                self.relaxed.model.add(self.relaxed.objectives.held(held_name) <= value)
            if best is not None:
                self.best_plan = best.plan
                self.relaxed.hint_plan(self.best_plan.placed)
        if best is None:  # every term constant: one plan that obeys the rules
            full.hint_plan(self.quick_plan)
            found = self._solve_model(full, full.model, "unplaced", time_limit_s)
            if found == "INFEASIBLE":
                raise Infeasible(language._(NO_PLAN))
            if not isinstance(found, Found):
                raise NoPlanInTime(phrase(N_("no placement plan was found within the time limit")))
            best = found
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
