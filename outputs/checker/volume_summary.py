"""The volume plan's summaries: volume_table.csv and summary.json's figures and stages, against
what the plan's rows imply.

Each rule family is one function (its docstring starts with the rule) over what
volume_figures.VolumeCheck holds.
"""

from __future__ import annotations

from collections.abc import Iterator

from leveransplan.models.language import _
from leveransplan.models.numbers import grouped
from leveransplan.outputs.checker.files import SUMMARY
from leveransplan.outputs.checker.summary import one_row_each, stages_consistent, terms_match
from leveransplan.outputs.checker.volume_figures import VolumeCheck
from leveransplan.outputs.checker.volume_files import VOLUME_TABLE


def volume_table_consistent(c: VolumeCheck) -> Iterator[str]:
    """Hard: volume_table.csv sums the plan: bas = base, tillagg = additional produced, uppdrag = both."""
    found, data = c.found, c.data
    yield from one_row_each(
        VOLUME_TABLE,
        ((line.row, (line.hospital, line.category)) for line in c.plan.volume_table),
        data.pairs,
        lambda key: f"{key[0]}, {key[1]}",
        _("one row per hospital and category of production_plan.csv"),
    )
    pairs = set(data.pairs)
    for line in c.plan.volume_table:
        h, k = line.hospital, line.category
        if (h, k) not in pairs:
            continue
        where = _("{file} row {row}").format(file=VOLUME_TABLE, row=line.row)
        bas = data.base_total.get((h, k), 0)
        own = sum(found.own.get((h, k, m), 0) for m in data.months)
        for_others = sum(found.into.get((h, k, m), 0) for m in data.months)
        if line.bas != bas:
            yield (
                _("{where}: bas {bas}, but own_volumes.csv gives {h} a base of {bas2} in {k}").format(
                    where=where, bas=grouped(line.bas), h=h, bas2=grouped(bas), k=k
                )
            )
        if line.tillagg != own + for_others:
            yield (
                _(
                    "{where}: tillagg {tillagg}, but the plan has {h} produce {value} additional units of "
                    "{k} (own {own} + for others {for_others})"
                ).format(
                    where=where,
                    tillagg=grouped(line.tillagg),
                    h=h,
                    value=grouped(own + for_others),
                    k=k,
                    own=grouped(own),
                    for_others=grouped(for_others),
                )
            )
        if line.uppdrag != bas + own + for_others:
            yield (
                _("{where}: uppdrag {uppdrag}, but bas {bas} + tillagg {value} = {value2}").format(
                    where=where,
                    uppdrag=grouped(line.uppdrag),
                    bas=grouped(bas),
                    value=grouped(own + for_others),
                    value2=grouped(bas + own + for_others),
                )
            )


def _rows_as_given(name: str, written: object, given: list[dict[str, object]], source: str) -> Iterator[str]:
    """summary.json's volumes.`name` against the rows of `source` it copies, in their order (a
    plan written before the key was added has none: nothing to hold)."""
    if written is None:
        return
    if not isinstance(written, list) or len(written) != len(given):
        columns = ", ".join(given[0]) if given else ""
        yield _("{file} volumes.{name}: expected a list of the {count} rows of {source} ({columns})").format(
            file=SUMMARY, name=name, count=len(given), source=source, columns=columns
        )
        return
    for number, (entry, row) in enumerate(zip(written, given, strict=True)):
        if entry != row:
            yield _("{file} volumes.{name}[{index}]: {written}, but {source} row {row} gives {given}").format(
                file=SUMMARY,
                name=name,
                index=number,
                written=repr(entry),
                source=source,
                row=number + 2,
                given=repr(row),
            )


def categories_as_given(c: VolumeCheck) -> Iterator[str]:
    """Hard: summary.json's categories, when written, are categories.csv's rows in its order."""
    keys = ("category", "area", "kind", "specialty")
    given = [{key: getattr(row, key) for key in keys} for row in c.data.scenario.categories]
    written = None if c.plan.summary is None else c.plan.summary.categories
    yield from _rows_as_given("categories", written, given, "categories.csv")


def decided_as_given(c: VolumeCheck) -> Iterator[str]:
    """Hard: summary.json's volumes.decided, when written, is own_volumes.csv's rows in its order:
    hospital, category, bas = base and tillagg = additional_max (the decision's table prints them
    beside the plan's figures)."""
    given: list[dict[str, object]] = [
        {"hospital": o.hospital, "category": o.category, "bas": o.base, "tillagg": o.additional_max}
        for o in c.data.scenario.own_volumes
    ]
    written = None if c.plan.summary is None else c.plan.summary.decided
    yield from _rows_as_given("decided", written, given, "own_volumes.csv")


def objectives_match(c: VolumeCheck) -> Iterator[str]:
    """Hard: summary.json's terms, totals and hospital figures equal those recomputed from the plan."""
    yield from c.found.stability_problems
    summary = c.plan.summary
    if summary is None:
        return
    if summary.scenario is not None and summary.scenario != c.data.scenario.name:
        yield _("{file} scenario: {scenario}, but the scenario is {name}").format(
            file=SUMMARY, scenario=repr(summary.scenario), name=repr(c.data.scenario.name)
        )
    terms = c.found.terms
    yield from terms_match("volumes", summary.objectives, terms)
    totals = (
        ("cost_sek", summary.cost_sek, terms["cost"], _("the plan's cost")),
        ("unused_minimum_cost_sek", summary.unused_minimum_cost_sek, c.found.unused_minimum_cost,
         _("the cost of unused contract minimums")),
    )  # fmt: skip
    for key, written_total, expected, what in totals:
        if written_total is not None and written_total != expected:
            yield (
                _("{file} volumes.{key}: {written_total}, but {what} recomputed is {expected}").format(
                    file=SUMMARY,
                    key=key,
                    written_total=grouped(written_total),
                    what=what,
                    expected=grouped(expected),
                )
            )
    for h, figures in (summary.hospitals or {}).items():
        for name, written in figures.items():
            recomputed = c.found.hospital[h].get(name)
            if recomputed is None:
                # Only the change figures are optional, and only against a previous plan are they known.
                yield (
                    _(
                        "{file} volumes.hospitals ({h}).{name}: {written}, but without the previous plan "
                        "it cannot be recomputed"
                    ).format(file=SUMMARY, h=h, name=name, written=grouped(written))
                )
            elif written != recomputed:
                yield (
                    _(
                        "{file} volumes.hospitals ({h}).{name}: {written}, but recomputed from the plan "
                        "it is {recomputed}"
                    ).format(
                        file=SUMMARY, h=h, name=name, written=grouped(written), recomputed=grouped(recomputed)
                    )
                )


def volume_stages(c: VolumeCheck) -> Iterator[str]:
    """Hard: one stage per term of the volume objective order, in order; bound <= value, equal when
    OPTIMAL; later stages hold it (stability under a change allowance: change_within_allowance).
    A robust plan has no stages (robust_within_money)."""
    summary = c.plan.summary
    if summary is None:
        return
    if summary.robust is not None:
        if summary.stages:
            yield _(
                "{file} volumes.stages: a robust plan (volumes.robust) is no lexicographic optimum and "
                "has no stages, but {count} are written"
            ).format(file=SUMMARY, count=len(summary.stages))
        return
    order = list(c.data.scenario.objective.volumes)
    loosened = frozenset({"stability"}) if summary.change_caps is not None else frozenset()
    yield from stages_consistent(
        "volumes",
        summary.stages,
        order,
        _("volume objective order"),
        c.found.terms,
        final_is_last=False,
        loosened=loosened,
    )


def change_within_allowance(c: VolumeCheck) -> Iterator[str]:
    """Hard: under a re-plan's change allowance, each hospital's cap is the allowance or what the
    plan of least change moved there where that is more, those moves add up to the stability
    stage's value, and each hospital's change against the previous plan (recomputed from its
    files) is within its caps."""
    summary = c.plan.summary
    if summary is None or summary.change_caps is None or summary.allowance is None:
        return
    where = f"{SUMMARY} volumes.change_allowance"
    if summary.previous_plan is None:
        yield _("{where}: given, but the plan names no previous plan to change against").format(where=where)
        return
    least = [figures.get("least_units") for figures in summary.change_caps.values()]
    stability = [s for s in summary.stages or [] if s.objective == "stability"]
    if stability and None not in least and sum(v for v in least if v is not None) != stability[0].value:
        yield (
            _(
                "{where}.hospitals: the least change's moves add up to {sum} units, but the stability "
                "stage reached {value}"
            ).format(where=where, sum=grouped(sum(v or 0 for v in least)), value=grouped(stability[0].value))
        )
    allowed = dict(zip(("units", "sek"), summary.allowance, strict=True))
    for h in c.data.hospitals:
        caps = summary.change_caps.get(h)
        if caps is None:
            yield _("{where}.hospitals: no caps for hospital {h}").format(where=where, h=h)
            continue
        for measure, allowance in allowed.items():
            cap, moved_least = caps.get(measure), caps.get(f"least_{measure}")
            moved = c.found.hospital[h].get(f"change_{measure}")
            if allowance is None or cap is None or moved_least is None or moved is None:
                continue  # a figure that did not parse is reported where it is read
            if cap != max(allowance, moved_least):
                yield (
                    _(
                        "{where}.hospitals.{h}.{measure}: cap {cap}, but the allowance {allowance} and "
                        "the least change's {moved_least} make it {max}"
                    ).format(
                        where=where,
                        h=h,
                        measure=measure,
                        cap=grouped(cap),
                        allowance=grouped(allowance),
                        moved_least=grouped(moved_least),
                        max=grouped(max(allowance, moved_least)),
                    )
                )
            if moved > cap:
                yield (
                    _(
                        "{where}.hospitals.{h}.{measure}: the plan changes {h} by {moved} {value}, above "
                        "its cap {cap}"
                    ).format(
                        where=where,
                        h=h,
                        measure=measure,
                        moved=grouped(moved),
                        value=_("SEK") if measure == "sek" else _("units"),
                        cap=grouped(cap),
                    )
                )


def robust_within_money(c: VolumeCheck) -> Iterator[str]:
    """Hard: a robust plan costs at most its money cap, and the cap is at most the cost of the
    forecast plan it replaced and at most the budget."""
    summary = c.plan.summary
    if summary is None or summary.robust is None:
        return
    robust = summary.robust
    cost = c.found.terms["cost"]
    cap = robust.get("money_cap_sek")
    if cap is None:
        return
    if cost > cap:
        yield _("{file} volumes.robust: the plan costs {cost} SEK, above its money_cap_sek {cap}").format(
            file=SUMMARY, cost=grouped(cost), cap=grouped(cap)
        )
    forecast = robust.get("forecast_cost_sek")
    budget = c.data.scenario.max_cost_sek
    limits = [v for v in (forecast, budget) if v is not None]
    if limits and cap > min(limits):
        yield _(
            "{file} volumes.robust: money_cap_sek {cap} is above the forecast plan's cost and the "
            "budget ({allowed})"
        ).format(file=SUMMARY, cap=grouped(cap), allowed=grouped(min(limits)))
