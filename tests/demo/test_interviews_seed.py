"""The demo's Emergency Medicine interview season: ten days, two reserved, a draw, bookings."""

from __future__ import annotations

from sqlalchemy import func, select

from clerkship.applications.models import Application
from clerkship.cycles.models import Cycle
from clerkship.extensions import db
from clerkship.interviews.draw.services import replay_draw
from clerkship.interviews.models import (
    Booking,
    BookingState,
    BookingVia,
    InterviewDay,
    InterviewSeason,
    Invitation,
    WaitlistEntry,
)
from clerkship.interviews.queries import invite_states


def test_demo_seed_builds_the_emergency_medicine_interview_season(app, demo_season):
    # The current season's; the past seasons' are demo/outcomes.py's.
    newest = select(Cycle.id).order_by(Cycle.rotations_start_on.desc()).limit(1).scalar_subquery()
    (season,) = db.session.scalars(
        select(InterviewSeason).where(InterviewSeason.cycle_id == newest)
    ).all()
    assert season.department.name == "Emergency Medicine"
    days = list(
        db.session.scalars(
            select(InterviewDay)
            .where(InterviewDay.season_id == season.id)
            .order_by(InterviewDay.starts_at)
        )
    )
    assert (len(days), sum(d.reserved for d in days)) == (10, 2)
    assert season.draw is not None and replay_draw(season.draw).matches
    bookings = list(
        db.session.scalars(
            select(Booking).where(
                Booking.state == BookingState.BOOKED,
                Booking.day_id.in_([d.id for d in days]),
            )
        )
    )
    assert {b.via for b in bookings} >= {BookingVia.DRAW, BookingVia.SELF}
    for day in days:
        on_day = [b for b in bookings if b.day_id == day.id]
        assert day.taken == len(on_day) <= day.capacity
        if day.reserved:
            assert all(b.invitation.in_pathway for b in on_day)
    # Emergency Medicine's applicants are invited from their applications, then a list of
    # other students is imported (30 at most).
    em_applicants = db.session.scalar(
        select(func.count(Application.id)).where(
            Application.department_id == season.department_id,
            Application.cycle_id == season.cycle_id,  # not last season's (demo/rotations.py)
            Application.state.in_(invite_states(season)),
        )
    )
    linked = db.session.scalar(
        select(func.count(Invitation.id)).where(
            Invitation.season_id == season.id, Invitation.application_id.isnot(None)
        )
    )
    imported = db.session.scalar(
        select(func.count(Invitation.id)).where(
            Invitation.season_id == season.id, Invitation.application_id.is_(None)
        )
    )
    assert linked == em_applicants > 0
    assert 0 < imported <= 30
    assert db.session.scalar(select(func.count(WaitlistEntry.id))) >= 1
