"""Review rounds, versioned rubrics, reviewers' schools, caps and declared conflicts.

A round is the review of one department's applications in one cycle, or of the award
applications of a cycle. It carries the settings of that review: the blinding of the
first phase, whether a second phase reveals, calibration and disagreement, and which
composite feeds the allocation. Assignments, reviews and the discussion are in
`records.py`.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clerkship.accounts.models import User
from clerkship.core.time import utcnow
from clerkship.core.types import UTCDateTime, enum_type
from clerkship.cycles.models import Cycle, Department
from clerkship.documents.models import DocumentKind
from clerkship.extensions import db


class Purpose(enum.Enum):
    """What a round reviews: a department's applications, or the award's."""

    APPLICATION = "application"
    AWARD = "award"


class Phase(enum.Enum):
    """First phase blinded; the second reveals what the round says; closed ends scoring."""

    FIRST = "first"
    SECOND = "second"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return PHASE_LABELS[self]


PHASE_LABELS = {
    Phase.FIRST: "First phase (blinded)",
    Phase.SECOND: "Second phase",
    Phase.CLOSED: "Closed",
}


class CompositeSource(enum.Enum):
    """Which composite the allocation uses as the student's score."""

    RAW = "raw"
    CALIBRATED = "calibrated"

    @property
    def label(self) -> str:
        return "Raw composite" if self is CompositeSource.RAW else "Calibrated composite"


# The fields a round can hide from reviewers in its first phase, with their labels.
# Self-identification answers are not among them: reviewers never see those.
BLINDABLE_FIELDS = {
    "name": "Name",
    "photo": "Photo",
    "pronouns": "Pronouns",
    "school": "Medical school",
    "exam_scores": "Exam scores",
    "pathway": "UIM pathway flag",
}

# The document kinds a round can show its reviewers, in the order pages list them. The
# photo is not among them: it is a blinding field of its own.
REVIEWABLE_KINDS = (
    DocumentKind.CV,
    DocumentKind.TRANSCRIPT,
    DocumentKind.GOOD_STANDING,
    DocumentKind.LETTER,
)
ALL_REVIEWABLE = ",".join(kind.value for kind in REVIEWABLE_KINDS)
# Hidden fields that make a phase blinded to who the student is: a document that names
# the student (or their school) is then shown only as a redacted copy, or not at all.
IDENTITY_FIELDS = frozenset({"name", "school"})


def parse_kinds(stored: str) -> frozenset[DocumentKind]:
    """The document kinds a stored setting names (unknown values are ignored)."""
    values = set(stored.split(","))
    return frozenset(kind for kind in REVIEWABLE_KINDS if kind.value in values)


def store_kinds(kinds) -> str:
    """A set of document kinds as the round stores it, in the usual order."""
    return ",".join(kind.value for kind in REVIEWABLE_KINDS if kind in kinds)


class ReviewRound(db.Model):
    """The review of one department's applications (or the award's) in one cycle."""

    __tablename__ = "review_round"

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[Purpose] = mapped_column(enum_type(Purpose), default=Purpose.APPLICATION)
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("department.id", ondelete="CASCADE")
    )
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id", ondelete="CASCADE"))
    phase: Mapped[Phase] = mapped_column(enum_type(Phase), default=Phase.FIRST)
    revealed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Blinding: what reviewers do not see in the first phase.
    hide_name: Mapped[bool] = mapped_column(default=True)
    hide_photo: Mapped[bool] = mapped_column(default=True)
    hide_pronouns: Mapped[bool] = mapped_column(default=True)
    hide_school: Mapped[bool] = mapped_column(default=True)
    hide_exam_scores: Mapped[bool] = mapped_column(default=True)
    hide_pathway: Mapped[bool] = mapped_column(default=True)
    reveal_in_second_phase: Mapped[bool] = mapped_column(default=True)
    # The document kinds reviewers see in each phase (store_kinds); in a phase blinded to
    # who the student is, only redacted copies of the kinds that name them.
    first_phase_documents: Mapped[str] = mapped_column(String(200), default=ALL_REVIEWABLE)
    second_phase_documents: Mapped[str] = mapped_column(String(200), default=ALL_REVIEWABLE)
    # New assignments are due on this day unless the director says otherwise.
    due_on: Mapped[date | None] = mapped_column(Date)
    calibration_min_reviews: Mapped[int] = mapped_column(default=5)
    disagreement_threshold: Mapped[Decimal] = mapped_column(Numeric(4, 2), default=Decimal("1.00"))
    composite_source: Mapped[CompositeSource] = mapped_column(
        enum_type(CompositeSource), default=CompositeSource.RAW
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    department: Mapped[Department | None] = relationship(lazy="joined")
    cycle: Mapped[Cycle] = relationship(lazy="joined")

    __table_args__ = (
        CheckConstraint(
            "(purpose = 'award') = (department_id IS NULL)", name="department_iff_application"
        ),
        CheckConstraint(
            "calibration_min_reviews BETWEEN 2 AND 1000", name="calibration_min_reviews_range"
        ),
        CheckConstraint(
            "disagreement_threshold > 0 AND disagreement_threshold <= 10",
            name="disagreement_threshold_range",
        ),
        Index(
            "uq_review_round_department_cycle",
            "department_id",
            "cycle_id",
            unique=True,
            sqlite_where=text("department_id IS NOT NULL"),
            postgresql_where=text("department_id IS NOT NULL"),
        ),
        Index(
            "uq_review_round_award_cycle",
            "cycle_id",
            unique=True,
            sqlite_where=text("department_id IS NULL"),
            postgresql_where=text("department_id IS NULL"),
        ),
    )
    __mapper_args__ = {"version_id_col": version}

    @property
    def title(self) -> str:
        scope = "Award" if self.department is None else self.department.name
        return f"{scope} reviews, {self.cycle.name}"

    @property
    def is_open(self) -> bool:
        """Reviews can be saved, submitted and edited."""
        return self.phase is not Phase.CLOSED

    @property
    def first_phase_hidden(self) -> frozenset[str]:
        """The fields hidden from reviewers in the first phase."""
        return frozenset(name for name in BLINDABLE_FIELDS if getattr(self, f"hide_{name}"))

    @property
    def hidden_now(self) -> frozenset[str]:
        """The fields hidden from reviewers now (a closed round keeps what it last showed)."""
        if self.revealed_at is not None and self.reveal_in_second_phase:
            return frozenset()
        return self.first_phase_hidden

    @property
    def identity_hidden_now(self) -> bool:
        """Reviewers do not know who the student is now (name or school hidden)."""
        return bool(self.hidden_now & IDENTITY_FIELDS)

    @property
    def identity_hidden_in_second_phase(self) -> bool:
        """The second phase still hides who the student is (it reveals nothing)."""
        return not self.reveal_in_second_phase and bool(self.first_phase_hidden & IDENTITY_FIELDS)

    def document_kinds(self, phase: Phase) -> frozenset[DocumentKind]:
        """The document kinds reviewers see in a phase (first, or second and after)."""
        stored = self.first_phase_documents if phase is Phase.FIRST else self.second_phase_documents
        return parse_kinds(stored or "")

    @property
    def document_kinds_now(self) -> frozenset[DocumentKind]:
        """The document kinds reviewers see now (a closed round keeps its last phase's)."""
        return self.document_kinds(Phase.SECOND if self.revealed_at is not None else Phase.FIRST)

    @property
    def hidden_labels(self) -> list[str]:
        """Labels of the fields hidden from reviewers now, in the usual order."""
        return [label for name, label in BLINDABLE_FIELDS.items() if name in self.hidden_now]


class Rubric(db.Model):
    """One version of a round's rubric: its scale and criteria. Reviews keep their version."""

    __tablename__ = "rubric"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("review_round.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(default=1)
    title: Mapped[str] = mapped_column(String(160))
    scale_low: Mapped[int] = mapped_column(default=1)
    scale_high: Mapped[int] = mapped_column(default=5)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    round: Mapped[ReviewRound] = relationship()
    criteria: Mapped[list[RubricCriterion]] = relationship(
        back_populates="rubric",
        cascade="all, delete-orphan",
        order_by="RubricCriterion.position",
        lazy="selectin",
    )

    __table_args__ = (
        UniqueConstraint("round_id", "number"),
        CheckConstraint(
            "scale_low >= 0 AND scale_high <= 10 AND scale_low < scale_high", name="scale_range"
        ),
        CheckConstraint("number >= 1", name="number_positive"),
        # Ids are never reused (a replaced version gets a new one): editors detect a stale
        # form by the id of the version they opened.
        {"sqlite_autoincrement": True},
    )

    @property
    def levels(self) -> range:
        return range(self.scale_low, self.scale_high + 1)


class RubricCriterion(db.Model):
    """A criterion of one rubric version; key stays the same across versions."""

    __tablename__ = "rubric_criterion"

    id: Mapped[int] = mapped_column(primary_key=True)
    rubric_id: Mapped[int] = mapped_column(ForeignKey("rubric.id", ondelete="CASCADE"))
    position: Mapped[int]
    key: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(120))
    guidance: Mapped[str] = mapped_column(Text, default="")
    weight: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    allows_insufficient: Mapped[bool] = mapped_column(default=False)

    rubric: Mapped[Rubric] = relationship(back_populates="criteria")
    levels: Mapped[list[CriterionLevel]] = relationship(
        back_populates="criterion",
        cascade="all, delete-orphan",
        order_by="CriterionLevel.level",
        lazy="selectin",
    )

    __table_args__ = (
        UniqueConstraint("rubric_id", "position"),
        UniqueConstraint("rubric_id", "key"),
        CheckConstraint("weight > 0", name="weight_positive"),
    )

    def description(self, level: int) -> str:
        """The behavioural description of one level."""
        return next((item.description for item in self.levels if item.level == level), "")


class CriterionLevel(db.Model):
    """The behaviour that earns one level of a criterion."""

    __tablename__ = "criterion_level"

    id: Mapped[int] = mapped_column(primary_key=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("rubric_criterion.id", ondelete="CASCADE"))
    level: Mapped[int]
    description: Mapped[str] = mapped_column(Text)

    criterion: Mapped[RubricCriterion] = relationship(back_populates="levels")

    __table_args__ = (
        UniqueConstraint("criterion_id", "level"),
        CheckConstraint("level BETWEEN 0 AND 10", name="level_range"),
    )


class ReviewerProfile(db.Model):
    """The schools a reviewer studied or works at: an applicant from one is a conflict."""

    __tablename__ = "reviewer_profile"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    schools: Mapped[str] = mapped_column(Text, default="")  # one per line
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    user: Mapped[User] = relationship()

    __mapper_args__ = {"version_id_col": version}


class ReviewerCap(db.Model):
    """The most subjects a reviewer takes in one round (no row: no limit)."""

    __tablename__ = "reviewer_cap"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("review_round.id", ondelete="CASCADE"))
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    cap: Mapped[int]

    __table_args__ = (
        UniqueConstraint("round_id", "reviewer_id"),
        CheckConstraint("cap BETWEEN 0 AND 10000", name="cap_range"),
    )


class Conflict(db.Model):
    """A conflict a reviewer declared with an applicant, named by the applicant's email."""

    __tablename__ = "review_conflict"

    id: Mapped[int] = mapped_column(primary_key=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    # An email, not a user id: a reviewer can declare a conflict before the student
    # applies, and declaring never tells them whether the student has an account.
    student_email: Mapped[str] = mapped_column(String(254))
    reason: Mapped[str] = mapped_column(String(500))
    declared_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    reviewer: Mapped[User] = relationship(foreign_keys=[reviewer_id])

    __table_args__ = (
        UniqueConstraint("reviewer_id", "student_email"),
        CheckConstraint("student_email = lower(student_email)", name="email_lowercase"),
        Index("ix_review_conflict_student_email", "student_email"),
    )
