"""The catalogue: seasons, departments, sites, rotations and their blocks."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clerkship.core.time import local_today, utcnow
from clerkship.core.types import UTCDateTime, enum_type
from clerkship.extensions import db


class Precedence(enum.Enum):
    """Order in which a block fills its open and reserved seats (docs/allocation.md §2)."""

    OPEN_FIRST = "open_first"
    RESERVED_FIRST = "reserved_first"

    @property
    def label(self) -> str:
        return "Open seats first" if self is Precedence.OPEN_FIRST else "Reserved seats first"


class AwardTiming(enum.Enum):
    """When a department's students may apply for the award (issue: award and pathway)."""

    WITH_APPLICATION = "with_application"
    AFTER_ACCEPTANCE = "after_acceptance"

    @property
    def label(self) -> str:
        if self is AwardTiming.WITH_APPLICATION:
            return "Alongside the rotation application"
        return "Only after a rotation offer is accepted"


# What a visiting student usually must send (CV, transcript, letter of good standing,
# immunization record, BLS card, TB screen); each department can change it.
DEFAULT_REQUIRED_DOCUMENTS = "cv,transcript,good_standing,immunizations,bls,tb_screen"


class Cycle(db.Model):
    """An academic year's season with its key dates."""

    __tablename__ = "cycle"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    catalogue_opens_on: Mapped[date] = mapped_column(Date)
    applications_open_on: Mapped[date] = mapped_column(Date)
    # Applications are accepted until the end of this day in the institution's zone.
    application_deadline: Mapped[date] = mapped_column(Date)
    offers_released_on: Mapped[date] = mapped_column(Date)
    rotations_start_on: Mapped[date] = mapped_column(Date)
    rotations_end_on: Mapped[date] = mapped_column(Date)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    blocks: Mapped[list[Block]] = relationship(back_populates="cycle")

    __table_args__ = (
        CheckConstraint("applications_open_on <= application_deadline", name="window_order"),
        CheckConstraint("rotations_start_on < rotations_end_on", name="season_order"),
    )

    @property
    def is_accepting_applications(self) -> bool:
        return self.applications_open_on <= local_today() <= self.application_deadline

    def __str__(self) -> str:
        return self.name


class Department(db.Model):
    """A clinical department that offers rotations."""

    __tablename__ = "department"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    contact_email: Mapped[str | None] = mapped_column(String(254))
    # The published allocation rule (docs/allocation.md §5).
    precedence: Mapped[Precedence] = mapped_column(
        enum_type(Precedence), default=Precedence.OPEN_FIRST
    )
    hard_reserves: Mapped[bool] = mapped_column(default=False)
    # Application settings.
    max_choices: Mapped[int] = mapped_column(default=5)
    statement_word_limit: Mapped[int] = mapped_column(default=500)
    letters_required: Mapped[int] = mapped_column(default=1)
    # Document kinds (values of documents.models.DocumentKind) an application needs, comma-separated.
    required_documents: Mapped[str] = mapped_column(
        String(200), default=DEFAULT_REQUIRED_DOCUMENTS, server_default=DEFAULT_REQUIRED_DOCUMENTS
    )
    award_timing: Mapped[AwardTiming] = mapped_column(
        enum_type(AwardTiming), default=AwardTiming.WITH_APPLICATION
    )
    # Review and offer settings.
    reviewers_per_application: Mapped[int] = mapped_column(default=2)
    offer_days: Mapped[int] = mapped_column(default=7)

    rotations: Mapped[list[Rotation]] = relationship(
        back_populates="department", order_by="Rotation.title"
    )

    __table_args__ = (
        CheckConstraint("max_choices BETWEEN 1 AND 20", name="max_choices_range"),
        CheckConstraint("statement_word_limit BETWEEN 50 AND 5000", name="word_limit_range"),
        CheckConstraint("letters_required BETWEEN 0 AND 5", name="letters_range"),
        CheckConstraint("reviewers_per_application BETWEEN 1 AND 10", name="reviewers_range"),
        CheckConstraint("offer_days BETWEEN 1 AND 60", name="offer_days_range"),
    )

    def __str__(self) -> str:
        return self.name


class Site(db.Model):
    """A hospital or clinic where rotations take place."""

    __tablename__ = "site"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    short_name: Mapped[str] = mapped_column(String(40), default="")
    address: Mapped[str] = mapped_column(String(300), default="")

    def __str__(self) -> str:
        return self.name


class Rotation(db.Model):
    """An elective a department offers at a site."""

    __tablename__ = "rotation"

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"))
    code: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(160))
    weeks: Mapped[int]
    description: Mapped[str] = mapped_column(Text, default="")
    prerequisites: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(default=True)

    department: Mapped[Department] = relationship(back_populates="rotations")
    site: Mapped[Site] = relationship(lazy="joined")
    blocks: Mapped[list[Block]] = relationship(
        back_populates="rotation", order_by="Block.starts_on"
    )

    __table_args__ = (
        UniqueConstraint("department_id", "code"),
        CheckConstraint("weeks BETWEEN 1 AND 52", name="weeks_range"),
    )

    def __str__(self) -> str:
        return self.title


class Block(db.Model):
    """One run of a rotation: dates and seats, R of the C seats reserved for the pathway."""

    __tablename__ = "block"

    id: Mapped[int] = mapped_column(primary_key=True)
    rotation_id: Mapped[int] = mapped_column(ForeignKey("rotation.id"), index=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id"), index=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    capacity: Mapped[int]
    reserved: Mapped[int] = mapped_column(default=0)
    # Seats held (offered or accepted), kept by the allocation services under a row lock
    # on this block; the CHECKs below make overcommitting impossible.
    open_taken: Mapped[int] = mapped_column(default=0, server_default="0")
    reserved_taken: Mapped[int] = mapped_column(default=0, server_default="0")

    rotation: Mapped[Rotation] = relationship(back_populates="blocks", lazy="joined")
    cycle: Mapped[Cycle] = relationship(back_populates="blocks")

    __table_args__ = (
        UniqueConstraint("rotation_id", "starts_on", "ends_on"),
        CheckConstraint("starts_on < ends_on", name="dates_order"),
        CheckConstraint("capacity >= 0", name="capacity_nonnegative"),
        CheckConstraint("reserved >= 0 AND reserved <= capacity", name="reserved_within_capacity"),
        CheckConstraint(
            "open_taken >= 0 AND open_taken <= capacity - reserved", name="open_seats_held"
        ),
        CheckConstraint(
            "reserved_taken >= 0 AND reserved_taken <= reserved", name="reserved_seats_held"
        ),
    )

    @property
    def open_seats(self) -> int:
        return self.capacity - self.reserved

    @property
    def label(self) -> str:
        return f"{self.rotation.title}, {self.starts_on:%b %-d}–{self.ends_on:%b %-d, %Y}"

    def __str__(self) -> str:
        return self.label
