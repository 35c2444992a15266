"""`flask interviews ...`: the periodic jobs of interview seasons (run them from cron)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from clerkship.core.time import utcnow
from clerkship.extensions import db
from clerkship.interviews.draw import services as fair_release
from clerkship.interviews.services import notify
from clerkship.interviews.waitlists import services as waitlists

interviews_cli = AppGroup("interviews", help="Interview seasons: reminders, draws, offers.")


@interviews_cli.command("send-reminders")
def send_reminders() -> None:
    """Email each invitee whose interview starts within INTERVIEW_REMINDER_HOURS, once."""
    sent = notify.send_reminders(now=utcnow())
    db.session.commit()
    click.echo(f"Sent {sent} reminder(s).")


@interviews_cli.command("run-draws")
def run_draws() -> None:
    """Run the fair-release draw of every season whose ranking window has closed."""
    draws = fair_release.run_due_draws()
    db.session.commit()
    for draw in draws:
        season = draw.season
        click.echo(f"{season.department.name} {season.cycle.name}: draw seed {draw.seed}.")
    click.echo(f"Ran {len(draws)} draw(s).")


@interviews_cli.command("expire-offers")
def expire_offers() -> None:
    """Pass lapsed waitlist offers on to the next person in line."""
    expired = waitlists.expire_lapsed_offers()
    db.session.commit()
    click.echo(f"Passed on {expired} lapsed offer(s).")
