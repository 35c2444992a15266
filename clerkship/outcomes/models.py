"""A department's residency rank list and match list for a cycle, as imported from CSV."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clerkship.accounts.models import User
from clerkship.applications.models import Application
from clerkship.core.time import utcnow
from clerkship.core.types import UTCDateTime, enum_type
from clerkship.cycles.models import Cycle, Department
from clerkship.extensions import db


class ListKind(enum.Enum):
    """Which residency list: the program's rank list or the match result."""

    RANK = "rank"
    MATCH = "match"

    @property
    def label(self) -> str:
        return {"rank": "Rank list", "match": "Match list"}[self.value]


class ResidencyList(db.Model):
    """The current rank or match list of one department for one cycle (an import replaces it)."""

    __tablename__ = "residency_list"

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id", ondelete="CASCADE"))
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id", ondelete="CASCADE"))
    kind: Mapped[ListKind] = mapped_column(enum_type(ListKind))
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    department: Mapped[Department] = relationship()
    cycle: Mapped[Cycle] = relationship()
    imported_by: Mapped[User | None] = relationship()
    entries: Mapped[list[ResidencyListEntry]] = relationship(
        back_populates="list", cascade="all, delete-orphan", order_by="ResidencyListEntry.rank"
    )

    __table_args__ = (UniqueConstraint("department_id", "cycle_id", "kind"),)


class ResidencyListEntry(db.Model):
    """One applicant on a list; rank only on a rank list."""

    __tablename__ = "residency_list_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(
        ForeignKey("residency_list.id", ondelete="CASCADE"), index=True
    )
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), index=True
    )
    rank: Mapped[int | None]

    list: Mapped[ResidencyList] = relationship(back_populates="entries")
    application: Mapped[Application] = relationship()

    __table_args__ = (
        UniqueConstraint("list_id", "application_id"),
        CheckConstraint("rank IS NULL OR rank >= 1", name="rank_positive"),
    )
