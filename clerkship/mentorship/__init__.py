"""Mentorship and affinity groups: mentors per department, students' requests, matches, groups."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the feature's blueprints and template predicates."""
    from clerkship.core.templating import register_predicates
    from clerkship.mentorship import permissions
    from clerkship.mentorship.views import affinity_admin, mentorship, mentorship_staff

    app.register_blueprint(mentorship.bp)
    app.register_blueprint(mentorship_staff.bp)
    app.register_blueprint(affinity_admin.bp)
    register_predicates(app, permissions)
