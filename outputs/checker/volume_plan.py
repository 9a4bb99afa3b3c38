"""Independent check of a written volume plan against the spec (scenario-format.md sections 2-4, 6).

The checker reads the plan files back and recomputes everything they imply from the scenario
alone: capacities, waiting lists, prices, totals, objective terms. It never imports the
optimizer or OR-Tools, so a modelling mistake there cannot hide here.

Every violation is one sentence naming the file, the row as a spreadsheet numbers it (header =
row 1), the rule in the domain's words and the figures. Each rule family is one function (its
docstring starts with the rule), in flows.py, money.py and volume_summary.py;
`check_volume_plan` runs them all in the order of RULES and collects every violation. When a
CSV file is missing or its header is wrong nothing else can be read reliably, so only those
problems are reported.

Choices where the spec is silent:
- summary.json's per-hospital list has one entry for every hospital of hospitals.csv. Its
  `frame_sek` is the hospital's frame from hospitals.csv, null when it has none; a plan written
  before frames existed has no `frame_sek`, which is accepted for a hospital without a frame.
- stability compares decisions by (codes, month YYYY-MM); previous-plan flows in months outside
  this horizon are not values of this plan and are left out.
- A relative `previous_plan` path is looked up from the working directory, then from the plan
  folder.
- The CSV files may be in either dialect, plain or Swedish Excel (inputs/plan_files.py); a text
  cell's guard apostrophe is not part of its value.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from leveransplan.models.derived import VolumeData
from leveransplan.models.language import ngettext
from leveransplan.models.scenario import Scenario
from leveransplan.outputs.checker.flows import (
    additional_capacity,
    base_capacity,
    contract_limits,
    external_referrals_allowed,
    production_rows_complete,
    transfers_allowed,
    unique_delivery_flows,
    waiting_list_balance,
)
from leveransplan.outputs.checker.money import budget, contract_usage_consistent, flow_prices, frames
from leveransplan.outputs.checker.procurement import procurement_proposal
from leveransplan.outputs.checker.volume_figures import VolumeCheck, recompute
from leveransplan.outputs.checker.volume_files import read_plan
from leveransplan.outputs.checker.volume_summary import (
    categories_as_given,
    change_within_allowance,
    decided_as_given,
    objectives_match,
    robust_within_money,
    volume_stages,
    volume_table_consistent,
)


class PlanCheckFailed(Exception):
    """A written plan breaks rules of the spec; `violations` lists every one found."""

    def __init__(self, violations: list[str]) -> None:
        super().__init__(
            ngettext(
                "{count} violation in the plan", "{count} violations in the plan", len(violations)
            ).format(count=len(violations))
        )
        self.violations = list(violations)

    def __str__(self) -> str:
        return "\n".join(self.violations)


RULES: tuple[Callable[[VolumeCheck], Iterator[str]], ...] = (
    unique_delivery_flows,
    production_rows_complete,
    base_capacity,
    additional_capacity,
    transfers_allowed,
    external_referrals_allowed,
    contract_limits,
    waiting_list_balance,
    flow_prices,
    volume_table_consistent,
    contract_usage_consistent,
    budget,
    frames,
    objectives_match,
    categories_as_given,
    decided_as_given,
    volume_stages,
    change_within_allowance,
    robust_within_money,
    procurement_proposal,
)


def check_volume_plan(scenario: Scenario, plan_dir: Path) -> list[str]:
    """Every violation of the spec's rules by the volume plan in `plan_dir`; empty when it passes."""
    violations: list[str] = []
    data = VolumeData.from_scenario(scenario)
    plan = read_plan(data, Path(plan_dir), violations)
    if plan is None:
        return violations
    check = VolumeCheck(data, plan, recompute(plan, data))
    for rule in RULES:
        violations.extend(rule(check))
    return violations
