"""Who may configure, write, read, finalise and send evaluations, and keep the home schools.

Evaluations are read by the department's directors (and admins) and, while a draft, by the
faculty assigned to write it; never by reviewers as such, of this cycle or the next.
"""

from __future__ import annotations

from clerkship.accounts.models import Role, User
from clerkship.cycles.models import Department
from clerkship.evaluations.models import EvaluationState, RotationEvaluation


def can_configure_evaluations(user: User, department: Department) -> bool:
    """The department's directors (and admins) build its evaluation form."""
    return user.is_authenticated and (user.is_admin or user.has_role(Role.DIRECTOR, department))


def can_view_evaluations(user: User, department: Department) -> bool:
    """The department's directors (and admins) see its evaluations and assign faculty."""
    return can_configure_evaluations(user, department)


def _department(evaluation: RotationEvaluation) -> Department:
    return evaluation.placement.application.department


def is_evaluating_faculty(user: User, evaluation: RotationEvaluation) -> bool:
    """Whether user was assigned to write this evaluation."""
    return user.is_authenticated and user.id in evaluation.faculty_ids


def can_read_evaluation(user: User, evaluation: RotationEvaluation) -> bool:
    """The department's directors; the assigned faculty while it is a draft."""
    if can_view_evaluations(user, _department(evaluation)):
        return True
    return evaluation.state is EvaluationState.DRAFT and is_evaluating_faculty(user, evaluation)


def can_write_evaluation(user: User, evaluation: RotationEvaluation) -> bool:
    """A draft is written by its faculty and the department's directors."""
    return evaluation.state is EvaluationState.DRAFT and can_read_evaluation(user, evaluation)


def can_finalise_evaluation(user: User, evaluation: RotationEvaluation) -> bool:
    """The department's directors finalise a draft."""
    return evaluation.state is EvaluationState.DRAFT and can_view_evaluations(
        user, _department(evaluation)
    )


def can_send_evaluation(user: User, evaluation: RotationEvaluation) -> bool:
    """The department's directors send (or send again) a final evaluation to the home school."""
    return evaluation.state is not EvaluationState.DRAFT and can_view_evaluations(
        user, _department(evaluation)
    )


def can_manage_home_schools(user: User) -> bool:
    """Administrators keep the list of schools and their contacts."""
    return user.is_authenticated and user.is_admin


def can_choose_home_school(user: User) -> bool:
    """Students pick their own school from the list and see their evaluations' state."""
    return user.is_authenticated and user.is_student
