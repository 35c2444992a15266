"""Cycles, departments, sites, rotations and blocks: what students can apply for."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the feature's blueprints and template predicates;
    tell user administration which departments there are."""
    from clerkship.accounts.queries import register_departments
    from clerkship.core.templating import register_predicates
    from clerkship.cycles import admin_views, permissions, views
    from clerkship.cycles.queries import departments

    app.register_blueprint(views.bp)
    app.register_blueprint(admin_views.bp)
    register_predicates(app, permissions)
    register_departments(app, departments)
