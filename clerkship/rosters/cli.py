"""`flask rosters ...`: exports from the command line and the daily compliance reminders."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import or_, select

from clerkship.accounts.models import User
from clerkship.core.database import writes_ahead
from clerkship.core.time import local_today
from clerkship.cycles import queries as cycle_queries
from clerkship.cycles.models import Cycle
from clerkship.extensions import db
from clerkship.rosters import exports, queries, services
from clerkship.rosters.permissions import can_export_rosters
from clerkship.rosters.render import write_export

rosters_cli = AppGroup("rosters", help="Roster exports and compliance reminders.")


def _cycle(name: str | None) -> Cycle:
    if name is None:
        cycle = cycle_queries.current_cycle()
    else:
        cycle = db.session.scalar(select(Cycle).where(or_(Cycle.name == name, Cycle.slug == name)))
    if cycle is None:
        raise click.BadParameter(f"No cycle named {name!r}.", param_hint="--cycle")
    return cycle


@rosters_cli.command("export")
@click.option("--department", "slug", required=True, help="The department's slug.")
@click.option("--cycle", "cycle_name", required=True, help="The cycle's name or slug.")
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv", show_default=True
)
@click.option("--excel", is_flag=True, help="CSV for Excel: a byte-order mark and CRLF line ends.")
@click.option(
    "--by",
    "group_by",
    type=click.Choice(["block", "site"]),
    default=None,
    help="One sheet per block or site (XLSX); a CSV is sorted that way.",
)
@click.option("--kind", type=click.Choice(list(exports.KINDS)), default="roster", show_default=True)
@click.option(
    "--columns", default="", help="Comma-separated column keys (default: the usual ones)."
)
@click.option(
    "--as",
    "as_email",
    default=None,
    help="Export as this staff member (their blinding); default: the department staff's view.",
)
@click.option("-o", "--output", type=click.File("wb"), required=True, help="The file to write.")
def export(slug, cycle_name, fmt, excel, group_by, kind, columns, as_email, output) -> None:
    """Write a department's roster or contact list to a file, and record it in the audit log."""
    writes_ahead()
    department = cycle_queries.department_by_slug(slug)
    if department is None:
        raise click.BadParameter(f"No department {slug!r}.", param_hint="--department")
    cycle = _cycle(cycle_name)
    user = None
    if as_email:
        user = db.session.scalar(select(User).where(User.email == as_email.strip().lower()))
        if user is None or not can_export_rosters(user, department):
            raise click.BadParameter(
                f"{as_email} may not export rosters of {department.name}.", param_hint="--as"
            )
    keys = [k.strip() for k in columns.split(",") if k.strip()] or None
    available = {c.key for c in exports.available_columns(user, department)}
    unknown = sorted(set(keys or ()) - available)
    if unknown:
        raise click.BadParameter(
            f"Unknown or hidden columns: {', '.join(unknown)}. "
            f"Choose from: {', '.join(sorted(available))}.",
            param_hint="--columns",
        )
    made = exports.roster_export(
        user, department, cycle, kind=kind, keys=keys, group_by=group_by or ""
    )
    chosen = "excel" if fmt == "csv" and excel else fmt
    services.record_export(made, chosen, by=user)
    db.session.commit()
    write_export(made, chosen, output)
    count = queries.roster_count(department, cycle)
    click.echo(f"{made.title}: {count} student(s) written to {output.name}.")


@rosters_cli.command("remind")
@click.option("--department", "slug", default=None, help="One department (default: every one).")
@click.option("--cycle", "cycle_name", default=None, help="The cycle (default: the current one).")
def remind(slug, cycle_name) -> None:
    """Email placed students about missing or expiring documents (run daily; once a day each)."""
    writes_ahead()
    cycle = _cycle(cycle_name)
    departments = cycle_queries.departments()
    if slug is not None:
        departments = [d for d in departments if d.slug == slug]
        if not departments:
            raise click.BadParameter(f"No department {slug!r}.", param_hint="--department")
    total = 0
    for department in departments:
        total += services.send_compliance_reminders(department, cycle, today=local_today(), by=None)
    db.session.commit()
    click.echo(f"{total} reminder(s) sent.")
