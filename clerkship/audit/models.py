"""Audit events."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clerkship.core.time import utcnow
from clerkship.core.types import UTCDateTime
from clerkship.extensions import db


class Person(Protocol):
    """A user as the log sees them (accounts.models.User): the log sits below accounts."""

    id: int
    email: str
    full_name: str
    is_authenticated: bool
    is_admin: bool


class AuditEvent(db.Model):
    """One recorded action. Written by services, never edited."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # Kept as text too, so the log still names a person after their account is gone.
    actor_email: Mapped[str | None] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(80), index=True)
    target_type: Mapped[str | None] = mapped_column(String(60))
    target_id: Mapped[int | None]
    # The person the record is about (e.g. the student whose answers were viewed).
    subject_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    summary: Mapped[str] = mapped_column(String(500), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    ip_address: Mapped[str | None] = mapped_column(String(45))

    actor: Mapped[Person | None] = relationship("User", foreign_keys=[actor_id], lazy="joined")
    subject_user: Mapped[Person | None] = relationship(
        "User", foreign_keys=[subject_user_id], lazy="joined"
    )

    __table_args__ = (Index("ix_audit_event_target", "target_type", "target_id"),)
