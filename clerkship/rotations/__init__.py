"""Rotations: a placed student's arrival, completion or early end, and first-day information."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the feature's blueprint and template predicates."""
    from clerkship.core.templating import register_predicates
    from clerkship.rotations import permissions
    from clerkship.rotations.views import bp

    app.register_blueprint(bp)
    register_predicates(app, permissions)
