"""Accounts: people, their roles in departments, sign-in, invitations."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the feature's blueprints, commands and template predicates;
    hand the audit log its search for people."""
    from clerkship.accounts import permissions
    from clerkship.accounts.cli import users_cli
    from clerkship.accounts.models import Role
    from clerkship.accounts.queries import user_ids_matching
    from clerkship.accounts.sso import register_sso
    from clerkship.accounts.two_factor import register_two_factor
    from clerkship.accounts.views import accounts, sso, users
    from clerkship.audit.queries import register_people_matching
    from clerkship.core.templating import register_predicates

    app.register_blueprint(accounts.bp)
    app.register_blueprint(users.bp)
    app.register_blueprint(sso.bp)
    app.cli.add_command(users_cli)
    register_predicates(app, permissions)
    app.jinja_env.globals["Role"] = Role
    register_people_matching(app, user_ids_matching)
    register_two_factor(app)
    register_sso(app)
