"""Who may answer a rotation survey, read its results, and write its questions."""

from __future__ import annotations

from clerkship.accounts.models import Role, User
from clerkship.cycles.models import Department
from clerkship.rotations.models import RotationRecord, RotationState


def can_view_survey_results(user: User, department: Department) -> bool:
    """The department's directors and coordinators (and admins) read the results in aggregate."""
    return user.is_authenticated and (
        user.is_admin
        or user.has_role(Role.DIRECTOR, department)
        or user.has_role(Role.COORDINATOR, department)
    )


def can_edit_survey_questions(user: User, department: Department) -> bool:
    """The department's directors (and admins) write the questions."""
    return user.is_authenticated and (user.is_admin or user.has_role(Role.DIRECTOR, department))


def can_answer_survey(user: User, record: RotationRecord) -> bool:
    """Only the student whose rotation it was, once it is completed."""
    return (
        user.is_authenticated
        and record.state is RotationState.COMPLETED
        and record.placement.application.student_id == user.id
    )
