"""A set of what-ifs solved side by side in worker processes, each against the base plan.

Each variant is a set of what-if flags (inputs.whatif) applied to the same scenario, solved for
the volume model; one row per variant with its objective values and cost, and the change in
cost against the base plan (no flags). Variants come from a small TOML file, or a built-in set:
each provider left out in turn (a provider of contracts.csv or candidate_contracts.csv: the
region without that contract, or without that offer to procure), inflow -10 %, +10 % and +20 %,
and each hospital's capacity -30 % for three months from the horizon's fourth month.
"""

from __future__ import annotations

import signal
import threading
import time
import tomllib
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from leveransplan.inputs.load import load_scenario
from leveransplan.inputs.problems import InputProblem, ScenarioInvalid
from leveransplan.inputs.tables import read_text
from leveransplan.inputs.whatif import FLAGS, parse_recorded
from leveransplan.models.language import _, current_language, use_language
from leveransplan.models.scenario import Scenario
from leveransplan.optimizer.errors import Infeasible, NoPlanInTime
from leveransplan.optimizer.volumes.driver import solve_volumes

TERMS = ("over_guarantee", "equity", "out_of_region", "cost", "travel")
# Ctrl-C and a termination request: the parent stops the sweep and ends its workers.
STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}
_CAN_BLOCK = hasattr(signal, "pthread_sigmask")  # not on Windows, where workers are not forked


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


def solve_variant(folder: str, variant: Variant, time_limit_s: float, workers: int) -> dict[str, Any]:
    """One row of the sweep: the variant's objective values and cost, or why it has none.

    The row is a line of the sweep's CSV file, a machine file: its note is in English whatever
    language the terminal speaks."""
    chosen = current_language()
    use_language("en")
    try:
        return _variant_row(folder, variant, time_limit_s, workers)
    finally:
        use_language(chosen)


def _variant_row(folder: str, variant: Variant, time_limit_s: float, workers: int) -> dict[str, Any]:
    started = time.perf_counter()
    row: dict[str, Any] = {"variant": variant.name, "status": "", "note": ""}
    try:
        scenario = load_scenario(Path(folder), parse_recorded(variant.flags))
        settings = scenario.solver.model_copy(update={"time_limit_s": time_limit_s, "workers": workers})
        solution = solve_volumes(scenario.model_copy(update={"solver": settings}))
    except ScenarioInvalid as invalid:
        row.update(status="INVALID", note=str(invalid).replace("\n", "; "))
    except Infeasible as error:
        row.update(status="INFEASIBLE", note=str(error))
    except NoPlanInTime as error:
        row.update(status="NO PLAN", note=str(error))
    else:
        proven = all(s.status == "OPTIMAL" for s in solution.stages)
        row["status"] = "OPTIMAL" if proven else "FEASIBLE"
        row.update({term: solution.values.term(term) for term in TERMS})
    row["seconds"] = round(time.perf_counter() - started, 1)
    return row


def _worker_started() -> None:
    """A worker leaves Ctrl-C to the parent, which ends it, and dies at once of SIGTERM.

    A forked worker inherits the parent's handlers, which would raise `Interrupted` inside its
    solve (a traceback on the terminal, and a search that goes on to its time limit), and the
    parent's wakeup file descriptor, but not the thread that reads it. The worker starts with
    the stop signals blocked (`_stop_signals_blocked`), so none arrives before this has run.
    """
    signal.set_wakeup_fd(-1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if _CAN_BLOCK:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)


@contextmanager
def _stop_signals_blocked() -> Iterator[None]:
    """Workers forked inside start with the stop signals blocked, until `_worker_started` has run."""
    if not _CAN_BLOCK:
        yield
        return
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)


@contextmanager
def _stop_signals_ignored() -> Iterator[None]:
    """A second Ctrl-C must not cut short the ending of the workers (only the main thread can do this)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {number: signal.signal(number, signal.SIG_IGN) for number in STOP_SIGNALS}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _end_workers(pool: ProcessPoolExecutor, futures: Sequence[Future[dict[str, Any]]]) -> None:
    """Cancel what has not started and end the workers in the middle of their solves."""
    with _stop_signals_ignored():
        for future in futures:
            future.cancel()
        # The executor has no public way to end a busy worker; without this, shutting it down
        # waits for every solve under way to reach its time limit.
        for process in list((pool._processes or {}).values()):
            process.terminate()
        pool.shutdown(wait=True, cancel_futures=True)


def sweep(folder: Path, variants: list[Variant], time_limit_s: float, processes: int) -> list[dict[str, Any]]:
    """The base plan and every variant, solved in `processes` worker processes (one CP-SAT worker each).

    Ctrl-C or SIGTERM (optimizer.search.Interrupted in this process) ends the workers at once
    and is raised again: no row is returned.
    """
    everything = [Variant("base"), *variants]
    # Forked all at once: never more workers than solves.
    workers = min(max(processes, 1), len(everything))
    pool = ProcessPoolExecutor(max_workers=workers, initializer=_worker_started)
    futures: list[Future[dict[str, Any]]] = []
    try:
        with _stop_signals_blocked():  # the workers are forked at the first submit
            futures = [pool.submit(solve_variant, str(folder), v, time_limit_s, 1) for v in everything]
        rows = [future.result() for future in futures]
    except BaseException:
        _end_workers(pool, futures)
        raise
    pool.shutdown()
    base_cost = rows[0].get("cost")
    for row in rows:
        cost = row.get("cost")
        row["cost_change_sek"] = (
            cost - base_cost if isinstance(cost, int) and isinstance(base_cost, int) else None
        )
    return rows
