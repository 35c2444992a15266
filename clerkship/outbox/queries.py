"""Reads of the outbox shared by pages of other features."""

from __future__ import annotations

from sqlalchemy import Select, select

from clerkship.outbox.models import OutboxMessage


def messages_for_recipient(user_id: int) -> Select:
    """Messages sent (or to be sent) to a user, newest first."""
    return (
        select(OutboxMessage)
        .where(OutboxMessage.recipient_id == user_id)
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
    )


def messages_about_application(application_id: int) -> Select:
    """Messages about an application, newest first."""
    return (
        select(OutboxMessage)
        .where(OutboxMessage.application_id == application_id)
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
    )
