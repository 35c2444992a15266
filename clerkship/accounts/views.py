"""Sign-in, registration, email verification, password reset, invitations."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from clerkship.accounts import services
from clerkship.accounts.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    NewPasswordForm,
    RegisterForm,
    ResendVerificationForm,
)
from clerkship.core.forms import attach_error
from clerkship.core.params import query
from clerkship.core.permissions import login_required, public
from clerkship.core.rules import RuleViolation
from clerkship.core.tokens import TokenExpired, TokenInvalid
from clerkship.extensions import db, limiter

bp = Blueprint("accounts", __name__)


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _login_account_limit() -> str:
    return current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"]


def _login_email_key() -> str:
    return "login:" + request.form.get("email", "").strip().lower()[:254]


def _reset_limit() -> str:
    return current_app.config["PASSWORD_RESET_RATE_LIMIT"]


def _safe_next(target: str | None) -> str:
    """Only follow a ?next= that stays on this site."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/"):
            return target
    return url_for("home.index")


@bp.route("/register", methods=["GET", "POST"])
@public
def register():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = services.register_student(
                email=form.email.data, full_name=form.full_name.data, password=form.password.data
            )
        except RuleViolation as error:
            attach_error(form, error)
        else:
            db.session.commit()
            login_user(user)
            flash(
                f"Welcome! We sent a link to {user.email}. Open it to confirm your address "
                "before you apply.",
                "success",
            )
            return redirect(url_for("home.index"))
    return render_template("accounts/register.html", form=form)


@bp.route("/verify/<token>")
@public
def verify_email(token: str):
    try:
        user = services.verify_email(token)
    except TokenExpired:
        return render_template("accounts/link_problem.html", problem="expired", kind="verify"), 400
    except TokenInvalid:
        return render_template("accounts/link_problem.html", problem="invalid", kind="verify"), 400
    db.session.commit()
    flash(f"Thank you: {user.email} is confirmed.", "success")
    return redirect(url_for("home.index"))


@bp.route("/verify/resend", methods=["POST"])
@login_required
@limiter.limit(_reset_limit)
def resend_verification():
    form = ResendVerificationForm()
    if form.validate_on_submit() and not current_user.is_verified:
        services.send_verification_email(current_user)
        db.session.commit()
        flash(f"We sent a new confirmation link to {current_user.email}.", "success")
    return redirect(url_for("home.index"))


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(_login_account_limit, key_func=_login_email_key, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(_safe_next(query.text("next", max_length=2000)))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        db.session.commit()
        if user is not None:
            login_user(user, remember=form.remember.data)
            return redirect(_safe_next(query.text("next", max_length=2000)))
        form.form_errors.append(
            "The email or password is not correct. (Invited staff: use the link in your "
            "invitation to set a password first.)"
        )
    return render_template("accounts/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@public
def logout():
    logout_user()
    flash("You are signed out.", "info")
    return redirect(url_for("home.index"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@public
@limiter.limit(_reset_limit, methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        db.session.commit()
        # The same answer whether or not the address has an account.
        flash(
            f"If {form.email.data} has an account, a link to reset its password is on its way.",
            "info",
        )
        return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot_password.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str):
    try:
        services.user_for_reset_token(token)
    except TokenExpired:
        return render_template("accounts/link_problem.html", problem="expired", kind="reset"), 400
    except TokenInvalid:
        return render_template("accounts/link_problem.html", problem="invalid", kind="reset"), 400
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(token, form.password.data)
        except RuleViolation as error:
            attach_error(form, error)
        else:
            db.session.commit()
            logout_user()
            flash("Your password is changed. Sign in with the new one.", "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@public
def accept_invitation(token: str):
    try:
        user = services.user_for_invitation_token(token)
    except TokenExpired:
        return render_template("accounts/link_problem.html", problem="expired", kind="invite"), 400
    except TokenInvalid:
        return render_template("accounts/link_problem.html", problem="invalid", kind="invite"), 400
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            user = services.accept_invitation(token, form.password.data)
        except RuleViolation as error:
            attach_error(form, error)
        else:
            db.session.commit()
            logout_user()
            login_user(user)
            flash(f"Welcome, {user.full_name}. Your password is set.", "success")
            return redirect(url_for("home.index"))
    return render_template("accounts/accept_invitation.html", form=form, invited=user)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(
                current_user, current=form.current_password.data, new=form.password.data
            )
        except RuleViolation as error:
            attach_error(form, error)
        else:
            db.session.commit()
            # The session token changed; sign this session in again with it.
            login_user(current_user._get_current_object())
            flash("Your password is changed. Other devices have been signed out.", "success")
            return redirect(url_for("home.index"))
    return render_template("accounts/change_password.html", form=form)
