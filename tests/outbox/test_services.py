"""Queuing email: a row in the transaction of the change, rolled back with it."""

from __future__ import annotations

from email import message_from_bytes, policy

from sqlalchemy import func, select

from clerkship.extensions import db
from clerkship.outbox.models import MessageState, OutboxMessage
from clerkship.outbox.queries import messages_about_application, messages_for_recipient
from clerkship.outbox.services import Attachment, queue_email, queue_message
from tests.factories import make_application, make_student, make_user


def _count() -> int:
    return db.session.scalar(select(func.count(OutboxMessage.id)))


def test_queue_message_stores_the_whole_message_and_what_it_is_about(app):
    student = make_student()
    application = make_application(student=student)
    staff = make_user()
    message = queue_message(
        student.email,
        "About your file",
        "Please upload your immunisations.",
        html="<p>Please upload your immunisations.</p>",
        attachments=[Attachment("a.txt", b"hello", "text", "plain")],
        recipient=student,
        department=application.department,
        application=application,
        author=staff,
    )
    db.session.commit()
    stored = db.session.get(OutboxMessage, message.id)
    assert (stored.recipient_id, stored.application_id, stored.author_id) == (
        student.id,
        application.id,
        staff.id,
    )
    assert stored.department_id == application.department.id
    assert stored.template == "staff_message" and stored.contains_secret is False
    parsed = message_from_bytes(stored.raw, policy=policy.default)
    assert parsed["Message-ID"] == stored.message_id
    assert parsed["To"] == student.email
    assert parsed.get_body(("plain",)).get_content().strip() == stored.body_text.strip()
    assert parsed.get_body(("html",)) is not None
    assert [part.get_filename() for part in parsed.iter_attachments()] == ["a.txt"]
    assert db.session.scalars(messages_for_recipient(student.id)).all() == [stored]
    assert db.session.scalars(messages_about_application(application.id)).all() == [stored]


def test_queue_email_renders_the_template_and_marks_secret_links(app):
    user = make_user()
    db.session.commit()
    with app.test_request_context():
        message = queue_email(
            user.email,
            "Reset",
            "reset_password",
            recipient=user,
            secret=True,
            user=user,
            link="http://x/reset/abc",
            minutes=60,
        )
        assert "http://x/reset/abc" in message.body_text
        assert message.contains_secret is True and message.template == "reset_password"
        assert message.state is MessageState.QUEUED
        db.session.rollback()


def test_a_rolled_back_change_queues_nothing(app, client, mailbox):
    user = make_user()
    queue_message(user.email, "Never", "Rolled back", recipient=user)
    db.session.rollback()
    db.session.commit()
    assert _count() == 0
    assert mailbox.messages == []
