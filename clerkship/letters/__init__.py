"""Letters of recommendation: requested by students, uploaded by writers through a single-use link."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the feature's blueprints and template predicates."""
    from clerkship.core.templating import register_predicates
    from clerkship.letters import permissions, views

    app.register_blueprint(views.bp)
    register_predicates(app, permissions)
