"""The seat primitives every booking change is made of, and the checks before one.

Every change to a season's seats runs under one row lock, the season's
(`take_season_lock`): concurrent requests for the same season queue there, and a change
that frees a seat can promote from the waitlist (which may move someone off another
day, which promotes again) without two transactions ever waiting on each other's
rows. The seat counter `InterviewDay.taken` is changed by an atomic UPDATE guarded by
the CHECK `taken <= capacity`, so even code that forgot the lock cannot overbook. On
SQLite, a writing request holds the database's write lock from its first statement.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from clerkship.accounts.models import User
from clerkship.audit.services import record_event
from clerkship.core.rules import RuleViolation
from clerkship.core.time import format_datetime, utcnow
from clerkship.extensions import db
from clerkship.interviews.models import (
    Booking,
    BookingState,
    BookingVia,
    InterviewDay,
    InterviewSeason,
    Invitation,
    InvitationState,
    SeasonPhase,
    WaitlistEntry,
    WaitlistState,
)
from clerkship.interviews.queries import active_booking, may_see_day

# The same words for a day that does not exist and a day the invitee may not see.
NOT_OFFERED = "Choose one of the days offered to you."


class DayFull(RuleViolation):
    """The day has no seat left."""

    def __init__(self, day: InterviewDay):
        super().__init__(
            f"{day.short_label} is full: all {day.capacity} seats are taken. "
            "Join its waitlist to be offered a seat if one frees up, or choose another day."
        )


def take_season_lock(season: InterviewSeason) -> None:
    """Take the season's row lock (FOR UPDATE), then read everything fresh."""
    db.session.flush()
    db.session.execute(
        select(InterviewSeason.id).where(InterviewSeason.id == season.id).with_for_update()
    )
    db.session.expire_all()


def offered_day(invitation: Invitation, day_id: int) -> InterviewDay:
    """The day, if the invitee may see it; otherwise the same refusal as for no such day."""
    day = db.session.get(InterviewDay, day_id)
    if day is None or not may_see_day(invitation, day):
        raise RuleViolation(NOT_OFFERED)
    return day


WITHDRAWN = "The department withdrew this invitation; contact it with any question."


def check_active(invitation: Invitation) -> None:
    """Refuse anything but a decline from a declined or expired invitation."""
    if invitation.state is InvitationState.DECLINED:
        raise RuleViolation("You declined this invitation.")
    if invitation.state is InvitationState.WITHDRAWN:
        raise RuleViolation(WITHDRAWN)
    if invitation.is_expired:
        raise RuleViolation(
            f"This invitation expired on {format_datetime(invitation.reply_by)} without a reply. "
            "Contact the department if you still wish to interview."
        )


def check_open(season: InterviewSeason) -> None:
    """Refuse booking while a fair-release season is still ranking or waiting for its draw."""
    phase = season.phase
    if phase is SeasonPhase.RANKING:
        raise RuleViolation(
            "Days are given by the fair-release draw first: rank the days you can attend "
            f"before {format_datetime(season.ranking_closes_at)}. Booking opens after the draw."
        )
    if phase is SeasonPhase.AWAITING_DRAW:
        raise RuleViolation("The fair-release draw is about to run; booking opens right after it.")
    if phase is SeasonPhase.SETUP:
        raise RuleViolation("Booking has not opened yet.")


def full_already(day: InterviewDay, invitation: Invitation) -> bool:
    """Full as last committed, with no lapsed offer to release: refuse without queueing.

    Under load most requests ask for days that are already full; answering them
    without the season lock keeps the queue for the lock short. The answer was true
    when read, which is all a refusal can promise.
    """
    if day.room > 0:
        return False
    current = active_booking(invitation)
    if current is not None and current.day_id == day.id:
        return False  # say so under the lock instead
    lapsed = db.session.scalar(
        select(WaitlistEntry.id)
        .where(
            WaitlistEntry.day_id == day.id,
            WaitlistEntry.state == WaitlistState.OFFERED,
            WaitlistEntry.offer_expires_at <= utcnow(),
        )
        .limit(1)
    )
    return lapsed is None


def check_bookable(day: InterviewDay) -> None:
    """Refuse a day whose lock time has passed."""
    if day.is_locked:
        raise RuleViolation(
            f"{day.short_label} can no longer be booked: bookings closed on "
            f"{format_datetime(day.lock_at)}, {day.season.lock_hours} hours before it starts."
        )


def check_changeable(booking: Booking, action: str) -> None:
    """Refuse to cancel or move a booking whose day is past its lock time."""
    day = booking.day
    if day.is_locked:
        raise RuleViolation(
            f"Your booking on {day.short_label} can no longer be {action}: bookings lock "
            f"{day.season.lock_hours} hours before the day starts "
            f"({format_datetime(day.lock_at)}). Please contact the department."
        )


def change_taken(day: InterviewDay, delta: int) -> None:
    """Add delta to the day's taken seats; the CHECK constraint refuses an overbooking."""
    try:
        with db.session.begin_nested():
            db.session.execute(
                update(InterviewDay.__table__)
                .where(InterviewDay.__table__.c.id == day.id)
                .values(taken=InterviewDay.__table__.c.taken + delta)
            )
    except IntegrityError as error:
        raise DayFull(day) from error
    db.session.expire(day, ["taken"])


def respond(invitation: Invitation) -> None:
    """Count a first booking, ranking or waitlist place as the answer to the invitation."""
    if invitation.state is InvitationState.INVITED:
        invitation.state = InvitationState.ACCEPTED
        invitation.responded_at = utcnow()


def seat(invitation: Invitation, day: InterviewDay, via: BookingVia, *, held: bool) -> Booking:
    """Create the booking (a held offer seat is already counted) and close a waitlist place."""
    if not held:
        if day.room == 0:
            raise DayFull(day)
        change_taken(day, +1)
    booking = Booking(day=day, invitation=invitation, in_pathway=invitation.in_pathway, via=via)
    db.session.add(booking)
    for entry in db.session.scalars(
        select(WaitlistEntry).where(
            WaitlistEntry.day_id == day.id,
            WaitlistEntry.invitation_id == invitation.id,
            WaitlistEntry.state == WaitlistState.WAITING,
        )
    ):
        close(entry, WaitlistState.BOOKED)
    db.session.flush()
    return booking


def release(booking: Booking) -> None:
    """Cancel a booking and give its seat back to the day."""
    booking.state = BookingState.CANCELLED
    booking.cancelled_at = utcnow()
    db.session.flush()
    change_taken(booking.day, -1)


def close(entry: WaitlistEntry, state: WaitlistState) -> None:
    """End a waitlist place in the given state."""
    entry.state = state
    entry.closed_at = utcnow()


def audit(action: str, invitation: Invitation, by: User | None, summary: str, **detail) -> None:
    """Write an interview audit event about the invitee."""
    record_event(
        f"interview.{action}",
        by=by,
        target=invitation,
        subject=invitation.student,
        summary=f"{invitation.season.department.name}: {summary}",
        **detail,
    )
