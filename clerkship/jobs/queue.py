"""The task queue: Huey, on a SQLite file by default, on Redis when JOBS_REDIS_URL is set."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from flask import Flask, current_app

if TYPE_CHECKING:
    from huey import Huey

NAME = "clerkship"


def make_huey(app: Flask) -> Huey:
    """The app's queue, from its configuration (nothing connects until first used)."""
    # Huey (and redis-py, which it imports) when the queue is first used, not at start.
    from huey import MemoryHuey, RedisHuey, SqliteHuey

    config = app.config
    backend = config.get("JOBS_BACKEND") or ("redis" if config.get("JOBS_REDIS_URL") else "sqlite")
    if backend == "redis":
        return RedisHuey(NAME, url=config["JOBS_REDIS_URL"], utc=True)
    if backend == "memory":  # tests that only queue: nothing is consumed
        return MemoryHuey(NAME, utc=True)
    path = config.get("JOBS_SQLITE_PATH") or str(Path(app.instance_path) / "jobs.sqlite3")
    return SqliteHuey(NAME, filename=path, utc=True)


def huey() -> Huey:
    """The current app's queue."""
    return current_app.extensions["jobs"].huey
