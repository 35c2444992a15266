"""A department's allocation inputs in the interchange format (docs/allocation.md §6).

Applications and blocks become engine records whose ids are their primary keys as
fixed-width strings (spec §1: integer keys become f"{pk:08d}"), so ties fall to the
earlier application on every run and every database.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from clerkship.allocation.engine import Block as EngineBlock
from clerkship.allocation.engine import Student, hundredths
from clerkship.allocation.interchange import Instance
from clerkship.applications.models import Application, ApplicationChoice, ApplicationState
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


def engine_instance(inputs: dict[str, Any]) -> Instance:
    """The engine records of inputs that build_instance wrote (a run's frozen inputs).

    They were valid when frozen, so they skip parse_instance's record-by-record checks
    (its fast path refuses float scores, and a run holds thousands of them); a float
    score is read through its shortest repr, as parse_instance reads it.
    """
    return Instance(
        blocks=tuple(EngineBlock(b["id"], b["capacity"], b["reserved"]) for b in inputs["blocks"]),
        students=tuple(
            Student(
                id=s["id"],
                uim=s["uim"],
                ranking=tuple(s["ranking"]),
                score=_decimal(s["score"]),
                block_scores={k: _decimal(v) for k, v in (s.get("block_scores") or {}).items()},
            )
            for s in inputs["students"]
        ),
    )


def _decimal(value: float | int | Decimal) -> Decimal:
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


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


def build_instance(
    department: Department, cycle: Cycle, scores: Mapping[int, Decimal]
) -> dict[str, Any]:
    """The interchange instance of a department: blocks, and students with flags and rankings.

    An application with no composite score yet gets 0 and is listed under "unscored"
    (a key the engine ignores), so the director sees it before running.
    """
    blocks = department_blocks(department, cycle)
    block_keys = {block.id: key(block.id) for block in blocks}
    # Plain rows rather than Application objects: thousands of them are read on every run.
    where = (
        Application.department_id == department.id,
        Application.cycle_id == cycle.id,
        Application.state.in_(ALLOCATABLE),
    )
    rankings: dict[int, list[str]] = {}
    for application_id, block_id in db.session.execute(
        select(ApplicationChoice.application_id, ApplicationChoice.block_id)
        .join(Application, Application.id == ApplicationChoice.application_id)
        .where(*where)
        .order_by(ApplicationChoice.application_id, ApplicationChoice.rank)
    ):
        if block_id in block_keys:
            rankings.setdefault(application_id, []).append(block_keys[block_id])
    students, unscored = [], []
    for application_id, in_pathway in db.session.execute(
        select(Application.id, Application.in_pathway).where(*where).order_by(Application.id)
    ):
        score = scores.get(application_id)
        if score is None:
            unscored.append(key(application_id))
            score = Decimal(0)
        students.append(
            {
                "id": key(application_id),
                "uim": bool(in_pathway),
                "score": float(hundredths(score)),
                "ranking": rankings.get(application_id, []),
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
