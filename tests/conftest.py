"""Fixtures: an app per test on a shared schema, a real SMTP server, a live server for Chromium.

The suite runs on SQLite by default and on PostgreSQL when TEST_DATABASE_URL is
set (the README's test command does both). The schema is created once per run;
after each test every table is emptied.
"""

from __future__ import annotations

import email
import email.policy
import os
import socket
import threading
from collections.abc import Iterator
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from flask import Flask, has_app_context
from flask.testing import FlaskClient
from sqlalchemy import text
from werkzeug.serving import make_server

import clerkship.schema  # noqa: F401  (every model)
from clerkship import create_app
from clerkship.accounts.models import User
from clerkship.bench.harness import count_queries
from clerkship.extensions import db

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
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's hook name
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(message)
        return "250 Message accepted"

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


def link_in(message: EmailMessage) -> str:
    """The first http(s) link in a message's body."""
    for word in body_of(message).split():
        if word.startswith(("http://", "https://")):
            return word
    raise AssertionError("no link in the email")


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
        box.messages.clear()
    return box


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'clerkship-test.db'}"


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
        "SERVER_NAME": None,
    }
    config.update(overrides)
    return config


@pytest.fixture(scope="session")
def _schema(database_url, smtp_server, instance_path) -> None:
    os.environ["CLERKSHIP_INSTANCE_PATH"] = instance_path
    app = create_app(base_config(database_url, smtp_server[1]))
    with app.app_context():
        db.drop_all()
        db.create_all()
        db.session.remove()
        db.engine.dispose()


def empty_all_tables() -> None:
    """Delete every row, fast on both databases."""
    tables = db.metadata.sorted_tables
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in reversed(tables):
            db.session.execute(table.delete())
    db.session.commit()


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


@pytest.fixture
def app_config() -> dict:
    """Per-test configuration overrides (override this fixture in a module)."""
    return {}


@pytest.fixture(scope="session")
def demo_database_url(tmp_path_factory, _schema) -> str:
    """A second database, for the demo season that read-only tests share."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path_factory.mktemp('demo') / 'clerkship-demo.db'}"
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    base = make_url(url)
    name = f"{base.database}_demo"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def demo_season(demo_database_url, smtp_server) -> str:
    """`flask demo seed` run once per session; its output (the printed logins).

    Only tests that read the season use it: a test that changes it must seed its
    own (with the `app` fixture, on the emptied test database).
    """
    served = make_app(demo_database_url, smtp_server[1])
    with served.app_context():
        db.create_all()
        db.session.remove()
    result = served.test_cli_runner().invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    with served.app_context():
        db.engine.dispose()
    return result.output


@pytest.fixture
def app(request, _schema, database_url, smtp_server, mailbox, app_config) -> Iterator[Flask]:
    """The app under test, plus a twin whose app context the test's own code runs in.

    Flask reuses an already pushed app context for a request of the same app, which
    would share flask.g (and the signed-in user) and the database session between
    the test and every request. Test code therefore runs in the context of a twin
    app on the same database, and each request gets a context of its own.
    """
    keep_rows = "demo_season" in request.fixturenames
    if keep_rows:  # the test reads the demo season, seeded once in a database of its own
        database_url = request.getfixturevalue("demo_database_url")
    served = make_app(database_url, smtp_server[1], **app_config)
    twin = make_app(database_url, smtp_server[1], **app_config)
    with twin.app_context():
        yield served
        db.session.remove()
        if not keep_rows:
            empty_all_tables()
        db.session.remove()
        db.engine.dispose()
    with served.app_context():
        db.engine.dispose()


@pytest.fixture
def client(app) -> FlaskClient:
    return app.test_client()


def login(client: FlaskClient, user: User) -> FlaskClient:
    """Sign user in on client without going through the form."""
    db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
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
