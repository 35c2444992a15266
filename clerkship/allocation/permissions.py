"""Who may run, adjust and publish a department's allocation."""

from __future__ import annotations

from clerkship.accounts.models import User
from clerkship.cycles.models import Department
from clerkship.cycles.permissions import can_manage_department


def can_run_allocation(user: User, department: Department) -> bool:
    """The department's directors (and admins) run, adjust, publish and discard its runs."""
    return can_manage_department(user, department)
