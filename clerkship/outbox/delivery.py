"""Delivering the outbox: a worker leases due messages, sends them, records the outcome.

At least once, with a lease: a pick marks a batch `sending` until `lease_until` under a
token of its own, in one statement (FOR UPDATE SKIP LOCKED on PostgreSQL; SQLite
serialises writers), so two workers never hold the same message. Each message's outcome
is committed as soon as the server answered, so the only way a second copy can go out is
a worker killed between the server's acceptance and that commit: its lease runs out, the
message is picked again and sent with the same stored bytes, hence the same Message-ID.
A temporary failure (4xx, no connection) retries with exponential backoff, without end:
an outage of any length loses nothing. A permanent refusal (5xx) is marked failed with
the server's words. Requests never come here: they only queue (services.py) and, after
their commit, wake a worker (register_kick).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from flask import Flask, current_app, g, has_app_context, has_request_context
from sqlalchemy import and_, event, inspect, or_, select, update
from sqlalchemy.orm import Session

from clerkship.core.metrics import MESSAGES_FAILED
from clerkship.core.time import utcnow
from clerkship.extensions import db
from clerkship.outbox import console
from clerkship.outbox.models import MessageState, OutboxMessage
from clerkship.outbox.redaction import redact
from clerkship.outbox.services import PENDING_KEY
from clerkship.outbox.signals import message_sent
from clerkship.outbox.transport import Connection, PermanentFailure, TemporaryFailure

# Called after a commit that queued messages, with the app and the new messages' ids.
Kick = Callable[[Flask, list[int]], None]
KICK_KEY = "outbox_kick"


def register_kick(app: Flask, kick: Kick) -> None:
    """How to wake a worker once a transaction that queued messages commits (jobs)."""
    app.extensions[KICK_KEY] = kick


@dataclass
class Outcome:
    """What one pass of the worker did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    lost_lease: int = 0

    @property
    def picked(self) -> int:
        return self.sent + self.retrying + self.failed + self.lost_lease


def backoff(attempts: int) -> timedelta:
    """How long to wait after the attempts-th temporary failure: doubling, capped."""
    config = current_app.config
    base, cap = config["OUTBOX_RETRY_BASE_SECONDS"], config["OUTBOX_RETRY_MAX_SECONDS"]
    return timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


def _due():
    now = utcnow()
    return or_(
        and_(OutboxMessage.state == MessageState.QUEUED, OutboxMessage.next_attempt_at <= now),
        # A worker died holding these: its lease ran out.
        and_(OutboxMessage.state == MessageState.SENDING, OutboxMessage.lease_until < now),
    )


def has_due() -> bool:
    """Whether a message waits for delivery now (a plain read: takes no write lock)."""
    return db.session.scalar(select(OutboxMessage.id).where(_due()).limit(1)) is not None


def pick(limit: int) -> tuple[str, list[int]]:
    """Lease up to limit due messages to this worker; its token and their ids, oldest first."""
    token = secrets.token_hex(16)
    now = utcnow()
    chosen = (
        select(OutboxMessage.id)
        .where(_due())
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    lease = timedelta(seconds=current_app.config["OUTBOX_LEASE_SECONDS"])
    ids = db.session.scalars(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(chosen))
        .values(state=MessageState.SENDING, lease_until=now + lease, lease_token=token)
        .returning(OutboxMessage.id),
        execution_options={"synchronize_session": False},
    ).all()
    db.session.commit()
    return token, sorted(ids)


def _record(message_id: int, token: str, **values) -> bool:
    """Record an outcome if this worker still holds the lease; whether it did."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.lease_token == token)
        .values(lease_until=None, lease_token=None, **values),
        execution_options={"synchronize_session": False},
    )
    return result.rowcount == 1


def _scrubbed(app: Flask, row) -> dict:
    """Once a secret message (a reset, verification, invitation or upload link) is
    delivered, its link has no business in the database: the stored text keeps the
    message with the link hidden, and the wire form is dropped. Development keeps both,
    so that a newcomer without a mail server can follow every link from the outbox page."""
    if not row.contains_secret or app.config["ENV_NAME"] == "development":
        return {}
    return {"raw": b"", "body_text": redact(row.body_text, secret=True)}


def deliver_batch(app: Flask, limit: int = 100) -> Outcome:
    """Lease a batch, send it over one SMTP connection, commit each message's outcome."""
    outcome = Outcome()
    token, ids = pick(limit)
    if not ids:
        return outcome
    rows = db.session.execute(
        select(
            OutboxMessage.id,
            OutboxMessage.raw,
            OutboxMessage.body_text,
            OutboxMessage.attempts,
            OutboxMessage.contains_secret,
        )
        .where(OutboxMessage.id.in_(ids))
        .order_by(OutboxMessage.id)
    ).all()
    db.session.commit()
    smtp = Connection(app) if app.config.get("MAIL_SERVER") else None
    down: TemporaryFailure | None = None  # the server cannot be reached: stop trying
    try:
        for row in rows:
            error: Exception | None = down
            tried = down is None
            if tried:
                try:
                    if smtp is None:
                        console.show(row.raw, row.body_text)
                    else:
                        smtp.send(row.raw)
                except (TemporaryFailure, PermanentFailure) as failure:
                    error = failure
                    if isinstance(failure, TemporaryFailure) and failure.connection:
                        down = failure
            attempts = row.attempts + 1 if tried else row.attempts
            if error is not None and tried:
                MESSAGES_FAILED.inc()
            if error is None:
                kept = _record(
                    row.id,
                    token,
                    state=MessageState.SENT,
                    sent_at=utcnow(),
                    attempts=attempts,
                    last_error=None,
                    **_scrubbed(app, row),
                )
                if kept:
                    message_sent.send(app, message=db.session.get(OutboxMessage, row.id))
                outcome.sent += kept
            elif isinstance(error, PermanentFailure):
                kept = _record(
                    row.id,
                    token,
                    state=MessageState.FAILED,
                    attempts=attempts,
                    last_error=str(error),
                )
                outcome.failed += kept
            else:
                kept = _record(
                    row.id,
                    token,
                    state=MessageState.QUEUED,
                    attempts=attempts,
                    next_attempt_at=utcnow() + backoff(max(attempts, 1)),
                    last_error=str(error),
                )
                outcome.retrying += kept
            outcome.lost_lease += not kept
            db.session.commit()
    finally:
        if smtp is not None:
            smtp.close()
        db.session.rollback()
    if down is not None:
        app.logger.warning(
            "Mail server unavailable, %d message(s) wait: %s", outcome.retrying, down
        )
    return outcome


def deliver_due(app: Flask, *, limit: int = 100, max_batches: int | None = None) -> Outcome:
    """Deliver every due message, batch after batch, until none is due or the server is down."""
    total = Outcome()
    batches = 0
    while max_batches is None or batches < max_batches:
        outcome = deliver_batch(app, limit)
        batches += 1
        for name in ("sent", "retrying", "failed", "lost_lease"):
            setattr(total, name, getattr(total, name) + getattr(outcome, name))
        if outcome.picked == 0 or outcome.sent + outcome.failed == 0:
            break
    return total


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint was released: the transaction goes on
        return
    ids = _committed_ids(session.info.pop(PENDING_KEY, []))
    if not ids or not has_app_context():
        return
    if has_request_context():
        # After the response is built, so that nothing of it waits on the queue.
        g.setdefault("outbox_committed", []).extend(ids)
        return
    _kick(ids)


def _committed_ids(pending: list) -> list[int]:
    """The ids of the queued messages (rows, or ids), read without loading anything."""
    ids = []
    for item in pending:
        if isinstance(item, int):
            ids.append(item)
            continue
        identity = inspect(item).identity  # None: rolled back with a savepoint, never written
        if identity is not None:
            ids.append(identity[0])
    return ids


def _kick(ids: list[int]) -> None:
    app = current_app._get_current_object()
    kick = app.extensions.get(KICK_KEY)
    if kick is not None:
        try:
            kick(app, ids)
        except Exception:
            app.logger.exception("Could not wake the delivery worker; the sweep will send them")


def kick_after_request(_error: BaseException | None = None) -> None:
    """teardown_request: wake a worker for the messages the request committed."""
    ids = g.pop("outbox_committed", None)
    if ids:
        _kick(ids)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    if not session.in_nested_transaction():
        session.info.pop(PENDING_KEY, None)
