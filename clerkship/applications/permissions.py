"""Who may see and change applications and student profiles."""

from __future__ import annotations

from sqlalchemy import exists, select

from clerkship.accounts.models import Role, User
from clerkship.applications.models import Application, ApplicationState
from clerkship.cycles.models import Department
from clerkship.documents.models import Document
from clerkship.extensions import db


def can_apply(user: User) -> bool:
    """Students with a confirmed email address fill in profiles and applications."""
    return user.is_authenticated and user.is_student and user.is_verified


def can_edit_profile(user: User) -> bool:
    """Students keep one profile that every application reuses."""
    return user.is_authenticated and user.is_student


def is_applicant(user: User, application: Application) -> bool:
    """The student whose application it is."""
    return user.is_authenticated and application.student_id == user.id


def can_withdraw_application(user: User, application: Application) -> bool:
    """The applicant may withdraw an application that is not final."""
    return is_applicant(user, application) and not application.state.is_final


def can_view_applications(user: User, department: Department) -> bool:
    """Directors and coordinators of the department, and administrators, see its applications."""
    return user.is_authenticated and (
        user.is_admin
        or user.has_role(Role.DIRECTOR, department)
        or user.has_role(Role.COORDINATOR, department)
    )


def can_view_application_file(user: User, application: Application) -> bool:
    """Department staff read a submitted application in full; a draft stays the student's."""
    return application.state != ApplicationState.DRAFT and can_view_applications(
        user, application.department
    )


def can_remind_applicants(user: User, department: Department) -> bool:
    """Directors and coordinators (and administrators) remind applicants of missing items."""
    return can_view_applications(user, department)


def can_see_pathway_flag(user: User, department: Department) -> bool:
    """The yes/no pathway flag: the department's directors and coordinators, the award
    committee and administrators (reviewers only through the reviews feature's blinding)."""
    return user.is_authenticated and (
        user.is_admin
        or user.has_role(Role.AWARD_COMMITTEE)
        or user.has_role(Role.DIRECTOR, department)
        or user.has_role(Role.COORDINATOR, department)
    )


def can_change_application_settings(user: User, department: Department) -> bool:
    """Directors and administrators set choices, word limit, letters and required documents."""
    return user.is_authenticated and (user.is_admin or user.has_role(Role.DIRECTOR, department))


def can_staff_open_document(user: User, document: Document) -> bool:
    """Staff see a student's documents once the student applied to their department.

    Not in a draft; administrators once the student has applied anywhere.
    """
    departments = user.department_ids(Role.DIRECTOR, Role.COORDINATOR)
    if not departments and not user.is_admin:
        return False
    applied = exists().where(
        Application.student_id == document.owner_id,
        Application.cycle_id == document.cycle_id,
        Application.state != ApplicationState.DRAFT,
    )
    if not user.is_admin:
        applied = applied.where(Application.department_id.in_(departments))
    return bool(db.session.scalar(select(applied)))
