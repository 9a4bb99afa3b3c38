"""The placement objective terms of spec section 5, and the two terms of proposing places (places,
peak_load)."""

from __future__ import annotations

from collections import defaultdict
from itertools import pairwise

from ortools.sat.python import cp_model

from leveransplan.models.training import Placement, PlacementData, RequirementKey, load_percent
from leveransplan.optimizer.placements.variables import Variables


class Objectives:
    """Each term as a linear expression over the option variables."""

    def __init__(
        self,
        model: cp_model.CpModel,
        data: PlacementData,
        variables: Variables,
        previous: dict[RequirementKey, Placement] | None,
    ) -> None:
        self.model = model
        self.data = data
        self.vars = variables
        self.previous = previous
        self.kept: dict[RequirementKey, cp_model.IntVar] = {}  # stays kept at the previous plan's place
        self.loads: dict[str, cp_model.IntVar] = {}  # load[specialty] when proposing
        self.terms: dict[str, cp_model.LinearExprT] = {
            "unplaced": self._unplaced(),
            "travel": self._travel(),
            "stability": self._stability(),
        }
        if variables.places:
            self.terms["places"] = sum(variables.places.values())  # type: ignore[assignment]
            self.terms["peak_load"] = self._peak_load()

    @staticmethod
    def load_name(specialty: str) -> str:
        """The name a specialty's load is held by after the peak_load stage."""
        return f"load[{specialty}]"

    def held(self, name: str) -> cp_model.LinearExprT:
        """The expression a hold of `name` limits: a term, or a specialty's load (load_name)."""
        if name in self.terms:
            return self.terms[name]
        return {self.load_name(specialty): load for specialty, load in self.loads.items()}[name]

    def hint_proposal(self, placed: dict[RequirementKey, Placement]) -> None:
        """Hint the proposed places and loads a plan implies: places = its starts, loads their peak."""
        starts: dict[tuple[str, str, int], int] = defaultdict(int)
        for (_, specialty), (hospital, start) in placed.items():
            starts[hospital, specialty, start // 12] += 1
        peaks: dict[str, int] = defaultdict(int)
        for place, var in self.vars.places.items():
            count = min(starts.get(place, 0), self.vars.upper_bound(var))
            self.model.add_hint(var, count)
            peaks[place[1]] = max(peaks[place[1]], load_percent(count, self.data.load_reference(place)))
        for group, load in self.loads.items():
            self.model.add_hint(load, peaks[group])

    def _unplaced(self) -> cp_model.LinearExprT:
        """Requirements not placed."""
        placed = sum(var for years in self.vars.year.values() for var in years.values())
        return len(self.data.requirements) - placed  # type: ignore[no-any-return]

    def _travel(self) -> cp_model.LinearExprT:
        """sum of minutes(home_area, hospital) * months over placed requirements."""
        own = [
            self.data.minutes(self.data.by_key[key], hospital) * self.data.by_key[key].months * var
            for key, sites in self.vars.site.items()
            for (hospital, _), var in sites.items()
        ]
        pooled = [
            self.data.travel[area, hospital] * months * var
            for ((area, _, months), _, hospital), var in self.vars.flow.items()
        ]
        return sum(own) + sum(pooled)  # type: ignore[no-any-return]

    def _stability(self) -> cp_model.LinearExprT:
        """Requirements whose (hospital, start) differs from the previous plan (0 without one)."""
        if self.previous is None:
            return 0
        parts: list[cp_model.LinearExprT] = []
        for requirement in self.data.requirements:
            before = self.previous.get(requirement.key)
            if before is None:
                parts.append(self.vars.placed(requirement.key))  # was unplaced: placing it is a change
                continue
            hospital, start = before
            site_var = self.vars.site.get(requirement.key, {}).get((hospital, start // 12))
            if site_var is None:
                parts.append(1)  # the previous placement is no longer possible
                continue
            kept = self.model.new_bool_var(f"kept[{requirement.trainee},{requirement.specialty}]")
            self.kept[requirement.key] = kept
            self.model.add_implication(kept, site_var)
            start_var = self.vars.start.get(requirement.key, {}).get(start)
            if requirement.trainee in self.vars.monthly:
                if start_var is None:
                    parts.append(1)
                    continue
                # kept is exactly "same hospital and same start" for month-level trainees.
                self.model.add_implication(kept, start_var)
                self.model.add_bool_or([start_var.Not(), site_var.Not(), kept])
            else:
                # Kept only in a pattern that pins the stay at its previous start; the plan then
                # starts it there (PlacementModel.decode).
                pinning = [
                    var
                    for (_, var), pins in zip(
                        self.vars.patterns.get(requirement.trainee, []),
                        self.vars.pattern_pins.get(requirement.trainee, []),
                        strict=True,
                    )
                    if requirement.key in pins
                ]
                self.model.add(kept <= sum(pinning))
            parts.append(1 - kept)
        return sum(parts)  # type: ignore[return-value]

    def _peak_load(self) -> cp_model.LinearExprT:
        """sum over specialties of the highest load of any of its departments in any year.

        A department's load is its proposed places as a whole percent of its reference
        (PlacementData.load_reference: max_places, else the decided places, else 1), so the
        proposal asks each department for the same share of what it can offer, not the same count,
        and in each year alike: 100 * places[h, specialty, year] <= reference * load[specialty].
        """
        groups: dict[str, list[tuple[cp_model.IntVar, int]]] = defaultdict(list)
        for place, var in self.vars.places.items():
            groups[place[1]].append((var, self.data.load_reference(place)))
        loads = []
        for specialty, departments in groups.items():
            most = max(load_percent(self.vars.upper_bound(var), ref) for var, ref in departments)
            load = self.model.new_int_var(0, most, f"load[{specialty}]")
            for var, reference in departments:
                self.model.add(100 * var <= reference * load)
                for slope, rise, constant in load_envelope(reference, self.vars.upper_bound(var)):
                    self.model.add(slope * load >= rise * var + constant)
            self.loads[specialty] = load
            loads.append(load)
        return sum(loads)  # type: ignore[return-value]


def load_envelope(reference: int, most: int) -> list[tuple[int, int, int]]:
    """Cuts `slope * load >= rise * places + constant` through the whole points of the load.

    The load of p places is ceil(100 * p / reference), a staircase above the line 100 * p /
    reference; a place more moves a small department's load by several percent. Every whole
    (places, load) pair lies on or above the lower convex hull of the staircase's points, so each
    edge of that hull is a valid inequality, and with it the LP sees the rounding that the line
    alone hides (CP-SAT's LP and the relaxation's, optimizer.placements.lp_relaxation).
    """
    points = [(p, load_percent(p, reference)) for p in range(most + 1)]
    hull: list[tuple[int, int]] = []
    for point in points:  # Andrew's monotone chain, the lower hull
        while len(hull) >= 2:
            (x1, y1), (x2, y2) = hull[-2], hull[-1]
            if (x2 - x1) * (point[1] - y1) - (y2 - y1) * (point[0] - x1) > 0:
                break
            hull.pop()
        hull.append(point)
    cuts = []
    for (x1, y1), (x2, y2) in pairwise(hull):
        # load >= y1 + (y2 - y1) / (x2 - x1) * (places - x1), times (x2 - x1)
        cuts.append((x2 - x1, y2 - y1, (x2 - x1) * y1 - (y2 - y1) * x1))
    return cuts
