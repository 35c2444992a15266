"""Queuing email: a row of the outbox, written in the transaction of the change it announces.

Services call queue_email() (a template) or queue_message() (a text someone wrote). The
message is rendered at once, its whole MIME text stored, and the row flushed with the
rest of the transaction: if the request rolls back, the message is gone with it, so no
student is told about a change that did not happen. Nothing here talks to a mail server:
a worker delivers the rows (clerkship.outbox.delivery).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

from flask import current_app, render_template

from clerkship.audit.services import record_event
from clerkship.core.rules import RuleViolation
from clerkship.core.time import utcnow
from clerkship.extensions import db
from clerkship.outbox.mime import wire_bytes
from clerkship.outbox.models import MessageState, OutboxMessage

MESSAGE_ID_DOMAIN = "clerkship.local"
PENDING_KEY = "clerkship_outbox_pending"


@dataclass(frozen=True)
class Attachment:
    """A file attached to an email."""

    filename: str
    content: bytes
    maintype: str
    subtype: str
    params: dict[str, str] = field(default_factory=dict)


def _id_of(obj: Any) -> int | None:
    """The id of a model object (an int is taken as the id itself)."""
    if obj is None or isinstance(obj, int):
        return obj
    return obj.id


def queue_message(
    to: str | Iterable[str],
    subject: str,
    text: str,
    *,
    html: str | None = None,
    attachments: Iterable[Attachment] = (),
    template: str = "staff_message",
    recipient: Any = None,
    department: Any = None,
    application: Any = None,
    author: Any = None,
    secret: bool = False,
) -> OutboxMessage:
    """Build the email and add it to the outbox in the current transaction; never sends.

    The row is written with the transaction's next flush (a publication's hundreds of
    emails in one statement); an object that must point at it takes the returned message
    through a relationship, as offers and invitations do.
    """
    to_address = to if isinstance(to, str) else ", ".join(to)
    sender = current_app.config["MAIL_DEFAULT_SENDER"]
    message_id = make_msgid(domain=MESSAGE_ID_DOMAIN)
    attachments = list(attachments)
    if attachments:
        raw = _with_attachments(sender, to_address, subject, message_id, text, html, attachments)
    else:
        raw = wire_bytes(
            sender=sender,
            to=to_address,
            subject=subject,
            message_id=message_id,
            text=text,
            html=html,
        )
    now = utcnow()
    message = OutboxMessage(
        created_at=now,
        to_address=to_address,
        subject=subject,
        body_text=text,
        raw=raw,
        message_id=message_id,
        template=template,
        recipient_id=_id_of(recipient),
        department_id=_id_of(department),
        application_id=_id_of(application),
        author_id=_id_of(author),
        contains_secret=secret,
        state=MessageState.QUEUED,
        attempts=0,
        next_attempt_at=now,
    )
    db.session.add(message)
    # Remembered on the session so that the commit can wake a worker up (delivery.py).
    db.session.info.setdefault(PENDING_KEY, []).append(message)
    return message


def _with_attachments(
    sender: str,
    to: str,
    subject: str,
    message_id: str,
    text: str,
    html: str | None,
    attachments: list[Attachment],
) -> bytes:
    """An email with files attached, written by the standard library."""
    email = EmailMessage()
    email["Subject"] = subject
    email["From"] = sender
    email["To"] = to
    email["Message-ID"] = message_id
    email.set_content(text)
    if html is not None:
        email.add_alternative(html, subtype="html")
    for item in attachments:
        email.add_attachment(
            item.content,
            maintype=item.maintype,
            subtype=item.subtype,
            filename=item.filename,
            params=item.params,
        )
    # The wire form (CRLF line ends), as SMTP carries it and as it is stored.
    return email.as_bytes(policy=email.policy.clone(linesep="\r\n"))


def queue_email(
    to: str | Iterable[str],
    subject: str,
    template: str,
    attachments: Iterable[Attachment] = (),
    *,
    recipient: Any = None,
    department: Any = None,
    application: Any = None,
    secret: bool = False,
    **context,
) -> OutboxMessage:
    """Render templates/email/<template>.txt and add it to the outbox (queue_message)."""
    context.setdefault("institution", current_app.config["INSTITUTION_NAME"])
    # The templates may use these too (offer_made reads application.department, ...).
    if application is not None:
        context.setdefault("application", application)
    if department is not None:
        context.setdefault("department", department)
    text = render_template(f"email/{template}.txt", **context)
    return queue_message(
        to,
        subject,
        text,
        attachments=attachments,
        template=template,
        recipient=recipient,
        department=department,
        application=application,
        secret=secret,
    )


def retry_message(message: OutboxMessage, *, by: Any) -> None:
    """Put a failed message back in the queue, due now (the outbox page's retry button)."""
    if message.state is not MessageState.FAILED:
        raise RuleViolation("Only a failed message can be sent again.")
    message.state = MessageState.QUEUED
    message.next_attempt_at = utcnow()
    record_event(
        "outbox.retry",
        by=by,
        target=message,
        summary=f"Sent again: {message.subject} to {message.to_address}",
        last_error=message.last_error or "",
    )
    db.session.flush()
    db.session.info.setdefault(PENDING_KEY, []).append(message.id)
