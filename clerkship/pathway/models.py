"""The pathway's definition per cycle, students' answers, directors' decisions, purged counts."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clerkship.accounts.models import User
from clerkship.applications.models import Application
from clerkship.core.time import utcnow
from clerkship.core.types import UTCDateTime, enum_type
from clerkship.cycles.models import Cycle
from clerkship.extensions import db

# The AAMC definition (2003), the default a cycle starts from.
AAMC_DEFINITION = (
    "Underrepresented in medicine means those racial and ethnic populations that are "
    "underrepresented in the medical profession relative to their numbers in the general "
    "population."
)
DEFAULT_CATEGORIES = (
    "American Indian or Alaska Native",
    "Black or African American",
    "Hispanic, Latino or of Spanish origin",
    "Native Hawaiian or other Pacific Islander",
    "Another population underrepresented in medicine",
)


class PathwayConfig(db.Model):
    """One version of a cycle's pathway definition; answers keep the version they answered."""

    __tablename__ = "pathway_config"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(default=1)
    definition: Mapped[str] = mapped_column(Text, default=AAMC_DEFINITION)
    # Self-identification categories offered (may be empty), then race-neutral criteria.
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    criteria: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    cycle: Mapped[Cycle] = relationship()
    created_by: Mapped[User | None] = relationship()

    __table_args__ = (
        UniqueConstraint("cycle_id", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
    )


class Identification(enum.Enum):
    """The student's answer to "do you belong to the population defined above?"."""

    YES = "yes"
    NO = "no"
    NOT_SAID = "not_said"

    @property
    def label(self) -> str:
        return IDENTIFICATION_LABELS[self]


IDENTIFICATION_LABELS = {
    Identification.YES: "Yes",
    Identification.NO: "No",
    Identification.NOT_SAID: "I prefer not to say",
}


class SelfIdentification(db.Model):
    """A student's optional answers for one cycle. Seen only by them, the committee and admins."""

    __tablename__ = "self_identification"

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id", ondelete="CASCADE"), index=True)
    config_id: Mapped[int] = mapped_column(ForeignKey("pathway_config.id"), index=True)
    identifies: Mapped[Identification] = mapped_column(enum_type(Identification))
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    criteria: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    student: Mapped[User] = relationship()
    cycle: Mapped[Cycle] = relationship()
    config: Mapped[PathwayConfig] = relationship(lazy="joined")

    __table_args__ = (UniqueConstraint("student_id", "cycle_id"),)
    __mapper_args__ = {"version_id_col": version}

    @property
    def puts_in_pathway(self) -> bool:
        """Yes to the definition, or any race-neutral criterion met."""
        return self.identifies is Identification.YES or bool(self.criteria)


class FlagDecision(enum.Enum):
    """A director's decision on one application's flag."""

    CONFIRMED = "confirmed"
    WITHDRAWN = "withdrawn"
    AUTOMATIC = "automatic"  # back to what the award and self-identification say

    @property
    def label(self) -> str:
        return FLAG_DECISION_LABELS[self]


FLAG_DECISION_LABELS = {
    FlagDecision.CONFIRMED: "Confirmed in the pathway",
    FlagDecision.WITHDRAWN: "Withdrawn from the pathway",
    FlagDecision.AUTOMATIC: "Returned to the automatic rule",
}


class PathwayDecision(db.Model):
    """A director's confirmation or withdrawal of a flag, with the written reason (kept)."""

    __tablename__ = "pathway_decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), index=True
    )
    decision: Mapped[FlagDecision] = mapped_column(enum_type(FlagDecision))
    reason: Mapped[str] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    application: Mapped[Application] = relationship()
    decided_by: Mapped[User | None] = relationship()

    __table_args__ = (CheckConstraint("length(trim(reason)) > 0", name="reason_given"),)


class PathwayAggregate(db.Model):
    """Counts kept when a closed cycle's answers are purged (no person is identifiable)."""

    __tablename__ = "pathway_aggregate"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id", ondelete="CASCADE"), index=True)
    config_number: Mapped[int]
    item: Mapped[str] = mapped_column(String(20))  # answered, identifies, category, criterion
    value: Mapped[str] = mapped_column(String(300))
    count: Mapped[int] = mapped_column(default=0)
    purged_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (
        UniqueConstraint("cycle_id", "config_number", "item", "value"),
        CheckConstraint("count >= 0", name="count_nonnegative"),
    )
