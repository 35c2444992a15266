"""Sign-in, registration, email verification, password reset, invitations."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user

from clerkship.accounts import services, throttle, totp, two_factor
from clerkship.accounts.forms import (
    ChangePasswordForm,
    EndSessionsForm,
    EnrolTwoFactorForm,
    ForgotPasswordForm,
    LoginForm,
    NewPasswordForm,
    RegisterForm,
    RenewRecoveryCodesForm,
    ResendVerificationForm,
    SignInCodeForm,
)
from clerkship.accounts.permissions import must_use_two_factor
from clerkship.core.forms import attach_error
from clerkship.core.params import query
from clerkship.core.permissions import login_required, public
from clerkship.core.tokens import TokenExpired, TokenInvalid
from clerkship.core.transactions import commits_on_return, refusal
from clerkship.extensions import db, limiter

bp = Blueprint("accounts", __name__)


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
        with refusal() as refused:
            services.register_student(
                email=form.email.data, full_name=form.full_name.data, password=form.password.data
            )
        if error := refused.error:
            attach_error(form, error)
        else:
            db.session.commit()
            # The same answer whether or not the address already had an account.
            flash(
                f"Thank you. We sent an email to {services.normalize_email(form.email.data)}: "
                "open the link in it to confirm your address, then sign in.",
                "success",
            )
            return redirect(url_for("accounts.login"))
    return render_template("accounts/register.html", form=form)


@bp.route("/verify/<token>")
@public
@commits_on_return
def verify_email(token: str):
    try:
        user = services.verify_email(token)
    except TokenExpired:
        return render_template("accounts/link_problem.html", problem="expired", kind="verify"), 400
    except TokenInvalid:
        return render_template("accounts/link_problem.html", problem="invalid", kind="verify"), 400
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
def login():
    if current_user.is_authenticated:
        return redirect(_safe_next(query.text("next", max_length=2000)))
    form = LoginForm()
    if form.validate_on_submit():
        attempt = throttle.attempt_for(
            form.email.data, services.find_user_by_email(form.email.data)
        )
        block = throttle.blocked(attempt)
        if block is not None:
            form.form_errors.append(_blocked_message(block))
            return _blocked_response("accounts/login.html", form, block)
        two_factor.forget()  # whatever this browser passed before counts no more
        user = services.check_password(form.email.data, form.password.data)
        if user is not None and services.staff_password_refused(user):
            # Told only to whoever knows the password: the account's owner.
            form.form_errors.append(
                "Staff sign in through "
                f"{current_app.config['OIDC_PROVIDER_LABEL']}: use the button below. "
                "Passwords are not accepted for staff accounts."
            )
            return render_template("accounts/login.html", form=form), 403
        if user is not None and user.has_two_factor:
            db.session.commit()
            # Not signed in yet, and the failures are not forgotten: the code comes first.
            two_factor.begin(
                user,
                remember=bool(form.remember.data) and not user.is_staff,
                next_url=query.text("next", max_length=2000),
            )
            return redirect(url_for("accounts.login_code"))
        if user is not None:
            services.complete_sign_in(user)
        db.session.commit()
        if user is not None:
            throttle.record_success(attempt)
            # Staff sessions end when idle (session_limits.py); no cookie outlives them.
            login_user(user, remember=form.remember.data and not user.is_staff)
            response = redirect(_safe_next(query.text("next", max_length=2000)))
            throttle.remember_device(response, user)
            return response
        throttle.record_failure(attempt)
        form.form_errors.append(
            "The email or password is not correct. (Invited staff: use the link in your "
            "invitation to set a password first.)"
        )
    return render_template("accounts/login.html", form=form)


def _blocked_response(template: str, form, block: throttle.Block, **context):
    response = current_app.make_response((render_template(template, form=form, **context), 429))
    response.headers["Retry-After"] = str(block.seconds)
    return response


@bp.route("/login/code", methods=["GET", "POST"])
@public
def login_code():
    """The second step of signing in: a code from the authenticator app, or a recovery code."""
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    found = two_factor.pending()
    if found is None:
        flash("Please sign in with your email and password first.", "info")
        return redirect(url_for("accounts.login"))
    user, details = found
    form = SignInCodeForm()
    if form.validate_on_submit():
        attempt = throttle.attempt_for(user.email, user)
        block = throttle.blocked(attempt)
        if block is not None:
            form.form_errors.append(_blocked_message(block))
            return _blocked_response("accounts/login_code.html", form, block)
        passed = services.verify_second_factor(user, form.code.data)
        db.session.commit()
        if passed:
            throttle.record_success(attempt)
            login_user(user, remember=bool(details.get("remember")) and not user.is_staff)
            two_factor.mark_passed(user)
            response = redirect(_safe_next(details.get("next")))
            throttle.remember_device(response, user)
            return response
        throttle.record_failure(attempt)
        form.code.errors = [
            "That code is not correct or was already used. Enter the code the app shows "
            "now, or an unused recovery code."
        ]
    return render_template("accounts/login_code.html", form=form)


def _blocked_message(block: throttle.Block) -> str:
    minutes = max(1, round(block.seconds / 60))
    wait = f"{minutes} minute{'s' if minutes != 1 else ''}"
    if block.per_address:
        return (
            f"Too many failed sign-ins from your network. Please try again in {wait}. "
            "A browser you have signed in with before can sign in now."
        )
    return (
        f"Too many failed sign-ins to this account from here. Please try again in {wait}, "
        "or reset your password. A browser you have signed in with before can sign in now."
    )


@bp.route("/logout", methods=["POST"])
@public
def logout():
    if current_user.is_authenticated:
        services.sign_out(current_user)
        db.session.commit()
    logout_user()
    flash("You are signed out, on this device and every other.", "info")
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
        with refusal() as refused:
            services.reset_password(token, form.password.data)
        if error := refused.error:
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
    if current_app.config["SSO_ONLY_FOR_STAFF"]:
        # Staff have no password: the invitation is accepted through the provider only.
        return render_template(
            "accounts/accept_invitation.html", form=None, invited=user, token=token
        )
    form = NewPasswordForm()
    if form.validate_on_submit():
        with refusal() as refused:
            user = services.accept_invitation(token, form.password.data)
        if error := refused.error:
            attach_error(form, error)
        else:
            db.session.commit()
            logout_user()
            login_user(user)
            flash(f"Welcome, {user.full_name}. Your password is set.", "success")
            return redirect(url_for("home.index"))
    return render_template("accounts/accept_invitation.html", form=form, invited=user, token=token)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        with refusal() as refused:
            services.change_password(
                current_user, current=form.current_password.data, new=form.password.data
            )
        if error := refused.error:
            attach_error(form, error)
        else:
            db.session.commit()
            # The session token changed; sign this session in again with it.
            _sign_in_again(current_user._get_current_object())
            flash("Your password is changed. Other devices have been signed out.", "success")
            return redirect(url_for("home.index"))
    return render_template("accounts/change_password.html", form=form)


@bp.route("/account/two-factor", methods=["GET", "POST"], endpoint="two_factor")
@login_required
def two_factor_page():
    """Turn on two-step sign-in: add the secret to an app, then type a code it shows."""
    user = current_user._get_current_object()
    if user.has_two_factor:
        return _two_factor_status(user, RenewRecoveryCodesForm(formdata=None))
    secret = session.get(two_factor.ENROL_SECRET) or totp.new_secret()
    session[two_factor.ENROL_SECRET] = secret
    form = EnrolTwoFactorForm()
    if form.validate_on_submit():
        with refusal() as refused:
            codes = services.enrol_two_factor(user, secret=secret, code=form.code.data)
        if error := refused.error:
            attach_error(form, error)
        else:
            db.session.commit()
            # The session token changed (other devices signed out); this session goes on.
            _sign_in_again(user)
            two_factor.mark_passed(user)
            session.pop(two_factor.ENROL_SECRET, None)
            return render_template("accounts/recovery_codes.html", codes=codes)
    uri = totp.provisioning_uri(
        secret, account=user.email, issuer=current_app.config["TWO_FACTOR_ISSUER"]
    )
    return render_template(
        "accounts/two_factor_enrol.html",
        form=form,
        secret=totp.grouped(secret),
        uri=uri,
        qr_code=totp.qr_code_svg(uri),
        required=must_use_two_factor(user),
    )


def _two_factor_status(user, form: RenewRecoveryCodesForm, status: int = 200):
    left = services.unused_recovery_codes(user)
    return render_template("accounts/two_factor.html", form=form, left=left), status


@bp.route("/account/two-factor/recovery-codes", methods=["POST"])
@login_required
def renew_recovery_codes():
    """New recovery codes (the old ones stop working), for a code from the app."""
    user = current_user._get_current_object()
    if not user.has_two_factor:
        return redirect(url_for("accounts.two_factor"))
    form = RenewRecoveryCodesForm()
    if form.validate_on_submit():
        with refusal() as refused:
            codes = services.renew_recovery_codes(user, code=form.code.data)
        if error := refused.error:
            attach_error(form, error)
        else:
            db.session.commit()
            return render_template("accounts/recovery_codes.html", codes=codes, renewed=True)
    return _two_factor_status(user, form, 400)


@bp.route("/account/sessions/end", methods=["POST"])
@login_required
def end_other_sessions():
    form = EndSessionsForm()
    if form.validate_on_submit():
        services.end_sessions(current_user, by=current_user)
        db.session.commit()
        # The token changed; this session goes on with the new one.
        _sign_in_again(current_user._get_current_object())
        flash("Every other device and browser is signed out.", "success")
    return redirect(url_for("accounts.change_password"))


def _sign_in_again(user) -> None:
    """Carry this session (and its remember-me cookie, if it had one) over to a new token."""
    had_cookie = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies
    login_user(user, remember=had_cookie and not user.is_staff)
