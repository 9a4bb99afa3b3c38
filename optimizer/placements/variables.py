"""Decision variables of the placement model: which year each requirement starts in, where, and when.

A requirement's options are a product within each calendar year: every hospital within reach
that has places that year, times every start month that fits the window and the leave (see
models.training.PlacementData.options). The model therefore decides apart:

- year[r,Y]: the requirement is placed with its stay starting in year Y;
- pattern[t,P]: the start years of trainee t's stays follow P, one of the largest patterns that
  fit (PlacementData.year_patterns); this gives the LP relaxation the exact per-trainee choice;
- where: requirements of the same home area, specialty and length are interchangeable as far
  as hospitals go (the same hospitals are within reach, with the same places and travel), so
  flow[area,specialty,months,Y,h] counts how many of them go to hospital h. A requirement gets
  its own site[r,h,Y] only where its hospital matters beyond counting: a fixed placement, a
  department with concurrent_max among its options, or a previous placement to keep;
- start[r,s]: the start month, only for trainees whose months matter to another rule: those who
  can reach a department with concurrent_max. A previous plan's start to keep is a choice of
  the pattern instead (PlacementData.pinned_patterns).

For every other trainee the months touch no other trainee and no objective, so any order that
fits the chosen years is as good as another; the plan takes the earliest one
(PlacementData.sequence). Pooling where the hospital is chosen removes the symmetry between
interchangeable trainees that otherwise keeps CP-SAT from proving the travel stage.
"""

from __future__ import annotations

from collections import defaultdict

from ortools.sat.python import cp_model

from leveransplan.models.training import Placement, PlacementData, Requirement, RequirementKey

Place = tuple[str, str, int]  # hospital, specialty, year
Pattern = dict[RequirementKey, int]  # requirement -> start year
Pool = tuple[str, str, int]  # home area, specialty, months


class Variables:
    """year, pattern, flow, site, start and stay variables, and places[h,spec,Y] when proposed
    (at most max_places)."""

    def __init__(
        self,
        model: cp_model.CpModel,
        data: PlacementData,
        propose_places: bool,
        previous: dict[RequirementKey, Placement] | None,
        enforced: set[tuple[str, str]] | None = None,
    ) -> None:
        self.data = data
        self.requirements_of: dict[str, list[Requirement]] = defaultdict(list)
        for requirement in data.requirements:
            if data.options[requirement.key]:
                self.requirements_of[requirement.trainee].append(requirement)
        self.crowded = {
            (c.hospital, c.specialty)
            for c in data.capacity.values()
            if c.concurrent_max is not None and (enforced is None or (c.hospital, c.specialty) in enforced)
        }
        timed = {
            r.key
            for requirements in self.requirements_of.values()
            for r in requirements
            if any((o.hospital, r.specialty) in self.crowded for o in data.options[r.key])
        }
        kept_possible = set() if previous is None else set(previous)
        self.own_site = timed | set(data.fixed) | kept_possible
        self.monthly = {trainee for trainee, _ in timed}
        self.previous = previous
        self.year: dict[RequirementKey, dict[int, cp_model.IntVar]] = {}
        self.site: dict[RequirementKey, dict[tuple[str, int], cp_model.IntVar]] = {}
        self.start: dict[RequirementKey, dict[int, cp_model.IntVar]] = {}
        self.stay: dict[tuple[str, str, str, int], cp_model.IntVar] = {}
        self.pooled: dict[tuple[Pool, int], list[Requirement]] = defaultdict(list)
        self.patterns: dict[str, list[tuple[Pattern, cp_model.IntVar]]] = {}
        # Stays a pattern keeps at the previous plan's start (pinned_patterns), aligned with patterns.
        self.pattern_pins: dict[str, list[frozenset[RequirementKey]]] = {}
        for trainee, requirements in self.requirements_of.items():
            pins = {
                r.key: previous[r.key][1] for r in requirements if previous is not None and r.key in previous
            }
            found: list[tuple[Pattern, frozenset[RequirementKey]]] | None
            if pins and trainee not in self.monthly:
                found = data.pinned_patterns(requirements, pins)
            else:
                plain = data.year_patterns(requirements)
                found = None if plain is None else [(p, frozenset()) for p in plain]
            if found is None:
                self.monthly.add(trainee)  # too many year combinations: decide the months directly
            for requirement in requirements:
                self._add_requirement(model, requirement, trainee in self.monthly)
            if found is not None:
                self.patterns[trainee] = [
                    (pattern, model.new_bool_var(f"pattern[{trainee},{index}]"))
                    for index, (pattern, _) in enumerate(found)
                ]
                self.pattern_pins[trainee] = [kept for _, kept in found]
        self.flow: dict[tuple[Pool, int, str], cp_model.IntVar] = {}
        for (pool, year), members in sorted(self.pooled.items()):
            area, specialty, months = pool
            # The hospitals the members' options offer that year: those within reach with places
            # then (the same for every member), or fewer where the options were narrowed to a plan.
            offered = {o.hospital for r in members for o in data.options[r.key] if o.start // 12 == year}
            for hospital in data.reachable(members[0]):
                if hospital in offered:
                    self.flow[pool, year, hospital] = model.new_int_var(
                        0, len(members), f"flow[{area},{specialty},{months},{year},{hospital}]"
                    )
        self.places: dict[Place, cp_model.IntVar] = {}
        if propose_places:
            wanting = self.starts_by_place()
            for place, row in data.capacity.items():
                hospital, specialty, year = place
                # No more than can start there, nor than the department can take (max_places).
                most = sum(self.upper_bound(term) for term in wanting.get(place, []))
                if row.max_places is not None:
                    most = min(most, row.max_places)
                self.places[place] = model.new_int_var(0, most, f"places[{hospital},{specialty},{year}]")

    def _add_requirement(self, model: cp_model.CpModel, requirement: Requirement, monthly: bool) -> None:
        key, options = requirement.key, self.data.options[requirement.key]
        name = f"{requirement.trainee},{requirement.specialty}"
        years = sorted({o.start // 12 for o in options})
        self.year[key] = {y: model.new_bool_var(f"year[{name},{y}]") for y in years}
        if key in self.own_site:
            self.site[key] = {
                (h, y): model.new_bool_var(f"site[{name},{h},{y}]")
                for h, y in sorted({(o.hospital, o.start // 12) for o in options})
            }
        else:
            area = self.data.trainees[requirement.trainee].home_area
            for year in years:
                self.pooled[(area, requirement.specialty, requirement.months), year].append(requirement)
        if not monthly:
            return
        self.start[key] = {
            s: model.new_bool_var(f"start[{name},{self.data.label(s)}]")
            for s in sorted({o.start for o in options})
        }
        for option in options:
            if key in self.site and (option.hospital, requirement.specialty) in self.crowded:
                self.stay[(*key, option.hospital, option.start)] = model.new_bool_var(
                    f"stay[{name},{option.hospital},{self.data.label(option.start)}]"
                )

    @staticmethod
    def upper_bound(var: cp_model.IntVar) -> int:
        domain = var.proto.domain
        return int(domain[len(domain) - 1])

    def starts_by_place(self) -> dict[Place, list[cp_model.IntVar]]:
        """What starts at each (hospital, specialty, year): own sites and pooled flows."""
        found: dict[Place, list[cp_model.IntVar]] = defaultdict(list)
        for (_, specialty), sites in self.site.items():
            for (hospital, year), var in sites.items():
                found[hospital, specialty, year].append(var)
        for ((_, specialty, _), year, hospital), var in self.flow.items():
            found[hospital, specialty, year].append(var)
        return found

    def present_by_trainee(self) -> dict[tuple[str, int], list[cp_model.IntVar]]:
        """Start choices that have a month-level trainee away on side-service in each month."""
        found: dict[tuple[str, int], list[cp_model.IntVar]] = defaultdict(list)
        for (trainee, specialty), starts in self.start.items():
            months = self.data.by_key[trainee, specialty].months
            for start, var in starts.items():
                for month in range(start, start + months):
                    found[trainee, month].append(var)
        return found

    def present_by_department(self) -> dict[Place, list[cp_model.IntVar]]:
        """Stays at a department with concurrent_max, per (hospital, specialty, month)."""
        found: dict[Place, list[cp_model.IntVar]] = defaultdict(list)
        for (trainee, specialty, hospital, start), var in self.stay.items():
            for month in range(start, start + self.data.by_key[trainee, specialty].months):
                found[hospital, specialty, month].append(var)
        return found

    def year_and_site_choices(self) -> list[cp_model.IntVar]:
        """The start-year, pattern and site variables: each requirement's own year and hospital.

        Not the pooled flows: a flow the LP takes whole may still be fed by a pool whose members'
        years it takes fractionally, and fixing it would leave the rounding no room.
        """
        found = [var for years in self.year.values() for var in years.values()]
        found += [var for options in self.patterns.values() for _, var in options]
        found += [var for sites in self.site.values() for var in sites.values()]
        return found

    def placed(self, key: RequirementKey) -> cp_model.LinearExprT:
        """1 when the requirement is placed anywhere."""
        return sum(self.year.get(key, {}).values())  # type: ignore[return-value]
