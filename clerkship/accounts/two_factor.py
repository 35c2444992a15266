"""The second factor in the session: a sign-in waiting for its code, and the gate.

After a correct password, an account with a second factor is not signed in yet: the
session holds the pending sign-in (whose account, its session token, when) until a
code from the authenticator app or a recovery code is accepted (security issue,
finding 12). A session that passed the second factor carries the user's id under
PASSED. A signed-in user whose role requires a second factor (TWO_FACTOR_ROLES) and
who has none is sent to enrolment from every page but enrolment and sign-out.
"""

from __future__ import annotations

from flask import Flask, current_app, flash, redirect, request, session, url_for
from flask_login import current_user, logout_user, user_loaded_from_cookie, user_logged_out

from clerkship.accounts.models import User
from clerkship.accounts.permissions import must_use_two_factor
from clerkship.core.caching import STATIC_ENDPOINTS
from clerkship.core.time import utcnow
from clerkship.extensions import db

PASSED = "two_factor_passed"  # the id of the user whose code this session accepted
PENDING = "two_factor_pending"  # a correct password waiting for its code
# The secret shown while enrolling (a session key's name, not a secret: for ruff and bandit).
ENROL_SECRET = "two_factor_enrol_secret"  # noqa: S105  # nosec B105
# Pages a user who must enrol can still open.
OPEN_WHILE_ENROLLING = {"accounts.two_factor", "accounts.logout"}


def begin(user: User, *, remember: bool, next_url: str | None) -> None:
    """Remember a sign-in whose password was right, until its code is given."""
    forget()
    session[PENDING] = {
        "uid": user.id,
        "token": user.session_token,
        "at": utcnow().timestamp(),
        "remember": remember,
        "next": next_url,
    }


def pending() -> tuple[User, dict] | None:
    """The user of this session's pending sign-in and its details, if still current."""
    details = session.get(PENDING)
    if not isinstance(details, dict):
        return None
    age = utcnow().timestamp() - float(details.get("at", 0))
    user = db.session.get(User, details.get("uid")) if isinstance(details.get("uid"), int) else None
    fresh = age <= current_app.config["TWO_FACTOR_SIGN_IN_MINUTES"] * 60
    if user is None or not fresh or user.session_token != details.get("token"):
        session.pop(PENDING, None)
        return None
    return user, details


def mark_passed(user: User) -> None:
    """This session proved the user holds their second factor."""
    session.pop(PENDING, None)
    session[PASSED] = user.id


def forget() -> None:
    """Drop whatever this session knew about a second factor (a new sign-in starts)."""
    for key in (PASSED, PENDING, ENROL_SECRET):
        session.pop(key, None)


def register_two_factor(app: Flask) -> None:
    """Keep every signed-in page behind the second factor where it is required."""

    @user_logged_out.connect_via(app)
    def forget_on_sign_out(sender, user, **extra) -> None:
        forget()

    @user_loaded_from_cookie.connect_via(app)
    def restored_from_cookie(sender, user, **extra) -> None:
        # A remember-me cookie is issued only once the code was accepted, and turning on
        # a second factor changes the session token, voiding cookies issued before.
        if user.has_two_factor:
            session[PASSED] = user.id

    @app.before_request
    def require_second_factor():
        if request.endpoint in STATIC_ENDPOINTS or not current_user.is_authenticated:
            return None
        if session.get(PASSED) == current_user.id:
            return None
        if current_user.has_two_factor:
            # Signed in without the code (no sign-in does that): sign in again.
            logout_user()
            flash("Please sign in again.", "info")
            return redirect(url_for("accounts.login"))
        if must_use_two_factor(current_user) and request.endpoint not in OPEN_WHILE_ENROLLING:
            if request.method == "GET":
                flash(
                    "Your role can see students' self-identification answers, so your account "
                    "needs two-step sign-in. Set it up to continue.",
                    "info",
                )
            return redirect(url_for("accounts.two_factor"))
        return None
