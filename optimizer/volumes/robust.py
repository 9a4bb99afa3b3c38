"""A volume plan that holds up when the year does not go to plan (docs/risk.md, "The robust plan").

Sample average approximation: the plan is chosen once, for every one of `samples` sampled futures
(models.uncertainty, drawn from the planning stream so they are never the futures a plan is
judged on), to minimise the mean patient-months beyond the guarantee over them, within the money
the plan may cost. In each future the plan's units are scaled by the hospital's production
factor and the contract's delivery, and the waiting list runs on with the future's inflow:

    y[s,p,m] >= y[s,p,m-1] + inflow[s,p,m] - made[s,p,m](plan),  y >= 0,
    o[s,p,m] >= y[s,p,m] - L[p],  o >= 0,

which the minimisation holds at the played waiting list wherever it counts. The plan itself must
still be a plan of the scenario: capacities, contracts and a waiting list that never goes below
zero in the forecast future.

The categories share only the money, so the model is one LP per category (GLOP) and the money is
priced: each category minimises its mean patient-months plus `price` times its cost, and the price
is the least (found by bisection) at which the categories together keep within the cap. Travel
and referrals out of the region have small prices of their own. The LP's plan is rounded down,
which keeps every limit and never raises the cost; then the units it wanted most are rounded up
while every limit and the money allow.
"""

from __future__ import annotations

import os
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from ortools.linear_solver import pywraplp

from leveransplan.models.derived import VolumeData
from leveransplan.models.evaluation import Decisions, TermValues
from leveransplan.models.plan import RobustRecord, VolumeSolution
from leveransplan.models.scenario import Scenario
from leveransplan.models.uncertainty import (
    PLANNING_STREAM,
    Futures,
    UncertaintyModel,
    draw_futures,
    forecast_inflow,
)
from leveransplan.optimizer.errors import NoPlanInTime

# Sending a patient out of the region is the last means (the care guarantee's rule): each such
# referral weighs a tenth of a patient-month, so the LP takes the region's own options first
# wherever they do nearly as well.
OUT_OF_REGION_PRICE = 0.1
# Travel has a price too: a patient-month beyond the guarantee weighs as much as 1 000 patient-
# minutes of travel. Without it the LP sends patients across the region for the last fraction of
# a patient-month (on the shipped scenario 6.6 million minutes against the forecast plan's 1.1;
# at this price 2.1 million, with the mean over the futures 0.02 % higher).
TRAVEL_PRICE = 1e-3
BISECTION_STEPS = 10
MOST_PRICE = 1.0  # a patient-month per SEK: far above any price the money has in a plan
ROUNDING = 1e-6
# Without a price the LP buys everything that lowers the mean, however little; a price of money as
# small as a patient-month per 10 billion SEK only breaks ties towards the cheaper.
PRICE_FLOOR = 1e-10


@dataclass
class _CategoryLP:
    """One category's LP: its plan variables, its cost expression's coefficients and its objective."""

    category: str
    solver: pywraplp.Solver
    base: dict[tuple[str, str, int], pywraplp.Variable]
    additional: dict[tuple[str, str, int], pywraplp.Variable]
    transfers: dict[tuple[str, str, str, int], pywraplp.Variable]
    referrals: dict[tuple[str, str, int], pywraplp.Variable]
    priced: dict[pywraplp.Variable, float]  # SEK per unit of each variable that costs money
    over: dict[pywraplp.Variable, float]  # the patient-month variables and their weight 1/S
    tie_break: dict[pywraplp.Variable, float]  # out of the region and travel, priced per unit
    backend: str
    limits: list[tuple[list[pywraplp.Variable], float]]  # the plan's rows: a sum at most a bound
    contract_of: dict[pywraplp.Variable, str]  # each referral's contract
    cost: float = 0.0
    solved: bool = False

    def solve(self, price: float) -> float:
        """The LP at this price of money; its cost in SEK."""
        objective = self.solver.Objective()
        for var, weight in self.over.items():
            objective.SetCoefficient(var, weight)
        for var, sek in self.priced.items():
            objective.SetCoefficient(var, price * sek + self.tie_break.get(var, 0.0))
        objective.SetMinimization()
        if self.solved and self.backend == "GLOP":
            # A new price keeps the last plan feasible: primal simplex goes on from its basis.
            self.solver.SetSolverSpecificParametersAsString("use_dual_simplex:false")
        if self.solver.Solve() != pywraplp.Solver.OPTIMAL:
            raise NoPlanInTime(f"the robust LP of {self.category} was not solved")
        self.solved = True
        self.cost = sum(var.solution_value() * sek for var, sek in self.priced.items())
        return self.cost

    def plan_variables(self) -> list[pywraplp.Variable]:
        return [
            *self.base.values(),
            *self.additional.values(),
            *self.transfers.values(),
            *self.referrals.values(),
        ]

    def decisions(self, values: dict[pywraplp.Variable, int]) -> Decisions:
        """The plan of whole `values`."""
        return Decisions(
            {key: values[v] for key, v in self.base.items() if values[v]},
            {key: values[v] for key, v in self.additional.items() if values[v]},
            {key: values[v] for key, v in self.transfers.items() if values[v]},
            {key: values[v] for key, v in self.referrals.items() if values[v]},
        )


def _category_lp(data: VolumeData, k: str, futures: Futures, backend: str) -> _CategoryLP:
    """The SAA LP of category k over the futures (module docstring), solved by `backend`."""
    solver = pywraplp.Solver.CreateSolver(backend)
    solver.SuppressOutput()
    if backend == "GLOP":
        # From scratch the dual simplex is the faster (6 s against 11 s on the shipped scenario).
        solver.SetSolverSpecificParametersAsString("use_dual_simplex:true")
    months = list(data.months)
    first = months[0]
    pair_index = {pair: p for p, pair in enumerate(data.pairs)}
    hospital_index = {h: i for i, h in enumerate(data.hospitals)}
    contract_index = {c: i for i, c in enumerate(data.contracts)}
    patients = [(h, kk) for h, kk in data.pairs if kk == k and data.has_need(h, kk)]
    suppliers = [
        g for g, kk in data.pairs if kk == k and any(data.additional_capacity[g, k, m] for m in months)
    ]
    base, additional, transfers, referrals = {}, {}, {}, {}
    # The plan's own rows, each a sum of plan variables at most a bound, for rounding up (_whole_plan).
    limits: list[tuple[list[pywraplp.Variable], float]] = []

    def at_most(variables: list[pywraplp.Variable], bound: float) -> None:
        solver.Add(solver.Sum(variables) <= bound)
        limits.append((list(variables), bound))

    contract_of: dict[pywraplp.Variable, str] = {}
    priced: dict[pywraplp.Variable, float] = {}
    tie_break: dict[pywraplp.Variable, float] = {}
    # made[p][m]: (variable, the hospital whose factor scales it, or the contract whose delivery does)
    made: dict[tuple[str, int], list[tuple[pywraplp.Variable, int, int]]] = defaultdict(list)
    receiving: dict[tuple[str, int], list[pywraplp.Variable]] = defaultdict(list)
    for h, _k in patients:
        total = data.waiting[h, k] + data.inflow_total[h, k]
        for m in months:
            if (cap := min(data.base_capacity[h, k, m], total)) > 0:
                var = base[h, k, m] = solver.NumVar(0, cap, "")
                made[h, m].append((var, hospital_index[h], -1))
            if (cap := min(data.additional_capacity[h, k, m], total)) > 0:
                var = additional[h, k, m] = solver.NumVar(0, cap, "")
                priced[var] = data.additional_price(h, k)
                made[h, m].append((var, hospital_index[h], -1))
                receiving[h, m].append(var)
            for g in suppliers:
                cap = min(data.additional_capacity[g, k, m], total)
                if g != h and cap > 0 and data.allowed(h, g):
                    var = transfers[h, g, k, m] = solver.NumVar(0, cap, "")
                    priced[var] = data.additional_price(g, k)
                    tie_break[var] = TRAVEL_PRICE * data.travel_minutes(h, g)
                    made[h, m].append((var, hospital_index[g], -1))
                    receiving[g, m].append(var)
    for c, contract in data.contracts.items():
        if contract.category != k:
            continue
        limit = (
            contract.volume_max
            if contract.monthly_max is None
            else min(contract.volume_max, contract.monthly_max)
        )
        used = []
        by_month: dict[int, list[pywraplp.Variable]] = defaultdict(list)
        producer = hospital_index[data.catch_up[c]] if c in data.catch_up else -1
        for h, _k in patients:
            if not data.allowed(h, contract.provider):
                continue
            cap = min(limit, data.waiting[h, k] + data.inflow_total[h, k])
            for m in data.contract_months[c]:
                if cap > 0:
                    var = referrals[h, c, m] = solver.NumVar(0, cap, "")
                    priced[var] = contract.price_sek
                    tie_break[var] = TRAVEL_PRICE * data.travel_minutes(h, contract.provider) + (
                        OUT_OF_REGION_PRICE if contract.out_of_region else 0.0
                    )
                    made[h, m].append((var, producer, contract_index[c]))
                    contract_of[var] = c
                    used.append(var)
                    by_month[m].append(var)
        if used:
            at_most(used, contract.volume_max)
        if contract.monthly_max is not None:
            for vars_ in by_month.values():
                at_most(vars_, contract.monthly_max)
        if contract.volume_min:
            slack = solver.NumVar(0, contract.volume_min, "")
            solver.Add(slack + solver.Sum(used) >= contract.volume_min)
            priced[slack] = contract.price_sek
    for g in suppliers:
        for m in months:
            if receiving[g, m]:
                at_most(receiving[g, m], data.additional_capacity[g, k, m])
    over: dict[pywraplp.Variable, float] = {}
    samples = futures.samples
    for h, _k in patients:
        p = pair_index[h, k]
        # The forecast future: the waiting list never below zero.
        level = data.waiting[h, k]
        leaving: list[pywraplp.Variable] = []
        for m in months:
            level += data.inflow[h, k, m]
            leaving += [var for var, _g, _c in made[h, m]]
            at_most(leaving, level)
        limit = data.limit[h, k]
        # Each unit's factor in every future: [samples, units] per month.
        factors = {
            m: np.array(
                [
                    futures.production[:, hospital, m - first]
                    if hospital >= 0
                    else futures.delivered[:, contract_at, m - first]
                    for _var, hospital, contract_at in made[h, m]
                ]
            ).T.tolist()
            for m in months
        }
        inflow = futures.inflow[:, p, :].tolist()
        infinity = solver.infinity()
        for s in range(samples):
            previous = None
            for m in months:
                col = m - first
                y = solver.NumVar(0, infinity, "")
                # y + made - previous >= inflow (+ the waiting list in the first month)
                row = solver.Constraint(
                    inflow[s][col] + (data.waiting[h, k] if previous is None else 0), infinity
                )
                row.SetCoefficient(y, 1)
                if previous is not None:
                    row.SetCoefficient(previous, -1)
                if made[h, m]:
                    for (var, _hospital, _contract), factor in zip(made[h, m], factors[m][s], strict=True):
                        row.SetCoefficient(var, factor)
                o = solver.NumVar(0, infinity, "")
                beyond = solver.Constraint(-limit, infinity)  # o - y >= -L
                beyond.SetCoefficient(o, 1)
                beyond.SetCoefficient(y, -1)
                over[o] = 1.0 / samples
                previous = y
    return _CategoryLP(
        k,
        solver,
        base,
        additional,
        transfers,
        referrals,
        priced,
        over,
        tie_break,
        backend,
        limits,
        contract_of,
    )


@dataclass(frozen=True)
class RobustResult:
    decisions: Decisions
    price: float  # patient-months per SEK the money cap is priced at (0: the cap does not bind)
    lp_cost: float  # the LP's cost before rounding


def solve_robust(
    data: VolumeData, futures: Futures, money_cap: int | None, backend: str = "GLOP", threads: int = 1
) -> RobustResult:
    """The SAA plan within `money_cap` SEK (None: no cap); `backend`: the LP solver as pywraplp
    names it (GLOP; HiGHS in the benchmark's comparison). The categories' LPs are solved in
    `threads` threads; each LP is solved alone, so the plan does not depend on how many."""
    lps = [_category_lp(data, k, futures, backend) for k in data.categories]
    pool = ThreadPoolExecutor(max_workers=max(1, threads))

    def cost_at(price: float) -> float:
        return sum(pool.map(lambda lp: lp.solve(price), lps))

    low = PRICE_FLOOR
    price = low
    cost = cost_at(low)
    if money_cap is not None and cost > money_cap:
        # A bracket of one decade, [low, high], the cost above the money at low and within at high;
        # then bisection in log scale, to a price within 0.2 % (rounding up spends what is left).
        high = 1e-6
        while cost_at(high) > money_cap:
            if high > MOST_PRICE:
                raise NoPlanInTime("the robust LP does not keep within the money at any price")
            low, high = high, high * 10
        for _step in range(BISECTION_STEPS):
            middle = (low * high) ** 0.5
            if cost_at(middle) > money_cap:
                low = middle
            else:
                high = middle
        price = high
        cost = cost_at(high)
    pool.shutdown()
    return RobustResult(_whole_plan(data, lps, money_cap), price, cost)


def _whole_plan(
    data: VolumeData, lps: list[_CategoryLP], money_cap: int | None, tolerance: float = ROUNDING
) -> Decisions:
    """The LP's plan in whole units: rounded down (a value within ROUNDING below a whole unit is
    that unit: the simplex's 49.9999999 is 50), then the units the LP wanted most, the largest
    fractions first, rounded up as long as every row of the plan and the money allow. A unit more
    never leaves a future with more patients waiting."""
    values: dict[pywraplp.Variable, int] = {}
    rows: list[list[float]] = []  # [activity, bound] of each plan row
    rows_of: dict[pywraplp.Variable, list[int]] = defaultdict(list)
    price: dict[pywraplp.Variable, float] = {}
    contract_of: dict[pywraplp.Variable, str] = {}
    fractions: list[tuple[float, int, pywraplp.Variable]] = []
    for lp in lps:
        for var in lp.plan_variables():
            value = var.solution_value()
            values[var] = int(np.floor(value + tolerance))
            if value - values[var] > ROUNDING:
                fractions.append((value - values[var], len(fractions), var))
        price.update((var, sek) for var, sek in lp.priced.items() if var in values)
        contract_of.update(lp.contract_of)
        for variables, bound in lp.limits:
            for var in variables:
                rows_of[var].append(len(rows))
            rows.append([sum(values[var] for var in variables), bound])
    used: dict[str, int] = defaultdict(int)
    for var, c in contract_of.items():
        used[c] += values[var]
    money = sum(values[var] * sek for var, sek in price.items()) + sum(
        max(0, contract.volume_min - used[c]) * contract.price_sek for c, contract in data.contracts.items()
    )
    if money_cap is not None and money > money_cap and tolerance:
        # The tolerance rounded up past the money: whole units strictly below the LP's values
        # cost at most what the LP's plan costs, which is within the money.
        return _whole_plan(data, lps, money_cap, 0.0)
    for _fraction, _order, var in sorted(fractions, key=lambda f: (-f[0], f[1])):
        if values[var] + 1 > var.ub() + ROUNDING:
            continue
        if any(rows[r][0] + 1 > rows[r][1] + ROUNDING for r in rows_of[var]):
            continue
        code = contract_of.get(var)
        # A referral within the contract's take-or-pay minimum is paid already.
        extra = (
            0.0 if code is not None and used[code] < data.contracts[code].volume_min else price.get(var, 0.0)
        )
        if money_cap is not None and money + extra > money_cap:
            continue
        values[var] += 1
        money += extra
        for r in rows_of[var]:
            rows[r][0] += 1
        if code is not None:
            used[code] += 1
    plan = Decisions()
    for lp in lps:
        part = lp.decisions(values)
        plan.base_used.update(part.base_used)
        plan.additional_own.update(part.additional_own)
        plan.transfers.update(part.transfers)
        plan.referrals.update(part.referrals)
    return plan


def planning_futures(data: VolumeData, samples: int, seed: int) -> Futures:
    """The futures a robust plan is made against: the planning stream of `seed`, never risk's."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, PLANNING_STREAM]))
    return draw_futures(forecast_inflow(data), UncertaintyModel.of(data), samples, rng)


def robust_plan(scenario: Scenario, forecast: VolumeSolution, samples: int) -> VolumeSolution:
    """The robust plan that replaces `forecast` (the plan made at forecast inflow): at most its
    cost, or the budget where that is lower."""
    data = VolumeData.from_scenario(scenario)
    cost = forecast.values.term("cost")
    cap = cost if scenario.max_cost_sek is None else min(cost, scenario.max_cost_sek)
    seed = scenario.solver.seed
    threads = scenario.solver.workers or os.cpu_count() or 1
    result = solve_robust(data, planning_futures(data, samples, seed), cap, threads=threads)
    record = RobustRecord(
        samples=samples,
        seed=seed,
        money_cap_sek=cap,
        forecast_over_guarantee=forecast.values.over_guarantee(),
        forecast_cost_sek=cost,
        price_per_msek=0.0 if result.price <= PRICE_FLOOR else result.price * 1e6,
    )
    return VolumeSolution(result.decisions, [], TermValues(data, result.decisions), robust=record)
