"""Problems found in a scenario, each located as a spreadsheet shows it (header = row 1)."""

from __future__ import annotations

from dataclasses import dataclass

from leveransplan.models.language import N_, _

# What a code that its source table lacks is said to be ({source}: the table's file name).
NOT_A_HOSPITAL = N_("is not a hospital in {source}")
NOT_A_CATEGORY = N_("is not a category in {source}")


@dataclass(frozen=True)
class InputProblem:
    """One thing wrong with the input: where it is, what was there and what was expected."""

    file: str
    row: int | None
    column: str | None
    value: str | None
    expected: str
    # A setting's key in scenario.toml (at.total), which has keys where a table has columns.
    key: str | None = None

    def __str__(self) -> str:
        # Built when printed, so the place reads in the language of the command; the file, the
        # column and the value stay as the analyst wrote them.
        where = self.file
        if self.row is not None:
            where = _("{where}, row {row}").format(where=where, row=self.row)
        if self.column is not None:
            where = _("{where}, column {column}").format(where=where, column=self.column)
        if self.key is not None:
            where = _("{where}, key {key}").format(where=where, key=self.key)
        if self.value is None:
            return f"{where}: {self.expected}"
        return f"{where}: {self.value!r}: {self.expected}"


class ScenarioInvalid(Exception):
    """The scenario has problems; all of them are listed, not just the first."""

    def __init__(self, problems: list[InputProblem], notes: tuple[str, ...] = ()) -> None:
        super().__init__(f"{len(problems)} problem(s) in the scenario")
        self.problems = problems
        self.notes = notes  # how files were read (e.g. as cp1252): shown with the problems

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)
