"""The task queue: Huey, on a SQLite file by default, on Redis when JOBS_REDIS_URL is set."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app
from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey

NAME = "clerkship"


def make_huey(app: Flask) -> Huey:
    """The app's queue, from its configuration (nothing connects until first used)."""
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
