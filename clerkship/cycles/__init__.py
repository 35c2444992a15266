"""Cycles, departments, sites, rotations and blocks: what students can apply for."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the feature's blueprints and template predicates."""
    from clerkship.core.templating import register_predicates
    from clerkship.cycles import admin_views, permissions, views

    app.register_blueprint(views.bp)
    app.register_blueprint(admin_views.bp)
    register_predicates(app, permissions)
