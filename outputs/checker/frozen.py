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
from leveransplan.models.language import _
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
        return [
            _("frozen months cannot be compared: {problem}").format(problem=problem)
            for problem in invalid.problems
        ]
    why = _("decided by the previous plan {previous_dir} (--freeze-until {freeze_until})").format(
        previous_dir=previous_dir, freeze_until=freeze_until
    )
    violations: list[str] = []
    if plan.volumes is not None and previous.volumes is not None:
        until = scenario.horizon.number(freeze_until)
        if until is None:
            return [
                _("--freeze-until {freeze_until} is outside the horizon {start}..").format(
                    freeze_until=freeze_until, start=scenario.horizon.start
                )
            ]
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
                        _("{file} {label} {what} {where}: {now}, but {before} was {why}").format(
                            file=file,
                            label=label(key[-1]),
                            what=what,
                            where=where,
                            now=now.get(key, 0),
                            before=before.get(key, 0),
                            why=why,
                        )
                    )
    if plan.placements is not None and previous.placements is not None:
        until_month = parse_month(freeze_until)
        for key, (hospital, start) in sorted(previous.placements.items()):
            if start <= until_month and plan.placements.get(key) != (hospital, start):
                found = plan.placements.get(key)
                instead = (
                    _("not placed")
                    if found is None
                    else _("at {hospital} from {start}").format(
                        hospital=found[0], start=format_month(found[1])
                    )
                )
                violations.append(
                    _(
                        "placements.csv {trainee} {specialty}: {instead}, but {hospital} from {start} was "
                        "{why}"
                    ).format(
                        trainee=key[0],
                        specialty=key[1],
                        instead=instead,
                        hospital=hospital,
                        start=format_month(start),
                        why=why,
                    )
                )
        for key, (hospital, start) in sorted(plan.placements.items()):
            if start <= until_month and previous.placements.get(key) != (hospital, start):
                violations.append(
                    _(
                        "placements.csv {trainee} {specialty}: starts at {hospital} in {start}, a month "
                        "{why}, where the previous plan has no such start"
                    ).format(
                        trainee=key[0],
                        specialty=key[1],
                        hospital=hospital,
                        start=format_month(start),
                        why=why,
                    )
                )
    return violations
