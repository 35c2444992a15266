"""The outbox pages: what was sent, to whom, why, its state; a retry for failed messages.

A package of its own above accounts and cycles, because the pages check roles per
department; the outbox itself sits below every feature and knows none.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the blueprint, the template predicates and the reason filter."""
    from clerkship.core.templating import register_predicates
    from clerkship.outbox_admin import permissions, views
    from clerkship.outbox_admin.reasons import reason_label

    app.register_blueprint(views.bp)
    register_predicates(app, permissions)
    app.jinja_env.filters["email_reason"] = reason_label
