"""Allocation runs in the app: frozen inputs, the three-way comparison, hand adjustments, publication."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from clerkship.accounts.models import Role
from clerkship.allocation import instances, services
from clerkship.allocation.engine import SeatType
from clerkship.allocation.models import Placement, RunState
from clerkship.applications.models import ApplicationState
from clerkship.core.rules import RuleViolation
from clerkship.cycles.models import Block
from clerkship.extensions import db
from clerkship.offers.models import Offer, OfferState
from tests.factories import make_application, make_block, make_department, make_rotation, make_user


@pytest.fixture
def season(app):
    """The spec's worked example: C = 3, R = 1; A (UIM, 90), B (85), C (80), D (UIM, 70)."""
    department = make_department(name="Emergency Medicine", slug="emergency-medicine")
    block = make_block(make_rotation(department), capacity=3, reserved=1)
    director = make_user((Role.DIRECTOR, department))
    apps = {
        name: make_application(
            department=department, blocks=[block], in_pathway=uim, state=ApplicationState.SUBMITTED
        )
        for name, uim in (("A", True), ("B", False), ("C", False), ("D", True))
    }
    scores = {
        apps["A"].id: Decimal(90),
        apps["B"].id: Decimal(85),
        apps["C"].id: Decimal(80),
        apps["D"].id: Decimal(70),
    }
    return department, block, director, apps, scores


def _placements(run):
    return {p.application_id: (p.block_id, p.seat_type) for p in run.placements}


def test_run_places_the_worked_example_open_first(season):
    department, block, director, apps, scores = season
    run = services.start_run(
        department, block.cycle, scores=scores, score_source="raw", by=director
    )
    assert _placements(run) == {
        apps["A"].id: (block.id, SeatType.OPEN),
        apps["B"].id: (block.id, SeatType.OPEN),
        apps["D"].id: (block.id, SeatType.RESERVED),
    }


def test_run_comparison_shows_each_rule(season):
    department, block, director, apps, scores = season
    run = services.start_run(
        department, block.cycle, scores=scores, score_source="raw", by=director
    )
    c, d = instances.key(apps["C"].id), instances.key(apps["D"].id)
    summary = {
        rule: (v["placed"], v["pathway_placed"], v["differs"]) for rule, v in run.comparison.items()
    }
    assert summary == {
        "no_reserves": (3, 1, sorted([c, d])),
        "reserved_first": (3, 1, sorted([c, d])),
        "open_first": (3, 2, []),
    }


def test_run_inputs_are_frozen(season):
    department, block, director, apps, scores = season
    run = services.start_run(
        department, block.cycle, scores=scores, score_source="raw", by=director
    )
    apps["B"].in_pathway = True
    block.capacity = 8
    db.session.flush()
    frozen = {s["id"]: s for s in run.inputs["students"]}
    assert frozen[instances.key(apps["B"].id)] == {
        "id": instances.key(apps["B"].id),
        "uim": False,
        "score": 85.0,
        "ranking": [instances.key(block.id)],
    }
    assert run.inputs["blocks"] == [{"id": instances.key(block.id), "capacity": 3, "reserved": 1}]


def test_unscored_applications_are_listed(season):
    department, block, director, apps, scores = season
    del scores[apps["C"].id]
    run = services.start_run(
        department, block.cycle, scores=scores, score_source="raw", by=director
    )
    assert run.inputs["unscored"] == [instances.key(apps["C"].id)]


def test_move_into_full_block_is_refused_and_swap_relabels(season):
    department, block, director, apps, scores = season
    run = services.start_run(
        department, block.cycle, scores=scores, score_source="raw", by=director
    )
    with pytest.raises(RuleViolation, match="is full"):
        services.move_student(run, apps["C"], block, by=director)
    services.swap_students(run, apps["D"], apps["B"], by=director)
    assert _placements(run)[apps["B"].id] == (block.id, SeatType.CONVERTED)
    assert _placements(run)[apps["D"].id] == (block.id, SeatType.OPEN)


def test_publish_makes_offers_and_waitlists_the_rest(season, mailbox):
    department, block, director, apps, scores = season
    run = services.start_run(
        department, block.cycle, scores=scores, score_source="raw", by=director
    )
    services.publish_run(run, by=director, override_reason="Published mid-season by the test.")
    db.session.commit()
    assert run.state == RunState.PUBLISHED
    states = {name: db.session.get(type(a), a.id).state for name, a in apps.items()}
    assert states == {
        "A": ApplicationState.OFFERED,
        "B": ApplicationState.OFFERED,
        "C": ApplicationState.WAITLISTED,
        "D": ApplicationState.OFFERED,
    }
    block = db.session.get(Block, block.id)
    assert (block.open_taken, block.reserved_taken) == (2, 1)
    assert (
        db.session.scalar(select(func.count(Offer.id)).where(Offer.state == OfferState.PENDING))
        == 3
    )
    assert mailbox.last_to(apps["A"].student.email)["Subject"].startswith("Offer: ")


def test_publish_twice_or_after_another_is_refused(season):
    department, block, director, apps, scores = season
    first = services.start_run(
        department, block.cycle, scores=scores, score_source="raw", by=director
    )
    second = services.start_run(
        department, block.cycle, scores=scores, score_source="raw", by=director
    )
    services.publish_run(first, by=director, override_reason="Published mid-season by the test.")
    with pytest.raises(RuleViolation, match="only a preview"):
        services.publish_run(
            first, by=director, override_reason="Published mid-season by the test."
        )
    with pytest.raises(RuleViolation, match="already published"):
        services.publish_run(
            second, by=director, override_reason="Published mid-season by the test."
        )
    with pytest.raises(RuleViolation, match="already published"):
        services.start_run(department, block.cycle, scores=scores, score_source="raw", by=director)


def test_database_refuses_reserved_seat_outside_pathway(season):
    department, block, director, apps, scores = season
    db.session.add(
        Placement(application=apps["B"], block=block, seat_type=SeatType.RESERVED, in_pathway=False)
    )
    with pytest.raises(Exception, match=r"(?i)check|constraint"):
        db.session.flush()
    db.session.rollback()


def test_database_refuses_more_seats_than_capacity(season):
    department, block, director, apps, scores = season
    block.open_taken = block.capacity - block.reserved + 1
    with pytest.raises(Exception, match=r"(?i)check|constraint"):
        db.session.flush()
    db.session.rollback()
