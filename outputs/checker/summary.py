"""summary.json's stages and objective terms as every model records them, and the rules they share.

Each model (volumes, at, placements) writes its lexicographic stages and its objective terms the
same way, so each is read and held to the spec here once; so is the rule of a summary table
(volume_table.csv, at_distribution.csv, places_table.csv) with one row per required key.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

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
        out.append(f"{SUMMARY} {model}.stages: {raw!r} is not a list of stages")
        return None
    stages = []
    for index, entry in enumerate(raw):
        where = f"{model}.stages[{index}]"
        if not isinstance(entry, dict):
            out.append(f"{SUMMARY} {where}: {entry!r} is not an object")
            continue
        objective, status, seconds = entry.get("objective"), entry.get("status"), entry.get("seconds")
        value = json_int(entry, "value", where, out)
        bound = json_int(entry, "bound", where, out)
        ok = value is not None and bound is not None
        if not isinstance(objective, str):
            out.append(f"{SUMMARY} {where}.objective: {objective!r} is not a term name")
            ok = False
        if status not in STATUSES:
            out.append(f"{SUMMARY} {where}.status: {status!r} is not one of {', '.join(STATUSES)}")
            ok = False
        if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
            out.append(f"{SUMMARY} {where}.seconds: {seconds!r} is not a number of seconds >= 0")
        if ok:
            assert value is not None and bound is not None
            stages.append(StageLine(model, index, str(objective), value, bound, str(status)))
    return stages


def parse_objectives(model: str, raw: Any, names: Iterable[str], out: list[str]) -> dict[str, int]:
    """A model's objective terms from summary.json, those that are whole numbers; the rest are reported."""
    if not isinstance(raw, dict):
        out.append(f"{SUMMARY} {model}.objectives: {raw!r} is not an object of term values")
        return {}
    values = {name: json_int(raw, name, f"{model}.objectives", out) for name in names}
    return {name: value for name, value in values.items() if value is not None}


def parse_previous_plan(model: str, part: dict[str, Any], out: list[str]) -> str | None:
    """The previous plan folder a model's summary names, or None (null, or not a folder path: reported)."""
    previous = part.get("previous_plan", "")
    if previous is None or (isinstance(previous, str) and previous):
        return previous
    out.append(f"{SUMMARY} {model}.previous_plan: {previous!r} is neither null nor a folder path")
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
            yield f"{stage.where}: {stage.objective!r} is not a term of the {order_name} {order}"
            continue
        position = order.index(stage.objective)
        if stage.objective in seen:
            yield f"{stage.where}: a second stage for {stage.objective}; each term is minimised once"
        elif position < reached:
            yield f"{stage.where}: comes after {order[reached]}, but the {order_name} {order} puts it before"
        seen.add(stage.objective)
        reached = max(reached, position)
        if stage.bound > stage.value:
            yield (
                f"{stage.where}: bound {grouped(stage.bound)} is above value {grouped(stage.value)}; "
                "a bound cannot exceed the minimum reached"
            )
        if stage.status == "OPTIMAL" and stage.bound != stage.value:
            yield (
                f"{stage.where}: status OPTIMAL, but bound {grouped(stage.bound)} is not value "
                f"{grouped(stage.value)}"
            )
        final = terms[stage.objective]
        if final_is_last and stage is stages[-1] and final != stage.value:
            yield (
                f"{stage.where}: the final plan's {stage.objective} is {grouped(final)}, but this last stage "
                f"reached {grouped(stage.value)}; the final plan is the last stage's solution"
            )
        elif final > stage.value and stage.objective not in loosened:
            yield (
                f"{stage.where}: the final plan's {stage.objective} is {grouped(final)}, above the value "
                f"{grouped(stage.value)} this stage reached; later stages hold it at or below that"
            )
        elif final < stage.bound:
            yield (
                f"{stage.where}: the final plan's {stage.objective} is {grouped(final)}, below the stage's "
                f"proven bound {grouped(stage.bound)}"
            )
    for term in order:
        if term not in seen:
            yield f"{SUMMARY} {model}.stages: no stage for {term!r} of the {order_name} {order}"


def terms_match(model: str, written: dict[str, int], terms: dict[str, int]) -> Iterator[str]:
    """Hard: summary.json's objective terms equal those recomputed from the plan files."""
    for name, value in written.items():
        if value != terms[name]:
            yield (
                f"{SUMMARY} {model}.objectives.{name}: {grouped(value)}, but the plan's {name} recomputed "
                f"from its files is {grouped(terms[name])}"
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
            yield f"{file} row {row}: no row is expected for {describe(key)}; {rule}"
        elif key in seen:
            yield f"{file} row {row}: repeats row {seen[key]} ({describe(key)})"
        else:
            seen[key] = row
    for key in required_list:
        if key not in seen:
            yield f"{file}: no row for {describe(key)}; {rule}"
