"""The ST-A placements' places and summary: starts within the places, trainees present within
concurrent_max, fixed placements kept, places_table.csv, places_proposal.csv, and summary.json's
counts, objectives and stages.

Each rule family is one function (its docstring starts with the rule) over what
placements.PlacementCheck holds.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from leveransplan.models.language import _
from leveransplan.models.months import format_month, parse_month
from leveransplan.models.numbers import grouped
from leveransplan.outputs.checker.files import SUMMARY, file_rows
from leveransplan.outputs.checker.placements import PlacementCheck, load_of
from leveransplan.outputs.checker.summary import one_row_each, stages_consistent, terms_match
from leveransplan.outputs.checker.training_files import (
    PLACEMENTS,
    PLACES_PROPOSAL,
    PLACES_TABLE,
    PROPOSE_STAGES,
    UNPLACED,
    span,
)


def _runs(months: list[int]) -> Iterator[tuple[int, int]]:
    """First and last month of each run of consecutive months in a sorted list."""
    for index, m in enumerate(months):
        if index == 0 or months[index - 1] != m - 1:
            first = m
        if index == len(months) - 1 or months[index + 1] != m + 1:
            yield first, m


def starts_within_places(c: PlacementCheck) -> Iterator[str]:
    """Hard: per hospital, specialty and year, the stays starting then are at most the places
    (st_capacity.csv's, or places_table.csv's proposed places in mode propose_places)."""
    for key, rows in c.starts.items():
        hospital, specialty, year = key
        line, row = c.table.get(key), c.capacity.get(key)
        if c.mode == "propose_places":
            limit = None if line is None else line.places
            source = _("proposed on {file} row {row}").format(file=PLACES_TABLE, row=line.row) if line else ""
        else:
            limit = None if row is None else row.places
            source = _("st_capacity.csv gives")
        if limit is not None and len(rows) > limit:
            yield (
                _(
                    "{rows}: {count} stays in {specialty} start at {hospital} in {year}, above the "
                    "{limit} places {source}"
                ).format(
                    rows=file_rows(PLACEMENTS, rows),
                    count=len(rows),
                    specialty=specialty,
                    hospital=hospital,
                    year=year,
                    limit=grouped(limit),
                    source=source,
                )
            )


def concurrent_within_max(c: PlacementCheck) -> Iterator[str]:
    """Hard: per hospital, specialty and month, trainees present <= concurrent_max of that month's year."""
    present: dict[tuple[str, str, int], list[int]] = defaultdict(list)
    for st in c.stays:
        for m in st.months:
            present[st.placement.hospital, st.placement.specialty, m].append(st.placement.row)
    over: dict[tuple[str, str, int, tuple[int, ...], int], list[int]] = defaultdict(list)
    for (hospital, specialty, m), rows in sorted(present.items()):
        row = c.capacity.get((hospital, specialty, m // 12))
        if row is not None and row.concurrent_max is not None and len(rows) > row.concurrent_max:
            over[hospital, specialty, m // 12, tuple(rows), row.concurrent_max].append(m)
    for (hospital, specialty, year, stays, limit), months in over.items():
        for first, last in _runs(months):  # the same stays over the same limit: one sentence
            yield (
                _(
                    "{rows}: {count} trainees present in {specialty} at {hospital} in {span}, above the "
                    "concurrent_max {limit} st_capacity.csv gives for {year}"
                ).format(
                    rows=file_rows(PLACEMENTS, stays),
                    count=len(stays),
                    specialty=specialty,
                    hospital=hospital,
                    span=span(first, last),
                    limit=grouped(limit),
                    year=year,
                )
            )


def fixed_placements_kept(c: PlacementCheck) -> Iterator[str]:
    """Hard: every placement of st_fixed.csv is in placements.csv with the same hospital and start."""
    placed = {st.placement.key: st.placement for st in c.stays}
    unplaced = {u.key: u.row for u in reversed(c.unplaced)}
    for fixed in c.scenario.st_fixed:
        key = (fixed.trainee, fixed.specialty)
        agreed = _("st_fixed.csv fixes it at {hospital} from {start}; an agreed placement stays").format(
            hospital=fixed.hospital, start=fixed.start
        )
        p = placed.get(key)
        if p is None:
            where = (
                _("{file} row {key}").format(file=UNPLACED, key=unplaced[key])
                if key in unplaced
                else PLACEMENTS
            )
            yield _("{where}: the requirement {trainee}, {specialty} is not placed, but {agreed}").format(
                where=where, trainee=fixed.trainee, specialty=fixed.specialty, agreed=agreed
            )
        elif p.hospital != fixed.hospital or p.start != parse_month(fixed.start):
            yield (
                _(
                    "{file} row {row}: {trainee}, {specialty} is placed at {hospital} from {start}, but "
                    "{agreed}"
                ).format(
                    file=PLACEMENTS,
                    row=p.row,
                    trainee=fixed.trainee,
                    specialty=fixed.specialty,
                    hospital=p.hospital,
                    start=format_month(p.start),
                    agreed=agreed,
                )
            )


def places_table_consistent(c: PlacementCheck) -> Iterator[str]:
    """Hard: places_table.csv has one row per st_capacity.csv row; used counts the starts; places are
    st_capacity.csv's (mode places) or proposed at or above used (mode propose_places)."""
    yield from one_row_each(
        PLACES_TABLE,
        ((line.row, line.key) for line in c.places_lines),
        list(c.capacity),
        lambda key: f"{key[0]}, {key[1]}, {key[2]}",
        _("one row per row of st_capacity.csv"),
    )
    for key, line in c.table.items():
        where = _("{file} row {row}").format(file=PLACES_TABLE, row=line.row)
        used = len(c.starts.get(key, []))
        if line.used != used:
            yield (
                _(
                    "{where}: used {used}, but {file} starts {used2} stays in {specialty} at {hospital} "
                    "in {year}"
                ).format(
                    where=where,
                    used=grouped(line.used),
                    file=PLACEMENTS,
                    used2=grouped(used),
                    specialty=line.specialty,
                    hospital=line.hospital,
                    year=line.year,
                )
            )
        places = c.capacity[key].places
        if c.mode == "places" and line.places != places:
            yield (
                _(
                    "{where}: places {places}, but st_capacity.csv gives {hospital} {places2} places in "
                    "{specialty} in {year}"
                ).format(
                    where=where,
                    places=grouped(line.places),
                    hospital=line.hospital,
                    places2=grouped(places),
                    specialty=line.specialty,
                    year=line.year,
                )
            )


def places_proposal_consistent(c: PlacementCheck) -> Iterator[str]:
    """Hard: in mode propose_places, places_proposal.csv has one row per st_capacity.csv row; proposed
    is places_table.csv's places and at most max_places; decided and max_places are st_capacity.csv's;
    load_percent is proposed as a percent of max_places (else of decided; 0 counts as 1), rounded up.
    In mode places there is no such file."""
    lines = c.proposal_lines
    if lines is None:
        return
    if c.mode != "propose_places":
        yield _(
            "{file}: the plan holds to st_capacity.csv's places (mode places); the file is written only "
            "with --propose-places"
        ).format(file=PLACES_PROPOSAL)
        return
    yield from one_row_each(
        PLACES_PROPOSAL,
        ((line.row, line.key) for line in lines),
        list(c.capacity),
        lambda key: f"{key[0]}, {key[1]}, {key[2]}",
        _("one row per row of st_capacity.csv"),
    )
    seen: set[tuple[str, str, int]] = set()
    for line in lines:
        row = c.capacity.get(line.key)
        if row is None or line.key in seen:
            continue
        seen.add(line.key)
        where = _("{file} row {row}").format(file=PLACES_PROPOSAL, row=line.row)
        department = f"{line.hospital}, {line.specialty}, {line.year}"
        table = c.table.get(line.key)
        if table is not None and line.proposed != table.places:
            yield _("{where}: proposed {proposed}, but {file} row {row} gives {places} places").format(
                where=where,
                proposed=grouped(line.proposed),
                file=PLACES_TABLE,
                row=table.row,
                places=grouped(table.places),
            )
        if row.max_places is not None and line.proposed > row.max_places:
            yield _(
                "{where}: proposed {proposed} places, above the max_places {maximum} st_capacity.csv "
                "gives {department}"
            ).format(
                where=where,
                proposed=grouped(line.proposed),
                maximum=grouped(row.max_places),
                department=department,
            )
        if line.decided != row.places:
            yield _(
                "{where}: decided {decided}, but st_capacity.csv gives {department} {places} places"
            ).format(
                where=where, decided=grouped(line.decided), department=department, places=grouped(row.places)
            )
        if line.max_places != row.max_places:
            expected = _("none") if row.max_places is None else grouped(row.max_places)
            written = _("empty") if line.max_places is None else grouped(line.max_places)
            yield _(
                "{where}: max_places {written}, but st_capacity.csv gives {department} {expected}"
            ).format(where=where, written=written, department=department, expected=expected)
        load = load_of(line.proposed, row)
        if line.load_percent != load:
            yield _(
                "{where}: load_percent {written}, but {proposed} proposed places are {load} % of the "
                "department's reference, rounded up"
            ).format(
                where=where, written=grouped(line.load_percent), proposed=grouped(line.proposed), load=load
            )


def placement_counts(c: PlacementCheck) -> Iterator[str]:
    """Hard: summary.json's placement horizon and counts equal those recomputed from the scenario and plan."""
    summary = c.summary
    if summary is None:
        return
    horizon = f"{format_month(c.first)}..{format_month(c.last)}"
    if summary.months is not None and summary.months != horizon:
        yield _("{file} placements.months: {months}, but the placement horizon is {horizon}").format(
            file=SUMMARY, months=repr(summary.months), horizon=horizon
        )
    placed = {st.placement.key for st in c.stays}
    waiting = {r.trainee for r in c.scenario.st_requirements if (r.trainee, r.specialty) not in placed}
    fully = sum(1 for t in c.trainees if t not in waiting)
    expected = {
        "requirements": (len(c.requirements), _("st_requirements.csv has")),
        "placed": (c.placement_rows, _("{file} has").format(file=PLACEMENTS)),
        "trainees": (len(c.trainees), _("st_trainees.csv has")),
        "trainees_fully_placed": (fully, _("the trainees with every requirement placed are")),
        "places_total": (
            c.terms["places"],
            _("the places column of {file} sums to").format(file=PLACES_TABLE),
        ),
    }
    for key, written in summary.counts.items():
        value, what = expected[key]
        if written != value:
            yield _("{file} placements.{key}: {written}, but {what} {value}").format(
                file=SUMMARY, key=key, written=grouped(written), what=what, value=grouped(value)
            )


def placement_objectives(c: PlacementCheck) -> Iterator[str]:
    """Hard: unplaced = rows of unplaced.csv, travel = sum minutes × months, stability against the previous
    plan, as recomputed from the plan files."""
    yield from c.stability_problems
    if c.summary is not None:
        yield from terms_match("placements", c.summary.objectives, c.terms)


def placement_stages(c: PlacementCheck) -> Iterator[str]:
    """Hard: the stages follow the configured placement order; in mode propose_places they are unplaced,
    places, peak_load, then the rest of that order."""
    if c.summary is None:
        return
    configured = list(c.scenario.objective.placements)
    if c.mode == "propose_places":
        order = list(PROPOSE_STAGES) + [t for t in configured if t != "unplaced"]
        name = _("placement order of mode propose_places")
    else:
        order, name = configured, _("placement objective order")
    yield from stages_consistent("placements", c.summary.stages, order, name, c.terms, final_is_last=True)
