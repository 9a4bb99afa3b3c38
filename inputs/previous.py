"""Reading a previous plan folder (written by `leveransplan solve`) as the decisions to stay close to.

Only what the stability terms compare is read: base and additional units (production_plan.csv),
transfers and referrals (delivery_plan.csv) and placements (placements.csv). Months outside this
scenario's horizon are not decisions of the new plan and are left out. A code the scenario does
not know (a contract since removed, say) is an error: the analyst should see that the two plans
do not describe the same options.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from leveransplan.inputs.plan_files import read_plan_csv
from leveransplan.inputs.problems import InputProblem, ScenarioInvalid
from leveransplan.models.derived import catch_up_contracts
from leveransplan.models.evaluation import Decisions
from leveransplan.models.language import N_, _
from leveransplan.models.months import parse_month
from leveransplan.models.scenario import Scenario
from leveransplan.models.training import Placement, RequirementKey


class PreviousPlanInvalid(ScenarioInvalid):
    """The previous plan folder cannot be read as a plan of this scenario."""


@dataclass
class PreviousPlan:
    """The previous plan's decisions, per model present in the folder."""

    folder: Path
    volumes: Decisions | None
    placements: dict[RequirementKey, Placement] | None


def _rows(path: Path, problems: list[InputProblem]) -> list[tuple[int, dict[str, str]]] | None:
    if not path.exists():
        return None
    try:
        table = read_plan_csv(path)  # either dialect, guard apostrophes taken off
    except (OSError, UnicodeDecodeError) as error:
        problems.append(
            InputProblem(str(path), None, None, None, _("cannot be read ({reason})").format(reason=error))
        )
        return None
    return [(n, {k: v.strip() for k, v in row.items()}) for n, row in table.records()]


def read_previous_plan(folder: Path, scenario: Scenario) -> PreviousPlan:
    """The decisions of a previous plan; PreviousPlanInvalid lists every row that does not fit."""
    problems: list[InputProblem] = []
    if not (folder / "summary.json").is_file():
        raise PreviousPlanInvalid(
            [
                InputProblem(
                    str(folder), None, None, None, _("is not a plan folder written by leveransplan solve")
                )
            ]
        )
    horizon = scenario.horizon
    hospitals = {h.hospital for h in scenario.hospitals}
    categories = {c.category for c in scenario.categories}
    contracts = {c.contract for c in scenario.contracts} | {
        c.contract for c in catch_up_contracts(scenario, [(h, k) for h in hospitals for k in categories])
    }

    def month_number(path: Path, row: int, text: str) -> int | None:
        try:
            return horizon.number(text)
        except ValueError:
            problems.append(
                InputProblem(str(path), row, "month", text, _("expected a month written YYYY-MM"))
            )
            return None

    def count(path: Path, row: int, column: str, text: str) -> int:
        if text.isdigit():
            return int(text)
        problems.append(InputProblem(str(path), row, column, text, _("expected a whole number, 0 or more")))
        return 0

    def known(path: Path, row: int, column: str, value: str, allowed: set[str], what: str) -> bool:
        """Whether `value` is one of `allowed`; `what` is a text marked N_ ("is not a hospital ...")."""
        if value in allowed:
            return True
        problems.append(InputProblem(str(path), row, column, value, _(what)))
        return False

    hospital = N_("is not a hospital of this scenario")
    category = N_("is not a category of this scenario")

    volumes: Decisions | None = None
    production_path, delivery_path = folder / "production_plan.csv", folder / "delivery_plan.csv"
    production, delivery = _rows(production_path, problems), _rows(delivery_path, problems)
    if production is not None and delivery is not None and scenario.has_volumes:
        volumes = Decisions()
        for row, cells in production:
            m = month_number(production_path, row, cells.get("month", ""))
            h, k = cells.get("hospital", ""), cells.get("category", "")
            if m is None or not known(production_path, row, "hospital", h, hospitals, hospital):
                continue
            if not known(production_path, row, "category", k, categories, category):
                continue
            for column, target in (
                ("base_used", volumes.base_used),
                ("additional_own", volumes.additional_own),
            ):
                if units := count(production_path, row, column, cells.get(column, "")):
                    target[h, k, m] = units
        for row, cells in delivery:
            m = month_number(delivery_path, row, cells.get("month", ""))
            h, k = cells.get("hospital", ""), cells.get("category", "")
            units = count(delivery_path, row, "volume", cells.get("volume", ""))
            if m is None or not units or not known(delivery_path, row, "hospital", h, hospitals, hospital):
                continue
            if cells.get("channel") == "transfer":
                g = cells.get("provider", "")
                if known(delivery_path, row, "provider", g, hospitals, hospital) and known(
                    delivery_path, row, "category", k, categories, category
                ):
                    volumes.transfers[h, g, k, m] = volumes.transfers.get((h, g, k, m), 0) + units
            elif known(
                delivery_path,
                row,
                "contract",
                cells.get("contract", ""),
                contracts,
                N_("is not a contract of this scenario"),
            ):
                c = cells["contract"]
                volumes.referrals[h, c, m] = volumes.referrals.get((h, c, m), 0) + units
    placements: dict[RequirementKey, Placement] | None = None
    placements_path = folder / "placements.csv"
    placed = _rows(placements_path, problems)
    if placed is not None and scenario.has_placements:
        requirements = {(r.trainee, r.specialty) for r in scenario.st_requirements}
        placements = {}
        for row, cells in placed:
            key = (cells.get("trainee", ""), cells.get("specialty", ""))
            if key not in requirements:
                problems.append(
                    InputProblem(
                        str(placements_path),
                        row,
                        "specialty",
                        key[1],
                        _("is not a requirement of trainee {trainee}").format(trainee=key[0]),
                    )
                )
                continue
            try:
                placements[key] = (cells.get("hospital", ""), parse_month(cells.get("start", "")))
            except ValueError:
                problems.append(
                    InputProblem(
                        str(placements_path), row, "start", cells.get("start"), _("expected YYYY-MM")
                    )
                )
    if problems:
        raise PreviousPlanInvalid(problems)
    return PreviousPlan(folder, volumes, placements)
