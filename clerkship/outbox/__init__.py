"""The outbox: every email the app sends, queued in the transaction it announces, then delivered."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Install the delivery hooks (importing delivery registers its session events)."""
    from clerkship.outbox import delivery

    app.teardown_request(delivery.kick_after_request)
