"""Who may see and run interview seasons, and who may answer an invitation."""

from __future__ import annotations

from clerkship.accounts.models import User
from clerkship.cycles.models import Cycle, Department
from clerkship.cycles.permissions import can_manage_department, can_view_department
from clerkship.interviews.models import Invitation
from clerkship.interviews.queries import season_for


def can_view_interviews(user: User, department: Department) -> bool:
    """The department's directors and coordinators, and admins, see its days, rosters and exports."""
    return can_view_department(user, department)


def can_manage_interviews(user: User, department: Department) -> bool:
    """The department's directors, and admins, set up days, invite and run the draw."""
    return can_manage_department(user, department)


def can_withdraw_invitations_of(user: User, department: Department, cycle: Cycle) -> bool:
    """Those who run the department's interviews, when it has a season in cycle (the
    applications list offers to withdraw its applicants' invitations then)."""
    return can_manage_interviews(user, department) and season_for(department, cycle) is not None


def can_view_own_interviews(user: User) -> bool:
    """Students see their own interview invitations and bookings."""
    return user.is_authenticated and user.is_student


def can_answer_invitation(user: User, invitation: Invitation) -> bool:
    """Only the invitee books, ranks, waits or declines; nobody else learns it exists."""
    return user.is_authenticated and invitation.student_id == user.id
