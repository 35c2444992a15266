"""Seat allocation: deferred acceptance with UIM-pathway reserves (docs/allocation.md)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the feature's blueprints, commands and template predicates."""
    from clerkship.allocation import permissions, views
    from clerkship.allocation.cli import allocation_cli
    from clerkship.core.templating import register_predicates
    from clerkship.pathway.queries import register_allocation_published

    app.register_blueprint(views.bp)
    app.cli.add_command(allocation_cli)
    register_predicates(app, permissions)
    register_allocation_published(app, allocation_published_on)


def allocation_published_on(department, cycle):
    """The local date the department's run of the cycle was published, if it was (for the pathway)."""
    from clerkship.allocation.services import published_run
    from clerkship.core.time import to_local

    run = published_run(department, cycle)
    if run is None or run.published_at is None:
        return None
    return to_local(run.published_at).date()
