"""Reads of mentorship shared by pages, start pages and services."""

from __future__ import annotations

from sqlalchemy import Select, func, select

from clerkship.accounts.models import User
from clerkship.applications.models import Application, ApplicationState
from clerkship.audit.models import AuditEvent
from clerkship.cycles.models import Cycle, Department
from clerkship.extensions import db
from clerkship.mentorship.matching import Candidate
from clerkship.mentorship.models import (
    AffinityChoice,
    AffinityGroup,
    Mentor,
    MentorRequest,
    MentorshipSetting,
    RequestState,
)

AFFINITY_VIEWED = "mentorship.affinity_viewed"

# Applying or placed, before or during the rotation: a mentor can still help.
ACTIVE_STATES = (
    ApplicationState.SUBMITTED,
    ApplicationState.UNDER_REVIEW,
    ApplicationState.WAITLISTED,
    ApplicationState.OFFERED,
    ApplicationState.ACCEPTED,
)


def open_to_all(department: Department) -> bool:
    """Whether every applying or placed student may ask (else only those in the pathway)."""
    return bool(
        db.session.scalar(
            select(MentorshipSetting.open_to_all).where(
                MentorshipSetting.department_id == department.id
            )
        )
    )


def eligible_applications(student: User, cycle: Cycle) -> list[Application]:
    """The student's applications of the cycle through which they may ask for a mentor."""
    rows = db.session.execute(
        select(Application, func.coalesce(MentorshipSetting.open_to_all, False))
        .join(Application.department)
        .outerjoin(MentorshipSetting, MentorshipSetting.department_id == Application.department_id)
        .where(
            Application.student_id == student.id,
            Application.cycle_id == cycle.id,
            Application.state.in_(ACTIVE_STATES),
        )
        .order_by(Department.name)
    )
    return [application for application, everyone in rows if everyone or application.in_pathway]


def eligible_application(student: User, department: Department, cycle: Cycle) -> Application | None:
    """The student's application to department through which they may ask, if there is one."""
    for application in eligible_applications(student, cycle):
        if application.department_id == department.id:
            return application
    return None


def requests_of(student: User, cycle: Cycle) -> list[MentorRequest]:
    """The student's mentor requests in the cycle, by department name."""
    return list(
        db.session.scalars(
            select(MentorRequest)
            .join(MentorRequest.department)
            .where(MentorRequest.student_id == student.id, MentorRequest.cycle_id == cycle.id)
            .order_by(Department.name)
        )
    )


def request_of(student: User, department: Department, cycle: Cycle) -> MentorRequest | None:
    """The student's request to department in cycle, whatever its state."""
    return db.session.scalar(
        select(MentorRequest).where(
            MentorRequest.student_id == student.id,
            MentorRequest.department_id == department.id,
            MentorRequest.cycle_id == cycle.id,
        )
    )


def department_requests(department: Department, cycle: Cycle, state: RequestState) -> Select:
    """A department's requests of a cycle in one state, oldest first."""
    return (
        select(MentorRequest)
        .where(
            MentorRequest.department_id == department.id,
            MentorRequest.cycle_id == cycle.id,
            MentorRequest.state == state,
        )
        .order_by(MentorRequest.created_at, MentorRequest.id)
    )


def open_request_counts(department_ids: list[int], cycle: Cycle) -> dict[int, int]:
    """Open requests per department (one grouped query)."""
    if not department_ids:
        return {}
    rows = db.session.execute(
        select(MentorRequest.department_id, func.count(MentorRequest.id))
        .where(
            MentorRequest.department_id.in_(department_ids),
            MentorRequest.cycle_id == cycle.id,
            MentorRequest.state == RequestState.OPEN,
        )
        .group_by(MentorRequest.department_id)
    )
    return dict(rows.all())


def mentors(department: Department) -> list[Mentor]:
    """The department's mentors, active first, by name."""
    return list(
        db.session.scalars(
            select(Mentor)
            .where(Mentor.department_id == department.id)
            .order_by(Mentor.active.desc(), Mentor.name, Mentor.id)
        )
    )


def mentees_taken(department: Department, cycle: Cycle) -> dict[int, int]:
    """Matched requests of the cycle per mentor of the department (one grouped query)."""
    rows = db.session.execute(
        select(MentorRequest.mentor_id, func.count(MentorRequest.id))
        .where(
            MentorRequest.department_id == department.id,
            MentorRequest.cycle_id == cycle.id,
            MentorRequest.state == RequestState.MATCHED,
        )
        .group_by(MentorRequest.mentor_id)
    )
    return dict(rows.all())


def taken_by(mentor: Mentor, cycle: Cycle) -> int:
    """How many of mentor's places are taken in cycle."""
    return db.session.scalar(
        select(func.count(MentorRequest.id)).where(
            MentorRequest.mentor_id == mentor.id,
            MentorRequest.cycle_id == cycle.id,
            MentorRequest.state == RequestState.MATCHED,
        )
    )


def candidates(department: Department, cycle: Cycle) -> list[Candidate]:
    """The department's active mentors as the suggestion sees them, with their places taken."""
    taken = mentees_taken(department, cycle)
    return [
        Candidate(m.id, m.name, m.offers, m.capacity, taken.get(m.id, 0))
        for m in mentors(department)
        if m.active
    ]


def mentees_of(user: User) -> list[MentorRequest]:
    """The matched requests whose mentor is user (the mentor's email is the user's confirmed email)."""
    if not user.is_authenticated or not user.is_verified:
        return []
    return list(
        db.session.scalars(
            select(MentorRequest)
            .join(MentorRequest.mentor)
            .where(
                func.lower(Mentor.email) == user.email.lower(),
                MentorRequest.state == RequestState.MATCHED,
            )
            .order_by(MentorRequest.matched_at.desc(), MentorRequest.id)
        )
    )


def affinity_groups(*, active_only: bool = False) -> list[AffinityGroup]:
    """Every affinity group, by name."""
    stmt = select(AffinityGroup).order_by(AffinityGroup.name, AffinityGroup.id)
    if active_only:
        stmt = stmt.where(AffinityGroup.active.is_(True))
    return list(db.session.scalars(stmt))


def affinity_choices(student: User) -> list[AffinityChoice]:
    """The affinity groups the student chose, by group name."""
    return list(
        db.session.scalars(
            select(AffinityChoice)
            .join(AffinityChoice.group)
            .where(AffinityChoice.student_id == student.id)
            .order_by(AffinityGroup.name)
        )
    )


def group_members_shared(group: AffinityGroup) -> list[User]:
    """Students who chose the group and allowed sharing with its contact, by name."""
    return list(
        db.session.scalars(
            select(User)
            .join(AffinityChoice, AffinityChoice.student_id == User.id)
            .where(
                AffinityChoice.group_id == group.id,
                AffinityChoice.share_with_contact.is_(True),
            )
            .order_by(User.full_name, User.id)
        )
    )


def affinity_views(student: User) -> list[AuditEvent]:
    """Every recorded view of the student's affinity-group choices, newest first."""
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == AFFINITY_VIEWED, AuditEvent.subject_user_id == student.id)
            .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        )
    )
