"""Booking, moving and cancelling interview days, and the waitlists that refill them.

Every change to a season's seats runs under one row lock, the season's
(`lock_season`): concurrent requests for the same season queue there, and a change
that frees a seat can promote from the waitlist (which may move someone off another
day, which promotes again) without two transactions ever waiting on each other's
rows. The seat counter `InterviewDay.taken` is changed by an atomic UPDATE guarded by
the CHECK `taken <= capacity`, so even code that forgot the lock cannot overbook. On
SQLite, a writing request holds the database's write lock from its first statement.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from clerkship.accounts.models import User
from clerkship.audit.services import record_event
from clerkship.core.rules import RuleViolation
from clerkship.core.time import format_datetime, utcnow
from clerkship.extensions import db
from clerkship.interviews import notify
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
from clerkship.interviews.queries import active_booking, may_see_day, waiting_entries

# The same words for a day that does not exist and a day the invitee may not see.
NOT_OFFERED = "Choose one of the days offered to you."


class DayFull(RuleViolation):
    """The day has no seat left."""

    def __init__(self, day: InterviewDay):
        super().__init__(
            f"{day.short_label} is full: all {day.capacity} seats are taken. "
            "Join its waitlist to be offered a seat if one frees up, or choose another day."
        )


def lock_season(season: InterviewSeason) -> int:
    """Take the season's row lock, read everything fresh, release lapsed offers (how many)."""
    db.session.flush()
    db.session.execute(
        select(InterviewSeason.id).where(InterviewSeason.id == season.id).with_for_update()
    )
    db.session.expire_all()
    return expire_offers(season)


def expire_lapsed_offers() -> int:
    """Pass every lapsed waitlist offer, in every season, to the next person in line."""
    season_ids = db.session.scalars(
        select(InterviewDay.season_id)
        .join(WaitlistEntry, WaitlistEntry.day_id == InterviewDay.id)
        .where(
            WaitlistEntry.state == WaitlistState.OFFERED,
            WaitlistEntry.offer_expires_at <= utcnow(),
        )
        .distinct()
    ).all()
    return sum(
        lock_season(db.session.get(InterviewSeason, season_id)) for season_id in season_ids
    )


def offered_day(invitation: Invitation, day_id: int) -> InterviewDay:
    """The day, if the invitee may see it; otherwise the same refusal as for no such day."""
    day = db.session.get(InterviewDay, day_id)
    if day is None or not may_see_day(invitation, day):
        raise RuleViolation(NOT_OFFERED)
    return day


def check_active(invitation: Invitation) -> None:
    """Refuse anything but a decline from a declined or expired invitation."""
    if invitation.state is InvitationState.DECLINED:
        raise RuleViolation("You declined this invitation.")
    if invitation.is_expired:
        raise RuleViolation(
            f"This invitation expired on {format_datetime(invitation.reply_by)} without a reply. "
            "Contact the department if you still wish to interview."
        )


def _check_open(season: InterviewSeason) -> None:
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


def _full_already(day: InterviewDay, invitation: Invitation) -> bool:
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


def _check_bookable(day: InterviewDay) -> None:
    if day.is_locked:
        raise RuleViolation(
            f"{day.short_label} can no longer be booked: bookings closed on "
            f"{format_datetime(day.lock_at)}, {day.season.lock_hours} hours before it starts."
        )


def _check_changeable(booking: Booking, action: str) -> None:
    day = booking.day
    if day.is_locked:
        raise RuleViolation(
            f"Your booking on {day.short_label} can no longer be {action}: bookings lock "
            f"{day.season.lock_hours} hours before the day starts "
            f"({format_datetime(day.lock_at)}). Please contact the department."
        )


def _change_taken(day: InterviewDay, delta: int) -> None:
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


def _respond(invitation: Invitation) -> None:
    if invitation.state is InvitationState.INVITED:
        invitation.state = InvitationState.ACCEPTED
        invitation.responded_at = utcnow()


def _seat(invitation: Invitation, day: InterviewDay, via: BookingVia, *, held: bool) -> Booking:
    """Create the booking (a held offer seat is already counted) and close a waitlist place."""
    if not held:
        if day.room == 0:
            raise DayFull(day)
        _change_taken(day, +1)
    booking = Booking(
        day=day, invitation=invitation, in_pathway=invitation.in_pathway, via=via
    )
    db.session.add(booking)
    for entry in db.session.scalars(
        select(WaitlistEntry).where(
            WaitlistEntry.day_id == day.id,
            WaitlistEntry.invitation_id == invitation.id,
            WaitlistEntry.state == WaitlistState.WAITING,
        )
    ):
        _close(entry, WaitlistState.BOOKED)
    db.session.flush()
    return booking


def _release(booking: Booking) -> None:
    booking.state = BookingState.CANCELLED
    booking.cancelled_at = utcnow()
    db.session.flush()
    _change_taken(booking.day, -1)


def _close(entry: WaitlistEntry, state: WaitlistState) -> None:
    entry.state = state
    entry.closed_at = utcnow()


def _audit(action: str, invitation: Invitation, by: User | None, summary: str, **detail) -> None:
    record_event(
        f"interview.{action}",
        by=by,
        target=invitation,
        subject=invitation.student,
        summary=f"{invitation.season.department.name}: {summary}",
        **detail,
    )


def book_day(invitation: Invitation, day_id: int, *, by: User) -> Booking:
    """Book a day with room, or move there from the current booking, before its lock time."""
    for locked in (False, True):  # cheap answers first, then again under the lock
        if locked:
            lock_season(invitation.season)
        day = offered_day(invitation, day_id)
        check_active(invitation)
        _check_open(invitation.season)
        if not locked and _full_already(day, invitation):
            raise DayFull(day)
    current = active_booking(invitation)
    if current is not None and current.day_id == day.id:
        raise RuleViolation(f"You are already booked on {day.short_label}.")
    _check_bookable(day)
    if current is not None:
        _check_changeable(current, "moved")
    if day.room == 0:
        raise DayFull(day)
    if current is not None:
        _release(current)
    booking = _seat(invitation, day, BookingVia.SELF, held=False)
    _respond(invitation)
    if current is None:
        _audit("book", invitation, by, f"booked {day.label}", day_id=day.id)
        notify.send_booking_email(booking, "booked")
    else:
        _audit("move", invitation, by, f"moved to {day.label}", day_id=day.id, from_day_id=current.day_id)
        notify.send_booking_email(booking, "moved", previous=current.day)
        fill_from_waitlist(current.day)
    return booking


def cancel_booking(invitation: Invitation, *, by: User) -> None:
    """Cancel the invitee's booking before its lock time; the seat goes to the waitlist."""
    lock_season(invitation.season)
    current = active_booking(invitation)
    if current is None:
        raise RuleViolation("You have no booking to cancel.")
    _check_changeable(current, "cancelled")
    _release(current)
    _audit("cancel", invitation, by, f"cancelled {current.day.label}", day_id=current.day_id)
    notify.send_booking_email(current, "cancelled")
    fill_from_waitlist(current.day)


def join_waitlist(invitation: Invitation, day_id: int, *, auto_book: bool, by: User) -> WaitlistEntry:
    """Queue for a full day; auto_book takes a freed seat at once instead of asking first."""
    lock_season(invitation.season)
    day = offered_day(invitation, day_id)
    check_active(invitation)
    _check_open(invitation.season)
    _check_bookable(day)
    current = active_booking(invitation)
    if current is not None and current.day_id == day.id:
        raise RuleViolation(f"You are already booked on {day.short_label}.")
    if day.room > 0:
        raise RuleViolation(f"{day.short_label} has a free seat: book it instead.")
    already = db.session.scalar(
        select(WaitlistEntry.id).where(
            WaitlistEntry.day_id == day.id,
            WaitlistEntry.invitation_id == invitation.id,
            WaitlistEntry.state.in_((WaitlistState.WAITING, WaitlistState.OFFERED)),
        )
    )
    if already is not None:
        raise RuleViolation(f"You are already on the waitlist for {day.short_label}.")
    entry = WaitlistEntry(
        day=day, invitation=invitation, in_pathway=invitation.in_pathway, auto_book=auto_book
    )
    db.session.add(entry)
    _respond(invitation)
    db.session.flush()
    _audit("waitlist_join", invitation, by, f"joined the waitlist for {day.label}", day_id=day.id)
    return entry


def _own_entry(invitation: Invitation, entry_id: int, *states: WaitlistState) -> WaitlistEntry:
    entry = db.session.get(WaitlistEntry, entry_id)
    if entry is None or entry.invitation_id != invitation.id or entry.state not in states:
        raise RuleViolation("That waitlist place or offer is no longer open.")
    return entry


def leave_waitlist(invitation: Invitation, entry_id: int, *, by: User) -> None:
    """Leave a waitlist (declining the offer if one is held)."""
    lock_season(invitation.season)
    entry = _own_entry(invitation, entry_id, WaitlistState.WAITING, WaitlistState.OFFERED)
    if entry.state is WaitlistState.OFFERED:
        _decline_held(entry)
    else:
        _close(entry, WaitlistState.LEFT)
    _audit("waitlist_leave", invitation, by, f"left the waitlist for {entry.day.label}")


def accept_offer(invitation: Invitation, entry_id: int, *, by: User) -> Booking:
    """Take the seat held for the invitee; a booking they had moves here."""
    lock_season(invitation.season)
    entry = _own_entry(invitation, entry_id, WaitlistState.OFFERED)
    check_active(invitation)
    current = active_booking(invitation)
    if current is not None:
        _check_changeable(current, "moved")
    day = entry.day
    _close(entry, WaitlistState.BOOKED)
    if current is not None:
        _release(current)
    booking = _seat(invitation, day, BookingVia.WAITLIST, held=True)
    _audit("offer_accept", invitation, by, f"accepted a seat on {day.label}", day_id=day.id)
    notify.send_booking_email(booking, "moved" if current else "booked", previous=current and current.day)
    if current is not None:
        fill_from_waitlist(current.day)
    return booking


def decline_offer(invitation: Invitation, entry_id: int, *, by: User) -> None:
    """Let the held seat go to the next person on the waitlist."""
    lock_season(invitation.season)
    entry = _own_entry(invitation, entry_id, WaitlistState.OFFERED)
    _decline_held(entry)
    _audit("offer_decline", invitation, by, f"declined a seat on {entry.day.label}")


def _decline_held(entry: WaitlistEntry, state: WaitlistState = WaitlistState.DECLINED) -> None:
    _close(entry, state)
    db.session.flush()
    _change_taken(entry.day, -1)
    fill_from_waitlist(entry.day)


def expire_offers(season: InterviewSeason) -> int:
    """Release the seats of offers whose reply window has passed (call under the lock)."""
    lapsed = db.session.scalars(
        select(WaitlistEntry)
        .join(InterviewDay, InterviewDay.id == WaitlistEntry.day_id)
        .where(
            InterviewDay.season_id == season.id,
            WaitlistEntry.state == WaitlistState.OFFERED,
            WaitlistEntry.offer_expires_at <= utcnow(),
        )
        .order_by(WaitlistEntry.offer_expires_at, WaitlistEntry.id)
    ).all()
    for entry in lapsed:
        notify.send_offer_expired_email(entry)
        _decline_held(entry, WaitlistState.EXPIRED)
        _audit("offer_expire", entry.invitation, None, f"offer for {entry.day.label} expired")
    return len(lapsed)


def fill_from_waitlist(day: InterviewDay) -> None:
    """Give the day's free seats to the first on its waitlist, until the day locks."""
    if day.is_locked:
        return
    for entry in waiting_entries(day):
        if day.room == 0:
            return
        if entry.state is not WaitlistState.WAITING:
            continue  # settled meanwhile by a promotion further down the chain
        invitation = entry.invitation
        if not invitation.is_active or not may_see_day(invitation, day):
            _close(entry, WaitlistState.LEFT)
            continue
        current = active_booking(invitation)
        if entry.auto_book:
            if current is not None and current.day.is_locked:
                continue  # their own booking can no longer move; the next in line gets the seat
            _close(entry, WaitlistState.BOOKED)
            if current is not None:
                _release(current)
            booking = _seat(invitation, day, BookingVia.WAITLIST, held=False)
            _audit("waitlist_book", invitation, None, f"booked {day.label} from the waitlist")
            notify.send_booking_email(
                booking, "moved" if current else "booked", previous=current and current.day
            )
            if current is not None:
                fill_from_waitlist(current.day)
        else:
            _change_taken(day, +1)
            entry.state = WaitlistState.OFFERED
            entry.offered_at = utcnow()
            entry.offer_expires_at = min(
                entry.offered_at + timedelta(hours=day.season.offer_hours), day.lock_at
            )
            db.session.flush()
            _audit("offer", invitation, None, f"offered a seat on {day.label}")
            notify.send_offer_email(entry)


def decline_invitation(invitation: Invitation, *, by: User) -> None:
    """Say no to the interview: the booking (if any) and waitlist places go; nothing else."""
    lock_season(invitation.season)
    if invitation.state is InvitationState.DECLINED:
        raise RuleViolation("You have already declined this invitation.")
    current = active_booking(invitation)
    if current is not None:
        _check_changeable(current, "cancelled")
    invitation.state = InvitationState.DECLINED
    invitation.responded_at = utcnow()
    for entry in list(
        db.session.scalars(
            select(WaitlistEntry).where(
                WaitlistEntry.invitation_id == invitation.id,
                WaitlistEntry.state.in_((WaitlistState.WAITING, WaitlistState.OFFERED)),
            )
        )
    ):
        if entry.state is WaitlistState.OFFERED:
            _decline_held(entry)
        else:
            _close(entry, WaitlistState.LEFT)
    if current is not None:
        _release(current)
        notify.send_booking_email(current, "cancelled")
        fill_from_waitlist(current.day)
    _audit("decline", invitation, by, "declined the interview invitation")


def apply_pathway_change(invitation: Invitation, *, by: User | None) -> None:
    """After a pathway flag is withdrawn: give up reserved-day seats and places."""
    lock_season(invitation.season)
    if invitation.in_pathway:
        return
    for entry in list(
        db.session.scalars(
            select(WaitlistEntry).where(
                WaitlistEntry.invitation_id == invitation.id,
                WaitlistEntry.day_reserved.is_(True),
                WaitlistEntry.state.in_((WaitlistState.WAITING, WaitlistState.OFFERED)),
            )
        )
    ):
        if entry.state is WaitlistState.OFFERED:
            _decline_held(entry, WaitlistState.LEFT)
        else:
            _close(entry, WaitlistState.LEFT)
    current = active_booking(invitation)
    if current is not None and current.day.reserved:
        _release(current)
        notify.send_booking_email(current, "cancelled")
        _audit(
            "pathway_cancel",
            invitation,
            by,
            f"booking on reserved day {current.day.label} cancelled: no longer in the pathway",
        )
        fill_from_waitlist(current.day)
