"""Background jobs on a real queue (Huey): outbox delivery and the scheduled jobs.

`flask jobs worker` consumes the queue and runs the scheduler; `flask jobs serve` (what
`make run` starts) runs the development server with a worker in the same process.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask
from huey import Huey
from huey import signals as huey_signals

from clerkship.core.health import register_readiness_check
from clerkship.core.metrics import JOBS_FAILED, JOBS_QUEUED
from clerkship.core.observability import current_request_id
from clerkship.jobs.queue import make_huey
from clerkship.jobs.tasks import register_tasks


@dataclass
class Jobs:
    """The app's queue and its tasks by name."""

    huey: Huey
    tasks: dict


def init_app(app: Flask) -> None:
    """Make the queue, declare the tasks, and have every commit that queued email wake a worker."""
    from clerkship.jobs.cli import jobs_cli
    from clerkship.outbox.delivery import register_kick

    queue = make_huey(app)
    jobs = Jobs(queue, register_tasks(app, queue))
    app.extensions["jobs"] = jobs

    def kick(_app: Flask, _ids: list[int]) -> None:
        # Enqueue: the request never talks to SMTP.
        jobs.tasks["deliver-outbox-now"](current_request_id())

    register_kick(app, kick)

    @queue.signal(huey_signals.SIGNAL_ENQUEUED)
    def count_queued(_signal, task, *_args) -> None:
        JOBS_QUEUED.labels(task.name).inc()

    @queue.signal(huey_signals.SIGNAL_ERROR)
    def count_failed(_signal, task, *_args) -> None:
        JOBS_FAILED.labels(task.name).inc()

    def check_queue() -> None:
        """The queue's storage answers (the SQLite file, or the Redis server)."""
        queue.storage.queue_size()

    register_readiness_check(app, "queue", check_queue)
    app.cli.add_command(jobs_cli)
