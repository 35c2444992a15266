"""Single sign-on for staff through a real OpenID provider (oidc-provider on Node)."""

from __future__ import annotations

import html
import re

import pyotp
import pytest
from sqlalchemy import select

from clerkship.accounts import services
from clerkship.accounts.models import Role, User
from clerkship.audit.models import AuditEvent
from clerkship.core.time import utcnow
from clerkship.extensions import db
from tests.conftest import free_port, link_in
from tests.factories import PASSWORD, make_department, make_student, make_user
from tests.sso import through_provider

PROBLEM = "Signing in through School sign-in did not work"


@pytest.fixture
def app_config(oidc_provider):
    return oidc_provider.config()


def _sign_in(client, account, *, start: str = "/login/sso", deny: bool = False):
    """Start at start, sign in at the provider as account, and come back: the app's answer."""
    response = client.get(start)
    while response.status_code == 302 and response.headers["Location"].startswith("/"):
        response = client.get(response.headers["Location"])
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    callback = through_provider(response.headers["Location"], account.login, deny=deny)
    return client.get(re.sub(r"^https?://[^/]+", "", callback))


def _text(response) -> str:
    return re.sub(r"\s+", " ", html.unescape(response.get_data(as_text=True)))


def _signed_in_as(client) -> str | None:
    with client.session_transaction() as session:
        user_id = session.get("_user_id")
    return user_id.split(":")[0] if user_id else None


def _invite(email: str, mailbox) -> str:
    admin = make_user(Role.ADMIN)
    services.invite_staff(
        email=email,
        full_name="Nadia Director",
        memberships=[(Role.DIRECTOR, make_department())],
        by=admin,
    )
    db.session.commit()
    return link_in(mailbox.last_to(email)).rsplit("/", 1)[1]


def test_invitation_is_accepted_by_signing_in_with_the_invited_email(
    client, oidc_provider, mailbox
):
    token = _invite("nadia@school.example.edu", mailbox)
    account = oidc_provider.add("nadia@school.example.edu", verified=False)
    page = client.get(f"/invitation/{token}")
    assert "Accept with School sign-in" in _text(page)
    response = _sign_in(client, account, start=f"/invitation/{token}/sso")
    assert response.headers["Location"] == "/"
    user = db.session.scalar(select(User).where(User.email == "nadia@school.example.edu"))
    assert (user.sso_subject, user.has_password, user.is_verified) == (account.sub, False, True)
    assert _signed_in_as(client) == str(user.id)
    # The invitation is used: its link stops working.
    assert client.get(f"/invitation/{token}").status_code == 400
    actions = db.session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.subject_user_id == user.id)
        .order_by(AuditEvent.id)
    ).all()
    assert actions == [
        "account.invite",
        "account.invitation_sent",
        "account.accept_invitation",
        "account.sso_linked",
        "account.login",
    ]


def test_invitation_needs_the_invited_email_at_the_provider(client, oidc_provider, mailbox):
    token = _invite("nadia@school.example.edu", mailbox)
    someone_else = oidc_provider.add("someone.else@school.example.edu")
    response = _sign_in(client, someone_else, start=f"/invitation/{token}/sso")
    assert response.status_code == 403
    assert "No staff account uses someone.else@school.example.edu." in _text(response)
    assert _signed_in_as(client) is None
    assert client.get(f"/invitation/{token}").status_code == 200  # still usable


def test_later_sign_ins_find_the_account_by_subject_when_the_email_changes(client, oidc_provider):
    director = make_user((Role.DIRECTOR, make_department()), email="dana@school.example.edu")
    account = oidc_provider.add("dana@school.example.edu")
    assert _sign_in(client, account).status_code == 302
    client.post("/logout")
    oidc_provider.put(account, "dana.married-name@school.example.edu")
    response = _sign_in(client, account)
    assert response.status_code == 302
    assert _signed_in_as(client) == str(director.id)


def test_another_subject_with_the_same_email_does_not_take_over_a_linked_account(
    client, oidc_provider
):
    director = make_user((Role.DIRECTOR, make_department()), email="dana@school.example.edu")
    director.sso_subject, director.sso_linked_at = "idp-original", utcnow()
    impostor = oidc_provider.add("dana@school.example.edu", verified=True)
    response = _sign_in(client, impostor)
    assert response.status_code == 403
    assert "This account is linked to another identity at the sign-in service." in _text(response)
    assert _signed_in_as(client) is None
    db.session.refresh(director)
    assert director.sso_subject == "idp-original"


def test_a_local_staff_account_links_on_first_sign_in_only_if_the_email_is_verified(
    client, oidc_provider
):
    reviewer = make_user((Role.REVIEWER, make_department()), email="rui@school.example.edu")
    unverified = oidc_provider.add("rui@school.example.edu", verified=False)
    response = _sign_in(client, unverified)
    assert response.status_code == 403
    assert "has not confirmed this email address" in _text(response)
    db.session.refresh(reviewer)
    assert reviewer.sso_subject is None
    verified = oidc_provider.add("rui@school.example.edu", verified=True)
    assert _sign_in(client, verified).status_code == 302
    db.session.refresh(reviewer)
    assert reviewer.sso_subject == verified.sub
    assert _signed_in_as(client) == str(reviewer.id)


def test_students_and_unknown_emails_are_not_signed_in(client, oidc_provider):
    make_student(email="sam@med.example.edu")
    student = oidc_provider.add("sam@med.example.edu")
    response = _sign_in(client, student)
    assert response.status_code == 403
    assert "Signing in through the institution is for staff." in _text(response)
    stranger = oidc_provider.add("stranger@school.example.edu")
    assert _sign_in(client, stranger).status_code == 403
    assert (
        db.session.scalar(select(User).where(User.email == "stranger@school.example.edu")) is None
    )


def test_sign_out_ends_the_local_session(client, oidc_provider):
    make_user((Role.COORDINATOR, make_department()), email="cole@school.example.edu")
    account = oidc_provider.add("cole@school.example.edu")
    _sign_in(client, account)
    with client.session_transaction() as session:
        copied = dict(session)
    assert client.post("/logout").status_code == 302
    assert _signed_in_as(client) is None
    with client.session_transaction() as session:
        session.update(copied)  # a copy of the old cookie no longer works either
    assert client.get("/account/password").headers["Location"].startswith("/login")


def test_denied_consent_gets_a_clear_page(client, oidc_provider):
    account = oidc_provider.add("dee@school.example.edu")
    response = _sign_in(client, account, deny=True)
    assert response.status_code == 400
    text = _text(response)
    assert PROBLEM in text
    assert (
        "You did not allow clerkship to use your institution's sign-in. You are not signed in."
        in text
    )


@pytest.mark.parametrize(
    "query",
    ["", "?code=forged&state=forged", "?error=server_error", "?error=%3Cscript%3E"],
)
def test_a_bad_or_forged_answer_gets_a_clear_page(client, query):
    response = client.get("/login/sso/callback" + query)
    assert response.status_code == 400
    assert PROBLEM in _text(response)
    assert "<script>" not in response.get_data(as_text=True)


def test_an_answer_meant_for_another_browser_is_refused(client, app, oidc_provider):
    make_user((Role.DIRECTOR, make_department()), email="dana@school.example.edu")
    account = oidc_provider.add("dana@school.example.edu")
    started = client.get("/login/sso")
    callback = through_provider(started.headers["Location"], account.login)
    other_browser = app.test_client()
    response = other_browser.get(re.sub(r"^https?://[^/]+", "", callback))
    assert response.status_code == 400
    assert _signed_in_as(other_browser) is None


@pytest.mark.fresh_app  # re-registers the provider client of its app
def test_an_unreachable_provider_gets_a_clear_page(app, client):
    app.config["OIDC_ISSUER"] = f"http://127.0.0.1:{free_port()}"
    app.extensions.pop("clerkship_oauth")
    from clerkship.accounts.sso import register_sso

    register_sso(app)
    response = client.get("/login/sso")
    assert response.status_code == 502
    assert "the sign-in service could not be reached" in _text(response).lower()


class TestSsoOnly:
    @pytest.fixture
    def app_config(self, oidc_provider):
        return oidc_provider.config(SSO_ONLY_FOR_STAFF=True)

    def test_staff_passwords_are_refused_and_students_still_sign_in(self, client, mailbox):
        make_user((Role.DIRECTOR, make_department()), email="dana@school.example.edu")
        make_student(email="sam@med.example.edu")
        refused = client.post(
            "/login", data={"email": "dana@school.example.edu", "password": PASSWORD}
        )
        assert refused.status_code == 403
        assert "Passwords are not accepted for staff accounts." in _text(refused)
        assert _signed_in_as(client) is None
        # A wrong password gets the usual answer: nothing tells a stranger it is staff.
        wrong = client.post("/login", data={"email": "dana@school.example.edu", "password": "nope"})
        assert "The email or password is not correct." in _text(wrong)
        student = client.post("/login", data={"email": "sam@med.example.edu", "password": PASSWORD})
        assert student.status_code == 302
        # Staff get no reset email (they have no password to reset).
        client.post("/logout")
        client.post("/password/forgot", data={"email": "dana@school.example.edu"})
        assert mailbox.to("dana@school.example.edu") == []

    def test_the_invitation_page_offers_only_the_provider(self, client, mailbox):
        token = _invite("nadia@school.example.edu", mailbox)
        text = _text(client.get(f"/invitation/{token}"))
        assert "Accept with School sign-in" in text
        assert 'name="password"' not in text


class TestTwoStep:
    def _admin_with_app(self):
        admin = make_user(Role.ADMIN, email="ada@school.example.edu")
        admin.totp_secret, admin.totp_enabled_at = pyotp.random_base32(), utcnow()
        return admin

    def test_by_default_admins_still_give_their_code_after_the_provider(
        self, client, oidc_provider
    ):
        self._admin_with_app()
        account = oidc_provider.add("ada@school.example.edu")
        response = _sign_in(client, account)
        assert response.headers["Location"] == "/login/code"
        assert _signed_in_as(client) is None

    @pytest.fixture
    def app_config(self, request, oidc_provider):
        trusted = request.node.name.startswith("test_when_the_provider")
        return oidc_provider.config(SSO_SATISFIES_TWO_FACTOR=trusted)

    def test_when_the_provider_does_two_step_sign_in_the_admin_is_in(self, client, oidc_provider):
        admin = self._admin_with_app()
        account = oidc_provider.add("ada@school.example.edu")
        assert _sign_in(client, account).headers["Location"] == "/"
        assert client.get("/admin/users/").status_code == 200
        assert _signed_in_as(client) == str(admin.id)
