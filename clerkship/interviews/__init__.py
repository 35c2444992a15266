"""Residency interview days: invitations, bookings and the fair release of days."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the feature's blueprints, commands and template predicates."""
    from clerkship.core.templating import register_predicates
    from clerkship.interviews import export_views, invitation_views, permissions, staff_views, views
    from clerkship.interviews.cli import interviews_cli

    app.register_blueprint(views.bp)
    app.register_blueprint(staff_views.bp)
    app.register_blueprint(invitation_views.bp)
    app.register_blueprint(export_views.bp)
    app.cli.add_command(interviews_cli)
    register_predicates(app, permissions)
