"""`flask doctor`: check every invariant of the season against the database."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from clerkship.doctor.queries import INVARIANTS, all_violations


def print_checkup() -> int:
    """Print each violation and a summary line; the number of violations found."""
    violations = all_violations()
    for violation in violations:
        click.echo(str(violation))
    if violations:
        click.echo(f"doctor: {len(violations)} violations of {len(INVARIANTS)} invariants.")
    else:
        click.echo(f"doctor: all {len(INVARIANTS)} invariants hold.")
    return len(violations)


@click.command("doctor")
@with_appcontext
def doctor_command() -> None:
    """Check the season's cross-record invariants (docs/invariants.md); exit 1 on a violation."""
    if print_checkup():
        raise SystemExit(1)
