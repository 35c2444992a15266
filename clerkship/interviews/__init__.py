"""Residency interview days: invitations, bookings and the fair release of days."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the feature's blueprints, commands and template predicates."""
    from clerkship.core.templating import register_predicates
    from clerkship.interviews import permissions
    from clerkship.interviews.booking import views as booking_views
    from clerkship.interviews.cli import interviews_cli
    from clerkship.interviews.exports import views as export_views
    from clerkship.interviews.invitations import views as invitation_views
    from clerkship.interviews.seasons import views as season_views

    app.register_blueprint(booking_views.bp)
    app.register_blueprint(season_views.bp)
    app.register_blueprint(invitation_views.bp)
    app.register_blueprint(export_views.bp)
    app.cli.add_command(interviews_cli)
    register_predicates(app, permissions)
