"""The efficient frontier: the least patient-months beyond the guarantee within each of a row of budgets.

The curve runs from the least possible cost to the cost of the unconstrained optimum:

- The least cost is what every plan pays anyway, the contracts' take-or-pay minimums: any plan
  pays each minimum, used or not, and nothing costs less than 0, while the plan that uses base
  units only (`greedy_base_plan`) pays exactly that. So it needs no solve.
- The unconstrained optimum is over_guarantee, then cost, without a budget: its cost is where
  more money buys nothing. Both stages separate by category, so this solve takes seconds.

Between them the budgets are evenly spaced in whole SEK, both ends included; a scenario's own
[budget] inside the span is solved as one more point. At each budget the volume model minimises
over_guarantee alone with `max_cost_sek` set to it. The ends are solved first, then the budgets
in between, cheapest first; each solve gets an equal share of the time still left, so a point
that finishes early leaves its time to the ones after it.

Two facts make the curve tighter than its solves alone: a plan within a budget is within every
larger one, and a bound proven within a budget holds within every smaller one (a smaller budget
allows fewer plans). So each point keeps the best plan found at its budget or below, and the best
bound proven at its budget or above. A point whose solve the time limit stopped may thereby still
be proven, and the curve never rises with the budget.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from leveransplan.models.derived import VolumeData
from leveransplan.models.evaluation import Decisions, TermValues
from leveransplan.models.frontier import LEAST_COST, SCENARIO_BUDGET, UNCONSTRAINED, Frontier, FrontierPoint
from leveransplan.models.language import _
from leveransplan.models.numbers import grouped
from leveransplan.models.plan import VolumeSolution
from leveransplan.models.scenario import Scenario
from leveransplan.optimizer.errors import NoPlanInTime
from leveransplan.optimizer.search import current_run, current_run_or_none, search_run
from leveransplan.optimizer.volumes.driver import greedy_base_plan, solve_volumes

# The least and most points a frontier takes: its two ends, and a bound on how many solves one
# command may queue up.
MIN_POINTS = 2
MAX_POINTS = 1000
# However little time is left, each solve gets this much (it returns its starting plan if need be).
_LEAST_SHARE_S = 0.05


def least_cost(data: VolumeData) -> int:
    """The least cost of any plan: the take-or-pay minimums (see the module docstring)."""
    return TermValues(data, greedy_base_plan(data)).term("cost")


def even_budgets(least: int, most: int, count: int) -> list[int]:
    """`count` budgets from `least` to `most`, evenly spaced and rounded to whole SEK (half up).

    When the span holds fewer whole SEK than points, budgets that round to the same SEK are one.
    """
    if count < MIN_POINTS:
        raise ValueError(f"count {count} < {MIN_POINTS}")
    span, steps = most - least, count - 1
    budgets = [least + (2 * i * span + steps) // (2 * steps) for i in range(count)]
    return sorted(set(budgets))


def within_budget(
    scenario: Scenario,
    budget: int | None,
    order: Sequence[str],
    seconds: float,
    previous: Decisions | None = None,
    frozen_until: int | None = None,
) -> VolumeSolution:
    """The volume plan of `scenario` for the objective `order` with `max_cost_sek = budget`,
    solved within `seconds` on the run's clock."""
    settings = scenario.solver.model_copy(update={"time_limit_s": max(seconds, _LEAST_SHARE_S)})
    objective = scenario.objective.model_copy(update={"volumes": tuple(order)})
    changed = scenario.model_copy(update={"max_cost_sek": budget, "objective": objective, "solver": settings})
    return solve_volumes(changed, previous, frozen_until)


@dataclass
class _Solved:
    """One budget's own solve, before the curve is tightened."""

    budget: int
    value: int
    bound: int
    seconds: float
    decisions: Decisions


class _Clock:
    """The time left of the whole frontier, shared evenly among the solves still to come."""

    def __init__(self, limit: float) -> None:
        self.run = current_run()
        self.started = self.run.now()
        self.limit = limit

    def share(self, solves_left: int) -> float:
        left = self.limit - (self.run.now() - self.started)
        return max(left / max(solves_left, 1), _LEAST_SHARE_S)


def solve_frontier(scenario: Scenario, points: int) -> Frontier:
    """The frontier of `scenario` at `points` evenly spaced budgets (see the module docstring).

    The whole frontier keeps within `scenario.solver.time_limit_s` on the run's clock (opened
    here when the caller has none).
    """
    if not MIN_POINTS <= points <= MAX_POINTS:
        raise ValueError(f"points {points} not in {MIN_POINTS}..{MAX_POINTS}")
    if current_run_or_none() is None:
        with search_run(scenario.solver.deterministic):
            return solve_frontier(scenario, points)
    run = current_run()
    clock = _Clock(scenario.solver.time_limit_s)
    data = VolumeData.from_scenario(scenario)
    least = least_cost(data)
    # The unconstrained end first: without it the span of budgets is unknown. Its share assumes
    # every point needs a solve; it takes seconds, and what it leaves goes to the others.
    run.progress.start_model(_("frontier: unconstrained"), run.now())
    top = within_budget(scenario, None, ("over_guarantee", "cost"), clock.share(points))
    most = top.values.term("cost")
    stage = top.stage("over_guarantee")
    unconstrained = _Solved(
        most, top.values.over_guarantee(), stage.bound, sum(s.seconds for s in top.stages), top.decisions
    )
    budgets = even_budgets(least, most, points) if most > least else [least]
    own = scenario.max_cost_sek
    if own is not None and least < own < most and own not in budgets:
        budgets = sorted([*budgets, own])
    # The cheapest end next, then the budgets between, cheapest first.
    queue = [b for b in budgets if b != most]
    solved: dict[int, _Solved] = {most: unconstrained}
    for done, budget in enumerate(queue):
        run.progress.start_model(_("frontier: budget {amount} SEK").format(amount=grouped(budget)), run.now())
        solved[budget] = _solve_point(scenario, data, budget, clock.share(len(queue) - done))
    return Frontier(
        scenario=scenario.name,
        points=_tightened(data, [solved[b] for b in budgets], least, most, own),
        least_cost_sek=least,
        unconstrained_cost_sek=most,
        scenario_budget_sek=own,
        points_asked=points,
    )


def _solve_point(scenario: Scenario, data: VolumeData, budget: int, seconds: float) -> _Solved:
    """over_guarantee alone within `budget`; without a plan in time, the base-units plan (always
    within any budget of at least the least cost) with the trivial bound 0."""
    try:
        solution = within_budget(scenario, budget, ("over_guarantee",), seconds)
    except NoPlanInTime:
        plan = greedy_base_plan(data)
        return _Solved(budget, TermValues(data, plan).over_guarantee(), 0, seconds, plan)
    stage = solution.stage("over_guarantee")
    return _Solved(budget, solution.values.over_guarantee(), stage.bound, stage.seconds, solution.decisions)


def _tightened(
    data: VolumeData, solved: list[_Solved], least: int, most: int, own: int | None
) -> list[FrontierPoint]:
    """The points ascending in budget, each with the best plan found at its budget or below and
    the best bound proven at its budget or above (see the module docstring)."""
    bounds = [s.bound for s in solved]
    for i in range(len(solved) - 2, -1, -1):
        bounds[i] = max(bounds[i], bounds[i + 1])
    points: list[FrontierPoint] = []
    best: _Solved | None = None
    for s, bound in zip(solved, bounds, strict=True):
        if best is None or s.value < best.value:
            best = s
        cost = TermValues(data, best.decisions).term("cost")
        if cost > s.budget:
            raise ValueError(f"the plan of budget {s.budget} costs {cost}")  # a solver defect
        marks = [
            mark
            for mark, at in ((LEAST_COST, least), (SCENARIO_BUDGET, own), (UNCONSTRAINED, most))
            if at == s.budget
        ]
        points.append(
            FrontierPoint(
                budget_sek=s.budget,
                over_guarantee=best.value,
                bound=min(bound, best.value),
                seconds=round(s.seconds, 3),
                cost_sek=cost,
                decisions=best.decisions,
                marks=tuple(marks),
            )
        )
    return points
