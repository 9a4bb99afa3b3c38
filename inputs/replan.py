"""Re-planning the rest of the year from reported outcomes (`solve --actuals FILE --freeze-until M`).

The months up to M have happened. The new plan covers the months after M and starts from what
was reported, as a scenario of its own:

- each waiting list starts at the `waiting_end` reported for month M (one row per hospital and
  category with need is required);
- inflow and base units are those of the remaining months (the scenario's monthly split);
- the additional units left to buy are the offer less the additional units already performed:
  performed beyond the base in the months reported, per hospital and category;
- each contract keeps what the previous plan (`--previous`) did not use in the decided months,
  minimum and maximum alike; without a previous plan nothing counts as used; a contract that
  ended in the decided months has nothing left.

The remaining base and additional units are split again over the remaining months by the
capacity profile; the cumulative floor split can round a month one unit differently from the
whole year's split.
"""

from __future__ import annotations

from collections import defaultdict

from leveransplan.inputs.actuals import ActualsInvalid
from leveransplan.inputs.problems import InputProblem
from leveransplan.models.actuals import Performed
from leveransplan.models.derived import VolumeData
from leveransplan.models.evaluation import Decisions
from leveransplan.models.language import _
from leveransplan.models.scenario import Scenario


def rest_of_year(
    scenario: Scenario, actuals: list[Performed], decided_until: str, previous: Decisions | None, file: str
) -> Scenario:
    """The scenario of the months after `decided_until`, starting from the reported outcomes."""
    horizon = scenario.horizon
    decided = horizon.number(decided_until)
    if decided is None or decided >= horizon.length:
        raise ActualsInvalid(
            [
                InputProblem(
                    "--freeze-until",
                    None,
                    None,
                    decided_until,
                    _("expected a month before the horizon's last, {month}").format(
                        month=horizon.label(horizon.length)
                    ),
                )
            ]
        )
    data = VolumeData.from_scenario(scenario)
    problems: list[InputProblem] = []
    waiting_end: dict[tuple[str, str], int] = {}
    performed: dict[tuple[str, str], int] = defaultdict(int)
    pairs = set(data.pairs)
    for report in actuals:
        key = (report.hospital, report.category)
        if key not in pairs:
            problems.append(
                InputProblem(
                    file,
                    report.row,
                    "category",
                    report.category,
                    _("{hospital} has no need or own volumes in it").format(hospital=report.hospital),
                )
            )
            continue
        number = horizon.number(report.month)
        if number is None or number > decided:
            problems.append(
                InputProblem(
                    file,
                    report.row,
                    "month",
                    report.month,
                    _("expected a decided month, up to {month}").format(month=decided_until),
                )
            )
            continue
        performed[key] += report.performed
        if number == decided:
            waiting_end[key] = report.waiting_end
    for h, k in data.pairs:
        if data.has_need(h, k) and (h, k) not in waiting_end:
            problems.append(
                InputProblem(
                    file,
                    None,
                    None,
                    None,
                    _(
                        "has no waiting_end for {hospital} {category} in {month}; "
                        "every hospital and category with need needs one"
                    ).format(hospital=h, category=k, month=decided_until),
                )
            )
    if problems:
        raise ActualsInvalid(problems)
    later = range(decided + 1, horizon.length + 1)
    need = [
        row.model_copy(
            update={
                "waiting": waiting_end[row.hospital, row.category],
                "inflow": sum(data.inflow[row.hospital, row.category, m] for m in later),
            }
        )
        for row in scenario.need
    ]
    own_volumes = []
    for row in scenario.own_volumes:
        key = (row.hospital, row.category)
        base_so_far = sum(data.base_capacity[row.hospital, row.category, m] for m in range(1, decided + 1))
        bought = max(0, performed.get(key, 0) - base_so_far)
        own_volumes.append(
            row.model_copy(
                update={
                    # Before any capacity loss: the scenario keeps its loss rows, which take the
                    # later months' share again.
                    "base": sum(
                        data.base_capacity[row.hospital, row.category, m]
                        + data.base_lost.get((row.hospital, row.category, m), 0)
                        for m in later
                    ),
                    "additional_max": max(0, row.additional_max - bought),
                }
            )
        )
    used: dict[str, int] = defaultdict(int)
    if previous is not None:
        for (_hospital, code, month), units in previous.referrals.items():
            if month <= decided:
                used[code] += units
    start = horizon.label(decided + 1)
    contracts = []
    for contract in scenario.contracts:
        first, last = contract.first_month, contract.last_month
        ended = last is not None and last < start  # its minimum belongs to the months decided
        contracts.append(
            contract.model_copy(
                update={
                    "volume_min": 0 if ended else max(0, contract.volume_min - used[contract.contract]),
                    "volume_max": 0 if ended else max(0, contract.volume_max - used[contract.contract]),
                    "first_month": None if first is None or first <= start else first,
                }
            )
        )
    profile = [row for row in scenario.profile if row.month >= start]
    placement_months = scenario.placement_months
    return scenario.model_copy(
        update={
            "start": start,
            "months": horizon.length - decided,
            "placement_months": None if placement_months is None else placement_months - decided,
            "need": tuple(need),
            "own_volumes": tuple(own_volumes),
            "contracts": tuple(contracts),
            "profile": tuple(profile),
        }
    )
