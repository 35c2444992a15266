"""`flask bench run`: every benchmark suite, printed as figure / target / measured / met."""

from __future__ import annotations

import importlib
import inspect

import click
from flask import current_app
from flask.cli import AppGroup

from clerkship.bench import Measurement

bench_cli = AppGroup("bench", help="Benchmarks.")

# Suite modules; each exposes run(app, ...) -> list[Measurement].
SUITES = (
    "foundation",
    "allocation_engine",
    "review_assignment",
    "interview_draw",
    "interview_booking",
    "applications",
    "packet",
    "award",
    "reviews",
    "allocation_run",
    "rosters",
    "outbox",
    "communications",
    "start_pages",
    "lists",
    "load",
    "startup",
    "demo_seed",
)


@bench_cli.command("run")
@click.option("--suite", "suites", multiple=True, type=click.Choice(SUITES), help="Only these.")
@click.option("--scale", type=int, default=5000, show_default=True, help="Size of large seasons.")
def run(suites: tuple[str, ...], scale: int) -> None:
    """Run the benchmarks and print whether each figure meets its target."""
    results: list[tuple[str, Measurement]] = []
    for name in suites or SUITES:
        click.echo(f"Running {name} ...", err=True)
        module = importlib.import_module(f"clerkship.bench.{name}")
        kwargs = {"scale": scale} if "scale" in inspect.signature(module.run).parameters else {}
        results += [(name, m) for m in module.run(current_app._get_current_object(), **kwargs)]
    _print_table(results)
    if not all(m.met for _, m in results):
        raise SystemExit(1)


def _print_table(results: list[tuple[str, Measurement]]) -> None:
    headers = ("suite", "figure", "target", "measured", "met")
    rows = [(s, m.figure, m.target, m.measured, "yes" if m.met else "NO") for s, m in results]
    widths = [max(len(str(row[i])) for row in [headers, *rows]) for i in range(len(headers))]
    line = "  ".join("-" * w for w in widths)
    click.echo(line)
    click.echo("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)))
    click.echo(line)
    for row in rows:
        click.echo("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))
    click.echo(line)
