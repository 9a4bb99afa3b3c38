"""Loading the training tables: each kind of error located by file, row, column and value.

The folder is spec example 2 (placements) plus example 3 (AT) written as files: hospitals H1,
H2, H3; trainees T1-T3 in home area X; places for ped at H1 and H2 and psy at H1 in 2026.
Rows are numbered as a spreadsheet shows them: the header is row 1.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import only_problem, write
from leveransplan.inputs import load_scenario

TABLES = {
    "scenario.toml": [
        'name = "examples 2 and 3"',
        'start = "2026-01"',
        "months = 6",
        "[at]",
        "total = 10",
    ],
    "hospitals.csv": ["hospital,name", "H1,one", "H2,two", "H3,three"],
    "at.csv": ["hospital,min,max,weight,previous", "H1,0,10,1,3", "H2,0,10,1,5", "H3,0,10,1,2"],
    "at_rotations.csv": ["hospital,area,months,capacity_months", "H1,psykiatri,4,12"],
    "st_trainees.csv": [
        "trainee,home_area,earliest_start,deadline,unavailable",
        "T1,X,2026-01,2026-06,2026-02",
        "T2,X,2026-01,2026-04,",
        "T3,X,2026-01,2026-06,",
    ],
    "st_requirements.csv": ["trainee,specialty,months", "T1,ped,2", "T1,psy,2", "T2,ped,3", "T3,ped,2"],
    "st_capacity.csv": [
        "hospital,specialty,year,places,concurrent_max",
        "H1,ped,2026,1,",
        "H2,ped,2026,2,1",
        "H1,psy,2026,1,",
    ],
    "travel.csv": ["home_area,hospital,minutes", "X,H1,10", "X,H2,50"],
    "st_fixed.csv": ["trainee,specialty,hospital,start", "T1,ped,H1,2026-03"],
}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    for file, lines in TABLES.items():
        (tmp_path / file).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return tmp_path


def test_the_examples_load(folder: Path) -> None:
    scenario = load_scenario(folder)
    assert scenario.at_total == 10 and len(scenario.at) == 3
    assert scenario.st_trainees[0].unavailable == ("2026-02",)
    assert scenario.st_capacity[1].concurrent_max == 1 and scenario.st_capacity[0].concurrent_max is None
    assert scenario.placement_horizon.length == 6


def test_unavailable_ranges_are_spelled_out(folder: Path) -> None:
    write(
        folder,
        "st_trainees.csv",
        "trainee,home_area,earliest_start,deadline,unavailable",
        "T1,X,2026-01,2026-06,2026-05..2026-06 2026-02",
        "T2,X,2026-01,2026-04,",
        "T3,X,2026-01,2026-06,",
    )
    assert load_scenario(folder).st_trainees[0].unavailable == ("2026-02", "2026-05", "2026-06")


@pytest.mark.parametrize(
    ("file", "lines", "row", "column", "value", "expected"),
    [
        (
            "st_requirements.csv",
            ["trainee,specialty,months", "T1,ped,2", "T1,psy,2", "T2,ped,3", "T9,ped,2"],
            5,
            "trainee",
            "T9",
            "is not a trainee in st_trainees.csv",
        ),
        (
            "st_requirements.csv",
            ["trainee,specialty,months", "T1,ped,2", "T1,psy,2", "T2,ped,3", "T3,pedd,2"],
            5,
            "specialty",
            "pedd",
            "is not a specialty in st_capacity.csv",
        ),
        (
            "travel.csv",
            ["home_area,hospital,minutes", "X,H1,10", "X,H9,50"],
            3,
            "hospital",
            "H9",
            "is not a hospital in hospitals.csv",
        ),
        (
            "st_trainees.csv",
            [
                "trainee,home_area,earliest_start,deadline,unavailable",
                "T1,X,2026-01,2026-06,2026-02",
                "T2,X,2026-05,2026-04,",
                "T3,X,2026-01,2026-06,",
            ],
            3,
            "deadline",
            "2026-04",
            "is before earliest_start 2026-05; expected a later month",
        ),
        (
            "st_trainees.csv",
            [
                "trainee,home_area,earliest_start,deadline,unavailable",
                "T1,X,2026-01,2026-06,2026-02",
                "T2,X,2026-01,2026-04,",
                "T3,Y,2026-01,2026-06,",
            ],
            4,
            "home_area",
            "Y",
            "has no row in travel.csv; expected a home area with a hospital within reach",
        ),
        (
            "st_trainees.csv",
            [
                "trainee,home_area,earliest_start,deadline,unavailable",
                "T1,X,2026-01,2026-06,2026-02..2026-13",
                "T2,X,2026-01,2026-04,",
                "T3,X,2026-01,2026-06,",
            ],
            2,
            "unavailable",
            "2026-02..2026-13",
            "'2026-02..2026-13' is not a month or a range",
        ),
        (
            "at_rotations.csv",
            ["hospital,area,months,capacity_months", "H1,psychiatry,4,12"],
            2,
            "area",
            "psychiatry",
            "expected one of internmedicin, kirurgi, psykiatri, allmanmedicin",
        ),
        (
            "at.csv",
            ["hospital,min,max,weight,previous", "H1,0,10,1,3", "H2,5,4,1,5", "H3,0,10,1,2"],
            3,
            "min",
            "5",
            "is above max 4; expected min <= max",
        ),
    ],
)
def test_errors_are_located(
    folder: Path, file: str, lines: list[str], row: int, column: str, value: str, expected: str
) -> None:
    write(folder, file, *lines)
    problem = only_problem(folder)
    assert (problem.file, problem.row, problem.column, problem.value) == (file, row, column, value)
    assert expected in problem.expected


def test_fixed_placements_that_overlap(folder: Path) -> None:
    # T1 ped fixed 2026-03..04 and T1 psy fixed from 2026-04: both stays hold 2026-04.
    write(
        folder, "st_fixed.csv", "trainee,specialty,hospital,start", "T1,ped,H1,2026-03", "T1,psy,H1,2026-04"
    )
    problem = only_problem(folder)
    assert (problem.file, problem.row, problem.column) == ("st_fixed.csv", 3, "start")
    assert "overlaps the fixed ped placement of row 2 (2026-03..2026-04)" in problem.expected


def test_fixed_placement_on_leave(folder: Path) -> None:
    # T1 is away in 2026-02; a 2-month ped stay from 2026-01 covers it.
    write(folder, "st_fixed.csv", "trainee,specialty,hospital,start", "T1,ped,H1,2026-01")
    problem = only_problem(folder)
    assert problem.row == 2 and "covers months the trainee is unavailable: 2026-02" in problem.expected


def test_fixed_placements_above_places(folder: Path) -> None:
    # H1 has one ped place in 2026; two fixed ped placements start there.
    write(
        folder, "st_fixed.csv", "trainee,specialty,hospital,start", "T1,ped,H1,2026-03", "T3,ped,H1,2026-01"
    )
    problem = only_problem(folder)
    assert "is one of 2 fixed ped placements starting at H1 in 2026 (rows 2, 3), above its 1 places" in (
        problem.expected
    )


def test_max_places_is_read_and_empty_means_no_maximum(folder: Path) -> None:
    write(
        folder,
        "st_capacity.csv",
        "hospital,specialty,year,places,concurrent_max,max_places",
        "H1,ped,2026,1,,3",
        "H2,ped,2026,2,1,",
        "H1,psy,2026,1,,1",
    )
    rows = load_scenario(folder).st_capacity
    assert [r.max_places for r in rows] == [3, None, 1]


def test_places_above_max_places(folder: Path) -> None:
    # H2 decides 2 ped places in 2026 but can take at most 1.
    write(
        folder,
        "st_capacity.csv",
        "hospital,specialty,year,places,concurrent_max,max_places",
        "H1,ped,2026,1,,",
        "H2,ped,2026,2,1,1",
        "H1,psy,2026,1,,",
    )
    assert str(only_problem(folder)) == (
        "st_capacity.csv, row 3, column places: '2': is above max_places 1; expected places <= max_places"
    )


def test_fixed_placements_above_max_places(folder: Path) -> None:
    # H1 has one ped place in 2026 and can take at most one; two fixed ped placements start there.
    write(
        folder,
        "st_capacity.csv",
        "hospital,specialty,year,places,concurrent_max,max_places",
        "H1,ped,2026,1,,1",
        "H2,ped,2026,2,1,",
        "H1,psy,2026,1,,",
    )
    write(
        folder, "st_fixed.csv", "trainee,specialty,hospital,start", "T1,ped,H1,2026-03", "T3,ped,H1,2026-01"
    )
    assert str(only_problem(folder)) == (
        "st_fixed.csv, row 3, column hospital: 'H1': is one of 2 fixed ped placements starting at H1 in "
        "2026 (rows 2, 3), above its max_places 1 (st_capacity.csv row 2)"
    )


def test_fixed_placement_must_match_a_requirement(folder: Path) -> None:
    write(folder, "st_fixed.csv", "trainee,specialty,hospital,start", "T2,psy,H1,2026-01")
    problem = only_problem(folder)
    assert (problem.column, problem.value) == ("specialty", "psy")
    assert "is not a requirement of trainee T2 in st_requirements.csv" in problem.expected


def test_at_total_needs_at_csv(folder: Path) -> None:
    (folder / "at.csv").unlink()
    (folder / "at_rotations.csv").unlink()
    problem = only_problem(folder)
    assert (problem.file, problem.expected) == ("at.csv", "is missing; scenario.toml's [at] total needs it")


def test_at_total_out_of_the_bounds(folder: Path) -> None:
    # The maximums add up to 3 x 10 = 30 < 31.
    write(folder, "scenario.toml", 'start = "2026-01"', "months = 6", "[at]", "total = 31")
    problem = only_problem(folder)
    assert (problem.file, problem.key, problem.value) == ("scenario.toml", "at.total", "31")
    assert "maximums to 30" in problem.expected


def test_st_tables_come_together(folder: Path) -> None:
    (folder / "travel.csv").unlink()
    problem = only_problem(folder)
    assert (problem.file, problem.expected) == (
        "travel.csv",
        "is missing; a scenario with ST-A tables needs it",
    )


def test_rotation_capacity_below_the_minimum(folder: Path) -> None:
    # H1 must have at least 4 AT doctors, each 4 months in psykiatri: 16 AT-months, but 12 are offered.
    write(folder, "at.csv", "hospital,min,max,weight,previous", "H1,4,10,1,3", "H2,0,10,1,5", "H3,0,10,1,2")
    problem = only_problem(folder)
    assert (problem.file, problem.row, problem.column, problem.value) == (
        "at_rotations.csv",
        2,
        "capacity_months",
        "12",
    )
    assert problem.expected == "is below at.csv's min 4 AT doctors x 4 months = 16 AT-months"
