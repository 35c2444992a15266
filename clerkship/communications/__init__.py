"""Staff write to selected students; departments word their templates and automatic emails;
students read every message sent to them."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the blueprint and template predicates; hand the automatic emails the
    department's own wording."""
    from clerkship.applications.actions import register_file_actions
    from clerkship.communications import application_file, permissions, views
    from clerkship.communications.services import word_automatic_email
    from clerkship.core.templating import register_predicates
    from clerkship.core.wording import register_wording

    app.register_blueprint(views.bp)
    register_predicates(app, permissions)
    register_file_actions(app, application_file.file_actions)
    register_wording(app, word_automatic_email)
