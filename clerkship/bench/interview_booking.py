"""Benchmark: interview booking under load, served as in production.

A throwaway PostgreSQL cluster, the app under gunicorn with 2 workers, and a separate
process that sends concurrent booking requests to 127.0.0.1 (a bounded number, within
a time limit). Many invitees want the same few days, so most requests meet a full
day: the figures cover both seats taken and clear refusals. Afterwards the database is
checked: no day has more bookings than seats, and no reserved day a booking outside
the pathway.
"""

from __future__ import annotations

import json
import random
import secrets
import statistics
import subprocess  # nosec B404
import sys
from datetime import timedelta

from sqlalchemy import func, select

from clerkship.bench import Measurement
from clerkship.bench.postgres import postgres_cluster
from clerkship.bench.server import gunicorn_server

DAYS, SEATS, RESERVED_DAYS = 20, 10, 2
# Targets for a 2-core machine that also runs PostgreSQL and the load generator: two sync
# workers serve one request each at a time, so latency is mostly time spent queueing.
TARGET_RPS, TARGET_MEDIAN_MS, TARGET_P95_MS = 10, 1000, 2000
INVITEES = 600
CONCURRENCY = 8
TIME_LIMIT = 60.0
WORKERS = 2


def _build_season(url: str, secret: str) -> list[dict]:
    """The schema, a season of 20 ten-seat days, 600 invitees; their signed booking requests."""
    from flask import g, session
    from flask_wtf.csrf import generate_csrf

    from clerkship import create_app
    from clerkship.accounts.models import Membership, Role, User
    from clerkship.core.time import local_datetime, local_today, utcnow
    from clerkship.cycles.models import Cycle, Department
    from clerkship.extensions import db
    from clerkship.interviews.models import (
        DayFormat,
        InterviewDay,
        InterviewSeason,
        Invitation,
        InvitationSource,
    )

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": secret, "MAIL_SERVER": None})
    rng = random.Random(2027)
    requests = []
    with app.app_context():
        import clerkship.schema  # noqa: F401

        db.create_all()
        today = local_today()
        cycle = Cycle(
            name="Bench",
            slug="bench",
            catalogue_opens_on=today,
            applications_open_on=today,
            application_deadline=today + timedelta(days=30),
            offers_released_on=today + timedelta(days=40),
            rotations_start_on=today + timedelta(days=50),
            rotations_end_on=today + timedelta(days=200),
        )
        department = Department(name="Emergency Medicine", slug="emergency-medicine")
        season = InterviewSeason(department=department, cycle=cycle)
        days = []
        for n in range(DAYS):
            on = today + timedelta(days=10 + n)
            days.append(
                InterviewDay(
                    season=season,
                    starts_at=local_datetime(on, _time(8)),
                    ends_at=local_datetime(on, _time(12)),
                    format=DayFormat.IN_PERSON,
                    location="Room 1",
                    capacity=SEATS,
                    reserved=n < RESERVED_DAYS,
                )
            )
        db.session.add_all([cycle, department, season, *days])
        invitations = []
        for i in range(INVITEES):
            user = User(email=f"invitee{i:04d}@bench.example.edu", full_name=f"Invitee {i:04d}")
            user.memberships.append(Membership(role=Role.STUDENT))
            pathway = rng.random() < 0.3
            invitations.append(
                Invitation(
                    season=season,
                    student=user,
                    source=InvitationSource.IMPORT,
                    full_name=user.full_name,
                    email=user.email,
                    imported_pathway=pathway,
                    reply_by=utcnow() + timedelta(days=7),
                )
            )
        db.session.add_all(invitations)
        db.session.commit()
        # Everyone wants one of the first six days: contention, and plenty of "full" answers.
        for invitation in invitations:
            wanted = [d for d in days[:6] if invitation.imported_pathway or not d.reserved]
            day = rng.choice(wanted)
            with app.test_request_context():
                g.pop("csrf_token", None)  # Flask-WTF caches the token in g, shared here
                session["_user_id"] = invitation.student.get_id()
                session["_fresh"] = True
                csrf = generate_csrf()
                cookie = app.session_interface.get_signing_serializer(app).dumps(dict(session))
            requests.append(
                {
                    "path": f"/interviews/{invitation.id}/days/{day.id}/book",
                    "cookie": f"{app.config['SESSION_COOKIE_NAME']}={cookie}",
                    "csrf": csrf,
                }
            )
        db.session.remove()
        db.engine.dispose()
    return requests


def _time(hour: int):
    from datetime import time as clock

    return clock(hour, 0)


def _gunicorn(url: str, secret: str):
    # The benchmark sends no sign-ins: rate limits counted per worker change nothing here.
    settings = {"CLERKSHIP_SINGLE_PROCESS": "true"}
    return gunicorn_server(url, secret, workers=WORKERS, settings=settings, start_timeout=30)


def _load(port: int, requests: list[dict]) -> dict:
    command = [
        sys.executable,
        "-m",
        "clerkship.bench.booking_load",
        str(port),
        str(CONCURRENCY),
        str(TIME_LIMIT),
    ]
    # The load generator of this package, talking to 127.0.0.1 only.
    done = subprocess.run(  # noqa: S603  # nosec B603
        command, input=json.dumps(requests), capture_output=True, text=True, timeout=TIME_LIMIT + 60
    )
    if done.returncode != 0:
        raise RuntimeError(f"the load generator failed:\n{done.stderr}")
    return json.loads(done.stdout)


def _check(url: str, secret: str) -> tuple[int, int, int]:
    """(days over capacity or miscounted, non-pathway bookings on reserved days, bookings)."""
    from clerkship import create_app
    from clerkship.extensions import db
    from clerkship.interviews.models import Booking, BookingState, InterviewDay

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": secret, "MAIL_SERVER": None})
    with app.app_context():
        counts = dict(
            db.session.execute(
                select(Booking.day_id, func.count(Booking.id))
                .where(Booking.state == BookingState.BOOKED)
                .group_by(Booking.day_id)
            ).all()
        )
        bad_days = sum(
            1
            for day in db.session.scalars(select(InterviewDay))
            if counts.get(day.id, 0) > day.capacity or counts.get(day.id, 0) != day.taken
        )
        outside = db.session.scalar(
            select(func.count(Booking.id)).where(
                Booking.state == BookingState.BOOKED,
                Booking.day_reserved.is_(True),
                Booking.in_pathway.is_(False),
            )
        )
        total = sum(counts.values())
        db.session.remove()
        db.engine.dispose()
    return bad_days, outside, total


def run(app: object = None) -> list[Measurement]:
    """Serve, load, measure, check."""
    secret = secrets.token_urlsafe(32)
    with postgres_cluster() as url:
        requests = _build_season(url, secret)
        with _gunicorn(url, secret) as port:
            outcome = _load(port, requests)
        bad_days, outside, booked = _check(url, secret)
    results = outcome["results"]
    latencies = sorted(seconds for _, seconds in results)
    statuses = [status for status, _ in results]
    errors = sum(1 for s in statuses if s not in (303, 409))
    rps = len(results) / outcome["wall_seconds"]
    median = statistics.median(latencies) * 1000
    p95 = latencies[max(0, int(len(latencies) * 0.95) - 1)] * 1000
    what = (
        f"{len(results)} booking POSTs, {CONCURRENCY} concurrent clients, gunicorn {WORKERS} "
        f"workers, PostgreSQL ({statuses.count(303)} booked, {statuses.count(409)} told full)"
    )
    return [
        Measurement(
            f"Interview booking throughput: {what}",
            f">= {TARGET_RPS} requests/s",
            f"{rps:.0f} requests/s",
            rps >= TARGET_RPS,
        ),
        Measurement(
            "Interview booking latency, median",
            f"< {TARGET_MEDIAN_MS} ms",
            f"{median:.0f} ms",
            median < TARGET_MEDIAN_MS,
        ),
        Measurement(
            "Interview booking latency, 95th percentile",
            f"< {TARGET_P95_MS} ms",
            f"{p95:.0f} ms",
            p95 < TARGET_P95_MS,
        ),
        Measurement(
            f"Interview days over capacity or miscounted ({DAYS} days x {SEATS} seats), "
            "non-pathway bookings on reserved days, server errors",
            "0, 0, 0",
            f"{bad_days}, {outside}, {errors}",
            bad_days == 0 and outside == 0 and errors == 0 and booked == statuses.count(303),
        ),
    ]
