"""Reads behind the rosters: placed students streamed in chunks, with compliance and award state.

A placed student is one whose placement holds its seat (offer pending or accepted). Rows are
read with yield_per, and each chunk's documents and award applications come in one query
per chunk, so a roster of any length is produced in constant memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Select, case, func, select

from clerkship.accounts.models import User
from clerkship.allocation.engine import SeatType
from clerkship.allocation.models import Placement, PlacementState
from clerkship.applications.checklist import required_kinds
from clerkship.applications.models import Application, StudentProfile
from clerkship.awards.models import AwardApplication, AwardState
from clerkship.cycles.models import Block, Cycle, Department, Rotation, Site
from clerkship.extensions import db
from clerkship.offers.models import Offer, OfferState
from clerkship.rosters.compliance import (
    BlockDates,
    ItemStatus,
    document_states_by_student,
    items_for,
    summary,
    waiting_counts,
)

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
                    (d.expires_on, d.verified_at is None, d.rejected_at is None) if d else None
                    for d in map(held.get, kinds)
                ),
            )
            if key not in summaries:
                dates = BlockDates(row.block_start, row.block_end)
                summaries[key] = summary(items_for(kinds, held, dates))
            row.compliance = summaries[key]
            award = awards.get(row.student_id)
            row.award_state = award.label if award is not None else ""
            yield row
        documents.clear()


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


def documents_to_verify(department_ids: list[int], cycle: Cycle) -> dict[int, int]:
    """department id -> current documents of its placed students awaiting a coordinator: the
    onboarding page's "awaiting verification", by the same rule (compliance.waiting_counts)."""
    if not department_ids:
        return {}
    departments = list(
        db.session.scalars(select(Department).where(Department.id.in_(sorted(department_ids))))
    )
    found = dict.fromkeys(department_ids, 0)
    found.update(waiting_counts(departments, cycle))
    return found


@dataclass(frozen=True, slots=True)
class Arrival:
    """A placed student whose block starts soon, and whether their documents clear them."""

    placement_id: int
    department_id: int
    student_id: int
    name: str
    rotation: str
    starts_on: date
    ends_on: date
    offer_state: OfferState | None
    cleared: bool


def arrivals(
    department_ids: list[int], cycle: Cycle, today: date, starting_by: date
) -> list[Arrival]:
    """Held placements of the departments whose block starts by starting_by and has not ended,
    by start date, each with whether its documents clear it (the onboarding page's "starting by
    the end of next month"; two queries, and one for the departments)."""
    if not department_ids:
        return []
    kinds = {
        d.id: required_kinds(d)
        for d in db.session.scalars(select(Department).where(Department.id.in_(department_ids)))
    }
    rows = db.session.execute(
        select(
            Placement.id,
            Application.department_id,
            Application.student_id,
            User.full_name,
            Rotation.title,
            Block.starts_on,
            Block.ends_on,
            Offer.state,
        )
        .join(Application, Application.id == Placement.application_id)
        .join(User, User.id == Application.student_id)
        .join(Block, Block.id == Placement.block_id)
        .join(Rotation, Rotation.id == Block.rotation_id)
        .outerjoin(Offer, Offer.placement_id == Placement.id)
        .where(
            Application.department_id.in_(sorted(department_ids)),
            Application.cycle_id == cycle.id,
            Placement.state == PlacementState.HELD,
            Block.ends_on >= today,
            Block.starts_on <= starting_by,
        )
        .order_by(Block.starts_on, User.full_name, Placement.id)
    ).all()
    wanted = {k for ks in kinds.values() for k in ks}
    documents = document_states_by_student([r[2] for r in rows], cycle.id, wanted)
    found = []
    for placement_id, department_id, student_id, name, rotation, starts_on, ends_on, state in rows:
        held = documents.get(student_id, {})
        items = items_for(kinds[department_id], held, BlockDates(starts_on, ends_on))
        cleared = all(i.status is ItemStatus.VERIFIED for i in items)
        found.append(
            Arrival(
                placement_id,
                department_id,
                student_id,
                name,
                rotation,
                starts_on,
                ends_on,
                state,
                cleared,
            )
        )
    return found


@dataclass(frozen=True, slots=True)
class Start:
    """A day on which placed students of a department start a block."""

    department_id: int
    starts_on: date
    accepted: int
    pending: int


def next_starts(department_ids: list[int], cycle: Cycle, today: date) -> list[Start]:
    """The days from today on which the departments' placed students start, soonest first, with
    how many accepted their seat and how many have not answered yet (one query)."""
    if not department_ids:
        return []
    rows = db.session.execute(
        select(
            Application.department_id,
            Block.starts_on,
            func.count(case((Offer.state == OfferState.ACCEPTED, 1))),
            func.count(case((Offer.state == OfferState.PENDING, 1))),
        )
        .select_from(Placement)
        .join(Application, Application.id == Placement.application_id)
        .join(Block, Block.id == Placement.block_id)
        .join(Offer, Offer.placement_id == Placement.id)
        .where(
            Application.department_id.in_(sorted(department_ids)),
            Application.cycle_id == cycle.id,
            Placement.state == PlacementState.HELD,
            Block.starts_on >= today,
        )
        .group_by(Application.department_id, Block.starts_on)
        .order_by(Block.starts_on, Application.department_id)
    )
    return [Start(*row) for row in rows]
