"""Workers as processes: killed mid-batch and restarted; two at once on one database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from clerkship.core.database import writes_ahead
from clerkship.extensions import db
from clerkship.outbox.delivery import deliver_due
from clerkship.outbox.models import MessageState, OutboxMessage
from clerkship.outbox.services import queue_message
from tests.factories import make_user
from tests.outbox.smtp import smtp_server, wait_until

ROOT = Path(__file__).resolve().parents[2]


def _worker(database_url: str, port: int, instance: Path) -> subprocess.Popen:
    """`flask jobs run deliver-outbox` in a process of its own, as a scheduler starts it."""
    env = {
        **os.environ,
        "CLERKSHIP_SQLALCHEMY_DATABASE_URI": database_url,
        "CLERKSHIP_MAIL_SERVER": "127.0.0.1",
        "CLERKSHIP_MAIL_PORT": str(port),
        "CLERKSHIP_SECRET_KEY": "test-secret-key",
        "CLERKSHIP_OUTBOX_LEASE_SECONDS": "2",
        "CLERKSHIP_JOBS_BACKEND": "memory",
        "CLERKSHIP_INSTANCE_PATH": str(instance),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "clerkship", "jobs", "run", "deliver-outbox"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def _states() -> list[MessageState]:
    db.session.rollback()
    return list(db.session.scalars(select(OutboxMessage.state).order_by(OutboxMessage.id)))


@pytest.mark.slow
def test_a_worker_killed_mid_batch_and_restarted_sends_all_duplicating_only_the_one_in_flight(
    app, database_url, tmp_path
):
    user = make_user()
    queued = [queue_message(user.email, f"Note {n}", "Body", recipient=user) for n in range(12)]
    db.session.commit()
    expected = [m.message_id for m in queued]
    in_flight = threading.Event()
    with smtp_server() as (box, port):

        def hold_the_fifth(message):
            # The server has the 5th message; the worker dies before it hears "250".
            if len(box.accepted) == 5:
                in_flight.set()
                time.sleep(1.5)

        box.before_answer = hold_the_fifth
        first = _worker(database_url, port, tmp_path)
        assert in_flight.wait(timeout=60), first.communicate()[0]
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        box.before_answer = None
        time.sleep(2.5)  # the dead worker's lease runs out
        second = _worker(database_url, port, tmp_path)
        output = second.communicate(timeout=60)[0].decode()
        assert second.returncode == 0, output
    received = box.message_ids()
    assert set(received) == set(expected)  # every message went out
    duplicates = [mid for mid in set(received) if received.count(mid) > 1]
    assert duplicates == [expected[4]]  # only the one in flight, with its own Message-ID
    assert received.count(expected[4]) == 2
    assert _states() == [MessageState.SENT] * 12


def test_two_workers_at_once_send_each_message_once(app):
    """Concurrent workers on one database (row locks, SKIP LOCKED on PostgreSQL)."""
    user = make_user()
    for n in range(120):
        queue_message(user.email, f"Note {n}", "Body", recipient=user)
    db.session.commit()
    errors = []
    with smtp_server() as (box, port):
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
        barrier = threading.Barrier(2)

        def work():
            with app.app_context():
                try:
                    writes_ahead()
                    barrier.wait(timeout=10)
                    deliver_due(app, limit=7)
                except Exception as error:
                    errors.append(error)
                finally:
                    db.session.remove()

        threads = [threading.Thread(target=work) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        wait_until(lambda: len(box.message_ids()) >= 120, timeout=5)
    assert errors == []
    ids = box.message_ids()
    assert len(ids) == len(set(ids)) == 120
    assert _states() == [MessageState.SENT] * 120
