"""Background jobs on a real queue (Huey): outbox delivery and the scheduled jobs.

`flask jobs worker` consumes the queue and runs the scheduler; `flask jobs serve` (what
`make run` starts) runs the development server with a worker in the same process.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from flask import Flask

from clerkship.core.health import register_readiness_check
from clerkship.core.metrics import JOBS_FAILED, JOBS_QUEUED
from clerkship.core.observability import current_request_id
from clerkship.jobs.queue import make_huey
from clerkship.jobs.tasks import register_tasks

if TYPE_CHECKING:
    from collections.abc import Callable

    from huey import Huey


class Jobs:
    """The app's queue and its tasks by name.

    Made on first use (a commit that queued email, a worker, /readyz) by ``make``:
    importing Huey imports redis-py, which every start of the app would otherwise pay.
    """

    def __init__(
        self,
        huey: Huey | None = None,
        tasks: dict | None = None,
        *,
        make: Callable[[], tuple[Huey, dict]] | None = None,
    ) -> None:
        self._huey, self._tasks, self._make = huey, tasks, make
        self._lock = threading.Lock()

    @property
    def huey(self) -> Huey:
        self._ensure()
        return self._huey

    @property
    def tasks(self) -> dict:
        self._ensure()
        return self._tasks

    def _ensure(self) -> None:
        if self._huey is None:
            with self._lock:  # threads of one worker make one queue
                if self._huey is None:
                    self._huey, self._tasks = self._make()


def init_app(app: Flask) -> None:
    """Declare the queue, and have every commit that queued email wake a worker."""
    from clerkship.jobs.cli import jobs_cli
    from clerkship.outbox.delivery import register_kick

    def make() -> tuple[Huey, dict]:
        from huey import signals as huey_signals

        queue = make_huey(app)
        tasks = register_tasks(app, queue)

        @queue.signal(huey_signals.SIGNAL_ENQUEUED)
        def count_queued(_signal, task, *_args) -> None:
            JOBS_QUEUED.labels(task.name).inc()

        @queue.signal(huey_signals.SIGNAL_ERROR)
        def count_failed(_signal, task, *_args) -> None:
            JOBS_FAILED.labels(task.name).inc()

        return queue, tasks

    jobs = Jobs(make=make)
    app.extensions["jobs"] = jobs

    def kick(_app: Flask, _ids: list[int]) -> None:
        # Enqueue: the request never talks to SMTP.
        jobs.tasks["deliver-outbox-now"](current_request_id())

    register_kick(app, kick)

    def check_queue() -> None:
        """The queue's storage answers (the SQLite file, or the Redis server)."""
        jobs.huey.storage.queue_size()

    register_readiness_check(app, "queue", check_queue)
    app.cli.add_command(jobs_cli)
