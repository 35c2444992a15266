"""The rotation itself: a placed student's arrival and completion (or early end), and the
first-day information of each rotation."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clerkship.accounts.models import User
from clerkship.allocation.models import Placement
from clerkship.core.time import utcnow
from clerkship.core.types import UTCDateTime, enum_type
from clerkship.cycles.models import Rotation
from clerkship.extensions import db

# How many days before the block starts the student sees the first-day information, by default.
DEFAULT_FIRST_DAY_NOTICE_DAYS = 14


class RotationState(enum.Enum):
    """Where a placed student's rotation is: arrived, then completed or ended early."""

    ARRIVED = "arrived"
    COMPLETED = "completed"
    ENDED_EARLY = "ended_early"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class RotationRecord(db.Model):
    """What the coordinator recorded of one placement's rotation (at most one per placement).

    Written only by rotations.services; the application's Completed state and the award's
    "rotation completed" follow it in the same transaction (docs/invariants.md).
    """

    __tablename__ = "rotation_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(
        ForeignKey("placement.id", ondelete="CASCADE"), unique=True
    )
    state: Mapped[RotationState] = mapped_column(
        enum_type(RotationState), default=RotationState.ARRIVED, index=True
    )
    arrived_on: Mapped[date] = mapped_column(Date)
    # The completion's date (the block's end) or the last day of an early end.
    ended_on: Mapped[date | None] = mapped_column(Date)
    end_reason: Mapped[str] = mapped_column(Text, default="")
    arrival_recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL")
    )
    end_recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL")
    )
    arrival_recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    end_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(default=1)

    placement: Mapped[Placement] = relationship()
    arrival_recorded_by: Mapped[User | None] = relationship(foreign_keys=[arrival_recorded_by_id])
    end_recorded_by: Mapped[User | None] = relationship(foreign_keys=[end_recorded_by_id])

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        CheckConstraint(
            "state = 'arrived' OR (ended_on IS NOT NULL AND end_recorded_at IS NOT NULL)",
            name="ended_has_date",
        ),
        CheckConstraint("state != 'arrived' OR ended_on IS NULL", name="arrived_not_ended"),
        CheckConstraint("state != 'ended_early' OR end_reason != ''", name="early_end_has_reason"),
        CheckConstraint("ended_on IS NULL OR ended_on >= arrived_on", name="ends_after_arrival"),
    )


class FirstDayInfo(db.Model):
    """Where to go and whom to ask on a rotation's first day, set by the coordinator.

    Students placed in the rotation see it on their start page from notice_days before
    their block starts until it ends.
    """

    __tablename__ = "rotation_first_day"

    id: Mapped[int] = mapped_column(primary_key=True)
    rotation_id: Mapped[int] = mapped_column(
        ForeignKey("rotation.id", ondelete="CASCADE"), unique=True
    )
    where_to_go: Mapped[str] = mapped_column(Text, default="")
    whom_to_ask: Mapped[str] = mapped_column(Text, default="")
    notice_days: Mapped[int] = mapped_column(default=DEFAULT_FIRST_DAY_NOTICE_DAYS)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    rotation: Mapped[Rotation] = relationship()

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        CheckConstraint("notice_days >= 0 AND notice_days <= 120", name="notice_days_range"),
    )
