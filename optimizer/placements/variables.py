"""Decision variables of the placement model: where each requirement is done, from which year and month.

A requirement's options are a product within each calendar year: every hospital within reach
that has places that year, times every start month that fits the window and the leave (see
models.training.PlacementData.options). The model therefore decides three things apart:

- site[r,h,Y]: the requirement is done at hospital h, starting in year Y (places count these);
- pattern[t,P]: the start years of trainee t's placed stays, one of the patterns that fit
  (PlacementData.year_patterns), which gives the LP relaxation the exact per-trainee choice;
- start[r,s]: the start month, only for trainees whose months matter to another rule or term:
  those who can reach a department with concurrent_max, or who have a previous placement.

For every other trainee the months touch no other trainee and no objective, so any order
that fits the chosen years is as good as another; the plan takes the earliest one
(PlacementData.sequence). This keeps the shipped cohort at tens of thousands of Booleans
instead of one per (requirement, hospital, month).
"""

from __future__ import annotations

from collections import defaultdict

from ortools.sat.python import cp_model

from models.training import Placement, PlacementData, Requirement, RequirementKey

Place = tuple[str, str, int]  # hospital, specialty, year
Pattern = dict[RequirementKey, int]  # requirement -> start year


class Variables:
    """site, pattern, start and stay Booleans, and places[h,spec,Y] when places are proposed."""

    def __init__(
        self,
        model: cp_model.CpModel,
        data: PlacementData,
        propose_places: bool,
        previous: dict[RequirementKey, Placement] | None,
    ) -> None:
        self.data = data
        self.requirements_of: dict[str, list[Requirement]] = defaultdict(list)
        for requirement in data.requirements:
            if data.options[requirement.key]:
                self.requirements_of[requirement.trainee].append(requirement)
        crowded = {(c.hospital, c.specialty) for c in data.capacity.values() if c.concurrent_max is not None}
        self.monthly = {
            trainee
            for trainee, requirements in self.requirements_of.items()
            if any(
                (o.hospital, r.specialty) in crowded or (previous is not None and r.key in previous)
                for r in requirements
                for o in data.options[r.key]
            )
        }
        self.site: dict[RequirementKey, dict[tuple[str, int], cp_model.IntVar]] = {}
        self.start: dict[RequirementKey, dict[int, cp_model.IntVar]] = {}
        self.stay: dict[tuple[str, str, str, int], cp_model.IntVar] = {}
        self.patterns: dict[str, list[tuple[Pattern, cp_model.IntVar]]] = {}
        for trainee, requirements in self.requirements_of.items():
            for requirement in requirements:
                self._add_requirement(model, requirement, crowded, trainee in self.monthly)
            self.patterns[trainee] = [
                (pattern, model.new_bool_var(f"pattern[{trainee},{index}]"))
                for index, pattern in enumerate(data.year_patterns(requirements))
            ]
        self.places: dict[Place, cp_model.IntVar] = {}
        if propose_places:
            wanting = self.sites_by_place()
            for place in data.capacity:
                hospital, specialty, year = place
                self.places[place] = model.new_int_var(
                    0, len(wanting.get(place, [])), f"places[{hospital},{specialty},{year}]"
                )

    def _add_requirement(
        self,
        model: cp_model.CpModel,
        requirement: Requirement,
        crowded: set[tuple[str, str]],
        monthly: bool,
    ) -> None:
        key, options = requirement.key, self.data.options[requirement.key]
        name = f"{requirement.trainee},{requirement.specialty}"
        self.site[key] = {
            (h, y): model.new_bool_var(f"site[{name},{h},{y}]")
            for h, y in sorted({(o.hospital, o.start // 12) for o in options})
        }
        if not monthly:
            return
        self.start[key] = {
            s: model.new_bool_var(f"start[{name},{self.data.label(s)}]")
            for s in sorted({o.start for o in options})
        }
        for option in options:
            if (option.hospital, requirement.specialty) in crowded:
                self.stay[(*key, option.hospital, option.start)] = model.new_bool_var(
                    f"stay[{name},{option.hospital},{self.data.label(option.start)}]"
                )

    def sites_by_place(self) -> dict[Place, list[cp_model.IntVar]]:
        """Site choices per (hospital, specialty, year): the placements that would start there."""
        found: dict[Place, list[cp_model.IntVar]] = defaultdict(list)
        for (_, specialty), sites in self.site.items():
            for (hospital, year), var in sites.items():
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

    def placed(self, key: RequirementKey) -> cp_model.LinearExprT:
        """1 when the requirement is placed anywhere."""
        return sum(self.site.get(key, {}).values())  # type: ignore[return-value]
