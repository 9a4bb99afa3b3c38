"""The ST-A placement model of spec section 5 as one MILP, solved lexicographically by HiGHS.

The comparison side of the placement benchmark (benchmarks/placements.py runs CP-SAT). The
formulation is the spec's, written directly and independently of the CP-SAT model (which
chooses start years from patterns and months only where it must): one binary x[r,o] for each
requirement r and each of its options o = (hospital, start) as models.training.PlacementData
lists them, which already obey the window, leave, horizon, travel and capacity-row rules.

- each requirement is placed at most once: sum_o x[r,o] <= 1 (with one option, the column's
  bound); a fixed placement's only option is its agreed one, and its column's lower bound is 1;
- a trainee's stays do not overlap: per trainee and month, the x whose stay covers the month
  sum to at most 1;
- per (hospital, specialty, year): stays starting that year <= places (no st_capacity.csv row:
  0 places);
- per (hospital, specialty, month): trainees present <= concurrent_max of the row for the
  month's own year, when it has one.

A row that cannot bind is left out (fewer columns than its limit, or a trainee's month that only
one requirement's stays can cover: its requirement's own row implies it); HiGHS's presolve would
drop it anyway. The terms are unplaced = #requirements - sum x and travel = sum minutes * months
* x; each is minimised in the scenario's order and then held at the value reached with `<=`,
the next stage started from the last plan. stability is 0 without a previous plan, and the
benchmark never gives one, so it is reported as a proven 0 without a solve. The gap limits are
set so that HiGHS stops only at a proven optimum of an integer objective (absolute gap below 1)
or at the time limit.

It runs in a process of its own, as highs_volumes.py does: the highspy and ortools wheels each
bundle HiGHS, so nothing here imports `optimizer`.

    python benchmarks/highs_placements.py [SCENARIO] [--time-limit S] [--threads N] [--json] [--check]
        [--order TERM,TERM] [--at-most TERM=VALUE ...] [--option NAME=VALUE ...]

SCENARIO is a scenario folder (default: the shipped VGR 2026 one) or a JSON file holding
`Scenario.model_dump_json()`. --time-limit is for all stages together (default: the
scenario's), shared as the CP-SAT driver shares it: each stage gets all the time left but a
reserve for the later ones. A stage that finds no plan in its time is reported as NO_PLAN with
the bound reached, and ends the solve. --json prints one JSON object on stdout (HiGHS's banner
goes to stderr). --check writes the final plan's placement files to a temporary folder and runs
the independent plan checker (outputs/checker/training_plan.py) on them. --order and --at-most
solve one stage on its own (`--order travel --at-most unplaced=5`); --option sets a HiGHS option
(`--option mip_lp_solver=ipm`); without it HiGHS runs with its defaults but the gap limits.

Each stage's wall seconds are printed with the CPU seconds of the process (all HiGHS's threads):
on a machine shared with others the wall seconds of the same solve vary several-fold. HiGHS
does not check its time limit everywhere in its presolve and set-up: a 17 s stage on the shipped
cohort took 64 s (no plan), and on a generated scale-5 cohort (2 755 trainees) a 117 s stage took
550 s and ended without a plan.
"""

from __future__ import annotations

import json
import math
import resource
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import highspy
import numpy as np
from highs_volumes import _load as load_source  # benchmarks/ is on the path: this file runs as a script
from highs_volumes import _new_highs as new_highs
from highs_volumes import common_arguments, order_and_holds, print_stages, stage_time
from numpy.typing import NDArray

from leveransplan.inputs import default_scenario_path
from leveransplan.models.placement_reasons import free_option_note, unplaced_reasons
from leveransplan.models.plan import StageResult
from leveransplan.models.scenario import PLACEMENT_OBJECTIVES, Scenario
from leveransplan.models.training import (
    PlacementData,
    PlacementPlan,
    PlacementSolution,
    RequirementKey,
    placement_terms,
)

Ints = NDArray[np.int64]
Floats = NDArray[np.float64]

_INTEGRALITY_SLACK = 1e-6
_CONSTANT_TERMS = {"stability": 0}  # without a previous plan every plan keeps "all" of it


@dataclass(frozen=True)
class Term:
    """An objective term as constant + cost . x."""

    constant: int
    cost: Floats

    def value(self, x: Ints) -> int:
        return self.constant + int(self.cost.astype(np.int64) @ x)


class PlacementMilp:
    """The columns, rows and objective terms of the placement model, built from the scenario's data."""

    def __init__(self, data: PlacementData) -> None:
        self.data = data
        self._add_columns()
        self.row_entries: list[tuple[Ints, Ints]] = []  # (row, column) of each coefficient 1
        self.row_upper: list[Floats] = []
        self.num_rows = 0
        self.add_constraints()
        self.terms = {"unplaced": self._unplaced(), "travel": self._travel()}

    # Columns -------------------------------------------------------------------------------

    def _add_columns(self) -> None:
        """x[r,o] for every option of every requirement, in requirement order; fixed ones at 1."""
        data = self.data
        departments: dict[tuple[str, str], int] = {}
        trainees = {t: i for i, t in enumerate(data.trainees)}
        self.column_key: list[tuple[RequirementKey, str, int]] = []  # (requirement, hospital, start)
        requirement, trainee, department, start, months, minutes, lower = ([] for _ in range(7))
        for r, req in enumerate(data.requirements):
            fixed = req.key in data.fixed
            if fixed and not data.options[req.key]:
                raise SystemExit(f"{req.key}: a fixed placement the rules do not allow; no plan is possible.")
            for option in data.options[req.key]:
                self.column_key.append((req.key, option.hospital, option.start))
                requirement.append(r)
                trainee.append(trainees[req.trainee])
                department.append(departments.setdefault((option.hospital, req.specialty), len(departments)))
                start.append(option.start)
                months.append(req.months)
                minutes.append(option.minutes)
                lower.append(1 if fixed else 0)
        self.departments = list(departments)
        self.requirement = np.array(requirement, dtype=np.int64)
        self.trainee = np.array(trainee, dtype=np.int64)
        self.department = np.array(department, dtype=np.int64)
        self.start = np.array(start, dtype=np.int64)
        self.months = np.array(months, dtype=np.int64)
        self.minutes = np.array(minutes, dtype=np.int64)
        self.lower = np.array(lower, dtype=np.float64)
        self.num_cols = len(self.column_key)
        # One entry per column and month of its stay: the months the column's trainee is away.
        self.stay_column = np.repeat(np.arange(self.num_cols, dtype=np.int64), self.months)
        first_entry = np.repeat(np.cumsum(self.months) - self.months, self.months)
        self.stay_month = self.start[self.stay_column] + np.arange(len(self.stay_column)) - first_entry

    # Rows ----------------------------------------------------------------------------------

    def _add_rows(self, group: Ints, columns: Ints, upper: Floats, keep: NDArray[np.bool_]) -> None:
        """Rows sum_{j in group g} x_j <= upper[g] for the groups g kept; groups are 0..len(upper)-1."""
        new_row = np.full(len(upper), -1, dtype=np.int64)
        new_row[keep] = self.num_rows + np.arange(int(keep.sum()))
        rows = new_row[group]
        taken = rows >= 0
        self.row_entries.append((rows[taken], columns[taken]))
        self.row_upper.append(upper[keep].astype(np.float64))
        self.num_rows += int(keep.sum())

    def add_constraints(self) -> None:
        self._requirement_placed_at_most_once()
        self._stays_do_not_overlap()
        self._places_per_year()
        self._concurrent_max()

    def _requirement_placed_at_most_once(self) -> None:
        """Hard: sum_o x[r,o] <= 1 (a requirement with one option has it as its column bound)."""
        count = np.bincount(self.requirement, minlength=len(self.data.requirements))
        self._add_rows(self.requirement, np.arange(self.num_cols), np.ones(len(count)), count > 1)

    def _stays_do_not_overlap(self) -> None:
        """Hard: per trainee and month, the stays covering the month sum to at most 1."""
        if not self.num_cols:
            return
        first, span = int(self.stay_month.min()), int(np.ptp(self.stay_month)) + 1
        groups, group = np.unique(
            self.trainee[self.stay_column] * span + self.stay_month - first, return_inverse=True
        )
        # Only a month two requirements can cover may bind: one requirement's own row implies the rest.
        pairs = np.unique(group * len(self.data.requirements) + self.requirement[self.stay_column])
        requirements = np.bincount(pairs // len(self.data.requirements), minlength=len(groups))
        self._add_rows(group, self.stay_column, np.ones(len(groups)), requirements > 1)

    def _places_per_year(self) -> None:
        """Hard: per (hospital, specialty, year), stays starting that year <= places."""
        if not self.num_cols:
            return
        year = self.start // 12
        first, span = int(year.min()), int(np.ptp(year)) + 1
        groups, group, count = np.unique(
            self.department * span + year - first, return_inverse=True, return_counts=True
        )
        upper = np.empty(len(groups))
        for g, code in enumerate(groups):
            hospital, specialty = self.departments[code // span]
            row = self.data.capacity.get((hospital, specialty, int(code % span) + first))
            upper[g] = 0 if row is None else row.places  # no row means no places
        self._add_rows(group, np.arange(self.num_cols), upper, count > upper)

    def _concurrent_max(self) -> None:
        """Hard: per (hospital, specialty, month), trainees present <= concurrent_max of the month's year."""
        if not self.num_cols:
            return
        first, span = int(self.stay_month.min()), int(np.ptp(self.stay_month)) + 1
        groups, group, count = np.unique(
            self.department[self.stay_column] * span + self.stay_month - first,
            return_inverse=True,
            return_counts=True,
        )
        upper = np.empty(len(groups))
        for g, code in enumerate(groups):
            hospital, specialty = self.departments[code // span]
            limit = self.data.concurrent_limit(hospital, specialty, int(code % span) + first)
            upper[g] = math.inf if limit is None else limit
        self._add_rows(group, self.stay_column, upper, count > upper)

    # Objective terms -----------------------------------------------------------------------

    def _unplaced(self) -> Term:
        """Requirements not placed: #requirements - sum x."""
        return Term(len(self.data.requirements), np.full(self.num_cols, -1.0))

    def _travel(self) -> Term:
        """Travel minutes: sum minutes(home_area, h) * months * x."""
        return Term(0, (self.minutes * self.months).astype(np.float64))

    # Into HiGHS and back -------------------------------------------------------------------

    @property
    def nonzeros(self) -> int:
        return sum(len(rows) for rows, _ in self.row_entries)

    def to_highs(self, highs: highspy.Highs) -> None:
        """Pass the model to `highs`, every column a binary, no objective yet."""
        rows = np.concatenate([r for r, _ in self.row_entries]) if self.row_entries else np.zeros(0, np.int64)
        cols = np.concatenate([c for _, c in self.row_entries]) if self.row_entries else np.zeros(0, np.int64)
        order = np.lexsort((cols, rows))
        start = np.concatenate(([0], np.cumsum(np.bincount(rows, minlength=self.num_rows))))
        lp = highspy.HighsLp()
        lp.num_col_ = self.num_cols
        lp.num_row_ = self.num_rows
        lp.col_cost_ = np.zeros(self.num_cols)
        lp.col_lower_ = self.lower
        lp.col_upper_ = np.ones(self.num_cols)
        lp.row_lower_ = np.full(self.num_rows, -highspy.kHighsInf)
        lp.row_upper_ = np.concatenate(self.row_upper) if self.row_upper else np.zeros(0)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        lp.a_matrix_.num_col_ = self.num_cols
        lp.a_matrix_.num_row_ = self.num_rows
        lp.a_matrix_.start_ = start.astype(np.int32)
        lp.a_matrix_.index_ = cols[order].astype(np.int32)
        lp.a_matrix_.value_ = np.ones(len(cols))
        lp.integrality_ = [highspy.HighsVarType.kInteger] * self.num_cols
        status = highs.passModel(lp)
        if status != highspy.HighsStatus.kOk:
            raise ValueError(f"HiGHS did not accept the model: {status}.")

    def plan(self, x: Ints) -> PlacementPlan:
        """The placements a solution's rounded column values stand for."""
        placed = {}
        for j in np.flatnonzero(x):
            key, hospital, start = self.column_key[j]
            placed[key] = (hospital, start)
        return PlacementPlan(placed)


def _hold(highs: highspy.Highs, term: Term, value: int) -> None:
    """Add the row term <= value."""
    columns = np.flatnonzero(term.cost).astype(np.int32)
    highs.addRow(-highspy.kHighsInf, value - term.constant, len(columns), columns, term.cost[columns])


def _set_option(highs: highspy.Highs, name: str, text: str) -> None:
    """Set a HiGHS option from its text, typed as HiGHS has it."""
    status, kind = highs.getOptionType(name)
    if status != highspy.HighsStatus.kOk:
        raise SystemExit(f"--option {name}: not a HiGHS option.")
    value: bool | int | float | str = text
    try:
        if kind == highspy.HighsOptionType.kBool:
            value = {"true": True, "false": False}[text.lower()]
        elif kind == highspy.HighsOptionType.kInt:
            value = int(text)
        elif kind == highspy.HighsOptionType.kDouble:
            value = float(text)
    except (KeyError, ValueError):
        raise SystemExit(f"--option {name}={text} not understood.") from None
    if highs.setOptionValue(name, value) != highspy.HighsStatus.kOk:
        raise SystemExit(f"--option {name}={text} not understood.")


def solve_lexicographic(
    scenario: Scenario,
    time_limit_s: float,
    threads: int = 0,
    log: bool = False,
    options: dict[str, str] | None = None,
    at_most: dict[str, int] | None = None,
) -> tuple[dict[str, Any], PlacementData, PlacementPlan | None]:
    """Build the MILP and solve it stage by stage: the results the script prints, the data and the plan.

    A stage that finds no plan in its time is reported as NO_PLAN (value None) and ends the solve.
    """
    started = time.perf_counter()
    data = PlacementData(scenario)
    milp = PlacementMilp(data)
    highs = new_highs()
    highs.setOptionValue("output_flag", log)
    highs.setOptionValue("threads", threads)
    highs.setOptionValue("random_seed", scenario.solver.seed)
    # The objectives are integer: a gap below 1 is a proof. HiGHS's default relative gap is not.
    highs.setOptionValue("mip_rel_gap", 0.0)
    highs.setOptionValue("mip_abs_gap", 1 - _INTEGRALITY_SLACK)
    for option, text in (options or {}).items():
        _set_option(highs, option, text)
    milp.to_highs(highs)
    for name, cap in (at_most or {}).items():
        _hold(highs, milp.terms[name], cap)
    build_seconds = time.perf_counter() - started
    n = milp.num_cols
    order = list(scenario.objective.placements)
    solved = [name for name in order if name not in _CONSTANT_TERMS]
    stages: list[dict[str, Any]] = []
    x: Ints | None = None
    solve_started = time.perf_counter()
    for name in order:
        if name in _CONSTANT_TERMS:
            value = _CONSTANT_TERMS[name]
            stages.append(
                {
                    "objective": name,
                    "value": value,
                    "bound": value,
                    "status": "OPTIMAL",
                    "seconds": 0.0,
                    "cpu_seconds": 0.0,
                }
            )
            continue
        term = milp.terms[name]
        remaining = time_limit_s - (time.perf_counter() - solve_started)
        highs.changeColsCost(n, np.arange(n, dtype=np.int32), term.cost)
        highs.setOptionValue("time_limit", stage_time(remaining, len(solved) - solved.index(name)))
        if x is not None:
            start = highspy.HighsSolution()
            start.col_value = x.astype(np.float64).tolist()
            start.value_valid = True
            highs.setSolution(start)
        stage_started, cpu_started = time.perf_counter(), time.process_time()
        highs.run()
        seconds, cpu_seconds = time.perf_counter() - stage_started, time.process_time() - cpu_started
        status = highs.getModelStatus()
        info = highs.getInfo()
        if status == highspy.HighsModelStatus.kInfeasible:
            raise SystemExit(f"HiGHS: no plan obeys every rule ({name} stage).")
        if info.primal_solution_status == highspy.SolutionStatus.kSolutionStatusFeasible.value:
            x = np.rint(np.asarray(highs.getSolution().col_value)).astype(np.int64)
        bound = term.constant + info.mip_dual_bound
        proven = max(0, math.ceil(bound - _INTEGRALITY_SLACK)) if math.isfinite(bound) else 0
        if x is None:
            # No plan within the time limit: only the bound is known and later stages cannot start.
            reached, verdict = None, "NO_PLAN"
        else:
            reached = term.value(x)
            proven = min(proven, reached)
            verdict = "OPTIMAL" if status == highspy.HighsModelStatus.kOptimal else "FEASIBLE"
        stages.append(
            {
                "objective": name,
                "value": reached,
                "bound": proven,
                "status": verdict,
                "highs_status": highs.modelStatusToString(status),
                "seconds": round(seconds, 3),
                "cpu_seconds": round(cpu_seconds, 3),
            }
        )
        if reached is None:
            break
        _hold(highs, term, reached)
    plan = milp.plan(x) if x is not None else None
    result: dict[str, Any] = {
        "solver": f"HiGHS {highs.version()}",
        "scenario": scenario.name,
        "threads": threads,
        "options": dict(options or {}),
        "time_limit_s": time_limit_s,
        "trainees": len(data.trainees),
        "requirements": len(data.requirements),
        "months": data.horizon_label(),
        "columns": n,
        "rows": milp.num_rows,
        "nonzeros": milp.nonzeros,
        "build_seconds": round(build_seconds, 3),
        "solve_seconds": round(time.perf_counter() - solve_started, 3),
        "stages": stages,
    }
    if plan is not None:
        # The final plan's terms recomputed from its placements (models.training).
        result["plan_terms"] = placement_terms(data, plan, None)
    return result, data, plan


def checker_violations(
    scenario: Scenario, data: PlacementData, plan: PlacementPlan, stages: list[StageResult]
) -> list[str]:
    """The independent plan checker's verdict on `plan`, written as placement files to a temporary folder."""
    # Only --check needs the writers and the checker (outputs/, which never imports the optimizer).
    from leveransplan.models.results import ScenarioPlan
    from leveransplan.outputs.checker.training_plan import check_placements_plan
    from leveransplan.outputs.publish import write_plan

    places = {place: row.places for place, row in data.capacity.items()}
    unplaced = next((s for s in stages if s.objective == "unplaced"), None)
    note = free_option_note(
        list(scenario.objective.placements), None if unplaced is None else unplaced.status
    )
    stopped = unplaced is not None and unplaced.status != "OPTIMAL" and unplaced.value > unplaced.bound
    solution = PlacementSolution(
        plan=plan,
        places=places,
        stages=stages,
        terms=placement_terms(data, plan, None),
        reasons=unplaced_reasons(data, plan, places, note, stopped),
    )
    with tempfile.TemporaryDirectory() as folder:
        write_plan(Path(folder), scenario, ScenarioPlan(placements=solution), previous_plan=None)
        return check_placements_plan(scenario, Path(folder))


def main() -> None:
    parser = common_arguments(__doc__.splitlines()[0])
    parser.add_argument(
        "--option", action="append", default=[], metavar="NAME=VALUE", help="a HiGHS option (repeatable)"
    )
    args = parser.parse_args()
    order, at_most = order_and_holds(args, PLACEMENT_OBJECTIVES, ("unplaced", "travel"))
    options = {}
    for text in args.option:
        name, _, value = text.partition("=")
        if not value:
            raise SystemExit(f"--option {text} not understood.")
        options[name.strip()] = value.strip()
    loaded = time.perf_counter()
    scenario = load_source(args.scenario or default_scenario_path())
    load_seconds = time.perf_counter() - loaded
    if not scenario.has_placements:
        raise SystemExit("The scenario has no ST-A tables.")
    if order:
        objective = scenario.objective.model_copy(update={"placements": order})
        scenario = scenario.model_copy(update={"objective": objective})
    limit = args.time_limit if args.time_limit is not None else scenario.solver.time_limit_s
    result, data, plan = solve_lexicographic(scenario, limit, args.threads, args.log, options, at_most)
    result["load_seconds"] = round(load_seconds, 3)
    if args.check and plan is not None and result["stages"][-1]["status"] != "NO_PLAN":
        stages = [StageResult.model_validate(s) for s in result["stages"]]
        result["checker_violations"] = checker_violations(scenario, data, plan, stages)[:20]
    result["peak_memory_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    result["command"] = f"python {' '.join(sys.argv)}"
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
        return
    print(f"command: {result['command']}")
    print(
        f"{result['solver']}, {result['threads']} threads (0 = HiGHS's default), time limit {limit:g} s; "
        f"{result['trainees']} trainees, {result['requirements']} requirements, {result['months']}; "
        f"{result['columns']} columns, {result['rows']} rows, {result['nonzeros']} nonzeros"
    )
    print_stages(result, width=12, cpu=True)
    if "plan_terms" in result:
        print(f"final plan's terms, recomputed: {result['plan_terms']}")
    if "checker_violations" in result:
        print(f"plan checker: {len(result['checker_violations'])} violations")
        for line in result["checker_violations"]:
            print(f"  {line}")
    print(f"peak memory: {result['peak_memory_mb']} MB")


if __name__ == "__main__":
    main()
