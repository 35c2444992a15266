"""Features react to each other's changes: a new application takes its pathway flag, a
withdrawn pathway flag takes reserved interview seats back, a withdrawal gives back a seat."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from clerkship.accounts.models import Role
from clerkship.allocation import services as allocation
from clerkship.applications.models import Application, ApplicationState
from clerkship.applications.services import start_application, withdraw_application
from clerkship.core.time import utcnow
from clerkship.extensions import db
from clerkship.interviews.booking.services import book_day
from clerkship.interviews.models import Booking, BookingState
from clerkship.offers.models import Offer, OfferState
from clerkship.pathway.models import FlagDecision
from clerkship.pathway.services import decide_pathway_flag
from tests.factories import (
    make_application,
    make_block,
    make_day,
    make_department,
    make_invitation,
    make_rotation,
    make_season,
    make_self_identification,
    make_user,
)


def test_new_application_takes_the_students_pathway_flag(app):
    block = make_block(make_rotation())
    student = make_user(Role.STUDENT)
    make_self_identification(student, block.cycle)
    application, created = start_application(
        student, block.cycle, block.rotation.department, by=student
    )
    db.session.commit()
    assert created is True
    assert db.session.get(Application, application.id).in_pathway is True


def test_withdrawn_flag_cancels_a_reserved_interview_booking(app, mailbox):
    block = make_block(make_rotation())
    department = block.rotation.department
    director = make_user((Role.DIRECTOR, department))
    student = make_user(Role.STUDENT)
    make_self_identification(student, block.cycle)
    application = make_application(
        student, department, blocks=[block], state=ApplicationState.SUBMITTED, in_pathway=True
    )
    season = make_season(department, block.cycle)
    reserved_day = make_day(season, reserved=True, capacity=2)
    invitation = make_invitation(
        season, application=application, reply_by=utcnow() + timedelta(days=5)
    )
    book_day(invitation, reserved_day.id, by=student)
    db.session.commit()
    decide_pathway_flag(
        application,
        decision=FlagDecision.WITHDRAWN,
        reason="Not eligible.",
        version="0",
        by=director,
    )
    db.session.commit()
    assert db.session.get(Application, application.id).in_pathway is False
    booking = db.session.scalar(select(Booking).where(Booking.invitation_id == invitation.id))
    assert booking.state != BookingState.BOOKED


def test_withdrawing_an_application_gives_back_its_seat(app):
    department = make_department()
    block = make_block(make_rotation(department), capacity=1, reserved=0)
    director = make_user((Role.DIRECTOR, department))
    first = make_application(
        department=department, blocks=[block], state=ApplicationState.SUBMITTED
    )
    second = make_application(
        department=department, blocks=[block], state=ApplicationState.SUBMITTED
    )
    scores = {first.id: Decimal(90), second.id: Decimal(80)}
    run = allocation.start_run(
        department, block.cycle, scores=scores, score_source="raw", by=director
    )
    allocation.publish_run(run, by=director, override_reason="Published mid-season by the test.")
    db.session.commit()
    withdraw_application(first, by=first.student, reason="Going elsewhere")
    db.session.commit()
    offers = {o.application_id: o.state for o in db.session.scalars(select(Offer))}
    assert offers == {first.id: OfferState.WITHDRAWN, second.id: OfferState.PENDING}
