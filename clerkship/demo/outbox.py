"""The demo's emails: its made-up past, recorded as delivered when written."""

from __future__ import annotations

from sqlalchemy import inspect, select

from clerkship.extensions import db
from clerkship.outbox.models import MessageState, OutboxMessage
from clerkship.outbox.services import PENDING_KEY


def mark_history_delivered() -> None:
    """Record every queued email as sent when it was written.

    The season is a made-up past: its offers' clocks run from then (offers only expire
    once their email went out), and the worker `make run` starts does not print hundreds
    of old emails at first start, burying the verification link a newcomer looks for.
    """
    table = OutboxMessage.__table__
    db.session.execute(
        table.update()
        .where(table.c.state == MessageState.QUEUED)
        .values(state=MessageState.SENT, sent_at=table.c.created_at, attempts=1)
    )


def fail_one_email() -> None:
    """One Emergency Medicine email the mail server refused for good, so the outbox and the
    start pages of the administrator and that department's staff show a failure to act on."""
    message = db.session.scalar(
        select(OutboxMessage)
        .where(
            OutboxMessage.template == "application_state",
            OutboxMessage.department_id.is_not(None),
        )
        .order_by(OutboxMessage.id)
        .limit(1)
    )
    if message is None:
        return
    message.state = MessageState.FAILED
    message.sent_at = None
    message.last_error = (
        f"550 5.1.1 <{message.to_address}>: Recipient address rejected: User unknown"
    )


def hold_pending_by_id() -> None:
    """Keep the session's list of queued emails (woken on commit) as ids, not rows.

    A large season queues thousands of emails in its one transaction; held as rows they
    stay in the session, and every service that expires the session to read fresh
    (`take_season_lock`) would expire and reload each of them. Call after a flush.
    """
    pending = db.session.info.get(PENDING_KEY)
    if pending:
        db.session.info[PENDING_KEY] = [
            item if isinstance(item, int) else inspect(item).identity[0]
            for item in pending
            if isinstance(item, int) or inspect(item).identity is not None
        ]
