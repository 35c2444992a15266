"""Who may manage accounts."""

from __future__ import annotations

from flask import current_app

from clerkship.accounts.models import Role, User


def can_manage_users(user: User) -> bool:
    """Administrators manage users and their roles."""
    return user.is_authenticated and user.is_admin


def must_use_two_factor(user: User) -> bool:
    """Holders of the roles in TWO_FACTOR_ROLES (admin, award committee) sign in with a code."""
    required = {Role(value) for value in current_app.config["TWO_FACTOR_ROLES"]}
    return user.is_authenticated and bool(user.roles & required)


def can_reset_two_factor(user: User, target: User) -> bool:
    """Another administrator resets a lost second factor; nobody resets their own."""
    return can_manage_users(user) and user.id != target.id and target.has_two_factor
