"""Students register, confirm their email through the link they receive, and sign in."""

from __future__ import annotations

from datetime import timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from clerkship.accounts.models import Role, User
from clerkship.audit.models import AuditEvent
from clerkship.extensions import db
from tests.conftest import body_of, link_in
from tests.factories import make_student

GOOD = {
    "full_name": "Amara Okafor",
    "email": "Amara.Okafor@Med.Example.edu",
    "password": "tangerine-bicycle-harbor",
    "confirm": "tangerine-bicycle-harbor",
}


def test_register_creates_unverified_student_and_emails_a_link(client, mailbox):
    response = client.post("/register", data=GOOD)
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "amara.okafor@med.example.edu"))
    assert user.roles == {Role.STUDENT}
    assert user.is_verified is False
    assert user.password_hash.startswith("$argon2id$")
    message = mailbox.last_to("amara.okafor@med.example.edu")
    assert message["Subject"] == "Confirm your email address"
    assert "/verify/" in link_in(message)


def test_register_then_follow_emailed_link_verifies(client, mailbox):
    client.post("/register", data=GOOD)
    link = link_in(mailbox.last_to("amara.okafor@med.example.edu"))
    response = client.get(link.replace("http://clerkship.example.org", ""))
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "amara.okafor@med.example.edu"))
    assert user.is_verified is True
    actions = db.session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.subject_user_id == user.id)
        .order_by(AuditEvent.id)
    ).all()
    assert actions == ["account.register", "account.verify_email"]


def test_verification_link_expires(client, mailbox):
    client.post("/register", data=GOOD)
    link = link_in(mailbox.last_to("amara.okafor@med.example.edu")).replace(
        "http://clerkship.example.org", ""
    )
    with freeze_time(timedelta(days=3), tick=True):
        response = client.get(link)
    assert response.status_code == 400
    assert "The link is too old" in response.get_data(as_text=True)


def test_verification_link_tampered_shows_clear_page(client):
    response = client.get("/verify/abc.def.ghi")
    assert response.status_code == 400
    assert "This link no longer works" in response.get_data(as_text=True)


def _answer(client, data) -> tuple[int, str, str]:
    response = client.post("/register", data=data)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    flashed = page[page.index("Thank you.") :].split("</div>")[0].strip()
    return response.status_code, response.headers["Location"], flashed


def test_register_answers_the_same_whether_or_not_the_email_has_an_account(app, mailbox):
    new = _answer(app.test_client(), GOOD)
    make_student(email="taken@med.example.edu", full_name="Ana Taken")
    taken = _answer(app.test_client(), {**GOOD, "email": "Taken@Med.Example.edu"})
    assert new == (
        302,
        "/login",
        "Thank you. We sent an email to amara.okafor@med.example.edu: open the link in it "
        "to confirm your address, then sign in.",
    )
    assert taken == (
        302,
        "/login",
        "Thank you. We sent an email to taken@med.example.edu: open the link in it "
        "to confirm your address, then sign in.",
    )
    assert db.session.scalar(select(db.func.count(User.id))) == 2


def test_register_with_a_taken_email_tells_its_owner(client, mailbox):
    owner = make_student(email="amara.okafor@med.example.edu")
    client.post("/register", data=GOOD)
    message = mailbox.last_to("amara.okafor@med.example.edu")
    assert message["Subject"] == "Someone tried to register with your address"
    assert "Sign in: http://clerkship.example.org/login" in body_of(message)
    assert "Reset it: http://clerkship.example.org/password/forgot" in body_of(message)
    assert len(mailbox.messages) == 1
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "account.register_existing")
    )
    assert event.subject_user_id == owner.id
    assert client.get("/account/password").status_code == 302  # not signed in as the owner


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("abcabcabcabc", 'Repeats like "abcabcabc" are only slightly harder to guess than "abc".'),
        (
            "passwordpassword1",
            'Repeats like "abcabcabc" are only slightly harder to guess than "abc".',
        ),
        ("qwertyuiop123", "This is a very common password."),
    ],
)
def test_register_guessable_password_is_refused_saying_why(client, password, reason):
    html = client.post(
        "/register", data={**GOOD, "password": password, "confirm": password}
    ).get_data(as_text=True)
    assert 'id="password-error"' in html
    assert "This password is too easy to guess. " + reason.replace('"', "&#34;") in html
    assert db.session.scalar(select(db.func.count(User.id))) == 0


def test_register_weak_password_is_refused_next_to_field(client):
    data = {**GOOD, "password": "amara.okafor1", "confirm": "amara.okafor1"}
    response = client.post("/register", data=data)
    html = response.get_data(as_text=True)
    assert 'id="password-error"' in html
    assert "Use at least 12 characters." not in html
    assert "Do not use your email address in your password." in html
    assert db.session.scalar(select(db.func.count(User.id))) == 0


def test_register_short_password_and_mismatch(client):
    data = {**GOOD, "password": "short", "confirm": "different"}
    html = client.post("/register", data=data).get_data(as_text=True)
    assert "The passwords differ." in html
    assert db.session.scalar(select(db.func.count(User.id))) == 0


def test_register_invalid_email_is_refused(client):
    html = client.post("/register", data={**GOOD, "email": "not-an-email"}).get_data(as_text=True)
    assert "Enter a valid email address." in html
    assert 'value="not-an-email"' in html


def test_resend_verification_sends_a_new_link(client, mailbox):
    client.post("/register", data=GOOD)
    client.post("/login", data={"email": GOOD["email"], "password": GOOD["password"]})
    mailbox.messages.clear()
    response = client.post("/verify/resend")
    assert response.status_code == 302
    assert (
        mailbox.last_to("amara.okafor@med.example.edu")["Subject"] == "Confirm your email address"
    )
