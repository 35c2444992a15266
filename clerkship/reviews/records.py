"""Assignments, reviews with their scores, and the discussion of each subject.

The subject of an assignment is an application or an award application: exactly one
of `application_id` and `award_application_id` is set (a CHECK says so); award
applications come from `clerkship/awards/` through `subjects.py`.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Numeric,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clerkship.accounts.models import User
from clerkship.applications.models import Application
from clerkship.core.time import utcnow
from clerkship.core.types import UTCDateTime, enum_type
from clerkship.extensions import db
from clerkship.reviews.models import Phase, ReviewRound, Rubric, RubricCriterion

ONE_SUBJECT = "(application_id IS NULL) <> (award_application_id IS NULL)"


class AssignmentMethod(enum.Enum):
    """How a reviewer came to a subject."""

    MANUAL = "manual"
    AUTOMATIC = "automatic"


class ReviewState(enum.Enum):
    """A review is a draft until its reviewer submits it."""

    DRAFT = "draft"
    SUBMITTED = "submitted"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Recommendation(enum.Enum):
    """The reviewer's overall recommendation."""

    STRONGLY_RECOMMEND = "strongly_recommend"
    RECOMMEND = "recommend"
    WITH_RESERVATIONS = "with_reservations"
    DO_NOT_RECOMMEND = "do_not_recommend"

    @property
    def label(self) -> str:
        return RECOMMENDATION_LABELS[self]


RECOMMENDATION_LABELS = {
    Recommendation.STRONGLY_RECOMMEND: "Strongly recommend",
    Recommendation.RECOMMEND: "Recommend",
    Recommendation.WITH_RESERVATIONS: "Recommend with reservations",
    Recommendation.DO_NOT_RECOMMEND: "Do not recommend",
}


class ReviewAssignment(db.Model):
    """A reviewer asked to review one subject of a round by a due date."""

    __tablename__ = "review_assignment"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("review_round.id", ondelete="CASCADE"))
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    application_id: Mapped[int | None] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE")
    )
    # The lead adds ForeignKey("award_application.id", ondelete="CASCADE") at the merge.
    award_application_id: Mapped[int | None] = mapped_column(
        ForeignKey("award_application.id", ondelete="CASCADE")
    )
    due_on: Mapped[date | None] = mapped_column(Date)
    method: Mapped[AssignmentMethod] = mapped_column(enum_type(AssignmentMethod))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # The last local day a reminder about this assignment went out.
    reminded_on: Mapped[date | None] = mapped_column(Date)
    # Its review's submitted_at while that review is submitted, else None (kept by
    # reviewing.services.save_review; the doctor checks the two agree). Counting the
    # reviews still owed, or the applications scored, then reads this table alone, and
    # the partial indexes below hold only the rows each count looks for.
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    round: Mapped[ReviewRound] = relationship()
    reviewer: Mapped[User] = relationship(foreign_keys=[reviewer_id])
    application: Mapped[Application | None] = relationship()
    review: Mapped[Review | None] = relationship(
        back_populates="assignment", cascade="all, delete-orphan", uselist=False
    )

    __table_args__ = (
        CheckConstraint(ONE_SUBJECT, name="one_subject"),
        UniqueConstraint("reviewer_id", "application_id"),
        UniqueConstraint("reviewer_id", "award_application_id"),
        Index("ix_review_assignment_round_reviewer", "round_id", "reviewer_id"),
        Index("ix_review_assignment_application_id", "application_id"),
        Index("ix_review_assignment_award_application_id", "award_application_id"),
        Index(
            "ix_review_assignment_owed",
            "round_id",
            "due_on",
            sqlite_where=text("submitted_at IS NULL"),
            postgresql_where=text("submitted_at IS NULL"),
        ),
        Index(
            "ix_review_assignment_scored",
            "application_id",
            sqlite_where=text("submitted_at IS NOT NULL"),
            postgresql_where=text("submitted_at IS NOT NULL"),
        ),
    )

    @property
    def subject_key(self) -> tuple[str, int]:
        """("application", id) or ("award", id)."""
        if self.application_id is not None:
            return ("application", self.application_id)
        return ("award", self.award_application_id)

    @property
    def is_submitted(self) -> bool:
        return self.review is not None and self.review.state is ReviewState.SUBMITTED


class Review(db.Model):
    """One reviewer's scores, comments and recommendation on one rubric version."""

    __tablename__ = "review"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("review_assignment.id", ondelete="CASCADE"), unique=True
    )
    rubric_id: Mapped[int] = mapped_column(ForeignKey("rubric.id"))
    state: Mapped[ReviewState] = mapped_column(enum_type(ReviewState), default=ReviewState.DRAFT)
    recommendation: Mapped[Recommendation | None] = mapped_column(enum_type(Recommendation))
    comments: Mapped[str] = mapped_column(Text, default="")
    # The weighted mean of the scored criteria, held at hundredths; set on submission.
    composite: Mapped[Decimal | None] = mapped_column(Numeric(4, 2))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The phase of the round when the review was last submitted (was it blinded?).
    submitted_phase: Mapped[Phase | None] = mapped_column(enum_type(Phase))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    assignment: Mapped[ReviewAssignment] = relationship(back_populates="review")
    rubric: Mapped[Rubric] = relationship()
    scores: Mapped[list[ReviewScore]] = relationship(
        back_populates="review", cascade="all, delete-orphan", lazy="selectin"
    )

    __table_args__ = (
        CheckConstraint(
            "state = 'draft' OR (submitted_at IS NOT NULL AND recommendation IS NOT NULL)",
            name="submitted_complete",
        ),
        # Covers the stamp that tells whether a round's cached scores are current.
        Index("ix_review_rubric_updated", "rubric_id", "updated_at"),
    )
    __mapper_args__ = {"version_id_col": version}

    @property
    def is_submitted(self) -> bool:
        return self.state is ReviewState.SUBMITTED

    def levels_by_criterion(self) -> dict[int, int | None]:
        """criterion id -> level, None for insufficient evidence; unanswered ones absent."""
        return {score.criterion_id: score.level for score in self.scores}


class ReviewScore(db.Model):
    """The level given on one criterion; no level means insufficient evidence."""

    __tablename__ = "review_score"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id", ondelete="CASCADE"))
    criterion_id: Mapped[int] = mapped_column(ForeignKey("rubric_criterion.id"), index=True)
    level: Mapped[int | None]

    review: Mapped[Review] = relationship(back_populates="scores")
    criterion: Mapped[RubricCriterion] = relationship()

    __table_args__ = (
        UniqueConstraint("review_id", "criterion_id"),
        CheckConstraint("level IS NULL OR level BETWEEN 0 AND 10", name="level_range"),
    )


class DiscussionPost(db.Model):
    """A message in the discussion of one subject, for its reviewers and the directors."""

    __tablename__ = "discussion_post"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("review_round.id", ondelete="CASCADE"))
    application_id: Mapped[int | None] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE")
    )
    award_application_id: Mapped[int | None] = mapped_column(
        ForeignKey("award_application.id", ondelete="CASCADE")
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    author: Mapped[User | None] = relationship(lazy="joined")

    __table_args__ = (
        CheckConstraint(ONE_SUBJECT, name="one_subject"),
        CheckConstraint("length(body) BETWEEN 1 AND 5000", name="body_length"),
        Index("ix_discussion_post_application_id", "application_id"),
        Index("ix_discussion_post_award_application_id", "award_application_id"),
    )


class ApplicationComposite(db.Model):
    """The composites of one application in one round, in whole hundredths, as the database
    computed them from the submitted reviews (reviews/ranking/composites.py), so that the
    ranking and the dashboards read them by index instead of averaging every review."""

    __tablename__ = "application_composite"

    round_id: Mapped[int] = mapped_column(
        ForeignKey("review_round.id", ondelete="CASCADE"), primary_key=True
    )
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), primary_key=True
    )
    raw: Mapped[int]
    calibrated: Mapped[int]
    # Highest minus lowest review composite: the disagreement when over the threshold.
    spread: Mapped[int]

    __table_args__ = (
        Index("ix_application_composite_raw", "round_id", "raw"),
        Index("ix_application_composite_calibrated", "round_id", "calibrated"),
    )


class CompositeStamp(db.Model):
    """Which state of a round's reviews and settings its application composites reflect
    (ranking.scores.review_stamp as text); a page that finds another falls back to computing them."""

    __tablename__ = "composite_stamp"

    round_id: Mapped[int] = mapped_column(
        ForeignKey("review_round.id", ondelete="CASCADE"), primary_key=True
    )
    stamp: Mapped[str] = mapped_column(Text)
    # The pool calibration maps onto: reviews, sum and n x sum of squares - sum^2 of their
    # composites in whole hundredths; reviewers with enough reviews to be calibrated.
    pool_count: Mapped[int] = mapped_column(BigInteger, default=0)
    pool_sum: Mapped[int] = mapped_column(BigInteger, default=0)
    pool_spread: Mapped[int] = mapped_column(BigInteger, default=0)
    calibrated_reviewers: Mapped[int] = mapped_column(default=0)
