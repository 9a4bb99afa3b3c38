"""The decision's tables of a volume plan, as the office prints them: pandas in, pandas out.

- `decision_volume_table`: a hospital's volume table in the decision's layout. Rows go by area
  (Psykiatri, Somatik), then by kind (Förstabesök, ...), then one row per category named by its
  specialty; an area's and a kind's row carry their subtotals, as the decision prints them, and
  "Totalsumma" closes the table. Areas, kinds and categories keep categories.csv's order. The
  decision's columns come first, uppdrag, bas and tillägg as decided (own_volumes.csv's base and
  additional_max, which summary.json's volumes.decided carries), then what the plan has the
  hospital produce: tillägg and uppdrag in the plan (volume_table.csv). A plan written without
  volumes.decided shows the plan's columns only. A category without a row shows 0, as the
  decision shows its empty specialties.
- `delivery_matrix`: the referrals a hospital sends (its delivery_plan.csv rows) as provider x
  month, with a total column and a total row.

The figures are own_volumes' (as the plan records them) and the plan's files'; only the labels
live here, in the reader's language.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from leveransplan.models.language import N_, _

# The decision's words for categories.csv's areas and kinds (Swedish in the catalogue); a code not
# listed is shown with a capital first letter and spaces for underscores.
AREA_WORDS = {"psykiatri": N_("Psychiatry"), "somatik": N_("Somatic care")}
KIND_WORDS = {
    "forstabesok": N_("First visit"),
    "utredning": N_("Investigation"),
    "behandling": N_("Treatment"),
    "operation_atgard": N_("Operation/procedure"),
    "undersokning": N_("Examination"),
}
TOTAL_WORDS = N_("Grand total")
# The figures' keys: the decision's three as decided, then the plan's two.
DECIDED = ("uppdrag", "bas", "tillagg")
PLANNED = ("tillagg_plan", "uppdrag_plan")
FIGURE_WORDS = {
    "uppdrag": N_("Assignment"),
    "bas": N_("Base"),
    "tillagg": N_("Additional"),
    "tillagg_plan": N_("Additional in the plan"),
    "uppdrag_plan": N_("Assignment in the plan"),
}
LEVEL, LABEL = "level", "row"  # level: area, kind, category or total (how the row is set)
CATEGORY_KEYS = ("category", "area", "kind", "specialty")
MATRIX_TOTAL = "total"

Row = Mapping[str, Any]


def swedish_word(code: str, words: Mapping[str, str]) -> str:
    """The decision's word for an area or kind code of categories.csv, in the reader's language."""
    if code in words:
        return _(words[code])
    text = code.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def figures_of(table: pd.DataFrame) -> list[str]:
    """The figure columns of a decision volume table, in their order."""
    return [column for column in table.columns if column in FIGURE_WORDS]


def figure_label(key: str) -> str:
    """A figure column's heading in the reader's language (uppdrag, bas, tillägg, ...)."""
    return _(FIGURE_WORDS[key])


def _sums(rows: Iterable[Row], hospital: str, columns: dict[str, str]) -> pd.DataFrame:
    """`rows` of `hospital` summed per category, their columns renamed by `columns`."""
    frame = pd.DataFrame(list(rows), columns=["hospital", "category", *columns])
    frame = frame[frame["hospital"] == hospital].rename(columns=columns)
    return frame.groupby("category", sort=False)[list(columns.values())].sum()


def decision_volume_table(
    categories: Sequence[Row],
    volume_rows: Iterable[Row],
    hospital: str,
    decided_rows: Iterable[Row] | None = None,
) -> pd.DataFrame:
    """`hospital`'s volume table in the decision's layout: columns level, row, then the figures.

    `categories`: categories.csv's rows (category, area, kind, specialty) in its order;
    `volume_rows`: volume_table.csv's rows (hospital, category, bas, tillagg as whole numbers);
    `decided_rows`: summary.json's volumes.decided (hospital, category, bas, tillagg: own_volumes'
    base and additional_max), or None for a plan that does not record them. With them the figures
    are uppdrag, bas, tillagg (decided), tillagg_plan, uppdrag_plan; without, bas, tillagg_plan and
    uppdrag_plan.
    """
    frame = pd.DataFrame(list(categories), columns=list(CATEGORY_KEYS))
    planned = _sums(volume_rows, hospital, {"bas": "bas", "tillagg": "tillagg_plan"})
    if decided_rows is None:
        frame = frame.join(planned, on="category")
        figures = ["bas", *PLANNED]
    else:
        frame = frame.join(_sums(decided_rows, hospital, {"bas": "bas", "tillagg": "tillagg"}), on="category")
        frame = frame.join(planned[["tillagg_plan"]], on="category")
        frame["uppdrag"] = frame["bas"].fillna(0) + frame["tillagg"].fillna(0)
        figures = [*DECIDED, *PLANNED]
    frame["uppdrag_plan"] = frame["bas"].fillna(0) + frame["tillagg_plan"].fillna(0)
    frame[figures] = frame[figures].fillna(0).astype("int64")

    rows: list[dict[str, Any]] = []

    def add(level: str, label: str, part: pd.DataFrame) -> None:
        rows.append({LEVEL: level, LABEL: label, **{f: int(part[f].sum()) for f in figures}})

    for area, in_area in frame.groupby("area", sort=False):
        add("area", swedish_word(str(area), AREA_WORDS), in_area)
        for kind, in_kind in in_area.groupby("kind", sort=False):
            add("kind", swedish_word(str(kind), KIND_WORDS), in_kind)
            for category in in_kind.to_dict("records"):
                rows.append(
                    {
                        LEVEL: "category",
                        LABEL: str(category["specialty"]),
                        **{f: int(category[f]) for f in figures},
                    }
                )
    add("total", _(TOTAL_WORDS), frame)
    return pd.DataFrame(rows, columns=[LEVEL, LABEL, *figures])


def delivery_matrix(delivery_rows: Iterable[Row], hospital: str, months: Sequence[str] = ()) -> pd.DataFrame:
    """The patients `hospital` sends, provider (rows) x month (columns), with totals of both.

    `delivery_rows`: delivery_plan.csv's rows (month, hospital, provider, volume as a whole
    number); `months`: the columns to show even when nothing is sent in them (the horizon).
    Providers are in code order (regardless of case); a hospital that sends nobody has only the total row.
    """
    frame = pd.DataFrame(list(delivery_rows), columns=["month", "hospital", "provider", "volume"])
    frame = frame[frame["hospital"] == hospital]
    shown = sorted(set(months) | set(frame["month"]))
    matrix = frame.pivot_table(
        index="provider", columns="month", values="volume", aggfunc="sum", fill_value=0
    ).reindex(columns=shown, fill_value=0)
    matrix = matrix.astype("int64").sort_index(key=lambda codes: codes.str.casefold())
    matrix.loc[MATRIX_TOTAL] = matrix.sum(axis=0)
    matrix[MATRIX_TOTAL] = matrix.sum(axis=1)
    matrix.index.name, matrix.columns.name = "provider", None
    return matrix


def matrix_rows(matrix: pd.DataFrame) -> list[list[Any]]:
    """A provider x month matrix as plain rows: the provider, then whole numbers; totals last."""
    return [[str(p), *map(int, values)] for p, values in zip(matrix.index, matrix.to_numpy(), strict=True)]
