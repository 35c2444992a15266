"""Every change of an application's state goes through transition()."""

from __future__ import annotations

from clerkship.accounts.models import User
from clerkship.applications.models import Application, ApplicationEvent, ApplicationState
from clerkship.audit.services import record_event
from clerkship.core.mail import queue_email
from clerkship.core.rules import RuleViolation
from clerkship.core.time import utcnow
from clerkship.core.urls import external_url

S = ApplicationState

# Which state may follow which (DESIGN.md, "Life of an application"). Any application
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
    event = ApplicationEvent(from_state=previous, to_state=to, actor=by, note=note[:1000])
    application.events.append(event)
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
            application=application,
            message=STATE_MESSAGES[to],
            note=note,
            link=external_url("applications.status", application_id=application.id)
            if _has_status_page()
            else None,
        )
    return event


def _has_status_page() -> bool:
    from flask import current_app

    return "applications.status" in current_app.view_functions
