"""How views declare who may reach them.

Every view carries an access declaration (@public or @login_required); a test
walks app.url_map and fails on a view without one. Object-level rules are plain
predicates, can_<verb>(user, obj) -> bool, kept in each feature's permissions.py;
views call require() with one of them, templates call the same predicates to
hide what the server already forbids.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from flask import abort
from flask_login import current_user
from flask_login import login_required as _flask_login_required

from clerkship.extensions import db

View = TypeVar("View", bound=Callable)

ACCESS_ATTRIBUTE = "clerkship_access"


def public(view: View) -> View:
    """Anyone, signed in or not, may open this view."""
    setattr(view, ACCESS_ATTRIBUTE, "public")
    return view


def login_required(view: View) -> View:
    """Only a signed-in, active user may open this view; others are sent to sign in."""
    wrapped = _flask_login_required(view)
    setattr(wrapped, ACCESS_ATTRIBUTE, "login")
    return wraps(view)(wrapped)


def require(allowed: bool, message: str = "You do not have permission to do this.") -> None:
    """Stop the request with a 403 page that says what is missing, unless allowed."""
    if not allowed:
        abort(403, description=message)


def get_or_403(model, ident, predicate: Callable[[object, object], bool], message: str):
    """Load a record the user must be allowed to see; a missing one looks the same as a forbidden one.

    Used where the existence of a record is itself private (another student's
    application, document or letter): both cases answer 403 with the same text.
    """
    try:
        obj = db.session.get(model, int(ident))
    except (TypeError, ValueError):
        obj = None
    if obj is None or not predicate(current_user, obj):
        abort(403, description=message)
    return obj
