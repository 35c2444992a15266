"""The evaluation of a visiting student: the department's versioned form, the evaluation of
one rotation, its evaluating faculty, the home schools and the links sent to them."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clerkship.accounts.models import User
from clerkship.allocation.models import Placement
from clerkship.core.time import utcnow
from clerkship.core.types import UTCDateTime, enum_type
from clerkship.cycles.models import Department
from clerkship.extensions import db

# A standardized letter of evaluation (SLOE, Emergency Medicine's letter): its comparative
# questions, asked on a form version that carries the SLOE's fields.
SLOE_GLOBAL_RANKS = ("Top 10%", "Top third", "Middle third", "Lower third")
SLOE_GUIDANCE = ("Almost none", "Minimal", "Moderate", "Significant")


class EvaluationFormVersion(db.Model):
    """One version of a department's evaluation form: criteria with behavioural anchors on a
    scale, the grades of its grading scale, and whether students may read their evaluation.

    A saved version is never changed: editing the form adds a version, and an evaluation
    keeps the version it was written on.
    """

    __tablename__ = "evaluation_form_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id", ondelete="CASCADE"))
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(160))
    scale_low: Mapped[int]
    scale_high: Mapped[int]
    grades: Mapped[list[str]] = mapped_column(JSON, default=list)
    student_sees_content: Mapped[bool] = mapped_column(Boolean, default=False)
    # The version carries the fields of a standardized letter of evaluation (SLOE).
    sloe: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    department: Mapped[Department] = relationship()
    criteria: Mapped[list[EvaluationCriterion]] = relationship(
        back_populates="form_version",
        order_by="EvaluationCriterion.position",
        cascade="all, delete-orphan",
        lazy="selectin",
    )

    __table_args__ = (
        UniqueConstraint("department_id", "number"),
        CheckConstraint(
            "scale_low >= 0 AND scale_low < scale_high AND scale_high <= 10", name="scale"
        ),
    )

    @property
    def levels(self) -> range:
        return range(self.scale_low, self.scale_high + 1)


class EvaluationCriterion(db.Model):
    """A criterion of a form version with the behaviour that earns each level (its anchors)."""

    __tablename__ = "evaluation_criterion"

    id: Mapped[int] = mapped_column(primary_key=True)
    form_version_id: Mapped[int] = mapped_column(
        ForeignKey("evaluation_form_version.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(120))
    guidance: Mapped[str] = mapped_column(Text, default="")
    anchors: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)  # level -> behaviour

    form_version: Mapped[EvaluationFormVersion] = relationship(back_populates="criteria")

    def anchor(self, level: int) -> str:
        return self.anchors.get(str(level), "")


class EvaluationState(enum.Enum):
    """draft (faculty write) -> finalised (the director) -> sent (to the home school)."""

    DRAFT = "draft"
    FINALISED = "finalised"
    SENT = "sent"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class RotationEvaluation(db.Model):
    """The evaluation of one placed student's rotation, on one version of the form."""

    __tablename__ = "rotation_evaluation"

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(
        ForeignKey("placement.id", ondelete="CASCADE"), unique=True
    )
    form_version_id: Mapped[int] = mapped_column(ForeignKey("evaluation_form_version.id"))
    state: Mapped[EvaluationState] = mapped_column(
        enum_type(EvaluationState), default=EvaluationState.DRAFT, index=True
    )
    levels: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # criterion id -> level
    grade: Mapped[str] = mapped_column(String(80), default="")
    narrative: Mapped[str] = mapped_column(Text, default="")
    # On a SLOE form: the global assessment against this year's applicants and the guidance
    # the student is expected to need in residency (SLOE_GLOBAL_RANKS, SLOE_GUIDANCE).
    sloe_global_rank: Mapped[str] = mapped_column(String(40), default="")
    sloe_guidance: Mapped[str] = mapped_column(String(40), default="")
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finalised_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    finalised_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(default=1)

    placement: Mapped[Placement] = relationship()
    form_version: Mapped[EvaluationFormVersion] = relationship(lazy="joined")
    finalised_by: Mapped[User | None] = relationship(foreign_keys=[finalised_by_id])
    assignments: Mapped[list[EvaluationAssignment]] = relationship(
        back_populates="evaluation", cascade="all, delete-orphan", lazy="selectin"
    )

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        CheckConstraint(
            "state = 'draft' OR (finalised_at IS NOT NULL AND grade != '')",
            name="final_has_grade",
        ),
        CheckConstraint("state != 'sent' OR sent_at IS NOT NULL", name="sent_has_time"),
    )

    @property
    def faculty_ids(self) -> set[int]:
        return {a.faculty_id for a in self.assignments}


class EvaluationAssignment(db.Model):
    """A member of the faculty asked to write (draft) an evaluation."""

    __tablename__ = "evaluation_assignment"

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(
        ForeignKey("rotation_evaluation.id", ondelete="CASCADE")
    )
    faculty_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    evaluation: Mapped[RotationEvaluation] = relationship(back_populates="assignments")
    faculty: Mapped[User] = relationship(foreign_keys=[faculty_id], lazy="joined")

    __table_args__ = (UniqueConstraint("evaluation_id", "faculty_id"),)


class HomeSchool(db.Model):
    """A medical school and its registrar or clerkship-office contact, kept by the admin."""

    __tablename__ = "home_school"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_email: Mapped[str] = mapped_column(String(254))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class StudentHomeSchool(db.Model):
    """The school a student picked from the list (never an address the student types)."""

    __tablename__ = "student_home_school"

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), unique=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("home_school.id"))
    chosen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    school: Mapped[HomeSchool] = relationship(lazy="joined")


class HomeSchoolLink(db.Model):
    """A link to a final evaluation emailed to a home school: expires, revoked on re-send.

    Only the token's SHA-256 is stored.
    """

    __tablename__ = "home_school_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(
        ForeignKey("rotation_evaluation.id", ondelete="CASCADE"), index=True
    )
    school_id: Mapped[int] = mapped_column(ForeignKey("home_school.id"))
    sent_to: Mapped[str] = mapped_column(String(254))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    downloads: Mapped[int] = mapped_column(default=0)

    evaluation: Mapped[RotationEvaluation] = relationship()
    school: Mapped[HomeSchool] = relationship(lazy="joined")
