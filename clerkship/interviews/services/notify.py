"""The emails of the interview season; every booking change carries its .ics."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from clerkship.core.time import format_datetime
from clerkship.core.urls import external_url
from clerkship.core.wording import department_wording
from clerkship.extensions import db
from clerkship.interviews.exports.calendars import booking_calendar
from clerkship.interviews.models import (
    Booking,
    BookingState,
    BookingVia,
    InterviewDay,
    Invitation,
    WaitlistEntry,
)
from clerkship.interviews.states import InvitationState, WaitlistState
from clerkship.outbox.models import OutboxMessage
from clerkship.outbox.services import Attachment, queue_email, queue_message
from clerkship.outbox.signals import message_sent

SUBJECTS = {
    "booked": "Your residency interview is booked: {day}",
    "moved": "Your residency interview moved to {day}",
    "changed": "Interview details changed: {day}",
    "cancelled": "Your residency interview on {day} is cancelled",
    "reminder": "Reminder: your residency interview on {day}",
}


def _about(invitation: Invitation) -> dict:
    """Whom an interview email goes to and what it is about, for the outbox (ids: no loading)."""
    return {
        "recipient": invitation.student_id,
        "department": invitation.season.department_id,
        "application": invitation.application_id,
    }


def _link(invitation: Invitation) -> str:
    return external_url("interviews.show", invitation_id=invitation.id)


def _worded(
    template: str, invitation: Invitation, values: dict, attachments=()
) -> OutboxMessage | None:
    """Queue the department's own wording of an interview email, if it has one (the message)."""
    worded = department_wording(
        template,
        department_id=invitation.season.department_id,
        recipient_id=invitation.student_id,
        values={"link": _link(invitation), **values},
    )
    if worded is None:
        return None
    return queue_message(
        invitation.email,
        worded.subject,
        worded.text,
        html=worded.html,
        attachments=attachments,
        template=template,
        **_about(invitation),
    )


def _ics(booking: Booking, sequence: int, cancelled: bool = False) -> Attachment:
    method = "CANCEL" if cancelled else "REQUEST"
    return Attachment(
        filename="interview.ics" if not cancelled else "interview-cancelled.ics",
        content=booking_calendar(booking, sequence=sequence, cancelled=cancelled),
        maintype="text",
        subtype="calendar",
        params={"method": method},
    )


def send_invitation_email(invitation: Invitation, *, new_account: bool) -> None:
    """Tell a person they are invited to interview and by when to reply."""
    season = invitation.season
    worded = _worded(
        "interview_invitation", invitation, {"answer_by": format_datetime(invitation.reply_by)}
    )
    invitation.notice = worded or queue_email(
        invitation.email,
        f"Invitation to interview: {season.department.name} residency",
        "interview_invitation",
        **_about(invitation),
        invitation=invitation,
        season=season,
        new_account=new_account,
        link=_link(invitation),
    )


def send_booking_email(
    booking: Booking, change: str, *, previous: InterviewDay | None = None
) -> None:
    """Confirm a booking, a move or a cancellation, with the calendar event to match."""
    invitation = booking.invitation
    invitation.calendar_sequence += 1
    cancelled = change == "cancelled"
    queue_email(
        invitation.email,
        SUBJECTS[change].format(day=booking.day.short_label),
        "interview_booking",
        **_about(invitation),
        attachments=[_ics(booking, invitation.calendar_sequence, cancelled)],
        change=change,
        booking=booking,
        day=booking.day,
        previous=previous,
        invitation=invitation,
        from_draw=booking.via is BookingVia.DRAW,
        from_waitlist=booking.via is BookingVia.WAITLIST,
        link=_link(invitation),
    )


def send_offer_email(entry: WaitlistEntry) -> None:
    """Offer the first person on a waitlist the seat that freed up."""
    values = {
        "interview_day": entry.day.label,
        "answer_by": format_datetime(entry.offer_expires_at),
    }
    worded = _worded("interview_offer", entry.invitation, values)
    entry.offer_notice = worded or queue_email(
        entry.invitation.email,
        f"A seat opened on {entry.day.short_label}",
        "interview_offer",
        **_about(entry.invitation),
        entry=entry,
        day=entry.day,
        invitation=entry.invitation,
        expires=_when(entry.offer_expires_at),
        link=_link(entry.invitation),
    )


def send_offer_expired_email(entry: WaitlistEntry) -> None:
    """Tell a person their waitlist offer lapsed and went to the next in line."""
    queue_email(
        entry.invitation.email,
        f"Your offer for {entry.day.short_label} has expired",
        "interview_offer_expired",
        **_about(entry.invitation),
        entry=entry,
        day=entry.day,
        invitation=entry.invitation,
        link=_link(entry.invitation),
    )


def send_no_day_email(invitation: Invitation) -> None:
    """Tell a person the draw could not give them any day they ranked."""
    queue_email(
        invitation.email,
        "Interview draw: no ranked day had room",
        "interview_no_day",
        **_about(invitation),
        invitation=invitation,
        link=_link(invitation),
    )


def _when(value: datetime | None) -> str:
    from clerkship.core.time import format_datetime

    return format_datetime(value)


def send_reminders(*, now: datetime) -> int:
    """Remind everyone whose interview starts within INTERVIEW_REMINDER_HOURS; once each."""
    horizon = now + timedelta(hours=current_app.config["INTERVIEW_REMINDER_HOURS"])
    due = db.session.scalars(
        select(Booking)
        .join(Booking.day)
        .where(
            Booking.state == BookingState.BOOKED,
            Booking.reminded_at.is_(None),
            InterviewDay.starts_at > now,
            InterviewDay.starts_at <= horizon,
        )
        .order_by(InterviewDay.starts_at, Booking.id)
        .with_for_update(skip_locked=True, of=Booking)
    ).all()
    for booking in due:
        booking.reminded_at = now
        invitation = booking.invitation
        attachments = [_ics(booking, invitation.calendar_sequence)]
        if _worded(
            "interview_reminder", invitation, {"interview_day": booking.day.label}, attachments
        ):
            continue
        queue_email(
            invitation.email,
            SUBJECTS["reminder"].format(day=booking.day.short_label),
            "interview_reminder",
            **_about(invitation),
            attachments=attachments,
            booking=booking,
            day=booking.day,
            invitation=invitation,
            link=_link(invitation),
        )
    db.session.flush()
    return len(due)


@message_sent.connect
def count_from_delivery(_sender, *, message: OutboxMessage, **_kwargs) -> None:
    """An interview email went out: the reply window it announced counts from now.

    A waitlist offer's hold runs offer_hours from the delivery (never past the day's lock);
    an invitation's reply-by moves by as long as the email waited in the outbox.
    """
    if message.sent_at is None:
        return
    if message.template == "interview_offer":
        entry = db.session.scalar(
            select(WaitlistEntry).where(WaitlistEntry.offer_notice_id == message.id)
        )
        if entry is None or entry.state is not WaitlistState.OFFERED:
            return
        window = timedelta(hours=entry.day.season.offer_hours)
        counted = min(message.sent_at + window, entry.day.lock_at)
        if counted > entry.offer_expires_at:
            entry.offer_expires_at = counted
            db.session.flush()
    elif message.template == "interview_invitation":
        invitation = db.session.scalar(select(Invitation).where(Invitation.notice_id == message.id))
        if invitation is None or invitation.state is not InvitationState.INVITED:
            return
        counted = message.sent_at + (invitation.reply_by - message.created_at)
        if counted > invitation.reply_by:
            invitation.reply_by = counted
            db.session.flush()


def send_reply_reminder(invitation: Invitation) -> OutboxMessage:
    """Remind an invitee who has not answered to reply by the deadline."""
    return queue_email(
        invitation.email,
        f"Reminder: reply to your interview invitation from {invitation.season.department.name}",
        "interview_reply_reminder",
        **_about(invitation),
        invitation=invitation,
        season=invitation.season,
        link=_link(invitation),
    )


def send_withdrawn_email(invitation: Invitation, *, day: InterviewDay | None) -> None:
    """Tell the invitee the department withdrew the invitation (and their day, if booked)."""
    queue_email(
        invitation.email,
        f"Your interview invitation from {invitation.season.department.name} is withdrawn",
        "interview_withdrawn",
        **_about(invitation),
        invitation=invitation,
        season=invitation.season,
        day=day,
    )
