"""The automatic emails a department may word its own way, with their default wording.

Each default says what the built-in email (templates/email/<name>.txt) says, in merge fields,
so that a director starts from it; resetting deletes the department's version and the
built-in email is sent again.
"""

from __future__ import annotations

from dataclasses import dataclass

from clerkship.communications.merge import FIELDS, LINK_FIELD


@dataclass(frozen=True)
class AutomaticEmail:
    """An automatic email: its name, when it is sent, and its default subject and text."""

    key: str
    label: str
    when: str
    subject: str
    body: str

    @property
    def fields(self) -> dict[str, str]:
        return {**FIELDS, **LINK_FIELD}


SIGNATURE = "\n\n-- clerkship, {institution}\n"

AUTOMATIC_EMAILS: dict[str, AutomaticEmail] = {
    e.key: e
    for e in (
        AutomaticEmail(
            "offer_made",
            "Offer of a seat",
            "when a seat is offered (at publication or from the waitlist)",
            "Offer: {rotation} ({department})",
            "Hello {preferred_name},\n\n{department} offers you a visiting clerkship seat.\n\n"
            "Rotation: {rotation}\nDates: {block_dates}\nAnswer by: {answer_by}\n\n"
            "Sign in to accept or decline: {link}" + SIGNATURE,
        ),
        AutomaticEmail(
            "offer_reminder",
            "Offer reminder",
            "a few days before an unanswered offer expires",
            "Reminder: your offer from {department} expires soon",
            "Hello {preferred_name},\n\nYour offer from {department} ({rotation}, {block_dates}) "
            "expires on {answer_by}. If you do not answer by then, the seat goes to the next "
            "student on the waitlist.\n\nAnswer here: {link}" + SIGNATURE,
        ),
        AutomaticEmail(
            "interview_invitation",
            "Interview invitation",
            "when an applicant is invited to the residency interview days",
            "Invitation to interview: {department} residency",
            "Hello {preferred_name},\n\n{department} invites you to a residency interview day.\n\n"
            "Sign in and open:\n{link}\n\nPlease reply by {answer_by}, by booking a day or by "
            "declining." + SIGNATURE,
        ),
        AutomaticEmail(
            "interview_offer",
            "Interview waitlist offer",
            "when a seat frees up on an interview day someone waits for",
            "A seat opened on {interview_day}",
            "Hello {preferred_name},\n\nA seat freed up on an interview day you are waiting for, "
            "and it is held for you:\n\n  {department}\n  {interview_day}\n\nAccept or decline "
            "it by {answer_by}. After that it goes to the next person on the waitlist.\n\n{link}"
            + SIGNATURE,
        ),
        AutomaticEmail(
            "interview_reminder",
            "Interview reminder",
            "a few days before a booked interview day (with the calendar file)",
            "Reminder: your residency interview on {interview_day}",
            "Hello {preferred_name},\n\nA reminder of your residency interview:\n\n  {department}\n"
            "  {interview_day}\n\nThe calendar file is attached again in case you need it.\n\n"
            "{link}" + SIGNATURE,
        ),
    )
}
