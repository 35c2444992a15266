"""Services for the invitation list's bulk actions: remind those who have not replied, and
withdraw invitations. Each invitation is done whole or not at all and, when not, named with
the reason; submitting the same selection again does nothing twice."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import select

from clerkship.accounts.models import User
from clerkship.core.rules import RuleViolation
from clerkship.core.selection import BulkOutcome
from clerkship.core.time import institution_zone, utcnow
from clerkship.extensions import db
from clerkship.interviews.models import InterviewSeason, Invitation, WaitlistEntry
from clerkship.interviews.queries import active_booking
from clerkship.interviews.services import notify
from clerkship.interviews.services.seats import audit, close, release
from clerkship.interviews.states import InvitationState, WaitlistState
from clerkship.interviews.waitlists.services import decline_held, fill_from_waitlist, lock_season
from clerkship.outbox.models import OutboxMessage

REMINDER = "interview_reply_reminder"


def _reminded_today(season: InterviewSeason, student_ids: list[int], today: date) -> set[int]:
    since = datetime.combine(today, time(0, 0), institution_zone())
    found: set[int] = set()
    for start in range(0, len(student_ids), 900):
        found |= set(
            db.session.scalars(
                select(OutboxMessage.recipient_id).where(
                    OutboxMessage.template == REMINDER,
                    OutboxMessage.department_id == season.department_id,
                    OutboxMessage.recipient_id.in_(student_ids[start : start + 900]),
                    OutboxMessage.created_at >= since,
                )
            )
        )
    return found


def remind_invitees(
    season: InterviewSeason, invitations: list[Invitation], *, today: date, by: User
) -> BulkOutcome:
    """Remind each selected invitee who has not answered, and is still in time, to reply
    (once a day at most)."""
    lock_season(season)
    already = _reminded_today(season, [i.student_id for i in invitations], today)
    done, refused = [], []
    for invitation in invitations:
        name = invitation.full_name
        if invitation.season_id != season.id:
            refused.append((name, "not invited to this season"))
        elif invitation.state is not InvitationState.INVITED:
            refused.append((name, f"the invitation is {invitation.status_label.lower()}"))
        elif invitation.is_expired:
            refused.append((name, "the reply deadline has passed"))
        elif invitation.student_id in already:
            refused.append((name, "reminded already today"))
        else:
            notify.send_reply_reminder(invitation)
            audit("remind", invitation, by, "reminded to reply to the invitation")
            already.add(invitation.student_id)
            done.append(name)
    db.session.flush()
    return BulkOutcome(done=done, refused=refused)


def withdraw_invitations(
    season: InterviewSeason, invitations: list[Invitation], *, by: User
) -> BulkOutcome:
    """Withdraw each selected invitation: its booking (if the day has not begun) and its
    waitlist places are given up, the freed seats go to the waitlist, the invitee is told."""
    lock_season(season)
    done, refused = [], []
    now = utcnow()
    for invitation in invitations:
        name = invitation.full_name
        if invitation.season_id != season.id:
            refused.append((name, "not invited to this season"))
        elif invitation.state is InvitationState.WITHDRAWN:
            refused.append((name, "withdrawn already"))
        elif invitation.state is InvitationState.DECLINED:
            refused.append((name, "the invitee declined it"))
        else:
            try:
                with db.session.begin_nested():
                    _withdraw(invitation, now=now, by=by)
            except RuleViolation as refusal:
                refused.append((name, refusal.message))
            else:
                done.append(name)
    db.session.flush()
    return BulkOutcome(done=done, refused=refused)


def _withdraw(invitation: Invitation, *, now: datetime, by: User) -> None:
    booking = active_booking(invitation)
    if booking is not None and booking.day.starts_at <= now:
        raise RuleViolation(f"the interview on {booking.day.short_label} has begun or taken place")
    # Withdrawn first, so that no seat freed below is offered back to this invitee.
    invitation.state = InvitationState.WITHDRAWN
    db.session.flush()
    for entry in list(
        db.session.scalars(
            select(WaitlistEntry).where(
                WaitlistEntry.invitation_id == invitation.id,
                WaitlistEntry.state.in_((WaitlistState.WAITING, WaitlistState.OFFERED)),
            )
        )
    ):
        if entry.state is WaitlistState.OFFERED:
            decline_held(entry, WaitlistState.LEFT)
        else:
            close(entry, WaitlistState.LEFT)
    day = None
    if booking is not None:
        day = booking.day
        release(booking)
        # The cancellation carries the calendar file that removes the event.
        notify.send_booking_email(booking, "cancelled")
        fill_from_waitlist(day)
    db.session.flush()
    notify.send_withdrawn_email(invitation, day=day)
    audit(
        "withdraw",
        invitation,
        by,
        "invitation withdrawn" + (f", booking on {day.label} cancelled" if day else ""),
    )
