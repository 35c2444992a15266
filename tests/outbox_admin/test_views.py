"""The outbox pages: department scoping, state filter, redaction of secret links, retry."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from clerkship.accounts.models import Role
from clerkship.audit.models import AuditEvent
from clerkship.extensions import db
from clerkship.outbox.models import MessageState, OutboxMessage
from clerkship.outbox.services import queue_message
from tests.conftest import login
from tests.factories import make_department, make_user

SECRET_LINK = (
    "http://clerkship.example.org/reset-password/IjQ2Ig.Z3x9Qw.abcdefghijklmnopqrstuvwxyz012"
)


@pytest.fixture
def outbox():
    here, there = make_department(), make_department()
    student = make_user(Role.STUDENT)
    reset = queue_message(
        student.email,
        "Reset your password",
        f"Open {SECRET_LINK}\nor http://clerkship.example.org/login",
        template="reset_password",
        recipient=student,
        secret=True,
    )
    note = queue_message(
        student.email, "About your file", "Hello", recipient=student, department=here
    )
    elsewhere = queue_message(student.email, "Elsewhere", "Hi", recipient=student, department=there)
    elsewhere.state = MessageState.FAILED
    elsewhere.last_error = "550 5.1.1 No such user"
    db.session.commit()
    return here, there, reset, note, elsewhere


def test_a_director_reads_only_their_departments_messages(app, client, outbox):
    here, _there, _reset, note, elsewhere = outbox
    login(client, make_user((Role.DIRECTOR, here)))
    page = client.get("/outbox/").get_data(as_text=True)
    assert "About your file" in page
    assert "Elsewhere" not in page and "Reset your password" not in page
    assert client.get(f"/outbox/{note.id}").status_code == 200
    assert client.get(f"/outbox/{elsewhere.id}").status_code == 403


def test_why_a_message_was_sent_is_worded_not_a_template_name(app, client, outbox):
    _here, _there, reset, note, _elsewhere = outbox
    login(client, make_user(Role.ADMIN))
    page = client.get("/outbox/").get_data(as_text=True)
    assert "<td>Password reset</td>" in page and "<td>Written by staff</td>" in page
    assert "reset_password" not in page and "staff_message" not in page
    shown = client.get(f"/outbox/{reset.id}").get_data(as_text=True)
    assert '<dt class="col-sm-3">Why</dt><dd class="col-sm-9">Password reset</dd>' in shown


def test_every_email_template_has_a_reason_in_words(app):
    from pathlib import Path

    from clerkship.outbox_admin.reasons import REASONS

    names = {p.stem for p in Path(app.root_path, "..", "templates", "email").glob("*.txt")}
    assert names - set(REASONS) == set()


def test_the_state_filter_shows_failed_messages_with_their_reason(app, client, outbox):
    login(client, make_user(Role.ADMIN))
    page = client.get("/outbox/?state=failed").get_data(as_text=True)
    assert "Elsewhere" in page and "550 5.1.1 No such user" in page
    assert "About your file" not in page


def test_secret_links_are_hidden_outside_development_and_shown_in_it(app, client, outbox):
    _here, _there, reset, _note, _elsewhere = outbox
    login(client, make_user(Role.ADMIN))
    app.config["ENV_NAME"] = "staging"
    hidden = client.get(f"/outbox/{reset.id}").get_data(as_text=True)
    assert SECRET_LINK not in hidden and "[secret link hidden]" in hidden
    app.config["ENV_NAME"] = "development"
    shown = client.get(f"/outbox/{reset.id}").get_data(as_text=True)
    assert SECRET_LINK in shown and "Content-Type: text/plain" in shown


def test_a_token_link_is_hidden_even_in_a_message_not_marked_secret(app):
    from clerkship.outbox.redaction import redact

    text = f"Upload here: {SECRET_LINK}\nStatus: http://clerkship.example.org/applications/12"
    assert redact(text, secret=False) == (
        "Upload here: [secret link hidden]\nStatus: http://clerkship.example.org/applications/12"
    )


def test_retrying_a_failed_message_queues_it_again_and_is_audited(app, client, outbox):
    _here, there, _reset, _note, elsewhere = outbox
    coordinator = make_user((Role.COORDINATOR, there))
    login(client, coordinator)
    response = client.post(f"/outbox/{elsewhere.id}/retry")
    assert response.status_code == 302
    db.session.rollback()
    message = db.session.get(OutboxMessage, elsewhere.id)
    assert message.state is MessageState.QUEUED
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "outbox.retry"))
    assert (event.actor_id, event.target_id) == (coordinator.id, elsewhere.id)
    again = client.post(f"/outbox/{elsewhere.id}/retry", follow_redirects=True)
    assert "Only a failed message can be sent again." in again.get_data(as_text=True)


@pytest.mark.parametrize("env_name", ["production", "development"])
def test_a_delivered_secret_message_keeps_no_link_outside_development(
    app, client, outbox, env_name
):
    from tests.conftest import drain_outbox

    _here, _there, reset, note, _elsewhere = outbox
    saved = app.config["ENV_NAME"]
    app.config.update(ENV_NAME=env_name, MAIL_SERVER=None)  # the console delivers
    try:
        drain_outbox(app)
    finally:
        app.config["ENV_NAME"] = saved
    db.session.expire_all()
    reset, note = db.session.get(OutboxMessage, reset.id), db.session.get(OutboxMessage, note.id)
    assert reset.state is MessageState.SENT and note.state is MessageState.SENT
    if env_name == "development":
        assert SECRET_LINK in reset.body_text and SECRET_LINK.encode() in reset.raw
    else:
        assert SECRET_LINK not in reset.body_text
        assert reset.body_text.startswith("Open [secret link hidden]")
        assert reset.raw == b""
        login(client, make_user(Role.ADMIN))
        page = client.get(f"/outbox/{reset.id}").get_data(as_text=True)
        assert "removed from the stored copy" in page
    assert note.body_text == "Hello" and note.raw  # a message without a secret is kept
