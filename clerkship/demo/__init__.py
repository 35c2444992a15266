"""Demo data: a realistic season for trying clerkship out, and large ones for benchmarks."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the feature's commands."""
    from clerkship.demo.cli import demo_cli

    app.cli.add_command(demo_cli)
