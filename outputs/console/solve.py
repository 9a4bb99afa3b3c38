"""What `solve` prints once its plan is written: the what-ifs applied, each model's stages and
summary table, and which models the time limit stopped."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rich.table import Table

from leveransplan.inputs.whatif import Dip, WhatIf
from leveransplan.models.derived import VolumeData
from leveransplan.models.language import _, ngettext
from leveransplan.models.numbers import grouped, msek, percent
from leveransplan.models.placement_reasons import after_horizon
from leveransplan.models.plan import VolumeSolution, gap_percent
from leveransplan.models.procurement import describe_proposal
from leveransplan.models.results import ScenarioPlan
from leveransplan.models.scenario import Scenario
from leveransplan.models.training import ATData, PlacementData
from leveransplan.models.wording import shown
from leveransplan.outputs.console.common import err_console, out_console, print_stages
from leveransplan.outputs.training_files import at_rows, placement_summary, places_rows, proposal_rows
from leveransplan.outputs.volume_files import hospital_summary, unused_minimum_cost


def print_solved(
    scenario: Scenario, plan: ScenarioPlan, what_ifs: Sequence[WhatIf], written: Path, partial_exit: int
) -> None:
    """The written plan's summary on stdout; when the time limit stopped a model, what that means
    (exit code `partial_exit`) on stderr."""
    if what_ifs:
        out_console.print(_("What-if changes (in memory; the scenario files are unchanged):"))
        data = VolumeData.from_scenario(scenario) if scenario.has_volumes else None
        # The --dip rows come last in capacity_loss, in the order of the flags; each flag's figures
        # are what it takes beyond capacity_loss.csv and the flags before it, so that they add up.
        dip_rows = sum(len(c.loss_rows()) for c in what_ifs if isinstance(c, Dip))
        applied = list(scenario.capacity_loss[: len(scenario.capacity_loss) - dip_rows])
        for change in what_ifs:
            out_console.print(f"  {change}", markup=False, highlight=False)
            if isinstance(change, Dip) and data is not None:
                rows = change.loss_rows()
                lost = data.lost_by_hospital(rows, before=applied)
                applied += rows
                for hospital, (base, additional) in lost.items():
                    out_console.print(
                        "    "
                        + _(
                            "{hospital} loses {base} base and {additional} additional units "
                            "(gone, not moved to other months)"
                        ).format(hospital=hospital, base=grouped(base), additional=grouped(additional)),
                        markup=False,
                        highlight=False,
                    )
    if plan.volumes is not None:
        print_volumes(scenario, plan.volumes)
    if plan.at is not None:
        print_at(scenario, plan)
    if plan.placements is not None:
        print_placements(scenario, plan)
    out_console.print(
        _("Plan written to {folder} (checked by the independent plan checker).").format(folder=written)
    )
    if plan.partial:
        print_partial(plan, partial_exit)


def print_robust(scenario: Scenario, solution: VolumeSolution) -> None:
    """A robust plan: what it was planned against, and the plan at forecast inflow it replaces."""
    robust = solution.robust
    assert robust is not None
    out_console.print(
        _(
            "{scenario}, volumes: a robust plan, made against {samples} sampled futures (seed {seed}) "
            "for the fewest patient-months beyond the guarantee on average, within {cap} MSEK."
        ).format(
            scenario=scenario.name,
            samples=robust.samples,
            seed=robust.seed,
            cap=msek(robust.money_cap_sek),
        )
    )
    out_console.print(
        _(
            "At forecast inflow it leaves {over} patient-months beyond the guarantee and costs {cost} MSEK; "
            "the plan made for forecast inflow alone leaves {forecast_over} and costs {forecast_cost} MSEK. "
            "`leveransplan risk` compares the two over the same futures."
        ).format(
            over=grouped(solution.values.over_guarantee()),
            cost=msek(solution.values.term("cost")),
            forecast_over=grouped(robust.forecast_over_guarantee),
            forecast_cost=msek(robust.forecast_cost_sek),
        )
    )


def print_volumes(scenario: Scenario, solution: VolumeSolution) -> None:
    """The volume stages and, per hospital, the waits beyond the guarantee, referrals and cost."""
    data = VolumeData.from_scenario(scenario)
    replan = solution.values.against_previous
    if solution.robust is None:
        print_stages(
            _("{scenario}, volumes: stages solved in order").format(scenario=scenario.name), solution.stages
        )
    else:
        print_robust(scenario, solution)
    table = Table(title=_("Per hospital"), title_justify="left")
    table.add_column(_("hospital"), justify="left")
    for column in (
        _("over 90 d start"),
        _("over 90 d end"),
        _("patient-months over"),
        _("sent out"),
        _("received"),
        *([_("catch-up")] if data.catch_up else []),
        _("cost MSEK"),
        *([_("frame MSEK")] if data.frames else []),
        *([_("changed units"), _("changed MSEK")] if replan else []),
    ):
        table.add_column(column, justify="right")
    rows = hospital_summary(data, solution)
    for row in rows:
        frame = data.frames.get(row["hospital"])
        table.add_row(
            row["hospital"],
            grouped(row["over_guarantee_start"]),
            grouped(row["over_guarantee_end"]),
            grouped(row["patient_months_over"]),
            grouped(row["referrals_out"]),
            grouped(row["referrals_in"]),
            *([grouped(row["catch_up_units"])] if data.catch_up else []),
            msek(row["cost_sek"]),
            *([msek(frame) if frame is not None else ""] if data.frames else []),
            *([grouped(row["change_units"]), msek(row["change_sek"])] if replan else []),
        )
    unused = unused_minimum_cost(data, solution)
    blank_after = [""] * ((1 if data.frames else 0) + (2 if replan else 0))
    blank_before = [""] * (6 if data.catch_up else 5)
    table.add_row(_("unused min."), *blank_before, msek(unused), *blank_after)
    table.add_row(
        "[bold]" + _("region") + "[/]",
        grouped(sum(r["over_guarantee_start"] for r in rows)),
        grouped(sum(r["over_guarantee_end"] for r in rows)),
        grouped(sum(r["patient_months_over"] for r in rows)),
        grouped(sum(r["referrals_out"] for r in rows)),
        grouped(sum(r["referrals_in"] for r in rows)),
        *([grouped(sum(r["catch_up_units"] for r in rows))] if data.catch_up else []),
        msek(solution.values.term("cost")),
        *([msek(scenario.max_cost_sek) if scenario.max_cost_sek is not None else ""] if data.frames else []),
        *(
            [grouped(sum(r["change_units"] for r in rows)), msek(sum(r["change_sek"] for r in rows))]
            if replan
            else []
        ),
    )
    out_console.print(table)
    notes = [
        _("over 90 d: patients waiting beyond the guarantee (waiting list above three months of inflow)"),
        _("sent out: transfers to other hospitals and referrals to contracts; received: transfers in"),
    ]
    if data.catch_up:
        notes.append(_("catch-up: units produced on the hospital's own catch-up capacity"))
    if data.frames:
        notes.append(_("cost: what the plan spends on the hospital's patients, within its frame"))
    if replan:
        notes.append(
            _(
                "changed: additional units, transfers and referrals moved against the previous plan "
                "(units, and SEK at each unit's price)"
            )
        )
    out_console.print("; ".join(notes) + ". " + _("Exact SEK figures are in the files."))
    if solution.change_caps is not None and solution.allowance is not None:
        print_change_caps(solution)
    if scenario.has_candidates:
        print_proposal(data, solution)


def print_proposal(data: VolumeData, solution: VolumeSolution) -> None:
    """What to procure from the candidate contracts, and the patient-months that buys."""
    without = solution.over_without_candidates
    over = solution.values.over_guarantee()
    proven = (
        without is not None
        and without.status == "OPTIMAL"
        and solution.stage("over_guarantee").status == "OPTIMAL"
    )
    lines = describe_proposal(
        data, solution.decisions, over, None if without is None else without.value, proven
    )
    for line in lines:
        out_console.print(line, markup=False, highlight=False)
    out_console.print(_("procurement.csv holds the proposal."), highlight=False)


def print_at(scenario: Scenario, plan: ScenarioPlan) -> None:
    """The AT stages and the positions each hospital gets against its share and its limit."""
    assert plan.at is not None
    data = ATData(scenario)
    print_stages(
        _("{scenario}, AT positions ({total}): stages solved in order").format(
            scenario=scenario.name, total=grouped(data.total)
        ),
        plan.at.stages,
    )
    table = Table(title=_("AT positions per hospital"), title_justify="left")
    table.add_column(_("hospital"), justify="left")
    for column in (_("positions"), _("need-weighted share"), _("previous"), _("largest possible")):
        table.add_column(column, justify="right")
    for row in at_rows(data, plan.at):
        limit = data.limit(row["hospital"])
        table.add_row(
            row["hospital"], str(row["positions"]), row["target"], str(row["previous"]), str(limit.positions)
        )
    out_console.print(table)


def print_placements(scenario: Scenario, plan: ScenarioPlan) -> None:
    """The ST-A stages, the side-service places used, and how many requirements were placed."""
    solution = plan.placements
    assert solution is not None
    data = PlacementData(scenario)
    summary = placement_summary(data, solution)
    title = (
        _("{scenario}, ST-A placements, places proposed: stages solved in order")
        if solution.propose_places
        else _("{scenario}, ST-A placements: stages solved in order")
    )
    print_stages(title.format(scenario=scenario.name), solution.stages)
    table = Table(
        title=_("Side-service places {months}").format(months=summary["months"]), title_justify="left"
    )
    for column in (_("hospital"), _("specialty")):
        table.add_column(column, justify="left")
    for column in (_("year"), _("used"), _("places")):
        table.add_column(column, justify="right")
    if solution.propose_places:  # the proposal beside what st_capacity.csv decides and allows
        for column in (_("decided"), _("max"), _("load")):
            table.add_column(column, justify="right")
    proposal = proposal_rows(data, solution) if solution.propose_places else []
    for index, row in enumerate(places_rows(data, solution)):
        cells = [row["hospital"], row["specialty"], str(row["year"]), str(row["used"]), str(row["places"])]
        if proposal:
            figures = proposal[index]
            cells += [
                str(figures["decided"]),
                str(figures["max_places"]) or "–",
                percent(figures["load_percent"] / 100, 0),
            ]
        table.add_row(*cells)
    out_console.print(table)
    share = 100 * summary["trainees_fully_placed"] / summary["trainees"] if summary["trainees"] else 100.0
    out_console.print(
        _(
            "{placed} of {requirements} requirements placed; {fully} of {trainees} trainees ({share}) have "
            "every mandatory side-service placed; unplaced.csv gives the reason for each one left."
        ).format(
            placed=grouped(summary["placed"]),
            requirements=grouped(summary["requirements"]),
            fully=grouped(summary["trainees_fully_placed"]),
            trainees=grouped(summary["trainees"]),
            share=percent(share / 100),
        )
    )
    later = sum(1 for reason in solution.reasons.values() if after_horizon(str(reason)))
    if later:
        out_console.print(
            ngettext(
                "{count} of the requirements left can start after the placement horizon and end by "
                "its deadline: a later plan places it (unplaced.csv says after the horizon).",
                "{count} of the requirements left can start after the placement horizon and end by "
                "their deadlines: a later plan places them (unplaced.csv says after the horizon).",
                later,
            ).format(count=grouped(later))
        )


def print_partial(plan: ScenarioPlan, exit_code: int) -> None:
    """Which models the time limit stopped, each stage with its gap, and what `exit_code` means."""
    err_console.print(
        _(
            "[bold yellow]Partial plan:[/] the time limit stopped the solve before every model was proven "
            "optimal."
        )
    )
    for model, stage in plan.stopped_stages():
        gap = gap_percent(stage.value, stage.bound)
        err_console.print(
            "  "
            + _("{model} · {objective}: {value}, proven bound {bound} (gap {gap}), {status}").format(
                model=model,
                objective=stage.objective,
                value=grouped(stage.value),
                bound=grouped(stage.bound),
                gap=percent(gap / 100, 2),
                status=stage.status,
            ),
            highlight=False,
        )
    for model, why in plan.not_solved.items():
        err_console.print(
            "  "
            + _("{model}: no plan ({why}); nothing was written for it").format(model=model, why=shown(why)),
            highlight=False,
        )
    err_console.print(
        _(
            "summary.json marks it (partial, stopped_by_time_limit, not_solved); a longer --time-limit "
            "may do better. Exit code {code}."
        ).format(code=exit_code)
    )


def print_replan_order(scenario: Scenario, models: Sequence[str]) -> None:
    """Which order a re-plan runs, when the scenario left it open: minimal change comes right
    after the care guarantee's terms."""
    sources = scenario.objective.sources(True, models)
    moved = [m for m in models if sources[m] == "re-plan"]
    if not moved:
        return
    orders = "; ".join(f"{m}: {', '.join(getattr(scenario.objective, m))}" for m in moved)
    err_console.print(
        _(
            "Re-plan: as little change as the care guarantee allows ({orders}). "
            "[objective] in scenario.toml or --objective sets another order."
        ).format(orders=orders),
        markup=False,
        highlight=False,
    )


def print_change_caps(solution: VolumeSolution) -> None:
    """What a re-plan's change allowance let the stages after stability change, per hospital."""
    allowance = solution.allowance
    assert allowance is not None and solution.change_caps is not None

    def amount(measure: str, figure: int) -> str:
        return (_("{amount} SEK") if measure == "sek" else _("{amount} units")).format(amount=grouped(figure))

    given = [amount(m, f) for m, f in (("units", allowance.units), ("sek", allowance.sek)) if f is not None]
    caps = "; ".join(
        f"{h} "
        + _(" and ").join(
            amount(measure, figures[measure]) for measure in ("units", "sek") if measure in figures
        )
        for h, figures in solution.change_caps.items()
    )
    out_console.print(
        _(
            "Change allowed after the least change: up to {allowed} per hospital, or what the least "
            "change needs where that is more ({caps})."
        ).format(allowed=_(" and ").join(given), caps=caps),
        markup=False,
        highlight=False,
    )
