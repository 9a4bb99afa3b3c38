"""The checker for what a plan holds besides its own files: the Swedish CSV copies and the workbooks.

- csv-sv/ (`solve --swedish-csv`): each file is a copy of the plan CSV of the same name, in the
  Swedish Excel dialect (';', decimal comma, BOM), holding the same header and the same cells
  once read back (inputs/plan_files.py reads both dialects the same way).
- workbooks/ (`solve --excel`): each file is an .xlsx workbook (a zip with its workbook part).
  Their figures come from the same rows as the CSV files, which the model checkers verify.

manifest.json's digests, which `check` verifies besides, tell a copy edited after the run.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from leveransplan.inputs.plan_files import SWEDISH_EXCEL, read_plan_csv
from leveransplan.models.language import _
from leveransplan.outputs.manifest import SWEDISH_CSV_FOLDER, WORKBOOKS_FOLDER

_WORKBOOK_PART = "xl/workbook.xml"


def _cells(path: Path) -> tuple[list[str], list[list[str]]] | str:
    """A plan CSV's header and rows as the plain dialect has them, or why it cannot be read."""
    try:
        table = read_plan_csv(path)
    except (OSError, UnicodeDecodeError) as error:
        return _("cannot be read ({error})").format(error=error)
    return table.header, [cells for _, cells in table.rows]


def check_swedish_copies(plan_dir: Path) -> list[str]:
    folder = plan_dir / SWEDISH_CSV_FOLDER
    if not folder.is_dir():
        return []
    out = []
    for copy in sorted(folder.iterdir()):
        where = f"{SWEDISH_CSV_FOLDER}/{copy.name}"
        original = plan_dir / copy.name
        if copy.suffix != ".csv" or not original.is_file():
            out.append(
                _("{file}: is not a copy of a CSV file of the plan (no {name} beside csv-sv/)").format(
                    file=where, name=copy.name
                )
            )
            continue
        try:
            dialect = read_plan_csv(copy).dialect
        except (OSError, UnicodeDecodeError) as error:
            out.append(_("{file}: cannot be read ({error})").format(file=where, error=error))
            continue
        if dialect != SWEDISH_EXCEL or not copy.read_bytes().startswith(b"\xef\xbb\xbf"):
            out.append(
                _("{file}: is not in the Swedish Excel dialect (';', decimal comma, BOM)").format(file=where)
            )
        read_copy, read_original = _cells(copy), _cells(original)
        if isinstance(read_original, str):
            continue  # the model's checker says what is wrong with the file itself
        if read_copy != read_original:
            out.append(
                _("{file}: does not hold the same header and cells as {name}").format(
                    file=where, name=copy.name
                )
            )
    return out


def check_workbooks(plan_dir: Path) -> list[str]:
    folder = plan_dir / WORKBOOKS_FOLDER
    if not folder.is_dir():
        return []
    out = []
    for path in sorted(folder.iterdir()):
        where = f"{WORKBOOKS_FOLDER}/{path.name}"
        try:
            with zipfile.ZipFile(path) as book:
                readable = path.suffix == ".xlsx" and _WORKBOOK_PART in book.namelist()
        except (OSError, zipfile.BadZipFile):
            readable = False
        if not readable:
            out.append(_("{file}: is not an .xlsx workbook").format(file=where))
    return out


def check_copies(plan_dir: Path) -> list[str]:
    """Every violation of the rules above in `plan_dir`; empty when there are no copies or all hold."""
    return check_swedish_copies(plan_dir) + check_workbooks(plan_dir)
