"""The demo's Emergency Medicine interview season: ten days, two reserved, a draw, bookings."""

from __future__ import annotations

from sqlalchemy import func, select

from clerkship.extensions import db
from clerkship.interviews.fair_release import replay_draw
from clerkship.interviews.models import (
    Booking,
    BookingState,
    BookingVia,
    InterviewDay,
    InterviewSeason,
    Invitation,
    WaitlistEntry,
)


def test_demo_seed_builds_the_emergency_medicine_interview_season(app):
    result = app.test_cli_runner().invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    (season,) = db.session.scalars(select(InterviewSeason)).all()
    assert season.department.name == "Emergency Medicine"
    days = list(db.session.scalars(select(InterviewDay).order_by(InterviewDay.starts_at)))
    assert (len(days), sum(d.reserved for d in days)) == (10, 2)
    assert season.draw is not None and replay_draw(season.draw).matches
    bookings = list(db.session.scalars(select(Booking).where(Booking.state == BookingState.BOOKED)))
    assert {b.via for b in bookings} >= {BookingVia.DRAW, BookingVia.SELF}
    for day in days:
        on_day = [b for b in bookings if b.day_id == day.id]
        assert day.taken == len(on_day) <= day.capacity
        if day.reserved:
            assert all(b.invitation.in_pathway for b in on_day)
    assert db.session.scalar(select(func.count(Invitation.id))) == 30
    assert db.session.scalar(select(func.count(WaitlistEntry.id))) >= 1
