"""Mentors, affinity groups, students' mentor requests and their affinity-group choices."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clerkship.accounts.models import User
from clerkship.core.time import utcnow
from clerkship.core.types import UTCDateTime, enum_type
from clerkship.cycles.models import Cycle, Department
from clerkship.extensions import db


class MentorKind(enum.Enum):
    """Who the mentor is at the institution."""

    RESIDENT = "resident"
    FACULTY = "faculty"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class RequestState(enum.Enum):
    """Where a student's request for a mentor is."""

    OPEN = "open"
    MATCHED = "matched"
    WITHDRAWN = "withdrawn"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return REQUEST_STATE_LABELS[self]


REQUEST_STATE_LABELS = {
    RequestState.OPEN: "Waiting for a mentor",
    RequestState.MATCHED: "Matched with a mentor",
    RequestState.WITHDRAWN: "Withdrawn",
    RequestState.CLOSED: "Closed by the department",
}


class MentorshipSetting(db.Model):
    """A department's choice of who may ask for a mentor: the pathway (default) or everyone."""

    __tablename__ = "mentorship_setting"

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(
        ForeignKey("department.id", ondelete="CASCADE"), unique=True
    )
    open_to_all: Mapped[bool] = mapped_column(default=False)

    department: Mapped[Department] = relationship()


class Mentor(db.Model):
    """A resident or faculty member of a department who takes visiting students as mentees."""

    __tablename__ = "mentor"

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(
        ForeignKey("department.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    kind: Mapped[MentorKind] = mapped_column(enum_type(MentorKind))
    # Mentees per cycle: matched requests of one cycle never exceed it (services).
    capacity: Mapped[int] = mapped_column(default=1)
    offers: Mapped[str] = mapped_column(Text, default="")  # interests, as short tags
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    department: Mapped[Department] = relationship()

    __table_args__ = (
        UniqueConstraint("department_id", "email"),
        CheckConstraint("capacity >= 0 AND capacity <= 50", name="capacity_range"),
    )


class AffinityGroup(db.Model):
    """An institution-wide affinity group a student may choose to hear from."""

    __tablename__ = "affinity_group"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    contact_email: Mapped[str] = mapped_column(String(254))
    description: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(default=True)


class MentorRequest(db.Model):
    """A student's request for a mentor in one department and cycle (one row, reopened if asked again)."""

    __tablename__ = "mentor_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id", ondelete="CASCADE"))
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id", ondelete="CASCADE"), index=True)
    interests: Mapped[str] = mapped_column(Text, default="")
    # Whether the department's mentorship staff may see the student's affinity-group choices.
    share_affinity_with_staff: Mapped[bool] = mapped_column(default=False)
    state: Mapped[RequestState] = mapped_column(
        enum_type(RequestState), default=RequestState.OPEN, index=True
    )
    mentor_id: Mapped[int | None] = mapped_column(
        ForeignKey("mentor.id", ondelete="RESTRICT"), index=True
    )
    matched_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    matched_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    first_meeting_on: Mapped[date | None] = mapped_column(Date)
    closed_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    student: Mapped[User] = relationship(foreign_keys=[student_id], lazy="joined")
    department: Mapped[Department] = relationship(lazy="joined")
    cycle: Mapped[Cycle] = relationship()
    mentor: Mapped[Mentor | None] = relationship(lazy="joined")
    matched_by: Mapped[User | None] = relationship(foreign_keys=[matched_by_id])

    __table_args__ = (
        UniqueConstraint("student_id", "department_id", "cycle_id"),
        CheckConstraint(
            "state != 'matched' OR (mentor_id IS NOT NULL AND matched_at IS NOT NULL)",
            name="matched_has_mentor",
        ),
        CheckConstraint(
            "first_meeting_on IS NULL OR mentor_id IS NOT NULL", name="meeting_matched"
        ),
    )
    __mapper_args__ = {"version_id_col": version}


class AffinityChoice(db.Model):
    """A student's wish to hear from an affinity group; shared with its contact only if allowed."""

    __tablename__ = "affinity_choice"

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    group_id: Mapped[int] = mapped_column(
        ForeignKey("affinity_group.id", ondelete="CASCADE"), index=True
    )
    share_with_contact: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    student: Mapped[User] = relationship()
    group: Mapped[AffinityGroup] = relationship(lazy="joined")

    __table_args__ = (UniqueConstraint("student_id", "group_id"),)
