"""Allocation runs (frozen inputs, preview, publication) and the seats students hold."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clerkship.accounts.models import User
from clerkship.allocation.engine import SeatType
from clerkship.applications.models import Application
from clerkship.core.time import format_datetime, utcnow
from clerkship.core.types import UTCDateTime, enum_type
from clerkship.cycles.models import Block, Cycle, Department, Precedence
from clerkship.extensions import db


class RunState(enum.Enum):
    """A run is previewed, then published once or discarded."""

    PREVIEW = "preview"
    PUBLISHED = "published"
    DISCARDED = "discarded"


class AllocationRun(db.Model):
    """One allocation of a department's seats, with the inputs frozen when it started."""

    __tablename__ = "allocation_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id"))
    state: Mapped[RunState] = mapped_column(enum_type(RunState), default=RunState.PREVIEW)
    precedence: Mapped[Precedence] = mapped_column(enum_type(Precedence))
    hard_reserves: Mapped[bool]
    score_source: Mapped[str] = mapped_column(String(40), default="raw")
    # The interchange instance (docs/allocation.md §6) exactly as the engine saw it. The
    # large JSON columns are deferred: the run page reads the stored preview instead.
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON, deferred=True)
    # The engine's own result, before any hand adjustment.
    result: Mapped[dict[str, Any]] = mapped_column(JSON, deferred=True)
    # Placed / pathway placed / differing students under each rule.
    comparison: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, deferred=True)
    # What the run page shows, computed when the run starts and after each hand adjustment
    # (the inputs are frozen): counts, seats and cutoffs per block, warnings, the comparison
    # and the first page of each long list (allocation.queries.summarize)...
    preview: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # ... and the long lists whole (placed students per block, unplaced, rule differences),
    # read only when a director pages through them.
    preview_lists: Mapped[dict[str, Any] | None] = mapped_column(JSON, deferred=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(default=1)

    department: Mapped[Department] = relationship()
    cycle: Mapped[Cycle] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    published_by: Mapped[User | None] = relationship(foreign_keys=[published_by_id])
    placements: Mapped[list[RunPlacement]] = relationship(
        back_populates="run", cascade="all, delete-orphan"
    )

    __table_args__ = (
        # A department publishes one run per cycle; later changes go through the waitlist.
        Index(
            "uq_allocation_run_published",
            "department_id",
            "cycle_id",
            unique=True,
            sqlite_where=text("state = 'published'"),
            postgresql_where=text("state = 'published'"),
        ),
    )
    __mapper_args__ = {"version_id_col": version}

    @property
    def started(self) -> str:
        """When the run was started, in the institution's zone: a run is named by it
        ("the run of Dec 3, 2026 9:12 AM PST")."""
        return format_datetime(self.created_at)


class RunPlacement(db.Model):
    """A placement in a run's preview, as the engine made it or a director adjusted it."""

    __tablename__ = "run_placement"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(
        ForeignKey("allocation_run.id", ondelete="CASCADE"), index=True
    )
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"))
    block_id: Mapped[int] = mapped_column(ForeignKey("block.id"))
    seat_type: Mapped[SeatType] = mapped_column(enum_type(SeatType))
    adjusted: Mapped[bool] = mapped_column(default=False)

    run: Mapped[AllocationRun] = relationship(back_populates="placements")
    application: Mapped[Application] = relationship()
    block: Mapped[Block] = relationship()

    __table_args__ = (UniqueConstraint("run_id", "application_id"),)


class PlacementState(enum.Enum):
    """Whether a placement holds its seat."""

    HELD = "held"  # offered or accepted
    RELEASED = "released"  # declined, expired, withdrawn, or given up for a better block


class Placement(db.Model):
    """A seat a student holds (or held) in a block, with its type.

    Seats are counted on the block (Block.open_taken / reserved_taken, with CHECK
    constraints against its capacity), updated under a row lock on the block, so no
    block is ever over capacity whatever arrives at once. A reserved seat can only be
    held by a student who was in the pathway when the seat was given (CHECK below).
    """

    __tablename__ = "placement"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    block_id: Mapped[int] = mapped_column(ForeignKey("block.id"), index=True)
    seat_type: Mapped[SeatType] = mapped_column(enum_type(SeatType))
    in_pathway: Mapped[bool]
    state: Mapped[PlacementState] = mapped_column(
        enum_type(PlacementState), default=PlacementState.HELD
    )
    run_id: Mapped[int | None] = mapped_column(ForeignKey("allocation_run.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    release_reason: Mapped[str] = mapped_column(String(200), default="")

    application: Mapped[Application] = relationship()
    block: Mapped[Block] = relationship()

    __table_args__ = (
        CheckConstraint("seat_type != 'reserved' OR in_pathway", name="reserved_needs_pathway"),
    )
