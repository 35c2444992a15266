"""Tools the benchmark suites share: a scaled database, timed requests, query counts."""

from __future__ import annotations

import secrets
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from clerkship.accounts.models import User
from clerkship.extensions import db


@dataclass
class QueryCounter:
    """The SQL statements an engine ran while counting."""

    statements: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.statements)


@contextmanager
def count_queries(engine: Engine) -> Iterator[QueryCounter]:
    """Count the statements engine executes inside the block."""
    counter = QueryCounter()

    def before_cursor_execute(conn, cursor, statement, parameters, context, executemany):
        counter.statements.append(statement)

    event.listen(engine, "before_cursor_execute", before_cursor_execute)
    try:
        yield counter
    finally:
        event.remove(engine, "before_cursor_execute", before_cursor_execute)


def median_seconds(action: Callable[[], object], repeats: int = 5, warmup: int = 1) -> float:
    """The median wall time of action over repeats runs, after warmup runs."""
    for _ in range(warmup):
        action()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


_SCALED: dict[int, Flask] = {}


def bench_app(prefix: str) -> Flask:
    """An app on a new, empty SQLite database (schema made) in a temporary folder."""
    from clerkship import create_app

    folder = tempfile.mkdtemp(prefix=f"clerkship-{prefix}-")
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.db",
            "SECRET_KEY": secrets.token_urlsafe(32),
            "RATELIMIT_ENABLED": False,
            "MAIL_SERVER": None,
            "UPLOAD_FOLDER": f"{folder}/uploads",
        }
    )
    with app.app_context():
        db.create_all()
    return app


def scaled_app(scale: int) -> Flask:
    """An app on a temporary SQLite database seeded with the demo season at this scale."""
    if scale in _SCALED:
        return _SCALED[scale]
    from clerkship.demo.seed import seed_demo

    app = bench_app(f"bench-{scale}")
    with app.app_context():
        seed_demo(scale=scale)
        db.session.commit()
    app.logger.disabled = True
    _SCALED[scale] = app
    return app


@dataclass(frozen=True)
class PageTiming:
    """Median server time of a page and the SQL statements one request ran."""

    median_ms: float
    queries: int
    status: int


def time_page(app: Flask, email: str | None, url: str, repeats: int = 15) -> PageTiming:
    """Time GET url as the user with email (None: anonymous), as the app serves it."""
    client = app.test_client()
    if email is not None:
        with app.app_context():
            user = db.session.scalar(db.select(User).where(User.email == email))
            user_id = user.get_id()
        with client.session_transaction() as session:
            session["_user_id"] = user_id
            session["_fresh"] = True
    with app.app_context():
        engine = db.engine
    status = 0

    def fetch() -> None:
        nonlocal status
        response = client.get(url)
        response.get_data()
        status = response.status_code

    seconds = median_seconds(fetch, repeats=repeats, warmup=2)
    with count_queries(engine) as counter:
        fetch()
    return PageTiming(median_ms=seconds * 1000, queries=counter.count, status=status)
