"""The landing page and each person's start page."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the feature's blueprints."""
    from clerkship.home import views, workspace

    app.register_blueprint(views.bp)
    # Every department page shows the workspace's grouped navigation.
    app.jinja_env.globals["department_sections"] = workspace.department_sections
