"""Evaluations of visiting students: the department's versioned form, faculty drafts, the
director's final evaluation, sent to the student's home school through an expiring link."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the feature's blueprints and template predicates."""
    from clerkship.core.templating import register_predicates
    from clerkship.evaluations import permissions
    from clerkship.evaluations.views import (
        evaluations,
        home_school,
        home_schools,
        student_evaluations,
    )

    app.register_blueprint(evaluations.bp)
    app.register_blueprint(home_schools.bp)
    app.register_blueprint(student_evaluations.bp)
    app.register_blueprint(home_school.bp)
    register_predicates(app, permissions)
