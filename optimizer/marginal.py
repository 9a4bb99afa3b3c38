"""The marginal figure at a plan's budget: what another 10 MSEK would remove, and where it would go.

At the scenario's budget B the volume model minimises over_guarantee, then cost: the cheapest plan
with the fewest patient-months beyond the guarantee. Within B + 10 000 000 SEK it minimises
over_guarantee, then cost, then the changes against the plan within B (the stability term, with
that plan as the previous one). Without a budget, or when the unconstrained optimum costs no
more than B, money does not bind and nothing is solved beyond that optimum.

Many plans leave about the same patient-months beyond the guarantee at about the same cost, and
two solved apart differ in hundreds of places that have nothing to do with the money (on the
shipped scenario at 900 MSEK: 835 changes for 10 MSEK, the stability stage left no time by the
over_guarantee stage). So the plan shown within B + 10 MSEK takes each category either as the
plan within B has it or as the larger solve does, whichever leaves the fewest patient-months
within B + 10 MSEK and the frames, then the fewest categories changed (`nearest_by_category`):
never worse than the larger solve's plan, and the categories the money does not reach stay as
they were (there: 8 categories changed, 1 patient-month fewer than the larger solve's plan).

The plan within B is within B + 10 MSEK too, and a bound proven within B + 10 MSEK holds within
B: so the figure keeps the better bound of the two solves (as the frontier does,
optimizer/frontier.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from ortools.sat.python import cp_model

from leveransplan.models.derived import VolumeData
from leveransplan.models.evaluation import Decisions, TermValues
from leveransplan.models.frontier import BudgetResult, MarginalFigure, Spending
from leveransplan.models.language import N_, _
from leveransplan.models.numbers import grouped, msek, signed
from leveransplan.models.scenario import Scenario
from leveransplan.optimizer.frontier import within_budget
from leveransplan.optimizer.search import current_run, current_run_or_none, search_run

EXTRA_SEK = 10_000_000
ORDER = ("over_guarantee", "cost")
# With the plan within the budget as the previous plan: the changes against it come last.
NEAREST = ("over_guarantee", "cost", "stability")
# Each of the two solves choosing, per category, the plan within the budget or the larger one.
_CHOICE_SECONDS = 2.0


def marginal_figure(
    scenario: Scenario,
    extra_sek: int = EXTRA_SEK,
    previous: Decisions | None = None,
    frozen_until: int | None = None,
) -> MarginalFigure:
    """The marginal figure at `scenario.max_cost_sek`, within `scenario.solver.time_limit_s`.

    `previous` and `frozen_until`: the months of a re-plan that are already decided stay as in
    `previous` in every solve (the plan's own decisions there; the plan within the budget keeps
    them too, so it can stand in as the previous plan of the last solve).
    """
    budget = scenario.max_cost_sek
    frames = any(h.frame_sek is not None for h in scenario.hospitals)
    if budget is None:
        return MarginalFigure(
            budget_sek=None, extra_sek=extra_sek, unconstrained_cost_sek=None, frames=frames
        )
    if current_run_or_none() is None:
        with search_run(scenario.solver.deterministic):
            return marginal_figure(scenario, extra_sek, previous, frozen_until)
    run = current_run()
    started, limit = run.now(), scenario.solver.time_limit_s

    def share(solves_left: int) -> float:
        return (limit - (run.now() - started)) / solves_left

    data = VolumeData.from_scenario(scenario)
    run.progress.start_model(_("marginal: unconstrained"), run.now())
    top = within_budget(scenario, None, ORDER, share(3), previous, frozen_until)
    most = top.values.term("cost")
    if most <= budget:
        return MarginalFigure(
            budget_sek=budget, extra_sek=extra_sek, unconstrained_cost_sek=most, frames=frames
        )
    run.progress.start_model(_("marginal: at the budget"), run.now())
    low = within_budget(scenario, budget, ORDER, share(2), previous, frozen_until)
    # Beyond the unconstrained optimum's cost the budget binds nothing: solved without it, the
    # stages separate by category (networks, in milliseconds).
    larger = budget + extra_sek if budget + extra_sek < most else None
    run.progress.start_model(_("marginal: with the extra money"), run.now())
    high = within_budget(scenario, larger, NEAREST, share(1), low.decisions, frozen_until)
    plan = nearest_by_category(data, low.decisions, high.decisions, budget + extra_sek, scenario)
    before, after = TermValues(data, low.decisions), TermValues(data, plan)
    # Bounds: within the larger budget, its own solve's; within the budget, also that one (a
    # smaller budget allows fewer plans).
    high_bound = high.stage("over_guarantee").bound
    low_bound = max(low.stage("over_guarantee").bound, high_bound)
    spent = sum(after.spend_by_hospital_category.values()) - sum(before.spend_by_hospital_category.values())
    return MarginalFigure(
        budget_sek=budget,
        extra_sek=extra_sek,
        unconstrained_cost_sek=most,
        at_budget=_result(budget, before, low_bound),
        with_extra=_result(budget + extra_sek, after, high_bound),
        spending=tuple(spending_between(data, low.decisions, plan)),
        unused_minimum_sek=after.term("cost") - before.term("cost") - spent,
        frames=frames,
    )


def _result(budget: int, values: TermValues, bound: int) -> BudgetResult:
    value = values.over_guarantee()
    return BudgetResult(budget, value, min(bound, value), values.term("cost"))


def nearest_by_category(
    data: VolumeData, low: Decisions, high: Decisions, cap: int, scenario: Scenario
) -> Decisions:
    """The plan that takes each category either as in `low` or as in `high`, within `cap` SEK
    and every hospital's frame: the fewest patient-months beyond the guarantee, then the fewest
    categories taken from `high`.

    `high` itself is one such plan, so the result is never worse than it; and every category it
    keeps as in `low` is one where the extra money changes nothing. Two solves of a choice per
    category (CP-SAT, milliseconds): the categories are independent but for the cost and frames.
    """
    before, after = TermValues(data, low), TermValues(data, high)
    model = cp_model.CpModel()
    take = {k: model.new_bool_var(f"take[{k}]") for k in data.categories}
    for variable in take.values():
        model.add_hint(variable, 1)

    def total(of: Callable[[TermValues, str], int]) -> cp_model.LinearExprT:
        return sum(of(before, k) + (of(after, k) - of(before, k)) * take[k] for k in data.categories)

    def spend_of(hospital: str) -> Callable[[TermValues, str], int]:
        return lambda values, k: values.spend_by_hospital_category.get((hospital, k), 0)

    model.add(total(lambda values, k: values.term("cost", [k])) <= cap)
    for h, frame in data.frames.items():
        model.add(total(spend_of(h)) <= frame)
    over = total(lambda values, k: values.over_guarantee([k]))
    model.minimize(over)
    run = current_run()
    status, solver, _seconds = run.solve(model, scenario.solver, _CHOICE_SECONDS)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return high
    model.add(over <= round(solver.objective_value))
    model.minimize(sum(take.values()))
    status, solver, _seconds = run.solve(model, scenario.solver, _CHOICE_SECONDS)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return high
    plan = low.copy()
    plan.update(high, {k for k, variable in take.items() if solver.value(variable)}, data)
    return plan


def spending_between(data: VolumeData, before: Decisions, after: Decisions) -> list[Spending]:
    """What `after` does that `before` does not, per hospital and category, summed over the
    months: most SEK first, then what it spends less on (the money moved away)."""
    units: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for sign, plan in ((-1, before), (1, after)):
        for (h, k, _m), v in plan.additional_own.items():
            units[h, k][0] += sign * v
        for (h, _g, k, _m), v in plan.transfers.items():
            units[h, k][1] += sign * v
        for (h, c, _m), v in plan.referrals.items():
            units[h, data.contracts[c].category][2] += sign * v
    old, new = TermValues(data, before), TermValues(data, after)
    changes = []
    for h, k in sorted(set(units) | set(old.over_by_hospital_category) | set(new.over_by_hospital_category)):
        additional, transfers, referrals = units.get((h, k), [0, 0, 0])
        spent = new.spend_by_hospital_category.get((h, k), 0) - old.spend_by_hospital_category.get((h, k), 0)
        over = new.over_by_hospital_category.get((h, k), 0) - old.over_by_hospital_category.get((h, k), 0)
        if additional or transfers or referrals or spent or over:
            changes.append(Spending(h, k, additional, transfers, referrals, spent, over))
    return sorted(changes, key=lambda c: (-c.cost_sek, c.over_guarantee, c.hospital, c.category))


def describe_marginal(figure: MarginalFigure, top: int = 10) -> list[str]:
    """The figure in a few lines of plain words, for the terminal."""
    extra = msek(figure.extra_sek, ".6g")
    # The figure adds to the region's budget; a hospital's frame stays as it is.
    frames = (
        " "
        + _(
            "Each hospital's frame still caps what is spent on its patients; where one binds, it is named "
            "among the limits."
        )
        if figure.frames
        else ""
    )
    if figure.budget_sek is None:
        return [
            _(
                "No budget: money does not bind. The plan is at the unconstrained optimum of patient-months "
                "beyond the guarantee; more money would remove none."
            )
            + frames
        ]
    budget = grouped(figure.budget_sek)
    if not figure.binds:
        assert figure.unconstrained_cost_sek is not None
        return [
            _(
                "The budget of {budget} SEK does not bind: the unconstrained optimum costs {cost} SEK. "
                "Another {extra} MSEK would remove no patient-month beyond the guarantee."
            ).format(budget=budget, cost=grouped(figure.unconstrained_cost_sek), extra=extra)
            + frames
        ]
    assert figure.at_budget is not None and figure.with_extra is not None
    removed = figure.removed
    if figure.proven:
        amount = _("removes {removed} patient-months beyond the guarantee").format(removed=grouped(removed))
    else:
        least, most = figure.removed_range
        amount = _(
            "removes {removed} patient-months beyond the guarantee in the plans found (between {least} and "
            "{most} as far as proven: the time limit stopped a solve)"
        ).format(removed=grouped(removed), least=grouped(least), most=grouped(most))
    spent = figure.with_extra.cost_sek - figure.at_budget.cost_sek
    reaches = (
        " " + _("That reaches the unconstrained optimum: money beyond it buys nothing.")
        if figure.unconstrained_cost_sek is not None
        and figure.unconstrained_cost_sek <= figure.with_extra.budget_sek
        else ""
    )
    lines = [
        _(
            "At the budget of {budget} SEK, another {extra} MSEK {amount}: {before} -> {after}; the plan "
            "then costs {spent} SEK more."
        ).format(
            budget=budget,
            extra=extra,
            amount=amount,
            before=grouped(figure.at_budget.over_guarantee),
            after=grouped(figure.with_extra.over_guarantee),
            spent=grouped(spent),
        )
        + reaches
    ]
    if figure.spending:
        lines.append(
            _("Where the extra money would go, per hospital's patients and category (most SEK first):")
        )
        lines += ["  " + spending_words(s) for s in figure.spending[:top]]
        if len(figure.spending) > top:
            lines.append(
                "  "
                + _("... and {count} more (explain --json --marginal lists them all)").format(
                    count=len(figure.spending) - top
                )
            )
    if figure.unused_minimum_sek:
        lines.append(
            "  "
            + _("unused take-or-pay minimums (the region's): {amount} SEK").format(
                amount=signed(figure.unused_minimum_sek)
            )
        )
    return lines


def spending_words(s: Spending) -> str:
    """One hospital and category's change in words."""
    if s.over_guarantee < 0:
        effect = _("{count} patient-months fewer beyond the guarantee").format(
            count=grouped(-s.over_guarantee)
        )
    elif s.over_guarantee > 0:
        effect = _("{count} patient-months more beyond the guarantee").format(count=grouped(s.over_guarantee))
    else:
        effect = _("the same patient-months beyond the guarantee")
    kinds = [
        f"{_(what)} {signed(units)}"
        for what, units in (
            (N_("additional units"), s.additional),
            (N_("transfers out"), s.transfers),
            (N_("referrals"), s.referrals),
        )
        if units
    ]
    detail = f" ({', '.join(kinds)})" if kinds else ""
    return (
        f"{s.hospital} · {s.category}: "
        + _("{amount} SEK").format(amount=signed(s.cost_sek))
        + f"{detail}; {effect}"
    )
