"""What communications add to the staff application file: writing to the student."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import url_for

from clerkship.accounts.models import User
from clerkship.applications.actions import FileAction
from clerkship.applications.models import Application, ApplicationState
from clerkship.communications.permissions import can_write_to_students


def file_actions(user: User, application: Application) -> list[FileAction]:
    """Write to the student: the department's staff, unless the student withdrew (the
    message page refuses withdrawn applications too). It opens the message page with
    this one application selected on the applications list."""
    if application.state is ApplicationState.WITHDRAWN or not can_write_to_students(
        user, application.department
    ):
        return []
    return [
        FileAction(
            "Write to the student",
            url_for("communications.compose", slug=application.department.slug),
            hint="An email from the department, kept on the student's Messages page.",
            fields=(
                ("selection_source", "applications"),
                ("selection_scope", urlencode({"cycle": application.cycle.slug})),
                ("selected", str(application.id)),
            ),
            order=20,
        )
    ]
