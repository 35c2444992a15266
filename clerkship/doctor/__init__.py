"""The season's cross-record invariants, checked against the database (docs/invariants.md)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register `flask doctor`."""
    from clerkship.doctor.cli import doctor_command

    app.cli.add_command(doctor_command)
