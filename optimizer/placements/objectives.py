"""The placement objective terms of spec section 5, and the two terms of proposing places."""

from __future__ import annotations

from collections import defaultdict

from ortools.sat.python import cp_model

from leveransplan.models.training import Placement, PlacementData, RequirementKey
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
        self.terms: dict[str, cp_model.LinearExprT] = {
            "unplaced": self._unplaced(),
            "travel": self._travel(),
            "stability": self._stability(),
        }
        if variables.places:
            self.terms["places"] = sum(variables.places.values())  # type: ignore[assignment]
            self.terms["peak_places"] = self._peak_places()

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

    def _peak_places(self) -> cp_model.LinearExprT:
        """sum over (specialty, year) of the most places any one hospital is asked for."""
        groups: dict[tuple[str, int], list[cp_model.IntVar]] = defaultdict(list)
        for (_, specialty, year), var in self.vars.places.items():
            groups[specialty, year].append(var)
        peaks = []
        for (specialty, year), places in groups.items():
            most = max(self.vars.upper_bound(p) for p in places)
            peak = self.model.new_int_var(0, most, f"peak[{specialty},{year}]")
            for p in places:
                self.model.add(p <= peak)
            peaks.append(peak)
        return sum(peaks)  # type: ignore[return-value]
