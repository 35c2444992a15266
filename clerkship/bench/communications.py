"""Benchmark of a staff message to 300 selected students: the request that queues them."""

from __future__ import annotations

import secrets
import statistics
import time

from flask import Flask
from sqlalchemy import func, select

from clerkship.accounts.models import Membership, Role, User
from clerkship.bench import Measurement
from clerkship.bench.harness import count_queries
from clerkship.bench.rosters import placed_app
from clerkship.cycles.models import Cycle, Department
from clerkship.extensions import db
from clerkship.outbox.models import OutboxMessage

STUDENTS = 300
REPEATS = 5
BODY = (
    "Dear {preferred_name},\n\nWelcome to {rotation} ({block_dates}) at {department}.\n"
    "Please answer by {answer_by}.\n\n-- The coordinators"
)


def run(app: Flask) -> list[Measurement]:
    """POST the compose page's send for all 300 placed students ("all matching"), timed as
    the app serves it: the rows queued, the delivery job enqueued for the outbox's worker."""
    bench = placed_app(STUDENTS)
    # The bench posts the form as a browser would, less the CSRF token it has no page for.
    bench.config["WTF_CSRF_ENABLED"] = False
    with bench.app_context():
        department = db.session.scalar(select(Department))
        cycle_slug = db.session.scalar(select(Cycle.slug))
        coordinator = User(email="coordinator@example.edu", full_name="Coordinator")
        db.session.add_all(
            [
                coordinator,
                Membership(user=coordinator, role=Role.COORDINATOR, department=department),
            ]
        )
        db.session.commit()
        user_id, slug = coordinator.get_id(), department.slug
        engine = db.engine
    client = bench.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user_id
        session["_fresh"] = True
    data = {
        "selection_source": "roster",
        "selection_scope": f"cycle={cycle_slug}",
        "selection_all": "1",
        "action": "send",
        "subject": "Your rotation in {rotation}",
        "body": BODY,
    }
    url = f"/departments/{slug}/messages/new"

    def timed() -> tuple[float, int, set[int]]:
        samples, statuses, statements = [], set(), 0
        for attempt in range(REPEATS + 1):
            start = time.perf_counter()
            with count_queries(engine) as counter:
                response = client.post(url, data={**data, "send_key": secrets.token_urlsafe(24)})
            elapsed = time.perf_counter() - start
            statuses.add(response.status_code)
            if attempt:  # the first request warms the templates and caches up
                samples.append(elapsed)
                statements = counter.count
        return statistics.median(samples), statements, statuses

    alone, statements, statuses = timed()
    with bench.app_context():
        queued = db.session.scalar(select(func.count(OutboxMessage.id)))
    expected = STUDENTS * (REPEATS + 1)
    return [
        Measurement(
            f"Staff message to {STUDENTS} selected students, the request (median of {REPEATS})",
            "< 1 s",
            f"{alone:.2f} s, {statements} SQL statements",
            alone < 1 and statuses == {302},
        ),
        Measurement(
            f"Staff message to {STUDENTS} students: one email each",
            f"{expected} queued",
            f"{queued} queued",
            queued == expected,
        ),
    ]
