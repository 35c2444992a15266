"""Letters of recommendation: requested by students, uploaded by writers through a single-use link."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the feature's blueprints and template predicates;
    tell documents which letters a student may read."""
    from clerkship.core.templating import register_predicates
    from clerkship.documents.permissions import register_letter_readable
    from clerkship.letters import permissions, views
    from clerkship.letters.queries import letter_readable_by_student

    app.register_blueprint(views.bp)
    register_predicates(app, permissions)
    register_letter_readable(app, letter_readable_by_student)
