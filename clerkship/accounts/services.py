"""Every change to accounts and memberships."""

from __future__ import annotations

from collections.abc import Iterable

from flask import current_app
from sqlalchemy import delete, func, or_, select, update

from clerkship.accounts import totp
from clerkship.accounts.models import (
    Department,
    Membership,
    RecoveryCode,
    Role,
    User,
    new_session_token,
)
from clerkship.accounts.passwords import (
    dummy_hash,
    hash_password,
    needs_rehash,
    password_problems,
    verify_password,
)
from clerkship.accounts.strength import guessability_problem
from clerkship.audit.services import record_event
from clerkship.core.rules import RuleViolation
from clerkship.core.time import utcnow
from clerkship.core.tokens import TokenExpired, TokenInvalid, make_token, read_token
from clerkship.core.urls import external_url
from clerkship.extensions import db
from clerkship.outbox.services import queue_email

VERIFY_PURPOSE = "verify-email"
RESET_PURPOSE = "reset-password"
INVITE_PURPOSE = "invitation"


def normalize_email(email: str) -> str:
    """The form in which emails are stored and compared."""
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    """The user with this email, if any."""
    return db.session.scalar(select(User).where(User.email == normalize_email(email)))


def check_password_policy(password: str, *, email: str, name: str = "") -> None:
    """Refuse a password that breaks the policy or is easy to guess, naming every problem."""
    problems = password_problems(
        password, email=email, name=name, min_length=current_app.config["PASSWORD_MIN_LENGTH"]
    )
    if not problems:
        hints = [*email.lower().replace(".", " ").replace("@", " ").split(), *name.lower().split()]
        hints += [*current_app.config["INSTITUTION_NAME"].lower().split(), "clerkship"]
        weak = guessability_problem(
            password, hints=hints, min_score=current_app.config["PASSWORD_MIN_STRENGTH"]
        )
        problems = [weak] if weak else []
    if problems:
        raise RuleViolation(" ".join(problems), field="password")


def register_student(*, email: str, full_name: str, password: str) -> User | None:
    """Create a student account and send the email-verification link.

    For an address that already has an account, nothing is created and its owner is
    told by email; the caller answers exactly as for a new account, so the form does
    not reveal who has one (security issue, finding 4). Both paths hash the password.
    """
    email = normalize_email(email)
    check_password_policy(password, email=email, name=full_name)
    password_hash = hash_password(password)
    existing = find_user_by_email(email)
    if existing is not None:
        queue_email(
            existing.email,
            "Someone tried to register with your address",
            "register_existing",
            recipient=existing,
            user=existing,
            login_link=external_url("accounts.login"),
            reset_link=external_url("accounts.forgot_password"),
        )
        record_event(
            "account.register_existing",
            by=None,
            target=existing,
            subject=existing,
            summary="Registration attempted with this address",
        )
        return None
    user = User(email=email, full_name=full_name.strip(), password_hash=password_hash)
    user.memberships.append(Membership(role=Role.STUDENT))
    db.session.add(user)
    db.session.flush()
    record_event("account.register", by=user, target=user, subject=user, summary="Registered")
    send_verification_email(user)
    return user


def send_verification_email(user: User) -> None:
    """Email the user a signed link that proves they own their address."""
    token = make_token(VERIFY_PURPOSE, {"uid": user.id, "email": user.email})
    hours = current_app.config["EMAIL_VERIFICATION_MAX_AGE"] // 3600
    queue_email(
        user.email,
        "Confirm your email address",
        "verify_email",
        recipient=user,
        secret=True,
        user=user,
        link=external_url("accounts.verify_email", token=token),
        hours=hours,
    )


def verify_email(token: str) -> User:
    """Mark the address in a verification link as verified."""
    payload = read_token(VERIFY_PURPOSE, token, current_app.config["EMAIL_VERIFICATION_MAX_AGE"])
    user = db.session.get(User, payload.get("uid"))
    if user is None or user.email != payload.get("email"):
        raise TokenInvalid
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
        record_event("account.verify_email", by=user, target=user, subject=user)
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, signed in, or None; records the attempt."""
    user = check_password(email, password)
    if user is not None:
        complete_sign_in(user)
    return user


def check_password(email: str, password: str) -> User | None:
    """The active user with these credentials, or None (a failure is recorded).

    An unknown address costs the same argon2 work as a known one, so the time of
    the answer does not tell whether an account exists (security issue, finding 4).
    The sign-in is complete only after complete_sign_in (for an account with a second
    factor: once its code is accepted, verify_second_factor).
    """
    user = find_user_by_email(email)
    known = user is not None and user.has_password
    matches = verify_password(user.password_hash if known else dummy_hash(), password)
    if not (known and matches and user.active):
        record_event(
            "account.login_failed",
            by=None,
            target=user,
            subject=user,
            summary=f"Failed sign-in for {normalize_email(email)[:200]}",
        )
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def complete_sign_in(user: User) -> None:
    """Record a sign-in that passed every check."""
    user.last_login_at = utcnow()
    record_event("account.login", by=user, target=user, subject=user)


def enrol_two_factor(user: User, *, secret: str, code: str) -> list[str]:
    """Turn on the second factor once a code from the app proves it holds secret.

    Returns the new recovery codes, to be shown once; only their hashes are kept.
    Every other session of the user is signed out (the caller signs this one in again).
    """
    if user.has_two_factor:
        raise RuleViolation("Two-step sign-in is already on for your account.")
    step = totp.matching_step(secret, code, after=None)
    if step is None:
        raise RuleViolation(
            "That code is not correct. Check the app shows the account you just added, "
            "and that your phone's clock is right.",
            field="code",
        )
    user.totp_secret = secret
    user.totp_enabled_at = utcnow()
    user.totp_last_step = step
    codes = _replace_recovery_codes(user)
    user.session_token = new_session_token()
    record_event("account.two_factor_enrol", by=user, target=user, subject=user)
    return codes


def _replace_recovery_codes(user: User) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = totp.new_recovery_codes()
    for code in codes:
        db.session.add(RecoveryCode(user_id=user.id, code_hash=totp.recovery_code_hash(code)))
    db.session.flush()
    return codes


def renew_recovery_codes(user: User, *, code: str) -> list[str]:
    """New recovery codes for a code from the app; the old ones stop working."""
    step = totp.matching_step(user.totp_secret or "", code, after=user.totp_last_step)
    if not user.has_two_factor or step is None or not _claim_step(user, step):
        raise RuleViolation(
            "That code is not correct or was already used. Enter the code the app shows now.",
            field="code",
        )
    codes = _replace_recovery_codes(user)
    record_event("account.recovery_codes_renewed", by=user, target=user, subject=user)
    return codes


def unused_recovery_codes(user: User) -> int:
    """How many of the user's recovery codes are left."""
    return db.session.scalar(
        select(func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )


def verify_second_factor(user: User, code: str) -> bool:
    """Whether code (from the app, or an unused recovery code) completes user's sign-in.

    A code from the app works once: the time step it belongs to is stored, and a code
    for that step or an earlier one is refused. A recovery code is spent when used.
    Both checks are a conditional UPDATE, so two requests with one code cannot both pass.
    """
    if user.has_two_factor and user.active:
        step = totp.matching_step(user.totp_secret, code, after=user.totp_last_step)
        if step is not None and _claim_step(user, step):
            complete_sign_in(user)
            return True
        if totp.looks_like_recovery_code(code) and _spend_recovery_code(user, code):
            left = unused_recovery_codes(user)
            record_event(
                "account.recovery_code_used",
                by=user,
                target=user,
                subject=user,
                summary=f"Signed in with a recovery code; {left} left",
            )
            complete_sign_in(user)
            return True
    record_event(
        "account.two_factor_failed",
        by=None,
        target=user,
        subject=user,
        summary="Wrong sign-in code",
    )
    return False


def _claim_step(user: User, step: int) -> bool:
    claimed = db.session.execute(
        update(User)
        .where(
            User.id == user.id,
            or_(User.totp_last_step.is_(None), User.totp_last_step < step),
        )
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed:
        user.totp_last_step = step
    return bool(claimed)


def _spend_recovery_code(user: User, code: str) -> bool:
    spent = db.session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == totp.recovery_code_hash(code),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    return bool(spent)


def reencrypt_two_factor_secrets() -> int:
    """Write every two-step sign-in secret again, so the first configured key encrypts it
    (after a new key was put first in DATA_ENCRYPTION_KEYS); how many. A secret no key
    can read is left as it is and logged."""
    from sqlalchemy.orm.attributes import flag_modified

    from clerkship.core.encryption import UNREADABLE

    users = db.session.scalars(select(User).where(User.totp_secret.is_not(None))).all()
    count = 0
    for user in users:
        if user.totp_secret != UNREADABLE:
            flag_modified(user, "totp_secret")
            count += 1
    record_event("account.secrets_reencrypted", by=None, summary=f"{count} secret(s)")
    db.session.flush()
    return count


def reset_two_factor(user: User, *, by: User) -> None:
    """Turn off a user's second factor (a lost phone), by another administrator.

    The user is signed out everywhere; if their role requires a second factor, they
    enrol again at their next sign-in.
    """
    if by.id == user.id:
        raise RuleViolation(
            "You cannot reset your own two-step sign-in; ask another administrator."
        )
    if not user.has_two_factor:
        raise RuleViolation(f"{user.full_name} has not turned on two-step sign-in.")
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    user.session_token = new_session_token()
    record_event(
        "account.two_factor_reset",
        by=by,
        target=user,
        subject=user,
        summary=f"Two-step sign-in reset by {by.email}",
    )


def sign_out(user: User) -> None:
    """End the user's sessions: copies of its session or remember-me cookie stop working too.

    Sessions live in signed cookies, so the server can only refuse them by changing
    the token they carry; that also signs the user out on their other devices.
    """
    user.session_token = new_session_token()
    record_event("account.logout", by=user, target=user, subject=user)


def end_sessions(user: User, *, by: User) -> None:
    """Sign the user out everywhere (by themselves, or by an administrator)."""
    user.session_token = new_session_token()
    summary = "Signed out everywhere" if by.id == user.id else f"All sessions ended by {by.email}"
    record_event("account.end_sessions", by=by, target=user, subject=user, summary=summary)


def _password_fingerprint(user: User) -> str:
    # A reset link is bound to the password it replaces, so it works once.
    return (user.password_hash or "none")[-16:]


def request_password_reset(email: str) -> None:
    """Email a reset link if an active account uses this address; say nothing otherwise."""
    user = find_user_by_email(email)
    if user is None or not user.active or staff_password_refused(user):
        return  # staff who sign in only through the provider have no password to reset
    if not user.has_password:
        # An invited member of staff who never set a password gets a fresh invitation.
        send_invitation(user, by=None)
        return
    token = make_token(RESET_PURPOSE, {"uid": user.id, "fp": _password_fingerprint(user)})
    minutes = current_app.config["PASSWORD_RESET_MAX_AGE"] // 60
    queue_email(
        user.email,
        "Reset your password",
        "reset_password",
        recipient=user,
        secret=True,
        user=user,
        link=external_url("accounts.reset_password", token=token),
        minutes=minutes,
    )
    record_event("account.reset_requested", by=None, target=user, subject=user)


def user_for_reset_token(token: str) -> User:
    """The user a reset link is for, or TokenExpired / TokenInvalid (also once used)."""
    payload = read_token(RESET_PURPOSE, token, current_app.config["PASSWORD_RESET_MAX_AGE"])
    user = db.session.get(User, payload.get("uid"))
    if user is None or not user.active or payload.get("fp") != _password_fingerprint(user):
        raise TokenInvalid
    return user


def set_password(user: User, password: str, *, action: str) -> None:
    """Give the user a new password and sign them out of every other session."""
    check_password_policy(password, email=user.email, name=user.full_name)
    user.password_hash = hash_password(password)
    user.session_token = new_session_token()
    record_event(action, by=user, target=user, subject=user)


def reset_password(token: str, password: str) -> User:
    """Set a new password through a reset link, which then stops working."""
    user = user_for_reset_token(token)
    set_password(user, password, action="account.reset_password")
    queue_email(
        user.email, "Your password was changed", "password_changed", recipient=user, user=user
    )
    return user


def change_password(user: User, *, current: str, new: str) -> None:
    """Change a signed-in user's password after checking the current one."""
    if not verify_password(user.password_hash, current):
        raise RuleViolation("Your current password is not correct.", field="current_password")
    set_password(user, new, action="account.change_password")
    queue_email(
        user.email, "Your password was changed", "password_changed", recipient=user, user=user
    )


def invite_staff(
    *,
    email: str,
    full_name: str,
    memberships: Iterable[tuple[Role, Department | None]],
    by: User,
) -> User:
    """Create a staff account with roles and email a link to set a password."""
    email = normalize_email(email)
    if find_user_by_email(email) is not None:
        raise RuleViolation(
            "Someone already has an account with this email; add roles to it instead.",
            field="email",
        )
    user = User(email=email, full_name=full_name.strip(), password_hash=None)
    db.session.add(user)
    for role, department in memberships:
        _add_membership(user, role, department)
    db.session.flush()
    record_event(
        "account.invite",
        by=by,
        target=user,
        subject=user,
        summary=f"Invited {email}",
        roles=[m.label for m in user.memberships],
    )
    send_invitation(user, by=by)
    return user


def send_invitation(user: User, *, by: User | None) -> None:
    """(Re)send the set-password link; earlier links stop working."""
    if user.has_password:
        raise RuleViolation("This person has already set a password.")
    user.invited_at = utcnow()
    db.session.flush()
    token = make_token(INVITE_PURPOSE, {"uid": user.id, "at": user.invited_at.isoformat()})
    days = current_app.config["INVITATION_MAX_AGE"] // 86400
    queue_email(
        user.email,
        f"You are invited to clerkship at {current_app.config['INSTITUTION_NAME']}",
        "invitation",
        recipient=user,
        secret=True,
        user=user,
        inviter=by,
        link=external_url("accounts.accept_invitation", token=token),
        days=days,
    )
    if by is not None:
        record_event("account.invitation_sent", by=by, target=user, subject=user)


def user_for_invitation_token(token: str) -> User:
    """The invited user of a link, or TokenExpired / TokenInvalid (also once used)."""
    payload = read_token(INVITE_PURPOSE, token, current_app.config["INVITATION_MAX_AGE"])
    user = db.session.get(User, payload.get("uid"))
    if (
        user is None
        or user.has_password
        or user.invited_at is None
        or user.invited_at.isoformat() != payload.get("at")
    ):
        raise TokenInvalid
    return user


def accept_invitation(token: str, password: str) -> User:
    """Set the first password of an invited member of staff; the email is then verified."""
    user = user_for_invitation_token(token)
    set_password(user, password, action="account.accept_invitation")
    user.email_verified_at = user.email_verified_at or utcnow()
    return user


def _add_membership(user: User, role: Role, department: Department | None) -> Membership:
    if role.is_departmental and department is None:
        raise RuleViolation(f"Choose the department for the {role.label} role.", field="department")
    if not role.is_departmental and department is not None:
        raise RuleViolation(
            f"The {role.label} role covers the whole institution; leave the department empty.",
            field="department",
        )
    if any(m.role == role and m.department == department for m in user.memberships):
        where = f" in {department.name}" if department else ""
        raise RuleViolation(f"{user.full_name} is already {role.label}{where}.", field="role")
    membership = Membership(role=role, department=department)
    user.memberships.append(membership)
    return membership


def grant_role(user: User, role: Role, department: Department | None, *, by: User) -> Membership:
    """Give a user a role (in a department, for departmental roles)."""
    membership = _add_membership(user, role, department)
    db.session.flush()
    record_event(
        "membership.grant", by=by, target=user, subject=user, summary=f"Granted {membership.label}"
    )
    return membership


def revoke_membership(membership: Membership, *, by: User) -> None:
    """Take a role away; an administrator cannot remove their own administrator role."""
    user = membership.user
    if membership.role == Role.ADMIN and user.id == by.id:
        raise RuleViolation("You cannot remove your own administrator role.")
    label = membership.label
    user.memberships.remove(membership)
    record_event("membership.revoke", by=by, target=user, subject=user, summary=f"Revoked {label}")


def update_user(user: User, *, full_name: str, active: bool, by: User) -> None:
    """Edit a user's name and whether they can sign in."""
    if not active and user.id == by.id:
        raise RuleViolation("You cannot deactivate your own account.", field="active")
    changes = {}
    if user.full_name != full_name.strip():
        changes["full_name"] = [user.full_name, full_name.strip()]
        user.full_name = full_name.strip()
    if user.active != active:
        changes["active"] = [user.active, active]
        user.active = active
        user.session_token = new_session_token()  # deactivation ends every session
    if changes:
        record_event("account.update", by=by, target=user, subject=user, **changes)


def create_admin(*, email: str, full_name: str, password: str) -> User:
    """Create the first administrator (or make an existing user one) from the command line."""
    user = find_user_by_email(email)
    if user is None:
        email = normalize_email(email)
        check_password_policy(password, email=email, name=full_name)
        user = User(
            email=email,
            full_name=full_name,
            password_hash=hash_password(password),
            email_verified_at=utcnow(),
        )
        db.session.add(user)
    if not user.is_admin:
        user.memberships.append(Membership(role=Role.ADMIN))
    db.session.flush()
    record_event("account.create_admin", by=None, target=user, subject=user)
    return user


STAFF_ONLY = (
    "Signing in through the institution is for staff. Students sign in with their email and "
    "password."
)


def staff_password_refused(user: User) -> bool:
    """Whether this account must sign in through the provider (SSO_ONLY_FOR_STAFF, staff)."""
    return bool(current_app.config["SSO_ONLY_FOR_STAFF"]) and user.is_staff


def sign_in_with_sso(
    *, subject: str, email: str, email_verified: bool, invitation: str | None = None
) -> User:
    """The staff account the provider's identity belongs to, linking it on first use.

    An account already linked is found by the provider's subject, whatever email the
    provider now gives. Otherwise the account with that email is linked only when it is
    staff, has no subject yet and either (a) the provider says the email is verified, or
    (b) this browser came through that account's invitation link (which proved the inbox).
    Anything else is refused with the reason; nothing is created.
    """
    user = db.session.scalar(select(User).where(User.sso_subject == subject))
    if user is None:
        user = _link_by_email(subject, normalize_email(email), email_verified, invitation)
    if not user.active:
        raise RuleViolation("This account is deactivated. Ask an administrator.")
    if not user.is_staff:
        raise RuleViolation(STAFF_ONLY)
    complete_sign_in(user)
    return user


def _link_by_email(subject: str, email: str, verified: bool, invitation: str | None) -> User:
    user = find_user_by_email(email)
    if user is None:
        raise RuleViolation(
            f"No staff account uses {email[:200]}. Ask an administrator for an invitation."
        )
    if not user.is_staff:
        raise RuleViolation(STAFF_ONLY)
    if user.sso_subject is not None:
        # Refused changes roll back (no audit event survives): leave a trace in the log.
        current_app.logger.warning(
            "Single sign-on refused: user %s is linked to another subject", user.id
        )
        raise RuleViolation(
            "This account is linked to another identity at the sign-in service. Ask an "
            "administrator."
        )
    invited = invitation is not None and _invitation_user_id(invitation) == user.id
    if not (verified or invited):
        raise RuleViolation(
            "The sign-in service has not confirmed this email address, so we cannot link it "
            "to your account. Sign in with your password, or ask the IT service desk to "
            "confirm the address."
        )
    user.sso_subject = subject
    user.sso_linked_at = utcnow()
    user.email_verified_at = user.email_verified_at or utcnow()
    if invited:
        user.invited_at = None  # the invitation is used: its link stops working
        record_event("account.accept_invitation", by=user, target=user, subject=user)
    record_event(
        "account.sso_linked",
        by=user,
        target=user,
        subject=user,
        summary="Linked to the institution's sign-in" + (" (invitation)" if invited else ""),
    )
    return user


def _invitation_user_id(token: str) -> int | None:
    try:
        return user_for_invitation_token(token).id
    except (TokenInvalid, TokenExpired):
        return None
