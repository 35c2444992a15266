"""The audit log: who did what to which record, when, and from where."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the feature's blueprints, template predicates and the details filter."""
    from clerkship.audit import permissions, views
    from clerkship.audit.wording import action_label, detail_text
    from clerkship.core.templating import register_predicates

    app.register_blueprint(views.bp)
    register_predicates(app, permissions)
    app.jinja_env.filters["audit_detail"] = detail_text
    app.jinja_env.filters["audit_action"] = action_label
