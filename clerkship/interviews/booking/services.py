"""Booking, moving, cancelling and declining interview days (seats.py explains the locking)."""

from __future__ import annotations

from sqlalchemy import select

from clerkship.accounts.models import User
from clerkship.applications.signals import pathway_flag_changed
from clerkship.core.rules import RuleViolation
from clerkship.core.time import utcnow
from clerkship.extensions import db
from clerkship.interviews.models import (
    Booking,
    BookingVia,
    Invitation,
    InvitationState,
    WaitlistEntry,
    WaitlistState,
)
from clerkship.interviews.queries import active_booking
from clerkship.interviews.services import notify
from clerkship.interviews.services.seats import (
    NOT_OFFERED,
    WITHDRAWN,
    DayFull,
    audit,
    check_active,
    check_bookable,
    check_changeable,
    check_open,
    close,
    full_already,
    offered_day,
    release,
    respond,
    seat,
)
from clerkship.interviews.waitlists.services import decline_held, fill_from_waitlist, lock_season

# Refusals callers catch or compare with, re-exported from seats.
__all__ = [
    "NOT_OFFERED",
    "DayFull",
    "apply_application_pathway",
    "apply_pathway_change",
    "book_day",
    "cancel_booking",
    "decline_invitation",
]


def book_day(invitation: Invitation, day_id: int, *, by: User) -> Booking:
    """Book a day with room, or move there from the current booking, before its lock time."""
    for locked in (False, True):  # cheap answers first, then again under the lock
        if locked:
            lock_season(invitation.season)
        day = offered_day(invitation, day_id)
        check_active(invitation)
        check_open(invitation.season)
        if not locked and full_already(day, invitation):
            raise DayFull(day)
    current = active_booking(invitation)
    if current is not None and current.day_id == day.id:
        raise RuleViolation(f"You are already booked on {day.short_label}.")
    check_bookable(day)
    if current is not None:
        check_changeable(current, "moved")
    if day.room == 0:
        raise DayFull(day)
    if current is not None:
        release(current)
    booking = seat(invitation, day, BookingVia.SELF, held=False)
    respond(invitation)
    if current is None:
        audit("book", invitation, by, f"booked {day.label}", day_id=day.id)
        notify.send_booking_email(booking, "booked")
    else:
        audit(
            "move",
            invitation,
            by,
            f"moved to {day.label}",
            day_id=day.id,
            from_day_id=current.day_id,
        )
        notify.send_booking_email(booking, "moved", previous=current.day)
        fill_from_waitlist(current.day)
    return booking


def cancel_booking(invitation: Invitation, *, by: User) -> None:
    """Cancel the invitee's booking before its lock time; the seat goes to the waitlist."""
    lock_season(invitation.season)
    current = active_booking(invitation)
    if current is None:
        raise RuleViolation("You have no booking to cancel.")
    check_changeable(current, "cancelled")
    release(current)
    audit("cancel", invitation, by, f"cancelled {current.day.label}", day_id=current.day_id)
    notify.send_booking_email(current, "cancelled")
    fill_from_waitlist(current.day)


def decline_invitation(invitation: Invitation, *, by: User) -> None:
    """Say no to the interview: the booking (if any) and waitlist places go; nothing else."""
    lock_season(invitation.season)
    if invitation.state is InvitationState.DECLINED:
        raise RuleViolation("You have already declined this invitation.")
    if invitation.state is InvitationState.WITHDRAWN:
        raise RuleViolation(WITHDRAWN)
    current = active_booking(invitation)
    if current is not None:
        check_changeable(current, "cancelled")
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
            decline_held(entry)
        else:
            close(entry, WaitlistState.LEFT)
    if current is not None:
        release(current)
        notify.send_booking_email(current, "cancelled")
        fill_from_waitlist(current.day)
    audit("decline", invitation, by, "declined the interview invitation")


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
            decline_held(entry, WaitlistState.LEFT)
        else:
            close(entry, WaitlistState.LEFT)
    current = active_booking(invitation)
    if current is not None and current.day.reserved:
        release(current)
        notify.send_booking_email(current, "cancelled")
        audit(
            "pathway_cancel",
            invitation,
            by,
            f"booking on reserved day {current.day.label} cancelled: no longer in the pathway",
        )
        fill_from_waitlist(current.day)


@pathway_flag_changed.connect
def apply_application_pathway(application, *, by: User | None) -> None:
    """Call after an application's pathway flag changes: its invitations follow the new flag."""
    for invitation in list(
        db.session.scalars(select(Invitation).where(Invitation.application_id == application.id))
    ):
        apply_pathway_change(invitation, by=by)
