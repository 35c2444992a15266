"""Rosters: exports of placed students, the compliance tracker, dashboards with charts."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the feature's blueprints, commands and template predicates."""
    from clerkship.core.templating import register_predicates
    from clerkship.rosters import compliance_views, dashboard_views, permissions, views
    from clerkship.rosters.cli import rosters_cli

    app.register_blueprint(views.bp)
    app.register_blueprint(compliance_views.bp)
    app.register_blueprint(dashboard_views.bp)
    app.cli.add_command(rosters_cli)
    register_predicates(app, permissions)
