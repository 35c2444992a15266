"""Every change to cycles, departments, sites, rotations and blocks."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from clerkship.accounts.models import User
from clerkship.audit.services import record_event
from clerkship.core.rules import RuleViolation
from clerkship.cycles.models import Block, Cycle, Department, Precedence, Rotation, Site
from clerkship.extensions import db


def _changes(obj, values: dict) -> dict:
    """Apply values to obj and return {field: [old, new]} for those that changed."""
    changed = {}
    for name, value in values.items():
        old = getattr(obj, name)
        if old != value:
            changed[name] = [_plain(old), _plain(value)]
            setattr(obj, name, value)
    return changed


def _plain(value):
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Precedence):
        return value.value
    return value


def _refuse_duplicate(model, column, value, current, field: str, message: str) -> None:
    stmt = select(model.id).where(func.lower(column) == value.lower())
    if current is not None and current.id is not None:
        stmt = stmt.where(model.id != current.id)
    if db.session.scalar(stmt) is not None:
        raise RuleViolation(message, field=field)


def save_cycle(cycle: Cycle | None, *, by: User, **values) -> Cycle:
    """Create or edit a cycle; blocks already scheduled must stay inside its season."""
    _refuse_duplicate(
        Cycle, Cycle.name, values["name"], cycle, "name", "A cycle with this name exists."
    )
    _refuse_duplicate(
        Cycle, Cycle.slug, values["slug"], cycle, "slug", "A cycle uses this short name."
    )
    if cycle is not None and cycle.id is not None:
        outside = db.session.scalar(
            select(func.count(Block.id)).where(
                Block.cycle_id == cycle.id,
                (Block.starts_on < values["rotations_start_on"])
                | (Block.ends_on > values["rotations_end_on"]),
            )
        )
        if outside:
            raise RuleViolation(
                f"{outside} block(s) of this cycle fall outside these rotation dates; "
                "move them first.",
                field="rotations_start_on",
            )
    created = cycle is None
    cycle = cycle or Cycle()
    changes = _changes(cycle, values)
    db.session.add(cycle)
    record_event("cycle.create" if created else "cycle.update", by=by, target=cycle, **changes)
    return cycle


def close_cycle(cycle: Cycle, *, by: User, now: datetime, today: date) -> Cycle:
    """Close a cycle whose rotations have ended: its records become history, and the
    retention clock of its self-identification answers starts."""
    db.session.execute(select(Cycle.id).where(Cycle.id == cycle.id).with_for_update())
    db.session.refresh(cycle)
    if cycle.closed_at is not None:
        raise RuleViolation(f"The {cycle.name} cycle was closed on {cycle.closed_at:%Y-%m-%d}.")
    if today <= cycle.rotations_end_on:
        raise RuleViolation(
            f"The {cycle.name} cycle can be closed once its rotations have ended, "
            f"after {cycle.rotations_end_on:%Y-%m-%d}."
        )
    cycle.closed_at = now
    record_event("cycle.close", by=by, target=cycle, closed_at=now.isoformat())
    db.session.flush()
    return cycle


def save_department(department: Department | None, *, by: User, **values) -> Department:
    """Create or edit a department."""
    _refuse_duplicate(
        Department,
        Department.name,
        values["name"],
        department,
        "name",
        "A department with this name exists.",
    )
    _refuse_duplicate(
        Department,
        Department.slug,
        values["slug"],
        department,
        "slug",
        "A department uses this short name.",
    )
    created = department is None
    department = department or Department()
    changes = _changes(department, values)
    db.session.add(department)
    record_event(
        "department.create" if created else "department.update", by=by, target=department, **changes
    )
    return department


def set_allocation_rule(
    department: Department, *, precedence: Precedence, hard_reserves: bool, by: User
) -> None:
    """Change the department's published allocation rule (docs/allocation.md §5)."""
    changes = _changes(department, {"precedence": precedence, "hard_reserves": hard_reserves})
    if changes:
        record_event("department.allocation_rule", by=by, target=department, **changes)


def save_site(site: Site | None, *, by: User, **values) -> Site:
    """Create or edit a site."""
    _refuse_duplicate(
        Site, Site.name, values["name"], site, "name", "A site with this name exists."
    )
    created = site is None
    site = site or Site()
    changes = _changes(site, values)
    db.session.add(site)
    record_event("site.create" if created else "site.update", by=by, target=site, **changes)
    return site


def save_rotation(
    rotation: Rotation | None, *, department: Department, by: User, **values
) -> Rotation:
    """Create or edit a rotation of a department; course codes are unique in the department."""
    stmt = select(Rotation.id).where(
        Rotation.department_id == department.id, func.lower(Rotation.code) == values["code"].lower()
    )
    if rotation is not None and rotation.id is not None:
        stmt = stmt.where(Rotation.id != rotation.id)
    if db.session.scalar(stmt) is not None:
        raise RuleViolation(
            f"{department.name} already has a rotation {values['code']}.", field="code"
        )
    if db.session.get(Site, values["site_id"]) is None:
        raise RuleViolation("Choose a site from the list.", field="site_id")
    created = rotation is None
    rotation = rotation or Rotation(department=department)
    changes = _changes(rotation, values)
    db.session.add(rotation)
    record_event(
        "rotation.create" if created else "rotation.update", by=by, target=rotation, **changes
    )
    return rotation


def save_block(
    block: Block | None,
    *,
    rotation: Rotation,
    cycle: Cycle,
    starts_on: date,
    ends_on: date,
    capacity: int,
    reserved: int,
    by: User,
) -> Block:
    """Create or edit a block: inside its cycle's season, 0 ≤ R ≤ C, not a duplicate."""
    if ends_on <= starts_on:
        raise RuleViolation("The end date must be after the start date.", field="ends_on")
    if starts_on < cycle.rotations_start_on:
        raise RuleViolation(
            f"The {cycle.name} season starts on {cycle.rotations_start_on:%b %-d, %Y}; "
            "the block cannot start before it.",
            field="starts_on",
        )
    if ends_on > cycle.rotations_end_on:
        raise RuleViolation(
            f"The {cycle.name} season ends on {cycle.rotations_end_on:%b %-d, %Y}; "
            "the block cannot end after it.",
            field="ends_on",
        )
    if capacity < 0:
        raise RuleViolation("Seats cannot be negative.", field="capacity")
    if not 0 <= reserved <= capacity:
        raise RuleViolation(
            f"Reserved seats ({reserved}) must be between 0 and the block's seats ({capacity}).",
            field="reserved",
        )
    if block is not None and block.id is not None:
        if capacity - reserved < block.open_taken:
            raise RuleViolation(
                f"{block.open_taken} open seat(s) of this block are held by students; "
                f"keep at least {block.open_taken + reserved} seats.",
                field="capacity",
            )
        if reserved < block.reserved_taken:
            raise RuleViolation(
                f"{block.reserved_taken} reserved seat(s) of this block are held by students; "
                f"keep at least {block.reserved_taken} reserved.",
                field="reserved",
            )
    duplicate = select(Block.id).where(
        Block.rotation_id == rotation.id, Block.starts_on == starts_on, Block.ends_on == ends_on
    )
    if block is not None and block.id is not None:
        duplicate = duplicate.where(Block.id != block.id)
    if db.session.scalar(duplicate) is not None:
        raise RuleViolation(
            f"{rotation.title} already has a block from {starts_on:%b %-d} to {ends_on:%b %-d, %Y}.",
            field="starts_on",
        )
    created = block is None
    block = block or Block()
    changes = _changes(
        block,
        {
            "rotation_id": rotation.id,
            "cycle_id": cycle.id,
            "starts_on": starts_on,
            "ends_on": ends_on,
            "capacity": capacity,
            "reserved": reserved,
        },
    )
    block.rotation, block.cycle = rotation, cycle
    db.session.add(block)
    record_event("block.create" if created else "block.update", by=by, target=block, **changes)
    return block


def delete_block(block: Block, *, by: User) -> None:
    """Remove a block that nothing refers to yet (no student has chosen it)."""
    try:
        with db.session.begin_nested():
            db.session.delete(block)
    except IntegrityError as error:
        raise RuleViolation(
            "Students have already chosen this block, so it cannot be deleted. "
            "Set its seats to zero instead."
        ) from error
    record_event(
        "block.delete",
        by=by,
        target=block,
        summary=f"Deleted {block.label}",
        rotation_id=block.rotation_id,
        starts_on=block.starts_on.isoformat(),
    )
