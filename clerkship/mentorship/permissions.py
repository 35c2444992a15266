"""Who may do what in mentorship: department staff match, students ask, admins keep the groups."""

from __future__ import annotations

from clerkship.accounts.models import Role, User
from clerkship.cycles.models import Department
from clerkship.mentorship.models import MentorRequest


def can_manage_mentorship(user: User, department: Department) -> bool:
    """The department's directors and coordinators (and admins) keep mentors and match requests."""
    return user.is_authenticated and (
        user.is_admin
        or user.has_role(Role.DIRECTOR, department)
        or user.has_role(Role.COORDINATOR, department)
    )


def can_ask_for_mentor(user: User) -> bool:
    """Students ask for a mentor and choose affinity groups, for themselves only."""
    return user.is_authenticated and user.is_student


def can_manage_affinity_groups(user: User) -> bool:
    """Administrators keep the institution's affinity groups and send each contact its list."""
    return user.is_authenticated and user.is_admin


def can_see_affinity_choices(user: User, mentor_request: MentorRequest) -> bool:
    """Staff see a student's affinity groups only when the student allowed it on this request."""
    return mentor_request.share_affinity_with_staff and can_manage_mentorship(
        user, mentor_request.department
    )
