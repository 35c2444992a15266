"""Delivery through a real SMTP server: refusals, retries with backoff, outages, failures."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from clerkship.core.database import writes_ahead
from clerkship.core.time import utcnow
from clerkship.extensions import db
from clerkship.outbox.delivery import deliver_due
from clerkship.outbox.models import MessageState, OutboxMessage
from clerkship.outbox.services import queue_message
from tests.conftest import free_port
from tests.factories import make_user
from tests.outbox.smtp import smtp_server


@pytest.fixture
def app_config():
    return {"OUTBOX_RETRY_BASE_SECONDS": 30, "OUTBOX_RETRY_MAX_SECONDS": 600}


def _queue(count: int) -> list[int]:
    user = make_user()
    ids = [
        queue_message(user.email, f"Note {n}", f"Body {n}", recipient=user).id for n in range(count)
    ]
    db.session.commit()
    return ids


def _deliver(app, port: int):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    with app.app_context():
        writes_ahead()
        try:
            return deliver_due(app)
        finally:
            db.session.remove()


def _messages() -> list[OutboxMessage]:
    db.session.rollback()  # a fresh snapshot: the worker committed on its own connection
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def _make_due() -> None:
    """Move the clock past every retry: the messages waiting are due now."""
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.state == MessageState.QUEUED)
        .values(next_attempt_at=utcnow() - timedelta(seconds=1))
    )
    db.session.commit()


def test_refused_then_accepted_each_message_arrives_once_with_its_message_id(app):
    _queue(3)
    with smtp_server() as (box, port):
        box.answer = "451 4.3.0 Try again later"
        outcome = _deliver(app, port)
        assert (outcome.sent, outcome.retrying) == (0, 3)
        assert box.refused == 3
        waiting = _messages()
        assert [m.state for m in waiting] == [MessageState.QUEUED] * 3
        assert [m.attempts for m in waiting] == [1, 1, 1]
        assert all(m.last_error.startswith("451") for m in waiting)
        # Not due yet: nothing is tried again before the backoff.
        assert _deliver(app, port).picked == 0
        box.answer = "250 OK"
        _make_due()
        assert _deliver(app, port).sent == 3
    sent = _messages()
    assert [m.state for m in sent] == [MessageState.SENT] * 3
    assert [m.attempts for m in sent] == [2, 2, 2]
    assert all(m.sent_at is not None and m.last_error is None for m in sent)
    assert box.message_ids() == [m.message_id for m in sent]


def test_backoff_doubles_at_each_temporary_failure_up_to_the_cap(app):
    _queue(1)
    with smtp_server() as (box, port):
        box.answer = "421 4.7.0 Too busy"
        for wait in (30, 60, 120, 240, 480, 600, 600):
            # The next attempt is `wait` seconds after this one, whenever during the call
            # (on a slow machine a delivery round can take most of a second).
            before = utcnow()
            _deliver(app, port)
            after = utcnow()
            (message,) = _messages()
            due = message.next_attempt_at
            assert before + timedelta(seconds=wait) <= due <= after + timedelta(seconds=wait), wait
            _make_due()
    assert message.attempts == 7 and message.state is MessageState.QUEUED


def test_a_permanent_refusal_is_marked_failed_with_the_reason(app):
    _queue(2)
    with smtp_server() as (box, port):
        box.answer = "550 5.1.1 No such user here"
        outcome = _deliver(app, port)
    assert (outcome.failed, outcome.sent) == (2, 0)
    assert [(m.state, m.last_error) for m in _messages()] == [
        (MessageState.FAILED, "550 5.1.1 No such user here")
    ] * 2


def test_an_outage_of_any_length_loses_nothing(app):
    _queue(5)
    port = free_port()  # nobody listens: the mail server is down
    for _ in range(4):
        outcome = _deliver(app, port)
        assert (outcome.sent, outcome.retrying) == (0, 5)
        _make_due()
    waiting = _messages()
    # One connection attempt per pass, not one per message: the others wait untried.
    assert [m.attempts for m in waiting] == [4, 0, 0, 0, 0]
    assert all("Connection refused" in m.last_error for m in waiting)
    with smtp_server(port) as (box, _port):
        assert _deliver(app, port).sent == 5
    assert sorted(box.message_ids()) == sorted(m.message_id for m in _messages())
    assert {m.state for m in _messages()} == {MessageState.SENT}
