"""Reads of the rotation: the placed students of a department, a placement's record, the
first-day information a student sees."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import contains_eager, joinedload

from clerkship.accounts.models import User
from clerkship.allocation.models import Placement, PlacementState
from clerkship.applications.models import Application, ApplicationState
from clerkship.cycles.models import Block, Cycle, Department, Rotation
from clerkship.extensions import db
from clerkship.rotations.models import FirstDayInfo, RotationRecord

# Applications whose held seat is a rotation that takes (or took) place.
ROTATING_STATES = (ApplicationState.ACCEPTED, ApplicationState.COMPLETED)


@dataclass(frozen=True)
class PlacedStudent:
    """A held placement of a department and what was recorded of its rotation (or None)."""

    placement: Placement
    record: RotationRecord | None


def placed_students(department: Department, cycle: Cycle) -> list[PlacedStudent]:
    """The department's accepted (or completed) placements in cycle with their records, in
    two queries, by block start and student name."""
    placements = list(
        db.session.scalars(
            select(Placement)
            .join(Placement.application)
            .join(Placement.block)
            .join(User, User.id == Application.student_id)
            .where(
                Application.department_id == department.id,
                Application.cycle_id == cycle.id,
                Application.state.in_(ROTATING_STATES),
                Placement.state == PlacementState.HELD,
            )
            .options(
                contains_eager(Placement.application).contains_eager(Application.student),
                contains_eager(Placement.block),
            )
            .order_by(Block.starts_on, User.full_name, Placement.id)
        )
    )
    records = records_by_placement([p.id for p in placements])
    return [PlacedStudent(p, records.get(p.id)) for p in placements]


def records_by_placement(placement_ids: list[int]) -> dict[int, RotationRecord]:
    """The rotation records of these placements, by placement id (one query)."""
    if not placement_ids:
        return {}
    rows = db.session.scalars(
        select(RotationRecord).where(RotationRecord.placement_id.in_(placement_ids))
    )
    return {record.placement_id: record for record in rows}


def record_of(placement: Placement) -> RotationRecord | None:
    """What was recorded of this placement's rotation, if anything."""
    return db.session.scalar(
        select(RotationRecord).where(RotationRecord.placement_id == placement.id)
    )


def held_placement_of(application: Application) -> Placement | None:
    """The seat the application holds, with its block."""
    return db.session.scalar(
        select(Placement)
        .where(
            Placement.application_id == application.id,
            Placement.state == PlacementState.HELD,
        )
        .options(joinedload(Placement.block))
        .limit(1)
    )


def department_placement(department: Department, placement_id: int) -> Placement | None:
    """A held placement of the department's (accepted or completed) applications, or None."""
    return db.session.scalar(
        select(Placement)
        .join(Placement.application)
        .where(
            Placement.id == placement_id,
            Application.department_id == department.id,
            Application.state.in_(ROTATING_STATES),
            Placement.state == PlacementState.HELD,
        )
    )


def first_day_info(rotation: Rotation) -> FirstDayInfo | None:
    """The rotation's first-day information, if the coordinator has written it."""
    return db.session.scalar(select(FirstDayInfo).where(FirstDayInfo.rotation_id == rotation.id))


def first_day_infos(rotation_ids: list[int]) -> dict[int, FirstDayInfo]:
    """The first-day information of these rotations, by rotation id (one query)."""
    if not rotation_ids:
        return {}
    rows = db.session.scalars(
        select(FirstDayInfo).where(FirstDayInfo.rotation_id.in_(rotation_ids))
    )
    return {info.rotation_id: info for info in rows}


def shows_first_day(info: FirstDayInfo, block: Block, today: date) -> bool:
    """Whether the student of block sees info today: from notice_days before the block starts
    to its last day, once something is written."""
    written = bool(info.where_to_go.strip() or info.whom_to_ask.strip())
    opens = block.starts_on - timedelta(days=info.notice_days)
    return written and opens <= today <= block.ends_on
