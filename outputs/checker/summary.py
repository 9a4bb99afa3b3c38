"""summary.json's stages and objective terms as every model records them, and the rules they share.

Each model (volumes, at, placements) writes its lexicographic stages and its objective terms the
same way, so each is read and held to the spec here once; so is the rule of a summary table
(volume_table.csv, at_distribution.csv, places_table.csv) with one row per required key.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from leveransplan.models.language import _
from leveransplan.models.numbers import grouped
from leveransplan.outputs.checker.files import SUMMARY, json_int

STATUSES = ("OPTIMAL", "FEASIBLE")


@dataclass(frozen=True)
class StageLine:
    """One entry of a model's stages list in summary.json (volumes, at or placements)."""

    model: str
    index: int
    objective: str
    value: int
    bound: int
    status: str

    @property
    def where(self) -> str:
        return f"{SUMMARY} {self.model}.stages[{self.index}] ({self.objective})"


def parse_stages(model: str, raw: Any, out: list[str]) -> list[StageLine] | None:
    """A model's stages from summary.json; every malformed entry is reported."""
    if not isinstance(raw, list):
        out.append(
            _("{file} {model}.stages: {raw} is not a list of stages").format(
                file=SUMMARY, model=model, raw=repr(raw)
            )
        )
        return None
    stages = []
    for index, entry in enumerate(raw):
        where = f"{model}.stages[{index}]"
        if not isinstance(entry, dict):
            out.append(
                _("{file} {where}: {entry} is not an object").format(
                    file=SUMMARY, where=where, entry=repr(entry)
                )
            )
            continue
        objective, status, seconds = entry.get("objective"), entry.get("status"), entry.get("seconds")
        value = json_int(entry, "value", where, out)
        bound = json_int(entry, "bound", where, out)
        ok = value is not None and bound is not None
        if not isinstance(objective, str):
            out.append(
                _("{file} {where}.objective: {objective} is not a term name").format(
                    file=SUMMARY, where=where, objective=repr(objective)
                )
            )
            ok = False
        if status not in STATUSES:
            out.append(
                _("{file} {where}.status: {status} is not one of {statuses}").format(
                    file=SUMMARY, where=where, status=repr(status), statuses=", ".join(STATUSES)
                )
            )
            ok = False
        if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
            out.append(
                _("{file} {where}.seconds: {seconds} is not a number of seconds >= 0").format(
                    file=SUMMARY, where=where, seconds=repr(seconds)
                )
            )
        if ok:
            assert value is not None and bound is not None
            stages.append(StageLine(model, index, str(objective), value, bound, str(status)))
    return stages


def parse_objectives(model: str, raw: Any, names: Iterable[str], out: list[str]) -> dict[str, int]:
    """A model's objective terms from summary.json, those that are whole numbers; the rest are reported."""
    if not isinstance(raw, dict):
        out.append(
            _("{file} {model}.objectives: {raw} is not an object of term values").format(
                file=SUMMARY, model=model, raw=repr(raw)
            )
        )
        return {}
    values = {name: json_int(raw, name, f"{model}.objectives", out) for name in names}
    return {name: value for name, value in values.items() if value is not None}


def parse_previous_plan(model: str, part: dict[str, Any], out: list[str]) -> str | None:
    """The previous plan folder a model's summary names, or None (null, or not a folder path: reported)."""
    previous = part.get("previous_plan", "")
    if previous is None or (isinstance(previous, str) and previous):
        return previous
    out.append(
        _("{file} {model}.previous_plan: {previous} is neither null nor a folder path").format(
            file=SUMMARY, model=model, previous=repr(previous)
        )
    )
    return None


def stages_consistent(
    model: str,
    stages: list[StageLine] | None,
    order: list[str],
    order_name: str,
    terms: dict[str, int],
    final_is_last: bool,
    loosened: frozenset[str] = frozenset(),
) -> Iterator[str]:
    """Hard: one stage per term, in order; bound <= value, equal when OPTIMAL; later stages hold it
    (except the terms `loosened`, which later stages hold by other rules: a re-plan's change
    allowance replaces the least change by each hospital's cap).

    `final_is_last`: the final plan is also the last stage's solution, so its term equals that
    stage's value.
    """
    if stages is None:
        return
    reached = -1
    seen: set[str] = set()
    for stage in stages:
        if stage.objective not in order:
            yield _("{where}: {objective} is not a term of the {order_name} {order}").format(
                where=stage.where, objective=repr(stage.objective), order_name=order_name, order=order
            )
            continue
        position = order.index(stage.objective)
        if stage.objective in seen:
            yield _("{where}: a second stage for {objective}; each term is minimised once").format(
                where=stage.where, objective=stage.objective
            )
        elif position < reached:
            yield _("{where}: comes after {reached}, but the {order_name} {order} puts it before").format(
                where=stage.where, reached=order[reached], order_name=order_name, order=order
            )
        seen.add(stage.objective)
        reached = max(reached, position)
        if stage.bound > stage.value:
            yield (
                _(
                    "{where}: bound {bound} is above value {value}; a bound cannot exceed the minimum reached"
                ).format(where=stage.where, bound=grouped(stage.bound), value=grouped(stage.value))
            )
        if stage.status == "OPTIMAL" and stage.bound != stage.value:
            yield (
                _("{where}: status OPTIMAL, but bound {bound} is not value {value}").format(
                    where=stage.where, bound=grouped(stage.bound), value=grouped(stage.value)
                )
            )
        final = terms[stage.objective]
        if final_is_last and stage is stages[-1] and final != stage.value:
            yield (
                _(
                    "{where}: the final plan's {objective} is {final}, but this last stage reached "
                    "{value}; the final plan is the last stage's solution"
                ).format(
                    where=stage.where,
                    objective=stage.objective,
                    final=grouped(final),
                    value=grouped(stage.value),
                )
            )
        elif final > stage.value and stage.objective not in loosened:
            yield (
                _(
                    "{where}: the final plan's {objective} is {final}, above the value {value} this stage "
                    "reached; later stages hold it at or below that"
                ).format(
                    where=stage.where,
                    objective=stage.objective,
                    final=grouped(final),
                    value=grouped(stage.value),
                )
            )
        elif final < stage.bound:
            yield (
                _(
                    "{where}: the final plan's {objective} is {final}, below the stage's proven bound {bound}"
                ).format(
                    where=stage.where,
                    objective=stage.objective,
                    final=grouped(final),
                    bound=grouped(stage.bound),
                )
            )
    for term in order:
        if term not in seen:
            yield _("{file} {model}.stages: no stage for {term} of the {order_name} {order}").format(
                file=SUMMARY, model=model, term=repr(term), order_name=order_name, order=order
            )


def terms_match(model: str, written: dict[str, int], terms: dict[str, int]) -> Iterator[str]:
    """Hard: summary.json's objective terms equal those recomputed from the plan files."""
    for name, value in written.items():
        if value != terms[name]:
            yield (
                _(
                    "{file} {model}.objectives.{name}: {value}, but the plan's {name} recomputed from its "
                    "files is {recomputed}"
                ).format(
                    file=SUMMARY,
                    model=model,
                    name=name,
                    value=grouped(value),
                    recomputed=grouped(terms[name]),
                )
            )


def one_row_each(
    file: str,
    rows: Iterable[tuple[int, Any]],
    required: Iterable[Any],
    describe: Callable[[Any], str],
    rule: str,
) -> Iterator[str]:
    """Hard: a summary table has exactly one row per required key."""
    required_list = list(required)
    required_set = set(required_list)
    seen: dict[Any, int] = {}
    for row, key in rows:
        if key not in required_set:
            yield _("{file} row {row}: no row is expected for {describe}; {rule}").format(
                file=file, row=row, describe=describe(key), rule=rule
            )
        elif key in seen:
            yield _("{file} row {row}: repeats row {key} ({describe})").format(
                file=file, row=row, key=seen[key], describe=describe(key)
            )
        else:
            seen[key] = row
    for key in required_list:
        if key not in seen:
            yield _("{file}: no row for {describe}; {rule}").format(
                file=file, describe=describe(key), rule=rule
            )
