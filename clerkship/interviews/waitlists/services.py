"""Ordered waitlists: a freed seat goes to the first in line, booked or offered with a reply window."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import exists, or_, select

from clerkship.accounts.models import User
from clerkship.core.rules import RuleViolation
from clerkship.core.time import utcnow
from clerkship.extensions import db
from clerkship.interviews.models import (
    Booking,
    BookingVia,
    InterviewDay,
    InterviewSeason,
    Invitation,
    WaitlistEntry,
    WaitlistState,
)
from clerkship.interviews.queries import active_booking, may_see_day, waiting_entries
from clerkship.interviews.services import notify
from clerkship.interviews.services.seats import (
    audit,
    change_taken,
    check_active,
    check_bookable,
    check_changeable,
    check_open,
    close,
    offered_day,
    release,
    respond,
    seat,
    take_season_lock,
)
from clerkship.outbox.models import MessageState, OutboxMessage


def lock_season(season: InterviewSeason) -> int:
    """Take the season's lock, then release lapsed offers (how many) before any change."""
    take_season_lock(season)
    return expire_offers(season)


def _announced():
    """Offers whose email went out (or failed for good): a mail outage does not eat their window."""
    return or_(
        WaitlistEntry.offer_notice_id.is_(None),
        ~exists().where(
            OutboxMessage.id == WaitlistEntry.offer_notice_id,
            OutboxMessage.state.in_([MessageState.QUEUED, MessageState.SENDING]),
        ),
    )


def expire_lapsed_offers() -> int:
    """Pass every lapsed waitlist offer, in every season, to the next person in line."""
    season_ids = db.session.scalars(
        select(InterviewDay.season_id)
        .join(WaitlistEntry, WaitlistEntry.day_id == InterviewDay.id)
        .where(
            WaitlistEntry.state == WaitlistState.OFFERED,
            WaitlistEntry.offer_expires_at <= utcnow(),
            _announced(),
        )
        .distinct()
    ).all()
    return sum(lock_season(db.session.get(InterviewSeason, season_id)) for season_id in season_ids)


def join_waitlist(
    invitation: Invitation, day_id: int, *, auto_book: bool, by: User
) -> WaitlistEntry:
    """Queue for a full day; auto_book takes a freed seat at once instead of asking first."""
    lock_season(invitation.season)
    day = offered_day(invitation, day_id)
    check_active(invitation)
    check_open(invitation.season)
    check_bookable(day)
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
    respond(invitation)
    db.session.flush()
    audit("waitlist_join", invitation, by, f"joined the waitlist for {day.label}", day_id=day.id)
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
        decline_held(entry)
    else:
        close(entry, WaitlistState.LEFT)
    audit("waitlist_leave", invitation, by, f"left the waitlist for {entry.day.label}")


def accept_offer(invitation: Invitation, entry_id: int, *, by: User) -> Booking:
    """Take the seat held for the invitee; a booking they had moves here."""
    lock_season(invitation.season)
    entry = _own_entry(invitation, entry_id, WaitlistState.OFFERED)
    check_active(invitation)
    current = active_booking(invitation)
    if current is not None:
        check_changeable(current, "moved")
    day = entry.day
    close(entry, WaitlistState.BOOKED)
    if current is not None:
        release(current)
    booking = seat(invitation, day, BookingVia.WAITLIST, held=True)
    audit("offer_accept", invitation, by, f"accepted a seat on {day.label}", day_id=day.id)
    notify.send_booking_email(
        booking, "moved" if current else "booked", previous=current and current.day
    )
    if current is not None:
        fill_from_waitlist(current.day)
    return booking


def decline_offer(invitation: Invitation, entry_id: int, *, by: User) -> None:
    """Let the held seat go to the next person on the waitlist."""
    lock_season(invitation.season)
    entry = _own_entry(invitation, entry_id, WaitlistState.OFFERED)
    decline_held(entry)
    audit("offer_decline", invitation, by, f"declined a seat on {entry.day.label}")


def decline_held(entry: WaitlistEntry, state: WaitlistState = WaitlistState.DECLINED) -> None:
    """Close an offer and pass its held seat to the next in line."""
    close(entry, state)
    db.session.flush()
    change_taken(entry.day, -1)
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
            _announced(),
        )
        .order_by(WaitlistEntry.offer_expires_at, WaitlistEntry.id)
    ).all()
    for entry in lapsed:
        notify.send_offer_expired_email(entry)
        decline_held(entry, WaitlistState.EXPIRED)
        audit("offer_expire", entry.invitation, None, f"offer for {entry.day.label} expired")
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
            close(entry, WaitlistState.LEFT)
            continue
        current = active_booking(invitation)
        if entry.auto_book:
            if current is not None and current.day.is_locked:
                continue  # their own booking can no longer move; the next in line gets the seat
            close(entry, WaitlistState.BOOKED)
            if current is not None:
                release(current)
            booking = seat(invitation, day, BookingVia.WAITLIST, held=False)
            audit("waitlist_book", invitation, None, f"booked {day.label} from the waitlist")
            notify.send_booking_email(
                booking, "moved" if current else "booked", previous=current and current.day
            )
            if current is not None:
                fill_from_waitlist(current.day)
        else:
            change_taken(day, +1)
            entry.state = WaitlistState.OFFERED
            entry.offered_at = utcnow()
            entry.offer_expires_at = min(
                entry.offered_at + timedelta(hours=day.season.offer_hours), day.lock_at
            )
            db.session.flush()
            audit("offer", invitation, None, f"offered a seat on {day.label}")
            notify.send_offer_email(entry)
