"""Development without a mail server: the console shows each message's recipient, subject, links."""

from __future__ import annotations

from sqlalchemy import select

from clerkship.extensions import db
from clerkship.outbox.models import MessageState, OutboxMessage
from clerkship.outbox.services import queue_message
from tests.conftest import drain_outbox
from tests.factories import make_user


def test_without_a_mail_server_the_console_shows_recipient_subject_and_links(app, capsys):
    app.config["MAIL_SERVER"] = None
    user = make_user(email="newcomer@med.example.edu")
    queue_message(
        user.email,
        "Confirm your email address",
        "Open http://127.0.0.1:5000/verify/abc.def to confirm.\nThen http://127.0.0.1:5000/login",
        template="verify_email",
        recipient=user,
        secret=True,
    )
    db.session.commit()
    drain_outbox(app)
    shown = capsys.readouterr().err
    assert "Email (no MAIL_SERVER configured) to newcomer@med.example.edu" in shown
    assert "Subject: Confirm your email address" in shown
    assert "  link: http://127.0.0.1:5000/verify/abc.def" in shown
    assert "  link: http://127.0.0.1:5000/login" in shown
    db.session.rollback()
    assert db.session.scalar(select(OutboxMessage.state)) is MessageState.SENT
