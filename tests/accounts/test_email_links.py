"""Links in emails are built on BASE_URL, never on the Host or X-Forwarded-Host a client sends."""

from __future__ import annotations

import re

import pytest

from clerkship.accounts.models import Role
from tests.conftest import body_of, link_in, make_app
from tests.factories import (
    enrol_two_factor,
    make_department,
    make_student,
    make_user,
    sign_in_with_code,
)

BASE_URL = "http://clerkship.example.org"
HOSTILE = {"Host": "evil.example"}


def _links(message) -> list[str]:
    return re.findall(r"https?://\S+", body_of(message))


def test_reset_link_ignores_a_hostile_host_header(client, mailbox):
    make_student(email="s@example.org")
    client.post("/password/forgot", data={"email": "s@example.org"}, headers=HOSTILE)
    assert link_in(mailbox.last_to("s@example.org")).startswith(BASE_URL + "/password/reset/")


class TestBehindAProxy:
    @pytest.fixture
    def app_config(self):
        return {"PROXY_FIX_HOPS": 1}

    def test_reset_link_ignores_a_hostile_forwarded_host(self, client, mailbox):
        make_student(email="s@example.org")
        client.post(
            "/password/forgot",
            data={"email": "s@example.org"},
            headers={"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https"},
        )
        assert link_in(mailbox.last_to("s@example.org")).startswith(BASE_URL + "/password/reset/")


def test_every_link_of_registration_invitation_and_reset_uses_base_url(client, app, mailbox):
    client.post(
        "/register",
        data={
            "full_name": "Amara Okafor",
            "email": "amara@example.org",
            "password": "tangerine-bicycle-harbor",
            "confirm": "tangerine-bicycle-harbor",
        },
        headers=HOSTILE,
    )
    make_student(email="s@example.org")
    client.post("/password/forgot", data={"email": "s@example.org"}, headers=HOSTILE)
    secret = enrol_two_factor(make_user(Role.ADMIN, email="admin@example.org"))
    department = make_department()
    staff = app.test_client()
    # Signed in on the hostile host itself, so that the browser sends its cookie there.
    sign_in_with_code(staff, "admin@example.org", secret, headers=HOSTILE)
    staff.post(
        "/admin/users/invite",
        data={
            "full_name": "Dr. Elena Ruiz",
            "email": "elena@example.org",
            "role": "director",
            "department": str(department.id),
        },
        headers=HOSTILE,
    )
    links = [link for message in mailbox.messages for link in _links(message)]
    assert [m["Subject"] for m in mailbox.messages] == [
        "Confirm your email address",
        "Reset your password",
        "You are invited to clerkship at Keck School of Medicine of USC",
    ]
    assert len(links) == 3
    assert [link for link in links if not link.startswith(BASE_URL + "/")] == []


def test_base_url_with_a_path_prefixes_links(app, mailbox):
    app.config["BASE_URL"] = "https://school.example.edu/clerkship/"
    make_student(email="s@example.org")
    app.test_client().post("/password/forgot", data={"email": "s@example.org"}, headers=HOSTILE)
    assert link_in(mailbox.last_to("s@example.org")).startswith(
        "https://school.example.edu/clerkship/password/reset/"
    )


@pytest.fixture
def production_client(database_url, smtp_server, monkeypatch):
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    app = make_app(database_url, smtp_server[1], ENV_NAME="production", SINGLE_PROCESS=True)
    assert app.config["TRUSTED_HOSTS"] == ["clerkship.example.org"]
    return app.test_client()


def test_production_refuses_a_host_other_than_base_urls(production_client):
    assert production_client.get("/login", headers=HOSTILE).status_code == 400
    response = production_client.get("/login", base_url="https://clerkship.example.org")
    assert response.status_code == 200
