"""Who may record a rotation's arrival and completion and write its first-day information."""

from __future__ import annotations

from clerkship.accounts.models import Role, User
from clerkship.cycles.models import Department


def can_record_rotations(user: User, department: Department) -> bool:
    """The department's coordinators and directors (and admins) record arrivals and completions."""
    return user.is_authenticated and (
        user.is_admin
        or user.has_role(Role.COORDINATOR, department)
        or user.has_role(Role.DIRECTOR, department)
    )


def can_edit_first_day(user: User, department: Department) -> bool:
    """The same staff write the first-day information of the department's rotations."""
    return can_record_rotations(user, department)


def can_override_completion_date(user: User) -> bool:
    """Only an administrator records a completion before the block ends, with a reason."""
    return user.is_authenticated and user.is_admin
