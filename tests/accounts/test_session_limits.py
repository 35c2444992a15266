"""Staff sessions end after 30 idle minutes and 12 hours in all; students' sessions do not."""

from __future__ import annotations

from datetime import timedelta

import pytest
from freezegun import freeze_time

from clerkship.accounts.models import Role
from tests.factories import PASSWORD, enrol_two_factor, make_student, make_user, sign_in_with_code

START = "2027-01-04 08:00:00"
IDLE_MESSAGE = (
    "You were signed out after 30 minutes without activity, to protect students&#39; "
    "records. Please sign in again."
)


def _sign_in(client, email: str, **extra):
    data = {"email": email, "password": PASSWORD, **extra}
    assert client.post("/login", data=data).status_code == 302


def _signed_in(client) -> bool:
    return client.get("/account/password").status_code == 200


def test_staff_session_ends_after_thirty_idle_minutes_with_a_message(client):
    secret = enrol_two_factor(make_user(Role.ADMIN, email="staff@example.org"))
    with freeze_time(START) as frozen:
        sign_in_with_code(client, "staff@example.org", secret)
        frozen.tick(timedelta(minutes=29))
        assert _signed_in(client)
        frozen.tick(timedelta(minutes=30, seconds=1))
        response = client.get("/admin/users/?q=x")
        assert response.status_code == 302
        assert response.headers["Location"] == "/login?next=/admin/users/?q%3Dx"
        assert IDLE_MESSAGE in client.get("/login").get_data(as_text=True)
        assert _signed_in(client) is False


def test_active_staff_session_still_ends_after_twelve_hours(client):
    secret = enrol_two_factor(make_user(Role.AWARD_COMMITTEE, email="c@example.org"))
    with freeze_time(START) as frozen:
        sign_in_with_code(client, "c@example.org", secret)
        for _ in range(12 * 3 - 1):  # a request every 20 minutes
            frozen.tick(timedelta(minutes=20))
            assert _signed_in(client)
        frozen.tick(timedelta(minutes=20, seconds=1))
        response = client.get("/account/password")
        assert response.headers["Location"] == "/login?next=/account/password"
        page = client.get("/login").get_data(as_text=True)
        assert "Staff sessions last at most 12 hours. Please sign in again." in page


def test_student_session_has_no_idle_limit(client):
    make_student(email="s@example.org")
    with freeze_time(START) as frozen:
        _sign_in(client, "s@example.org")
        frozen.tick(timedelta(hours=13))
        assert _signed_in(client)


def test_staff_get_no_remember_me_cookie(client):
    make_user(Role.ADMIN, email="staff@example.org")
    response = client.post(
        "/login", data={"email": "staff@example.org", "password": PASSWORD, "remember": "y"}
    )
    assert [c for c in response.headers.getlist("Set-Cookie") if "remember_token" in c] == []


class TestShorterIdleTime:
    @pytest.fixture
    def app_config(self):
        return {"STAFF_IDLE_MINUTES": 5}

    def test_idle_time_is_configurable(self, client):
        make_user(Role.ADMIN, email="staff@example.org")
        with freeze_time(START) as frozen:
            _sign_in(client, "staff@example.org")
            frozen.tick(timedelta(minutes=5, seconds=1))
            assert _signed_in(client) is False


def test_signing_out_other_devices_does_not_extend_a_staff_session(client):
    secret = enrol_two_factor(make_user(Role.ADMIN, email="staff@example.org"))
    with freeze_time(START) as frozen:
        sign_in_with_code(client, "staff@example.org", secret)
        for _ in range(12 * 3 - 1):
            frozen.tick(timedelta(minutes=20))
            assert client.post("/account/sessions/end").status_code == 302
        frozen.tick(timedelta(minutes=20, seconds=1))
        assert _signed_in(client) is False
