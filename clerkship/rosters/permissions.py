"""Who may export rosters, track compliance and open the dashboards."""

from __future__ import annotations

from clerkship.accounts.models import Role, User
from clerkship.cycles.models import Department


def can_export_rosters(user: User, department: Department) -> bool:
    """The department's directors and coordinators, and admins, export its rosters."""
    return user.is_authenticated and (
        user.is_admin
        or user.has_role(Role.DIRECTOR, department)
        or user.has_role(Role.COORDINATOR, department)
    )


def can_track_compliance(user: User, department: Department) -> bool:
    """The same staff follow and verify the documents of the department's placed students."""
    return can_export_rosters(user, department)


def can_view_dashboard(user: User, department: Department) -> bool:
    """The department's directors and coordinators, and admins, see its dashboard."""
    return can_export_rosters(user, department)


def can_view_institution_dashboard(user: User) -> bool:
    """Admins and the award committee see the whole institution's figures."""
    return user.is_authenticated and (user.is_admin or user.has_role(Role.AWARD_COMMITTEE))


def can_export_award_roster(user: User) -> bool:
    """Admins and the award committee export the award roster with its payments."""
    return can_view_institution_dashboard(user)
