"""Documents students upload (and letters writers upload): checked, stored, versioned."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the feature's blueprints, commands, template predicates and its readiness
    check (the store of files answers)."""
    from clerkship.core.health import register_readiness_check
    from clerkship.core.templating import register_predicates
    from clerkship.documents import permissions, views
    from clerkship.documents.backends import check_storage
    from clerkship.documents.cli import documents_cli

    app.register_blueprint(views.bp)
    app.cli.add_command(documents_cli)
    register_predicates(app, permissions)
    register_readiness_check(app, "storage", check_storage)
