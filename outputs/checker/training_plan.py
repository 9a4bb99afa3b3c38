"""Independent check of written training plans: the AT distribution and ST-A side-service placements.

The spec's rules (scenario-format.md sections 1, 4, 5 and 6) are checked the way
volume_plan.py checks a volume plan: the plan files are read back and everything they imply
(positions, stays, starts per year, trainees present per month, objective terms) is recomputed
from the scenario alone. Neither OR-Tools nor the optimizer is imported, so a modelling mistake
there cannot hide here.

Every violation is one sentence naming the file, the row as a spreadsheet numbers it (header =
row 1), the rule in the domain's words and the figures. Each rule family is one function (its
docstring starts with the rule), in at.py, placements.py and places.py;
`check_at_plan` and `check_placements_plan` run them all in the order of AT_RULES and
PLACEMENT_RULES and collect every violation. When a CSV file is missing or its header is wrong
nothing else can be read reliably, so only those problems are reported.

Choices where the spec is silent:
- at_distribution.csv's target is accepted when written with two decimals and within half a
  hundredth of total × weight / W, so either way of rounding a tie passes; the message shows the
  figure rounded half up. Row order of at_distribution.csv and places_table.csv is not checked.
- A requirement is known by (trainee, specialty). A stay lasts the requirement's months from its
  start; a wrongly written end is reported on its own and does not move the stay.
- A placements.csv row that names no requirement of st_requirements.csv, or repeats one already
  placed, is reported and takes no further part (no places, no travel, no overlap).
- Placement stability counts this scenario's requirements only; a previous plan's row for a
  requirement that is no longer in st_requirements.csv is not counted.
- A trainee without requirements counts as fully placed.
- A month of a stay in a year without an st_capacity.csv row for that hospital and specialty, or
  whose row has no concurrent_max, has no limit on trainees present.
- A relative `previous_plan` path is looked up from the working directory, then from the plan
  folder (as for volumes).
- summary.json's "scenario" name is left to the volume checker.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from leveransplan.models.scenario import Scenario
from leveransplan.outputs.checker.at import (
    ATCheck,
    at_bounds,
    at_columns,
    at_objectives,
    at_rotation_capacity,
    at_rows_complete,
    at_stages,
    at_total_distributed,
)
from leveransplan.outputs.checker.files import parse_rows
from leveransplan.outputs.checker.placements import (
    PlacementCheck,
    requirements_known,
    requirements_once,
    stay_available,
    stay_end,
    stay_has_capacity_row,
    stay_in_horizon,
    stay_travel,
    stay_window,
    stays_disjoint,
)
from leveransplan.outputs.checker.places import (
    concurrent_within_max,
    fixed_placements_kept,
    placement_counts,
    placement_objectives,
    placement_stages,
    places_proposal_consistent,
    places_table_consistent,
    starts_within_places,
)
from leveransplan.outputs.checker.training_files import (
    AT_DISTRIBUTION,
    PLACEMENTS,
    PLACES_PROPOSAL,
    PLACES_TABLE,
    UNPLACED,
    at_line,
    placement_line,
    places_line,
    proposal_line,
    read_at_summary,
    read_placement_summary,
    read_training_csv,
    unplaced_line,
)

AT_RULES: tuple[Callable[[ATCheck], Iterator[str]], ...] = (
    at_rows_complete,
    at_total_distributed,
    at_bounds,
    at_rotation_capacity,
    at_columns,
    at_objectives,
    at_stages,
)


def check_at_plan(scenario: Scenario, plan_dir: Path) -> list[str]:
    """Every violation of the spec's rules by the AT distribution in `plan_dir`; empty when it passes.

    A scenario without `[at] total` has no AT distribution, so there is nothing to check."""
    if not scenario.has_at:
        return []
    folder = Path(plan_dir)
    violations: list[str] = []
    rows = read_training_csv(folder, AT_DISTRIBUTION, violations)
    summary = read_at_summary(folder, violations)
    if rows is None:
        return violations
    lines = parse_rows(AT_DISTRIBUTION, rows, violations, at_line)
    check = ATCheck.build(scenario, lines, summary)
    for rule in AT_RULES:
        violations.extend(rule(check))
    return violations


PLACEMENT_RULES: tuple[Callable[[PlacementCheck], Iterator[str]], ...] = (
    requirements_known,
    requirements_once,
    stay_end,
    stay_window,
    stay_in_horizon,
    stay_available,
    stay_travel,
    stay_has_capacity_row,
    stays_disjoint,
    starts_within_places,
    concurrent_within_max,
    fixed_placements_kept,
    places_table_consistent,
    places_proposal_consistent,
    placement_counts,
    placement_objectives,
    placement_stages,
)


def check_placements_plan(scenario: Scenario, plan_dir: Path) -> list[str]:
    """Every violation of the spec's rules by the side-service placements in `plan_dir`; empty when it passes.

    A scenario without ST-A tables has no placements, so there is nothing to check."""
    if not scenario.has_placements:
        return []
    folder = Path(plan_dir)
    violations: list[str] = []
    tables = {
        file: read_training_csv(folder, file, violations) for file in (PLACEMENTS, UNPLACED, PLACES_TABLE)
    }
    summary = read_placement_summary(folder, violations)
    placements, unplaced, places = tables[PLACEMENTS], tables[UNPLACED], tables[PLACES_TABLE]
    # places_proposal.csv belongs to a proposal: missing then, and present otherwise, are both wrong.
    proposing = summary is not None and summary.mode == "propose_places"
    proposal = None
    if proposing or (folder / PLACES_PROPOSAL).exists():
        proposal = read_training_csv(folder, PLACES_PROPOSAL, violations)
        if proposal is None:
            return violations
    if placements is None or unplaced is None or places is None:
        return violations
    check = PlacementCheck(
        scenario=scenario,
        folder=folder,
        placements=parse_rows(PLACEMENTS, placements, violations, placement_line),
        unplaced=parse_rows(UNPLACED, unplaced, violations, unplaced_line),
        places_lines=parse_rows(PLACES_TABLE, places, violations, places_line),
        placement_rows=len(placements),
        unplaced_rows=len(unplaced),
        summary=summary,
        proposal_lines=None
        if proposal is None
        else parse_rows(PLACES_PROPOSAL, proposal, violations, proposal_line),
    ).build()
    for rule in PLACEMENT_RULES:
        violations.extend(rule(check))
    return violations
