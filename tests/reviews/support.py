"""Helpers the review tests share."""

from __future__ import annotations

from clerkship.bench.harness import count_queries
from clerkship.extensions import db


def served_queries(app):
    """Count the statements of the app that serves the requests.

    The `queries` fixture counts the engine of the twin app the test body runs in,
    which requests never use, so it always counts zero.
    """
    with app.app_context():
        engine = db.engine
    return count_queries(engine)
