"""Sign-in, sign-out, remember me and password reset (the sign-in limits: test_throttle.py)."""

from __future__ import annotations

from datetime import timedelta

from argon2 import PasswordHasher, extract_parameters
from freezegun import freeze_time
from sqlalchemy import select

from clerkship.accounts.models import Role
from clerkship.accounts.passwords import verify_password
from clerkship.audit.models import AuditEvent
from clerkship.extensions import db
from tests.conftest import link_in, login
from tests.factories import PASSWORD, make_student, make_user


def _login(client, email, password=PASSWORD, **extra):
    return client.post("/login", data={"email": email, "password": password, **extra})


def test_login_with_right_password_signs_in(client):
    make_student(email="s@example.org")
    response = _login(client, "S@Example.org")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert client.get("/account/password").status_code == 200


def test_login_with_wrong_password_says_so_and_keeps_email(client):
    user = make_student(email="s@example.org")
    html = _login(client, "s@example.org", "wrong-password-here").get_data(as_text=True)
    assert "The email or password is not correct." in html
    assert 'value="s@example.org"' in html
    failed = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "account.login_failed")
    )
    assert failed.subject_user_id == user.id


def test_login_of_deactivated_user_is_refused(client):
    make_student(email="s@example.org", active=False)
    assert "not correct" in _login(client, "s@example.org").get_data(as_text=True)


def test_login_follows_only_local_next(client):
    make_student(email="s@example.org")
    response = client.post(
        "/login?next=https://evil.example.com/",
        data={"email": "s@example.org", "password": PASSWORD},
    )
    assert response.headers["Location"] == "/"
    client.post("/logout")
    response = client.post(
        "/login?next=/account/password", data={"email": "s@example.org", "password": PASSWORD}
    )
    assert response.headers["Location"] == "/account/password"


def test_remember_me_sets_a_lasting_cookie(client):
    make_student(email="s@example.org")
    response = _login(client, "s@example.org", remember="y")
    cookies = response.headers.getlist("Set-Cookie")
    assert any(c.startswith("remember_token=") and "HttpOnly" in c for c in cookies)


def test_logout_signs_out(client):
    user = make_student()
    login(client, user)
    assert client.post("/logout").status_code == 302
    assert client.get("/account/password").status_code == 302


def test_logout_by_get_is_not_allowed(client):
    assert client.get("/logout").status_code == 405


def test_forgot_password_emails_single_use_link(client, mailbox):
    user = make_student(email="s@example.org")
    response = client.post("/password/forgot", data={"email": "s@example.org"})
    assert response.status_code == 302
    link = link_in(mailbox.last_to("s@example.org")).replace("http://clerkship.example.org", "")
    new = "marigold-lantern-river"
    response = client.post(link, data={"password": new, "confirm": new})
    assert response.status_code == 302
    db.session.refresh(user)
    assert verify_password(user.password_hash, new)
    assert mailbox.last_to("s@example.org")["Subject"] == "Your password was changed"
    again = client.get(link)
    assert again.status_code == 400
    assert "already used" in again.get_data(as_text=True)


def test_forgot_password_for_unknown_email_says_the_same_and_sends_nothing(client, mailbox):
    response = client.post(
        "/password/forgot", data={"email": "nobody@example.org"}, follow_redirects=True
    )
    assert "If nobody@example.org has an account" in response.get_data(as_text=True)
    assert mailbox.messages == []


def test_reset_link_expires_after_an_hour(client, mailbox):
    make_student(email="s@example.org")
    client.post("/password/forgot", data={"email": "s@example.org"})
    link = link_in(mailbox.last_to("s@example.org")).replace("http://clerkship.example.org", "")
    with freeze_time(timedelta(minutes=61), tick=True):
        assert "too old" in client.get(link).get_data(as_text=True)


def test_reset_signs_out_other_sessions(client, app, mailbox):
    user = make_student(email="s@example.org")
    other_device = app.test_client()
    login(other_device, user)
    assert other_device.get("/account/password").status_code == 200
    client.post("/password/forgot", data={"email": "s@example.org"})
    link = link_in(mailbox.last_to("s@example.org")).replace("http://clerkship.example.org", "")
    client.post(
        link, data={"password": "marigold-lantern-river", "confirm": "marigold-lantern-river"}
    )
    assert other_device.get("/account/password").status_code == 302


def test_change_password_requires_current_one(client):
    user = make_user(Role.STUDENT)
    login(client, user)
    html = client.post(
        "/account/password",
        data={
            "current_password": "nope",
            "password": "a-new-long-password",
            "confirm": "a-new-long-password",
        },
    ).get_data(as_text=True)
    assert 'id="current_password-error"' in html
    assert "Your current password is not correct." in html
    response = client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "password": "a-new-long-password",
            "confirm": "a-new-long-password",
        },
    )
    assert response.status_code == 302
    assert client.get("/account/password").status_code == 200  # this session stays signed in


def test_wrong_password_for_an_unknown_email_costs_one_argon2_verification(client, monkeypatch):
    make_student(email="s@example.org")
    verified = []
    real_verify = PasswordHasher.verify

    def counting_verify(self, hash, password):  # argon2-cffi's, not ours: counts its work
        verified.append(hash[:9])
        return real_verify(self, hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", counting_verify)
    _login(client, "s@example.org", "wrong-password-here")
    _login(client, "nobody@example.org", "wrong-password-here")
    assert verified == ["$argon2id", "$argon2id"]


def test_login_rewrites_a_hash_made_with_the_former_production_cost(client, app):
    former = PasswordHasher(time_cost=3, memory_cost=65536, parallelism=4).hash(PASSWORD)
    user = make_student(email="s@example.org")
    user.password_hash = former
    db.session.commit()
    assert _login(client, "s@example.org").status_code == 302
    db.session.refresh(user)
    rewritten = extract_parameters(user.password_hash)
    expected = (app.config["ARGON2_TIME_COST"], app.config["ARGON2_MEMORY_COST"])
    assert (rewritten.time_cost, rewritten.memory_cost) == expected
    assert verify_password(user.password_hash, PASSWORD)
