"""``flask allocation ...``: the engine over interchange files (spec §6).

The app registers `allocation_cli` on itself. ``solve`` needs no app or database, so
it is declared ``with_appcontext=False``; commands that read the database (such as a
future ``export-instance``) belong in this group too.
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
    "allocation", help="Seat allocation with UIM-pathway reserves (specs/allocation.md)."
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
