"""Row locks that serialise one person's concurrent requests on PostgreSQL.

On SQLite, a writing request already holds the database's write lock
(clerkship/core/database.py); FOR UPDATE is then a no-op.
"""

from __future__ import annotations

from sqlalchemy import select

from clerkship.accounts.models import User
from clerkship.applications.models import Application
from clerkship.extensions import db


def lock_user(user: User) -> None:
    """Take the row lock of a user: their uploads, requests and new applications queue up."""
    db.session.execute(select(User.id).where(User.id == user.id).with_for_update())


def lock_application(application: Application) -> Application:
    """Lock an application's row and read it afresh (state and version as committed)."""
    return db.session.scalars(
        select(Application)
        .where(Application.id == application.id)
        .with_for_update(of=Application)
        .execution_options(populate_existing=True)
    ).one()
