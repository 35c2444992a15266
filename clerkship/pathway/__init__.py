"""The UIM pathway: the cycle's definition, students' self-identification and the effective flag."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the feature's blueprints, commands and template predicates."""
    from clerkship.core.templating import register_predicates
    from clerkship.pathway import admin_views, permissions, views
    from clerkship.pathway.cli import pathway_cli

    app.register_blueprint(views.bp)
    app.register_blueprint(admin_views.bp)
    app.cli.add_command(pathway_cli)
    register_predicates(app, permissions)
