"""Administrators invite staff, who set a password through the emailed link; roles are managed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from clerkship.accounts.models import Membership, Role, User
from clerkship.audit.models import AuditEvent
from clerkship.core.time import utcnow
from clerkship.extensions import db
from tests.conftest import link_in, login
from tests.factories import make_department, make_user


def test_invite_director_sends_link_that_sets_password(client, app, mailbox):
    admin = make_user(Role.ADMIN)
    department = make_department(name="Emergency Medicine")
    login(client, admin)
    response = client.post(
        "/admin/users/invite",
        data={
            "full_name": "Dr. Elena Ruiz",
            "email": "elena.ruiz@keck.example.edu",
            "role": "director",
            "department": str(department.id),
        },
    )
    assert response.status_code == 302
    invited = db.session.scalar(select(User).where(User.email == "elena.ruiz@keck.example.edu"))
    assert invited.has_password is False
    assert [(m.role, m.department_id) for m in invited.memberships] == [
        (Role.DIRECTOR, department.id)
    ]
    message = mailbox.last_to("elena.ruiz@keck.example.edu")
    assert "Clerkship director, Emergency Medicine" in message.get_content()
    link = link_in(message).replace("http://clerkship.example.org", "")
    browser = app.test_client()
    assert browser.get(link).status_code == 200
    response = browser.post(
        link, data={"password": "saffron-meadow-compass", "confirm": "saffron-meadow-compass"}
    )
    assert response.status_code == 302
    db.session.refresh(invited)
    assert invited.has_password and invited.is_verified
    assert browser.get(f"/departments/{department.slug}/").status_code == 200
    assert browser.get(link).status_code == 400  # used once


def test_invitation_link_expires_after_seven_days(client, app, mailbox):
    admin = make_user(Role.ADMIN)
    login(client, admin)
    client.post(
        "/admin/users/invite",
        data={
            "full_name": "Ann",
            "email": "ann@example.org",
            "role": "award_committee",
            "department": "",
        },
    )
    link = link_in(mailbox.last_to("ann@example.org")).replace("http://clerkship.example.org", "")
    with freeze_time(timedelta(days=8), tick=True):
        assert "too old" in app.test_client().get(link).get_data(as_text=True)


def test_resent_invitation_replaces_the_old_link(client, app, mailbox):
    admin = make_user(Role.ADMIN)
    login(client, admin)
    client.post(
        "/admin/users/invite",
        data={
            "full_name": "Ann",
            "email": "ann@example.org",
            "role": "award_committee",
            "department": "",
        },
    )
    first = link_in(mailbox.last_to("ann@example.org")).replace("http://clerkship.example.org", "")
    invited = db.session.scalar(select(User).where(User.email == "ann@example.org"))
    with freeze_time(timedelta(seconds=5), tick=True):
        client.post(f"/admin/users/{invited.id}/invitation")
        second = link_in(mailbox.last_to("ann@example.org")).replace(
            "http://clerkship.example.org", ""
        )
        assert first != second
        assert app.test_client().get(first).status_code == 400
        assert app.test_client().get(second).status_code == 200


def test_invite_departmental_role_without_department_is_refused_next_to_field(client):
    login(client, make_user(Role.ADMIN))
    html = client.post(
        "/admin/users/invite",
        data={"full_name": "Ann", "email": "ann@example.org", "role": "reviewer", "department": ""},
    ).get_data(as_text=True)
    assert 'id="department-error"' in html
    assert "Choose the department for the Reviewer role." in html
    assert 'value="ann@example.org"' in html
    assert db.session.scalar(select(User).where(User.email == "ann@example.org")) is None


def test_invite_existing_email_is_refused(client):
    login(client, make_user(Role.ADMIN))
    make_user(Role.STUDENT, email="taken@example.org")
    html = client.post(
        "/admin/users/invite",
        data={"full_name": "Ann", "email": "taken@example.org", "role": "admin", "department": ""},
    ).get_data(as_text=True)
    assert "already has an account" in html


def test_admin_grants_and_revokes_roles_with_audit(client):
    admin = make_user(Role.ADMIN)
    department = make_department()
    user = make_user(Role.STUDENT)
    login(client, admin)
    client.post(
        f"/admin/users/{user.id}/memberships",
        data={"role": "reviewer", "department": str(department.id)},
    )
    db.session.refresh(user)
    assert user.has_role(Role.REVIEWER, department)
    duplicate = client.post(
        f"/admin/users/{user.id}/memberships",
        data={"role": "reviewer", "department": str(department.id)},
    )
    assert duplicate.status_code == 400
    assert "is already Reviewer" in duplicate.get_data(as_text=True)
    membership = next(m for m in user.memberships if m.role == Role.REVIEWER)
    client.post(f"/admin/users/{user.id}/memberships/{membership.id}/delete")
    db.session.expire_all()
    assert not db.session.get(User, user.id).has_role(Role.REVIEWER)
    actions = db.session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.subject_user_id == user.id)
        .order_by(AuditEvent.id)
    ).all()
    assert actions == ["membership.grant", "membership.revoke"]


def test_admin_cannot_remove_own_admin_role_or_deactivate_self(client):
    admin = make_user(Role.ADMIN)
    login(client, admin)
    membership = admin.memberships[0]
    response = client.post(
        f"/admin/users/{admin.id}/memberships/{membership.id}/delete", follow_redirects=True
    )
    assert "You cannot remove your own administrator role." in response.get_data(as_text=True)
    html = client.post(f"/admin/users/{admin.id}", data={"full_name": admin.full_name}).get_data(
        as_text=True
    )
    assert "You cannot deactivate your own account." in html
    assert db.session.scalar(select(Membership).where(Membership.id == membership.id)) is not None


def test_deactivating_a_user_signs_them_out(client, app):
    admin = make_user(Role.ADMIN)
    user = make_user(Role.STUDENT)
    theirs = app.test_client()
    login(theirs, user)
    login(client, admin)
    client.post(f"/admin/users/{user.id}", data={"full_name": user.full_name})  # active unticked
    assert theirs.get("/account/password").status_code == 302


def test_user_list_filters_by_role_and_text(client):
    login(client, make_user(Role.ADMIN, full_name="Alex Admin", email="admin@example.org"))
    make_user(Role.STUDENT, full_name="Mei Chen")
    make_user(Role.STUDENT, full_name="Luis Hernández")
    html = client.get("/admin/users/?q=mei&role=student").get_data(as_text=True)
    assert "Mei Chen" in html
    assert "Luis Hernández" not in html
    assert "admin@" not in html.split("<table")[1]


def test_cli_create_admin(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "users",
            "create-admin",
            "First@Admin.example.org",
            "--name",
            "First Admin",
            "--password",
            "orchid-harbor-lantern",
        ]
    )
    assert result.exit_code == 0, result.output
    assert result.output == "first@admin.example.org is an administrator.\n"
    db.session.expire_all()
    user = db.session.scalar(select(User).where(User.email == "first@admin.example.org"))
    assert user.is_admin and user.is_verified


def test_cli_create_admin_refuses_weak_password(app):
    result = app.test_cli_runner().invoke(
        args=["users", "create-admin", "a@example.org", "--name", "A", "--password", "short"]
    )
    assert result.exit_code == 1
    assert "Use at least 12 characters." in result.output


@pytest.mark.parametrize(
    ("state", "shown", "hidden"),
    [
        ("invited", "Ivy Invited", ("Uma Unconfirmed", "Dee Deactivated")),
        ("unconfirmed", "Uma Unconfirmed", ("Ivy Invited", "Dee Deactivated")),
        ("deactivated", "Dee Deactivated", ("Ivy Invited", "Uma Unconfirmed")),
    ],
)
def test_users_are_filtered_by_the_state_of_their_account(client, state, shown, hidden):
    admin = make_user(Role.ADMIN)
    make_user(Role.AWARD_COMMITTEE, full_name="Ivy Invited", password=None, invited_at=utcnow())
    make_user(Role.STUDENT, full_name="Uma Unconfirmed", verified=False)
    make_user(Role.AWARD_COMMITTEE, full_name="Dee Deactivated", active=False)
    db.session.commit()
    login(client, admin)
    page = client.get(f"/admin/users/?state={state}").get_data(as_text=True)
    assert shown in page
    assert not any(name in page for name in hidden)
    assert client.get("/admin/users/?state=nonsense").status_code == 400
