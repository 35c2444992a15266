"""Award settings per cycle, amounts by rotation length, and students' award applications."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clerkship.accounts.models import User
from clerkship.applications.models import Application
from clerkship.core.time import utcnow
from clerkship.core.types import UTCDateTime, enum_type
from clerkship.cycles.models import Cycle
from clerkship.documents.models import Document
from clerkship.extensions import db


class AwardState(enum.Enum):
    """Where an award application is (docs/design.md, "Life of an award application")."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    UNDER_REVIEW = "under_review"
    AWARDED = "awarded"
    ALTERNATE = "alternate"
    NOT_AWARDED = "not_awarded"
    DECLINED = "declined"  # the awardee declined the award
    WITHDRAWN = "withdrawn"
    # The awardee no longer holds an accepted placement: the committee confirms the award
    # (with a reason) or rescinds it; until then its amount stays committed.
    NEEDS_ATTENTION = "needs_attention"
    ROTATION_COMPLETED = "rotation_completed"
    PAID = "paid"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


# Awards whose amount counts against the budget until paid (then the paid amount counts).
COMMITTED_STATES = frozenset(
    {AwardState.AWARDED, AwardState.NEEDS_ATTENTION, AwardState.ROTATION_COMPLETED}
)
# Who counts as an award applicant for the pathway: everyone who submitted and did not
# withdraw (a declined or unsuccessful applicant still applied).
APPLICANT_STATES = frozenset(AwardState) - {AwardState.DRAFT, AwardState.WITHDRAWN}
# States from which the committee may (re)decide. An award can be changed until the rotation
# is completed; changing it releases its amount.
DECIDABLE_STATES = frozenset(
    {
        AwardState.SUBMITTED,
        AwardState.UNDER_REVIEW,
        AwardState.AWARDED,
        AwardState.NEEDS_ATTENTION,
        AwardState.ALTERNATE,
        AwardState.NOT_AWARDED,
    }
)
# States in which the award's amount is the student's (shown beside the decision).
FUNDED_STATES = frozenset(
    {
        AwardState.AWARDED,
        AwardState.NEEDS_ATTENTION,
        AwardState.ROTATION_COMPLETED,
        AwardState.PAID,
    }
)


class AwardSettings(db.Model):
    """The award's rules and budget in one cycle.

    committed_cents is the sum of awarded and paid amounts, changed only under a row
    lock on this row; the CHECK constraint makes overspending impossible whatever the code does.
    """

    __tablename__ = "award_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id", ondelete="CASCADE"), unique=True)
    budget_cents: Mapped[int] = mapped_column(default=0)
    committed_cents: Mapped[int] = mapped_column(default=0)
    deadline: Mapped[date] = mapped_column(Date)
    essay_prompt: Mapped[str] = mapped_column(Text, default="")
    essay_word_limit: Mapped[int] = mapped_column(default=500)
    # Codes of the eligibility rules switched on (clerkship.awards.eligibility.Rule).
    rules: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Bumped by each save of the settings form only (decisions change committed_cents
    # without making an open settings form stale), so not a mapper version counter.
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    cycle: Mapped[Cycle] = relationship()
    amounts: Mapped[list[AwardAmount]] = relationship(
        back_populates="settings",
        cascade="all, delete-orphan",
        order_by="AwardAmount.weeks.desc()",
        lazy="selectin",
    )

    __table_args__ = (
        CheckConstraint("budget_cents >= 0", name="budget_nonnegative"),
        CheckConstraint("committed_cents >= 0", name="committed_nonnegative"),
        CheckConstraint("committed_cents <= budget_cents", name="budget_not_overspent"),
        CheckConstraint("essay_word_limit BETWEEN 50 AND 5000", name="word_limit_range"),
    )

    @property
    def remaining_cents(self) -> int:
        return self.budget_cents - self.committed_cents

    def amount_for_weeks(self, weeks: int) -> int | None:
        """The scheduled amount for a rotation of this length, if the schedule has one."""
        return next((a.amount_cents for a in self.amounts if a.weeks == weeks), None)


class AwardAmount(db.Model):
    """The award for a rotation of a given length (e.g. $2,000 for 4 weeks)."""

    __tablename__ = "award_amount"

    id: Mapped[int] = mapped_column(primary_key=True)
    settings_id: Mapped[int] = mapped_column(
        ForeignKey("award_settings.id", ondelete="CASCADE"), index=True
    )
    weeks: Mapped[int]
    amount_cents: Mapped[int]

    settings: Mapped[AwardSettings] = relationship(back_populates="amounts")

    __table_args__ = (
        UniqueConstraint("settings_id", "weeks"),
        CheckConstraint("weeks BETWEEN 1 AND 52", name="weeks_range"),
        CheckConstraint("amount_cents > 0", name="amount_positive"),
    )


class AwardApplication(db.Model):
    """A student's application for the award, for one of their rotation applications.

    A review subject of the reviews feature: rubric scores attach to this row.
    """

    __tablename__ = "award_application"

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id"), index=True)
    # The rotation application (department) the award would fund.
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    state: Mapped[AwardState] = mapped_column(
        enum_type(AwardState), default=AwardState.DRAFT, index=True
    )
    essay: Mapped[str] = mapped_column(Text, default="")
    essay_words: Mapped[int] = mapped_column(default=0)
    financial_need: Mapped[str] = mapped_column(Text, default="")
    attestations: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The CV that was current at submission (the documents feature keeps replaced ones).
    cv_document_id: Mapped[int | None] = mapped_column(
        ForeignKey("document.id", ondelete="SET NULL")
    )
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The committee's decision.
    amount_cents: Mapped[int | None]
    alternate_rank: Mapped[int | None]
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    decision_note: Mapped[str] = mapped_column(String(1000), default="")
    # After the rotation.
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    paid_on: Mapped[date | None] = mapped_column(Date)
    paid_cents: Mapped[int | None]
    payment_reference: Mapped[str | None] = mapped_column(String(100))
    paid_recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    student: Mapped[User] = relationship(foreign_keys=[student_id], lazy="joined")
    cycle: Mapped[Cycle] = relationship()
    application: Mapped[Application] = relationship(lazy="joined")
    cv_document: Mapped[Document | None] = relationship()
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    completed_by: Mapped[User | None] = relationship(foreign_keys=[completed_by_id])
    paid_recorded_by: Mapped[User | None] = relationship(foreign_keys=[paid_recorded_by_id])

    __table_args__ = (
        # One live award application per student and cycle; a withdrawn one may be followed
        # by a new one.
        Index(
            "uq_award_application_live",
            "student_id",
            "cycle_id",
            unique=True,
            sqlite_where=text("state != 'withdrawn'"),
            postgresql_where=text("state != 'withdrawn'"),
        ),
        CheckConstraint("essay_words >= 0", name="essay_words_nonnegative"),
        CheckConstraint("amount_cents IS NULL OR amount_cents > 0", name="amount_positive"),
        CheckConstraint("paid_cents IS NULL OR paid_cents > 0", name="paid_positive"),
        CheckConstraint(
            "alternate_rank IS NULL OR alternate_rank >= 1", name="alternate_rank_positive"
        ),
        CheckConstraint(
            "state NOT IN ('awarded', 'needs_attention', 'rotation_completed', 'paid') "
            "OR amount_cents IS NOT NULL",
            name="amount_when_awarded",
        ),
        CheckConstraint(
            "state != 'alternate' OR alternate_rank IS NOT NULL", name="rank_when_alternate"
        ),
        CheckConstraint(
            "state != 'paid' OR (paid_on IS NOT NULL AND paid_cents IS NOT NULL "
            "AND payment_reference IS NOT NULL)",
            name="payment_when_paid",
        ),
    )
    __mapper_args__ = {"version_id_col": version}

    @property
    def committed_cents(self) -> int:
        """What this application takes from the budget now."""
        if self.state is AwardState.PAID:
            return self.paid_cents or 0
        if self.state in COMMITTED_STATES:
            return self.amount_cents or 0
        return 0

    @property
    def is_funded(self) -> bool:
        """Whether the award carries the amount it was given (awarded, completed or paid)."""
        return self.state in FUNDED_STATES

    @property
    def is_editable(self) -> bool:
        return self.state is AwardState.DRAFT
