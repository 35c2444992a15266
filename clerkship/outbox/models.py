"""The outbox: every email, written in the transaction of the change it announces."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from clerkship.core.time import utcnow
from clerkship.core.types import UTCDateTime, enum_type
from clerkship.extensions import db


class MessageState(enum.Enum):
    """Where a message is on its way out."""

    QUEUED = "queued"  # waiting for a worker (first try, or a retry after a temporary failure)
    SENDING = "sending"  # leased by a worker until lease_until
    SENT = "sent"  # the mail server accepted it
    FAILED = "failed"  # refused for good (5xx); last_error says why

    @property
    def label(self) -> str:
        return self.value.capitalize()


class OutboxMessage(db.Model):
    """One email: its whole MIME text as delivered, whom and what it is about, its state."""

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    to_address: Mapped[str] = mapped_column(String(2000))
    subject: Mapped[str] = mapped_column(String(500))
    body_text: Mapped[str] = mapped_column(Text)
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    # The email template's name, or "staff_message" for one a member of staff wrote.
    template: Mapped[str] = mapped_column(String(80))
    # Foreign keys by table name: the outbox sits below every feature and knows none.
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("department.id", ondelete="SET NULL"), index=True
    )
    application_id: Mapped[int | None] = mapped_column(
        ForeignKey("application.id", ondelete="SET NULL")
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # A secret link (password reset, verification, a letter writer's upload link) is inside.
    contains_secret: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[MessageState] = mapped_column(
        enum_type(MessageState, length=16), default=MessageState.QUEUED
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Who holds the lease (a random token per pick), so a worker whose lease ran out
    # cannot record the outcome of a message another worker has taken since.
    lease_token: Mapped[str | None] = mapped_column(String(40))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        CheckConstraint("state IN ('queued', 'sending', 'sent', 'failed')", name="state_valid"),
        CheckConstraint("attempts >= 0", name="attempts_nonnegative"),
        CheckConstraint("state != 'sent' OR sent_at IS NOT NULL", name="sent_has_time"),
        Index("ix_outbox_messages_pick", "state", "next_attempt_at"),
        Index("ix_outbox_messages_recipient", "recipient_id", "created_at"),
        Index("ix_outbox_messages_application", "application_id", "created_at"),
    )
