"""Outgoing email: queued by services, sent only once the transaction commits.

Services call queue_email(); the message is rendered at once and kept on the
database session. If the request commits, the messages go out through SMTP (or,
with no MAIL_SERVER configured, are written to the log so a person running the
app locally can follow the links). If it rolls back, they are dropped, so no
student is told about a change that did not happen.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Iterable
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app, render_template
from sqlalchemy import event
from sqlalchemy.orm import Session

from clerkship.core.metrics import MESSAGES_FAILED
from clerkship.extensions import db

OUTBOX_KEY = "clerkship_outbox"


@dataclass(frozen=True)
class Attachment:
    """A file attached to an email."""

    filename: str
    content: bytes
    maintype: str
    subtype: str
    params: dict[str, str] = field(default_factory=dict)


def queue_email(
    to: str | Iterable[str],
    subject: str,
    template: str,
    attachments: Iterable[Attachment] = (),
    **context,
) -> EmailMessage:
    """Render templates/email/<template>.txt and send it after the current commit."""
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    message["To"] = to if isinstance(to, str) else ", ".join(to)
    message["Message-ID"] = make_msgid(domain="clerkship.local")
    context.setdefault("institution", current_app.config["INSTITUTION_NAME"])
    message.set_content(render_template(f"email/{template}.txt", **context))
    for item in attachments:
        message.add_attachment(
            item.content,
            maintype=item.maintype,
            subtype=item.subtype,
            filename=item.filename,
            params=item.params,
        )
    # Tie the message to a real transaction, so that its rollback drops the message.
    db.session.connection()
    db.session.info.setdefault(OUTBOX_KEY, []).append((current_app._get_current_object(), message))
    return message


def deliver(app, message: EmailMessage) -> None:
    """Send one message now through the configured SMTP server, or to the log."""
    config = app.config
    if not config.get("MAIL_SERVER"):
        app.logger.info("Email (no MAIL_SERVER configured):\n%s", message.as_string())
        return
    host, port, timeout = config["MAIL_SERVER"], int(config["MAIL_PORT"]), config["MAIL_TIMEOUT"]
    if config.get("MAIL_USE_SSL"):
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(
            host, port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
    with smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        smtp.send_message(message)


@event.listens_for(Session, "after_commit")
def _send_outbox(session: Session) -> None:
    outbox = session.info.pop(OUTBOX_KEY, [])
    for app, message in outbox:
        try:
            deliver(app, message)
        except (OSError, smtplib.SMTPException):
            # The change is committed; a mail server outage must not turn it into an error page.
            MESSAGES_FAILED.inc()
            app.logger.exception("Could not send email %r to %s", message["Subject"], message["To"])


@event.listens_for(Session, "after_rollback")
def _drop_outbox(session: Session) -> None:
    session.info.pop(OUTBOX_KEY, None)
