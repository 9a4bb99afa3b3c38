"""summary.json's decided volumes: the decision's bas and tillägg the report and workbooks print
beside the plan's, so they must be own_volumes.csv's, row for row."""

from __future__ import annotations

from collections.abc import Iterator

from leveransplan.models.language import _
from leveransplan.outputs.checker.files import SUMMARY
from leveransplan.outputs.checker.volume_figures import VolumeCheck


def decided_as_given(c: VolumeCheck) -> Iterator[str]:
    """Hard: summary.json's volumes.decided, when written, is own_volumes.csv's rows in its order:
    hospital, category, bas = base and tillagg = additional_max."""
    written = None if c.plan.summary is None else c.plan.summary.decided
    if written is None:
        return
    given = [
        {"hospital": o.hospital, "category": o.category, "bas": o.base, "tillagg": o.additional_max}
        for o in c.data.scenario.own_volumes
    ]
    if not isinstance(written, list) or len(written) != len(given):
        yield _(
            "{file} volumes.decided: expected a list of the {count} rows of own_volumes.csv "
            "(hospital, category, bas, tillagg)"
        ).format(file=SUMMARY, count=len(given))
        return
    for number, (entry, row) in enumerate(zip(written, given, strict=True)):
        if entry != row:
            yield _(
                "{file} volumes.decided[{index}]: {written}, but own_volumes.csv row {row} gives {given}"
            ).format(file=SUMMARY, index=number, written=repr(entry), row=number + 2, given=repr(row))
