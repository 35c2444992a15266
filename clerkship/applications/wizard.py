"""What the student's application pages share: loading the student's own application, the steps."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from clerkship.applications import queries
from clerkship.applications.models import Application
from clerkship.applications.permissions import is_applicant
from clerkship.core.params import posted
from clerkship.core.permissions import get_or_403

NOT_YOURS = "This application does not exist, or it is not yours."
STEPS = (
    ("applications.choices", "Blocks"),
    ("applications.statement", "Statement"),
    ("applications.documents", "Documents"),
    ("applications.letters", "Letters"),
    ("applications.review", "Review and submit"),
)


def form_version(form) -> int | None:
    """The version a form was loaded with (-1 when missing or garbled: always stale)."""
    number = form.version.number
    return -1 if number is None else number


def own_application(application_id: int) -> Application:
    """The student's own application; anyone else's, or none, is the same 403."""
    return get_or_403(Application, application_id, is_applicant, NOT_YOURS)


def draft_application(application_id: int) -> Application:
    """The student's own application, which must still be a draft (else: its status page)."""
    application = own_application(application_id)
    if not application.is_editable:
        flash(f"This application is {application.state.label.lower()}, so it is read-only.", "info")
        abort(redirect(url_for("applications.status", application_id=application.id)))
    return application


def render_step(template: str, application: Application, step: str | None = None, **context):
    """Render a step of the wizard with the steps' navigation and the checklist."""
    step = step or request.endpoint
    index = next((i for i, (endpoint, _) in enumerate(STEPS) if endpoint == step), 0)
    following = STEPS[index + 1][0] if index + 1 < len(STEPS) else None
    return render_template(
        template,
        application=application,
        checklist=queries.checklist_for(application),
        steps=STEPS,
        step=step,
        next_step=following,
        **context,
    )


def after_save(application: Application, endpoint: str):
    """Stay on the step, or go to the next one when the student chose "Save and continue"."""
    if posted.text("go") == "next":
        index = [e for e, _ in STEPS].index(endpoint)
        return redirect(url_for(STEPS[index + 1][0], application_id=application.id))
    return redirect(url_for(endpoint, application_id=application.id))
