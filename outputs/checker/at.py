"""The AT distribution's rules: one row per hospital, the total distributed, each hospital within
its bounds and its rotations' capacity, the target and previous columns, the objective and stages.

Each rule family is one function (its docstring starts with the rule) over what ATCheck holds.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from fractions import Fraction

from leveransplan.models.language import _
from leveransplan.models.numbers import grouped
from leveransplan.models.scenario import Scenario
from leveransplan.outputs.checker.files import SUMMARY, file_rows
from leveransplan.outputs.checker.summary import one_row_each, stages_consistent, terms_match
from leveransplan.outputs.checker.training_files import AT_DISTRIBUTION, ATLine, ATSummary

TWO_DECIMALS = re.compile(r"^[0-9]+\.[0-9]{2}$")


@dataclass
class ATCheck:
    """What every AT rule reads: the scenario, the plan's rows and the recomputed terms."""

    scenario: Scenario
    lines: list[ATLine]
    summary: ATSummary | None
    total: int
    weights: int  # W
    positions: dict[str, int] = field(default_factory=dict)  # first row of each at.csv hospital
    line: dict[str, ATLine] = field(default_factory=dict)
    terms: dict[str, int] = field(default_factory=dict)

    @classmethod
    def build(cls, scenario: Scenario, lines: list[ATLine], summary: ATSummary | None) -> ATCheck:
        check = cls(scenario, lines, summary, scenario.at_total or 0, sum(r.weight for r in scenario.at))
        known = {r.hospital for r in scenario.at}
        for line in lines:
            if line.hospital in known and line.hospital not in check.line:
                check.line[line.hospital] = line
                check.positions[line.hospital] = line.positions
        n = check.positions
        check.terms["deviation"] = sum(
            abs(check.weights * n.get(r.hospital, 0) - check.total * r.weight) for r in scenario.at
        )
        check.terms["stability"] = sum(
            abs(n.get(r.hospital, 0) - r.previous) for r in scenario.at if r.previous is not None
        )
        return check


def at_rows_complete(c: ATCheck) -> Iterator[str]:
    """Hard: at_distribution.csv has exactly one row per hospital of at.csv and no other rows."""
    yield from one_row_each(
        AT_DISTRIBUTION,
        ((line.row, line.hospital) for line in c.lines),
        [r.hospital for r in c.scenario.at],
        lambda h: _("hospital {h}").format(h=h),
        _("one row per hospital of at.csv"),
    )


def at_total_distributed(c: ATCheck) -> Iterator[str]:
    """Hard: the positions add up to [at] total, sum n_h = total."""
    given = sum(c.positions.values())
    if given != c.total:
        rows = [line.row for line in c.line.values()]
        where = file_rows(AT_DISTRIBUTION, rows) if rows else AT_DISTRIBUTION
        yield (
            _("{where}: the positions add up to {given}, but [at] total distributes {total}").format(
                where=where, given=grouped(given), total=grouped(c.total)
            )
        )


def at_bounds(c: ATCheck) -> Iterator[str]:
    """Hard: each hospital's positions lie within at.csv's bounds, min <= n_h <= max."""
    for r in c.scenario.at:
        line = c.line.get(r.hospital)
        if line is None:
            continue
        where = _("{file} row {row}").format(file=AT_DISTRIBUTION, row=line.row)
        if line.positions < r.min:
            yield (
                _("{where}: {hospital} gets {positions} AT positions, below its min {min}").format(
                    where=where, hospital=r.hospital, positions=grouped(line.positions), min=grouped(r.min)
                )
            )
        elif line.positions > r.max:
            yield (
                _("{where}: {hospital} gets {positions} AT positions, above its max {max}").format(
                    where=where, hospital=r.hospital, positions=grouped(line.positions), max=grouped(r.max)
                )
            )


def at_rotation_capacity(c: ATCheck) -> Iterator[str]:
    """Hard: the AT doctors' months in an area fit the departments, n_h*months <= capacity_months."""
    for rotation in c.scenario.at_rotations:
        line = c.line.get(rotation.hospital)
        if line is None:
            continue
        need = line.positions * rotation.months
        if need > rotation.capacity_months:
            yield (
                _(
                    "{file} row {row}: {hospital}'s {positions} AT doctors need {positions} × {months} = "
                    "{need} months of {area}, above the capacity_months {capacity_months} "
                    "at_rotations.csv gives {hospital} in {area}"
                ).format(
                    file=AT_DISTRIBUTION,
                    row=line.row,
                    hospital=rotation.hospital,
                    positions=grouped(line.positions),
                    months=rotation.months,
                    need=grouped(need),
                    area=rotation.area,
                    capacity_months=grouped(rotation.capacity_months),
                )
            )


def _target_text(total: int, weight: int, weights: int) -> str:
    """total × weight / W rounded half up to two decimals (0.00 when W = 0)."""
    hundredths = 0 if weights == 0 else (200 * total * weight + weights) // (2 * weights)
    return f"{hundredths // 100}.{hundredths % 100:02d}"


def at_columns(c: ATCheck) -> Iterator[str]:
    """Hard: target = total × weight / W with two decimals, and previous repeats at.csv's previous."""
    for r in c.scenario.at:
        line = c.line.get(r.hospital)
        if line is None:
            continue
        where = _("{file} row {row}").format(file=AT_DISTRIBUTION, row=line.row)
        exact = Fraction(c.total * r.weight, c.weights) if c.weights else Fraction(0)
        written_ok = TWO_DECIMALS.match(line.target) is not None
        if not written_ok or abs(Fraction(line.target) - exact) > Fraction(1, 200):
            expected = _target_text(c.total, r.weight, c.weights)
            if c.weights:
                derivation = _(
                    "total {total} × weight {weight} / sum of weights {weights} = {expected}"
                ).format(
                    total=grouped(c.total),
                    weight=grouped(r.weight),
                    weights=grouped(c.weights),
                    expected=expected,
                )
            else:
                derivation = _("with every weight 0 the target is 0.00")
            yield _("{where}: target {target}, but {derivation} (two decimals)").format(
                where=where, target=repr(line.target), derivation=derivation
            )
        if line.previous != r.previous:
            written = _("empty") if line.previous is None else grouped(line.previous)
            expected = (
                _("no previous")
                if r.previous is None
                else _("previous {previous}").format(previous=grouped(r.previous))
            )
            yield _("{where}: previous {written}, but at.csv gives {hospital} {expected}").format(
                where=where, written=written, hospital=r.hospital, expected=expected
            )


def at_objectives(c: ATCheck) -> Iterator[str]:
    """Hard: deviation = sum_h |W*n_h - total*weight_h|, stability = sum_h |n_h - previous_h|; total."""
    if c.summary is None:
        return
    yield from terms_match("at", c.summary.objectives, c.terms)
    if c.summary.total is not None and c.summary.total != c.total:
        yield _("{file} at.total: {total}, but [at] total is {total2}").format(
            file=SUMMARY, total=grouped(c.summary.total), total2=grouped(c.total)
        )


def at_stages(c: ATCheck) -> Iterator[str]:
    """Hard: the AT stages follow the configured order, without stability when at.csv has no previous."""
    if c.summary is None:
        return
    has_previous = any(r.previous is not None for r in c.scenario.at)
    order = [t for t in c.scenario.objective.at if has_previous or t != "stability"]
    name = _("AT objective order")
    if not has_previous and "stability" in c.scenario.objective.at:
        name = _("AT objective order (stability left out: no at.csv row has previous)")
    yield from stages_consistent("at", c.summary.stages, order, name, c.terms, final_is_last=True)
