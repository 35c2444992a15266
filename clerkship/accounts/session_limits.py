"""Staff sessions end after a while without activity and after a fixed lifetime.

Staff see many students' applications, scores and self-identification, often on
shared hospital computers; a session left open there must not stay usable. The
times live in the signed session cookie: it is re-signed on every request, and a
copy of an old one carries its old times (security issue, finding 7).
"""

from __future__ import annotations

from flask import Flask, flash, redirect, request, session, url_for
from flask_login import (
    current_user,
    logout_user,
    user_loaded_from_cookie,
    user_logged_in,
    user_logged_out,
)

from clerkship.core.caching import STATIC_ENDPOINTS
from clerkship.core.time import utcnow

SIGNED_IN_AT = "signed_in_at"
SEEN_AT = "seen_at"


def _now() -> float:
    return utcnow().timestamp()


def register_session_limits(app: Flask) -> None:
    """Stamp each sign-in and end a staff session that is idle or too old."""

    @user_logged_in.connect_via(app)
    def stamp_sign_in(sender, user, **extra) -> None:
        # Signing this session in again (new password, other devices signed out) keeps
        # its start: the lifetime cannot be stretched from inside the session.
        session.setdefault(SIGNED_IN_AT, _now())
        session[SEEN_AT] = _now()

    @user_logged_out.connect_via(app)
    def forget_sign_in(sender, user, **extra) -> None:
        for key in (SIGNED_IN_AT, SEEN_AT):
            session.pop(key, None)

    @user_loaded_from_cookie.connect_via(app)
    def restored_from_cookie(sender, user, **extra) -> None:
        # A remember-me cookie may bring a student back; a member of staff signs in again.
        session[SIGNED_IN_AT] = 0 if user.is_staff else _now()

    @app.before_request
    def end_expired_staff_session():
        if request.endpoint in STATIC_ENDPOINTS or not current_user.is_authenticated:
            return None
        now = _now()
        # A session made without the sign-in form (none in production) starts now.
        signed_in_at = session.setdefault(SIGNED_IN_AT, now)
        seen_at = session.get(SEEN_AT, signed_in_at)
        if current_user.is_staff:
            idle = app.config["STAFF_IDLE_MINUTES"] * 60
            lifetime = app.config["STAFF_SESSION_HOURS"] * 3600
            if now - seen_at > idle or now - signed_in_at > lifetime:
                logout_user()
                flash(_expired_message(app, idle_ended=now - signed_in_at <= lifetime), "info")
                target = request.full_path.rstrip("?") if request.method == "GET" else None
                return redirect(url_for("accounts.login", next=target))
        session[SEEN_AT] = now
        return None


def _expired_message(app: Flask, *, idle_ended: bool) -> str:
    if idle_ended:
        minutes = app.config["STAFF_IDLE_MINUTES"]
        return (
            f"You were signed out after {minutes} minutes without activity, to protect "
            "students' records. Please sign in again."
        )
    hours = app.config["STAFF_SESSION_HOURS"]
    return f"Staff sessions last at most {hours} hours. Please sign in again."
