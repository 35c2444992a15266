"""The record of compliance reminders sent (one per placement per day at most)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clerkship.allocation.models import Placement
from clerkship.core.time import utcnow
from clerkship.core.types import UTCDateTime
from clerkship.extensions import db


class ComplianceReminder(db.Model):
    """A reminder email about missing or expiring documents, sent for one placement.

    The unique (placement, day) pair keeps a daily scheduler, or two at once, from sending
    a student the same reminder twice in a day.
    """

    __tablename__ = "compliance_reminder"

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(
        ForeignKey("placement.id", ondelete="CASCADE"), index=True
    )
    sent_on: Mapped[date] = mapped_column(Date)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    items: Mapped[list[str]] = mapped_column(JSON, default=list)

    placement: Mapped[Placement] = relationship()

    __table_args__ = (UniqueConstraint("placement_id", "sent_on"),)
