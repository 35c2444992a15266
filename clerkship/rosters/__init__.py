"""Rosters: exports of placed students, the compliance tracker, dashboards with charts."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the feature's blueprints, commands and template predicates."""
    from clerkship.applications.actions import register_file_actions
    from clerkship.core.templating import register_predicates
    from clerkship.rosters import application_file, permissions
    from clerkship.rosters.cli import rosters_cli
    from clerkship.rosters.views import dashboards, onboarding, rosters

    app.register_blueprint(rosters.bp)
    app.register_blueprint(onboarding.bp)
    app.register_blueprint(dashboards.bp)
    app.cli.add_command(rosters_cli)
    register_predicates(app, permissions)
    register_file_actions(app, application_file.file_actions)
