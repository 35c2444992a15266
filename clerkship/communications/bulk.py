"""Queuing a staff message's emails (one per student) in one statement.

The outbox's queue_message() adds one ORM object per email; for a message to a few hundred
students this writes the same rows (the columns queue_message writes, the same wire form
from outbox.mime: plain text with an HTML alternative, one address in To) with one
executemany, without building the objects.
The new rows are handed to the outbox's delivery exactly as queue_message hands its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from email.utils import make_msgid

from flask import current_app
from sqlalchemy import insert

from clerkship.core.time import utcnow
from clerkship.extensions import db
from clerkship.outbox.mime import wire_bytes
from clerkship.outbox.models import MessageState, OutboxMessage
from clerkship.outbox.services import MESSAGE_ID_DOMAIN, PENDING_KEY


@dataclass(frozen=True)
class Email:
    """One student's email of a staff message."""

    to: str
    subject: str
    text: str
    html: str
    recipient_id: int
    application_id: int | None


def queue_staff_emails(
    emails: Iterable[Email], *, template: str, department_id: int, author_id: int
) -> list[int]:
    """Add one outbox row per email in the current transaction; their ids. Never sends."""
    sender = current_app.config["MAIL_DEFAULT_SENDER"]
    now = utcnow()
    rows = []
    for email in emails:
        message_id = make_msgid(domain=MESSAGE_ID_DOMAIN)
        rows.append(
            {
                "created_at": now,
                "to_address": email.to,
                "subject": email.subject,
                "body_text": email.text,
                "raw": wire_bytes(
                    sender=sender,
                    to=email.to,
                    subject=email.subject,
                    message_id=message_id,
                    text=email.text,
                    html=email.html,
                ),
                "message_id": message_id,
                "template": template,
                "recipient_id": email.recipient_id,
                "department_id": department_id,
                "application_id": email.application_id,
                "author_id": author_id,
                "contains_secret": False,  # nosec B105
                "state": MessageState.QUEUED,
                "attempts": 0,
                "next_attempt_at": now,
            }
        )
    if not rows:
        return []
    ids = list(db.session.scalars(insert(OutboxMessage).returning(OutboxMessage.id), rows))
    # As queue_message does: the commit hands these to the outbox's delivery.
    db.session.info.setdefault(PENDING_KEY, []).extend(ids)
    return ids
