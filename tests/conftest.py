"""Fixtures: cached apps on a shared schema, a real SMTP server, a live server for Chromium.

The suite runs on SQLite by default and on PostgreSQL when TEST_DATABASE_URL is
set (the README's test command does both). The schema is created once per run
(once per pytest-xdist worker, each with a database of its own); after each test
every table is emptied.
"""

from __future__ import annotations

import copy
import email
import email.policy
import fcntl
import functools
import os
import re
import shutil
import socket
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import closing
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from flask import Flask, has_app_context
from flask.testing import FlaskClient
from sqlalchemy import text
from sqlalchemy.engine import make_url
from werkzeug.serving import make_server

import clerkship.schema  # noqa: F401  (every model)
from clerkship import create_app
from clerkship.accounts.models import User
from clerkship.bench.harness import count_queries
from clerkship.documents.storage import upload_folder
from clerkship.extensions import db, limiter

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Mailbox:
    """An aiosmtpd handler that keeps every message it receives.

    Requests only queue email in the outbox; a worker delivers it. Reading the mailbox
    first runs that worker over the outbox of the test's app (`drain`, set by the `app`
    fixture), as a worker process would have by then.
    """

    def __init__(self) -> None:
        self.received: list[EmailMessage] = []
        self.lock = threading.Lock()
        self.drain: Callable[[], object] | None = None

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's hook name
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.received.append(message)
        return "250 Message accepted"

    @property
    def messages(self) -> list[EmailMessage]:
        """Every message received, once the outbox is delivered."""
        if self.drain is not None:
            self.drain()
        return self.received

    def to(self, address: str) -> list[EmailMessage]:
        """Messages addressed to address, oldest first."""
        return [m for m in self.messages if address in m["To"]]

    def last_to(self, address: str) -> EmailMessage:
        """The newest message addressed to address."""
        matching = self.to(address)
        assert matching, f"no email to {address}; got {[m['To'] for m in self.messages]}"
        return matching[-1]


def body_of(message: EmailMessage) -> str:
    """The plain-text body of a message."""
    return message.get_body(preferencelist=("plain",)).get_content()


def repeated_ids(html: str) -> list[str]:
    """The element ids a page holds more than once (a label then names the wrong field)."""
    ids = re.findall(r'\sid="([^"]*)"', html)
    return sorted({i for i in ids if ids.count(i) > 1})


def link_in(message: EmailMessage) -> str:
    """The first http(s) link in a message's body."""
    for word in body_of(message).split():
        if word.startswith(("http://", "https://")):
            return word
    raise AssertionError("no link in the email")


# Scheduling ----------------------------------------------------------------------------
#
# pytest-xdist's loadscope sends a module whole to one worker and, by default, the modules
# with the most tests first: the slowest modules (a browser journey, the state machine, the
# crawl: one or two tests of 20-80 s each) came last, and a worker was left running one of
# them alone while the other had finished. The modules are handed out longest first instead
# (an estimate from markers and fixtures, measured on the 2-core machine), so that the end
# of a run is made of short modules that the two workers share.
ESTIMATED_SECONDS = {"browser": 15.0, "slow": 30.0}
ESTIMATED_DEFAULT = 0.2  # most tests: a few requests on an emptied database
ESTIMATED_FIXTURES = {"demo_season_at_scale": 15.0}  # seeding 300 more students


def _estimate(item: pytest.Item) -> float:
    marked = [ESTIMATED_SECONDS[m.name] for m in item.iter_markers() if m.name in ESTIMATED_SECONDS]
    fixtures = [
        seconds for name, seconds in ESTIMATED_FIXTURES.items() if name in item.fixturenames
    ]
    return max([ESTIMATED_DEFAULT, *marked]) + sum(fixtures)


def pytest_configure(config: pytest.Config) -> None:
    # The order of the modules is the one pytest_collection_modifyitems gives (xdist's own
    # reordering, by number of tests, would undo it).
    if hasattr(config.option, "loadscopereorder"):
        config.option.loadscopereorder = False


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Modules longest first (by estimate); the tests of a module keep their order."""
    module_seconds: dict[str, float] = {}
    for item in items:
        module = item.nodeid.split("::", 1)[0]
        module_seconds[module] = module_seconds.get(module, 0.0) + _estimate(item)
    items.sort(key=lambda item: -module_seconds[item.nodeid.split("::", 1)[0]])


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[tuple[Mailbox, int]]:
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield mailbox, port
    controller.stop()


@pytest.fixture
def mailbox(smtp_server) -> Mailbox:
    box, _port = smtp_server
    with box.lock:
        box.received.clear()
    return box


def drain_outbox(app: Flask) -> None:
    """Deliver every message due in app's outbox, as the worker does."""
    from clerkship.core.database import writes_ahead
    from clerkship.outbox.delivery import deliver_due, has_due

    if has_app_context():
        # The test's own session, as before a request (CommittingClient): a read it left
        # open on SQLite would see a snapshot from before the worker's writes.
        db.session.commit()
    with app.app_context():
        try:
            if not has_due():
                return
            db.session.rollback()
            writes_ahead()
            deliver_due(app)
        finally:
            db.session.remove()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory, worker_id) -> str:
    """One database per xdist worker: a SQLite file, or a PostgreSQL database of its own."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'clerkship-test.db'}"
    if worker_id == "master":
        return url
    return _worker_database(url, worker_id)


def _worker_database(url: str, worker_id: str) -> str:
    """A fresh PostgreSQL database named after the worker, on the server of url."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    base = make_url(url)
    name = f"{base.database}_{worker_id}"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def instance_path(tmp_path_factory) -> str:
    return str(tmp_path_factory.mktemp("instance"))


def base_config(database_url: str, smtp_port: int, **overrides) -> dict:
    """The configuration every test app starts from."""
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 20, "max_overflow": 30}
        if database_url.startswith("postgresql")
        else {},
        "WTF_CSRF_ENABLED": False,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp_port,
        "BASE_URL": "http://clerkship.example.org",
        # Jobs are queued in memory and never consumed: the mailbox fixture delivers.
        "JOBS_BACKEND": "memory",
        "SERVER_NAME": None,
        # Explicit, because Flask-Limiter keeps one `enabled` flag for all apps.
        "RATELIMIT_ENABLED": True,
        # Argon2 at the lowest cost: the production parameters are checked by
        # tests/accounts/test_passwords.py, and every sign-in of the suite stays cheap.
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_COST": 8,
        "ARGON2_PARALLELISM": 1,
        # An app serves many tests: no dashboard figures kept from one test to the next.
        "DASHBOARD_CACHE_SECONDS": 0,
    }
    config.update(overrides)
    return config


class CommittingClient(FlaskClient):
    """A test client that commits the test's own session before each request.

    The app serves each request with its own session, as in production; what a
    test set up must be committed to be seen, and committing expires the test's
    objects so that they are read fresh after the request.
    """

    def open(self, *args, **kwargs):
        if has_app_context():  # a worker thread of a concurrency test has none
            db.session.commit()
        return super().open(*args, **kwargs)


def make_app(database_url: str, smtp_port: int, **overrides) -> Flask:
    app = create_app(base_config(database_url, smtp_port, **overrides))
    app.test_client_class = CommittingClient
    return app


class AppPair:
    """The served app and its twin for one test configuration, built once per session.

    Building an app compiles every URL rule and, on first use, every template: done
    for each test it was half of the suite's time. A pair is kept per distinct
    configuration; before each test its configuration and the rate limiter's state
    are put back as they were when the pair was built.
    """

    def __init__(self, database_url: str, smtp_port: int, overrides: dict) -> None:
        self.served = make_app(database_url, smtp_port, **overrides)
        self.twin = make_app(database_url, smtp_port, **overrides)
        self.configs = {
            id(app): copy.deepcopy(dict(app.config)) for app in (self.served, self.twin)
        }
        self.limiter_state = (limiter.enabled, limiter.initialized, limiter._storage)

    def reset(self) -> None:
        """Configuration and rate limits as they were when the pair was built."""
        for app in (self.served, self.twin):
            app.config.clear()
            app.config.update(copy.deepcopy(self.configs[id(app)]))
        # Flask-Limiter keeps one state for every app it was given: the last one's.
        limiter.enabled, limiter.initialized, limiter._storage = self.limiter_state
        if limiter.enabled and limiter._storage is not None:
            limiter._storage.reset()


_PAIRS: dict[str, AppPair] = {}


def app_pair(database_url: str, smtp_port: int, overrides: dict, *, fresh: bool = False) -> AppPair:
    """The cached pair for this configuration (a new, uncached one when fresh)."""
    if fresh:
        return AppPair(database_url, smtp_port, overrides)
    key = database_url + repr(sorted(overrides.items()))
    if key not in _PAIRS:
        _PAIRS[key] = AppPair(database_url, smtp_port, overrides)
    pair = _PAIRS[key]
    pair.reset()
    return pair


@pytest.fixture(scope="session")
def _schema(database_url, smtp_server, instance_path) -> None:
    os.environ["CLERKSHIP_INSTANCE_PATH"] = instance_path
    pair = app_pair(database_url, smtp_server[1], {})
    with pair.twin.app_context():
        db.drop_all()
        db.create_all()
        db.session.remove()


# The demo seasons that read-only tests share, each in a database of its own: fixture
# name -> (database name suffix, `flask demo seed` arguments).
DEMO_SEASONS = {
    "demo_season": ("demo", []),
    "demo_season_at_scale": ("demo_scale", ["--scale", "300"]),
}


def _demo_database_url(tmp_path_factory, worker_id: str, suffix: str) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path_factory.mktemp(suffix) / f'clerkship-{suffix}.db'}"
    return _worker_database(url, f"{worker_id}_{suffix}")


_DEMO_URLS: dict[str, str] = {}


def _seed_demo(name: str, tmp_path_factory, worker_id: str, smtp_port: int) -> str:
    """The demo season `name` in a database of this worker's own; the command's output.

    `flask demo seed` runs once per run of the suite (15-40 s), not once per xdist worker:
    the first worker to need the season seeds it into a database nobody uses afterwards,
    under a lock; every worker then copies that database (the SQLite file, or PostgreSQL's
    CREATE DATABASE ... TEMPLATE) and the files the seed uploaded into its own.
    """
    suffix, arguments = DEMO_SEASONS[name]
    shared = tmp_path_factory.getbasetemp()
    if worker_id != "master":
        shared = shared.parent  # the run's folder, which every worker's folder is in
    seeded = shared / f"seeded-{suffix}"
    with open(shared / f"seeded-{suffix}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (seeded / "output.txt").exists():
            _seed_template(suffix, arguments, seeded, tmp_path_factory, smtp_port)
    url = _DEMO_URLS[name] = _demo_database_url(tmp_path_factory, worker_id, suffix)
    template = (seeded / "url.txt").read_text()
    if url.startswith("sqlite"):
        # SQLite's backup, which reads what its write-ahead log holds too.
        with (
            closing(sqlite3.connect(make_url(template).database)) as source,
            closing(sqlite3.connect(make_url(url).database)) as copy,
        ):
            source.backup(copy)
    else:
        _copy_postgres_database(template, url)
    pair = app_pair(url, smtp_port, {})
    with pair.twin.app_context():
        shutil.copytree(seeded / "uploads", upload_folder(), dirs_exist_ok=True)
    return (seeded / "output.txt").read_text()


def _seed_template(suffix: str, arguments: list[str], seeded, tmp_path_factory, smtp_port):
    """Seed the season into the run's template database; keep its URL, uploads and output."""
    url = _demo_database_url(tmp_path_factory, "seed", suffix)
    pair = app_pair(url, smtp_port, {}, fresh=True)
    with pair.twin.app_context():
        db.create_all()
        db.session.remove()
        folder = upload_folder()
        before = {path for path in folder.rglob("*") if path.is_file()}
    result = pair.served.test_cli_runner().invoke(args=["demo", "seed", *arguments])
    assert result.exit_code == 0, result.output
    for app in (pair.served, pair.twin):  # no connection left: it is copied from now on
        with app.app_context():
            db.engine.dispose()
    (seeded / "uploads").mkdir(parents=True)
    for path in folder.rglob("*"):
        if path.is_file() and path not in before:
            copy = seeded / "uploads" / path.relative_to(folder)
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, copy)
    (seeded / "url.txt").write_text(url)
    (seeded / "output.txt").write_text(result.output)


def _copy_postgres_database(template: str, url: str) -> None:
    """Replace the database of url by a copy of template's (no one may be connected to it)."""
    from sqlalchemy import create_engine

    name, source = make_url(url).database, make_url(template).database
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{source}"'))
    admin.dispose()


@pytest.fixture(scope="session")
def demo_season(tmp_path_factory, worker_id, _schema, smtp_server) -> str:
    """`flask demo seed` run once per session; its output (the printed logins).

    Only tests that read the season use it: a test that changes it must seed its
    own (with the `app` fixture, on the emptied test database).
    """
    return _seed_demo("demo_season", tmp_path_factory, worker_id, smtp_server[1])


@pytest.fixture(scope="session")
def demo_season_at_scale(tmp_path_factory, worker_id, _schema, smtp_server) -> str:
    """`flask demo seed --scale 300` run once per session, for tests that only read it."""
    return _seed_demo("demo_season_at_scale", tmp_path_factory, worker_id, smtp_server[1])


def empty_all_tables() -> None:
    """Delete every row, fast on both databases.

    On PostgreSQL, TRUNCATE of every table costs 0.1-0.3 s a test (it recreates each table's
    files); one query finds the few tables a test filled, their rows are deleted, and their id
    sequences restart at 1 as SQLite's do.
    """
    tables = db.metadata.sorted_tables
    if db.engine.dialect.name == "postgresql":
        filled = set(db.session.scalars(text(_filled_tables_query(tuple(tables)))))
        tables = [t for t in tables if t.name in filled]
        for table in reversed(tables):
            db.session.execute(table.delete())
        serial = [t.name for t in tables if _has_serial_id(t)]
        if serial:
            restart = ", ".join(
                f"setval(pg_get_serial_sequence('\"{name}\"', 'id'), 1, false)" for name in serial
            )
            db.session.execute(text(f"SELECT {restart}"))
    else:
        for table in reversed(tables):
            db.session.execute(table.delete())
    db.session.commit()


@functools.cache
def _filled_tables_query(tables: tuple) -> str:
    return " UNION ALL ".join(
        f"SELECT '{t.name}' WHERE EXISTS (SELECT 1 FROM \"{t.name}\")"  # noqa: S608 (our table names)
        for t in tables
    )


def _has_serial_id(table) -> bool:
    column = table.c.get("id")
    return column is not None and column.primary_key and column.autoincrement in (True, "auto")


@pytest.fixture
def app_config() -> dict:
    """Per-test configuration overrides (override this fixture in a module)."""
    return {}


@pytest.fixture
def app(request, _schema, database_url, smtp_server, mailbox, app_config) -> Iterator[Flask]:
    """The app under test, plus a twin whose app context the test's own code runs in.

    Flask reuses an already pushed app context for a request of the same app, which
    would share flask.g (and the signed-in user) and the database session between
    the test and every request. Test code therefore runs in the context of a twin
    app on the same database, and each request gets a context of its own.

    Both come from the session's cache (one pair per configuration); a test marked
    `fresh_app` changes the app itself (adds a route, swaps the template loader) and
    gets a pair of its own. A test that uses a demo season fixture (DEMO_SEASONS) reads
    that season, seeded once per session in a database of its own, whose rows are kept;
    every other test leaves the tables empty.
    """
    fresh = request.node.get_closest_marker("fresh_app") is not None
    seasons = [name for name in DEMO_SEASONS if name in request.fixturenames]
    keep_rows = bool(seasons)
    if seasons:
        request.getfixturevalue(seasons[0])
        database_url = _DEMO_URLS[seasons[0]]
    pair = app_pair(database_url, smtp_server[1], app_config, fresh=fresh)
    mailbox.drain = lambda: drain_outbox(pair.served)
    with pair.twin.app_context():
        yield pair.served
        mailbox.drain = None
        db.session.remove()
        if not keep_rows:
            empty_all_tables()
        db.session.remove()
    if fresh:
        for app in (pair.served, pair.twin):
            with app.app_context():
                db.engine.dispose()


@pytest.fixture
def client(app) -> FlaskClient:
    return app.test_client()


def login(client: FlaskClient, user: User) -> FlaskClient:
    """Sign user in on client without going through the form (nor the second factor)."""
    db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
        session["two_factor_passed"] = user.id  # as if the code was accepted
    return client


@pytest.fixture
def queries(app):
    """count_queries bound to the served app's engine: `with queries() as q: ...; q.count`.

    The test body runs in the twin app's context, whose engine is not the one requests use;
    counting on db.engine here would count nothing a request runs.
    """
    with app.app_context():
        engine = db.engine
    return lambda: count_queries(engine)


@pytest.fixture
def is_postgres(database_url) -> bool:
    return database_url.startswith("postgresql")


# Browser tests -------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def live_server(app) -> Iterator[str]:
    """The test app served over HTTP in a thread, CSRF on, as a browser meets it."""
    app.config["WTF_CSRF_ENABLED"] = True
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


# Object storage -------------------------------------------------------------------------


@pytest.fixture(scope="session")
def s3_server():
    """moto's S3 server, started once per session (per xdist worker)."""
    from tests.object_storage import S3Server

    server = S3Server().start()
    yield server
    server.stop()


# Single sign-on ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def oidc_provider():
    """The OpenID provider of tests/sso_provider, started once per session (per worker)."""
    from tests.sso import OpenIDProvider

    provider = OpenIDProvider().start()
    yield provider
    provider.stop()
