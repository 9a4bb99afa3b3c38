"""The volume plan's cost over the horizon by channel, from the plan's files.

Choices where the issue is silent:
- Own additional production (tillägg) is the only channel without a price in the files, so it is
  summary.json's per-hospital cost minus the delivery plan's cost (transfers and referrals). The
  channels are then checked against summary.json's cost_sek, which also holds the unused
  take-or-pay minimums; a difference is shown on the page, never hidden.
- Out-of-region contracts (utomlänsvård) are told apart by an `out_of_region` column of
  contract_usage.csv when there is one; otherwise by the scenario's contracts.csv when manifest.json
  names a scenario folder whose contracts.csv still has the recorded SHA-256; otherwise only when
  summary.json's out_of_region term is 0 (then no contract is out of region). When none of these
  holds, out-of-region contracts are shown with the other contracts and the page says so.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from leveransplan.inputs.plan_files import read_plan_csv
from leveransplan.inputs.tables import read_file
from leveransplan.models.derived import catch_up_provider
from leveransplan.models.language import _
from leveransplan.outputs.report.html import number_text
from leveransplan.outputs.report.plan import (
    Plan,
    ReportUnreadable,
    cell_int,
    hospital_figures,
    read_header_and_rows,
    read_plan,
    read_rows,
    summary_whole,
)


@dataclass(frozen=True)
class Channel:
    """One way the volume plan spends money, and how much over the horizon."""

    name: str
    kind: str  # own | transfer | contract | out_of_region | unused_minimum
    cost_sek: int


@dataclass
class CostChannels:
    """The volume plan's cost split by channel, checked against summary.json's cost_sek."""

    channels: list[Channel]
    cost_sek: int
    notes: list[str]
    out_of_region: set[str] | None  # contracts with a provider in another region; None: unknown
    warnings: list[str] = field(default_factory=list)  # where the plan's files disagree

    @property
    def total_sek(self) -> int:
        return sum(c.cost_sek for c in self.channels)


def _truthy(text: str) -> bool:
    return text.strip().lower() in {"true", "1", "yes", "ja"}


def _out_of_region_candidates(plan: Plan) -> set[str]:
    """The candidate contracts procurement.csv marks as in another region (none without the file)."""
    path = plan.folder / "procurement.csv"
    if not path.is_file():
        return set()
    try:
        table = read_plan_csv(path)
    except (OSError, UnicodeDecodeError):
        return set()
    return {r["contract"].strip() for _n, r in table.records() if _truthy(r.get("out_of_region", ""))}


def _out_of_region_contracts(
    plan: Plan, usage: list[dict[str, str]], usage_header: Sequence[str]
) -> tuple[set[str] | None, str]:
    """The contracts in another region, and where that came from; None when the files cannot tell."""
    if "out_of_region" in usage_header:
        return {r["contract"] for r in usage if _truthy(r["out_of_region"])}, "contract_usage.csv"
    folder = plan.recorded(str, "scenario_folder")
    recorded = plan.recorded(str, "inputs_sha256", "contracts.csv")
    flags = plan.recorded(list, "parameters", "what_if_flags", "set") or []
    changed = any("out_of_region" in str(flag) for flag in flags)  # --set may have changed a mark
    if isinstance(folder, str) and isinstance(recorded, str) and not changed:
        contracts = Path(folder) / "contracts.csv"
        try:
            data = read_file(contracts)
        except OSError:
            data = None
        if data is not None and hashlib.sha256(data).hexdigest() == recorded:
            try:
                table = read_plan_csv(contracts)
            except (OSError, UnicodeDecodeError):
                table = None
            if table is not None and "contract" in table.header:
                flagged = {
                    r["contract"].strip() for _n, r in table.records() if _truthy(r.get("out_of_region", ""))
                }
                source = _("the scenario's contracts.csv ({path})").format(path=contracts)
                return flagged | _out_of_region_candidates(plan), source
    objectives = plan.summary["volumes"].get("objectives")
    if isinstance(objectives, dict) and objectives.get("out_of_region") == 0:
        return set(), _("summary.json (no patient was sent out of the region)")
    return None, ""


def cost_by_channel(plan_dir: Path) -> CostChannels:
    """The volume plan's cost over the horizon by channel; ReportUnreadable without a volume plan."""
    plan = read_plan(plan_dir)
    if "volumes" not in plan.models:
        raise ReportUnreadable(_("{folder} holds no volume plan").format(folder=plan_dir))
    return cost_channels(plan)


def cost_channels(plan: Plan) -> CostChannels:
    """The cost by channel of a plan already read (see `cost_by_channel`)."""
    volumes = plan.summary["volumes"]
    delivery_path = plan.folder / "delivery_plan.csv"
    usage_path = plan.folder / "contract_usage.csv"
    delivery = read_rows(delivery_path, ("channel", "provider", "contract", "cost_sek"))
    usage_columns = ("contract", "provider", "used", "unused_min", "cost_sek")
    usage_header, usage = read_header_and_rows(usage_path, usage_columns)
    notes: list[str] = []
    warnings: list[str] = []

    transfers = sum(cell_int(r, "cost_sek", delivery_path) for r in delivery if r["channel"] == "transfer")
    referrals = sum(cell_int(r, "cost_sek", delivery_path) for r in delivery if r["channel"] != "transfer")
    hospital_cost = sum(figures["cost_sek"] for _name, figures in hospital_figures(volumes))
    own = hospital_cost - transfers - referrals

    out_of_region, source = _out_of_region_contracts(plan, usage, usage_header)
    by_provider: dict[str, int] = defaultdict(int)
    away: dict[str, int] = defaultdict(int)
    unused_total = 0
    for row in usage:
        used, unused, cost = (cell_int(row, c, usage_path) for c in ("used", "unused_min", "cost_sek"))
        price = cost // (used + unused) if used + unused else 0
        unused_total += unused * price
        if out_of_region is not None and row["contract"] in out_of_region:
            away[row["provider"]] += used * price
        else:
            by_provider[row["provider"]] += used * price

    channels = [
        Channel(_("Own additional production (tillägg)"), "own", own),
        Channel(_("Transfers to other hospitals"), "transfer", transfers),
    ]
    # A hospital's catch-up capacity (catch_up.csv) is written as a contract of its own provider,
    # but it is the hospital's own production for its own patients, not purchased care.
    catch_up = {catch_up_provider(name): name for name, _figures in hospital_figures(volumes)}
    for provider in sorted(by_provider, key=lambda p: (-by_provider[p], p)):
        if provider in catch_up:
            name = _("{hospital}'s own catch-up production (catch_up.csv)").format(
                hospital=catch_up[provider]
            )
            channels.append(Channel(name, "own", by_provider[provider]))
        else:
            name = _("Contract provider {provider} (köpt vård)").format(provider=provider)
            channels.append(Channel(name, "contract", by_provider[provider]))
    if out_of_region is None:
        notes.append(
            _(
                "Out-of-region contracts cannot be told apart from the plan files alone "
                "(contract_usage.csv has no out_of_region column and the scenario's contracts.csv is not "
                "available with its recorded hash); they are counted with the contract providers."
            )
        )
    else:
        providers = ", ".join(sorted(away)) or _("none")
        name = _("Out of region (utomlänsvård): {providers}").format(providers=providers)
        channels.append(Channel(name, "out_of_region", sum(away.values())))
        notes.append(_("Out-of-region contracts as marked in {source}.").format(source=source))
    channels.append(Channel(_("Unused contract minimums (take-or-pay)"), "unused_minimum", unused_total))

    cost_sek = summary_whole(volumes.get("cost_sek"), "volumes.cost_sek")
    total = sum(c.cost_sek for c in channels)
    if total != cost_sek:
        warnings.append(
            _(
                "The channels add up to {total} SEK but summary.json's cost_sek is {cost} SEK "
                "(difference {difference} SEK): the plan's files disagree with each other."
            ).format(
                total=number_text(total), cost=number_text(cost_sek), difference=number_text(total - cost_sek)
            )
        )
    recorded_unused = volumes.get("unused_minimum_cost_sek")
    if isinstance(recorded_unused, int) and recorded_unused != unused_total:
        warnings.append(
            _(
                "Unused minimums from contract_usage.csv: {used} SEK; summary.json says {recorded} SEK."
            ).format(used=number_text(unused_total), recorded=number_text(recorded_unused))
        )
    return CostChannels(channels, cost_sek, notes, out_of_region, warnings)
