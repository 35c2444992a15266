"""Reads of applications shared by the student's pages, the staff pages and the services."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import func, select
from sqlalchemy.orm import defer, joinedload, selectinload

from clerkship.accounts.models import User
from clerkship.applications.checklist import Checklist, build_checklist
from clerkship.applications.models import (
    Application,
    ApplicationState,
    StudentProfile,
)
from clerkship.core.time import local_today
from clerkship.cycles.models import Block, Cycle, Department, Rotation
from clerkship.documents.models import Document, DocumentKind
from clerkship.documents.queries import current_documents
from clerkship.extensions import db
from clerkship.letters.queries import letter_counts

S = ApplicationState


def profile_for(student: User) -> StudentProfile | None:
    """The student's profile, if saved."""
    return db.session.scalar(select(StudentProfile).where(StudentProfile.user_id == student.id))


def checklist_for(application: Application, *, for_staff: bool = False) -> Checklist:
    """The application's checklist, read from the database as it is now (for_staff: worded
    for the department's staff)."""
    received, waiting = letter_counts(application.student, application.cycle)
    return build_checklist(
        application,
        profile=profile_for(application.student),
        documents=current_documents(application.student, application.cycle),
        letters_received=received,
        letters_waiting=waiting,
        today=local_today(),
        for_staff=for_staff,
    )


def student_applications(student: User) -> list[Application]:
    """All of a student's applications, newest cycle first."""
    return list(
        db.session.scalars(
            select(Application)
            .join(Application.cycle)
            .where(Application.student_id == student.id)
            .order_by(Cycle.rotations_start_on.desc(), Application.id)
        )
    )


def departments_open_to(student: User, cycle: Cycle) -> list[Department]:
    """Departments with blocks in cycle that the student has not applied to yet."""
    applied = select(Application.department_id).where(
        Application.student_id == student.id, Application.cycle_id == cycle.id
    )
    offering = (
        select(Rotation.department_id)
        .join(Block, Block.rotation_id == Rotation.id)
        .where(Block.cycle_id == cycle.id)
    )
    return list(
        db.session.scalars(
            select(Department)
            .where(Department.id.in_(offering), Department.id.not_in(applied))
            .order_by(Department.name)
        )
    )


def offered_blocks(department: Department, cycle: Cycle) -> list[Block]:
    """The department's blocks in cycle, by start date then rotation."""
    return list(
        db.session.scalars(
            select(Block)
            .join(Block.rotation)
            .where(Block.cycle_id == cycle.id, Rotation.department_id == department.id)
            .order_by(Block.starts_on, Rotation.title, Block.id)
        ).unique()
    )


def applications_by_ids(ids: list[int]) -> list[Application]:
    """The applications with these ids, in this order, with their ranked blocks."""
    if not ids:
        return []
    loaded = db.session.scalars(
        select(Application)
        .where(Application.id.in_(ids))
        # The statement is long and not shown in lists.
        .options(
            defer(Application.personal_statement),
            selectinload(Application.choices),
            # Lists show the student's name, never their roles.
            joinedload(Application.student).lazyload(User.memberships),
        )
    ).unique()
    by_id = {application.id: application for application in loaded}
    return [by_id[i] for i in ids if i in by_id]


def draft_count(department: Department, cycle: Cycle) -> int:
    """How many drafts are in progress for the department (shown as a number only)."""
    return db.session.scalar(
        select(func.count(Application.id)).where(
            Application.department_id == department.id,
            Application.cycle_id == cycle.id,
            Application.state == S.DRAFT,
        )
    )


def profiles_by_student(student_ids: list[int]) -> dict[int, StudentProfile]:
    """Profiles of these students, by user id."""
    if not student_ids:
        return {}
    rows = db.session.scalars(select(StudentProfile).where(StudentProfile.user_id.in_(student_ids)))
    return {profile.user_id: profile for profile in rows}


def lock_application(application: Application) -> Application:
    """Lock an application's row and read it afresh (state and version as committed).

    On SQLite, a writing request already holds the database's write lock
    (clerkship/core/database.py); FOR UPDATE is then a no-op.
    """
    return db.session.scalars(
        select(Application)
        .where(Application.id == application.id)
        .with_for_update(of=Application)
        .execution_options(populate_existing=True)
    ).one()


def state_counts_by_department(
    department_ids: Collection[int], cycle: Cycle, states: Collection[ApplicationState]
) -> dict[int, dict[ApplicationState, int]]:
    """department id -> how many of its applications in cycle are in each of states (one
    query, reading those states' rows alone through the department, cycle and state index)."""
    found: dict[int, dict[ApplicationState, int]] = {d: {} for d in department_ids}
    if not department_ids or not states:
        return found
    rows = db.session.execute(
        select(Application.department_id, Application.state, func.count(Application.id))
        .where(
            Application.department_id.in_(sorted(department_ids)),
            Application.cycle_id == cycle.id,
            Application.state.in_(list(states)),
        )
        .group_by(Application.department_id, Application.state)
    )
    for department_id, state, count in rows:
        found[department_id][state] = count
    return found


def student_applications_in(student: User, cycle: Cycle) -> list[Application]:
    """The student's applications in cycle, by department name (department loaded)."""
    return list(
        db.session.scalars(
            select(Application)
            .join(Application.department)
            .where(Application.student_id == student.id, Application.cycle_id == cycle.id)
            .order_by(Department.name, Application.id)
        ).unique()
    )


def packet_documents(application: Application) -> list[Document]:
    """The student's current documents of the application's cycle, letters included, in the
    order DocumentKind lists them: what the department's staff may open
    (permissions.can_staff_open_document), for the staff packet."""
    order = {kind: i for i, kind in enumerate(DocumentKind)}
    documents = db.session.scalars(
        select(Document).where(
            Document.owner_id == application.student_id,
            Document.cycle_id == application.cycle_id,
            Document.replaced_at.is_(None),
        )
    )
    return sorted(documents, key=lambda d: (order[d.kind], d.uploaded_at, d.id))
