"""Signing in through the institution's OpenID provider (accounts/sso.py)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, session, url_for
from flask_login import current_user, login_user, logout_user

from clerkship.accounts import services, sso, two_factor
from clerkship.core.params import query
from clerkship.core.permissions import public
from clerkship.core.tokens import TokenExpired, TokenInvalid
from clerkship.core.transactions import refusal
from clerkship.core.urls import external_url, safe_next
from clerkship.extensions import db

bp = Blueprint("sso", __name__)


def _require_sso() -> None:
    if not sso.enabled():
        abort(404)


@bp.route("/login/sso")
@public
def start():
    """Send the browser to the provider's sign-in."""
    _require_sso()
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    two_factor.forget()
    session[sso.NEXT] = query.text("next", max_length=2000)
    try:
        return sso.start(external_url("sso.callback"))
    except sso.ProviderError as error:
        return _problem(str(error), 502)


@bp.route("/invitation/<token>/sso")
@public
def accept_invitation(token: str):
    """Accept a staff invitation by signing in through the provider with the invited email."""
    _require_sso()
    try:
        services.user_for_invitation_token(token)
    except TokenExpired:
        return render_template("accounts/link_problem.html", problem="expired", kind="invite"), 400
    except TokenInvalid:
        return render_template("accounts/link_problem.html", problem="invalid", kind="invite"), 400
    logout_user()
    session[sso.INVITATION] = token
    return redirect(url_for("sso.start"))


@bp.route("/login/sso/callback")
@public
def callback():
    """The provider's answer: sign the account in, or say why not."""
    _require_sso()
    error = query.text("error", max_length=100)
    if error:
        session.pop(sso.INVITATION, None)
        if error == "access_denied":
            return _problem("you did not allow clerkship to use your institution's sign-in", 400)
        return _problem(f"the sign-in service answered “{error}”", 400)
    try:
        identity = sso.finish()
    except sso.ProviderError as failure:
        return _problem(str(failure), 400)
    with refusal() as refused:
        user = services.sign_in_with_sso(
            subject=identity.subject,
            email=identity.email,
            email_verified=identity.email_verified,
            invitation=session.pop(sso.INVITATION, None),
        )
    if refused.error:
        return _problem(refused.error.message, 403)
    db.session.commit()
    next_url = session.pop(sso.NEXT, None)
    if user.has_two_factor and not current_app.config["SSO_SATISFIES_TWO_FACTOR"]:
        two_factor.begin(user, remember=False, next_url=next_url)
        return redirect(url_for("accounts.login_code"))
    login_user(user, remember=False)  # staff get no remember-me cookie
    if current_app.config["SSO_SATISFIES_TWO_FACTOR"]:
        two_factor.mark_passed(user)
    return redirect(safe_next(next_url, url_for("home.index")))


def _problem(reason: str, status: int):
    return render_template("accounts/sso_problem.html", reason=reason), status
