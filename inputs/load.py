"""Loading a scenario folder: every file parsed, every cross-table rule checked, all problems at once."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Sequence
from importlib import resources
from pathlib import Path, PurePath
from typing import Any

from leveransplan.inputs.problems import NOT_A_CATEGORY, NOT_A_HOSPITAL, InputProblem, ScenarioInvalid
from leveransplan.inputs.schemas import (
    ALL_TABLES,
    PLACEMENT_TABLES,
    REQUIRED_FOR_PLACEMENTS,
    REQUIRED_FOR_VOLUMES,
    VOLUME_ONLY,
)
from leveransplan.inputs.settings import FILE as SETTINGS_FILE
from leveransplan.inputs.settings import read_settings
from leveransplan.inputs.tables import CSV_ADVICE, Record, duplicate_keys, read_table
from leveransplan.inputs.training_rules import TrainingRules
from leveransplan.inputs.uncertainty_rules import UncertaintyRules
from leveransplan.inputs.whatif import WhatIf, WhatIfInvalid, apply_what_ifs
from leveransplan.models.derived import catch_up_provider
from leveransplan.models.language import _
from leveransplan.models.months import Horizon, parse_month
from leveransplan.models.numbers import grouped
from leveransplan.models.scenario import PRICE_CLASSES, Contract, Scenario

DEFAULT_SCENARIO = "vgr-2026"
CANDIDATES = "candidate_contracts.csv"
# Totals (cost, travel, patient-months) must stay well inside CP-SAT's 64-bit integers, whose
# sums of products it checks for overflow: 2**62 leaves room for the model's own arithmetic.
_ARITHMETIC_LIMIT = 2**62


def default_scenario_path() -> Path:
    """The folder of the scenario shipped inside the package."""
    return Path(str(resources.files("leveransplan.inputs").joinpath(DEFAULT_SCENARIO)))


class CrossTableRules:
    """Cross-table rules over parsed records; each rule appends located problems."""

    def __init__(
        self,
        tables: dict[str, list[Record]],
        horizon: Horizon | None,
        unreadable: set[str],
        placement_horizon: Horizon | None = None,
        at_total: int | None = None,
    ) -> None:
        self.tables = tables
        # A table that is missing or has a problem of its own is no evidence that a code is unknown:
        # checking against it would bury the one real problem under follow-on messages.
        self.unreadable = unreadable | {t for t in ("hospitals.csv", "categories.csv") if t not in tables}
        self.horizon = horizon
        self.placement_horizon = placement_horizon
        self.at_total = at_total
        self.problems: list[InputProblem] = []
        self.hospitals = {r["hospital"] for r in tables.get("hospitals.csv", [])}
        self.categories = {r["category"] for r in tables.get("categories.csv", [])}
        self.providers = {
            r["provider"] for file in ("contracts.csv", CANDIDATES) for r in tables.get(file, [])
        }

    def add(self, file: str, record: Record, column: str, expected: str) -> None:
        self.problems.append(InputProblem(file, record.row, column, record.raw.get(column, ""), expected))

    def rows(self, file: str) -> list[Record]:
        return self.tables.get(file, [])

    def unique_keys(self, file: str, columns: tuple[str, ...]) -> None:
        """Hard: a key appears once in its table."""
        self.problems.extend(duplicate_keys(file, self.rows(file), columns))

    def known(self, file: str, column: str, allowed: Iterable[str], what: str, source: str) -> None:
        """Hard: a code refers to a row of another table (`what`: NOT_A_HOSPITAL or the like)."""
        if source in self.unreadable:
            return
        allowed_set = set(allowed)
        for record in self.rows(file):
            if record[column] not in allowed_set:
                self.add(file, record, column, _(what).format(source=source))

    def in_horizon(self, file: str, column: str, records: Iterable[Record] | None = None) -> None:
        """Hard: a month lies within the horizon (in `records`, or in every row of the file)."""
        if self.horizon is None:
            return
        for record in self.rows(file) if records is None else records:
            value = record[column]
            if value is not None and self.horizon.number(value) is None:
                last = self.horizon.label(self.horizon.length)
                self.add(
                    file,
                    record,
                    column,
                    _("is outside the horizon {first}..{last}").format(first=self.horizon.start, last=last),
                )

    def check_all(self) -> list[InputProblem]:
        hospital_source = "hospitals.csv"
        self.unique_keys("hospitals.csv", ("hospital",))
        self.unique_keys("categories.csv", ("category",))
        for record in self.rows("categories.csv"):
            if record["price_class"] not in PRICE_CLASSES:
                self.add("categories.csv", record, "price_class", _expected_price_class())
        for file in ("prices.csv", "own_volumes.csv", "need.csv", "profile.csv", "access.csv"):
            self.known(file, "hospital", self.hospitals, NOT_A_HOSPITAL, hospital_source)
        for file in ("own_volumes.csv", "need.csv", "contracts.csv", CANDIDATES):
            self.known(file, "category", self.categories, NOT_A_CATEGORY, "categories.csv")
        for record in self.rows("prices.csv"):
            if record["price_class"] not in PRICE_CLASSES:
                self.add("prices.csv", record, "price_class", _expected_price_class())
        self.unique_keys("prices.csv", ("hospital", "price_class"))
        self.unique_keys("own_volumes.csv", ("hospital", "category"))
        self.unique_keys("need.csv", ("hospital", "category"))
        self.unique_keys("profile.csv", ("hospital", "month"))
        self.in_horizon("profile.csv", "month")
        self.unique_keys("contracts.csv", ("contract",))
        self.unique_keys("access.csv", ("hospital", "provider"))
        self.contract_rules()
        self.candidate_rules()
        self.access_rules()
        self.go_live_rules()
        self.additional_volume_has_price()
        self.figures_fit_the_arithmetic()
        UncertaintyRules(self).check_all()
        TrainingRules(self).check_all()
        return self.problems

    def figures_fit_the_arithmetic(self) -> None:
        """Hard: the largest cost, travel or patient-months a plan could reach fits 64-bit integers.

        Each figure is capped one by one (inputs.cells), but products and sums of capped figures
        can still exceed what CP-SAT computes exactly; then the first row with the largest price,
        travel time or patient count is named.
        """
        need = self.rows("need.csv")
        try:
            patients = sum(int(r["waiting"]) + int(r["inflow"]) for r in need)
            largest: list[tuple[int, str, Record, str]] = [
                (int(record[column]), file, record, column)
                for file, column in (
                    ("prices.csv", "price_sek"),
                    ("contracts.csv", "price_sek"),
                    (CANDIDATES, "price_sek"),
                    ("access.csv", "travel_minutes"),
                )
                for record in self.rows(file)
            ]
            minimums = sum(int(r["volume_min"]) * int(r["price_sek"]) for r in self.rows("contracts.csv"))
        except (TypeError, ValueError, KeyError):
            return  # a cell that did not parse is reported already
        months = self.horizon.length if self.horizon is not None else 1
        worst = max((value for value, *_ in largest), default=0)
        if not patients or patients * max(worst, months) + minimums < _ARITHMETIC_LIMIT:
            return
        limit = grouped(_ARITHMETIC_LIMIT)
        if largest and patients * worst + minimums >= _ARITHMETIC_LIMIT:
            _value, file, record, column = max(largest, key=lambda item: item[0])
            self.add(
                file,
                record,
                column,
                _(
                    "is too large with {patients} patients in need.csv: a plan's total would exceed "
                    "{limit}, the largest figure computed exactly"
                ).format(patients=grouped(patients), limit=limit),
            )
        else:
            record = max(need, key=lambda r: int(r["waiting"]) + int(r["inflow"]))
            self.add(
                "need.csv",
                record,
                "waiting",
                _(
                    "makes {patients} patients over {months} months, whose patient-months would "
                    "exceed {limit}, the largest figure computed exactly"
                ).format(patients=grouped(patients), months=grouped(months), limit=limit),
            )

    def contract_rules(self) -> None:
        """Hard: a contract's provider is external, its minimum fits its maximum, its months are ordered."""
        for record in self.rows("contracts.csv"):
            if record["provider"] in self.hospitals:
                self.add(
                    "contracts.csv",
                    record,
                    "provider",
                    _("is a hospital code; a provider code may not equal one"),
                )
            if record["volume_min"] > record["volume_max"]:
                self.add(
                    "contracts.csv",
                    record,
                    "volume_min",
                    _("is above volume_max {maximum}; expected volume_min <= volume_max").format(
                        maximum=record["volume_max"]
                    ),
                )
            first, last = record["first_month"], record["last_month"]
            if first is not None and last is not None and parse_month(first) > parse_month(last):
                self.add("contracts.csv", record, "last_month", _before_first_month(first))

    def candidate_rules(self) -> None:
        """Hard: a candidate contract's id is its own (also against contracts.csv), its provider is
        external and its months are ordered."""
        self.unique_keys(CANDIDATES, ("contract",))
        existing = {r["contract"] for r in self.rows("contracts.csv")}
        for record in self.rows(CANDIDATES):
            if record["contract"] in existing:
                self.add(
                    CANDIDATES,
                    record,
                    "contract",
                    _("is a contract in contracts.csv already; expected an id of its own"),
                )
            if record["provider"] in self.hospitals:
                self.add(
                    CANDIDATES, record, "provider", _("is a hospital code; a provider code may not equal one")
                )
            first, last = record["first_month"], record["last_month"]
            if first is not None and last is not None and parse_month(first) > parse_month(last):
                self.add(CANDIDATES, record, "last_month", _before_first_month(first))

    def go_live_rules(self) -> None:
        """Hard: capacity_loss.csv and catch_up.csv name known codes and categories their hospitals
        plan, months in the horizon in order, a share kept of at most 1, and catch-up providers no
        contract or candidate contract already uses."""
        for file in ("capacity_loss.csv", "catch_up.csv"):
            self.known(file, "hospital", self.hospitals, NOT_A_HOSPITAL, "hospitals.csv")
            if "categories.csv" not in self.unreadable:
                for record in self.rows(file):
                    if record["category"] is not None and record["category"] not in self.categories:
                        self.add(file, record, "category", _(NOT_A_CATEGORY).format(source="categories.csv"))
            self.in_horizon(file, "first_month")
            self.in_horizon(file, "last_month")
            for record in self.rows(file):
                first, last = record["first_month"], record["last_month"]
                if parse_month(first) > parse_month(last):
                    self.add(file, record, "last_month", _before_first_month(first))
        for record in self.rows("capacity_loss.csv"):
            if record["factor"] > 1:
                self.add(
                    "capacity_loss.csv",
                    record,
                    "factor",
                    _("expected the share of capacity kept, from 0 to 1 (0.6 keeps 60 %)"),
                )
        self.go_live_categories_planned()
        catch_up = {catch_up_provider(r["hospital"]) for r in self.rows("catch_up.csv")}
        for file in ("contracts.csv", CANDIDATES):
            for record in self.rows(file):
                if record["provider"] in catch_up:
                    self.add(
                        file,
                        record,
                        "provider",
                        _(
                            "is the name of a hospital's catch-up capacity in catch_up.csv; "
                            "expected another code"
                        ),
                    )

    def go_live_categories_planned(self) -> None:
        """Hard: a capacity-loss or catch-up row's category is one its hospital has a need.csv or
        own_volumes.csv row in; else the row would change nothing. An empty category means the
        hospital's categories, whichever they are."""
        if {"need.csv", "own_volumes.csv", "hospitals.csv", "categories.csv"} & self.unreadable:
            return
        planned = {
            (r["hospital"], r["category"]) for f in ("need.csv", "own_volumes.csv") for r in self.rows(f)
        }
        for file in ("capacity_loss.csv", "catch_up.csv"):
            for record in self.rows(file):
                h, k = record["hospital"], record["category"]
                if k is None or h not in self.hospitals or k not in self.categories or (h, k) in planned:
                    continue
                self.add(
                    file,
                    record,
                    "category",
                    _(
                        "{hospital} has no row for it in need.csv or own_volumes.csv, so the row would "
                        "change nothing; expected one of the hospital's categories, or empty for all of them"
                    ).format(hospital=h),
                )

    def access_rules(self) -> None:
        """Hard: access rows lead from a hospital to a provider or to another hospital."""
        destinations = self.hospitals | self.providers
        sources_complete = not {"hospitals.csv", "contracts.csv"} & self.unreadable
        for record in self.rows("access.csv"):
            if record["provider"] not in destinations and sources_complete:
                self.add(
                    "access.csv",
                    record,
                    "provider",
                    _(
                        "is neither a hospital in hospitals.csv nor a provider in contracts.csv or {file}"
                    ).format(file=CANDIDATES)
                    if self.rows(CANDIDATES)
                    else _("is neither a hospital in hospitals.csv nor a provider in contracts.csv"),
                )
            elif record["provider"] == record["hospital"]:
                self.add(
                    "access.csv",
                    record,
                    "provider",
                    _("is the hospital itself; expected another hospital or a provider"),
                )

    def additional_volume_has_price(self) -> None:
        """Hard: every additional volume offered has a price in prices.csv."""
        price_class = {r["category"]: r["price_class"] for r in self.rows("categories.csv")}
        priced = {(r["hospital"], r["price_class"]) for r in self.rows("prices.csv")}
        for record in self.rows("own_volumes.csv"):
            cls = price_class.get(record["category"])
            offered = (
                record["additional_max"] > 0 and cls is not None and record["hospital"] in self.hospitals
            )
            if offered and (record["hospital"], cls) not in priced:
                self.add(
                    "own_volumes.csv",
                    record,
                    "additional_max",
                    _("has no price: prices.csv has no row for {hospital} {price_class}").format(
                        hospital=record["hospital"], price_class=cls
                    ),
                )


def _expected_price_class() -> str:
    return _("expected one of {classes}").format(classes=", ".join(PRICE_CLASSES))


def _before_first_month(first: str) -> str:
    return _("is before first_month {month}").format(month=first)


def _candidates(tables: dict[str, list[Record]]) -> list[Contract]:
    """candidate_contracts.csv's rows as contracts not bought yet: no minimum, and an empty
    volume_max is no limit, written as every patient of the category (no plan refers more)."""
    patients: dict[str, int] = {}
    for record in tables.get("need.csv", []):
        k = record["category"]
        patients[k] = patients.get(k, 0) + record["waiting"] + record["inflow"]
    candidates = []
    for record in tables.get(CANDIDATES, []):
        values = dict(record.values)
        if values["volume_max"] is None:
            values["volume_max"] = patients.get(values["category"], 0)
        candidates.append(Contract(**values, volume_min=0, candidate=True))
    return candidates


def _build(settings: dict[str, Any], tables: dict[str, list[Record]], notes: tuple[str, ...]) -> Scenario:
    def rows(file: str, make: Callable[[dict[str, Any]], Any]) -> tuple[Any, ...]:
        return tuple(make(r.values) for r in tables.get(file, []))

    from leveransplan.models import scenario as m

    objective = m.ObjectiveOrder(**settings.pop("objective", {}))
    if tables.get(CANDIDATES):
        objective = objective.with_procurement()
    solver = m.SolverSettings(**settings.pop("solver", {}))
    return Scenario(
        **settings,
        objective=objective,
        solver=solver,
        notes=notes,
        hospitals=rows("hospitals.csv", lambda v: m.Hospital(**v)),
        categories=rows("categories.csv", lambda v: m.Category(**v)),
        prices=rows("prices.csv", lambda v: m.PriceRow(**v)),
        own_volumes=rows("own_volumes.csv", lambda v: m.OwnVolume(**v)),
        need=rows("need.csv", lambda v: m.NeedRow(**v)),
        profile=rows("profile.csv", lambda v: m.ProfileRow(**v)),
        contracts=(*rows("contracts.csv", lambda v: m.Contract(**v)), *_candidates(tables)),
        access=rows("access.csv", lambda v: m.AccessRow(**v)),
        at=rows("at.csv", lambda v: m.ATRow(**v)),
        at_rotations=rows("at_rotations.csv", lambda v: m.ATRotation(**v)),
        st_trainees=rows("st_trainees.csv", lambda v: m.Trainee(**v)),
        st_requirements=rows("st_requirements.csv", lambda v: m.Requirement(**v)),
        st_capacity=rows("st_capacity.csv", lambda v: m.CapacityRow(**v)),
        travel=rows("travel.csv", lambda v: m.TravelRow(**v)),
        st_fixed=rows("st_fixed.csv", lambda v: m.FixedPlacement(**v)),
        capacity_loss=rows("capacity_loss.csv", lambda v: m.CapacityLossRow(**v)),
        catch_up=rows("catch_up.csv", lambda v: m.CatchUpRow(**v)),
        uncertainty=rows("uncertainty.csv", lambda v: m.UncertaintyRow(**v)),
    )


def _required_files(folder: Path, present: set[str], settings: dict[str, Any]) -> list[InputProblem]:
    """Hard: the files each model needs come together (spec section 1, "Which files are required")."""
    problems: list[InputProblem] = []

    def need(files: Iterable[str], why: str) -> None:
        for file in files:
            if file not in present:
                problems.append(InputProblem(file, None, None, None, _("is missing; {why}").format(why=why)))

    if not present - {"hospitals.csv"}:
        # hospitals.csv alone plans nothing: every model needs tables of its own.
        problems.append(
            InputProblem(
                str(folder), None, None, None, _("has no scenario tables; expected volume or training tables")
            )
        )
        return problems
    if present & set(VOLUME_ONLY):
        need(REQUIRED_FOR_VOLUMES, _("a scenario with volume tables needs it"))
    if present & set(PLACEMENT_TABLES):
        need(REQUIRED_FOR_PLACEMENTS, _("a scenario with ST-A tables needs it"))
    if present & {"at.csv", "at_rotations.csv", "st_capacity.csv", "travel.csv", "st_fixed.csv"}:
        need(("hospitals.csv",), _("the training tables name hospitals by their codes"))
    if "at_rotations.csv" in present:
        need(("at.csv",), _("at_rotations.csv belongs to the AT distribution"))
    if "at.csv" in present and "at_total" not in settings:
        problems.append(
            InputProblem(
                "scenario.toml",
                None,
                None,
                None,
                _("is missing; at.csv needs the number to distribute"),
                key="at.total",
            )
        )
    if "at_total" in settings and "at.csv" not in present:
        need(("at.csv",), _("scenario.toml's [at] total needs it"))
    return problems


_SCENARIO_FILES = (SETTINGS_FILE, *(schema.file for schema in ALL_TABLES))
# Files a scenario folder may hold beside its own: notes for people (README.md, notes.txt), and
# what Windows, Excel and LibreOffice leave beside the files they show or have open.
_NOTE_STEMS = ("readme", "notes")
_SYSTEM_FILES = ("thumbs.db", "desktop.ini")
_LOCK_PREFIXES = (".", "~$")  # hidden files, LibreOffice's .~lock.x#, Excel's ~$x.xlsx
# How alike a file's name must be to a table's (difflib's ratio) to be offered as what was meant:
# contract and profiles are (0.94, 0.93), data and at are not (0.67).
_NEAR = 0.75


def _left_alone(name: str) -> bool:
    """Whether a file beside the scenario's is a note or the system's, not meant as a scenario file."""
    lowered = name.lower()
    return (
        name.startswith(_LOCK_PREFIXES)
        or lowered in _SYSTEM_FILES
        or lowered.partition(".")[0] in _NOTE_STEMS
    )


def _not_of_the_format(name: str) -> str:
    """Why a file is not a scenario file, with the name nearest to it when one is near."""
    given = PurePath(name.lower())
    if given.name in _SCENARIO_FILES:
        meant = given.name
    else:
        by_stem = {PurePath(file).stem: file for file in _SCENARIO_FILES}
        near = difflib.get_close_matches(given.stem, by_stem, n=1, cutoff=_NEAR)
        if not near:
            return _(
                "is not a file of the scenario format; expected {files}, "
                "README or notes files; keep other files in a sub-folder"
            ).format(files=", ".join(_SCENARIO_FILES))
        meant = by_stem[near[0]]
    why = []
    if PurePath(meant).suffix != given.suffix:
        why.append(
            _(CSV_ADVICE)
            if meant.endswith(".csv")
            else _("the settings are the TOML file {file}").format(file=meant)
        )
    if name != name.lower():
        why.append(_("file names are lower case"))
    did_you_mean = _("is not a file of the scenario format; did you mean {file}?").format(file=meant)
    return did_you_mean + (f" ({'; '.join(why)})" if why else "")


def _unknown_files(folder: Path) -> list[InputProblem]:
    """Hard: a file in the folder is scenario.toml, a table of the format, or one left alone.

    A misspelled optional table (Contracts.csv, profiles.csv, access.xlsx) would otherwise be
    silently left out of the plan.
    """
    problems: list[InputProblem] = []
    try:
        entries = sorted(folder.iterdir())
    except OSError:
        return problems  # _check_folder has said why the folder cannot be read
    for entry in entries:
        if entry.name in _SCENARIO_FILES or _left_alone(entry.name):
            continue
        try:
            if entry.is_dir():
                continue
        except OSError:
            pass  # what we cannot look at is no folder of notes
        problems.append(InputProblem(entry.name, None, None, None, _not_of_the_format(entry.name)))
    return problems


def _check_folder(path: Path) -> None:
    """Hard: the scenario is a folder we may read; else the one problem is that."""
    try:
        if path.is_dir():
            next(path.iterdir(), None)  # a folder we may not list cannot be read
            return
        found = path.exists()
    except OSError as error:
        reason = (
            _("permission denied") if isinstance(error, PermissionError) else error.strerror or str(error)
        )
        problem = InputProblem(
            str(path), None, None, None, _("cannot be read ({reason})").format(reason=reason)
        )
        raise ScenarioInvalid([problem]) from None
    why = (
        _("is not a scenario folder (it is a file)")
        if found
        else _("is not a scenario folder (it does not exist)")
    )
    raise ScenarioInvalid([InputProblem(str(path), None, None, None, why)])


def load_scenario(folder: Path | str, what_ifs: Sequence[WhatIf] = ()) -> Scenario:
    """Read and validate a scenario folder; raise ScenarioInvalid listing every problem found.

    Every file in the folder is scenario.toml, a table of the format (inputs.schemas.ALL_TABLES,
    names in lower case) or one left alone: a README or notes file (any case, any extension),
    a hidden file, an Excel or LibreOffice lock file (~$..., .~lock...), Thumbs.db and
    desktop.ini. Any other file is a problem, so that a misspelled table is not silently left
    out; sub-folders are left alone (for plans, notes, old versions).

    `what_ifs` change the parsed tables and settings in memory before the rules are checked
    (inputs.whatif); a change that cannot be applied raises WhatIfInvalid.
    """
    path = Path(folder)
    _check_folder(path)
    problems: list[InputProblem] = _unknown_files(path)
    notes: list[str] = []
    settings = read_settings(path, problems, notes)
    tables: dict[str, list[Record]] = {}
    for schema in ALL_TABLES:
        records = read_table(path, schema, problems, notes)
        if records is not None:
            tables[schema.file] = records
    if what_ifs and not problems:
        try:
            apply_what_ifs(what_ifs, tables, settings)
        except WhatIfInvalid as invalid:
            invalid.notes = tuple(notes)
            raise
    problems.extend(_required_files(path, set(tables), settings))
    horizon = placement_horizon = None
    if "start" in settings and "months" in settings:
        horizon = Horizon(settings["start"], settings["months"])
        placement_horizon = Horizon(settings["start"], settings.get("placement_months", settings["months"]))
    unreadable = {p.file for p in problems}
    checker = CrossTableRules(tables, horizon, unreadable, placement_horizon, settings.get("at_total"))
    problems.extend(checker.check_all())
    if problems:
        raise ScenarioInvalid(problems, tuple(notes))
    return _build(settings, tables, tuple(notes))


__all__ = ["InputProblem", "ScenarioInvalid", "default_scenario_path", "load_scenario"]
