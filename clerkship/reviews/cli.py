"""`flask reviews remind`: the daily reminder a scheduler runs."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from clerkship.core.time import local_today
from clerkship.extensions import db
from clerkship.reviews.reminders.services import send_reminders

reviews_cli = AppGroup("reviews", help="Reviews.")


@reviews_cli.command("remind")
@click.option(
    "--within-days",
    type=click.IntRange(0, 60),
    default=2,
    show_default=True,
    help="Remind about reviews due within this many days (overdue ones always).",
)
def remind(within_days: int) -> None:
    """Email reviewers whose reviews are due soon or overdue (once a day per review)."""
    count = send_reminders(today=local_today(), within_days=within_days)
    db.session.commit()
    click.echo(f"Sent {count} reminder email(s).")
