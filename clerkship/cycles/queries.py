"""Reads of the catalogue shared by pages, exports and services."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from clerkship.core.params import query
from clerkship.core.time import local_today
from clerkship.cycles.models import Block, Cycle, Department, Rotation, Site
from clerkship.extensions import db


@dataclass
class RotationListing:
    """A rotation with its blocks in one cycle."""

    rotation: Rotation
    blocks: list[Block] = field(default_factory=list)

    @property
    def seats(self) -> int:
        return sum(block.capacity for block in self.blocks)

    @property
    def reserved(self) -> int:
        return sum(block.reserved for block in self.blocks)


@dataclass
class DepartmentListing:
    """A department's rotations with their blocks in one cycle."""

    department: Department
    rotations: list[RotationListing] = field(default_factory=list)


def published_cycles() -> list[Cycle]:
    """Cycles whose catalogue is open, newest first."""
    return list(
        db.session.scalars(
            select(Cycle)
            .where(Cycle.catalogue_opens_on <= local_today())
            .order_by(Cycle.rotations_start_on.desc())
        )
    )


def all_cycles() -> list[Cycle]:
    """Every cycle, newest first."""
    return list(db.session.scalars(select(Cycle).order_by(Cycle.rotations_start_on.desc())))


def current_cycle() -> Cycle | None:
    """The newest cycle whose catalogue is open, or the newest cycle of all."""
    published = published_cycles()
    if published:
        return published[0]
    cycles = all_cycles()
    return cycles[0] if cycles else None


def catalogue(cycle: Cycle, *, department: Department | None = None, active_only: bool = True):
    """Departments, their rotations and the rotations' blocks in cycle, in two queries.

    Departments with no rotation are listed too (with an empty list), so a
    department page shows what is still to be configured.
    """
    departments = select(Department).order_by(Department.name)
    rotations = (
        select(Rotation)
        .join(Rotation.site)
        .options(contains_eager(Rotation.site))
        .order_by(Rotation.title, Rotation.id)
    )
    if department is not None:
        departments = departments.where(Department.id == department.id)
        rotations = rotations.where(Rotation.department_id == department.id)
    if active_only:
        rotations = rotations.where(Rotation.active.is_(True))
    blocks = (
        select(Block)
        .join(Block.rotation)
        .where(Block.cycle_id == cycle.id)
        .order_by(Block.starts_on, Block.id)
    )
    if department is not None:
        blocks = blocks.where(Rotation.department_id == department.id)
    by_rotation: dict[int, list[Block]] = {}
    for block in db.session.scalars(blocks).unique():
        by_rotation.setdefault(block.rotation_id, []).append(block)
    listings = {d.id: DepartmentListing(d) for d in db.session.scalars(departments)}
    for rotation in db.session.scalars(rotations):
        if rotation.department_id in listings:
            listings[rotation.department_id].rotations.append(
                RotationListing(rotation, by_rotation.get(rotation.id, []))
            )
    return list(listings.values())


def sites() -> list[Site]:
    """Every site by name."""
    return list(db.session.scalars(select(Site).order_by(Site.name)))


def departments() -> list[Department]:
    """Every department by name."""
    return list(db.session.scalars(select(Department).order_by(Department.name)))


def department_by_slug(slug: str) -> Department | None:
    """The department with this short name."""
    return db.session.scalar(select(Department).where(Department.slug == slug))


def department_or_404(slug: str) -> Department:
    """The department a page's URL names, or a 404 page."""
    department = department_by_slug(slug)
    if department is None:
        abort(404)
    return department


def requested_cycle(cycles: list[Cycle]) -> Cycle | None:
    """The cycle a page's ?cycle= names among cycles, else the current one."""
    wanted = query.text("cycle")
    return next((c for c in cycles if c.slug == wanted), None) or current_cycle()
