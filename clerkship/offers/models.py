"""Offers and the record of every waitlist move."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from clerkship.allocation.engine import SeatType
from clerkship.allocation.models import Placement
from clerkship.applications.models import Application
from clerkship.core.time import utcnow
from clerkship.core.types import UTCDateTime, enum_type
from clerkship.cycles.models import Block
from clerkship.extensions import db
from clerkship.outbox.models import OutboxMessage


class OfferState(enum.Enum):
    """The answer to an offer."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"  # the student withdrew the application
    SUPERSEDED = "superseded"  # given up for a better block the student accepted

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Offer(db.Model):
    """The offer of a placement to a student, answered while signed in."""

    __tablename__ = "offer"

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(ForeignKey("placement.id"), unique=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    state: Mapped[OfferState] = mapped_column(enum_type(OfferState), default=OfferState.PENDING)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The email announcing the offer, and the time to answer it gives: the deadline counts
    # from when that email was sent, so a mail outage never shortens it (expires_at is
    # first set from the queuing, then moved when the worker delivers; services.py).
    notice_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_messages.id", ondelete="SET NULL"), index=True
    )
    answer_window_seconds: Mapped[int | None]

    placement: Mapped[Placement] = relationship(lazy="joined")
    notice: Mapped[OutboxMessage | None] = relationship()
    # Application.offers, for the student's status page (applications know nothing of offers).
    application: Mapped[Application] = relationship(
        backref=backref("offers", order_by="Offer.id", viewonly=True)
    )

    __table_args__ = (
        # At most one open offer and one accepted offer per application (an accepted
        # student may be offered a block they ranked higher when a seat frees up).
        Index(
            "uq_offer_pending",
            "application_id",
            unique=True,
            sqlite_where=text("state = 'pending'"),
            postgresql_where=text("state = 'pending'"),
        ),
        Index(
            "uq_offer_accepted",
            "application_id",
            unique=True,
            sqlite_where=text("state = 'accepted'"),
            postgresql_where=text("state = 'accepted'"),
        ),
    )


class SeatMove(db.Model):
    """One step of the waitlist: a seat freed, and who (if anyone) it went to, and why."""

    __tablename__ = "seat_move"

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    block_id: Mapped[int] = mapped_column(ForeignKey("block.id"))
    seat_type: Mapped[SeatType] = mapped_column(enum_type(SeatType))
    freed_by_id: Mapped[int | None] = mapped_column(ForeignKey("application.id"))
    cause: Mapped[str] = mapped_column(String(40))  # declined, expired, withdrawn, moved up
    given_to_id: Mapped[int | None] = mapped_column(ForeignKey("application.id"))
    given_as: Mapped[SeatType | None] = mapped_column(enum_type(SeatType))
    explanation: Mapped[str] = mapped_column(Text, default="")

    block: Mapped[Block] = relationship()
    freed_by: Mapped[Application | None] = relationship(foreign_keys=[freed_by_id])
    given_to: Mapped[Application | None] = relationship(foreign_keys=[given_to_id])
