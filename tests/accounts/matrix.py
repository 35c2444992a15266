"""Who may reach the account and user-management endpoints."""

from tests.matrix import ADMIN, EVERYONE, SIGNED_IN, Rule

RULES = [
    Rule("accounts.register", lambda w: "/register", EVERYONE),
    Rule("accounts.register", lambda w: "/register", EVERYONE, method="POST"),
    Rule("accounts.verify_email", lambda w: "/verify/not-a-token", EVERYONE),
    Rule("accounts.resend_verification", lambda w: "/verify/resend", SIGNED_IN, method="POST"),
    Rule("accounts.login", lambda w: "/login", EVERYONE),
    Rule("accounts.login", lambda w: "/login", EVERYONE, method="POST"),
    # Without a password accepted first, anonymous visitors are sent to sign in.
    Rule("accounts.login_code", lambda w: "/login/code", SIGNED_IN),
    Rule("accounts.login_code", lambda w: "/login/code", SIGNED_IN, method="POST"),
    Rule("accounts.two_factor", lambda w: "/account/two-factor", SIGNED_IN),
    Rule("accounts.two_factor", lambda w: "/account/two-factor", SIGNED_IN, method="POST"),
    Rule(
        "accounts.renew_recovery_codes",
        lambda w: "/account/two-factor/recovery-codes",
        SIGNED_IN,
        method="POST",
    ),
    Rule("accounts.logout", lambda w: "/logout", EVERYONE, method="POST"),
    # Single sign-on (404 while no provider is configured, as in the matrix's app).
    Rule("sso.start", lambda w: "/login/sso", EVERYONE),
    Rule("sso.callback", lambda w: "/login/sso/callback", EVERYONE),
    Rule("sso.accept_invitation", lambda w: "/invitation/bad/sso", EVERYONE),
    Rule("accounts.forgot_password", lambda w: "/password/forgot", EVERYONE),
    Rule("accounts.forgot_password", lambda w: "/password/forgot", EVERYONE, method="POST"),
    Rule("accounts.reset_password", lambda w: "/password/reset/bad", EVERYONE),
    Rule("accounts.reset_password", lambda w: "/password/reset/bad", EVERYONE, method="POST"),
    Rule("accounts.accept_invitation", lambda w: "/invitation/bad", EVERYONE),
    Rule("accounts.accept_invitation", lambda w: "/invitation/bad", EVERYONE, method="POST"),
    Rule("accounts.change_password", lambda w: "/account/password", SIGNED_IN),
    Rule("accounts.change_password", lambda w: "/account/password", SIGNED_IN, method="POST"),
    Rule(
        "accounts.end_other_sessions", lambda w: "/account/sessions/end", SIGNED_IN, method="POST"
    ),
    Rule("users.index", lambda w: "/admin/users/", ADMIN),
    Rule("users.invite", lambda w: "/admin/users/invite", ADMIN),
    Rule("users.invite", lambda w: "/admin/users/invite", ADMIN, method="POST"),
    Rule("users.edit", lambda w: f"/admin/users/{w.users['student'].id}", ADMIN),
    Rule("users.edit", lambda w: f"/admin/users/{w.users['student'].id}", ADMIN, method="POST"),
    Rule(
        "users.add_membership",
        lambda w: f"/admin/users/{w.users['reviewer'].id}/memberships",
        ADMIN,
        method="POST",
    ),
    Rule(
        "users.remove_membership",
        lambda w: (
            f"/admin/users/{w.users['reviewer'].id}/memberships/"
            f"{w.users['reviewer'].memberships[0].id}/delete"
        ),
        ADMIN,
        method="POST",
    ),
    Rule(
        "users.end_sessions",
        lambda w: f"/admin/users/{w.users['student'].id}/sessions/end",
        ADMIN,
        method="POST",
    ),
    Rule(
        "users.reset_two_factor",
        lambda w: f"/admin/users/{w.users['student'].id}/two-factor/reset",
        ADMIN,
        method="POST",
    ),
    Rule(
        "users.resend_invitation",
        lambda w: f"/admin/users/{w.users['reviewer'].id}/invitation",
        ADMIN,
        method="POST",
    ),
]
