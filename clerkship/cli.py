"""The `clerkship` command: Flask's CLI with this app preset (`clerkship db upgrade`, ...)."""

from __future__ import annotations

from flask.cli import FlaskGroup

from clerkship import create_app

main = FlaskGroup(
    create_app=create_app, help="clerkship's commands (the same as `flask --app clerkship`)."
)
