"""The marginal figure at a plan's budget: what another 10 MSEK would remove, and where it would go.

At the scenario's budget B and at B + 10 000 000 SEK the volume model minimises over_guarantee,
then cost: the cost stage makes each plan the cheapest one with its patient-months, so the
difference between the two plans is what the extra money buys, not an arbitrary rearrangement
that costs the same. Without a budget, or when the unconstrained optimum costs no more than B,
money does not bind and nothing is solved beyond that optimum.

The plan within B is within B + 10 MSEK too, and a bound proven within B + 10 MSEK holds within
B: so the figure keeps the better plan and the better bound of the two solves (as the frontier
does, optimizer/frontier.py).
"""

from __future__ import annotations

from collections import defaultdict

from models.derived import VolumeData
from models.evaluation import Decisions
from models.frontier import BudgetResult, MarginalFigure, Spending
from models.plan import VolumeSolution
from models.scenario import Scenario
from optimizer.frontier import within_budget
from optimizer.search import current_run, current_run_or_none, search_run

EXTRA_SEK = 10_000_000
ORDER = ("over_guarantee", "cost")


def marginal_figure(
    scenario: Scenario,
    extra_sek: int = EXTRA_SEK,
    previous: Decisions | None = None,
    frozen_until: int | None = None,
) -> MarginalFigure:
    """The marginal figure at `scenario.max_cost_sek`, within `scenario.solver.time_limit_s`.

    `previous` and `frozen_until`: the months of a re-plan that are already decided stay as in
    `previous` in both solves (the plan's own decisions there).
    """
    budget = scenario.max_cost_sek
    if budget is None:
        return MarginalFigure(budget_sek=None, extra_sek=extra_sek, unconstrained_cost_sek=None)
    if current_run_or_none() is None:
        with search_run(scenario.solver.deterministic):
            return marginal_figure(scenario, extra_sek, previous, frozen_until)
    run = current_run()
    started, limit = run.now(), scenario.solver.time_limit_s

    def share(solves_left: int) -> float:
        return (limit - (run.now() - started)) / solves_left

    data = VolumeData.from_scenario(scenario)
    run.progress.start_model("marginal: unconstrained", run.now())
    top = within_budget(scenario, None, ORDER, share(3), previous, frozen_until)
    most = top.values.term("cost")
    if most <= budget:
        return MarginalFigure(budget_sek=budget, extra_sek=extra_sek, unconstrained_cost_sek=most)
    run.progress.start_model("marginal: at the budget", run.now())
    low = within_budget(scenario, budget, ORDER, share(2), previous, frozen_until)
    if budget + extra_sek >= most:
        high = top
    else:
        run.progress.start_model("marginal: with the extra money", run.now())
        high = within_budget(scenario, budget + extra_sek, ORDER, share(1), previous, frozen_until)
    # The plan within the budget is within the larger one too: keep the better of the two there.
    if low.values.over_guarantee() < high.values.over_guarantee():
        high = low
    low_bound = max(low.stage("over_guarantee").bound, high.stage("over_guarantee").bound)
    return MarginalFigure(
        budget_sek=budget,
        extra_sek=extra_sek,
        unconstrained_cost_sek=most,
        at_budget=_result(budget, low, low_bound),
        with_extra=_result(budget + extra_sek, high, high.stage("over_guarantee").bound),
        spending=tuple(spending_between(data, low.decisions, high.decisions)),
    )


def _result(budget: int, solution: VolumeSolution, bound: int) -> BudgetResult:
    value = solution.values.over_guarantee()
    return BudgetResult(budget, value, min(bound, value), solution.values.term("cost"))


def spending_between(data: VolumeData, before: Decisions, after: Decisions) -> list[Spending]:
    """What `after` buys that `before` does not, per hospital, category, channel and provider,
    summed over the months: most SEK first, then what it buys less of (the money moved away)."""
    units: dict[tuple[str, str, str, str, str], int] = defaultdict(int)
    price: dict[tuple[str, str, str, str, str], int] = {}
    for sign, plan in ((-1, before), (1, after)):
        for (h, k, _m), v in plan.additional_own.items():
            key = (h, k, "additional", h, "")
            units[key] += sign * v
            price[key] = data.additional_price(h, k)
        for (h, g, k, _m), v in plan.transfers.items():
            key = (h, k, "transfer", g, "")
            units[key] += sign * v
            price[key] = data.additional_price(g, k)
        for (h, c, _m), v in plan.referrals.items():
            contract = data.contracts[c]
            key = (h, contract.category, "referral", contract.provider, c)
            units[key] += sign * v
            price[key] = contract.price_sek
    # A take-or-pay minimum is paid whether used or not: referrals that use more of it cost nothing
    # extra, which this line of fewer unused units (negative SEK) makes up for.
    used_before, used_after = _contract_use(before), _contract_use(after)
    for c, contract in data.contracts.items():
        unused_before = max(0, contract.volume_min - used_before.get(c, 0))
        unused_after = max(0, contract.volume_min - used_after.get(c, 0))
        if unused_after != unused_before:
            key = ("", contract.category, "unused_minimum", contract.provider, c)
            units[key] = unused_after - unused_before
            price[key] = contract.price_sek
    changes = [
        Spending(h, k, channel, provider, contract, v, v * price[h, k, channel, provider, contract])
        for (h, k, channel, provider, contract), v in units.items()
        if v
    ]
    return sorted(
        changes, key=lambda s: (-s.cost_sek, -s.units, s.hospital, s.category, s.provider, s.contract)
    )


def _contract_use(plan: Decisions) -> dict[str, int]:
    used: dict[str, int] = defaultdict(int)
    for (_h, c, _m), v in plan.referrals.items():
        used[c] += v
    return used


def describe_marginal(figure: MarginalFigure, top: int = 10) -> list[str]:
    """The figure in a few lines of plain words, for the terminal."""
    extra = _msek(figure.extra_sek)
    if figure.budget_sek is None:
        return [
            "No budget: money does not bind. The plan is at the unconstrained optimum of patient-months "
            "beyond the guarantee; more money would remove none."
        ]
    budget = _sek(figure.budget_sek)
    if not figure.binds:
        assert figure.unconstrained_cost_sek is not None
        return [
            f"The budget of {budget} SEK does not bind: the unconstrained optimum costs "
            f"{_sek(figure.unconstrained_cost_sek)} SEK. Another {extra} MSEK would remove no patient-month "
            "beyond the guarantee."
        ]
    assert figure.at_budget is not None and figure.with_extra is not None
    removed = figure.removed
    if figure.proven:
        amount = f"removes {_sek(removed)} patient-months beyond the guarantee"
    else:
        least, most = figure.removed_range
        amount = (
            f"removes {_sek(removed)} patient-months beyond the guarantee in the plans found (between "
            f"{_sek(least)} and {_sek(most)} as far as proven: the time limit stopped a solve)"
        )
    spent = figure.with_extra.cost_sek - figure.at_budget.cost_sek
    reaches = (
        " It reaches the unconstrained optimum: money beyond that buys nothing."
        if figure.unconstrained_cost_sek is not None
        and figure.unconstrained_cost_sek <= figure.with_extra.budget_sek
        else ""
    )
    lines = [
        f"At the budget of {budget} SEK, another {extra} MSEK {amount}: "
        f"{_sek(figure.at_budget.over_guarantee)} -> {_sek(figure.with_extra.over_guarantee)}; "
        f"the plan then costs {_sek(spent)} SEK more.{reaches}"
    ]
    if figure.spending:
        lines.append("Where the extra money would go (the cheapest plan at each budget, most SEK first):")
        for s in figure.spending[:top]:
            lines.append("  " + spending_words(s))
        if len(figure.spending) > top:
            lines.append(
                f"  ... and {len(figure.spending) - top} more changes (explain --json lists them all)"
            )
    return lines


def spending_words(s: Spending) -> str:
    """One change of plan in words: "transfers of SU's patients to NU in k: +3, +450 SEK"."""
    if s.channel == "additional":
        what = f"additional units at {s.hospital} for its own patients"
    elif s.channel == "transfer":
        what = f"transfers of {s.hospital}'s patients to {s.provider}"
    elif s.channel == "referral":
        what = f"referrals of {s.hospital}'s patients to {s.contract} ({s.provider})"
    else:
        what = f"unused take-or-pay units of {s.contract} ({s.provider})"
    units = f"{s.units:+,}".replace(",", " ")
    money = f"{s.cost_sek:+,}".replace(",", " ")
    return f"{what} in {s.category}: {units}, {money} SEK"


def _sek(value: int) -> str:
    return f"{value:,}".replace(",", " ")


def _msek(value: int) -> str:
    return f"{value / 1e6:,.6g}".replace(",", " ")
