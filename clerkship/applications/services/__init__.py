"""The life of an application: start, submit, withdraw; every change of state goes through transition()."""

from __future__ import annotations

from sqlalchemy import select

from clerkship.accounts.models import User
from clerkship.accounts.queries import lock_user
from clerkship.applications.checklist import window_problem
from clerkship.applications.models import Application, ApplicationEvent, ApplicationState
from clerkship.applications.queries import checklist_for, lock_application
from clerkship.applications.signals import application_started, application_withdrawn
from clerkship.audit.services import record_event
from clerkship.core.rules import RuleViolation
from clerkship.core.time import local_today, utcnow
from clerkship.core.urls import external_url
from clerkship.cycles.models import Block, Cycle, Department, Rotation
from clerkship.documents.models import DocumentKind
from clerkship.extensions import db
from clerkship.outbox.services import queue_email

S = ApplicationState

# Which state may follow which (docs/design.md, "Life of an application"). Any application
# that is not final can be withdrawn.
TRANSITIONS: dict[ApplicationState, frozenset[ApplicationState]] = {
    S.DRAFT: frozenset({S.SUBMITTED, S.WITHDRAWN}),
    S.SUBMITTED: frozenset({S.UNDER_REVIEW, S.OFFERED, S.WAITLISTED, S.NOT_SELECTED, S.WITHDRAWN}),
    S.UNDER_REVIEW: frozenset({S.OFFERED, S.WAITLISTED, S.NOT_SELECTED, S.WITHDRAWN}),
    S.WAITLISTED: frozenset({S.OFFERED, S.NOT_SELECTED, S.WITHDRAWN}),
    S.OFFERED: frozenset({S.ACCEPTED, S.DECLINED, S.OFFER_EXPIRED, S.OFFERED, S.WITHDRAWN}),
    # ACCEPTED -> ACCEPTED records a better block offered, taken or turned down while the
    # accepted seat is kept; OFFERED -> OFFERED a pending offer replaced by a better one.
    S.ACCEPTED: frozenset({S.ACCEPTED, S.COMPLETED, S.WITHDRAWN}),
    S.DECLINED: frozenset(),
    S.OFFER_EXPIRED: frozenset(),
    S.NOT_SELECTED: frozenset(),
    S.WITHDRAWN: frozenset(),
    S.COMPLETED: frozenset(),
}

# What the student is told, by new state.
STATE_MESSAGES = {
    S.SUBMITTED: "Your application is submitted. The department will review it.",
    S.UNDER_REVIEW: "Faculty are now reviewing your application.",
    S.WAITLISTED: "You are on the waitlist. If a seat you ranked frees up, you may receive an offer.",
    S.OFFERED: "You have an offer. Sign in to accept or decline it before it expires.",
    S.ACCEPTED: "You accepted your offer. The coordinator will contact you about onboarding.",
    S.DECLINED: "You declined your offer.",
    S.OFFER_EXPIRED: "Your offer expired without an answer.",
    S.NOT_SELECTED: "We are sorry: the department could not offer you a seat this season.",
    S.WITHDRAWN: "Your application is withdrawn.",
    S.COMPLETED: "Your rotation is recorded as completed. Thank you for rotating with us.",
}


def can_transition(application: Application, to: ApplicationState) -> bool:
    """Whether the state machine allows application to move to state to."""
    return to in TRANSITIONS[application.state]


def transition(
    application: Application,
    to: ApplicationState,
    *,
    by: User | None,
    note: str = "",
    notify: bool = True,
) -> ApplicationEvent:
    """Move an application to a new state: timeline entry, audit event, email to the student."""
    if not can_transition(application, to):
        raise RuleViolation(
            f"An application that is {application.state.label.lower()} cannot become "
            f"{to.label.lower()}."
        )
    previous = application.state
    application.state = to
    if to == S.SUBMITTED:
        application.submitted_at = utcnow()
    # Set from the event's side: the timeline is appended to when it is loaded, and not
    # loaded for this (a publication moves hundreds of applications).
    event = ApplicationEvent(
        application=application, from_state=previous, to_state=to, actor=by, note=note[:1000]
    )
    db.session.add(event)
    record_event(
        f"application.{to.value}",
        by=by,
        target=application,
        subject=application.student,
        summary=f"{application.department.name}: {previous.label} -> {to.label}",
        note=note[:200],
    )
    if notify:
        queue_email(
            application.student.email,
            f"{application.department.name} visiting clerkship: {to.label.lower()}",
            "application_state",
            recipient=application.student,
            department=application.department,
            application=application,
            message=STATE_MESSAGES[to],
            note=note,
            link=external_url("applications.status", application_id=application.id),
        )
    return event


STALE_MESSAGE = (
    "This application was changed in another tab or window after you opened this page. "
    "Nothing was changed here; the page now shows the current version."
)


def check_version(application: Application, version: int | None) -> None:
    """Refuse a change made from a page older than the application's last save."""
    if version is not None and version != application.version:
        raise RuleViolation(STALE_MESSAGE)


def start_application(
    student: User, cycle: Cycle, department: Department, *, by: User
) -> tuple[Application, bool]:
    """Open a draft for the department, or return the one the student already has (and False)."""
    lock_user(student)  # a double-clicked "Apply" creates one draft, not an error
    existing = db.session.scalar(
        select(Application).where(
            Application.student_id == student.id,
            Application.cycle_id == cycle.id,
            Application.department_id == department.id,
        )
    )
    if existing is not None:
        return existing, False
    problem = window_problem(cycle, local_today())
    if problem is not None:
        raise RuleViolation(problem.replace("can no longer be submitted", "are closed"))
    offered = db.session.scalar(
        select(Block.id)
        .join(Block.rotation)
        .where(Block.cycle_id == cycle.id, Rotation.department_id == department.id)
        .limit(1)
    )
    if offered is None:
        raise RuleViolation(f"{department.name} offers no blocks in {cycle.name} yet.")
    application = Application(student=student, cycle=cycle, department=department)
    application.events.append(
        ApplicationEvent(from_state=None, to_state=S.DRAFT, actor=by, note="Draft started")
    )
    db.session.add(application)
    db.session.flush()
    application_started.send(application, by=by)  # the pathway sets its flag
    record_event(
        "application.create",
        by=by,
        target=application,
        subject=student,
        summary=f"{department.name} application started",
    )
    return application, True


def submit_application(
    application: Application, *, version: int | None, by: User
) -> ApplicationEvent | None:
    """Submit a complete draft; None when it was already submitted (a double click)."""
    application = lock_application(application)
    if application.state != S.DRAFT:
        if application.state == S.WITHDRAWN:
            raise RuleViolation("This application was withdrawn; it cannot be submitted.")
        return None
    check_version(application, version)
    checklist = checklist_for(application)
    if not checklist.complete:
        problems = " ".join(f"{item.label}: {item.detail}" for item in checklist.missing)
        raise RuleViolation(f"Your application cannot be submitted yet. {problems}")
    return transition(application, S.SUBMITTED, by=by)


def withdraw_application(
    application: Application, *, by: User, reason: str | None = ""
) -> ApplicationEvent | None:
    """Withdraw an application that is not final; None when it was already withdrawn."""
    application = lock_application(application)
    if application.state == S.WITHDRAWN:
        return None
    if application.state.is_final:
        raise RuleViolation(
            f"This application is {application.state.label.lower()}; it can no longer be withdrawn."
        )
    event = transition(application, S.WITHDRAWN, by=by, note=(reason or "").strip())
    application_withdrawn.send(application, by=by)  # offers give back any seat it held
    return event


def save_application_settings(
    department: Department,
    *,
    max_choices: int,
    statement_word_limit: int,
    letters_required: int,
    required_documents: list[DocumentKind],
    by: User,
) -> None:
    """Change what the department's applications need (drafts are checked against it at once)."""
    if DocumentKind.LETTER in required_documents:
        raise RuleViolation(
            "Letters are counted separately; set the number of letters instead.",
            field="required_documents",
        )
    values = {
        "max_choices": max_choices,
        "statement_word_limit": statement_word_limit,
        "letters_required": letters_required,
        "required_documents": ",".join(k.value for k in DocumentKind if k in required_documents),
    }
    changes = {}
    for name, value in values.items():
        if getattr(department, name) != value:
            changes[name] = [getattr(department, name), value]
            setattr(department, name, value)
    if changes:
        record_event("department.application_settings", by=by, target=department, **changes)
