"""The demo's emails: its made-up past, recorded as delivered when written."""

from __future__ import annotations

from clerkship.extensions import db
from clerkship.outbox.models import MessageState, OutboxMessage


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
