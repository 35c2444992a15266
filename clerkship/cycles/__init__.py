"""Cycles, departments, sites, rotations and blocks: what students can apply for."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the feature's blueprints and template predicates;
    tell user administration which departments there are."""
    from clerkship.accounts.queries import register_departments
    from clerkship.core.templating import register_predicates
    from clerkship.cycles import permissions
    from clerkship.cycles.queries import departments
    from clerkship.cycles.views import cycles, setup

    app.register_blueprint(cycles.bp)
    app.register_blueprint(setup.bp)
    register_predicates(app, permissions)
    register_departments(app, departments)
