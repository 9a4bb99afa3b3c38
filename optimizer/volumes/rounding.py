"""The LP's mix of columns rounded to a whole plan.

Each category takes its column of largest LP weight, or where the LP split its weight between
columns (in a basic solution at most one category per linking row) a whole flow within one unit
of the mix. When that rounding breaks a linking rule, a dive fixes the categories one at a time
with the LP solved again in between, and a switch from the current plan takes the best column of
each category that keeps every rule. CP-SAT then chooses the best combination of the columns
generated. (When the rounding still breaks an equity cap, optimizer/volumes/columns.py's
with_margin runs the generation again with every cap lowered: its bound is then not the stage's.)
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
from ortools.sat.python import cp_model

from leveransplan.models.scenario import SolverSettings
from leveransplan.optimizer.search import current_run
from leveransplan.optimizer.volumes.decomposition import Column, ColumnsResult, Decomposition
from leveransplan.optimizer.volumes.master import MasterSolution, solve_master
from leveransplan.optimizer.volumes.mip import NotLinear, solve_as_mip
from leveransplan.optimizer.volumes.pricing import NetworkPricer, price

# How many of a category's columns, by their LP weight, a dive (dived) tries before pricing new
# ones, how often it prices them for one category, and how often it frees a category it fixed.
_DIVE_TRIES = 3
_DIVE_PRICINGS = 3
_DIVE_BACKTRACKS = 10


def near_the_mix(problem: Decomposition, category: str, share: list[float]) -> Column | None:
    """A whole plan within one unit, on every arc, of the LP's mix of the category's columns,
    the cheapest at the last round's prices; it joins the columns."""
    network = problem.flows[category]
    columns = problem.columns[category]
    # Only the columns the mix uses: the ones added after the LP have no share.
    mix = sum(w * c.arcs.astype(float) for w, c in zip(share, columns, strict=False))
    cost = problem.priced.get(category)
    if cost is None or not isinstance(mix, np.ndarray):
        return None
    arcs = network.rounded(mix, cost)
    if arcs is None:
        return None
    column = problem.column_of(category, network.over_by_hospital(arcs), arcs)
    columns.append(column)
    return column


def rounded_mix(
    problem: Decomposition, shares: dict[str, list[float]], bound: int | None, rounds: int
) -> ColumnsResult:
    """Each category's column of largest LP weight (the others keep the current plan); the
    categories the LP split are `mixed`."""
    mixed = []
    for k in problem.categories:
        share = shares[k]
        problem.chosen[k] = int(np.argmax(share))
        if sum(1 for s in share if s > 1e-6) > 1:
            mixed.append(k)
            if near_the_mix(problem, k, share) is not None:
                problem.chosen[k] = len(problem.columns[k]) - 1
    return result_of(problem, dict(problem.chosen), mixed, shares, bound, rounds)


def result_of(
    problem: Decomposition,
    chosen: dict[str, int],
    mixed: list[str],
    shares: dict[str, list[float]],
    bound: int | None,
    rounds: int,
) -> ColumnsResult:
    """The plan of one column per category (`chosen`), with its value and whether it obeys every
    linking rule, in exact integer arithmetic."""
    data = problem.data
    linking = problem.linking
    decisions = problem.current.copy()
    decisions.replace({k: problem.columns[k][chosen[k]].decisions() for k in problem.categories}, data)
    over = problem.outside.copy()
    totals = dict.fromkeys(problem.terms, 0)
    for k in problem.categories:
        column = problem.columns[k][chosen[k]]
        over += column.over
        for t in problem.terms:
            totals[t] += column.values[t]
    equity = max((-(-1000 * int(over[i]) // int(problem.inflow[i])) for i in problem.counted), default=0)
    obeys = all(totals[t] <= value for t, value in linking.held.items())
    if linking.equity is not None:
        obeys = obeys and equity <= linking.equity
    value = equity if linking.objective is None else totals[linking.objective]
    proven = 0 if bound is None else bound
    return ColumnsResult(
        decisions,
        value,
        min(proven, value) if obeys else proven,
        obeys,
        mixed,
        rounds,
        shares,
        problem,
        chosen=chosen,
    )


def switched(problem: Decomposition, rounded: ColumnsResult) -> ColumnsResult | None:
    """From the current plan (column 0 everywhere, which obeys every linking rule), switch one
    category at a time to the column that lowers the objective most while every linking rule
    still holds; the rounded plan's column first. A plan that obeys the rules, when the LP's
    rounding does not (its rows are tight: the held terms at their optimum)."""
    linking = problem.linking
    objective = linking.objective
    if objective is None:
        return None
    choice = dict.fromkeys(problem.categories, 0)
    over = sum((problem.columns[k][0].over for k in problem.categories), np.zeros_like(problem.outside))
    held = {t: sum(problem.columns[k][0].values[t] for k in problem.categories) for t in linking.held}
    caps = (
        np.array(
            [problem.cap(i) if i in problem.counted else np.iinfo(np.int64).max for i in range(len(over))]
        )
        if linking.equity is not None
        else None
    )
    improved = True
    while improved:
        improved = False
        for k in problem.categories:
            columns = problem.columns[k]
            now = columns[choice[k]]
            order = sorted(
                range(len(columns)), key=lambda j: (j != problem.chosen.get(k), columns[j].values[objective])
            )
            for j in order:
                candidate = columns[j]
                if candidate.values[objective] >= now.values[objective]:
                    continue
                new_over = over - now.over + candidate.over
                if caps is not None and np.any(new_over > caps):
                    continue
                new_held = {t: held[t] - now.values[t] + candidate.values[t] for t in held}
                if any(new_held[t] > linking.held[t] for t in held):
                    continue
                choice[k], over, held, now = j, new_over, new_held, candidate
                improved = True
                break
    decisions = problem.current.copy()
    decisions.replace({k: problem.columns[k][j].decisions() for k, j in choice.items() if j}, problem.data)
    value = sum(problem.columns[k][j].values[objective] for k, j in choice.items())
    problem.chosen = choice
    return ColumnsResult(
        decisions,
        value,
        min(rounded.bound, value),
        True,
        rounded.mixed,
        rounded.rounds,
        rounded.shares,
        problem,
        chosen=dict(choice),
    )


def dived(
    problem: Decomposition,
    rounded: ColumnsResult,
    pricer: NetworkPricer,
    seconds: float,
    clock: Callable[[], float] = time.perf_counter,
) -> ColumnsResult | None:
    """A whole plan within every linking rule from the LP, one category at a time: fix the
    category whose mix is nearest to one column (to its plan nearest the mix, else to its
    columns by weight), solve the LP again so that the categories still free make up for the
    rounding, and when no column of it leaves the LP feasible, price the free categories at the
    LP's prices for new columns (at most _DIVE_PRICINGS times for a category).

    When a category cannot be fixed so, or time is up, the categories still free (the result's
    `mixed`) take their column of largest weight: the plan may then break a linking rule, and
    the driver settles those categories by CP-SAT with every other one fixed at its column.
    None when GLOP fails.

    Why: each category's own rounding is close to its mix, but the rows are tight: on large
    instances the separate roundings put many hospitals above their equity caps together, and
    no combination of whole columns the LP had was better than the plan it started from."""
    # On the run's clock: in deterministic mode it stands still outside CP-SAT, and the dive
    # ends by its own count of pricings instead.
    deadline = clock() + seconds
    columns = problem.columns
    free: list[str] = []
    working = {k: list(cs) for k, cs in columns.items()}
    problem.columns = working
    choice: dict[str, Column] = {}
    # Each category's columns before it was fixed, and the categories fixed in turn (the last
    # one is freed again when the next cannot be fixed: at most _DIVE_BACKTRACKS times).
    unfixed: dict[str, list[Column]] = {}
    fixed_in_turn: list[str] = []
    backtracks = 0
    first: str | None = None
    try:
        master = solve_master(problem)
        while master is not None and clock() < deadline:
            shares = master.shares
            for k in problem.categories:
                if k not in choice and sum(1 for w in shares[k] if w > 1e-6) == 1:
                    choice[k] = working[k][int(np.argmax(shares[k]))]
                    working[k] = [choice[k]]
            free = [k for k in problem.categories if k not in choice]
            if not free:
                break
            category = first if first in free else max(free, key=lambda k: max(shares[k]))
            first = None
            unfixed[category] = working[category]
            fixed = _fix_one(problem, category, shares[category], choice, pricer, (clock, deadline), master)
            if fixed is not None:
                fixed_in_turn.append(category)
                master = fixed
                continue
            if not fixed_in_turn or backtracks >= _DIVE_BACKTRACKS:
                break
            # Free the category fixed last, and fix this one before it.
            backtracks += 1
            last = fixed_in_turn.pop()
            working[last] = unfixed[last]
            del choice[last]
            first = category
            master = solve_master(problem)
        if master is None:
            return None
        free = [k for k in problem.categories if k not in choice]
        # The categories left free take their column of largest weight.
        for k in free:
            choice[k] = working[k][int(np.argmax(master.shares[k]))]
    finally:
        # The columns chosen, and those priced for the categories left free, join the columns.
        for k, cs in working.items():
            if k in free or k not in choice:
                columns[k] = cs
            elif all(choice[k] is not c for c in columns[k]):
                columns[k].append(choice[k])
        problem.columns = columns
    chosen = {k: next(j for j, c in enumerate(columns[k]) if c is choice[k]) for k in problem.categories}
    return result_of(problem, chosen, free, rounded.shares, rounded.bound, rounded.rounds)


def _fix_one(
    problem: Decomposition,
    category: str,
    share: list[float],
    choice: dict[str, Column],
    pricer: NetworkPricer,
    deadline: tuple[Callable[[], float], float],
    master: MasterSolution,
) -> MasterSolution | None:
    """Fix `category` to one column that leaves the LP feasible; the LP then, or None."""
    working = problem.columns
    clock, until = deadline
    for _ in range(_DIVE_PRICINGS + 1):
        if clock() >= until:
            return None
        all_columns = working[category]
        near = near_the_mix(problem, category, share)
        by_weight = sorted(range(len(share)), key=lambda j: -share[j])[:_DIVE_TRIES]
        for column in [*([near] if near is not None else []), *(all_columns[j] for j in by_weight)]:
            working[category] = [column]
            fixed = solve_master(problem)
            if fixed is not None:
                choice[category] = column
                return fixed
        working[category] = all_columns
        # No column of it fits with the others as fixed: new columns for the free categories.
        free = [k for k in problem.categories if k not in choice]
        everyone = problem.categories
        problem.categories = free
        try:
            entered, _ = price(problem, pricer, master.prices, master.convexity, prove=False)
        finally:
            problem.categories = everyone
        if not entered:
            return None
        refreshed = solve_master(problem)
        if refreshed is None:
            return None
        master, share = refreshed, refreshed.shares[category]
    return None


def best_combination(
    problem: Decomposition, rounded: ColumnsResult, seconds: float, settings: SolverSettings
) -> ColumnsResult | None:
    """The best choice of one generated column per category (CP-SAT on a small model: one
    Boolean per column), when it beats the LP's rounding; None when it does not or finds none."""
    linking = problem.linking
    model = cp_model.CpModel()
    chosen = {
        k: [model.new_bool_var(f"y[{k},{j}]") for j in range(len(columns))]
        for k, columns in problem.columns.items()
    }
    for ys in chosen.values():
        model.add_exactly_one(ys)

    def total_over(i: int) -> cp_model.LinearExprT:
        return int(problem.outside[i]) + sum(
            int(c.over[i]) * y
            for k, columns in problem.columns.items()
            for c, y in zip(columns, chosen[k], strict=True)
        )

    def total_term(term: str) -> cp_model.LinearExprT:
        return sum(
            c.values[term] * y
            for k, columns in problem.columns.items()
            for c, y in zip(columns, chosen[k], strict=True)
        )

    for term, value in linking.held.items():
        model.add(total_term(term) <= value)
    objective: cp_model.LinearExprT
    if linking.objective is None:
        # The start (column 0 where the rounding breaks a linking row) must lie in the domain.
        start_over = problem.outside + sum(
            (columns[0].over for columns in problem.columns.values()), np.zeros_like(problem.outside)
        )
        start_equity = max(
            (-(-1000 * int(start_over[i]) // int(problem.inflow[i])) for i in problem.counted), default=0
        )
        top = max(rounded.value, rounded.bound, start_equity)
        equity = model.new_int_var(rounded.bound, top, "equity")
        for i in problem.counted:
            model.add(1000 * total_over(i) <= equity * int(problem.inflow[i]))
        objective = equity
    else:
        if linking.equity is not None:
            for i in problem.counted:
                model.add(total_over(i) - int(problem.outside[i]) <= problem.cap(i))
        objective = total_term(linking.objective)
        model.add(objective >= rounded.bound)
    model.minimize(objective)
    for k, ys in chosen.items():
        # The rounded plan, or when it breaks a linking rule the current plan (column 0), which
        # obeys them all.
        start = problem.chosen[k] if rounded.obeys_linking else 0  # column 0: the current plan
        for j, y in enumerate(ys):
            model.add_hint(y, j == start)
    picked = _combination(model, objective, chosen, seconds, settings)
    if picked is None:
        return None
    value = (
        sum(problem.columns[k][j].values[linking.objective] for k, j in picked.items())
        if linking.objective is not None
        else _equity_of(problem, picked)
    )
    if rounded.obeys_linking and value >= rounded.value:
        return None
    decisions = problem.current.copy()
    decisions.replace({k: problem.columns[k][j].decisions() for k, j in picked.items()}, problem.data)
    mixed = [k for k in rounded.mixed]
    return ColumnsResult(
        decisions, value, min(rounded.bound, value), True, mixed, rounded.rounds, rounded.shares, problem
    )


def _combination(
    model: cp_model.CpModel,
    objective: cp_model.LinearExprT,
    chosen: dict[str, list[cp_model.IntVar]],
    seconds: float,
    settings: SolverSettings,
) -> dict[str, int] | None:
    """The column each category takes in the best combination found, or None.

    By HiGHS when the run is not deterministic: the rows are the money and the held terms to
    the last SEK over a few hundred 0/1 choices, where CP-SAT's own neighbourhood searches
    reported plans their model then refused (its log: "Infeasible LNS solution")."""
    run = current_run()
    if not run.deterministic:
        try:
            status, _bound, values = solve_as_mip(model, objective, settings, max(seconds, 0.05))
        except NotLinear:
            values = None
        else:
            if values is None:
                return None
            return {k: next(j for j, y in enumerate(ys) if values[y.index]) for k, ys in chosen.items()}
    model.minimize(objective)
    status, solver, _seconds = run.solve(model, settings, max(seconds, 0.05))
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return {k: next(j for j, y in enumerate(ys) if solver.boolean_value(y)) for k, ys in chosen.items()}


def _equity_of(problem: Decomposition, picked: dict[str, int]) -> int:
    """max_h ceil(1000 X_h / I_h) of the plan of the columns `picked`."""
    over = problem.outside + sum(
        (problem.columns[k][j].over for k, j in picked.items()), np.zeros_like(problem.outside)
    )
    return max((-(-1000 * int(over[i]) // int(problem.inflow[i])) for i in problem.counted), default=0)
