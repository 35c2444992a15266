"""Letter requests: a writer, a single-use link, and the letter once it arrives."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clerkship.accounts.models import User
from clerkship.core.time import utcnow
from clerkship.core.types import UTCDateTime, enum_type
from clerkship.cycles.models import Cycle
from clerkship.documents.models import Document
from clerkship.extensions import db


class LetterState(enum.Enum):
    """Where a letter request is."""

    REQUESTED = "requested"
    RECEIVED = "received"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class LetterRequest(db.Model):
    """A student's request to one writer; letters count for all their applications in the cycle."""

    __tablename__ = "letter_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id"))
    writer_name: Mapped[str] = mapped_column(String(200))
    writer_email: Mapped[str] = mapped_column(String(254))
    # The student gave up the right to read the letter (FERPA waiver).
    waived: Mapped[bool]
    state: Mapped[LetterState] = mapped_column(
        enum_type(LetterState), default=LetterState.REQUESTED
    )
    # Only a hash of the emailed token is kept: a database leak does not hand out live links.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    link_expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    document_id: Mapped[int | None] = mapped_column(
        ForeignKey("document.id", ondelete="RESTRICT"), unique=True
    )

    student: Mapped[User] = relationship()
    cycle: Mapped[Cycle] = relationship()
    document: Mapped[Document | None] = relationship()

    __table_args__ = (
        CheckConstraint("writer_email = lower(writer_email)", name="writer_email_lowercase"),
        CheckConstraint(
            "(state = 'received') = (document_id IS NOT NULL AND received_at IS NOT NULL)",
            name="document_iff_received",
        ),
        # One live request per writer: asking the same person twice is a resend.
        Index(
            "uq_letter_request_live_writer",
            "student_id",
            "cycle_id",
            "writer_email",
            unique=True,
            sqlite_where=text("state != 'cancelled'"),
            postgresql_where=text("state != 'cancelled'"),
        ),
    )

    @property
    def is_received(self) -> bool:
        return self.state == LetterState.RECEIVED

    @property
    def is_open(self) -> bool:
        """The writer can still upload."""
        return self.state == LetterState.REQUESTED

    @property
    def link_expired(self) -> bool:
        return self.link_expires_at <= utcnow()
