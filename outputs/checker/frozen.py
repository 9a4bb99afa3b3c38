"""The checker's rule for a re-plan with --freeze-until: the decided months are as decided.

The months up to and including the freeze month were decided by the previous plan: every volume
decision in them (base and additional units, transfers, referrals) must equal the previous
plan's, every placement that started in them must stay as it was, and no other placement may
start in them. Both plans are read from their files, as `solve --previous` reads a plan.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from leveransplan.inputs.previous import PreviousPlanInvalid, read_previous_plan
from leveransplan.models.months import format_month, parse_month
from leveransplan.models.scenario import Scenario


def check_frozen_months(
    scenario: Scenario, plan_dir: Path, previous_dir: Path, freeze_until: str
) -> list[str]:
    """Every decision of the frozen months that differs from the previous plan's, in words."""
    try:
        plan = read_previous_plan(plan_dir, scenario)
        previous = read_previous_plan(previous_dir, scenario)
    except PreviousPlanInvalid as invalid:
        return [f"frozen months cannot be compared: {problem}" for problem in invalid.problems]
    why = f"decided by the previous plan {previous_dir} (--freeze-until {freeze_until})"
    violations: list[str] = []
    if plan.volumes is not None and previous.volumes is not None:
        until = scenario.horizon.number(freeze_until)
        if until is None:
            return [f"--freeze-until {freeze_until} is outside the horizon {scenario.horizon.start}.."]
        label = scenario.horizon.label
        kinds: tuple[tuple[str, str, dict[Any, int], dict[Any, int]], ...] = (
            ("production_plan.csv", "base_used", plan.volumes.base_used, previous.volumes.base_used),
            (
                "production_plan.csv",
                "additional_own",
                plan.volumes.additional_own,
                previous.volumes.additional_own,
            ),
            ("delivery_plan.csv", "transfer", plan.volumes.transfers, previous.volumes.transfers),
            ("delivery_plan.csv", "referral", plan.volumes.referrals, previous.volumes.referrals),
        )
        for file, what, now, before in kinds:
            for key in sorted(set(now) | set(before), key=str):
                if key[-1] <= until and now.get(key, 0) != before.get(key, 0):
                    where = ", ".join(str(part) for part in key[:-1])
                    violations.append(
                        f"{file} {label(key[-1])} {what} {where}: {now.get(key, 0)}, "
                        f"but {before.get(key, 0)} was {why}"
                    )
    if plan.placements is not None and previous.placements is not None:
        until_month = parse_month(freeze_until)
        for key, (hospital, start) in sorted(previous.placements.items()):
            if start <= until_month and plan.placements.get(key) != (hospital, start):
                found = plan.placements.get(key)
                instead = "not placed" if found is None else f"at {found[0]} from {format_month(found[1])}"
                violations.append(
                    f"placements.csv {key[0]} {key[1]}: {instead}, but {hospital} from "
                    f"{format_month(start)} was {why}"
                )
        for key, (hospital, start) in sorted(plan.placements.items()):
            if start <= until_month and previous.placements.get(key) != (hospital, start):
                violations.append(
                    f"placements.csv {key[0]} {key[1]}: starts at {hospital} in {format_month(start)}, "
                    f"a month {why}, where the previous plan has no such start"
                )
    return violations
