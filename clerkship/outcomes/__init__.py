"""Outcomes: the season's funnel for pathway and non-pathway applicants, with the residency's
rank and match lists imported per department and cycle."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the feature's blueprint and template predicates."""
    from clerkship.core.templating import register_predicates
    from clerkship.outcomes import permissions
    from clerkship.outcomes.views import bp

    app.register_blueprint(bp)
    register_predicates(app, permissions)
