"""Benchmark of the outbox (issue 14): publishing 500 offers, delivering them, an outage.

Figures:
- publishing a run that makes 500 offers returns in under 1 s on SQLite, whatever the
  mail server does: timed as the director's request does it (publish_run + commit +
  the after-commit wake-up of the worker on the embedded SQLite queue), with the mail
  server down: the request never talks to it;
- the 500 emails are delivered by one worker in under 30 s to a local SMTP server
  (aiosmtpd) answering at once: deliver_due as the worker runs it, one SMTP connection
  per batch of OUTBOX_BATCH_SIZE;
- after a 60-second outage (nothing listens on the mail port for 60 s, then the server
  comes back), all 500 still arrive, once each: one worker polls every second with the
  configured backoff (30 s, doubling); measured is when the last one arrived after the
  server came back, and the duplicates (Message-IDs received twice).
"""

from __future__ import annotations

import email
import email.policy
import secrets
import socket
import tempfile
import threading
import time
from datetime import timedelta

from flask import Flask
from sqlalchemy import func, select, update

from clerkship.bench import Measurement
from clerkship.bench.allocation_run import DIRECTOR, SLUG, seed_allocation_department
from clerkship.core.database import writes_ahead
from clerkship.core.time import local_today, utcnow
from clerkship.cycles.models import Block, Cycle, Department
from clerkship.extensions import db
from clerkship.outbox.delivery import deliver_due
from clerkship.outbox.models import MessageState, OutboxMessage

OFFERS = 500
OUTAGE_SECONDS = 60


class _Mailbox:
    """An aiosmtpd handler counting Message-IDs."""

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's hook name
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.ids.append(message["Message-ID"])
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _app() -> Flask:
    from clerkship import create_app

    folder = tempfile.mkdtemp(prefix="clerkship-outbox-bench-")
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.db",
            "SECRET_KEY": secrets.token_urlsafe(32),
            "RATELIMIT_ENABLED": False,
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": _free_port(),  # nobody listens: the mail server is down
            "JOBS_SQLITE_PATH": f"{folder}/jobs.sqlite3",
            "UPLOAD_FOLDER": f"{folder}/uploads",
        }
    )
    app.logger.disabled = True
    with app.app_context():
        db.create_all()
        seed_allocation_department(700)
        # 500 seats over the 12 blocks, 2 reserved each; 700 applicants rank 3-8 of them.
        for n, block in enumerate(db.session.scalars(select(Block).order_by(Block.id))):
            block.capacity, block.reserved = (42 if n < 10 else 40), 2
        cycle = db.session.scalar(select(Cycle))
        cycle.application_deadline = local_today() - timedelta(days=2)
        cycle.offers_released_on = local_today() - timedelta(days=1)
        db.session.commit()
    return app


def _publish(app: Flask) -> tuple[float, int]:
    """Seconds the director's publish takes (mail server down), and the offers it made."""
    from clerkship.accounts.models import User
    from clerkship.allocation.services import publish_run, start_run
    from clerkship.offers.models import Offer
    from clerkship.outbox.delivery import kick_after_request

    with (
        app.app_context(),
        app.test_request_context(base_url=app.config["BASE_URL"], method="POST"),
    ):
        department = db.session.scalar(select(Department).where(Department.slug == SLUG))
        director = db.session.scalar(select(User).where(User.email == DIRECTOR))
        scores = {a: s for a, s in _scores(department)}
        run = start_run(
            department,
            db.session.scalar(select(Cycle)),
            scores=scores,
            score_source="raw",
            by=director,
        )
        db.session.commit()
        start = time.perf_counter()
        publish_run(run, by=director, override_reason="Benchmark.")
        db.session.commit()
        kick_after_request()  # what the request's teardown does: enqueue the delivery job
        seconds = time.perf_counter() - start
        offers = db.session.scalar(select(func.count(Offer.id)))
        db.session.remove()
    return seconds, offers


def _scores(department):
    from decimal import Decimal

    from clerkship.applications.models import Application

    ids = db.session.scalars(
        select(Application.id).where(Application.department_id == department.id)
    ).all()
    return [(a, Decimal(100 + (a * 7919) % 400) / 100) for a in ids]


def _deliver_all(app: Flask) -> float:
    """Seconds one worker takes to deliver everything due."""
    with app.app_context():
        writes_ahead()
        start = time.perf_counter()
        deliver_due(app, limit=app.config["OUTBOX_BATCH_SIZE"])
        seconds = time.perf_counter() - start
        db.session.remove()
    return seconds


def _requeue(app: Flask) -> None:
    with app.app_context():
        db.session.execute(
            update(OutboxMessage).values(
                state=MessageState.QUEUED, sent_at=None, attempts=0, next_attempt_at=utcnow()
            )
        )
        db.session.commit()
        db.session.remove()


def _outage(app: Flask, count: int) -> tuple[float, int, int]:
    """Seconds after the server came back until the last arrived; arrived; duplicates."""
    from aiosmtpd.controller import Controller

    port = app.config["MAIL_PORT"]
    box = _Mailbox()
    stop = threading.Event()

    def worker():
        with app.app_context():
            writes_ahead()
            while not stop.is_set():
                deliver_due(app, limit=app.config["OUTBOX_BATCH_SIZE"])
                db.session.remove()
                stop.wait(1.0)

    thread = threading.Thread(target=worker, daemon=True)
    thread.start()
    time.sleep(OUTAGE_SECONDS)
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    back = time.perf_counter()
    last = back
    deadline = back + 900
    while time.perf_counter() < deadline:
        with box.lock:
            arrived = len(set(box.ids))
        if arrived >= count:
            last = time.perf_counter()
            break
        time.sleep(0.2)
    time.sleep(2)  # anything sent twice would arrive now
    stop.set()
    thread.join(timeout=30)
    controller.stop()
    with box.lock:
        ids = list(box.ids)
    return last - back, len(set(ids)), len(ids) - len(set(ids))


def run(app: Flask) -> list[Measurement]:
    from aiosmtpd.controller import Controller

    bench = _app()
    publish_seconds, offers = _publish(bench)
    with bench.app_context():
        queued = db.session.scalar(select(func.count(OutboxMessage.id)))
    box = _Mailbox()
    port = _free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    bench.config["MAIL_PORT"] = port
    try:
        deliver_seconds = _deliver_all(bench)
    finally:
        controller.stop()
    delivered = len(set(box.ids))
    bench.config["MAIL_PORT"] = _free_port()  # the server goes away
    _requeue(bench)
    after, arrived, duplicates = _outage(bench, queued)
    return [
        Measurement(
            f"publish a run making {offers} offers (mail server down)",
            "< 1 s",
            f"{publish_seconds:.2f} s",
            publish_seconds < 1.0 and offers >= OFFERS,
        ),
        Measurement(
            f"one worker delivers the {queued} emails to aiosmtpd",
            "< 30 s",
            f"{deliver_seconds:.2f} s ({delivered} received)",
            deliver_seconds < 30.0 and delivered == queued,
        ),
        Measurement(
            f"after a {OUTAGE_SECONDS} s outage all {queued} arrive, once each",
            "all, no duplicate",
            f"{arrived} arrived, {duplicates} duplicates, last {after:.0f} s after the server was back",
            arrived == queued and duplicates == 0,
        ),
    ]
