"""The run preview: seats by type, cutoffs, unplaced students and why, warnings after adjustments."""

from __future__ import annotations

from decimal import Decimal

import pytest

from clerkship.accounts.models import Role
from clerkship.allocation import queries, services
from clerkship.allocation.engine import SeatType
from clerkship.applications.models import ApplicationState
from tests.factories import (
    make_application,
    make_block,
    make_department,
    make_rotation,
    make_student,
    make_user,
)


@pytest.fixture
def run(app):
    department = make_department(slug="emergency-medicine")
    block = make_block(make_rotation(department), capacity=3, reserved=1)
    director = make_user((Role.DIRECTOR, department))
    people = [
        ("Ada", True, 90),
        ("Bo", False, 85),
        ("Cy", False, 80),
        ("Di", True, 70),
        ("Ed", False, 60),
    ]
    apps = {
        name: make_application(
            make_student(full_name=name),
            department,
            blocks=[block],
            in_pathway=uim,
            state=ApplicationState.SUBMITTED,
        )
        for name, uim, _ in people
    }
    scores = {apps[name].id: Decimal(score) for name, _uim, score in people}
    return (
        services.start_run(department, block.cycle, scores=scores, score_source="raw", by=director),
        apps,
        director,
    )


def test_preview_counts_seats_and_cutoffs_by_type(run):
    run, apps, _director = run
    seats = queries.preview(run).blocks[0]
    assert (
        seats.count(SeatType.OPEN),
        seats.count(SeatType.RESERVED),
        seats.count(SeatType.CONVERTED),
        seats.empty,
    ) == (2, 1, 0, 0)
    assert (seats.cutoff(SeatType.OPEN), seats.cutoff(SeatType.RESERVED)) == (
        Decimal("85.00"),
        Decimal("70.00"),
    )
    assert [a.student.full_name for a, _s, _score in seats.students] == ["Ada", "Bo", "Di"]


def test_preview_explains_unplaced(run):
    run, apps, _director = run
    unplaced = queries.preview(run).unplaced
    assert [(u.application.student.full_name, u.score) for u in unplaced] == [
        ("Cy", Decimal("80.00")),
        ("Ed", Decimal("60.00")),
    ]
    assert unplaced[0].reason.startswith(
        "No block they ranked had room for them at their priority."
    )
    assert "lowest admitted 85.00" in unplaced[0].reason


def test_engine_result_has_no_warnings(run):
    run, _apps, _director = run
    assert queries.preview(run).warnings == []


def test_adjustment_that_breaks_the_rule_is_warned(run):
    run, apps, director = run
    services.move_student(run, apps["Bo"], None, by=director)  # frees an open seat
    services.move_student(run, apps["Ed"], run.placements[0].block, by=director)
    warnings = queries.preview(run).warnings
    assert warnings == [
        f"Blocking pair: Bo ranked {run.placements[0].block.label} above their placement and would be chosen by it under the rule.",
        f"Blocking pair: Cy ranked {run.placements[0].block.label} above their placement and would be chosen by it under the rule.",
    ]
