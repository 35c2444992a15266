"""Who may read the outcome report and import a department's rank and match lists."""

from __future__ import annotations

from clerkship.accounts.models import Role, User
from clerkship.cycles.models import Department


def can_read_institution_outcomes(user: User) -> bool:
    """Admins and the award committee (the dean's office reads as the committee) see every program."""
    return user.is_authenticated and (user.is_admin or user.has_role(Role.AWARD_COMMITTEE))


def can_read_department_outcomes(user: User, department: Department) -> bool:
    """The department's directors see its slice; institution readers see every department's."""
    return user.is_authenticated and (
        can_read_institution_outcomes(user) or user.has_role(Role.DIRECTOR, department)
    )


def can_import_lists(user: User, department: Department) -> bool:
    """The department's directors and admins import its rank and match lists."""
    return user.is_authenticated and (user.is_admin or user.has_role(Role.DIRECTOR, department))
