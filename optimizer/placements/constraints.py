"""The placement rules of spec section 5 that link choices: one method per rule."""

from __future__ import annotations

from collections import defaultdict

from ortools.sat.python import cp_model

from models.training import PlacementData, RequirementKey
from optimizer.placements.variables import Variables


class Constraints:
    """Rules over the choice variables (the per-option rules hold by construction)."""

    def __init__(self, model: cp_model.CpModel, data: PlacementData, variables: Variables) -> None:
        self.model = model
        self.data = data
        self.vars = variables

    def add_constraints(self) -> None:
        self._start_years_form_a_pattern_that_fits()
        self._site_in_the_start_year()
        self._stays_match_start_and_site()
        self._fixed_placements_stay()
        self._stays_do_not_overlap()
        self._places_per_year()
        self._concurrent_max()

    def _site_in_the_start_year(self) -> None:
        """Hard: a month-level requirement starts in a month of the year its site is chosen for."""
        for key, starts in self.vars.start.items():
            by_year: dict[int, list[cp_model.IntVar]] = defaultdict(list)
            for start, var in starts.items():
                by_year[start // 12].append(var)
            sites: dict[int, list[cp_model.IntVar]] = defaultdict(list)
            for (_, year), var in self.vars.site[key].items():
                sites[year].append(var)
            for year in by_year.keys() | sites.keys():
                self.model.add(sum(by_year[year]) == sum(sites[year]))

    def _stays_match_start_and_site(self) -> None:
        """Hard: at a department with concurrent_max, the stay is there exactly when start and site say so."""
        by_site: dict[tuple[str, str, str, int], list[cp_model.IntVar]] = defaultdict(list)
        for (trainee, specialty, hospital, start), var in self.vars.stay.items():
            self.model.add_implication(var, self.vars.start[trainee, specialty][start])
            by_site[trainee, specialty, hospital, start // 12].append(var)
        for (trainee, specialty, hospital, year), stays in by_site.items():
            self.model.add(sum(stays) == self.vars.site[trainee, specialty][hospital, year])

    def _fixed_placements_stay(self) -> None:
        """Hard: placements already agreed stay (their only option is the agreed one)."""
        for key in self.data.fixed:
            for var in self.vars.site[key].values():
                self.model.add(var == 1)

    def _stays_do_not_overlap(self) -> None:
        """Hard: a trainee does one side-service at a time (month-level trainees; see variables.py)."""
        for starts in self.vars.present_by_trainee().values():
            if len(starts) > 1:
                self.model.add_at_most_one(starts)

    def _places_per_year(self) -> None:
        """Hard: placements starting in a year at a hospital's department fit its places."""
        for place, sites in self.vars.sites_by_place().items():
            if place in self.vars.places:
                self.model.add(sum(sites) <= self.vars.places[place])
            elif len(sites) > self.data.capacity[place].places:
                self.model.add(sum(sites) <= self.data.capacity[place].places)

    def _concurrent_max(self) -> None:
        """Hard: trainees present in a month fit concurrent_max of that month's year."""
        for (hospital, specialty, month), present in self.vars.present_by_department().items():
            limit = self.data.concurrent_limit(hospital, specialty, month)
            if limit is not None and len(present) > limit:
                self.model.add(sum(present) <= limit)

    def _start_years_form_a_pattern_that_fits(self) -> None:
        """Hard: a trainee's placed stays, with their start years, fit one after another in the window.

        Each trainee takes exactly one of the largest patterns of start years that fit, and a
        requirement may have a site in year Y only when the pattern starts it in Y; so it is
        placed at most once, and any part of a pattern may be placed. For month-level trainees the
        month rules below decide the months; for the others any fitting order is chosen after
        the solve. Per trainee this is the exact set of year combinations, which the LP
        relaxation needs: spread fractionally over months, four stays of 15 months would
        otherwise seem to fit a 12-month window.
        """
        for trainee, patterns in self.vars.patterns.items():
            self.model.add_exactly_one(var for _, var in patterns)
            years: dict[tuple[RequirementKey, int], list[cp_model.IntVar]] = defaultdict(list)
            for pattern, var in patterns:
                for key, year in pattern.items():
                    years[key, year].append(var)
            for requirement in self.vars.requirements_of[trainee]:
                sites: dict[int, list[cp_model.IntVar]] = defaultdict(list)
                for (_, year), var in self.vars.site[requirement.key].items():
                    sites[year].append(var)
                for year, chosen in sites.items():
                    self.model.add(sum(chosen) <= sum(years[requirement.key, year]))
