"""A set of what-ifs solved on a Dask cluster, each compared with the base plan, row by row as they finish.

Each variant is a set of what-if flags (inputs.whatif) applied to the same scenario, solved for
the volume model; one row per variant with its flags, its objective values, and each value's
change against the base plan (no flags). Variants come from a small TOML file, or a built-in
set: each provider left out in turn (a provider of contracts.csv or candidate_contracts.csv: the
region without that contract, or without that offer to procure), inflow -10 %, +10 % and +20 %,
and each hospital's capacity -30 % for three months from the horizon's fourth month.

The solves run as tasks of a Dask cluster (optimizer.cluster): every row is handed on as soon as
its solve ends, and a variant that fails (an error, a worker that died each time it tried) gets
a row saying why, so that no failure loses another variant's row.
"""

from __future__ import annotations

import time
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from leveransplan.inputs.load import load_scenario
from leveransplan.inputs.problems import InputProblem, ScenarioInvalid
from leveransplan.inputs.tables import read_text
from leveransplan.inputs.whatif import FLAGS, parse_recorded
from leveransplan.models.language import _, current_language, use_language
from leveransplan.models.scenario import Scenario
from leveransplan.optimizer.errors import Infeasible, NoPlanInTime
from leveransplan.optimizer.search import Interrupted
from leveransplan.optimizer.volumes.driver import solve_volumes

if TYPE_CHECKING:
    from distributed import Client

    from leveransplan.optimizer.cluster import ScenarioFiles

TERMS = ("over_guarantee", "equity", "out_of_region", "cost", "travel")
# Each term's change against the base plan: patient-months beyond the guarantee first, then SEK.
CHANGES = {
    "over_guarantee": "over_guarantee_change",
    "cost": "cost_change_sek",
    "equity": "equity_change",
    "out_of_region": "out_of_region_change",
    "travel": "travel_change",
}
# The sweep table's columns, in the order of its CSV file.
COLUMNS = ("variant", "parameters", "status", *CHANGES.values(), *TERMS, "seconds", "note")
BASE = "base"
# A row whose solve failed (not an answer about the scenario, as INVALID or INFEASIBLE are): a
# resumed sweep solves it again.
FAILED = "ERROR"
Row = dict[str, Any]


class VariantsInvalid(Exception):
    """The variants file cannot be read; the message says where."""


@dataclass(frozen=True)
class Variant:
    """A named set of what-if flags (the keys of inputs.whatif.what_if_flags)."""

    name: str
    flags: dict[str, Any] = field(default_factory=dict)


def built_in_variants(scenario: Scenario) -> list[Variant]:
    """Each provider left out, inflow -10/+10/+20 %, each hospital -30 % for three months.

    scenario.contracts holds the candidate contracts too, so a provider that only offers one is
    left out in turn as well: --without-provider leaves out its candidates and access rows.
    """
    variants = [
        Variant(f"without {provider}", {"without_provider": [provider]})
        for provider in sorted({c.provider for c in scenario.contracts})
    ]
    variants += [
        Variant(f"inflow {label}", {"scale": [f"need.inflow={factor}"]})
        for label, factor in (("-10 %", "0.90"), ("+10 %", "1.10"), ("+20 %", "1.20"))
    ]
    horizon = scenario.horizon
    if horizon.length >= 6:
        first, last = horizon.label(4), horizon.label(6)
        variants += [
            Variant(f"{h.hospital} -30 % {first}..{last}", {"dip": [f"{h.hospital}:{first}..{last}=0.7"]})
            for h in scenario.hospitals
        ]
    return variants


# An example of each list key of a [[variant]] table, one text per flag as the command line takes it.
_EXAMPLES = {
    "set": "contracts.KAT-1.volume_max=2500",
    "scale": "need.inflow=1.10",
    "where": "hospital=SÄS",
    "dip": "SU:2026-04..2026-06=0.6",
    "shift": "SU:2026-04..2026-06=0.6",
    "without_provider": "Capio",
    "objective": "volumes=over_guarantee,cost",
}


def _flag_value(key: str, value: Any) -> tuple[Any, str | None]:
    """A variant's value for a what-if key as parse_recorded takes it, or what was expected instead.

    `budget` is whole SEK: a TOML whole number (250000000), or a text as --budget takes it
    ("250e6"); a decimal number is refused, as --budget refuses one that is not whole. Every
    other key is a list of texts, one per flag.
    """
    if key == "budget":
        if isinstance(value, str):
            return value, None
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return str(value), None
        return None, _('expected whole SEK, 0 or more: a whole number (250000000) or a text ("250e6")')
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return value, None
    return None, _('expected a list of texts, e.g. {key} = ["{example}"]').format(
        key=key, example=_EXAMPLES[key]
    )


def read_variants(path: Path) -> list[Variant]:
    """[[variant]] tables with a name and what-if keys (set, scale, where, dip, ...).

    VariantsInvalid lists every problem, each naming the file, the variant and the key.
    """
    problems: list[InputProblem] = []
    text = read_text(path, str(path), problems, table=False, advice="save it as UTF-8")
    if text is None:
        raise VariantsInvalid(str(problems[0]) if problems else _("{file} cannot be read").format(file=path))
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise VariantsInvalid(
            _("{file} is not valid TOML ({error})").format(file=path, error=error)
        ) from None
    entries = document.get("variant")
    if not isinstance(entries, list) or not entries:
        raise VariantsInvalid(
            _('{file}: expected one or more [[variant]] tables, each with a "name"').format(file=path)
        )
    variants = []
    names: list[str] = []  # "base" is the plan without flags, and each row is found by its name
    messages: list[str] = []
    for index, entry in enumerate(entries, start=1):
        where = _("{file}, variant {number}").format(file=path, number=index)
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            messages.append(_('{where}: expected a "name"').format(where=where))
            continue
        unknown = set(entry) - {"name", *FLAGS}
        if unknown:
            messages.append(
                _("{where}: {keys} is not a what-if; expected {flags}").format(
                    where=where, keys=", ".join(sorted(unknown)), flags=", ".join(FLAGS)
                )
            )
            continue
        if entry["name"] in (BASE, *names):
            messages.append(
                _('{where}: the name "{name}" is taken; expected a name of its own').format(
                    where=where, name=entry["name"]
                )
            )
            continue
        names.append(entry["name"])
        where = f"{where} ({entry['name']})"
        flags: dict[str, Any] = {}
        wrong = []
        for key, value in entry.items():
            if key != "name":
                flags[key], expected = _flag_value(key, value)
                if expected is not None:
                    wrong.append(
                        _("{where}, key {key}: {value}: {expected}").format(
                            where=where, key=key, value=repr(value), expected=expected
                        )
                    )
        if wrong:
            messages.extend(wrong)
            continue
        try:
            parse_recorded(flags)
        except ScenarioInvalid as invalid:
            messages.append(f"{where}: {invalid}")
            continue
        variants.append(Variant(entry["name"], flags))
    if messages:
        raise VariantsInvalid("\n".join(messages))
    return variants


def parameters(variant: Variant) -> str:
    """The variant's what-ifs as `leveransplan solve` takes them (empty for the base plan)."""
    try:
        return " ".join(str(change) for change in parse_recorded(variant.flags))
    except ScenarioInvalid:  # a flag written wrongly: its row says INVALID and why
        return " ".join(f"{key}={value!r}" for key, value in variant.flags.items())


def solve_variant(files: ScenarioFiles, variant: Variant, time_limit_s: float, deterministic: bool) -> Row:
    """One row of the sweep: the variant's objective values, or why it has none.

    Runs on a worker, with one CP-SAT worker. The row is a line of the sweep's CSV file, a
    machine file: its note is in English whatever language the terminal speaks.
    """
    chosen = current_language()
    use_language("en")
    try:
        return _variant_row(files, variant, time_limit_s, deterministic)
    finally:
        use_language(chosen)


def _variant_row(files: ScenarioFiles, variant: Variant, time_limit_s: float, deterministic: bool) -> Row:
    started = time.perf_counter()
    row = _empty_row(variant)
    try:
        scenario = load_scenario(files.folder(), parse_recorded(variant.flags))
        settings = scenario.solver.model_copy(
            update={"time_limit_s": time_limit_s, "workers": 1, "deterministic": deterministic}
        )
        solution = solve_volumes(scenario.model_copy(update={"solver": settings}))
    except ScenarioInvalid as invalid:
        row.update(status="INVALID", note=one_line(str(invalid)))
    except Infeasible as error:
        row.update(status="INFEASIBLE", note=one_line(str(error)))
    except NoPlanInTime as error:
        row.update(status="NO PLAN", note=one_line(str(error)))
    except Exception as error:  # out of memory, a fault in the solver: this row, not the sweep
        row.update(status=FAILED, note=one_line(f"{type(error).__name__}: {error}"))
    else:
        proven = all(s.status == "OPTIMAL" for s in solution.stages)
        row["status"] = "OPTIMAL" if proven else "FEASIBLE"
        row.update({term: solution.values.term(term) for term in TERMS})
    row["seconds"] = round(time.perf_counter() - started, 1)
    return row


def one_line(text: str) -> str:
    """A note on one line of the CSV file (a row is one line, so a cut-off row can be told)."""
    return "; ".join(part.strip() for part in text.splitlines() if part.strip())


def _empty_row(variant: Variant) -> Row:
    """A row with every column, the variant's name and parameters filled in."""
    row: Row = dict.fromkeys(COLUMNS)
    row.update(variant=variant.name, parameters=parameters(variant), status="", note="")
    return row


def failed_row(variant: Variant, error: BaseException) -> Row:
    """The row of a variant whose task ended without a row: its worker died, or it could not run."""
    row = _empty_row(variant)
    row.update(status=FAILED, note=one_line(f"{type(error).__name__}: {error}"))
    return row


def with_changes(row: Row, base: Row | None) -> Row:
    """The row with each term's change against the base plan (empty where either has no value)."""
    changed = dict(row)
    for term, column in CHANGES.items():
        value, before = row.get(term), (base or {}).get(term)
        changed[column] = value - before if isinstance(value, int) and isinstance(before, int) else None
    return changed


def sweep(
    client: Client,
    folder: Path,
    variants: list[Variant],
    time_limit_s: float,
    *,
    deterministic: bool = False,
    finished: Iterable[Row] = (),
    on_row: Callable[[Row], None] | None = None,
) -> list[Row]:
    """The base plan and every variant, each solved as a task on `client`'s cluster.

    `finished` rows (of an earlier run) are kept and their variants not solved again. `on_row`
    gets each new row as its solve ends, with its changes once the base plan's row is known (the
    base plan is solved first). Returns every row, the base plan's first, then the variants in
    their order, each with its changes. A task that fails gives a row with status ERROR.
    Ctrl-C or SIGTERM (optimizer.search.Interrupted) is raised as it comes; the rows handed on
    before it are all there is.
    """
    # Imported here: Dask takes a third of a second to import, which no other command should pay
    # (the command line imports this module for its variants).
    from distributed import as_completed

    from leveransplan.optimizer.cluster import ScenarioFiles

    everything = [Variant(BASE), *variants]
    rows: dict[str, Row] = {row["variant"]: row for row in finished}
    todo = [variant for variant in everything if variant.name not in rows]
    futures = {}
    if todo:
        # The folder goes to every worker once; the tasks refer to it.
        files = client.scatter(ScenarioFiles.read(folder), broadcast=True)
        for variant in todo:
            future = client.submit(
                solve_variant,
                files,
                variant,
                time_limit_s,
                deterministic,
                pure=False,
                priority=1 if variant.name == BASE else 0,
            )
            futures[future] = variant
    for future in as_completed(futures):
        variant = futures.pop(future)
        try:
            row = future.result()
        except Interrupted:
            raise
        except Exception as error:  # a worker died each time it tried, or the task could not run
            row = failed_row(variant, error)
        rows[variant.name] = row
        if on_row is not None:
            on_row(with_changes(row, rows.get(BASE)))
    return [with_changes(rows[variant.name], rows.get(BASE)) for variant in everything]
