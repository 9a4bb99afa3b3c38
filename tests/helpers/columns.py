"""The column generation's stages (optimizer/volumes/columns.py) run up to the one a test looks at,
and CP-SAT's parameters for the reference models they are compared with."""

from __future__ import annotations

from leveransplan.models import VolumeData
from leveransplan.optimizer.volumes.columns import by_columns
from leveransplan.optimizer.volumes.decomposition import ColumnsResult, Linking
from leveransplan.optimizer.volumes.driver import greedy_base_plan
from leveransplan.optimizer.volumes.flow import CategoryFlow
from leveransplan.optimizer.volumes.model import SolveParameters

CP_SAT = SolveParameters(time_limit_s=20, workers=1, seed=0)


def category_networks(data: VolumeData) -> dict[str, CategoryFlow]:
    """Each category's network with its over_guarantee optimum held."""
    flows = {k: CategoryFlow(data, k) for k in data.categories}
    for network in flows.values():
        assert network.solve("over_guarantee").status == "OPTIMAL"
    return flows


def equity_then_cost(data: VolumeData) -> tuple[ColumnsResult, ColumnsResult] | None:
    """The equity stage by columns, its value held, then the cost stage: (equity, cost); None when
    no hospital has inflow."""
    flows = category_networks(data)
    current = greedy_base_plan(data)
    for k in data.categories:
        outcome = CategoryFlow(data, k).solve("over_guarantee")
        assert outcome.decisions is not None
        current.update(outcome.decisions, {k}, data)
    equity = by_columns(data, flows, list(data.categories), current, Linking(None), lambda: 10.0)
    if equity is None:  # no hospital with inflow: nothing to decompose
        return None
    equity.hold(equity.value)
    cost_linking = Linking("cost", equity.value)
    cost = by_columns(data, flows, list(data.categories), equity.decisions, cost_linking, lambda: 10.0)
    assert cost is not None
    return equity, cost


def travel_after_cost(
    data: VolumeData,
) -> tuple[ColumnsResult, ColumnsResult, dict[str, CategoryFlow], Linking] | None:
    """Equity and cost by columns, cost then held in the networks: (equity, cost, the networks,
    the travel stage's linking rules with both held); None when no hospital has inflow."""
    stages = equity_then_cost(data)
    if stages is None:
        return None
    equity, cost = stages
    cost.hold(cost.value)
    assert cost.problem is not None
    return equity, cost, cost.problem.flows, Linking("travel", equity.value, {"cost": cost.value})
