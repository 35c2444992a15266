"""`flask users ...`: account commands for operators."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from clerkship.accounts import services
from clerkship.core.database import writes_ahead
from clerkship.core.rules import RuleViolation
from clerkship.extensions import db

users_cli = AppGroup("users", help="Manage user accounts.")


@users_cli.command("create-admin")
@click.argument("email")
@click.option("--name", "full_name", prompt="Full name", help="The administrator's name.")
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    envvar="CLERKSHIP_ADMIN_PASSWORD",
    help="Prompted for when omitted (or read from CLERKSHIP_ADMIN_PASSWORD).",
)
def create_admin(email: str, full_name: str, password: str) -> None:
    """Create an administrator account, or make an existing user an administrator."""
    try:
        user = services.create_admin(email=email, full_name=full_name, password=password)
    except RuleViolation as error:
        raise click.ClickException(error.message) from error
    db.session.commit()
    click.echo(f"{user.email} is an administrator.")


@users_cli.command("new-encryption-key")
def new_encryption_key() -> None:
    """Print a new key for DATA_ENCRYPTION_KEYS (put it first; keep the old ones after it)."""
    from cryptography.fernet import Fernet

    click.echo(Fernet.generate_key().decode("ascii"))


@users_cli.command("reencrypt-secrets")
def reencrypt_secrets() -> None:
    """Rewrite every stored two-step sign-in secret with the first DATA_ENCRYPTION_KEYS key."""
    writes_ahead()
    count = services.reencrypt_two_factor_secrets()
    db.session.commit()
    click.echo(f"{count} secret(s) encrypted with the first key.")
