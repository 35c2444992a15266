"""Queuing a staff message's emails (one per student) in one statement.

The outbox's queue_message() builds one email and flushes one row; at a few milliseconds
each, a message to a few hundred students took longer than the one second a request may
take. This writes the same rows (the columns queue_message writes, the same MIME shape:
plain text with an HTML alternative, one address in To) for a whole batch: the MIME text is
written out directly, and the rows are inserted with one executemany.
The new rows are handed to the outbox's delivery exactly as queue_message hands its own.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from email.header import Header
from email.utils import make_msgid

from flask import current_app
from sqlalchemy import insert

from clerkship.core.time import utcnow
from clerkship.extensions import db
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


def _header(value: str) -> str:
    """A header value; encoded (RFC 2047) when it is not plain ASCII."""
    if value.isascii():
        return value
    return Header(value, "utf-8").encode().replace("\n", "\r\n")


def _part(subtype: str, body: str) -> str:
    encoded = base64.encodebytes(body.encode("utf-8")).decode("ascii").replace("\n", "\r\n")
    return (
        f'Content-Type: text/{subtype}; charset="utf-8"\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\n" + encoded
    )


def mime_bytes(sender: str, email: Email, message_id: str) -> bytes:
    """The whole email as SMTP carries it (CRLF line ends): text, then its HTML alternative.

    Written out directly: the email package's generator folds every header again and took
    most of a large send's time. Both parts are base64, so no line is ever too long.
    """
    boundary = f"=_{secrets.token_hex(16)}"
    head = "\r\n".join(
        (
            f"Subject: {_header(email.subject)}",
            f"From: {_header(sender)}",
            f"To: {_header(email.to)}",
            f"Message-ID: {message_id}",
            "MIME-Version: 1.0",
            f'Content-Type: multipart/alternative; boundary="{boundary}"',
        )
    )
    parts = "".join(
        f"--{boundary}\r\n{_part(k, b)}" for k, b in (("plain", email.text), ("html", email.html))
    )
    return f"{head}\r\n\r\n{parts}--{boundary}--\r\n".encode("ascii")


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
                "raw": mime_bytes(sender, email, message_id),
                "message_id": message_id,
                "template": template,
                "recipient_id": email.recipient_id,
                "department_id": department_id,
                "application_id": email.application_id,
                "author_id": author_id,
                "contains_secret": False,
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
