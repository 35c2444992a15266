"""The jobs: outbox delivery and the scheduled jobs that were cron lines, on the app's queue.

Every job runs in an app context of the worker's app and commits once. A scheduled job
runs once per period even when several workers' schedulers enqueue it: the first to take
the period's key in the queue's storage (an atomic put-if-empty, SETNX on Redis) runs it,
the others skip. Each job is also safe to repeat, as the cron lines were.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

from flask import Flask

from clerkship.core.database import writes_ahead
from clerkship.core.observability import request_id_context
from clerkship.core.time import local_today, utcnow
from clerkship.extensions import db

if TYPE_CHECKING:
    from huey import Huey

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Scheduled:
    """A job the scheduler runs every `minutes` minutes (aligned on UTC)."""

    name: str
    minutes: int
    run: Callable[[], object]
    schedule: dict = field(default_factory=dict)  # huey crontab arguments


def _deliver_outbox() -> object:
    from flask import current_app

    from clerkship.outbox.delivery import deliver_due

    return deliver_due(
        current_app._get_current_object(), limit=current_app.config["OUTBOX_BATCH_SIZE"]
    )


def _run_draws() -> object:
    from clerkship.interviews.draw import services as fair_release

    return len(fair_release.run_due_draws())


def _expire_interview_offers() -> object:
    from clerkship.interviews.waitlists import services as waitlists

    return waitlists.expire_lapsed_offers()


def _interview_reminders() -> object:
    from clerkship.interviews.services import notify

    return notify.send_reminders(now=utcnow())


def _expire_offers() -> object:
    from clerkship.offers import services

    return services.expire_due_offers()


def _offer_reminders() -> object:
    from clerkship.offers import services

    return services.send_offer_reminders(before=timedelta(days=2))


def _review_reminders() -> object:
    from clerkship.reviews.reminders.services import send_reminders

    return send_reminders(today=local_today(), within_days=2)


def _compliance_reminders() -> object:
    from clerkship.cycles import queries as cycle_queries
    from clerkship.rosters import services

    cycle = cycle_queries.current_cycle()
    if cycle is None:
        return 0
    return sum(
        services.send_compliance_reminders(department, cycle, today=local_today(), by=None)
        for department in cycle_queries.departments()
    )


def _purge_expired_answers() -> object:
    from flask import current_app

    from clerkship.pathway.services.purge import purge_expired

    days = current_app.config["PATHWAY_RETENTION_DAYS"]
    return len(purge_expired(retention_days=days, now=utcnow(), by=None))


# The former cron lines of the README, with their periods (daily ones at 15:00 UTC, early
# morning in the institution's zone).
SCHEDULE = (
    Scheduled("deliver-outbox", 1, _deliver_outbox, {"minute": "*"}),
    Scheduled("interviews-run-draws", 5, _run_draws, {"minute": "*/5"}),
    Scheduled("interviews-expire-offers", 5, _expire_interview_offers, {"minute": "*/5"}),
    Scheduled("interviews-send-reminders", 60, _interview_reminders, {"minute": "7"}),
    Scheduled("offers-expire", 15, _expire_offers, {"minute": "*/15"}),
    Scheduled("offers-remind", 1440, _offer_reminders, {"minute": "10", "hour": "15"}),
    Scheduled("reviews-remind", 1440, _review_reminders, {"minute": "0", "hour": "15"}),
    Scheduled("rosters-remind", 1440, _compliance_reminders, {"minute": "20", "hour": "15"}),
    Scheduled("pathway-purge-expired", 1440, _purge_expired_answers, {"minute": "30", "hour": "3"}),
)
BY_NAME = {job.name: job for job in SCHEDULE}


def run_in_app(app: Flask, run: Callable[[], object]) -> object:
    """Run a job in an app context of its own, committing once."""
    with app.app_context():
        writes_ahead()
        try:
            result = run()
            db.session.commit()
            return result
        finally:
            db.session.remove()


def claim_period(queue: Huey, job: Scheduled, *, now=None) -> bool:
    """Whether this worker is the first to run job in the current period (atomic in the queue)."""
    now = now or utcnow()
    period = int(now.timestamp() // 60) // job.minutes
    key = f"clerkship.period.{job.name}.{period}"
    if not queue.put_if_empty(key, "1"):
        return False
    queue.delete(f"clerkship.period.{job.name}.{period - 2}")  # keep the storage small
    return True


def run_scheduled(app: Flask, queue: Huey, job: Scheduled, *, now=None) -> object | None:
    """Run a scheduled job unless another worker already ran it this period."""
    if job.minutes > 1 and not claim_period(queue, job, now=now):
        # Logged so that "once per period" can be seen in the workers' logs.
        logger.info("%s skipped: another worker ran it this period", job.name)
        return None
    result = run_in_app(app, job.run)
    logger.info("%s ran: %r", job.name, result)
    return result


def register_tasks(app: Flask, queue: Huey) -> dict:
    """Declare the jobs on the app's queue; the task wrappers by name."""
    from huey import crontab

    tasks = {}

    @queue.task(name="deliver-outbox-now")
    def deliver_outbox_now(request_id: str | None = None):
        # The request that queued the email names the job's log lines too.
        with request_id_context(request_id):
            return repr(run_in_app(app, _deliver_outbox))

    tasks["deliver-outbox-now"] = deliver_outbox_now
    for job in SCHEDULE:

        def make(job: Scheduled = job):
            def periodic():
                with request_id_context(f"{job.name}-{uuid.uuid4().hex[:12]}"):
                    return repr(run_scheduled(app, queue, job))

            periodic.__name__ = job.name.replace("-", "_")
            return queue.periodic_task(crontab(**job.schedule), name=job.name)(periodic)

        tasks[job.name] = make()
    return tasks
