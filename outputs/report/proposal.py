"""The report's proposed places (solve --propose-places): per hospital, the places proposed beside
the places decided and the most the department can take, per specialty and year (a pandas pivot
of places_proposal.csv)."""

from __future__ import annotations

import pandas as pd

from leveransplan.models.language import _
from leveransplan.models.numbers import percent
from leveransplan.outputs.report.html import element, html_table
from leveransplan.outputs.report.plan import Plan, cell_int, read_rows

PROPOSAL_FILE = "places_proposal.csv"
COLUMNS = ("hospital", "specialty", "year", "proposed", "decided", "max_places", "load_percent")
FIGURES = ("proposed", "decided", "max_places", "load_percent")


def proposal_tables(plan: Plan) -> str:
    """One table per hospital: a row per specialty, for each year the places proposed, decided, the
    maximum (– when none is given) and the load; the hospital's totals last."""
    path = plan.folder / PROPOSAL_FILE
    rows = read_rows(path, COLUMNS)
    parts = [element("h3", _("Proposed places beside the decided places"))]
    note = _(
        "The places the plan proposes (places_proposal.csv), the places decided today (st_capacity.csv) "
        "and the most the department can take (max_places). The load is the proposal as a percent of "
        "the maximum, or of the decided places where no maximum is given; the plan evens out the "
        "highest load of each specialty over its departments and years."
    )
    parts.append(element("p", note, "note"))
    if not rows:
        return "".join(parts)
    frame = pd.DataFrame(
        {
            "hospital": r["hospital"],
            "specialty": r["specialty"],
            "year": cell_int(r, "year", path),
            "proposed": cell_int(r, "proposed", path),
            "decided": cell_int(r, "decided", path),
            "max_places": cell_int(r, "max_places", path) if r["max_places"].strip() else None,
            "load_percent": cell_int(r, "load_percent", path),
        }
        for r in rows
    )
    years = sorted(frame["year"].unique())
    labels = {
        "proposed": _("{year} proposed"),
        "decided": _("{year} decided"),
        "max_places": _("{year} max"),
        "load_percent": _("{year} load"),
    }
    header = [_("specialty"), *(labels[f].format(year=y) for y in years for f in FIGURES)]
    numeric = [False] + [True] * (len(header) - 1)
    for hospital, part in frame.groupby("hospital", sort=False):
        table = part.pivot(index="specialty", columns="year", values=list(FIGURES))
        table = table.reindex(list(dict.fromkeys(part["specialty"])))
        body = [
            [specialty, *(_shown(table.at[specialty, (f, y)], f) for y in years for f in FIGURES)]
            for specialty in table.index
        ]
        total: list[object] = [_("total")]
        for y in years:
            maxima = table[("max_places", y)]
            total += [
                _whole(table[("proposed", y)].sum()),
                _whole(table[("decided", y)].sum()),
                "–" if maxima.isna().any() else _whole(maxima.sum()),
                "",
            ]
        parts.append(element("h4", str(hospital)))
        parts.append(html_table(header, body, numeric, total=total))
    return "".join(parts)


def _whole(value: object) -> int:
    return int(value)  # type: ignore[call-overload]


def _shown(value: object, figure: str) -> object:
    """A cell: a whole number, – for a missing figure (no maximum, no row that year), a load in %."""
    if pd.isna(value):  # type: ignore[call-overload]
        return "–"
    if figure == "load_percent":
        return percent(_whole(value) / 100, 0)
    return _whole(value)
