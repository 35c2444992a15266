"""Signing out ends the session for good: copied cookies stop working; signing out everywhere."""

from __future__ import annotations

from sqlalchemy import select

from clerkship.accounts.models import Role
from clerkship.audit.models import AuditEvent
from clerkship.extensions import db
from tests.conftest import login
from tests.factories import PASSWORD, make_student, make_user


def _signed_in(client) -> bool:
    return client.get("/account/password").status_code == 200


def _sign_in(client, email: str, remember: bool = False):
    data = {"email": email, "password": PASSWORD}
    if remember:
        data["remember"] = "y"
    assert client.post("/login", data=data).status_code == 302


def test_copied_session_cookie_stops_working_after_sign_out(app, client):
    make_student(email="s@example.org")
    _sign_in(client, "s@example.org")
    stolen = app.test_client()
    stolen.set_cookie("session", client.get_cookie("session").value)
    assert _signed_in(stolen)
    client.post("/logout")
    assert _signed_in(stolen) is False


def test_copied_remember_cookie_stops_working_after_sign_out(app, client):
    make_student(email="s@example.org")
    _sign_in(client, "s@example.org", remember=True)
    stolen = app.test_client()
    stolen.set_cookie("remember_token", client.get_cookie("remember_token").value)
    assert _signed_in(stolen)
    client.post("/logout")
    fresh = app.test_client()
    fresh.set_cookie("remember_token", stolen.get_cookie("remember_token").value)
    assert _signed_in(fresh) is False


def test_sign_out_is_audited(client):
    user = make_student(email="s@example.org")
    _sign_in(client, "s@example.org")
    client.post("/logout")
    actions = db.session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.subject_user_id == user.id)
        .order_by(AuditEvent.id)
    ).all()
    assert actions == ["account.login", "account.logout"]


def test_user_signs_out_other_devices_and_stays_signed_in(app, client):
    user = make_student()
    other = login(app.test_client(), user)
    login(client, user)
    assert "Sign out all other devices" in client.get("/account/password").get_data(as_text=True)
    response = client.post("/account/sessions/end")
    assert response.headers["Location"] == "/account/password"
    assert _signed_in(client)
    assert _signed_in(other) is False


def test_admin_ends_every_session_of_a_user_audited(app, client):
    admin = make_user(Role.ADMIN)
    student = make_student()
    device = login(app.test_client(), student)
    login(client, admin)
    page = client.get(f"/admin/users/{student.id}").get_data(as_text=True)
    assert "Sign out on every device" in page
    client.post(f"/admin/users/{student.id}/sessions/end")
    assert _signed_in(device) is False
    assert _signed_in(client)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "account.end_sessions"))
    assert (event.actor_id, event.subject_user_id) == (admin.id, student.id)
    assert event.summary == f"All sessions ended by {admin.email}"


def test_signing_out_other_devices_renews_this_devices_remember_cookie(app, client):
    make_student(email="s@example.org")
    _sign_in(client, "s@example.org", remember=True)
    client.post("/account/sessions/end")
    later = app.test_client()  # this browser after its session cookie has gone
    later.set_cookie("remember_token", client.get_cookie("remember_token").value)
    assert _signed_in(later)
