"""A department's allocation inputs in the interchange format (specs/allocation.md §6).

Applications and blocks become engine records whose ids are their primary keys as
fixed-width strings (spec §1: integer keys become f"{pk:08d}"), so ties fall to the
earlier application on every run and every database.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from clerkship.allocation.engine import hundredths
from clerkship.applications.models import Application, ApplicationState
from clerkship.cycles.models import Block, Cycle, Department, Rotation
from clerkship.extensions import db

# Applications that take part in an allocation run.
ALLOCATABLE = (
    ApplicationState.SUBMITTED,
    ApplicationState.UNDER_REVIEW,
    ApplicationState.WAITLISTED,
)


def key(pk: int) -> str:
    """The engine id of a record."""
    return f"{pk:08d}"


def pk_of(engine_id: str) -> int:
    """The primary key behind an engine id."""
    return int(engine_id)


def department_blocks(department: Department, cycle: Cycle) -> list[Block]:
    """The department's blocks in cycle, by date."""
    return list(
        db.session.scalars(
            select(Block)
            .join(Block.rotation)
            .where(Rotation.department_id == department.id, Block.cycle_id == cycle.id)
            .order_by(Block.starts_on, Block.id)
        )
    )


def allocatable_applications(department: Department, cycle: Cycle) -> list[Application]:
    """Submitted applications that have not been placed yet, with their choices loaded."""
    return list(
        db.session.scalars(
            select(Application)
            .where(
                Application.department_id == department.id,
                Application.cycle_id == cycle.id,
                Application.state.in_(ALLOCATABLE),
            )
            .options(selectinload(Application.choices))
            .order_by(Application.id)
        )
    )


def build_instance(
    department: Department, cycle: Cycle, scores: Mapping[int, Decimal]
) -> dict[str, Any]:
    """The interchange instance of a department: blocks, and students with flags and rankings.

    An application with no composite score yet gets 0 and is listed under "unscored"
    (a key the engine ignores), so the director sees it before running.
    """
    blocks = department_blocks(department, cycle)
    block_keys = {block.id: key(block.id) for block in blocks}
    students, unscored = [], []
    for application in allocatable_applications(department, cycle):
        score = scores.get(application.id)
        if score is None:
            unscored.append(key(application.id))
            score = Decimal(0)
        students.append(
            {
                "id": key(application.id),
                "uim": bool(application.in_pathway),
                "score": float(hundredths(score)),
                "ranking": [
                    block_keys[choice.block_id]
                    for choice in application.choices
                    if choice.block_id in block_keys
                ],
            }
        )
    return {
        "blocks": [
            {"id": block_keys[b.id], "capacity": b.capacity, "reserved": b.reserved} for b in blocks
        ],
        "students": students,
        "unscored": unscored,
        "labels": {block_keys[b.id]: b.label for b in blocks},
    }
