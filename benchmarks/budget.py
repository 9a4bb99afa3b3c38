"""Plans within the money: the tool, HiGHS and the analyst's pro-rata plan at the same budget or frames.

Each case is a scenario with a binding money frame (docs/money.md), written to a temporary
folder: a copy of the scenario with `[budget] max_cost_sek` in scenario.toml, or with a
`frame_sek` column in hospitals.csv. For each case, in one run and each solve in a process of
its own (so that peak memory is that solve's alone, and highspy and ortools never share one):

- the tool: the volume model solved by its own driver in the scenario's order, each stage's
  value, bound, status and seconds, build and total seconds, peak memory;
- HiGHS on the same formulation, budget and frames included (benchmarks/highs_volumes.py), with
  whether the values agree where both are proven optimal;
- the analyst's pro-rata plan (models/pro_rata.py, evaluated by models.evaluation.TermValues):
  its over_guarantee and cost, whether it keeps within the budget and the frames, and the flag
  "tool worse than pro-rata" when it does and leaves fewer patient-months beyond the guarantee.

The budgets lie between the least cost, what every plan pays (the take-or-pay minimums: the
cost of the plan of base units only, optimizer.volumes.driver.greedy_base_plan), and the cost of the
unconstrained optimum (over_guarantee, then cost, without a budget: solved by the tool first).
The cases:

- shipped-pro-rata, shipped-halfway, shipped-least: the shipped scenario with the budget at the
  pro-rata plan's cost; halfway between that and the unconstrained optimum's cost; and the least
  cost plus 1 % of the span from it to the unconstrained optimum's cost;
- scale1-halfway, scale5-halfway: generated scenarios (`leveransplan generate --scale N --seed S`,
  as benchmarks/scale.py makes them) with the budget halfway between the least cost and the
  unconstrained optimum's cost;
- shipped-frames: the shipped scenario without a budget, each hospital's frame 90 % of what the
  unconstrained optimum spends on its patients (TermValues.spend, summary.json's cost_sek).

Targets, read off the output, never asserted: the shipped scenario with a binding budget every
stage proven optimal in 10 s or less, and at the pro-rata plan's money the same over_guarantee
as HiGHS's proven optimum; the generated scales with a binding budget not slower than HiGHS and
every stage within 0.5 % of its bound; never worse than the pro-rata plan.

    python benchmarks/budget.py [--cases NAME ...] [--time-limit S] [--seed 0] [--json]

--time-limit is for each solve, all its stages together (default: the shipped scenario's own,
120 s; 120 s for the generated scales).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SCALE_SECONDS = 120.0
FRAME_SHARE = (9, 10)  # each hospital's frame: 90 % of the unconstrained optimum's spend on it
LEAST_SHARE = (1, 100)  # shipped-least: the least cost plus 1 % of the span

CASES = (
    "shipped-pro-rata",
    "shipped-halfway",
    "shipped-least",
    "scale1-halfway",
    "scale5-halfway",
    "shipped-frames",
)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# Children ------------------------------------------------------------------------------------


def tool_volumes(folder: Path, seconds: float, order: str | None) -> dict[str, Any]:
    """The volume model solved by the tool's own driver (child process), as benchmarks/scale.py."""
    from leveransplan.inputs import load_scenario
    from leveransplan.optimizer.volumes.driver import LexicographicVolumes

    scenario = load_scenario(folder)
    scenario = scenario.model_copy(
        update={"solver": scenario.solver.model_copy(update={"time_limit_s": seconds, "workers": 0})}
    )
    if order:
        objective = scenario.objective.model_copy(update={"volumes": tuple(order.split(","))})
        scenario = scenario.model_copy(update={"objective": objective})
    started = time.perf_counter()
    driver = LexicographicVolumes(scenario)
    built = time.perf_counter() - started
    solution = driver.run()
    solved = time.perf_counter() - started - built
    values, data = solution.values, driver.data
    return {
        "build_seconds": built,
        "solve_seconds": solved,
        "stages": [stage.model_dump() for stage in solution.stages],
        "over_guarantee": values.term("over_guarantee"),
        "cost": values.term("cost"),
        "spend_sek": {h: values.spend(h) for h in data.hospitals},
        "money_kept": _money_kept(scenario.max_cost_sek, data, values),
        "peak_memory_mb": _peak_mb(),
        "workers_peak_memory_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }


def _money_kept(budget: int | None, data: Any, values: Any) -> bool:
    """Whether a plan's TermValues keep within the budget and every hospital's frame."""
    from leveransplan.models.evaluation import frames_kept

    return (budget is None or values.term("cost") <= budget) and frames_kept(data, values)


def _child(kind: str, folder: Path, seconds: float, order: str | None = None) -> dict[str, Any]:
    """Run one solve in a fresh process: its results, or {"error": the last line it wrote}."""
    if kind == "highs":
        command = [sys.executable, str(HERE / "highs_volumes.py"), str(folder), "--time-limit", str(seconds)]
        command.append("--json")
    else:
        command = [sys.executable, str(Path(__file__).resolve()), "--child", str(folder), str(seconds)]
        command += [order or ""]
    finished = subprocess.run(command, capture_output=True, text=True, check=False)
    if finished.returncode != 0:
        last = (finished.stderr.strip().splitlines() or ["no message"])[-1]
        return {"error": last}
    result: dict[str, Any] = json.loads(finished.stdout.strip().splitlines()[-1])
    return result


# Scenarios -----------------------------------------------------------------------------------


@dataclass
class Base:
    """A scenario the cases change, and its money figures (least and unconstrained cost)."""

    name: str
    folder: Path
    seconds: float
    least: int = 0
    pro_rata_cost: int = 0
    unconstrained: dict[str, Any] = field(default_factory=dict)

    @property
    def most(self) -> int:
        """The unconstrained optimum's cost."""
        return int(self.unconstrained["cost"])


def _with_budget(base: Path, folder: Path, budget: int) -> Path:
    shutil.copytree(base, folder)
    toml = folder / "scenario.toml"
    text = toml.read_text(encoding="utf-8")
    if "[budget]" in text:
        raise SystemExit(f"{toml} has a [budget] already.")
    toml.write_text(f"{text.rstrip()}\n\n[budget]\nmax_cost_sek = {budget}\n", encoding="utf-8")
    return folder


def _with_frames(base: Path, folder: Path, frames: dict[str, int]) -> Path:
    shutil.copytree(base, folder)
    path = folder / "hospitals.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    header, body = rows[0], [row for row in rows[1:] if row]
    if "frame_sek" in header:
        raise SystemExit(f"{path} has frames already.")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*header, "frame_sek"])
    for row in body:
        frame = frames.get(row[0])
        writer.writerow([*row, "" if frame is None else frame])
    path.write_text(out.getvalue(), encoding="utf-8")
    return folder


def _prepare(base: Base) -> None:
    """The base's least cost and pro-rata cost (here), and its unconstrained optimum (a child)."""
    from leveransplan.inputs import load_scenario
    from leveransplan.models.derived import VolumeData
    from leveransplan.models.evaluation import TermValues
    from leveransplan.models.pro_rata import pro_rata_plan
    from leveransplan.optimizer.volumes.driver import greedy_base_plan

    data = VolumeData.from_scenario(load_scenario(base.folder))
    base.least = TermValues(data, greedy_base_plan(data)).term("cost")
    base.pro_rata_cost = TermValues(data, pro_rata_plan(data)).term("cost")
    solved = _child("tool", base.folder, base.seconds, "over_guarantee,cost")
    if "error" in solved:
        raise SystemExit(f"{base.name}: the unconstrained optimum could not be solved: {solved['error']}")
    base.unconstrained = solved


def _pro_rata(folder: Path) -> dict[str, Any]:
    """The analyst's pro-rata plan in the case's scenario: its terms and whether it keeps the money."""
    from leveransplan.inputs import load_scenario
    from leveransplan.models.derived import VolumeData
    from leveransplan.models.evaluation import TermValues
    from leveransplan.models.pro_rata import pro_rata_plan

    scenario = load_scenario(folder)
    data = VolumeData.from_scenario(scenario)
    values = TermValues(data, pro_rata_plan(data))
    return {
        "over_guarantee": values.term("over_guarantee"),
        "cost": values.term("cost"),
        "spend_sek": {h: values.spend(h) for h in data.frames},
        "money_kept": _money_kept(scenario.max_cost_sek, data, values),
    }


# Output --------------------------------------------------------------------------------------


def _n(value: Any) -> str:
    """A whole number with spaces between thousands; '-' for none."""
    return "-" if value is None else f"{value:,}".replace(",", " ")


def _gap(stage: dict[str, Any]) -> float:
    value, bound = stage["value"], stage["bound"]
    if value is None:
        return float("inf")
    return 0.0 if value == bound else 100.0 * abs(value - bound) / max(abs(value), 1)


def agreements(tool: dict[str, Any], highs: dict[str, Any]) -> dict[str, str]:
    """Each stage of the tool against HiGHS, in the order solved: 'same' or 'DIFFERENT' where both
    are proven optimal, 'CONTRADICTS' where one's value lies below the other's proven bound, ''
    where neither can be said. A stage minimises over the plans that keep the earlier values, so
    once an earlier stage's values differ the two solve different problems: 'earlier differ'."""
    said: dict[str, str] = {}
    alike = "error" not in highs
    for ours in tool.get("stages", []):
        name = ours["objective"]
        theirs = _stage(highs, name)
        if theirs is None or theirs.get("value") is None:
            said[name], alike = "", False
        elif not alike:
            said[name] = "earlier differ"
        elif ours["status"] == theirs["status"] == "OPTIMAL":
            said[name] = "same" if ours["value"] == theirs["value"] else "DIFFERENT"
        elif ours["value"] < theirs["bound"] or theirs["value"] < ours["bound"]:
            said[name] = "CONTRADICTS"
        else:
            said[name] = ""
        alike = alike and theirs is not None and ours["value"] == theirs["value"]
    return said


def _total(result: dict[str, Any]) -> float:
    return float(result["build_seconds"]) + float(result["solve_seconds"])


def verdicts(case: dict[str, Any]) -> list[str]:
    """What the case says about the targets (read off, never asserted)."""
    tool, highs, pro = case["tool"], case["highs"], case["pro_rata"]
    lines = []
    if "error" in tool:
        return [f"THE TOOL FAILED: {tool['error']}"]
    stages = tool["stages"]
    proven = all(s["status"] == "OPTIMAL" for s in stages)
    worst = max((_gap(s) for s in stages), default=0.0)
    lines.append(
        f"tool: every stage proven optimal: {'yes' if proven else 'no'}; largest gap {worst:.3f} %; "
        f"{_total(tool):.2f} s in all"
    )
    if "error" in highs:
        lines.append(f"HiGHS failed: {highs['error']}")
    else:
        ratio = _total(tool) / max(_total(highs), 1e-9)
        lines.append(f"tool / HiGHS seconds: {ratio:.2f}")
        said = agreements(tool, highs)
        wrong = [name for name, word in said.items() if word in ("DIFFERENT", "CONTRADICTS")]
        if wrong:
            lines.append(f"THE TOOL DISAGREES WITH HiGHS's PROOF at: {', '.join(wrong)}")
        if unsaid := [
            name for name, word in said.items() if word not in ("same", "DIFFERENT", "CONTRADICTS")
        ]:
            lines.append(f"not compared (not both proven, or earlier values differ): {', '.join(unsaid)}")
    if not tool["money_kept"]:
        lines.append("THE TOOL'S PLAN BREAKS THE BUDGET OR A FRAME")
    if pro["money_kept"]:
        if tool["over_guarantee"] > pro["over_guarantee"]:
            lines.append("tool worse than pro-rata")
        else:
            fewer = pro["over_guarantee"] - tool["over_guarantee"]
            lines.append(f"not worse than pro-rata: {_n(fewer)} patient-months fewer beyond the guarantee")
    else:
        lines.append("the pro-rata plan breaks the budget or a frame: no comparison")
    return lines


def _stage(result: dict[str, Any] | None, objective: str) -> dict[str, Any] | None:
    for stage in (result or {}).get("stages", []):
        if stage["objective"] == objective:
            return dict(stage)
    return None


def print_case(case: dict[str, Any]) -> None:
    tool, highs, pro = case["tool"], case["highs"], case["pro_rata"]
    print(f"\n### {case['name']}: {case['scenario']}, time limit {case['seconds']:g} s\n")
    print(case["money"] + "\n")
    print(
        "| stage | tool value | tool bound | tool status | tool s "
        "| HiGHS value | HiGHS bound | HiGHS status | HiGHS s | |"
    )
    print("|---|---:|---:|---|---:|---:|---:|---|---:|---|")
    said = agreements(tool, highs)
    for stage in tool.get("stages", []) or highs.get("stages", []):
        ours = _stage(tool, stage["objective"])
        theirs = _stage(highs, stage["objective"])
        left = (
            f"{_n(ours['value'])} | {_n(ours['bound'])} | {ours['status']} | {ours['seconds']:.2f}"
            if ours
            else "- | - | - | -"
        )
        right = (
            f"{_n(theirs['value'])} | {_n(theirs['bound'])} | {theirs['status']} | {theirs['seconds']:.2f}"
            if theirs
            else "- | - | - | -"
        )
        print(f"| {stage['objective']} | {left} | {right} | {said.get(stage['objective'], '')} |")
    tool_ok, highs_ok = "error" not in tool, "error" not in highs
    tool_total = f"{_total(tool):.2f}" if tool_ok else "-"
    highs_total = f"{_total(highs):.2f}" if highs_ok else "-"
    tool_build = f"build {tool['build_seconds']:.2f}" if tool_ok else ""
    highs_build = f"build {highs['build_seconds']:.2f}" if highs_ok else ""
    print(f"| total s | {tool_build} | | | {tool_total} | {highs_build} | | | {highs_total} | |")
    tool_mb = f"{tool['peak_memory_mb']:.0f}" if tool_ok else "-"
    highs_mb = f"{highs['peak_memory_mb']:.0f}" if highs_ok else "-"
    print(f"| peak memory MB | | | | {tool_mb} | | | | {highs_mb} | |")
    kept = "within" if pro["money_kept"] else "NOT within"
    plan = (
        f"; the tool's plan: over_guarantee {_n(tool['over_guarantee'])}, cost {_n(tool['cost'])} SEK"
        if tool_ok
        else ""
    )
    print(
        f"\npro-rata plan: over_guarantee {_n(pro['over_guarantee'])}, cost {_n(pro['cost'])} SEK, "
        f"{kept} the budget and frames{plan}"
    )
    for line in verdicts(case):
        print(f"- {line}")


# Main ----------------------------------------------------------------------------------------


def _money_line(base: Base, what: str) -> str:
    unconstrained = base.unconstrained
    proven = all(s["status"] == "OPTIMAL" for s in unconstrained["stages"])
    return (
        f"{what}. Least cost {_n(base.least)} SEK; pro-rata plan's cost {_n(base.pro_rata_cost)} SEK; "
        f"unconstrained optimum (over_guarantee, cost) {_n(unconstrained['over_guarantee'])} patient-months, "
        f"cost {_n(base.most)} SEK{'' if proven else ' (not proven)'}, "
        f"{_total(unconstrained):.2f} s."
    )


def run_cases(
    names: list[str], seconds: float | None, seed: int, workdir: Path, show: bool
) -> list[dict[str, Any]]:
    """Each case's results, in the order named; with `show` each case's table as it is done."""
    from leveransplan.inputs import default_scenario_path, load_scenario
    from leveransplan.outputs.generated import write_scenario

    bases: dict[str, Base] = {}

    def base(name: str) -> Base:
        if name not in bases:
            if name == "shipped":
                folder = default_scenario_path()
                limit = seconds if seconds is not None else load_scenario(folder).solver.time_limit_s
            else:
                scale = int(name.removeprefix("scale"))
                folder = workdir / name
                write_scenario(folder, scale, seed)
                limit = seconds if seconds is not None else SCALE_SECONDS
            bases[name] = Base(name, folder, limit)
            _prepare(bases[name])
        return bases[name]

    cases = []
    for name in names:
        source, _, kind = name.partition("-")
        b = base(source)
        folder = workdir / name
        span = b.most - b.least
        if kind == "frames":
            share, whole = FRAME_SHARE
            frames = {h: spent * share // whole for h, spent in b.unconstrained["spend_sek"].items()}
            _with_frames(b.folder, folder, frames)
            listed = ", ".join(f"{h} {_n(frame)}" for h, frame in frames.items())
            money = _money_line(
                b, f"No budget; frames (90 % of the unconstrained optimum's spend), SEK: {listed}"
            )
        else:
            if kind == "pro-rata":
                budget, what = b.pro_rata_cost, "the pro-rata plan's cost"
            elif kind == "least":
                budget = b.least + (span * LEAST_SHARE[0] + LEAST_SHARE[1] // 2) // LEAST_SHARE[1]
                what = "the least cost + 1 % of the span to the unconstrained optimum's cost"
            elif source == "shipped":
                budget = (b.pro_rata_cost + b.most) // 2
                what = "halfway between the pro-rata plan's cost and the unconstrained optimum's"
            else:
                budget = (b.least + b.most) // 2
                what = "halfway between the least cost and the unconstrained optimum's"
            _with_budget(b.folder, folder, budget)
            money = _money_line(b, f"Budget {_n(budget)} SEK: {what}")
        scenario = load_scenario(folder)
        case = {
            "name": name,
            "scenario": scenario.name,
            "seconds": b.seconds,
            "money": money,
            "max_cost_sek": scenario.max_cost_sek,
            "frames_sek": {h.hospital: h.frame_sek for h in scenario.hospitals if h.frame_sek is not None},
            "least_cost": b.least,
            "unconstrained": b.unconstrained,
            "tool": _child("tool", folder, b.seconds),
            "highs": _child("highs", folder, b.seconds),
            "pro_rata": _pro_rata(folder),
        }
        cases.append(case)
        if show:
            print_case(case)
            sys.stdout.flush()
    return cases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="+", choices=CASES, default=list(CASES))
    parser.add_argument("--time-limit", type=float, default=None, help="seconds for each solve")
    parser.add_argument("--seed", type=int, default=0, help="of the generated scenarios")
    parser.add_argument("--json", action="store_true", help="print one JSON object at the end")
    parser.add_argument("--child", nargs=3, metavar=("FOLDER", "SECONDS", "ORDER"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        folder, seconds, order = args.child
        print(json.dumps(tool_volumes(Path(folder), float(seconds), order or None)))
        return
    command = f"python {' '.join(sys.argv)}"
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    if not args.json:
        print(f"$ {command}\n{machine}")
    with tempfile.TemporaryDirectory() as temporary:
        cases = run_cases(args.cases, args.time_limit, args.seed, Path(temporary), not args.json)
    if args.json:
        print(json.dumps({"command": command, "machine": machine, "cases": cases}, ensure_ascii=False))


if __name__ == "__main__":
    main()
