"""`flask pathway purge` and `purge-expired`: delete closed cycles' self-identification answers."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from clerkship.core.database import writes_ahead
from clerkship.core.rules import RuleViolation
from clerkship.core.time import utcnow
from clerkship.cycles.models import Cycle
from clerkship.extensions import db
from clerkship.pathway.services.purge import purge_answers, purge_expired

pathway_cli = AppGroup("pathway", help="The UIM pathway.")


@pathway_cli.command("purge")
@click.option("--cycle", "slug", required=True, help="Short name of the closed cycle.")
@click.option(
    "--retention-days",
    type=click.IntRange(min=0),
    default=None,
    help="Keep answers this long after the cycle closed (default: PATHWAY_RETENTION_DAYS).",
)
@click.option("--dry-run", is_flag=True, help="Print what would be deleted; delete nothing.")
def purge(slug: str, retention_days: int | None, dry_run: bool) -> None:
    """Delete the answers of a closed cycle after the retention period, keeping counts."""
    cycle = db.session.scalar(select(Cycle).where(Cycle.slug == slug))
    if cycle is None:
        raise click.ClickException(f"No cycle has the short name {slug!r}.")
    days = (
        current_app.config["PATHWAY_RETENTION_DAYS"] if retention_days is None else retention_days
    )
    try:
        result = purge_answers(cycle, retention_days=days, now=utcnow(), by=None, dry_run=dry_run)
    except RuleViolation as error:
        raise click.ClickException(error.message) from error
    if dry_run:
        db.session.rollback()
        click.echo(f"Would delete {result.deleted} answer(s) of {cycle.name}; nothing deleted.")
        return
    db.session.commit()
    click.echo(f"Deleted {result.deleted} answer(s) of {cycle.name}. Counts kept:")
    for (number, item, value), count in sorted(result.counts.items()):
        click.echo(f"  version {number}  {item:<10}  {value}: {count}")


@pathway_cli.command("purge-expired")
def purge_expired_command() -> None:
    """Purge every closed cycle past PATHWAY_RETENTION_DAYS (safe to repeat; for the scheduler)."""
    writes_ahead()
    days = current_app.config["PATHWAY_RETENTION_DAYS"]
    purged = purge_expired(retention_days=days, now=utcnow(), by=None)
    db.session.commit()
    if not purged:
        click.echo(f"No closed cycle is past its {days}-day retention period; nothing deleted.")
    for cycle, result in purged:
        click.echo(f"Deleted {result.deleted} answer(s) of {cycle.name}; counts kept.")
