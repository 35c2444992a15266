"""Engine behaviour that keeps concurrent writes safe on SQLite as well as PostgreSQL."""

from __future__ import annotations

from flask import Flask, g, has_app_context, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

from clerkship.extensions import db

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def configure_sqlite(app: Flask) -> None:
    """Turn on foreign keys and WAL, and make write requests take SQLite's write lock first.

    pysqlite opens transactions lazily and lets two writers read the same rows
    before either writes. A request that may write therefore begins with
    BEGIN IMMEDIATE, so writes are serialised the way row locks serialise them
    on PostgreSQL; reads begin normally and, with WAL, never block a writer.
    """
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "sqlite":
        return
    _install_sqlite_hooks(engine)


def _install_sqlite_hooks(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        if has_app_context() and g.get("sqlite_immediate", False):
            immediate = True  # writes_ahead(): a command, a job, a GET view that writes
        elif has_request_context():
            immediate = request.method not in SAFE_METHODS
        else:
            immediate = False
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def writes_ahead() -> None:
    """Mark this app context (a command, a worker thread) as one that writes.

    On SQLite its transactions then begin with the write lock, as write requests do,
    so that concurrent writers wait their turn instead of failing; elsewhere it does
    nothing.
    """
    g.sqlite_immediate = True
