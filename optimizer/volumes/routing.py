"""Each month's patients routed to the capacities the plan uses, at the least travel.

A plan fixes, for each category k and month m, how many of hospital h's patients leave its
waiting list for additional care (its own additional units, transfers and referrals together:
D_h), how many additional units each hospital g produces (for itself and for others: S_g) and
how many patients each contract takes in that month (U_c). Which patients fill which of those
places changes none of the other terms:

- every waiting list is the same, so over_guarantee and equity are;
- a transfer to g and g's own additional unit are both paid at g's additional price, and each
  contract is used as much in every month, so cost is (take-or-pay included);
- out_of_region contracts are used as much, so out_of_region is, and candidate contracts
  are, so procured is.

Only travel (and stability, against a previous plan) changes. Routing D_h to S_g and U_c at the
least travel is a transportation problem, solved exactly as a min-cost flow (h to h costs 0;
another hospital or a contract's provider costs its travel minutes; only allowed pairs).

Why: a plan held to the last SEK of the cost stage may send hospital A's patients to B while B
sends its own to C, where B treating its own and A's going to C costs the same. Generic searches
(CP-SAT, HiGHS from the same start) do not find these exchanges in a joint model of hundreds of
thousands of variables; a transportation problem per category and month finds them at once,
every other term unchanged.

In a solve (Routing), every plan of the travel stage is routed before it is compared, except
while stability against a previous plan is held (routing changes it) and in frozen months.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from ortools.graph.python import min_cost_flow

from leveransplan.models.derived import VolumeData
from leveransplan.models.evaluation import Decisions, TermValues
from leveransplan.optimizer.volumes.state import SolveState

# A place patients can be treated in a month: ("hospital", g) or ("contract", c).
Place = tuple[str, str]


def nearest_routing(
    data: VolumeData, plan: Decisions, categories: list[str], first_month: int = 1
) -> Decisions:
    """`plan` with the patients of `categories` in months `first_month` onward routed to the
    same places at the least travel (see the module docstring); earlier months (frozen) and
    other categories are as in `plan`."""
    chosen = set(categories)
    leaving: dict[tuple[str, int], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    filled: dict[tuple[str, int], dict[Place, int]] = defaultdict(lambda: defaultdict(int))
    for (h, k, m), units in plan.additional_own.items():
        if k in chosen and m >= first_month:
            leaving[k, m][h] += units
            filled[k, m]["hospital", h] += units
    for (h, g, k, m), units in plan.transfers.items():
        if k in chosen and m >= first_month:
            leaving[k, m][h] += units
            filled[k, m]["hospital", g] += units
    for (h, c, m), units in plan.referrals.items():
        k = data.contracts[c].category
        if k in chosen and m >= first_month:
            leaving[k, m][h] += units
            filled[k, m]["contract", c] += units
    routed = Decisions(
        dict(plan.base_used),
        {
            key: n
            for key, n in plan.additional_own.items()
            if not (key[1] in chosen and key[2] >= first_month)
        },
        {key: n for key, n in plan.transfers.items() if not (key[2] in chosen and key[3] >= first_month)},
        {
            key: n
            for key, n in plan.referrals.items()
            if not (data.contracts[key[1]].category in chosen and key[2] >= first_month)
        },
    )
    for (k, m), patients in leaving.items():
        sources = sorted(h for h, n in patients.items() if n > 0)
        places = sorted(p for p, n in filled[k, m].items() if n > 0)
        if len(sources) == 1 and len(places) == 1:
            # One way only: nothing to route.
            flows = {(sources[0], places[0]): patients[sources[0]]}
        else:
            flows = _least_travel(data, sources, patients, places, filled[k, m])
        _add_month(routed, k, m, flows)
    return routed


def _least_travel(
    data: VolumeData,
    sources: list[str],
    patients: dict[str, int],
    places: list[Place],
    units: dict[Place, int],
) -> dict[tuple[str, Place], int]:
    """The transportation problem of one category and month, solved as a min-cost flow."""
    tails: list[int] = []
    heads: list[int] = []
    minutes: list[int] = []
    pairs: list[tuple[str, Place]] = []
    for i, h in enumerate(sources):
        for j, place in enumerate(places):
            kind, name = place
            if kind == "hospital":
                if name != h and not data.allowed(h, name):
                    continue
                cost = 0 if name == h else data.travel_minutes(h, name)
            else:
                provider = data.contracts[name].provider
                if not data.allowed(h, provider):
                    continue
                cost = data.travel_minutes(h, provider)
            tails.append(i)
            heads.append(len(sources) + j)
            minutes.append(cost)
            pairs.append((h, place))
    solver = min_cost_flow.SimpleMinCostFlow()
    capacity = np.array([patients[h] for h, _place in pairs], dtype=np.int64)
    arcs = solver.add_arcs_with_capacity_and_unit_cost(
        np.array(tails, dtype=np.int64), np.array(heads, dtype=np.int64), capacity, np.array(minutes)
    )
    supply = [patients[h] for h in sources] + [-units[place] for place in places]
    solver.set_nodes_supplies(np.arange(len(supply), dtype=np.int64), np.array(supply, dtype=np.int64))
    status = solver.solve()
    # The plan's own routing is a flow of this network, so it always has an optimum.
    assert status == solver.OPTIMAL, f"routing network not solved ({status})"
    return {pair: int(flow) for pair, flow in zip(pairs, solver.flows(arcs), strict=True) if flow}


def _add_month(plan: Decisions, category: str, month: int, flows: dict[tuple[str, Place], int]) -> None:
    """The category's additional units, transfers and referrals of the month, from `flows`."""
    for (h, (kind, name)), units in flows.items():
        if kind == "contract":
            plan.referrals[h, name, month] = units
        elif name == h:
            plan.additional_own[h, category, month] = units
        else:
            plan.transfers[h, name, category, month] = units


class Routing:
    """The travel stage's plans routed at the least travel, and how long that takes."""

    def __init__(self, state: SolveState) -> None:
        self.state = state

    def routed(self, plan: Decisions, term: str | None, categories: list[str] | None = None) -> Decisions:
        """In the travel stage, `plan` with each month's patients of the coupled categories (or
        `categories`) routed to the same places at the least travel (nearest_routing):
        every other term keeps its value, so every hold still holds. Not while stability against a
        previous plan is held (routing changes it), nor in frozen months."""
        state = self.state
        held = {stage.objective for stage in state.stages}
        if term != "travel" or (state.previous is not None and "stability" in held):
            return plan
        chosen = categories if categories is not None else state.holds.coupled or list(state.data.categories)
        first_month = state.frozen_until + 1 if state.frozen_until is not None else 1
        # On the run's clock: in deterministic mode it stands still outside CP-SAT.
        started = state.search.now()
        routed = nearest_routing(state.data, plan, chosen, first_month)
        if state.money.frames and not state.money.kept(routed):
            routed = self._within_frames(plan, chosen, first_month)
        state.time.routing_seconds = max(state.time.routing_seconds, state.search.now() - started)
        return routed

    def _within_frames(self, plan: Decisions, categories: list[str], first_month: int) -> Decisions:
        """`plan` routed category by category, each category's routing kept when every frame
        still holds. Routing keeps the cost but moves spend between hospitals (A's patient sent
        to C instead of B's), so routing every category at once may break a frame that binds."""
        data = self.state.data
        frames = self.state.money.frames
        spend = {h: TermValues(data, plan).spend(h) for h in frames}
        result = plan
        for k in categories:
            candidate = nearest_routing(data, result, [k], first_month)
            before = TermValues(data, result, categories=[k])
            after = TermValues(data, candidate, categories=[k])
            changed = {h: spend[h] - before.spend(h, [k]) + after.spend(h, [k]) for h in frames}
            if all(changed[h] <= frame for h, frame in frames.items()):
                result, spend = candidate, changed
        return result
