"""The restricted master LP of a decomposed stage (GLOP): one convex combination of columns per
category under the linking rows, and the prices (duals) the networks are priced at."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from ortools.linear_solver import pywraplp

from leveransplan.optimizer.volumes.decomposition import Decomposition

# The LP's price of a patient-month above a lowered cap (Linking.margin): more than any stage's
# objective gains from one (at most a few hundred SEK or travel-minutes per patient-month).
_ABOVE_CAP_PRICE = 1e7
# Prices of one round: each hospital's (by index) and each held term's.
PriceVector = tuple[np.ndarray, dict[str, float]]


@dataclass
class MasterSolution:
    """The master LP solved: each hospital's and each held term's price (-dual, >= 0), each
    category's convexity dual, the columns' weights and the LP's value."""

    hospital_prices: np.ndarray
    term_prices: dict[str, float]
    convexity: dict[str, float]
    shares: dict[str, list[float]]
    value: float

    @property
    def prices(self) -> PriceVector:
        return self.hospital_prices, self.term_prices


def solve_master(problem: Decomposition) -> MasterSolution | None:
    """The restricted master LP over the problem's columns; None if GLOP fails."""
    solver = pywraplp.Solver.CreateSolver("GLOP")
    if solver is None:
        return None
    linking = problem.linking
    weights = {
        k: [solver.NumVar(0.0, 1.0, f"l[{k},{j}]") for j in range(len(columns))]
        for k, columns in problem.columns.items()
    }
    convexity_rows = {k: solver.Add(sum(ws) == 1.0) for k, ws in weights.items()}

    infinity = solver.infinity()
    hospital_rows: dict[int, pywraplp.Constraint] = {}
    term_rows: dict[str, pywraplp.Constraint] = {}
    objective_row = solver.Objective()
    objective_row.SetMinimization()
    if linking.objective is None:
        equity = solver.NumVar(0.0, infinity, "equity")
        for i in problem.counted:
            # In patient-months (1000 X_h <= E I_h divided by 1000): rows of like size keep GLOP stable.
            hospital_rows[i] = solver.Constraint(-infinity, -float(problem.outside[i]))
            hospital_rows[i].SetCoefficient(equity, -float(problem.inflow[i]) / 1000.0)
        objective_row.SetCoefficient(equity, 1.0)
    elif linking.equity is not None:
        for i in problem.counted:
            hospital_rows[i] = solver.Constraint(-infinity, float(problem.cap(i)))
            if linking.margin > 0:
                # The lowered caps may not be met by the columns so far: patient-months above
                # them are allowed at a price no plan's objective reaches.
                above = solver.NumVar(0.0, infinity, f"above[{i}]")
                hospital_rows[i].SetCoefficient(above, -1.0)
                objective_row.SetCoefficient(above, _ABOVE_CAP_PRICE)
    for term, value in linking.held.items():
        term_rows[term] = solver.Constraint(-infinity, float(value))
    # Each column's coefficients, set one by one where they are not 0: building the rows as
    # expressions over every column is what made large masters slow.
    for k, columns in problem.columns.items():
        for column, weight in zip(columns, weights[k], strict=True):
            for hospital in np.flatnonzero(column.over).tolist():
                if hospital in hospital_rows:
                    hospital_rows[hospital].SetCoefficient(weight, float(column.over[hospital]))
            for term, row in term_rows.items():
                row.SetCoefficient(weight, float(column.values[term]))
            if linking.objective is not None:
                objective_row.SetCoefficient(weight, float(column.values[linking.objective]))
    if solver.Solve() != pywraplp.Solver.OPTIMAL:
        return None
    hospital_prices = np.zeros(len(problem.inflow), dtype=float)
    for i, row in hospital_rows.items():
        hospital_prices[i] = max(0.0, -row.dual_value())
    term_prices = {t: max(0.0, -row.dual_value()) for t, row in term_rows.items()}
    convexity = {k: row.dual_value() for k, row in convexity_rows.items()}
    shares = {k: [w.solution_value() for w in ws] for k, ws in weights.items()}
    return MasterSolution(hospital_prices, term_prices, convexity, shares, solver.Objective().Value())
