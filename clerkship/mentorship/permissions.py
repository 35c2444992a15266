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


def is_mentor_of(user: User, mentor_request: MentorRequest) -> bool:
    """Whether user is the request's mentor: signed in with the mentor's email, confirmed."""
    mentor = mentor_request.mentor
    return (
        user.is_authenticated
        and user.is_verified
        and mentor is not None
        and mentor.email.lower() == user.email.lower()
    )


def can_confirm_first_meeting(user: User, mentor_request: MentorRequest) -> bool:
    """The pair's mentor confirms their first meeting; the department's staff record it too."""
    return is_mentor_of(user, mentor_request) or can_manage_mentorship(
        user, mentor_request.department
    )
