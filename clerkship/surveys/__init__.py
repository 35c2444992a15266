"""Rotation surveys: the student's evaluation of the rotation, shown to staff in aggregate."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the feature's blueprint and template predicates (and, by importing the
    services, the listener that asks the student once a rotation is completed)."""
    from clerkship.core.templating import register_predicates
    from clerkship.surveys import permissions, services  # noqa: F401
    from clerkship.surveys.views import bp

    app.register_blueprint(bp)
    register_predicates(app, permissions)
