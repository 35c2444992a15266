"""Delivering the outbox: messages go out after the transaction that queued them commits."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from flask import Flask, current_app, g, has_app_context, has_request_context
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from clerkship.core.time import utcnow
from clerkship.extensions import db
from clerkship.outbox import console
from clerkship.outbox.models import MessageState, OutboxMessage
from clerkship.outbox.services import PENDING_KEY
from clerkship.outbox.transport import Connection, PermanentFailure, TemporaryFailure

# Called after a commit that queued messages, with the app and the new messages' ids.
Kick = Callable[[Flask, list[int]], None]
KICK_KEY = "outbox_kick"


def register_kick(app: Flask, kick: Kick) -> None:
    """What to do once a transaction that queued messages commits (wake a worker)."""
    app.extensions[KICK_KEY] = kick


def deliver_now(app: Flask, ids: Iterable[int]) -> None:
    """Deliver the queued messages among ids at once, each in its own small transaction."""
    table = OutboxMessage.__table__
    with db.engine.connect() as connection:
        rows = connection.execute(
            select(table.c.id, table.c.raw, table.c.body_text, table.c.attempts).where(
                table.c.id.in_(list(ids)), table.c.state == MessageState.QUEUED
            )
        ).all()
    smtp = Connection(app) if app.config.get("MAIL_SERVER") else None
    try:
        for row in rows:
            values: dict = {"attempts": row.attempts + 1}
            try:
                if smtp is None:
                    console.show(row.raw, row.body_text)
                else:
                    smtp.send(row.raw)
                values.update(state=MessageState.SENT, sent_at=utcnow(), last_error=None)
            except TemporaryFailure as error:
                values.update(last_error=str(error))
                app.logger.warning("Could not send email %s yet: %s", row.id, error)
            except PermanentFailure as error:
                values.update(state=MessageState.FAILED, last_error=str(error))
                app.logger.warning("Email %s refused: %s", row.id, error)
            with db.engine.begin() as connection:
                connection.execute(
                    update(OutboxMessage).where(OutboxMessage.id == row.id).values(**values)
                )
    finally:
        if smtp is not None:
            smtp.close()


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint was released: the transaction goes on
        return
    ids = session.info.pop(PENDING_KEY, [])
    if not ids or not has_app_context():
        return
    if has_request_context():
        # After the response is built: the request's own connection is back in the pool.
        g.setdefault("outbox_committed", []).extend(ids)
        return
    _kick(ids)


def _kick(ids: list[int]) -> None:
    app = current_app._get_current_object()
    kick = app.extensions.get(KICK_KEY, deliver_now)
    kick(app, ids)


def kick_after_request(_error: BaseException | None = None) -> None:
    """teardown_request: hand the messages the request committed to delivery."""
    ids = g.pop("outbox_committed", None)
    if ids:
        # A POST's session may have begun a new write transaction since its commit; end it.
        db.session.close()
        _kick(ids)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    if not session.in_nested_transaction():
        session.info.pop(PENDING_KEY, None)
