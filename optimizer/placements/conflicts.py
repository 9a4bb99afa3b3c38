"""When no placement plan obeys every rule: the placements and limits that cannot hold together.

Any requirement may be left unplaced, so only placements that must stay can make the model
infeasible: those agreed in st_fixed.csv and, in a re-plan, those of the previous plan that
started in the frozen months. Each such placement is one assumption, and so is each limit that
they can break together: a department's places in a year, its concurrent_max, a trainee's one
side-service at a time, and (for frozen placements, which the loader does not check row by row)
the trainee's window, leave and the hospitals offered to the home area.
"""

from __future__ import annotations

from collections import defaultdict

from leveransplan.models.language import _
from leveransplan.models.months import format_month, parse_month
from leveransplan.models.training import PlacementData, RequirementKey
from leveransplan.optimizer.conflicts import ConflictModel, ConflictSearch


class _FixedPlacementModel(ConflictModel):
    """The placements that must stay, and the limits they share, as assumptions."""

    def __init__(self, data: PlacementData) -> None:
        super().__init__()
        self.data = data
        agreed_rows = {(f.trainee, f.specialty): row for row, f in enumerate(data.scenario.st_fixed, start=2)}
        self.stays: dict[RequirementKey, tuple[str, int, int]] = {}  # hospital, first month, months
        self.literal = {}
        for key, (hospital, start) in data.fixed.items():
            months = data.by_key[key].months
            self.stays[key] = (hospital, start, months)
            trainee, specialty = key
            where = _("{trainee}'s {specialty} at {hospital} from {month}").format(
                trainee=trainee, specialty=specialty, hospital=hospital, month=format_month(start)
            )
            if key in agreed_rows:
                words = _("st_fixed.csv row {row}: {placement} (agreed)").format(
                    row=agreed_rows[key], placement=where
                )
            else:
                words = _(
                    "{placement}, started in the frozen months of the previous plan (--freeze-until)"
                ).format(placement=where)
            self.literal[key] = self.group(words)
        self._places_per_year()
        self._concurrent_max()
        self._one_stay_at_a_time()
        self._rules_of_each_stay()

    def _places_per_year(self) -> None:
        """Placements starting in a year at a department fit its places (no row: no places)."""
        starting: dict[tuple[str, str, int], list[RequirementKey]] = defaultdict(list)
        for key, (hospital, start, _months) in self.stays.items():
            starting[hospital, key[1], start // 12].append(key)
        for (hospital, specialty, year), keys in starting.items():
            row = self.data.capacity.get((hospital, specialty, year))
            places = 0 if row is None else row.places
            words = (
                _("st_capacity.csv: {hospital} {specialty} {year} has {places} places").format(
                    hospital=hospital, specialty=specialty, year=year, places=places
                )
                if row is not None
                else _("st_capacity.csv has no row for {hospital} {specialty} {year} (no places)").format(
                    hospital=hospital, specialty=specialty, year=year
                )
            )
            self.model.add(sum(self.literal[k] for k in keys) <= places).only_enforce_if(self.group(words))

    def _concurrent_max(self) -> None:
        """Trainees present in a month at a department fit its concurrent_max of that year."""
        present: dict[tuple[str, str, int], list[RequirementKey]] = defaultdict(list)
        for key, (hospital, start, months) in self.stays.items():
            for month in range(start, start + months):
                present[hospital, key[1], month].append(key)
        for (hospital, specialty, month), keys in present.items():
            limit = self.data.concurrent_limit(hospital, specialty, month)
            if limit is not None and len(keys) > limit:
                words = _(
                    "st_capacity.csv: {hospital} {specialty} takes at most {limit} trainees at a time in "
                    "{year} (concurrent_max)"
                ).format(hospital=hospital, specialty=specialty, limit=limit, year=month // 12)
                self.model.add(sum(self.literal[k] for k in keys) <= limit).only_enforce_if(self.group(words))

    def _one_stay_at_a_time(self) -> None:
        """A trainee does one side-service at a time."""
        present: dict[tuple[str, int], list[RequirementKey]] = defaultdict(list)
        for key, (_hospital, start, months) in self.stays.items():
            for month in range(start, start + months):
                present[key[0], month].append(key)
        for (trainee, _month), keys in present.items():
            if len(keys) > 1:
                words = _("{trainee} does one side-service at a time").format(trainee=trainee)
                self.model.add(sum(self.literal[k] for k in keys) <= 1).only_enforce_if(self.group(words))

    def _rules_of_each_stay(self) -> None:
        """A stay lies in the trainee's window, avoids leave, at a hospital offered to the home area."""
        data = self.data
        for key, (hospital, start, months) in self.stays.items():
            trainee = data.trainees[key[0]]
            stay = range(start, start + months)
            broken = []
            first, last = parse_month(trainee.earliest_start), parse_month(trainee.deadline)
            if stay.start < first or stay[-1] > last:
                broken.append(
                    _("{trainee}'s window {first}..{last}").format(
                        trainee=trainee.trainee, first=trainee.earliest_start, last=trainee.deadline
                    )
                )
            if stay.start < data.first or stay[-1] > data.last:
                broken.append(_("the planning months {months}").format(months=data.horizon_label()))
            away = sorted(data.unavailable(trainee.trainee) & set(stay))
            if away:
                broken.append(
                    _("{trainee} unavailable in {months}").format(
                        trainee=trainee.trainee, months=", ".join(format_month(m) for m in away)
                    )
                )
            if (trainee.home_area, hospital) not in data.travel:
                broken.append(
                    _("travel.csv offers {hospital} no route from home area {area}").format(
                        hospital=hospital, area=trainee.home_area
                    )
                )
            for words in broken:
                self.model.add(self.literal[key] + self.group(words) <= 1)


def placement_conflicts(data: PlacementData) -> ConflictSearch:
    """A small set of placements that must stay and limits that cannot hold together."""
    if not data.fixed:
        return ConflictSearch("FEASIBLE", None)  # nothing must stay: leaving all out obeys every rule
    return _FixedPlacementModel(data).search()
