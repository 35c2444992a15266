"""Background jobs on a real queue (Huey): outbox delivery and the scheduled jobs.

`flask jobs worker` consumes the queue and runs the scheduler; `flask jobs serve` (what
`make run` starts) runs the development server with a worker in the same process.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask
from huey import Huey

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
        jobs.tasks["deliver-outbox-now"]()  # enqueue: the request never talks to SMTP

    register_kick(app, kick)
    app.cli.add_command(jobs_cli)
