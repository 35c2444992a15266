"""The student's evaluation of the rotation: each department's questions (versioned), the
answers (kept apart from the student's name) and the marker that a record was answered.

A response carries no student, no record and no time, and its key is random, so no staff
query can join an answer back to the student who gave it; SurveyAnswered (the record that
was answered, and when) is what stops a second answer.
"""

from __future__ import annotations

import enum
import secrets
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clerkship.core.time import utcnow
from clerkship.core.types import UTCDateTime, enum_type
from clerkship.extensions import db

# The fixed rating scale, shown with every rating question.
SCALE = {
    1: "Strongly disagree",
    2: "Disagree",
    3: "Neither agree nor disagree",
    4: "Agree",
    5: "Strongly agree",
}


class QuestionKind(enum.Enum):
    """A rating on the fixed 1-5 scale, or a free-text answer."""

    RATING = "rating"
    TEXT = "text"

    @property
    def label(self) -> str:
        return "Rating (1 to 5)" if self is QuestionKind.RATING else "Free text"


class SurveyForm(db.Model):
    """One version of a department's questions; every save makes a new one, so answers stay
    with the questions they answered."""

    __tablename__ = "survey_form"

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(
        ForeignKey("department.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column()
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    questions: Mapped[list[SurveyQuestion]] = relationship(
        back_populates="form", order_by="SurveyQuestion.position", cascade="all, delete-orphan"
    )

    __table_args__ = (
        UniqueConstraint("department_id", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
    )


class SurveyQuestion(db.Model):
    """A question of a version: its place, kind and wording; never changed once saved."""

    __tablename__ = "survey_question"

    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("survey_form.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column()
    kind: Mapped[QuestionKind] = mapped_column(enum_type(QuestionKind))
    prompt: Mapped[str] = mapped_column(Text)

    form: Mapped[SurveyForm] = relationship(back_populates="questions")

    __table_args__ = (UniqueConstraint("form_id", "position"),)


def _random_key() -> str:
    return secrets.token_hex(16)


class SurveyResponse(db.Model):
    """One student's answers to one version, for a rotation in a cycle: no student, no time,
    and a random key, so the order of rows says nothing of who answered when."""

    __tablename__ = "survey_response"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=_random_key)
    form_id: Mapped[int] = mapped_column(ForeignKey("survey_form.id", ondelete="CASCADE"))
    rotation_id: Mapped[int] = mapped_column(ForeignKey("rotation.id", ondelete="CASCADE"))
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id", ondelete="CASCADE"))

    answers: Mapped[list[SurveyAnswer]] = relationship(cascade="all, delete-orphan")

    __table_args__ = (Index("ix_survey_response_rotation_cycle", "rotation_id", "cycle_id"),)


class SurveyAnswer(db.Model):
    """The answer to one question: a rating from 1 to 5 or a text (never both)."""

    __tablename__ = "survey_answer"

    # No id of its own: a sequence would tell the order in which answers came in.
    response_id: Mapped[str] = mapped_column(
        ForeignKey("survey_response.id", ondelete="CASCADE"), primary_key=True
    )
    question_id: Mapped[int] = mapped_column(
        ForeignKey("survey_question.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    rating: Mapped[int | None] = mapped_column()
    text: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        CheckConstraint("rating IS NULL OR (rating >= 1 AND rating <= 5)", name="rating_range"),
        CheckConstraint("rating IS NULL OR text IS NULL", name="rating_or_text"),
    )


class SurveyAnswered(db.Model):
    """That a completed rotation's survey was answered (one per record): what stops a second
    answer, kept apart from the answers themselves."""

    __tablename__ = "survey_answered"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(
        ForeignKey("rotation_record.id", ondelete="CASCADE"), unique=True
    )
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
