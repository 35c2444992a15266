"""Reads about users."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask import Flask, current_app
from sqlalchemy import Select, and_, case, func, or_, select

from clerkship.accounts.models import Department, Membership, Role, User
from clerkship.extensions import db

# The states an administrator follows accounts by (the users list's filter and the start
# page's counts read the same conditions).
ACCOUNT_STATES = {
    "invited": "Invitation not accepted",
    "unconfirmed": "Email not confirmed",
    "deactivated": "Deactivated",
}


def _in_state(state: str):
    invited = User.invited_at.is_not(None)
    return {
        "invited": invited,
        "unconfirmed": and_(~invited, User.email_verified_at.is_(None), User.active),
        "deactivated": ~User.active,
    }[state]


def users_matching(q: str | None, role: Role | None, state: str | None = None) -> Select:
    """Users whose name or email contains q, who hold role and whose account is in state
    (ACCOUNT_STATES), ordered by name."""
    stmt = select(User).order_by(User.full_name, User.id)
    if state is not None:
        stmt = stmt.where(_in_state(state))
    if q:
        pattern = f"%{q.lower()}%"
        stmt = stmt.where(or_(User.email.like(pattern), User.full_name.ilike(pattern)))
    if role is not None:
        stmt = stmt.where(User.memberships.any(Membership.role == role))
    return stmt


def user_ids_matching(pattern: str) -> Select:
    """The ids of users whose email or name is like pattern (for the audit log's filter)."""
    return select(User.id).where(or_(User.email.like(pattern), User.full_name.ilike(pattern)))


def lock_user(user: User) -> None:
    """Take the row lock of a user: their uploads, requests and new applications queue up.

    On SQLite, a writing request already holds the database's write lock
    (clerkship/core/database.py); FOR UPDATE is then a no-op.
    """
    db.session.execute(select(User.id).where(User.id == user.id).with_for_update())


# The departments a departmental role can be held in, by name. The cycles feature, above
# accounts, hands its query over when the app starts.
DEPARTMENTS_KEY = "clerkship.accounts.departments"


def register_departments(app: Flask, departments: Callable[[], list[Department]]) -> None:
    """Tell user administration which departments there are."""
    app.extensions[DEPARTMENTS_KEY] = departments


def departments() -> list[Department]:
    """Every department, by name (none while no feature registered them)."""
    source = current_app.extensions.get(DEPARTMENTS_KEY)
    return source() if source is not None else []


@dataclass(frozen=True)
class AccountFollowUps:
    """Accounts an administrator may need to chase."""

    invitations_pending: int
    oldest_invitation: datetime | None
    unverified: int


def account_follow_ups() -> AccountFollowUps:
    """Invitations not yet accepted, and self-registered accounts whose email is unconfirmed (one query)."""
    pending, oldest, unverified = db.session.execute(
        select(
            func.count(case((_in_state("invited"), 1))),
            func.min(User.invited_at),
            func.count(case((_in_state("unconfirmed"), 1))),
        )
    ).one()
    return AccountFollowUps(pending, oldest, unverified)
