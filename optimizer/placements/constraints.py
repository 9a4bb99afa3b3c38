"""The placement rules of spec section 5 that link choices: one method per rule."""

from __future__ import annotations

from collections import defaultdict

from ortools.sat.python import cp_model

from leveransplan.models.training import PlacementData, RequirementKey
from leveransplan.optimizer.placements.variables import Variables


class Constraints:
    """Rules over the choice variables (the per-option rules hold by construction)."""

    def __init__(self, model: cp_model.CpModel, data: PlacementData, variables: Variables) -> None:
        self.model = model
        self.data = data
        self.vars = variables

    def add_constraints(self) -> None:
        self._start_years_form_a_pattern_that_fits()
        self._one_hospital_per_placed_requirement()
        self._start_month_in_the_start_year()
        self._stays_match_start_and_site()
        self._fixed_placements_stay()
        self._stays_do_not_overlap()
        self._places_per_year()
        self._concurrent_max()

    def _start_years_form_a_pattern_that_fits(self) -> None:
        """Hard: a trainee's placed stays, with their start years, fit one after another in the window.

        Each trainee takes exactly one of the largest patterns of start years that fit, and a
        requirement may start in year Y only when the pattern starts it in Y; so it is placed at
        most once, and any part of a pattern may be placed. For month-level trainees the month
        rules below decide the months; for the others any fitting order is chosen after the
        solve. Per trainee this is the exact set of year combinations, which the LP relaxation
        needs: spread fractionally over months, four stays of 15 months would otherwise seem
        to fit a 12-month window.
        """
        for trainee, requirements in self.vars.requirements_of.items():
            if trainee not in self.vars.patterns:  # months decided directly (see variables.py)
                for requirement in requirements:
                    self.model.add_at_most_one(self.vars.year[requirement.key].values())
        for trainee, patterns in self.vars.patterns.items():
            self.model.add_exactly_one(var for _, var in patterns)
            allowing: dict[tuple[RequirementKey, int], list[cp_model.IntVar]] = defaultdict(list)
            for pattern, var in patterns:
                for key, year in pattern.items():
                    allowing[key, year].append(var)
            for requirement in self.vars.requirements_of[trainee]:
                for year, var in self.vars.year[requirement.key].items():
                    self.model.add(var <= sum(allowing[requirement.key, year]))

    def _one_hospital_per_placed_requirement(self) -> None:
        """Hard: a placed requirement is done at one hospital within reach with places that year."""
        for key, sites in self.vars.site.items():
            for year, placed in self.vars.year[key].items():
                self.model.add(sum(v for (_, y), v in sites.items() if y == year) == placed)
        for (pool, year), members in self.vars.pooled.items():
            flows = [v for (p, y, _), v in self.vars.flow.items() if p == pool and y == year]
            self.model.add(sum(flows) == sum(self.vars.year[r.key][year] for r in members))

    def _start_month_in_the_start_year(self) -> None:
        """Hard: a month-level requirement starts in one month of its start year."""
        for key, starts in self.vars.start.items():
            for year, placed in self.vars.year[key].items():
                self.model.add(sum(v for s, v in starts.items() if s // 12 == year) == placed)

    def _stays_match_start_and_site(self) -> None:
        """Hard: at a department with concurrent_max, the stay is there exactly when start and site say so."""
        by_site: dict[tuple[str, str, str, int], list[cp_model.IntVar]] = defaultdict(list)
        by_start: dict[tuple[str, str, int], list[cp_model.IntVar]] = defaultdict(list)
        for (trainee, specialty, hospital, start), var in self.vars.stay.items():
            by_site[trainee, specialty, hospital, start // 12].append(var)
            by_start[trainee, specialty, start].append(var)
        for (trainee, specialty, hospital, year), stays in by_site.items():
            self.model.add(sum(stays) == self.vars.site[trainee, specialty][hospital, year])
        for (trainee, specialty, start), stays in by_start.items():
            self.model.add(sum(stays) <= self.vars.start[trainee, specialty][start])

    def _fixed_placements_stay(self) -> None:
        """Hard: placements already agreed stay (their only option is the agreed one)."""
        for key in self.data.fixed:
            if not self.data.options[key]:
                self.model.add_bool_or([])  # a frozen stay the rules no longer allow cannot stay
            for var in self.vars.site.get(key, {}).values():
                self.model.add(var == 1)

    def _stays_do_not_overlap(self) -> None:
        """Hard: a trainee does one side-service at a time (month-level trainees; see variables.py)."""
        for starts in self.vars.present_by_trainee().values():
            if len(starts) > 1:
                self.model.add_at_most_one(starts)

    def _places_per_year(self) -> None:
        """Hard: placements starting in a year at a hospital's department fit its places (proposed
        places are the placements started: a place more would only be an unused place)."""
        starts = self.vars.starts_by_place()
        for place, proposed in self.vars.places.items():
            self.model.add(sum(starts.get(place, [])) == proposed)
        for place, starting in starts.items():
            if place not in self.vars.places:
                # No st_capacity.csv row means no places (a frozen placement may still name one).
                row = self.data.capacity.get(place)
                self.model.add(sum(starting) <= (0 if row is None else row.places))

    def _concurrent_max(self) -> None:
        """Hard: trainees present in a month fit concurrent_max of that month's year."""
        for (hospital, specialty, month), present in self.vars.present_by_department().items():
            limit = self.data.concurrent_limit(hospital, specialty, month)
            if limit is not None and len(present) > limit:
                self.model.add(sum(present) <= limit)
