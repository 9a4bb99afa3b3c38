"""One category's volume model as a min-cost flow network, solved stage by stage exactly.

Within one category the volume rules of spec section 3 are a network: the patients of hospital
h in month m are a node; they flow to the next month (the waiting list), to h's base units, to
a hospital's additional capacity (h's own or another's, a transfer), or to a contract's month
and on to the contract. Every separable objective term is a cost on arcs: a waiting list above
the guarantee limit L is an arc of capacity L at no cost beside one at cost 1 per patient-month;
a take-or-pay minimum is an arc of capacity volume_min whose use is refunded; |x - x_prev| is
two arcs either side of x_prev. A min-cost flow solver (OR-Tools' network simplex, made for
exactly this) solves such a stage exactly in milliseconds where CP-SAT, searching the same
polytope with integer reasoning, needs seconds at the region's size and minutes nationally.

Lexicographic holds stay inside the network. After a stage is solved, shortest-path distances in
the residual network give optimal node potentials, and by complementary slackness every optimal
flow of that stage leaves an arc with non-zero reduced cost at the value it has now. Fixing those
arcs leaves exactly the stage's optimal plans for the next stage: the same as holding the stage's
value, with no side constraint that would break the network. A category whose rules the network
cannot express (a frozen month whose decided flows the rules no longer allow) says so with
`usable = False` and is solved by CP-SAT instead.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from ortools.graph.python import min_cost_flow

from leveransplan.models.derived import VolumeData
from leveransplan.models.evaluation import Decisions, change_term, changes

TERMS = ("over_guarantee", "out_of_region", "procured", "cost", "travel", "stability")


@dataclass
class FlowOutcome:
    """What one stage's min-cost flow gave: OPTIMAL with a plan, or a reason it could not."""

    status: str  # OPTIMAL, or the solver's status name when the network could not be solved
    seconds: float
    decisions: Decisions | None


@dataclass
class _Arcs:
    """The network's arcs as parallel lists while it is built, then as numpy arrays."""

    tail: list[int] = field(default_factory=list)
    head: list[int] = field(default_factory=list)
    upper: list[int] = field(default_factory=list)
    costs: dict[str, list[int]] = field(default_factory=lambda: {term: [] for term in TERMS})
    # The decision each arc carries: (kind, key) or None for waiting-list and contract arcs.
    carries: list[tuple[str, Any] | None] = field(default_factory=list)
    # For a waiting-list arc, the number of its (hospital, month) list; -1 for every other arc.
    waiting_list: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class SavedFace:
    """A category network's face and optima at one point of the solve (CategoryFlow.saved)."""

    lower: np.ndarray
    upper: np.ndarray
    usable: bool
    optimum: dict[str, int]
    before: tuple[str, np.ndarray, np.ndarray] | None


class CategoryFlow:
    """The volume model of one category as a min-cost flow, with the holds of its solved stages."""

    def __init__(
        self,
        data: VolumeData,
        category: str,
        previous: Decisions | None = None,
        frozen_until: int | None = None,
    ) -> None:
        self.data = data
        self.category = category
        self.usable = True
        # Each solved stage's optimal value in this category, as the driver evaluated it.
        self.optimum: dict[str, int] = {}
        self._before: tuple[str, np.ndarray, np.ndarray] | None = None
        self._nodes: dict[Any, int] = {}
        self._supply: dict[int, int] = {}
        self._arcs = _Arcs()
        # Each waiting list's hospital (its index in data.hospitals) and guarantee limit L.
        self.list_owner: list[int] = []
        self.list_limit: list[int] = []
        self._sink = self._node("sink")
        self._build(previous)
        self.waiting_list = np.asarray(self._arcs.waiting_list, dtype=np.int64)
        self.tail = np.asarray(self._arcs.tail, dtype=np.int64)
        self.head = np.asarray(self._arcs.head, dtype=np.int64)
        self.upper = np.asarray(self._arcs.upper, dtype=np.int64)
        self.lower = np.zeros_like(self.upper)
        self.costs = {term: np.asarray(values, dtype=np.int64) for term, values in self._arcs.costs.items()}
        self.carries = self._arcs.carries
        # Each term's value is its arcs' cost plus this constant (stability: the previous
        # plan's values in the category, less what the arcs below them carry).
        self.constants = {"stability": self._previous_total(previous)}
        self._spend_costs()
        self.supply = np.zeros(len(self._nodes), dtype=np.int64)
        for node, amount in self._supply.items():
            self.supply[node] += amount
        self.supply[self._sink] -= int(self.supply.sum())
        if previous is not None and frozen_until is not None:
            self._frozen_months_stay(previous, frozen_until)

    # -- building -------------------------------------------------------------------------
    def _node(self, key: Any) -> int:
        if key not in self._nodes:
            self._nodes[key] = len(self._nodes)
        return self._nodes[key]

    def _arc(
        self,
        tail: int,
        head: int,
        upper: int,
        costs: dict[str, int],
        carries: tuple[str, Any] | None = None,
        waiting_list: int = -1,
    ) -> None:
        arcs = self._arcs
        arcs.waiting_list.append(waiting_list)
        arcs.tail.append(tail)
        arcs.head.append(head)
        arcs.upper.append(upper)
        for term in TERMS:
            arcs.costs[term].append(costs.get(term, 0))
        arcs.carries.append(carries)

    def _decision_arc(
        self,
        tail: int,
        head: int,
        upper: int,
        costs: dict[str, int],
        carries: tuple[str, Any],
        previous_value: int | None,
    ) -> None:
        """A decision of a, t or e; with a previous plan, two arcs either side of its old value
        so that |x - x_prev| is their cost in the stability term (-1 below, +1 above)."""
        if previous_value is None:
            self._arc(tail, head, upper, costs, carries)
            return
        below = min(previous_value, upper)
        self._arc(tail, head, below, {**costs, "stability": -1}, carries)
        self._arc(tail, head, upper - below, {**costs, "stability": 1}, carries)

    def _build(self, previous: Decisions | None) -> None:
        data, k = self.data, self.category
        months = list(data.months)
        last = months[-1]
        patients = [h for h, kk in data.pairs if kk == k and data.has_need(h, k)]
        suppliers = [
            g for g, kk in data.pairs if kk == k and any(data.additional_capacity[g, k, m] for m in months)
        ]
        contracts = [c for c, contract in data.contracts.items() if contract.category == k]

        def before(kind: str, key: Any) -> int | None:
            if previous is None:
                return None
            return int(getattr(previous, kind).get(key, 0))

        for h in patients:
            total = data.waiting[h, k] + data.inflow_total[h, k]
            limit = min(data.limit[h, k], total)
            for m in months:
                here = self._node(("patients", h, m))
                self._supply[here] = data.inflow[h, k, m] + (data.waiting[h, k] if m == 1 else 0)
                # The waiting list at the end of month m: up to L within the guarantee, beyond it
                # one patient-month each.
                after = self._sink if m == last else self._node(("patients", h, m + 1))
                number = len(self.list_owner)
                self.list_owner.append(data.hospitals.index(h))
                self.list_limit.append(data.limit[h, k])
                if limit > 0:
                    self._arc(here, after, limit, {}, waiting_list=number)
                if total - limit > 0:
                    self._arc(here, after, total - limit, {"over_guarantee": 1}, waiting_list=number)
                if (cap := min(data.base_capacity[h, k, m], total)) > 0:
                    self._arc(here, self._sink, cap, {}, ("base_used", (h, k, m)))
                if (cap := min(data.additional_capacity[h, k, m], total)) > 0:
                    key = (h, k, m)
                    price = {"cost": data.additional_price(h, k)}
                    produced = self._node(("additional", h, m))
                    self._decision_arc(
                        here, produced, cap, price, ("additional_own", key), before("additional_own", key)
                    )
                for g in suppliers:
                    cap = min(data.additional_capacity[g, k, m], total)
                    if g != h and cap > 0 and data.allowed(h, g):
                        key4 = (h, g, k, m)
                        costs = {"cost": data.additional_price(g, k), "travel": data.travel_minutes(h, g)}
                        produced = self._node(("additional", g, m))
                        self._decision_arc(
                            here, produced, cap, costs, ("transfers", key4), before("transfers", key4)
                        )
            for c in contracts:
                contract = data.contracts[c]
                if not data.allowed(h, contract.provider):
                    continue
                limit_c = contract.volume_max
                if contract.monthly_max is not None:
                    limit_c = min(limit_c, contract.monthly_max)
                cap = min(limit_c, total)
                if cap <= 0:
                    continue
                costs = {
                    "cost": contract.price_sek,
                    "travel": data.travel_minutes(h, contract.provider),
                    "out_of_region": 1 if contract.out_of_region else 0,
                    "procured": 1 if contract.candidate else 0,
                }
                for m in data.contract_months[c]:
                    key3 = (h, c, m)
                    month_node = self._node(("contract month", c, m))
                    self._decision_arc(
                        self._node(("patients", h, m)),
                        month_node,
                        cap,
                        costs,
                        ("referrals", key3),
                        before("referrals", key3),
                    )
        # Additional capacity: own and others' patients together within C[g,k,m].
        for g in suppliers:
            for m in months:
                if ("additional", g, m) in self._nodes:
                    self._arc(
                        self._node(("additional", g, m)), self._sink, data.additional_capacity[g, k, m], {}
                    )
        for c in contracts:
            contract = data.contracts[c]
            whole = self._node(("contract", c))
            for m in data.contract_months[c]:
                if ("contract month", c, m) in self._nodes:
                    monthly = contract.volume_max if contract.monthly_max is None else contract.monthly_max
                    self._arc(self._node(("contract month", c, m)), whole, monthly, {})
            # Take-or-pay: the first volume_min referrals are paid for anyway (their price is
            # refunded here; spec cost adds volume_min * price as a constant).
            self._arc(whole, self._sink, contract.volume_min, {"cost": -contract.price_sek})
            self._arc(whole, self._sink, max(0, contract.volume_max - contract.volume_min), {})

    def _previous_total(self, previous: Decisions | None) -> int:
        """The previous plan's additional units, transfers and referrals in this category."""
        if previous is None:
            return 0
        k, contracts = self.category, self.data.contracts
        return (
            sum(v for key, v in previous.additional_own.items() if key[1] == k)
            + sum(v for key, v in previous.transfers.items() if key[2] == k)
            + sum(v for key, v in previous.referrals.items() if contracts[key[1]].category == k)
        )

    def _spend_costs(self) -> None:
        """For each hospital with a frame, what its patients' decisions cost (spec section 7): the
        price on its a, t and e arcs, as `spend:<hospital>` (take-or-pay refunds are no one's)."""
        frames = self.data.frames
        if not frames:
            return
        patient, decision = self._patients()
        for h in frames:
            self.costs[f"spend:{h}"] = np.where(decision & (patient == h), self.costs["cost"], 0).astype(
                np.int64
            )

    def _patients(self) -> tuple[np.ndarray, np.ndarray]:
        """Each arc's patients' hospital ("" off the decisions) and whether it is a decision of
        a, t or e (base units are no one's spend and no change)."""
        patient = np.array(
            [
                carries[1][0] if carries is not None and carries[0] != "base_used" else ""
                for carries in self.carries
            ],
            dtype=object,
        )
        return patient, patient != ""

    def add_change_terms(self, previous: Decisions) -> None:
        """Each hospital's change against the previous plan as a term of its own, so that a stage
        can hold it (a re-plan's change allowance): `change:<h>` counts the stability arcs of h's
        patients' decisions, `change_sek:<h>` the same at each arc's price, each with the previous
        plan's values of h in this category as its constant (as stability has the category's)."""
        patient, decision = self._patients()
        moved = self.costs["stability"]
        # |0 - x_prev| of every previous decision, priced as the change terms price it.
        before = {
            h: figures
            for (h, k), figures in changes(self.data, Decisions(), previous).items()
            if k == self.category
        }
        for h in self.data.hospitals:
            own = decision & (patient == h)
            self.costs[change_term(h, False)] = np.where(own, moved, 0).astype(np.int64)
            self.costs[change_term(h, True)] = np.where(own, moved * self.costs["cost"], 0).astype(np.int64)
            self.constants[change_term(h, False)], self.constants[change_term(h, True)] = before.get(
                h, (0, 0)
            )

    def _frozen_months_stay(self, previous: Decisions, until: int) -> None:
        """Every decision of the months up to `until` equals the previous plan's: its arcs fixed."""
        k = self.category
        remaining: dict[tuple[str, Any], int] = {}
        for kind in ("base_used", "additional_own", "transfers", "referrals"):
            for key, value in getattr(previous, kind).items():
                category = self.data.contracts[key[1]].category if kind == "referrals" else key[-2]
                if key[-1] <= until and category == k:
                    remaining[kind, key] = value
        for index, carries in enumerate(self.carries):
            if carries is None or carries[1][-1] > until:
                continue
            take = min(remaining.get(carries, 0), int(self.upper[index]))
            remaining[carries] = remaining.get(carries, 0) - take
            self.lower[index] = self.upper[index] = take
        # A decided flow that the rules no longer allow has no arc (or too small a one): CP-SAT
        # says the re-plan is infeasible and names why.
        if any(value > 0 for value in remaining.values()):
            self.usable = False

    # -- solving --------------------------------------------------------------------------
    @property
    def arc_count(self) -> int:
        return len(self.carries)

    @property
    def is_empty(self) -> bool:
        return not any(carries is not None for carries in self.carries)

    def solve(self, term: str) -> FlowOutcome:
        """Minimise `term` over the plans optimal for every stage solved so far, then hold it."""
        started = time.perf_counter()
        if not self.usable:
            return FlowOutcome("UNUSABLE", 0.0, None)
        cost = self.costs[term]
        self._before = (term, self.lower.copy(), self.upper.copy())
        flow = self._min_cost_flow(cost)
        if flow is None:
            self.usable = False
            return FlowOutcome("NOT SOLVED", time.perf_counter() - started, None)
        self._hold_optimal_face(flow, cost)
        return FlowOutcome("OPTIMAL", time.perf_counter() - started, self._decisions(flow))

    def saved(self) -> SavedFace:
        """The face and the optima held so far, for `restore`."""
        return SavedFace(self.lower.copy(), self.upper.copy(), self.usable, dict(self.optimum), self._before)

    def restore(self, saved: SavedFace) -> None:
        """Hold again only what was held when `saved` was taken (the stages since are not held)."""
        self.lower, self.upper = saved.lower.copy(), saved.upper.copy()
        self.usable, self.optimum, self._before = saved.usable, dict(saved.optimum), saved.before

    def undo(self) -> None:
        """Forget the last stage solved: its optimum is not held per category after all (the
        stage turned out to couple the categories)."""
        if self._before is not None:
            term, self.lower, self.upper = self._before
            self.optimum.pop(term, None)
            self._before = None

    def over_by_hospital(self, flow: np.ndarray) -> np.ndarray:
        """Patient-months beyond the guarantee per hospital (indexed as data.hospitals) of a flow."""
        on_list = self.waiting_list >= 0
        waiting = np.bincount(self.waiting_list[on_list], flow[on_list], minlength=len(self.list_owner))
        over = np.maximum(waiting - np.asarray(self.list_limit, dtype=np.int64), 0)
        return np.bincount(
            np.asarray(self.list_owner, dtype=np.int64), over, minlength=len(self.data.hospitals)
        ).astype(np.int64)

    def priced(self, cost: np.ndarray, hospital_weights: np.ndarray) -> np.ndarray:
        """`cost` plus each hospital's weight on its arcs of patient-months beyond the guarantee."""
        owner = np.asarray(self.list_owner, dtype=np.int64)
        over_arc = (self.waiting_list >= 0) & (self.costs["over_guarantee"] > 0)
        total_cost = cost.copy()
        total_cost[over_arc] += hospital_weights[owner[self.waiting_list[over_arc]]]
        return total_cost

    def cheapest(self, priced_cost: np.ndarray) -> tuple[int, np.ndarray] | None:
        """The least `priced_cost` (from `priced`) over this category's plans optimal for its
        stages so far (the face is left as it is), and a flow reaching it; None when the network
        cannot be solved. Exact, so a valid part of a Lagrangian bound. (On the waiting-list arcs
        beyond the limit the weight is per patient-month; with a weight above 0 the flow fills the
        arc within the limit first, so its cost is X_h exactly.)"""
        if not self.usable:
            return None
        result = self._min_cost_flow(priced_cost)
        if result is None:
            return None
        return int(np.dot(priced_cost, result)), result

    def decisions(self, flow: np.ndarray) -> Decisions:
        return self._decisions(flow)

    def _min_cost_flow(
        self, cost: np.ndarray, lower: np.ndarray | None = None, upper: np.ndarray | None = None
    ) -> np.ndarray | None:
        """An optimal flow for `cost` within [lower, upper] (the face when not given), or None."""
        lower = self.lower if lower is None else lower
        upper = self.upper if upper is None else upper
        solver = min_cost_flow.SimpleMinCostFlow()
        arcs = solver.add_arcs_with_capacity_and_unit_cost(self.tail, self.head, upper - lower, cost)
        supply = self.supply.copy()
        # Lower bounds: their flow is sent up front.
        np.subtract.at(supply, self.tail, lower)
        np.add.at(supply, self.head, lower)
        solver.set_nodes_supplies(np.arange(len(supply), dtype=np.int64), supply)
        if solver.solve() != solver.OPTIMAL:
            return None
        flow: np.ndarray = lower + solver.flows(arcs)
        return flow

    def flow_of(self, decisions: Decisions) -> np.ndarray | None:
        """The flow of a plan's decisions in this category (waiting lists within their limit
        first, take-or-pay minimums used first), or None if the plan lies outside the face."""
        lower, upper = self.lower.copy(), self.upper.copy()
        remaining: dict[tuple[str, Any], int] = {}
        for index, carries in enumerate(self.carries):
            if carries is None:
                continue
            if carries not in remaining:
                remaining[carries] = int(getattr(decisions, carries[0]).get(carries[1], 0))
            take = min(remaining[carries], int(self.upper[index]))
            if take < self.lower[index]:
                return None
            remaining[carries] -= take
            lower[index] = upper[index] = take
        if any(remaining.values()):
            return None
        canonical = self.costs["over_guarantee"] - (self.costs["cost"] < 0).astype(np.int64)
        return self._min_cost_flow(canonical, lower, upper)

    def rounded(self, mix: np.ndarray, cost: np.ndarray) -> np.ndarray | None:
        """A whole flow within one unit of a convex combination of this category's flows on every
        arc, least in `cost` among those. One exists: the combination is a flow within the box
        [floor, ceil], and a network with whole bounds has whole flows wherever it has flows."""
        lower = np.maximum(np.floor(mix + 1e-9).astype(np.int64), self.lower)
        upper = np.minimum(np.ceil(mix - 1e-9).astype(np.int64), self.upper)
        if np.any(lower > upper):
            return None
        return self._min_cost_flow(cost, lower, upper)

    def bounds_beyond(self, priced_cost: np.ndarray, budget: int) -> tuple[np.ndarray, np.ndarray] | None:
        """Reduced-cost fixing: if every plan this category may take costs at most `budget` more,
        at `priced_cost`, than the cheapest, an arc whose reduced cost exceeds that keeps the
        cheapest flow's value. The face's bounds so tightened, or None (unsolvable, or no budget)."""
        if budget < 0:
            return None
        flow = self._min_cost_flow(priced_cost)
        if flow is None:
            return None
        potential = self._potentials(flow, priced_cost)
        reduced = priced_cost + potential[self.tail] - potential[self.head]
        fixed = (np.abs(reduced) > budget) & (self.lower < self.upper)
        return np.where(fixed, flow, self.lower), np.where(fixed, flow, self.upper)

    def fix_beyond(self, priced_cost: np.ndarray, budget: int) -> int:
        """bounds_beyond, kept as the face from now on. Returns how many arcs it fixed."""
        tightened = self.bounds_beyond(priced_cost, budget)
        if tightened is None:
            return 0
        fixed = int(np.count_nonzero(tightened[0] == tightened[1])) - int(
            np.count_nonzero(self.lower == self.upper)
        )
        self.lower, self.upper = tightened
        return fixed

    def decision_bounds(
        self, bounds: tuple[np.ndarray, np.ndarray] | None = None
    ) -> dict[tuple[str, Any], tuple[int, int]]:
        """Each decision's range within the face, or within `bounds` (its arcs' bounds summed)."""
        lower, upper = bounds if bounds is not None else (self.lower, self.upper)
        ranges: dict[tuple[str, Any], tuple[int, int]] = {}
        for index, carries in enumerate(self.carries):
            if carries is not None:
                low, high = ranges.get(carries, (0, 0))
                ranges[carries] = (low + int(lower[index]), high + int(upper[index]))
        return ranges

    def _hold_optimal_face(self, flow: np.ndarray, cost: np.ndarray) -> None:
        """Fix every arc whose reduced cost is not 0: all of the stage's optimal flows agree there."""
        potential = self._potentials(flow, cost)
        reduced = cost + potential[self.tail] - potential[self.head]
        fixed = reduced != 0
        self.lower = np.where(fixed, flow, self.lower)
        self.upper = np.where(fixed, flow, self.upper)

    def _potentials(self, flow: np.ndarray, cost: np.ndarray) -> np.ndarray:
        """Shortest-path distances in the residual network from a root joined to every node
        at no cost (Bellman-Ford, vectorised). An optimal flow leaves no negative cycle, so they
        exist, and cost + d[tail] - d[head] >= 0 on every residual arc."""
        forward = flow < self.upper
        backward = flow > self.lower
        tails = np.concatenate([self.tail[forward], self.head[backward]])
        heads = np.concatenate([self.head[forward], self.tail[backward]])
        weights = np.concatenate([cost[forward], -cost[backward]])
        distance = np.zeros(len(self.supply), dtype=np.int64)
        for _ in range(len(self.supply) + 1):
            candidate = distance.copy()
            np.minimum.at(candidate, heads, distance[tails] + weights)
            if np.array_equal(candidate, distance):
                return distance
            distance = candidate
        raise AssertionError("negative cycle in an optimal flow's residual network")

    def _decisions(self, flow: np.ndarray) -> Decisions:
        decisions = Decisions()
        for index in np.flatnonzero(flow):
            carries = self.carries[index]
            if carries is not None:
                kind, key = carries
                values = getattr(decisions, kind)
                values[key] = values.get(key, 0) + int(flow[index])
        return decisions
