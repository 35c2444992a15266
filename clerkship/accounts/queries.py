"""Reads about users."""

from __future__ import annotations

from sqlalchemy import Select, or_, select

from clerkship.accounts.models import Membership, Role, User


def users_matching(q: str | None, role: Role | None) -> Select:
    """Users whose name or email contains q and who hold role, ordered by name."""
    stmt = select(User).order_by(User.full_name, User.id)
    if q:
        pattern = f"%{q.lower()}%"
        stmt = stmt.where(or_(User.email.like(pattern), User.full_name.ilike(pattern)))
    if role is not None:
        stmt = stmt.where(User.memberships.any(Membership.role == role))
    return stmt
