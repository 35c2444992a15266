"""Who may see and change the catalogue."""

from __future__ import annotations

from clerkship.accounts.models import Role, User
from clerkship.cycles.models import Department


def can_manage_institution(user: User) -> bool:
    """Administrators create cycles, departments and sites."""
    return user.is_authenticated and user.is_admin


def can_manage_department(user: User, department: Department) -> bool:
    """Administrators and the department's directors configure its rotations and blocks."""
    return user.is_authenticated and (user.is_admin or user.has_role(Role.DIRECTOR, department))


def can_view_department(user: User, department: Department) -> bool:
    """Administrators and the department's directors and coordinators see its staff pages."""
    return user.is_authenticated and (
        user.is_admin
        or user.has_role(Role.DIRECTOR, department)
        or user.has_role(Role.COORDINATOR, department)
    )
