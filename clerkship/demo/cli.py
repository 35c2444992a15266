"""`flask demo seed`: the demo season."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from clerkship.demo import data
from clerkship.demo.seed import clear_database, demo_logins, is_empty, seed_demo
from clerkship.doctor.cli import print_checkup
from clerkship.documents.models import Document
from clerkship.documents.storage import remove_stored_files
from clerkship.extensions import db

demo_cli = AppGroup("demo", help="Demo data.")


@demo_cli.command("seed")
@click.option("--reset", is_flag=True, help="Delete everything in the database first.")
@click.option("--if-empty", is_flag=True, help="Do nothing (but print the logins) if not empty.")
@click.option("--scale", type=int, default=0, help="Add N synthetic students for benchmarks.")
def seed(reset: bool, if_empty: bool, scale: int) -> None:
    """Fill an empty database with a realistic season and print the demo logins."""
    if not is_empty():
        if if_empty:
            click.echo("The database already has data; leaving it as it is.")
            _print_logins()
            return
        if not reset:
            raise click.ClickException(
                "The database is not empty. Run with --reset to delete everything and reseed."
            )
        old_files = list(db.session.scalars(select(Document.stored_name)))
        clear_database()
    else:
        old_files = []
    ctx = seed_demo(scale=scale)
    db.session.commit()
    # The old season's uploads go once the new one is safely in the database.
    removed = remove_stored_files(old_files)
    click.echo(
        f"Seeded the {ctx.cycle.name} season: {len(ctx.students) + len(ctx.synthetic_student_ids)} students."
    )
    if removed:
        click.echo(f"Removed {removed} uploaded files of the previous data.")
    _print_logins()
    click.echo("")
    if print_checkup():
        raise click.ClickException("The demo season breaks the invariants above.")


def _print_logins() -> None:
    logins = demo_logins()
    click.echo("")
    click.echo(f"Demo logins (password of every demo account: {data.DEMO_PASSWORD}):")
    width = max((len(what) for what, _ in logins), default=0)
    for what, email in logins:
        click.echo(f"  {what:<{width}}  {email}")
    click.echo(
        "The administrator and the award committee set up two-step sign-in (an authenticator "
        "app) at their first sign-in."
    )
