"""The queue on its real backends: Redis (shared) and SQLite (embedded)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from flask import current_app
from huey import RedisHuey, SqliteHuey
from sqlalchemy import select

from clerkship.core.time import utcnow
from clerkship.extensions import db
from clerkship.jobs.tasks import Scheduled, run_scheduled
from clerkship.outbox.models import MessageState, OutboxMessage
from clerkship.outbox.services import queue_message
from tests.factories import make_user
from tests.outbox.smtp import smtp_server, wait_until


def _two_queues(backend: str, redis_url: str | None, tmp_path):
    """Two workers' queues on one storage: two Redis clients, or two SQLite connections."""
    if backend == "redis":
        return [RedisHuey("clerkship-test", url=redis_url, utc=True) for _ in range(2)]
    path = str(tmp_path / "jobs.sqlite3")
    return [SqliteHuey("clerkship-test", filename=path, utc=True) for _ in range(2)]


@pytest.fixture(params=["sqlite", "redis"])
def backend(request) -> str:
    return request.param


@pytest.fixture
def maybe_redis(request, backend):
    return request.getfixturevalue("redis_url") if backend == "redis" else None


def test_a_scheduled_job_runs_once_per_period_with_two_workers(app, backend, maybe_redis, tmp_path):
    queues = _two_queues(backend, maybe_redis, tmp_path)
    for queue in queues:
        queue.flush()
    runs = []
    job = Scheduled("count", 5, lambda: runs.append(1) or len(runs))
    barrier = threading.Barrier(2)
    results = []
    start = utcnow().replace(second=0, microsecond=0)

    def worker(queue, now):
        barrier.wait(timeout=10)
        results.append(run_scheduled(app, queue, job, now=now))

    for period in range(3):
        now = start + timedelta(minutes=5 * period)
        threads = [threading.Thread(target=worker, args=(q, now)) for q in queues]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=20)
    assert len(runs) == 3  # once in each of three periods, though two workers ran it each time
    assert sorted(results, key=lambda r: r is None) == [1, 2, 3, None, None, None]


def test_two_consumers_on_redis_deliver_each_message_once(app, redis_url):
    twin = current_app._get_current_object()
    for each in (app, twin):
        each.config["JOBS_REDIS_URL"] = redis_url
    from clerkship.jobs import Jobs
    from clerkship.jobs.queue import make_huey
    from clerkship.jobs.tasks import register_tasks

    queues = []
    for each in (app, twin):  # two app servers' workers sharing one Redis
        queue = make_huey(each)
        each.extensions["jobs"] = Jobs(queue, register_tasks(each, queue))
        queues.append(queue)
    queues[0].flush()
    user = make_user()
    for n in range(60):
        queue_message(user.email, f"Note {n}", "Body", recipient=user)
    db.session.commit()
    with smtp_server() as (box, port):
        for each in (app, twin):
            each.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, OUTBOX_BATCH_SIZE=5)
        consumers = [
            q.create_consumer(workers=2, worker_type="thread", periodic=False) for q in queues
        ]
        for consumer in consumers:
            for _, thread in consumer.worker_threads:
                thread.start()
        try:
            for n in range(8):  # the after-commit wake-ups of several requests
                (app, twin)[n % 2].extensions["jobs"].tasks["deliver-outbox-now"]()
            wait_until(lambda: len(box.message_ids()) >= 60)

            def all_sent() -> bool:
                db.session.rollback()
                states = db.session.scalars(select(OutboxMessage.state)).all()
                return set(states) == {MessageState.SENT}

            wait_until(all_sent)
        finally:
            for consumer in consumers:
                consumer.stop_flag.set()
            for consumer in consumers:
                for _, thread in consumer.worker_threads:
                    thread.join(timeout=10)
    ids = box.message_ids()
    assert len(ids) == len(set(ids)) == 60
