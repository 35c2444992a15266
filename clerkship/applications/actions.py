"""The actions panel of the staff application file: what this viewer may do, decided on the server.

Most actions belong to features above applications (reviews assign reviewers,
communications write to students, rosters verify onboarding documents), so each of them
hands over, from its init_app, a source: a function that returns the actions a user may
take on an application, each already checked with that feature's own permission
predicate. The file shows what the sources return and nothing else; every action's own
route checks the permission again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from flask import Flask, current_app, url_for

from clerkship.accounts.models import User
from clerkship.applications.models import Application
from clerkship.applications.permissions import can_view_application_file

ACTIONS_KEY = "clerkship.applications.file_actions"


@dataclass(frozen=True)
class FileAction:
    """One thing the viewer may do: a link, or a button posting hidden fields (with CSRF)."""

    label: str
    url: str
    hint: str = ""
    # Set for a POST button: the hidden fields it sends.
    fields: tuple[tuple[str, str], ...] | None = None
    order: int = 50  # lower first

    @property
    def posts(self) -> bool:
        return self.fields is not None


ActionSource = Callable[[User, Application], Iterable[FileAction]]


def register_file_actions(app: Flask, source: ActionSource) -> None:
    """Add a feature's actions to the staff application file."""
    app.extensions.setdefault(ACTIONS_KEY, []).append(source)


def file_actions(user: User, application: Application) -> list[FileAction]:
    """Every action the registered sources allow user on application, in their order."""
    found = [
        action
        for source in current_app.extensions.get(ACTIONS_KEY, [])
        for action in source(user, application)
    ]
    return sorted(found, key=lambda action: action.order)


def own_actions(user: User, application: Application) -> list[FileAction]:
    """The applications feature's own: the printable packet, for whoever may open the file."""
    if not can_view_application_file(user, application):
        return []
    return [
        FileAction(
            "Download the application packet (PDF)",
            url_for(
                "staff_applications.packet",
                slug=application.department.slug,
                application_id=application.id,
            ),
            hint="The summary and every current document, ready to print.",
            order=90,
        )
    ]
