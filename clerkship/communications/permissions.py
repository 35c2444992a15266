"""Who may write to students, word the department's templates, and read messages."""

from __future__ import annotations

from clerkship.accounts.models import Role, User
from clerkship.cycles.models import Department


def can_write_to_students(user: User, department: Department) -> bool:
    """The department's directors and coordinators, and admins, write to its students."""
    return user.is_authenticated and (
        user.is_admin
        or user.has_role(Role.DIRECTOR, department)
        or user.has_role(Role.COORDINATOR, department)
    )


def can_edit_message_templates(user: User, department: Department) -> bool:
    """The department's directors, and admins, word its templates and automatic emails."""
    return user.is_authenticated and (user.is_admin or user.has_role(Role.DIRECTOR, department))


def can_read_own_messages(user: User) -> bool:
    """Students read every message sent to them on their Messages page."""
    return user.is_authenticated and user.is_student
