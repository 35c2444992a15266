"""The outbox as its readers see it."""

from __future__ import annotations

from sqlalchemy import Select, func, select

from clerkship.extensions import db
from clerkship.outbox.models import MessageState, OutboxMessage


def outbox_messages(departments: set[int] | None, state: MessageState | None = None) -> Select:
    """Messages of departments (None: all), in a state if given, newest first."""
    statement = select(OutboxMessage)
    if departments is not None:
        statement = statement.where(OutboxMessage.department_id.in_(sorted(departments)))
    if state is not None:
        statement = statement.where(OutboxMessage.state == state)
    return statement.order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())


def failed_message_count(departments: set[int] | None) -> int:
    """How many messages of departments (None: all) were refused for good by the mail server."""
    statement = select(func.count(OutboxMessage.id)).where(
        OutboxMessage.state == MessageState.FAILED
    )
    if departments is not None:
        # Failed messages are few: filter the department on them (found by the state index),
        # not the state on every message of the department (coalesce keeps SQLite off the
        # department index, which would read each message, bodies and all).
        department = func.coalesce(OutboxMessage.department_id, 0)
        statement = statement.where(department.in_(sorted(departments)))
    return db.session.scalar(statement) or 0
