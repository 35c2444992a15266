"""``flask allocation ...``: the engine over interchange files (spec §6).

The app registers `allocation_cli` on itself, and Flask also loads it as a plugin
command (pyproject.toml) so that ``flask allocation solve`` runs without building the
app. ``solve`` needs no app or database (``with_appcontext=False``); ``export-instance``
reads a department's current inputs from the database. This module imports only the
engine and the interchange format at its top: the models, SQLAlchemy and the services
``export-instance`` needs are imported when it runs, so ``solve`` pays for none of them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import BinaryIO

import click
from flask.cli import AppGroup

from clerkship.allocation.engine import Precedence, solve
from clerkship.allocation.interchange import InstanceError, load_instance, render_result

allocation_cli = AppGroup(
    "allocation", help="Seat allocation with UIM-pathway reserves (docs/allocation.md)."
)


@allocation_cli.command("solve", with_appcontext=False)
@click.argument("instance", type=click.File("rb"))
@click.option(
    "--precedence",
    type=click.Choice([precedence.value for precedence in Precedence]),
    default=Precedence.OPEN_FIRST.value,
    show_default=True,
    help="Fill a block's open seats before its reserved seats, or the other way round.",
)
@click.option(
    "--hard",
    is_flag=True,
    help="Hard reserves: a reserved seat no pathway student takes stays empty "
    "(by default it is converted and goes to the next student).",
)
@click.option(
    "-o",
    "--output",
    "result_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the result JSON here instead of to standard output.",
)
def solve_command(
    instance: BinaryIO, precedence: str, hard: bool, result_path: Path | None
) -> None:
    """Allocate seats for INSTANCE (a JSON file, or - for standard input)."""
    try:
        parsed = load_instance(instance.read())
    except InstanceError as error:
        # Raised before anything is opened for writing, so a bad instance leaves no file.
        raise click.ClickException(str(error)) from None
    allocation = solve(parsed.blocks, parsed.students, precedence=Precedence(precedence), hard=hard)
    text = json.dumps(render_result(allocation, precedence=precedence, hard=hard), indent=2)
    if result_path is None:
        click.echo(text)
    else:
        result_path.write_text(text + "\n", encoding="utf-8")


@allocation_cli.command("export-instance")
@click.option("--department", "slug", required=True, help="The department's slug.")
@click.option("--cycle", "cycle_name", required=True, help="The cycle's name or slug (2027-2028).")
@click.option(
    "-o",
    "--output",
    "output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the instance JSON here.",
)
def export_instance_command(slug: str, cycle_name: str, output: Path) -> None:
    """Write a department's current allocation inputs in the interchange format (spec §6)."""
    from sqlalchemy import or_, select

    from clerkship.allocation.instances import build_instance
    from clerkship.audit.services import record_event
    from clerkship.cycles.models import Cycle
    from clerkship.cycles.queries import department_by_slug
    from clerkship.extensions import db
    from clerkship.reviews.queries import application_scores

    department = department_by_slug(slug)
    if department is None:
        raise click.ClickException(f"No department has the slug {slug!r}.")
    cycle = db.session.scalar(
        select(Cycle).where(or_(Cycle.name == cycle_name, Cycle.slug == cycle_name))
    )
    if cycle is None:
        names = ", ".join(db.session.scalars(select(Cycle.name).order_by(Cycle.name)))
        raise click.ClickException(f"No cycle is named {cycle_name!r} (cycles: {names or 'none'}).")
    instance = build_instance(department, cycle, application_scores(department, cycle))
    output.write_text(json.dumps(instance, indent=2) + "\n", encoding="utf-8")
    record_event(
        "allocation.export_instance",
        by=None,
        summary=f"{department.name} {cycle.name}: {len(instance['students'])} students to {output}",
    )
    db.session.commit()
    click.echo(
        f"Wrote {len(instance['blocks'])} blocks and {len(instance['students'])} students "
        f"of {department.name}, {cycle.name} to {output}."
    )
    if instance["unscored"]:
        click.echo(
            f"{len(instance['unscored'])} applications have no composite score yet and are "
            'listed with score 0 (their ids are under "unscored").',
            err=True,
        )
