"""The decision's tables of a volume plan, as the office prints them: pandas in, pandas out.

- `decision_volume_table`: a hospital's volume table in the decision's layout. Rows go by area
  (Psykiatri, Somatik), then by kind (Förstabesök, ...), then one row per category named by its
  specialty; an area's and a kind's row carry their subtotals, as the decision prints them, and
  "Totalsumma" closes the table. Areas, kinds and categories keep categories.csv's order. Columns
  are the decision's: uppdrag, bas, tillägg, where bas is own_volumes' base and tillägg the
  additional units the plan has the hospital produce (volume_table.csv's tillagg). A category
  without a row in volume_table.csv shows 0, as the decision shows its empty specialties.
- `delivery_matrix`: the referrals a hospital sends (its delivery_plan.csv rows) as provider x
  month, with a total column and a total row.

Only labels live here; the figures are volume_table.csv's and delivery_plan.csv's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

# The decision's Swedish words for categories.csv's areas and kinds; a word not listed is shown
# with a capital first letter and spaces for underscores.
AREA_WORDS = {"psykiatri": "Psykiatri", "somatik": "Somatik"}
KIND_WORDS = {
    "forstabesok": "Förstabesök",
    "utredning": "Utredning",
    "behandling": "Behandling",
    "operation_atgard": "Operation/åtgärd",
    "undersokning": "Undersökning",
}
TOTAL_WORDS = "Totalsumma"
FIGURES = ("uppdrag", "bas", "tillägg")  # the decision's column order
LEVEL, LABEL = "level", "row"  # level: area, kind, category or total (how the row is set)
CATEGORY_KEYS = ("category", "area", "kind", "specialty")
MATRIX_TOTAL = "total"

Row = Mapping[str, Any]


def swedish_word(code: str, words: Mapping[str, str]) -> str:
    """The decision's word for an area or kind code of categories.csv."""
    if code in words:
        return words[code]
    text = code.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def decision_volume_table(
    categories: Sequence[Row], volume_rows: Iterable[Row], hospital: str
) -> pd.DataFrame:
    """`hospital`'s volume table in the decision's layout: columns level, row, uppdrag, bas, tillägg.

    `categories`: categories.csv's rows (category, area, kind, specialty) in its order;
    `volume_rows`: volume_table.csv's rows (hospital, category, bas, tillagg as whole numbers).
    """
    frame = pd.DataFrame(list(categories), columns=list(CATEGORY_KEYS))
    volumes = pd.DataFrame(list(volume_rows), columns=["hospital", "category", "bas", "tillagg"])
    volumes = volumes[volumes["hospital"] == hospital]
    figures = volumes.groupby("category", sort=False)[["bas", "tillagg"]].sum()
    frame = frame.join(figures, on="category")
    frame[["bas", "tillagg"]] = frame[["bas", "tillagg"]].fillna(0).astype("int64")
    frame = frame.rename(columns={"tillagg": "tillägg"})
    frame["uppdrag"] = frame["bas"] + frame["tillägg"]

    rows: list[dict[str, Any]] = []

    def add(level: str, label: str, part: pd.DataFrame) -> None:
        rows.append({LEVEL: level, LABEL: label, **{f: int(part[f].sum()) for f in FIGURES}})

    for area, in_area in frame.groupby("area", sort=False):
        add("area", swedish_word(str(area), AREA_WORDS), in_area)
        for kind, in_kind in in_area.groupby("kind", sort=False):
            add("kind", swedish_word(str(kind), KIND_WORDS), in_kind)
            for category in in_kind.to_dict("records"):
                rows.append(
                    {
                        LEVEL: "category",
                        LABEL: str(category["specialty"]),
                        **{f: int(category[f]) for f in FIGURES},
                    }
                )
    add("total", TOTAL_WORDS, frame)
    return pd.DataFrame(rows, columns=[LEVEL, LABEL, *FIGURES])


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
