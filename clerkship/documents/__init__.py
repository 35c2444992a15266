"""Documents students upload (and letters writers upload): checked, stored, versioned."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the feature's blueprints and template predicates."""
    from clerkship.core.templating import register_predicates
    from clerkship.documents import permissions, views

    app.register_blueprint(views.bp)
    register_predicates(app, permissions)
