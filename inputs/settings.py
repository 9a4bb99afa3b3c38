"""Reading scenario.toml: name, horizon, objective order, budget and solver settings."""

from __future__ import annotations

import math
import tomllib
from pathlib import Path
from typing import Any

from leveransplan.inputs.cells import WHOLE_MAX, expected_whole
from leveransplan.inputs.problems import InputProblem
from leveransplan.inputs.tables import cannot_read, read_text
from leveransplan.models.language import N_, _
from leveransplan.models.months import parse_month
from leveransplan.models.scenario import (
    AT_OBJECTIVES,
    PLACEMENT_OBJECTIVES,
    SEED_MAX,
    VOLUME_TERMS,
    WORKERS_MAX,
)

FILE = "scenario.toml"
# The mark of a scenario whose figures are (in part) invented, when scenario.toml says only
# `illustrative = true`.
# summary.json records it in English (a machine file); the report and the workbooks show it with
# `_`, which gives its Swedish and leaves a scenario's own text as written.
ILLUSTRATIVE = N_("The figures of this scenario are illustrative, not the region's.")
_KNOWN: dict[str, set[str]] = {
    "": {"name", "illustrative", "start", "months", "objective", "budget", "at", "placements", "solver"},
    "objective": {"volumes", "placements", "at"},
    "budget": {"max_cost_sek"},
    "at": {"total"},
    "placements": {"months"},
    "solver": {"time_limit_s", "workers", "seed"},
}
_TERMS = {"volumes": VOLUME_TERMS, "placements": PLACEMENT_OBJECTIVES, "at": AT_OBJECTIVES}
# The longest horizon, in months (100 years): a longer one would take hours to lay out.
MONTHS_MAX = 1200


def _problem(key: str, value: Any, expected: str) -> InputProblem:
    return InputProblem(FILE, None, None, None if value is None else str(value), expected, key=key)


def _whole(
    raw: dict[str, Any],
    key: str,
    path: str,
    problems: list[InputProblem],
    minimum: int,
    maximum: int = WHOLE_MAX,
) -> int | None:
    if key not in raw:
        return None
    value = raw[key]
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        problems.append(_problem(path, value, expected_whole(minimum, maximum)))
        return None
    return value


def read_settings(
    folder: Path, problems: list[InputProblem], notes: list[str] | None = None
) -> dict[str, Any]:
    """Parse scenario.toml into keyword arguments for Scenario; problems are appended.

    A note on how the file was read (not UTF-8, read as cp1252) goes to `notes`.
    """
    path = folder / FILE
    try:
        present = path.exists()
    except OSError as error:
        problems.append(InputProblem(FILE, None, None, None, cannot_read(error)))
        return {}
    if not present:
        problems.append(
            InputProblem(
                FILE,
                None,
                None,
                None,
                _("is missing in {folder}; every scenario needs one").format(folder=folder),
            )
        )
        return {}
    text = read_text(path, FILE, problems, notes, table=False, advice=N_("save it as UTF-8"))
    if text is None:
        return {}
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        problems.append(
            InputProblem(FILE, None, None, None, _("is not valid TOML ({error})").format(error=error))
        )
        return {}
    settings: dict[str, Any] = {}
    for table, known in _KNOWN.items():
        section = raw if not table else raw.get(table, {})
        if not isinstance(section, dict):
            problems.append(_problem(table, section, _("expected a table [{table}]").format(table=table)))
            continue
        for key in section:
            if key not in known and not (table == "" and isinstance(section[key], dict) and key in _KNOWN):
                full = f"{table}.{key}" if table else key
                problems.append(
                    _problem(
                        full,
                        None,
                        _("is not a setting; expected one of {keys}").format(keys=", ".join(sorted(known))),
                    )
                )
    settings["name"] = str(raw.get("name", folder.name))
    illustrative = raw.get("illustrative")
    if illustrative is True:
        settings["illustrative"] = ILLUSTRATIVE
    elif isinstance(illustrative, str) and illustrative.strip():
        settings["illustrative"] = illustrative.strip()
    elif illustrative not in (None, False):
        problems.append(
            _problem(
                "illustrative",
                illustrative,
                _("expected true, false or a sentence saying which figures are illustrative"),
            )
        )
    start = raw.get("start")
    if start is None:
        problems.append(_problem("start", None, _('is missing; expected the first month, e.g. "2026-01"')))
    else:
        try:
            parse_month(str(start))
            settings["start"] = str(start)
        except ValueError:
            problems.append(_problem("start", start, _("expected a month written YYYY-MM")))
    if "months" not in raw:
        problems.append(_problem("months", None, _("is missing; expected the horizon length in months")))
    else:
        months = _whole(raw, "months", "months", problems, 1, MONTHS_MAX)
        if months is not None:
            settings["months"] = months
    objective = raw.get("objective", {})
    order: dict[str, tuple[str, ...]] = {}
    if isinstance(objective, dict):
        for model, terms in _TERMS.items():
            if model not in objective:
                continue
            given = objective[model]
            if not isinstance(given, list) or not all(isinstance(t, str) for t in given):
                problems.append(
                    _problem(f"objective.{model}", given, _("expected a list of objective names"))
                )
                continue
            for term in given:
                if term not in terms:
                    problems.append(
                        _problem(
                            f"objective.{model}",
                            term,
                            _("is not an objective; expected one of {terms}").format(terms=", ".join(terms)),
                        )
                    )
            for term in {t for t in given if given.count(t) > 1}:
                problems.append(
                    _problem(f"objective.{model}", term, _("appears twice; name each objective once"))
                )
            order[model] = tuple(given)
    settings["objective"] = order
    budget = raw.get("budget", {})
    if isinstance(budget, dict):
        cap = _whole(budget, "max_cost_sek", "budget.max_cost_sek", problems, 0)
        if cap is not None:
            settings["max_cost_sek"] = cap
    at = raw.get("at", {})
    if isinstance(at, dict):
        total = _whole(at, "total", "at.total", problems, 0)
        if total is not None:
            settings["at_total"] = total
    placements = raw.get("placements", {})
    if isinstance(placements, dict):
        placement_months = _whole(placements, "months", "placements.months", problems, 1, MONTHS_MAX)
        if placement_months is not None:
            settings["placement_months"] = placement_months
    solver = raw.get("solver", {})
    if isinstance(solver, dict):
        solver_settings: dict[str, Any] = {}
        limit = solver.get("time_limit_s")
        if limit is not None:
            if isinstance(limit, bool) or not isinstance(limit, int | float) or not 0 < limit < math.inf:
                problems.append(
                    _problem(
                        "solver.time_limit_s", limit, _("expected a number of seconds above 0, such as 60")
                    )
                )
            else:
                solver_settings["time_limit_s"] = float(limit)
        for key, maximum in (("workers", WORKERS_MAX), ("seed", SEED_MAX)):
            value = _whole(solver, key, f"solver.{key}", problems, 0, maximum)
            if value is not None:
                solver_settings[key] = value
        settings["solver"] = solver_settings
    return settings
