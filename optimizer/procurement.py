"""What procuring the candidate contracts buys: the over_guarantee stage solved without them.

The plan's over_guarantee is reached with the candidates; the same stage solved with only the
region's own capacity and its existing contracts (the same budget and frames, and the same
stages before it when the order puts any first) is what the region gets without procuring
anything. The difference is the patient-months the candidates buy
together. It is one figure for all candidates: a figure per candidate would need a solve per
candidate left out, and such figures do not add up to the total when candidates stand in for
one another.
"""

from __future__ import annotations

from leveransplan.models.plan import StageResult
from leveransplan.models.scenario import Scenario
from leveransplan.optimizer.errors import Infeasible, NoPlanInTime
from leveransplan.optimizer.volumes.driver import solve_volumes

# The progress record's name for this solve, apart from the plan's own volume stages.
MODEL = "volumes without candidates"


def without_candidates(scenario: Scenario) -> Scenario:
    """The scenario with only its existing contracts, and its order up to over_guarantee: the
    stages that decide the plan's over_guarantee (with the spec's default order, that one alone)."""
    contracts = tuple(c for c in scenario.contracts if not c.candidate)
    order = scenario.objective.volumes
    up_to = order[: order.index("over_guarantee") + 1]
    objective = scenario.objective.model_copy(update={"volumes": tuple(t for t in up_to if t != "procured")})
    return scenario.model_copy(update={"contracts": contracts, "objective": objective})


def over_guarantee_without_candidates(scenario: Scenario, seconds: float) -> StageResult | None:
    """The over_guarantee stage without the candidate contracts, within `seconds`; None when the
    order does not minimise over_guarantee or no plan was found in time."""
    if "over_guarantee" not in scenario.objective.volumes:
        return None
    settings = scenario.solver.model_copy(update={"time_limit_s": seconds})
    try:
        solution = solve_volumes(without_candidates(scenario).model_copy(update={"solver": settings}))
    except (Infeasible, NoPlanInTime):
        # Without candidates the plan of base units is the same as with them, so this happens
        # only when the time runs out: the figure is then not known.
        return None
    return solution.stage("over_guarantee")
