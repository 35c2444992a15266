"""Student profiles, applications, their block choices and the timeline of their states."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clerkship.accounts.models import User
from clerkship.core.time import utcnow
from clerkship.core.types import UTCDateTime, enum_type
from clerkship.cycles.models import Block, Cycle, Department
from clerkship.extensions import db


class Accreditation(enum.Enum):
    """Who accredits the student's medical school."""

    LCME = "LCME"  # MD programs
    COCA = "COCA"  # DO programs


class ExamResult(enum.Enum):
    """A pass/fail licensing exam result (USMLE Step 1, COMLEX-USA Level 1)."""

    NOT_TAKEN = "not_taken"
    PASS = "pass"  # noqa: S105  # nosec B105
    FAIL = "fail"

    @property
    def label(self) -> str:
        return self.name.replace("_", " ").capitalize()


class StudentProfile(db.Model):
    """What a student tells every department once; reused by all their applications."""

    __tablename__ = "student_profile"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), unique=True)
    legal_first_name: Mapped[str] = mapped_column(String(100), default="")
    legal_last_name: Mapped[str] = mapped_column(String(100), default="")
    preferred_name: Mapped[str] = mapped_column(String(100), default="")
    pronouns: Mapped[str] = mapped_column(String(40), default="")
    phone: Mapped[str] = mapped_column(String(30), default="")
    address_line1: Mapped[str] = mapped_column(String(200), default="")
    address_line2: Mapped[str] = mapped_column(String(200), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    region: Mapped[str] = mapped_column(String(100), default="")  # state or province
    postal_code: Mapped[str] = mapped_column(String(20), default="")
    country: Mapped[str] = mapped_column(String(100), default="United States")
    medical_school: Mapped[str] = mapped_column(String(200), default="")
    accreditation: Mapped[Accreditation | None] = mapped_column(enum_type(Accreditation))
    expected_graduation: Mapped[date | None] = mapped_column(Date)
    aamc_id: Mapped[str | None] = mapped_column(String(8))
    usmle_step1: Mapped[ExamResult] = mapped_column(
        enum_type(ExamResult), default=ExamResult.NOT_TAKEN
    )
    usmle_step2_ck_score: Mapped[int | None]
    comlex_level1: Mapped[ExamResult] = mapped_column(
        enum_type(ExamResult), default=ExamResult.NOT_TAKEN
    )
    comlex_level2_ce_score: Mapped[int | None]
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship()

    __table_args__ = (
        CheckConstraint(
            "usmle_step2_ck_score IS NULL OR usmle_step2_ck_score BETWEEN 1 AND 300",
            name="step2_range",
        ),
        CheckConstraint(
            "comlex_level2_ce_score IS NULL OR comlex_level2_ce_score BETWEEN 9 AND 999",
            name="comlex2_range",
        ),
    )
    __mapper_args__ = {"version_id_col": version}

    @property
    def display_name(self) -> str:
        """The preferred name if given, else the legal first name, with the last name."""
        first = self.preferred_name or self.legal_first_name
        return f"{first} {self.legal_last_name}".strip() or self.user.full_name


class ApplicationState(enum.Enum):
    """Where an application is in its life (docs/design.md, "Life of an application")."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    UNDER_REVIEW = "under_review"
    WAITLISTED = "waitlisted"
    OFFERED = "offered"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    OFFER_EXPIRED = "offer_expired"
    NOT_SELECTED = "not_selected"
    WITHDRAWN = "withdrawn"
    COMPLETED = "completed"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()

    @property
    def is_final(self) -> bool:
        return self in FINAL_STATES


FINAL_STATES = frozenset(
    {
        ApplicationState.DECLINED,
        ApplicationState.OFFER_EXPIRED,
        ApplicationState.NOT_SELECTED,
        ApplicationState.WITHDRAWN,
        ApplicationState.COMPLETED,
    }
)


class Application(db.Model):
    """One student's application to one department in one cycle."""

    __tablename__ = "application"

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id"))
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    state: Mapped[ApplicationState] = mapped_column(
        enum_type(ApplicationState), default=ApplicationState.DRAFT, index=True
    )
    personal_statement: Mapped[str] = mapped_column(Text, default="")
    # Maintained by the pathway services (award application, self-identification,
    # a director's confirmation or withdrawal): the one flag every feature reads.
    in_pathway: Mapped[bool] = mapped_column(default=False)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When its earliest submitted review still assigned was submitted; None while no
    # reviewer has scored it. Kept by reviews.assignment.services.mark_scored, checked by
    # the doctor: the directors' count of applications without a score reads only the
    # unscored rows (ix_application_unscored) instead of every application of the season.
    scored_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    # Optimistic locking: a save from a stale form is refused, not silently lost.
    version: Mapped[int] = mapped_column(default=1)

    student: Mapped[User] = relationship(lazy="joined")
    cycle: Mapped[Cycle] = relationship()
    department: Mapped[Department] = relationship(lazy="joined")
    choices: Mapped[list[ApplicationChoice]] = relationship(
        back_populates="application",
        cascade="all, delete-orphan",
        order_by="ApplicationChoice.rank",
    )
    events: Mapped[list[ApplicationEvent]] = relationship(
        back_populates="application",
        cascade="all, delete-orphan",
        order_by="ApplicationEvent.id",
    )

    __table_args__ = (
        UniqueConstraint("student_id", "cycle_id", "department_id"),
        Index("ix_application_department_cycle_state", "department_id", "cycle_id", "state"),
        Index(
            "ix_application_unscored",
            "department_id",
            "cycle_id",
            "state",
            sqlite_where=scored_at.is_(None),
            postgresql_where=scored_at.is_(None),
        ),
    )
    __mapper_args__ = {"version_id_col": version}

    @property
    def is_editable(self) -> bool:
        """A student can change only a draft."""
        return self.state == ApplicationState.DRAFT


class ApplicationChoice(db.Model):
    """A block the student ranks, 1 = most wanted."""

    __tablename__ = "application_choice"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), index=True
    )
    block_id: Mapped[int] = mapped_column(ForeignKey("block.id", ondelete="RESTRICT"), index=True)
    rank: Mapped[int]

    application: Mapped[Application] = relationship(back_populates="choices")
    block: Mapped[Block] = relationship(lazy="joined")

    __table_args__ = (
        UniqueConstraint("application_id", "rank"),
        UniqueConstraint("application_id", "block_id"),
        CheckConstraint("rank >= 1", name="rank_positive"),
    )


class ApplicationEvent(db.Model):
    """One change of state, for the student's timeline."""

    __tablename__ = "application_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    from_state: Mapped[ApplicationState | None] = mapped_column(enum_type(ApplicationState))
    to_state: Mapped[ApplicationState] = mapped_column(enum_type(ApplicationState))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(String(1000), default="")

    application: Mapped[Application] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()
