"""Counterexamples the season state machine (test_lifecycle_state_machine.py) found, kept
as plain regression tests."""

from __future__ import annotations

from decimal import Decimal

from clerkship.accounts.models import Role
from clerkship.allocation import services as allocation
from clerkship.allocation.engine import SeatType
from clerkship.allocation.models import Placement
from clerkship.applications.models import ApplicationState
from clerkship.doctor.queries import all_violations
from clerkship.extensions import db
from clerkship.pathway.models import FlagDecision
from clerkship.pathway.services import decide_pathway_flag
from tests.factories import (
    make_application,
    make_block,
    make_department,
    make_placement,
    make_rotation,
    make_self_identification,
    make_user,
)


def _pathway_applicant(block, state=ApplicationState.SUBMITTED):
    student = make_user(Role.STUDENT)
    make_self_identification(student, block.cycle)
    return make_application(
        student,
        block.rotation.department,
        block.cycle,
        blocks=[block],
        state=state,
        in_pathway=True,
    )


def _withdraw_flag(application, director) -> None:
    decide_pathway_flag(
        application,
        decision=FlagDecision.WITHDRAWN,
        reason="Not eligible.",
        version="0",
        by=director,
    )


def test_withdrawn_flag_converts_a_held_reserved_seat(app):
    department = make_department()
    block = make_block(make_rotation(department), capacity=2, reserved=1)
    director = make_user((Role.DIRECTOR, department))
    application = _pathway_applicant(block, ApplicationState.OFFERED)
    placement = make_placement(application, block, seat_type=SeatType.RESERVED)
    db.session.commit()

    _withdraw_flag(application, director)
    db.session.commit()

    assert db.session.get(Placement, placement.id).seat_type == SeatType.CONVERTED
    assert all_violations() == []


def test_flag_withdrawn_between_run_and_publish_gives_a_converted_seat(app):
    department = make_department()
    block = make_block(make_rotation(department), capacity=1, reserved=1)
    director = make_user((Role.DIRECTOR, department))
    application = _pathway_applicant(block)
    db.session.commit()
    run = allocation.start_run(
        department,
        block.cycle,
        scores={application.id: Decimal(3)},
        score_source="test",
        by=director,
    )
    db.session.commit()
    _withdraw_flag(application, director)
    db.session.commit()

    allocation.publish_run(run, by=director, override_reason="Testing.")
    db.session.commit()

    placement = db.session.scalar(db.select(Placement))
    assert placement.seat_type == SeatType.CONVERTED
    assert all_violations() == []


def test_committee_cannot_award_a_withdrawn_rotation(app):
    from clerkship.applications.services import withdraw_application
    from clerkship.awards.models import AwardState
    from clerkship.awards.services.decisions import decide_award
    from clerkship.core.rules import RuleViolation
    from tests.factories import make_award_application, make_award_settings

    block = make_block(make_rotation(), capacity=1, reserved=0)
    application = make_application(blocks=[block], state=ApplicationState.SUBMITTED)
    make_award_settings(block.cycle)
    award = make_award_application(application)
    committee = make_user(Role.AWARD_COMMITTEE)
    db.session.commit()
    withdraw_application(application, by=application.student, reason="Changed plans")
    db.session.commit()

    try:
        decide_award(
            award,
            decision=AwardState.AWARDED,
            amount_cents=1000_00,
            note="",
            version=str(award.version),
            by=committee,
        )
    except RuleViolation as refusal:
        assert "withdrawn" in str(refusal)
    else:
        raise AssertionError("a withdrawn rotation was awarded")
    db.session.rollback()
    assert all_violations() == []
