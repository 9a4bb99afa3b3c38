"""The volume formulation of spec sections 3-4 as one MILP, solved lexicographically by HiGHS.

The comparison side of the volume benchmark: the same rules and terms the CP-SAT model has, on
the same variables (only those that can be non-zero, with the same implied bounds), each term
minimised in the scenario's order and then held at the value reached with `<=`, the next stage
started from the last plan. Every variable is an integer, as in the spec; the gap limits are
set so that HiGHS stops only at a proven optimum of an integer objective (absolute gap below 1)
or at the time limit. The whole scenario is one model (no decomposition by category).

It runs in a process of its own: the highspy and ortools wheels each bundle HiGHS, and the
issue reports that they cannot both be loaded into one process (highspy 1.16 with ortools 9.15
import together, but the benchmark does not rely on it). So nothing here imports `optimizer`;
the scenario is read with `inputs` and the terms recomputed exactly with `models`.

    python benchmarks/highs_volumes.py [SCENARIO] [--time-limit S] [--threads N] [--json]
        [--check] [--order TERM,TERM] [--at-most TERM=VALUE ...]

SCENARIO is a scenario folder (default: the shipped VGR 2026 one) or a JSON file holding
`Scenario.model_dump_json()`. --time-limit is for all stages together (default: the
scenario's), shared the way the CP-SAT driver shares it: each stage gets all the time left but
a reserve for the later ones. A stage that finds no plan in its time is reported as NO_PLAN
with the bound reached, and ends the solve. --json prints one JSON object on stdout (HiGHS's
banner goes to stderr). --check writes the final plan to a temporary folder and runs the
independent plan checker on it. --order and --at-most ask what the optimum does with the
baseline's money or patient-months (`--order over_guarantee,cost --at-most cost=N`). Only the
stability term is not modelled: it is 0 without a previous plan, and the benchmark never gives one.

The money frame of the scenario is modelled as the tool has it (docs/money.md): the region's
budget (`[budget] max_cost_sek`) caps the cost, and each hospital's frame (`frame_sek` in
hospitals.csv, spec section 7) caps what is spent on its patients: its own additional units,
its patients' transfers at the receiving hospital's price and its patients' referrals. Unused
take-or-pay minimums are in no hospital's spend. The JSON gives the budget, the frames, and the
final plan's spend on each hospital with a frame and whether it keeps within the money.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import sys
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import highspy
import numpy as np
from greedy import TERMS, checker_violations  # benchmarks/ is on the path: this file runs as a script

from leveransplan.inputs import default_scenario_path, load_scenario
from leveransplan.models.derived import VolumeData
from leveransplan.models.evaluation import Decisions, TermValues
from leveransplan.models.plan import StageResult
from leveransplan.models.scenario import VOLUME_TERMS, Scenario

Linear = dict[int, int]  # column -> integer coefficient

_RESERVE_PER_STAGE_S = 3.0  # as optimizer/training_driver.py, which this process may not import
_INTEGRALITY_SLACK = 1e-6


def stage_time(remaining: float, stages_left: int) -> float:
    """All the time left but a reserve for each later stage (the CP-SAT driver's rule)."""
    reserve = min(_RESERVE_PER_STAGE_S * (stages_left - 1), remaining / 2)
    return max(remaining - reserve, remaining / stages_left, 0.05)


@dataclass
class Columns:
    """Column bounds of the MILP, and which column is which decision."""

    lower: list[float] = field(default_factory=list)
    upper: list[float] = field(default_factory=list)
    base_used: dict[tuple[str, str, int], int] = field(default_factory=dict)
    additional_own: dict[tuple[str, str, int], int] = field(default_factory=dict)
    transfers: dict[tuple[str, str, str, int], int] = field(default_factory=dict)
    referrals: dict[tuple[str, str, int], int] = field(default_factory=dict)
    waiting: dict[tuple[str, str, int], int] = field(default_factory=dict)
    over: dict[tuple[str, str, int], int] = field(default_factory=dict)
    unused_min: dict[str, int] = field(default_factory=dict)
    equity: int | None = None

    def add(self, upper: float) -> int:
        """A new integer column in [0, upper]; its index."""
        self.lower.append(0.0)
        self.upper.append(float(upper))
        return len(self.lower) - 1

    def decisions(self, values: Sequence[float]) -> Decisions:
        """The plan in a solution's column values, rounded to the integers they stand for."""

        def pick(columns: dict[Any, int]) -> dict[Any, int]:
            return {key: v for key, j in columns.items() if (v := round(values[j]))}

        return Decisions(
            pick(self.base_used), pick(self.additional_own), pick(self.transfers), pick(self.referrals)
        )


class VolumeMilp:
    """The rows, columns and objective terms of the volume model, built from the scenario's data."""

    def __init__(self, data: VolumeData) -> None:
        self.data = data
        self.cols = Columns()
        self.row_start: list[int] = [0]
        self.row_index: list[int] = []
        self.row_value: list[float] = []
        self.row_lower: list[float] = []
        self.row_upper: list[float] = []
        self._add_variables()
        self.terms: dict[str, Linear] = {
            "over_guarantee": self._over_guarantee(),
            "out_of_region": self._out_of_region(),
            "procured": self._procured(),
            "cost": self._cost(),
            "travel": self._travel(),
        }
        self._add_equity()
        self.add_constraints()

    # Variables -----------------------------------------------------------------------------

    def _add_variables(self) -> None:
        """b, a, t, e, w, over and unused minimums: only those that can be non-zero, as in CP-SAT."""
        data, cols = self.data, self.cols
        months = list(data.months)
        self.patients = [(h, k) for h, k in data.pairs if data.has_need(h, k)]
        suppliers: dict[str, list[str]] = defaultdict(list)
        for g, k in data.pairs:
            if any(data.additional_capacity[g, k, m] for m in months):
                suppliers[k].append(g)
        for h, k in self.patients:
            total = data.waiting[h, k] + data.inflow_total[h, k]
            for m in months:
                cols.waiting[h, k, m] = cols.add(total)
                cols.over[h, k, m] = cols.add(max(0, total - data.limit[h, k]))
                if (cap := min(data.base_capacity[h, k, m], total)) > 0:
                    cols.base_used[h, k, m] = cols.add(cap)
                if (cap := min(data.additional_capacity[h, k, m], total)) > 0:
                    cols.additional_own[h, k, m] = cols.add(cap)
                for g in suppliers[k]:
                    cap = min(data.additional_capacity[g, k, m], total)
                    if g != h and cap > 0 and data.allowed(h, g):
                        cols.transfers[h, g, k, m] = cols.add(cap)
        for c, contract in data.contracts.items():
            limit = contract.volume_max
            if contract.monthly_max is not None:
                limit = min(limit, contract.monthly_max)
            for h, k in self.patients:
                if k != contract.category or not data.allowed(h, contract.provider):
                    continue
                cap = min(limit, data.waiting[h, k] + data.inflow_total[h, k])
                if cap > 0:
                    for m in data.contract_months[c]:
                        cols.referrals[h, c, m] = cols.add(cap)
            cols.unused_min[c] = cols.add(contract.volume_min)

    # Rows ----------------------------------------------------------------------------------

    def _row(self, terms: Iterable[tuple[int, int]], lower: float, upper: float) -> None:
        for j, coefficient in terms:
            self.row_index.append(j)
            self.row_value.append(float(coefficient))
        self.row_start.append(len(self.row_index))
        self.row_lower.append(lower)
        self.row_upper.append(upper)

    def add_constraints(self) -> None:
        self._additional_capacity()
        self._contract_total()
        self._contract_monthly()
        self._waiting_list_balance()
        self._over_guarantee_definition()
        self._unused_minimum_definition()
        self._budget()
        self._frames()

    def _additional_capacity(self) -> None:
        """Hard: a[g,k,m] + sum_h t[h,g,k,m] <= C[g,k,m]."""
        used: dict[tuple[str, str, int], list[int]] = defaultdict(list)
        for key, j in self.cols.additional_own.items():
            used[key].append(j)
        for (_h, g, k, m), j in self.cols.transfers.items():
            used[g, k, m].append(j)
        for (g, k, m), columns in used.items():
            self._row(((j, 1) for j in columns), -highspy.kHighsInf, self.data.additional_capacity[g, k, m])

    def _referrals_by(self, with_month: bool) -> dict[Any, list[int]]:
        grouped: dict[Any, list[int]] = defaultdict(list)
        for (_h, c, m), j in self.cols.referrals.items():
            grouped[(c, m) if with_month else c].append(j)
        return grouped

    def _contract_total(self) -> None:
        """Hard: sum_{h,m} e[h,c,m] <= volume_max."""
        for c, columns in self._referrals_by(with_month=False).items():
            self._row(((j, 1) for j in columns), -highspy.kHighsInf, self.data.contracts[c].volume_max)

    def _contract_monthly(self) -> None:
        """Hard: sum_h e[h,c,m] <= monthly_max when the contract has one."""
        for (c, _m), columns in self._referrals_by(with_month=True).items():
            monthly_max = self.data.contracts[c].monthly_max
            if monthly_max is not None:
                self._row(((j, 1) for j in columns), -highspy.kHighsInf, monthly_max)

    def _waiting_list_balance(self) -> None:
        """Hard: w[m] - w[m-1] + outflow[m] = i[m] (w[0] = waiting); w >= 0 is its column bound."""
        data, cols = self.data, self.cols
        outflow: dict[tuple[str, str, int], list[int]] = defaultdict(list)
        for key, j in cols.base_used.items():
            outflow[key].append(j)
        for key, j in cols.additional_own.items():
            outflow[key].append(j)
        for (h, _g, k, m), j in cols.transfers.items():
            outflow[h, k, m].append(j)
        for (h, c, m), j in cols.referrals.items():
            outflow[h, data.contracts[c].category, m].append(j)
        for h, k in self.patients:
            for m in data.months:
                terms = [(cols.waiting[h, k, m], 1)] + [(j, 1) for j in outflow[h, k, m]]
                rhs = data.inflow[h, k, m]
                if m == data.months[0]:
                    rhs += data.waiting[h, k]
                else:
                    terms.append((cols.waiting[h, k, m - 1], -1))
                self._row(terms, rhs, rhs)

    def _over_guarantee_definition(self) -> None:
        """over[h,k,m] >= w[h,k,m] - L[h,k] (and >= 0 by its bound)."""
        for (h, k, m), j in self.cols.over.items():
            self._row([(j, 1), (self.cols.waiting[h, k, m], -1)], -self.data.limit[h, k], highspy.kHighsInf)

    def _unused_minimum_definition(self) -> None:
        """Take-or-pay: unused[c] >= volume_min - sum e[., c, .]."""
        referred = self._referrals_by(with_month=False)
        for c, j in self.cols.unused_min.items():
            terms = [(j, 1)] + [(r, 1) for r in referred.get(c, [])]
            self._row(terms, self.data.contracts[c].volume_min, highspy.kHighsInf)

    def _budget(self) -> None:
        """Hard, when the scenario has a budget: cost <= max_cost_sek."""
        budget = self.data.scenario.max_cost_sek
        if budget is not None:
            self._row(self.terms["cost"].items(), -highspy.kHighsInf, budget)

    def spend(self, hospital: str) -> Linear:
        """SEK spent on `hospital`'s patients (spec section 7): its own additional units at its
        price, its patients' transfers at the receiving hospital's price and its patients'
        referrals at the contract's price. Unused take-or-pay minimums are in no hospital's spend."""
        data, cols = self.data, self.cols
        terms: Linear = {}
        for (h, k, _m), j in cols.additional_own.items():
            if h == hospital:
                terms[j] = data.additional_price(h, k)
        for (h, g, k, _m), j in cols.transfers.items():
            if h == hospital:
                terms[j] = data.additional_price(g, k)
        for (h, c, _m), j in cols.referrals.items():
            if h == hospital:
                terms[j] = data.contracts[c].price_sek
        return terms

    def _frames(self) -> None:
        """Hard, for each hospital with a frame: spend_h <= frame_sek(h)."""
        for hospital, frame in self.data.frames.items():
            terms = self.spend(hospital)
            if terms:  # nothing can be spent on its patients: the frame holds anyway (frame >= 0)
                self._row(terms.items(), -highspy.kHighsInf, frame)

    # Objective terms -----------------------------------------------------------------------

    def _over_guarantee(self) -> Linear:
        """Patient-months beyond the guarantee limit."""
        return {j: 1 for j in self.cols.over.values()}

    def _out_of_region(self) -> Linear:
        """Patients referred to providers in another region."""
        contracts = self.data.contracts
        return {j: 1 for (_h, c, _m), j in self.cols.referrals.items() if contracts[c].out_of_region}

    def _procured(self) -> Linear:
        """Units referred to candidate contracts, which the region would have to procure."""
        contracts = self.data.contracts
        return {j: 1 for (_h, c, _m), j in self.cols.referrals.items() if contracts[c].candidate}

    def _cost(self) -> Linear:
        """SEK: additional units at the producer's price, referrals and unused take-or-pay minimums."""
        data, cols = self.data, self.cols
        terms: Linear = {}
        for (h, k, _m), j in cols.additional_own.items():
            terms[j] = data.additional_price(h, k)
        for (_h, g, k, _m), j in cols.transfers.items():
            terms[j] = data.additional_price(g, k)
        for (_h, c, _m), j in cols.referrals.items():
            terms[j] = data.contracts[c].price_sek
        for c, j in cols.unused_min.items():
            terms[j] = data.contracts[c].price_sek
        return terms

    def _travel(self) -> Linear:
        """Patient travel minutes for transfers and referrals."""
        data, cols = self.data, self.cols
        terms: Linear = {}
        for (h, g, _k, _m), j in cols.transfers.items():
            terms[j] = data.travel_minutes(h, g)
        for (h, c, _m), j in cols.referrals.items():
            terms[j] = data.travel_minutes(h, data.contracts[c].provider)
        return terms

    def _add_equity(self) -> None:
        """equity E, an integer, with 1000 * X_h <= E * I_h for every hospital with inflow."""
        data, cols = self.data, self.cols
        over_by_hospital: dict[str, list[int]] = defaultdict(list)
        for (h, _k, _m), j in cols.over.items():
            over_by_hospital[h].append(j)
        inflows = {h: inflow for h in data.hospitals if (inflow := data.hospital_inflow(h)) > 0}
        if not inflows:
            return  # no hospital has inflow: equity is 0, a constant term
        bound = max(
            -(-1000 * sum(int(cols.upper[j]) for j in over_by_hospital[h]) // inflow)
            for h, inflow in inflows.items()
        )
        cols.equity = cols.add(bound)
        self.terms["equity"] = {cols.equity: 1}
        for h, inflow in inflows.items():
            self._row(
                [(j, 1000) for j in over_by_hospital[h]] + [(cols.equity, -inflow)],
                -highspy.kHighsInf,
                0,
            )

    # Into HiGHS ----------------------------------------------------------------------------

    def to_highs(self, highs: highspy.Highs) -> None:
        """Pass the model to `highs`, every column an integer, no objective yet."""
        lp = highspy.HighsLp()
        n = len(self.cols.lower)
        lp.num_col_ = n
        lp.num_row_ = len(self.row_lower)
        lp.col_cost_ = np.zeros(n)
        lp.col_lower_ = np.array(self.cols.lower)
        lp.col_upper_ = np.array(self.cols.upper)
        lp.row_lower_ = np.array(self.row_lower)
        lp.row_upper_ = np.array(self.row_upper)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        lp.a_matrix_.num_col_ = n
        lp.a_matrix_.num_row_ = len(self.row_lower)
        lp.a_matrix_.start_ = np.array(self.row_start, dtype=np.int32)
        lp.a_matrix_.index_ = np.array(self.row_index, dtype=np.int32)
        lp.a_matrix_.value_ = np.array(self.row_value)
        lp.integrality_ = [highspy.HighsVarType.kInteger] * n
        status = highs.passModel(lp)
        if status != highspy.HighsStatus.kOk:
            raise ValueError(f"HiGHS did not accept the model: {status}.")


def _new_highs() -> highspy.Highs:
    """A HiGHS instance; its banner (printed once per process) goes to stderr, keeping stdout JSON."""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        return highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def _load(source: Path) -> Scenario:
    if source.suffix == ".json" and source.is_file():
        return Scenario.model_validate_json(source.read_text(encoding="utf-8"))
    return load_scenario(source)


def _hold(highs: highspy.Highs, term: Linear, value: int) -> None:
    """Add the row term <= value."""
    columns = np.array(list(term), dtype=np.int32)
    highs.addRow(-highspy.kHighsInf, value, len(term), columns, np.array(list(term.values()), dtype=float))


def _value(linear: Linear, values: Sequence[float]) -> int:
    return sum(coefficient * round(values[j]) for j, coefficient in linear.items())


def solve_lexicographic(
    scenario: Scenario,
    time_limit_s: float,
    threads: int = 0,
    log: bool = False,
    at_most: dict[str, int] | None = None,
) -> tuple[dict[str, Any], Decisions | None]:
    """Build the MILP and solve it stage by stage: the results the script prints, and the plan.

    A stage that finds no plan in its time is reported as NO_PLAN (value None) and ends the solve.

    `at_most` holds terms at or below the values given before the first stage (for example at
    the greedy plan's over_guarantee or cost, to ask what the optimum does with as much).
    """
    started = time.perf_counter()
    data = VolumeData.from_scenario(scenario)
    milp = VolumeMilp(data)
    highs = _new_highs()
    highs.setOptionValue("output_flag", log)
    highs.setOptionValue("threads", threads)
    highs.setOptionValue("random_seed", scenario.solver.seed)
    # The objective is integer: a gap below 1 is a proof. HiGHS's default relative gap is not.
    highs.setOptionValue("mip_rel_gap", 0.0)
    highs.setOptionValue("mip_abs_gap", 1 - _INTEGRALITY_SLACK)
    milp.to_highs(highs)
    for name, cap in (at_most or {}).items():
        if name not in milp.terms:
            raise ValueError(f"{name} cannot be capped.")
        _hold(highs, milp.terms[name], cap)
    build_seconds = time.perf_counter() - started
    n = len(milp.cols.lower)
    order = list(scenario.objective.volumes)
    modelled = [name for name in order if name in milp.terms]
    stages: list[dict[str, Any]] = []
    solution: list[float] | None = None
    solve_started = time.perf_counter()
    for name in order:
        if name not in milp.terms:
            # stability without a previous plan, or equity with no inflow anywhere: always 0.
            stages.append({"objective": name, "value": 0, "bound": 0, "status": "OPTIMAL", "seconds": 0.0})
            continue
        term = milp.terms[name]
        left = len(modelled) - modelled.index(name)
        remaining = time_limit_s - (time.perf_counter() - solve_started)
        costs = np.zeros(n)
        for j, coefficient in term.items():
            costs[j] = coefficient
        highs.changeColsCost(n, np.arange(n, dtype=np.int32), costs)
        highs.setOptionValue("time_limit", stage_time(remaining, left))
        if solution is not None:
            start = highspy.HighsSolution()
            start.col_value = [float(round(v)) for v in solution]
            start.value_valid = True
            highs.setSolution(start)
        stage_started = time.perf_counter()
        highs.run()
        seconds = time.perf_counter() - stage_started
        status = highs.getModelStatus()
        info = highs.getInfo()
        if status == highspy.HighsModelStatus.kInfeasible:
            raise SystemExit(f"HiGHS: no plan obeys every rule ({name} stage).")
        if info.primal_solution_status == highspy.SolutionStatus.kSolutionStatusFeasible.value:
            solution = list(highs.getSolution().col_value)
        bound = info.mip_dual_bound
        proven = max(0, math.ceil(bound - _INTEGRALITY_SLACK)) if math.isfinite(bound) else 0
        if solution is None:
            # No plan within the time limit: only the bound is known and later stages cannot start.
            value, verdict = None, "NO_PLAN"
        else:
            value = _value(term, solution)
            proven = min(proven, value)
            verdict = "OPTIMAL" if status == highspy.HighsModelStatus.kOptimal else "FEASIBLE"
        stages.append(
            {
                "objective": name,
                "value": value,
                "bound": proven,
                "status": verdict,
                "highs_status": highs.modelStatusToString(status),
                "seconds": round(seconds, 3),
            }
        )
        if value is None:
            break
        _hold(highs, term, value)
    decisions = milp.cols.decisions(solution) if solution is not None else None
    result = {
        "solver": f"HiGHS {highs.version()}",
        "scenario": scenario.name,
        "threads": threads,
        "time_limit_s": time_limit_s,
        "columns": n,
        "rows": len(milp.row_lower),
        "nonzeros": len(milp.row_index),
        "build_seconds": round(build_seconds, 3),
        "solve_seconds": round(time.perf_counter() - solve_started, 3),
        "stages": stages,
        "max_cost_sek": scenario.max_cost_sek,
        "frames_sek": dict(data.frames),
    }
    if decisions is not None:
        # The final plan's terms recomputed exactly from its rounded decisions (models.evaluation).
        exact = TermValues(data, decisions)
        result["plan_terms"] = {name: exact.term(name) for name in TERMS}
        result["negative_waiting"] = sum(1 for v in exact.waiting.values() if v < 0)
        result["plan_spend_sek"] = {h: exact.spend(h) for h in data.frames}
        result["money_kept"] = (
            scenario.max_cost_sek is None or exact.term("cost") <= scenario.max_cost_sek
        ) and all(exact.spend(h) <= frame for h, frame in data.frames.items())
    return result, decisions


def common_arguments(description: str) -> argparse.ArgumentParser:
    """The command line both HiGHS comparisons share (also benchmarks/highs_placements.py's)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("scenario", nargs="?", type=Path, default=None, help="folder or Scenario JSON")
    parser.add_argument("--time-limit", type=float, default=None, help="seconds for all stages")
    parser.add_argument("--threads", type=int, default=0, help="HiGHS threads (0 = its default)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--check", action="store_true", help="run the plan checker on the final plan")
    parser.add_argument("--log", action="store_true", help="HiGHS's own log on stdout")
    parser.add_argument("--order", default=None, help="comma-separated terms, replacing the scenario's order")
    parser.add_argument(
        "--at-most", action="append", default=[], metavar="TERM=VALUE", help="hold a term at or below VALUE"
    )
    return parser


def order_and_holds(
    args: argparse.Namespace, terms: Sequence[str], holdable: Sequence[str]
) -> tuple[tuple[str, ...] | None, dict[str, int]]:
    """--order read against the model's `terms` and --at-most against the terms the MILP models
    (`holdable`); refuses to run next to ortools."""
    at_most = {}
    for text in args.at_most:
        name, _, value = text.partition("=")
        if name.strip() not in holdable or not value.strip().isdigit():
            raise SystemExit(f"--at-most {text} not understood.")
        at_most[name.strip()] = int(value)
    order = tuple(name.strip() for name in args.order.split(",")) if args.order else None
    if order and (unknown := set(order) - set(terms)):
        raise SystemExit(f"--order {args.order} not understood: {', '.join(sorted(unknown))}.")
    if "ortools" in sys.modules:
        raise SystemExit("ortools is loaded in this process; HiGHS must run without it.")
    return order, at_most


def main() -> None:
    parser = common_arguments(__doc__.splitlines()[0])
    args = parser.parse_args()
    order, at_most = order_and_holds(args, VOLUME_TERMS, TERMS)
    loaded = time.perf_counter()
    scenario = _load(args.scenario or default_scenario_path())
    load_seconds = time.perf_counter() - loaded
    if order:
        objective = scenario.objective.model_copy(update={"volumes": order})
        scenario = scenario.model_copy(update={"objective": objective})
    limit = args.time_limit if args.time_limit is not None else scenario.solver.time_limit_s
    result, decisions = solve_lexicographic(scenario, limit, args.threads, args.log, at_most)
    result["load_seconds"] = round(load_seconds, 3)
    if args.check and decisions is not None and result["stages"][-1]["status"] != "NO_PLAN":
        stages = [StageResult.model_validate(s) for s in result["stages"]]
        result["checker_violations"] = checker_violations(scenario, decisions, stages)[:20]
    result["peak_memory_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    result["command"] = f"python {' '.join(sys.argv)}"
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
        return
    print(f"command: {result['command']}")
    print(
        f"{result['solver']}, {result['threads']} threads (0 = HiGHS's default), time limit "
        f"{limit:g} s; {result['columns']} columns, {result['rows']} rows, {result['nonzeros']} nonzeros"
    )
    print_stages(result, width=15)
    if result["max_cost_sek"] is not None or result["frames_sek"]:
        cap = result["max_cost_sek"]
        budget = "no budget" if cap is None else f"budget {cap:,} SEK".replace(",", " ")
        kept = f"; the final plan keeps within them: {result['money_kept']}" if "money_kept" in result else ""
        print(f"{budget}, {len(result['frames_sek'])} hospitals with a frame{kept}")
    if "plan_terms" in result:
        print(f"final plan's terms, recomputed: {result['plan_terms']}")
    if "checker_violations" in result:
        print(f"plan checker: {len(result['checker_violations'])} violations")
        for line in result["checker_violations"]:
            print(f"  {line}")
    print(f"peak memory: {result['peak_memory_mb']} MB")


def print_stages(result: dict[str, Any], width: int, cpu: bool = False) -> None:
    """The load and build seconds and a table of the stages (also benchmarks/highs_placements.py's)."""
    print(f"load {result['load_seconds']:.2f} s, build {result['build_seconds']:.2f} s")
    extra = f" {'CPU s':>8}" if cpu else ""
    figures = f"{'value':>{width}} {'bound':>{width}} {'gap %':>7} {'seconds':>8}{extra}"
    print(f"{'stage':<15} {'status':<9} {figures}")
    for s in result["stages"]:
        value, gap = "-", "-"
        if s["value"] is not None:
            value = f"{s['value']:,}".replace(",", " ")
            gap = f"{100 * (s['value'] - s['bound']) / s['value'] if s['value'] else 0.0:.3f}"
        seconds = f"{s['seconds']:>8.2f}" + (f" {s.get('cpu_seconds', 0.0):>8.2f}" if cpu else "")
        print(
            f"{s['objective']:<15} {s['status']:<9} {value:>{width}} {s['bound']:>{width},} {gap:>7} "
            f"{seconds}".replace(",", " ")
        )


if __name__ == "__main__":
    main()
