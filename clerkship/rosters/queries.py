"""Reads behind the rosters: placed students streamed in chunks, with compliance and award state.

A placed student is one whose placement holds its seat (offer pending or accepted). Rows are
read with yield_per, and each chunk's documents and award applications come in one query
per chunk, so a roster of any length is produced in constant memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Select, func, select

from clerkship.accounts.models import User
from clerkship.allocation.engine import SeatType
from clerkship.allocation.models import Placement, PlacementState
from clerkship.applications.checklist import required_kinds
from clerkship.applications.models import Application, StudentProfile
from clerkship.awards.models import AwardApplication, AwardState
from clerkship.cycles.models import Block, Cycle, Department, Rotation, Site
from clerkship.extensions import db
from clerkship.offers.models import Offer, OfferState
from clerkship.rosters.compliance import document_states_by_student, items_for, summary

CHUNK = 1000
GROUPINGS = {"": "One list", "block": "One sheet per block", "site": "One sheet per site"}


@dataclass(slots=True)
class RosterRow:
    """One placed student, as every roster and contact list reads them."""

    placement_id: int
    application_id: int
    student_id: int
    name: str
    preferred_name: str
    pronouns: str
    school: str
    email: str
    phone: str
    block_id: int
    block_start: date
    block_end: date
    site: str
    rotation: str
    offer_state: str
    seat_type: str
    in_pathway: bool
    compliance: str = ""
    award_state: str = ""
    pathway: dict[str, object] = field(default_factory=dict)

    @property
    def block(self) -> str:
        return f"{self.rotation}, {self.block_start:%b %-d}–{self.block_end:%b %-d, %Y}"


def roster_statement(
    department: Department,
    cycle: Cycle,
    *,
    block_id: int | None = None,
    site_id: int | None = None,
    group_by: str = "",
) -> Select:
    """The held placements of department in cycle as plain columns, in roster order."""
    stmt = (
        select(
            Placement.id,
            Application.id,
            Application.student_id,
            User.full_name,
            func.coalesce(StudentProfile.preferred_name, ""),
            func.coalesce(StudentProfile.pronouns, ""),
            func.coalesce(StudentProfile.medical_school, ""),
            User.email,
            func.coalesce(StudentProfile.phone, ""),
            Block.id,
            Block.starts_on,
            Block.ends_on,
            Site.name,
            Rotation.title,
            Offer.state,
            Placement.seat_type,
            Application.in_pathway,
        )
        .join(Application, Application.id == Placement.application_id)
        .join(User, User.id == Application.student_id)
        .outerjoin(StudentProfile, StudentProfile.user_id == User.id)
        .join(Block, Block.id == Placement.block_id)
        .join(Rotation, Rotation.id == Block.rotation_id)
        .join(Site, Site.id == Rotation.site_id)
        .outerjoin(Offer, Offer.placement_id == Placement.id)
        .where(
            Placement.state == PlacementState.HELD,
            Application.department_id == department.id,
            Application.cycle_id == cycle.id,
        )
    )
    if block_id is not None:
        stmt = stmt.where(Block.id == block_id)
    if site_id is not None:
        stmt = stmt.where(Site.id == site_id)
    order = [Block.starts_on, Rotation.title, Block.id, User.full_name, Placement.id]
    if group_by == "site":
        order = [Site.name, Site.id, *order]
    return stmt.order_by(*order)


def _award_states(student_ids: list[int], cycle_id: int) -> dict[int, AwardState]:
    rows = db.session.connection().execute(
        select(AwardApplication.student_id, AwardApplication.state)
        .where(
            AwardApplication.student_id.in_(student_ids),
            AwardApplication.cycle_id == cycle_id,
            AwardApplication.state != AwardState.DRAFT,
        )
        .order_by(AwardApplication.id)
    )
    return {student_id: state for student_id, state in rows}


def roster_rows(
    department: Department,
    cycle: Cycle,
    *,
    block_id: int | None = None,
    site_id: int | None = None,
    group_by: str = "",
    chunk: int = CHUNK,
    limit: int | None = None,
) -> Iterator[RosterRow]:
    """The roster's rows, read chunk by chunk (constant memory whatever the length).

    Everything the rows need from department and cycle is read now, so the rows can be
    produced after the request committed (a streamed response).
    """
    kinds = required_kinds(department)
    stmt = roster_statement(
        department, cycle, block_id=block_id, site_id=site_id, group_by=group_by
    )
    if limit is not None:
        stmt = stmt.limit(limit)
    return _rows(stmt, cycle.id, kinds, chunk)


def _rows(stmt: Select, cycle_id: int, kinds, chunk: int) -> Iterator[RosterRow]:
    # Plain rows through the session's connection (no ORM layer), a chunk at a time.
    connection = db.session.connection().execution_options(
        stream_results=True, max_row_buffer=chunk
    )
    result = connection.execute(stmt)
    summaries: dict[tuple, str] = {}  # most students share a handful of situations
    for partition in result.partitions(chunk):
        student_ids = [r[2] for r in partition]
        documents = document_states_by_student(student_ids, cycle_id, kinds)
        awards = _award_states(student_ids, cycle_id)
        for r in partition:
            # The statement's columns are RosterRow's first fields, in order.
            row = RosterRow(*r)
            row.offer_state = OFFER_LABELS.get(r[14], "")
            row.seat_type = SEAT_LABELS[r[15]]
            row.in_pathway = bool(r[16])
            held = documents.get(row.student_id, {})
            key = (
                row.block_start,
                row.block_end,
                tuple(
                    (d.expires_on, d.verified_at is None) if d else None
                    for d in map(held.get, kinds)
                ),
            )
            if key not in summaries:
                dates = _Dates(row.block_start, row.block_end)
                summaries[key] = summary(items_for(kinds, held, dates))
            row.compliance = summaries[key]
            award = awards.get(row.student_id)
            row.award_state = award.label if award is not None else ""
            yield row
        documents.clear()


@dataclass(frozen=True, slots=True)
class _Dates:
    """The block's dates, all items_for reads from a block."""

    starts_on: date
    ends_on: date


SEAT_LABELS = {seat: seat.value.capitalize() for seat in SeatType}
OFFER_LABELS = {state: state.label for state in OfferState}


def roster_count(
    department: Department, cycle: Cycle, *, block_id: int | None = None, site_id: int | None = None
) -> int:
    """How many placed students the filtered roster holds."""
    inner = roster_statement(department, cycle, block_id=block_id, site_id=site_id).order_by(None)
    return db.session.scalar(select(func.count()).select_from(inner.subquery())) or 0


def roster_blocks(department: Department, cycle: Cycle) -> list[Block]:
    """The department's blocks in cycle, for the roster filter."""
    return list(
        db.session.scalars(
            select(Block)
            .join(Block.rotation)
            .where(Rotation.department_id == department.id, Block.cycle_id == cycle.id)
            .order_by(Block.starts_on, Rotation.title, Block.id)
        )
    )


def roster_sites(department: Department) -> list[Site]:
    """The sites where the department has rotations, for the roster filter."""
    return list(
        db.session.scalars(
            select(Site)
            .where(
                Site.id.in_(select(Rotation.site_id).where(Rotation.department_id == department.id))
            )
            .order_by(Site.name)
        )
    )
