"""A small institution with one person per role, for the permission matrix.

Department A is "this department"; department B is another one. Features add the
records their endpoints need through World.extra (built lazily by their matrix module).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from clerkship.accounts.models import Role, User
from clerkship.cycles.models import Block, Cycle, Department, Rotation
from tests import factories

ROLES = (
    "anonymous",
    "student",
    "other_student",
    "reviewer",
    "director",
    "other_director",
    "coordinator",
    "committee",
    "admin",
)


@dataclass
class World:
    cycle: Cycle
    department: Department
    other_department: Department
    rotation: Rotation
    block: Block
    other_block: Block
    users: dict[str, User]
    extra: dict[str, Any] = field(default_factory=dict)

    def user(self, role: str) -> User | None:
        return self.users.get(role)


def build_world() -> World:
    """Create the institution and its people."""
    cycle = factories.make_cycle()
    department = factories.make_department(name="Emergency Medicine", slug="emergency-medicine")
    other = factories.make_department(name="Pediatrics", slug="pediatrics")
    rotation = factories.make_rotation(department)
    other_rotation = factories.make_rotation(other)
    users = {
        "student": factories.make_student(full_name="Student One"),
        "other_student": factories.make_student(full_name="Student Two"),
        "reviewer": factories.make_user((Role.REVIEWER, department)),
        "director": factories.make_user((Role.DIRECTOR, department), (Role.REVIEWER, department)),
        "other_director": factories.make_user((Role.DIRECTOR, other), (Role.REVIEWER, other)),
        "coordinator": factories.make_user((Role.COORDINATOR, department)),
        "committee": factories.make_user(Role.AWARD_COMMITTEE),
        "admin": factories.make_user(Role.ADMIN),
    }
    return World(
        cycle=cycle,
        department=department,
        other_department=other,
        rotation=rotation,
        block=factories.make_block(rotation, cycle),
        other_block=factories.make_block(other_rotation, cycle),
        users=users,
    )
