"""`flask offers ...`: commands a scheduler runs daily."""

from __future__ import annotations

from datetime import timedelta

import click
from flask.cli import AppGroup

from clerkship.core.database import writes_ahead
from clerkship.extensions import db
from clerkship.offers import services

offers_cli = AppGroup("offers", help="Offer deadlines and reminders.")


@offers_cli.command("expire")
def expire() -> None:
    """Expire pending offers past their deadline and refill their seats from the waitlist."""
    writes_ahead()
    count = services.expire_due_offers()
    db.session.commit()
    click.echo(f"{count} offer(s) expired.")


@offers_cli.command("remind")
@click.option("--days", type=int, default=2, show_default=True, help="Remind this long before.")
def remind(days: int) -> None:
    """Email students whose offer expires within DAYS days (once per offer)."""
    writes_ahead()
    count = services.send_offer_reminders(before=timedelta(days=days))
    db.session.commit()
    click.echo(f"{count} reminder(s) sent.")
