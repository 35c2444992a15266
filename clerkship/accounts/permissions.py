"""Who may manage accounts."""

from __future__ import annotations

from clerkship.accounts.models import User


def can_manage_users(user: User) -> bool:
    """Administrators manage users and their roles."""
    return user.is_authenticated and user.is_admin
