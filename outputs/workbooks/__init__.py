"""The workbooks of `solve --excel`: one per hospital, one for the region, one per training model.

They are written into the plan folder's workbooks/ folder, in the language of the run (Swedish
unless --lang en), from the same rows as the plan's CSV files:

- `<hospital code>.xlsx` (SU.xlsx, SÄS.xlsx, ...), one per hospital of hospitals.csv. With a volume
  plan: its volume table as the decision prints it, its delivery plan as provider x month, the
  referrals it sends (its delivery_plan.csv rows), the transfers other hospitals send it and its
  production plan by month. With an AT plan its AT positions; with an ST-A plan the placements at
  the hospital and its places.
- `region.xlsx`: per hospital the plan's figures (summary.json's, with the hospital's name and
  what is left of its frame), the totals, each model's objectives and its stages in the order
  solved, the use of every contract, the procurement proposal when there are candidate contracts,
  and the volume table of all hospitals.
- `AT.xlsx` with an AT plan: the positions of every hospital, with the total.
- `ST-A.xlsx` with an ST-A plan (sidotjänstgöring): the placements, the requirements left without
  one and the places used.

A hospital's code that is no good as a file name (a `/` in it, say) has such characters replaced
by `_`; two names that would then be the same, regardless of case, get `_2`, `_3`, ....
Every sheet holds one table; see outputs/workbooks/sheets.py for the layout and print setup.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from leveransplan.outputs.workbooks.books import (
    at_book,
    hospital_book,
    region_book,
    st_a_book,
)
from leveransplan.outputs.workbooks.sheets import Row, sheet_name

__all__ = ["AT_BOOK", "REGION_BOOK", "ST_A_BOOK", "book_names", "sheet_name", "write_workbooks"]

REGION_BOOK = "region.xlsx"
AT_BOOK = "AT.xlsx"
ST_A_BOOK = "ST-A.xlsx"
_FILE_FORBIDDEN = re.compile(r'[\x00-\x1f<>:"/\\|?*]')
# Names Windows keeps for devices, whatever their extension.
_DEVICES = {
    "con",
    "prn",
    "aux",
    "nul",
    *(f"com{n}" for n in range(1, 10)),
    *(f"lpt{n}" for n in range(1, 10)),
}


def book_names(codes: Sequence[str]) -> dict[str, str]:
    """Each hospital's workbook file name, by its code: the code, made a valid and unique file name."""
    taken = {name.lower() for name in (REGION_BOOK, AT_BOOK, ST_A_BOOK)}
    names = {}
    for code in codes:
        base = _FILE_FORBIDDEN.sub("_", code).strip(" .") or "_"
        if base.lower() in _DEVICES:
            base += "_"
        name, number = f"{base}.xlsx", 2
        while name.lower() in taken:
            name = f"{base}_{number}.xlsx"
            number += 1
        taken.add(name.lower())
        names[code] = name
    return names


def write_workbooks(
    folder: Path,
    summary: Mapping[str, Any],
    hospital_names: Mapping[str, str],
    tables: Mapping[str, Sequence[Row]],
) -> list[Path]:
    """Write the workbooks of the models in `summary` into `folder` (made here); return their paths.

    `summary`: summary.json's content; `hospital_names`: code to name, in hospitals.csv's order;
    `tables`: each plan CSV's rows by its file name.
    """
    folder.mkdir(exist_ok=True)
    written = []
    for code, file in book_names(list(hospital_names)).items():
        hospital_book(folder / file, summary, code, hospital_names[code], tables)
        written.append(folder / file)
    region_book(folder / REGION_BOOK, summary, hospital_names, tables)
    written.append(folder / REGION_BOOK)
    if "at" in summary:
        at_book(folder / AT_BOOK, summary, hospital_names, tables)
        written.append(folder / AT_BOOK)
    if "placements" in summary:
        st_a_book(folder / ST_A_BOOK, summary, tables)
        written.append(folder / ST_A_BOOK)
    return written
