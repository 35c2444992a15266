"""Seat allocation: deferred acceptance with UIM-pathway reserves (docs/allocation.md)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the feature's blueprints, commands and template predicates."""
    from clerkship.allocation import permissions, views
    from clerkship.allocation.cli import allocation_cli
    from clerkship.core.templating import register_predicates

    app.register_blueprint(views.bp)
    app.cli.add_command(allocation_cli)
    register_predicates(app, permissions)
