"""The UIM pathway: the cycle's definition, students' self-identification and the effective flag."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the feature's blueprints, commands and template predicates."""
    from clerkship.core.templating import register_predicates
    from clerkship.pathway import permissions
    from clerkship.pathway.cli import pathway_cli
    from clerkship.pathway.views import pathway, pathway_admin

    app.register_blueprint(pathway.bp)
    app.register_blueprint(pathway_admin.bp)
    app.cli.add_command(pathway_cli)
    register_predicates(app, permissions)
