"""Operations: liveness (/healthz), readiness (/readyz) and Prometheus metrics (/metrics)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the probes' blueprint and the database's readiness check."""
    from clerkship.core.health import check_database, register_readiness_check
    from clerkship.operations import views

    app.register_blueprint(views.bp)
    register_readiness_check(app, "database", check_database)
