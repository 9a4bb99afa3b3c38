"""Problems found in a scenario, each located as a spreadsheet shows it (header = row 1)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class InputProblem:
    """One thing wrong with the input: where it is, what was there and what was expected."""

    file: str
    row: int | None
    column: str | None
    value: str | None
    expected: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", column {self.column}"
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
