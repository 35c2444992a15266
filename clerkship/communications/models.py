"""A department's message templates (and its versions of the automatic emails), and each
message staff wrote to a selection of students."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clerkship.accounts.models import User
from clerkship.core.time import utcnow
from clerkship.core.types import UTCDateTime
from clerkship.cycles.models import Department
from clerkship.extensions import db


class MessageTemplate(db.Model):
    """A department's text: a template staff write from, or (automatic set) the department's
    version of an automatic email, which replaces the default until it is reset (deleted)."""

    __tablename__ = "message_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(
        ForeignKey("department.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    # The automatic email this text replaces (AUTOMATIC_EMAILS key), or None for a template.
    automatic: Mapped[str | None] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    department: Mapped[Department] = relationship()
    updated_by: Mapped[User | None] = relationship()

    __table_args__ = (
        UniqueConstraint("department_id", "name", name="uq_message_template_name"),
        Index(
            "uq_message_template_automatic",
            "department_id",
            "automatic",
            unique=True,
        ),
    )


class StaffMessage(db.Model):
    """One message a member of staff wrote to selected students (one email per student)."""

    __tablename__ = "staff_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    template_id: Mapped[int | None] = mapped_column(
        ForeignKey("message_templates.id", ondelete="SET NULL")
    )
    # The one-time key of the compose page: a second submit of the same page sends nothing.
    send_key: Mapped[str] = mapped_column(String(64), unique=True)
    source: Mapped[str] = mapped_column(String(40))  # the list the students were chosen on
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    recipient_count: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    department: Mapped[Department] = relationship()
    author: Mapped[User | None] = relationship()

    __table_args__ = (CheckConstraint("recipient_count > 0", name="recipients"),)
