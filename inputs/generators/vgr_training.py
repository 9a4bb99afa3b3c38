"""The ILLUSTRATIVE training tables of the VGR 2026 scenario: the AT weights, bounds and rotations,
every GP trainee (pseudonymous ids), requirement, travel time, agreed placement and every ST-A
place except SÄS's in 2026 (vgr_decision); the rules those tables must keep (check_training); and
the AT optimum and ST-A demand against places that README.md quotes (report).
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any, NamedTuple

from leveransplan.inputs.generators.shared import apportion
from leveransplan.inputs.generators.vgr_decision import (
    AT_POSITIONS_2026,
    HOSPITAL_CODES,
    SAS_STA_PLACES_2026,
)
from leveransplan.inputs.generators.vgr_volumes import between, unit

AT_TOTAL = sum(n for _, n in AT_POSITIONS_2026)  # 292; [at] total in scenario.toml
# Need weight: the newly licensed doctors each hospital's area reckons it must recruit per year.
AT_WEIGHT = {"SU": 70, "NU": 63, "SkaS": 58, "SÄS": 60, "SV": 49}
AT_BOUND = 15  # min = previous - 15, max = previous + 15
# The AT order: at least 9 months internal medicine and surgery together (3 or more of each),
# 3 months psychiatry, 6 months general practice; each hospital's own split of the 9 months.
AT_MEDICINE_SURGERY = {"SU": (5, 4), "NU": (6, 3), "SkaS": (6, 3), "SÄS": (5, 4), "SV": (6, 3)}
AT_OTHER_MONTHS = {"psykiatri": 3, "allmanmedicin": 6}
# AT doctors the departments of an area can take over one AT period: previous + 12, except two
# rows set a little below what the hospital's weight asks for, so that they bind.
AT_HOSTED_EXTRA = 12
AT_HOSTED = {("SU", "psykiatri"): 65, ("SÄS", "allmanmedicin"): 57}

# Side-service placements are planned over 24 months from the scenario's start ([placements]
# months in scenario.toml); month 0 is 2026-01.
ST_MONTHS = 24
ST_SPECIALTIES = ("medicin", "pediatrik", "gynekologi", "psykiatri")
ST_LENGTH = {"medicin": 6, "pediatrik": 3, "gynekologi": 3, "psykiatri": 3}
ST_TRAINEES = 540
# Home areas (the primary-care training offices) and their share of the trainees, in per cent.
HOME_AREAS = {"Göteborg": 42, "Mölndal": 11, "Skövde": 15, "Vänersborg": 16, "Borås": 16}
# One-way minutes from a home area to a hospital; a missing pair is not offered to that area.
# SU Göteborg/Mölndal, NU Trollhättan/Uddevalla, SkaS Skövde, SÄS Borås, SV Kungälv/Alingsås.
TRAVEL = {
    "Göteborg": {"SU": 15, "SV": 30, "SÄS": 60},
    "Mölndal": {"SU": 15, "SV": 40, "SÄS": 50},
    "Skövde": {"SkaS": 10, "SV": 75},
    "Vänersborg": {"NU": 15, "SV": 50, "SU": 65},
    "Borås": {"SÄS": 10, "SV": 40, "SU": 55},
}
# Places (starts per calendar year) in 2026; SÄS's are REAL (SAS_STA_PLACES_2026). A missing
# specialty has no department taking GP trainees (SV: no paediatrics).
ST_PLACES_2026 = {
    "SU": {"medicin": 130, "pediatrik": 200, "gynekologi": 155, "psykiatri": 140},
    "NU": {"medicin": 50, "pediatrik": 50, "gynekologi": 48, "psykiatri": 48},
    "SkaS": {"medicin": 46, "pediatrik": 12, "gynekologi": 44, "psykiatri": 44},
    "SV": {"medicin": 48, "gynekologi": 36, "psykiatri": 48},
}
# 2027 (the decision covers 2026 only): each 2026 figure x 0.95-1.10, rounded.
ST_PLACES_2027 = (0.95, 1.10)
# Rows with a limit on trainees present in one month (supervisors): half again an even spread of
# the year's starts, ceil(1.5 x places x length / 12).
ST_CONCURRENT = {("NU", "psykiatri"), ("SkaS", "gynekologi"), ("SÄS", "medicin")}
ST_CONCURRENT_FACTOR = 1.5
# SkaS paediatrics is short of supervisors in 2026: 12 starts, at most 3 trainees at a time; it
# catches up in 2027. (hospital, specialty, year): (places, concurrent_max), instead of the rules.
ST_ROWS = {("SkaS", "pediatrik", 2026): (12, 3), ("SkaS", "pediatrik", 2027): (72, 27)}
# Trainees: most may start in January 2026, the rest (20 %) in February-September 2026; the
# deadline is spread over 2026-10..2028-06, later ones more often (21 months x u ** 0.6 after
# 2026-10, u uniform: a fifth before 2027-05), and at least six months after the earliest start;
# 10 % have a parental leave of 4-10 months, 4 % one single month away (a course, a holiday).
ST_LATE_START = 0.20
ST_DEADLINE_SKEW = 0.6
ST_LEAVE = 0.10
ST_AWAY = 0.04
# st_requirements.csv lists the side services due in the planning period: all four, unless the
# trainee's free months (window clipped to the horizon, leave left out) cannot hold them with two
# months to spare; then they are taken in a hashed order and each kept while they still fit (the
# others were done earlier or are planned after the horizon).
ST_SPARE = 2
# Medicine is 6 months; 10 % need 4 and 15 % 5 (part already done).
ST_MEDICINE_SHORT = ((0.10, 4), (0.25, 5))
# A handful of trainees whose requirements cannot all be placed, each for a clear reason (the
# last ids): home area, earliest start, deadline, unavailable, requirements.
ST_EDGE_CASES = [
    # the window 2026-09..2027-01 is 5 months: medicine (6) cannot fit, psychiatry can
    ("Göteborg", 9 - 1, 13 - 1, "", (("medicin", 6), ("psykiatri", 3))),
    # parental leave covers the window but its first and last month: gynaecology (3) cannot fit
    ("Borås", 0, 10, "2026-02..2026-10", (("gynekologi", 3),)),
    # earliest start 2027-09: only 4 months are left in the horizon for medicine (6)
    ("Mölndal", 20, 29, "", (("medicin", 6), ("pediatrik", 3))),
    # five Skövde trainees due by 2026-03 with paediatrics (3) left: SkaS, their only paediatrics
    # within reach, takes 3 trainees at a time in 2026, so 2 of them cannot be placed
    *[("Skövde", 0, 2, "", (("pediatrik", 3),))] * 5,
]
# Placements already agreed (st_fixed.csv): trainees free from January 2026 with no leave and a
# deadline 2027-09 or later, in a hashed order; one of their requirements, at the nearest hospital
# that has the specialty, starting 2026-01..2026-04.
ST_FIXED = 10


def month_name(index: int) -> str:
    """The month `index` months after 2026-01, written YYYY-MM."""
    return f"{2026 + index // 12}-{index % 12 + 1:02d}"


def month_index(text: str) -> int:
    """Inverse of month_name; a range `first..last` gives its first month."""
    year, month = text.split("..")[0].split("-")
    return (int(year) - 2026) * 12 + int(month) - 1


def months_of(text: str) -> set[int]:
    """The months of an `unavailable` cell: months and ranges separated by spaces."""
    months: set[int] = set()
    for item in text.split():
        first, _, last = item.partition("..")
        months.update(range(month_index(first), month_index(last or first) + 1))
    return months


class Trainee(NamedTuple):
    trainee: str
    home_area: str
    earliest: int  # month index, 0 = 2026-01
    deadline: int
    unavailable: str  # as written in st_trainees.csv
    requirements: tuple[tuple[str, int], ...]  # (specialty, months)


def free_runs(earliest: int, deadline: int, away: set[int]) -> list[int]:
    """Lengths of the runs of free months in earliest..deadline, clipped to the horizon."""
    runs: list[int] = []
    run = 0
    for m in range(earliest, min(deadline, ST_MONTHS - 1) + 1):
        if m in away:
            if run:
                runs.append(run)
            run = 0
        else:
            run += 1
    return [*runs, run] if run else runs


def fits(lengths: list[int], runs: list[int]) -> bool:
    """The stays fit the free runs one after the other (first fit, longest first), months to spare."""
    if sum(lengths) > sum(runs) - ST_SPARE:
        return False
    left = list(runs)
    for d in sorted(lengths, reverse=True):
        i = next((i for i, r in enumerate(left) if r >= d), None)
        if i is None:
            return False
        left[i] -= d
    return True


def regular_trainee(t: str, home_area: str) -> Trainee:
    late = unit("start", t) < ST_LATE_START
    earliest = 1 + math.floor(8 * unit("start-month", t)) if late else 0  # 2026-02..2026-09
    deadline = max(9 + math.floor(21 * unit("deadline", t) ** ST_DEADLINE_SKEW), earliest + 6)
    leave = ""
    if unit("leave", t) < ST_LEAVE:  # 4-10 months starting 2026-02..2027-03
        first = 1 + math.floor(14 * unit("leave-start", t))
        leave = f"{month_name(first)}..{month_name(first + 3 + math.floor(7 * unit('leave-length', t)))}"
    away = month_name(6 if unit("away-month", t) < 0.5 else 18) if unit("away", t) < ST_AWAY else ""
    if away and month_index(away) in months_of(leave):
        away = ""
    medicine = next((d for p, d in ST_MEDICINE_SHORT if unit("medicin", t) < p), ST_LENGTH["medicin"])
    full = {s: medicine if s == "medicin" else ST_LENGTH[s] for s in ST_SPECIALTIES}
    for unavailable in (" ".join(x for x in (leave, away) if x), away):
        runs = free_runs(earliest, deadline, months_of(unavailable))
        due: dict[str, int] = {}
        for s in sorted(ST_SPECIALTIES, key=lambda s: unit("due", t, s)):
            if fits([*due.values(), full[s]], runs):
                due[s] = full[s]
        if due:
            break
    unavailable = " ".join(sorted(unavailable.split(), key=month_index))
    requirements = tuple((s, due[s]) for s in ST_SPECIALTIES if s in due)
    return Trainee(t, home_area, earliest, deadline, unavailable, requirements)


def trainees() -> list[Trainee]:
    """The regular trainees (home area apportioned, then dealt out in a hashed order) and the edge cases."""
    ids = [f"STA-{i:04d}" for i in range(1, ST_TRAINEES + 1)]
    regular = ids[: ST_TRAINEES - len(ST_EDGE_CASES)]
    counts = apportion(len(regular), [float(w) for w in HOME_AREAS.values()])
    areas = [a for a, c in zip(HOME_AREAS, counts, strict=True) for _ in range(c)]
    dealt = sorted(regular, key=lambda t: unit("home", t))
    home = {t: areas[rank] for rank, t in enumerate(dealt)}
    out = [regular_trainee(t, home[t]) for t in regular]
    for t, case in zip(ids[len(regular) :], ST_EDGE_CASES, strict=True):
        out.append(Trainee(t, *case))
    return out


def st_capacity() -> dict[tuple[str, str, int], tuple[int, int | None]]:
    """(hospital, specialty, year) -> (places, concurrent_max or None), 2026 and 2027."""
    places_2026 = {h: dict(row) for h, row in ST_PLACES_2026.items()}
    places_2026["SÄS"] = {s: n for _, s, n in SAS_STA_PLACES_2026}
    rows: dict[tuple[str, str, int], tuple[int, int | None]] = {}
    for h in HOSPITAL_CODES:
        for s in ST_SPECIALTIES:
            if s not in places_2026[h]:
                continue
            for year in (2026, 2027):
                places = places_2026[h][s]
                if year == 2027:
                    places = round(places * between(*ST_PLACES_2027, "places-2027", h, s))
                limit = None
                if (h, s) in ST_CONCURRENT:
                    limit = math.ceil(ST_CONCURRENT_FACTOR * places * ST_LENGTH[s] / 12)
                rows[(h, s, year)] = ST_ROWS.get((h, s, year), (places, limit))
    return rows


def st_fixed(
    people: list[Trainee], capacity: dict[tuple[str, str, int], Any]
) -> list[tuple[str, str, str, int]]:
    """(trainee, specialty, hospital, start month index) of the placements already agreed."""
    picks = []
    for t in sorted(people[: ST_TRAINEES - len(ST_EDGE_CASES)], key=lambda t: unit("fixed", t.trainee)):
        if t.unavailable or t.earliest > 0 or t.deadline < month_index("2027-09"):
            continue
        s, _ = min(t.requirements, key=lambda r: unit("fixed-specialty", t.trainee, r[0]))
        near = sorted(TRAVEL[t.home_area], key=lambda h: TRAVEL[t.home_area][h])
        h = next(h for h in near if (h, s, 2026) in capacity)
        picks.append((t.trainee, s, h, math.floor(4 * unit("fixed-start", t.trainee))))
        if len(picks) == ST_FIXED:
            break
    return sorted(picks)


def at_tables() -> tuple[list[list[Any]], list[list[Any]]]:
    """Rows of at.csv and at_rotations.csv (without headers), in hospital order."""
    previous = dict(AT_POSITIONS_2026)
    at = [
        [h, previous[h] - AT_BOUND, previous[h] + AT_BOUND, AT_WEIGHT[h], previous[h]] for h in HOSPITAL_CODES
    ]
    rotations = []
    for h in HOSPITAL_CODES:
        months = (
            dict(zip(("internmedicin", "kirurgi"), AT_MEDICINE_SURGERY[h], strict=True)) | AT_OTHER_MONTHS
        )
        for area, m in months.items():
            hosted = AT_HOSTED.get((h, area), previous[h] + AT_HOSTED_EXTRA)
            # up to m - 1 months more: not enough for one more doctor
            rotations.append([h, area, m, m * hosted + math.floor(m * unit("at-capacity", h, area))])
    return at, rotations


def at_optimum(at: list[list[Any]], rotations: list[list[Any]]) -> tuple[int, int, dict[str, int]]:
    """The spec's AT optimum (deviation, then stability) by dynamic programming over hospitals."""
    weights = sum(row[3] for row in at)
    best: dict[int, tuple[int, int, dict[str, int]]] = {0: (0, 0, {})}
    for h, lo, hi, weight, previous in at:
        hi = min([hi] + [cap // months for g, _, months, cap in rotations if g == h])
        step: dict[int, tuple[int, int, dict[str, int]]] = {}
        for total, (dev, stab, chosen) in best.items():
            for n in range(lo, hi + 1):
                if total + n > AT_TOTAL:
                    break
                value = (
                    dev + abs(weights * n - AT_TOTAL * weight),
                    stab + abs(n - previous),
                    chosen | {h: n},
                )
                if total + n not in step or value[:2] < step[total + n][:2]:
                    step[total + n] = value
        best = step
    return best[AT_TOTAL]


def check_training(
    people: list[Trainee], capacity: dict[tuple[str, str, int], tuple[int, int | None]]
) -> list[str]:
    """The rules the training tables must keep (spec section 5); empty when all hold."""
    problems = []
    at, rotations = at_tables()
    hosted = {h: min(cap // months for g, _, months, cap in rotations if g == h) for h, *_ in at}
    if not sum(row[1] for row in at) <= AT_TOTAL <= sum(min(row[2], hosted[row[0]]) for row in at):
        problems.append("at: the total cannot be distributed within min, max and the rotations")
    problems += [
        f"at: {h} min {lo} is above its rotations' {hosted[h]}" for h, lo, *_ in at if lo > hosted[h]
    ]
    if len({t.trainee for t in people}) != len(people):
        problems.append("st_trainees: a trainee id appears twice")
    for (h, s, year), (places, limit) in capacity.items():
        if year not in (2026, 2027) or places < 0 or (limit is not None and limit < 0):
            problems.append(f"st_capacity: bad row {h} {s} {year}")
    if {(h, s, n) for (h, s, year), (n, _) in capacity.items() if h == "SÄS" and year == 2026} != set(
        SAS_STA_PLACES_2026
    ):
        problems.append("st_capacity: SÄS 2026 differs from the decision")
    for area, row in TRAVEL.items():
        if not 2 <= len(row) <= 4 or not set(row) <= set(HOSPITAL_CODES):
            problems.append(f"travel: {area} should reach 2-4 of the hospitals")
    by_id = {t.trainee: t for t in people}
    for t in people:
        specialties = [s for s, _ in t.requirements]
        if (
            not t.requirements
            or len(set(specialties)) != len(specialties)
            or not set(specialties) <= set(ST_LENGTH)
        ):
            problems.append(f"st_requirements: {t.trainee} has no, a repeated or an unknown specialty")
        if not 0 <= t.earliest <= t.deadline or t.earliest >= ST_MONTHS:
            problems.append(f"st_trainees: {t.trainee} earliest start and deadline")
    started: Counter[tuple[str, str, int]] = Counter()
    present: Counter[tuple[str, str, int]] = Counter()
    busy: dict[str, set[int]] = {}
    for trainee, s, h, start in st_fixed(people, capacity):
        t = by_id[trainee]
        months = range(start, start + dict(t.requirements).get(s, ST_MONTHS))
        where = f"st_fixed: {trainee} {s} at {h} from {month_name(start)}"
        if s not in dict(t.requirements):
            problems.append(f"{where}: no such requirement")
        if start < t.earliest or months[-1] > min(t.deadline, ST_MONTHS - 1):
            problems.append(f"{where}: outside the trainee's window or the horizon")
        if set(months) & (months_of(t.unavailable) | busy.get(trainee, set())):
            problems.append(f"{where}: an unavailable or already used month")
        if h not in TRAVEL[t.home_area] or (h, s, 2026 + start // 12) not in capacity:
            problems.append(f"{where}: not within reach or no places that year")
        busy.setdefault(trainee, set()).update(months)
        started[(h, s, 2026 + start // 12)] += 1
        present.update((h, s, m) for m in months)
    for (h, s, year), n in started.items():
        if n > capacity[(h, s, year)][0]:
            problems.append(f"st_fixed: more starts than places at {h} {s} {year}")
    for (h, s, m), n in present.items():
        limit = capacity.get((h, s, 2026 + m // 12), (0, 0))[1]
        if limit is not None and n > limit:
            problems.append(f"st_fixed: more than concurrent_max at {h} {s} {month_name(m)}")
    return problems


def report(people: list[Trainee], capacity: dict[tuple[str, str, int], tuple[int, int | None]]) -> str:
    """AT optimum and ST-A demand against places, for README.md."""
    at, rotations = at_tables()
    deviation, stability, chosen = at_optimum(at, rotations)
    lines = [f"AT optimum: deviation {deviation}, stability {stability}: {chosen}"]
    count = Counter(s for t in people for s, _ in t.requirements)
    lines.append(
        f"trainees {len(people)}, requirements {sum(count.values())}, by number: "
        f"{sorted(Counter(len(t.requirements) for t in people).items())}"
    )
    for s in ST_SPECIALTIES:
        places = [
            sum(n for (_, x, y), (n, _) in capacity.items() if x == s and y == year) for year in (2026, 2027)
        ]
        last = [min(t.deadline, ST_MONTHS - 1) - d + 1 for t in people for x, d in t.requirements if x == s]
        first = [t.earliest for t in people for x, _ in t.requirements if x == s]
        lines.append(
            f"{s}: requirements {count[s]} (must start in 2026: {sum(m < 12 for m in last)}, "
            f"in 2027: {sum(m >= 12 for m in first)}), places 2026 {places[0]}, 2027 {places[1]}"
        )
        for area, reach in TRAVEL.items():
            need = sum(1 for t in people if t.home_area == area for x, _ in t.requirements if x == s)
            within = [
                sum(n for (h, x, y), (n, _) in capacity.items() if x == s and y == year and h in reach)
                for year in (2026, 2027)
            ]
            lines.append(f"  {area}: {need} against {within[0]} + {within[1]} places within reach")
    return "\n".join(lines)
