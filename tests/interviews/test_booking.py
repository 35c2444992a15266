"""Booking, moving, cancelling and declining; lock times; what the database itself refuses."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError

from clerkship.core.rules import RuleViolation
from clerkship.core.time import utcnow
from clerkship.extensions import db
from clerkship.interviews.booking import services
from clerkship.interviews.booking.services import NOT_OFFERED
from clerkship.interviews.models import (
    Booking,
    BookingState,
    InterviewDay,
    InvitationState,
    WaitlistState,
)
from clerkship.interviews.queries import active_booking, offered_days
from clerkship.interviews.waitlists import services as waitlists
from tests.factories import (
    make_booking,
    make_day,
    make_invitation,
    make_submitted_application,
)


def _taken(day) -> int:
    db.session.expire(day)
    return day.taken


def _active(day) -> int:
    return db.session.scalar(
        select(func.count(Booking.id)).where(
            Booking.day_id == day.id, Booking.state == BookingState.BOOKED
        )
    )


def test_book_day_takes_a_seat_and_accepts_the_invitation(setting):
    day = make_day(setting.season, capacity=3)
    booking = services.book_day(setting.other, day.id, by=setting.other.student)
    db.session.commit()
    assert (booking.state, booking.day_id, booking.in_pathway) == (
        BookingState.BOOKED,
        day.id,
        False,
    )
    assert _taken(day) == 1
    assert setting.other.state is InvitationState.ACCEPTED
    assert setting.other.responded_at is not None


def test_book_full_day_refused_with_clear_message(setting):
    day = make_day(setting.season, capacity=1)
    make_booking(setting.pathway, day)
    with pytest.raises(RuleViolation) as error:
        services.book_day(setting.other, day.id, by=setting.other.student)
    assert error.value.message == (
        f"{day.short_label} is full: all 1 seats are taken. Join its waitlist to be offered a "
        "seat if one frees up, or choose another day."
    )


def test_book_reserved_day_outside_pathway_refused_as_if_it_did_not_exist(setting):
    reserved = make_day(setting.season, reserved=True)
    refusals = []
    for day_id in (reserved.id, reserved.id + 1000):
        with pytest.raises(RuleViolation) as error:
            services.book_day(setting.other, day_id, by=setting.other.student)
        refusals.append(error.value.message)
    assert refusals == [NOT_OFFERED, NOT_OFFERED]
    assert _active(reserved) == 0


def test_pathway_invitee_books_reserved_and_ordinary_days(setting):
    reserved = make_day(setting.season, reserved=True)
    ordinary = make_day(setting.season, days_ahead=15)
    assert [d.id for d in offered_days(setting.pathway)] == [reserved.id, ordinary.id]
    assert [d.id for d in offered_days(setting.other)] == [ordinary.id]
    services.book_day(setting.pathway, reserved.id, by=setting.pathway.student)
    services.book_day(setting.pathway, ordinary.id, by=setting.pathway.student)  # a move
    db.session.commit()
    assert active_booking(setting.pathway).day_id == ordinary.id
    assert (_taken(reserved), _taken(ordinary)) == (0, 1)


def test_book_day_of_another_season_refused(setting):
    elsewhere = make_day(capacity=5)
    with pytest.raises(RuleViolation) as error:
        services.book_day(setting.other, elsewhere.id, by=setting.other.student)
    assert error.value.message == NOT_OFFERED


def test_move_frees_the_old_seat_and_keeps_one_booking(setting):
    first, second = make_day(setting.season), make_day(setting.season, days_ahead=20)
    services.book_day(setting.other, first.id, by=setting.other.student)
    services.book_day(setting.other, second.id, by=setting.other.student)
    db.session.commit()
    states = db.session.execute(select(Booking.day_id, Booking.state).order_by(Booking.id)).all()
    assert states == [(first.id, BookingState.CANCELLED), (second.id, BookingState.BOOKED)]
    assert (_taken(first), _taken(second)) == (0, 1)


def test_book_the_same_day_twice_refused(setting):
    day = make_day(setting.season)
    services.book_day(setting.other, day.id, by=setting.other.student)
    with pytest.raises(RuleViolation) as error:
        services.book_day(setting.other, day.id, by=setting.other.student)
    assert error.value.message == f"You are already booked on {day.short_label}."


def test_cancel_before_lock_time_frees_the_seat(setting):
    day = make_day(setting.season, days_ahead=3)  # starts in 3 days; locks 48 hours before
    make_booking(setting.other, day)
    services.cancel_booking(setting.other, by=setting.other.student)
    db.session.commit()
    assert active_booking(setting.other) is None
    assert _taken(day) == 0


def test_cancel_after_lock_time_refused(setting):
    starts = utcnow() + timedelta(hours=47)
    day = make_day(setting.season, starts_at=starts, ends_at=starts + timedelta(hours=4))
    make_booking(setting.other, day)
    with pytest.raises(RuleViolation) as error:
        services.cancel_booking(setting.other, by=setting.other.student)
    assert error.value.message.startswith(
        f"Your booking on {day.short_label} can no longer be cancelled: bookings lock 48 hours "
        "before the day starts"
    )
    assert _taken(day) == 1


def test_move_away_from_locked_booking_refused(setting):
    starts = utcnow() + timedelta(hours=30)
    locked = make_day(setting.season, starts_at=starts, ends_at=starts + timedelta(hours=4))
    later = make_day(setting.season, days_ahead=20)
    make_booking(setting.other, locked)
    with pytest.raises(RuleViolation) as error:
        services.book_day(setting.other, later.id, by=setting.other.student)
    assert "can no longer be moved" in error.value.message


def test_lock_time_follows_the_season_setting(setting):
    setting.season.lock_hours = 12
    starts = utcnow() + timedelta(hours=13)
    day = make_day(setting.season, starts_at=starts, ends_at=starts + timedelta(hours=4))
    make_booking(setting.other, day)
    services.cancel_booking(setting.other, by=setting.other.student)
    assert _taken(day) == 0


def test_book_day_past_its_lock_time_refused(setting):
    starts = utcnow() + timedelta(hours=20)
    day = make_day(setting.season, starts_at=starts, ends_at=starts + timedelta(hours=4))
    with pytest.raises(RuleViolation) as error:
        services.book_day(setting.other, day.id, by=setting.other.student)
    assert error.value.message.startswith(f"{day.short_label} can no longer be booked")


def test_expired_invitation_cannot_book(setting):
    setting.other.reply_by = utcnow() - timedelta(minutes=1)
    day = make_day(setting.season)
    with pytest.raises(RuleViolation) as error:
        services.book_day(setting.other, day.id, by=setting.other.student)
    assert error.value.message.startswith("This invitation expired on ")
    assert setting.other.status_label == "Expired without a reply"


def test_decline_invitation_cancels_own_booking_and_nothing_else(setting, mailbox):
    day = make_day(setting.season, capacity=2)
    make_booking(setting.other, day)
    make_booking(setting.pathway, day)
    waiting = make_invitation(setting.season)
    waitlists.join_waitlist(waiting, day.id, auto_book=False, by=waiting.student)
    services.decline_invitation(setting.other, by=setting.other.student)
    db.session.commit()
    assert setting.other.state is InvitationState.DECLINED
    assert active_booking(setting.other) is None
    assert active_booking(setting.pathway).day_id == day.id  # untouched
    # The one freed seat is offered to the first on the waitlist, and held for them.
    assert [e.state for e in waiting_entries_of(waiting)] == [WaitlistState.OFFERED]
    assert _taken(day) == 2
    assert mailbox.last_to(setting.other.email)["Subject"] == (
        f"Your residency interview on {day.short_label} is cancelled"
    )
    with pytest.raises(RuleViolation) as error:
        services.book_day(setting.other, day.id, by=setting.other.student)
    assert error.value.message == "You declined this invitation."


def waiting_entries_of(invitation):
    from clerkship.interviews.models import WaitlistEntry

    return list(
        db.session.scalars(
            select(WaitlistEntry).where(WaitlistEntry.invitation_id == invitation.id)
        )
    )


def test_declining_without_booking_frees_nothing(setting):
    day = make_day(setting.season, capacity=1)
    make_booking(setting.pathway, day)
    waiting = make_invitation(setting.season)
    waitlists.join_waitlist(waiting, day.id, auto_book=True, by=waiting.student)
    services.decline_invitation(setting.other, by=setting.other.student)
    db.session.commit()
    assert _taken(day) == 1
    assert active_booking(waiting) is None


def test_withdrawn_pathway_flag_hides_reserved_days_at_once(setting):
    application = make_submitted_application(
        department=setting.season.department, cycle=setting.season.cycle, in_pathway=True
    )
    invitation = make_invitation(setting.season, application=application)
    reserved = make_day(setting.season, reserved=True)
    assert [d.id for d in offered_days(invitation)] == [reserved.id]
    application.in_pathway = False  # a director withdraws the flag
    db.session.commit()
    assert offered_days(invitation) == []
    with pytest.raises(RuleViolation) as error:
        services.book_day(invitation, reserved.id, by=invitation.student)
    assert error.value.message == NOT_OFFERED


def test_apply_pathway_change_gives_up_reserved_seat(setting, mailbox):
    application = make_submitted_application(
        department=setting.season.department, cycle=setting.season.cycle, in_pathway=True
    )
    invitation = make_invitation(setting.season, application=application)
    reserved = make_day(setting.season, reserved=True, capacity=1)
    make_booking(invitation, reserved)
    application.in_pathway = False
    services.apply_application_pathway(application, by=setting.director)
    db.session.commit()
    assert active_booking(invitation) is None
    assert _taken(reserved) == 0
    assert mailbox.last_to(invitation.email)["Subject"].endswith("is cancelled")


# What the database refuses, whatever the code above does --------------------------------


def test_database_refuses_more_taken_seats_than_capacity(setting):
    day = make_day(setting.season, capacity=2)
    db.session.commit()
    with pytest.raises(IntegrityError):
        db.session.execute(
            update(InterviewDay.__table__)
            .where(InterviewDay.__table__.c.id == day.id)
            .values(taken=3)
        )
    db.session.rollback()


def test_database_refuses_booking_outside_pathway_on_reserved_day(setting):
    reserved = make_day(setting.season, reserved=True)
    db.session.commit()
    with pytest.raises(IntegrityError):
        db.session.execute(
            insert(Booking.__table__).values(
                day_id=reserved.id,
                day_reserved=True,
                invitation_id=setting.other.id,
                in_pathway=False,
                state="booked",
                via="self",
                booked_at=utcnow(),
            )
        )
    db.session.rollback()


def test_database_refuses_booking_that_misstates_its_day(setting):
    reserved = make_day(setting.season, reserved=True)
    db.session.commit()
    with pytest.raises(IntegrityError):  # the composite foreign key (day, reserved)
        db.session.execute(
            insert(Booking.__table__).values(
                day_id=reserved.id,
                day_reserved=False,
                invitation_id=setting.other.id,
                in_pathway=False,
                state="booked",
                via="self",
                booked_at=utcnow(),
            )
        )
    db.session.rollback()


def test_database_refuses_reserving_a_day_with_bookings_outside_pathway(setting):
    day = make_day(setting.season)
    make_booking(setting.other, day)
    db.session.commit()
    with pytest.raises(IntegrityError):  # ON UPDATE CASCADE carries the flag to the CHECK
        db.session.execute(
            update(InterviewDay.__table__)
            .where(InterviewDay.__table__.c.id == day.id)
            .values(reserved=True)
        )
    db.session.rollback()
    db.session.execute(
        update(InterviewDay.__table__)
        .where(InterviewDay.__table__.c.id == day.id)
        .values(capacity=5)
    )
    db.session.commit()


def test_booking_a_full_day_one_holds_says_so(setting):
    day = make_day(setting.season, capacity=1)
    make_booking(setting.other, day)
    with pytest.raises(RuleViolation) as error:
        services.book_day(setting.other, day.id, by=setting.other.student)
    assert error.value.message == f"You are already booked on {day.short_label}."
