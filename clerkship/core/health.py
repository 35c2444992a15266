"""Readiness checks: what must answer before this server takes requests (/readyz).

Features register theirs when the app starts (the database here; documents its store;
the job queue its own once it exists): register_readiness_check(app, "queue", check).
A check returns normally when its service answers and raises otherwise.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass

from flask import Flask, current_app
from sqlalchemy import text

from clerkship.extensions import db

ReadinessCheck = Callable[[], None]
CHECKS_KEY = "clerkship_readiness_checks"


@dataclass(frozen=True)
class CheckResult:
    """One check's outcome: whether it passed, how long it took, and why it failed."""

    name: str
    ok: bool
    seconds: float
    error: str | None = None


def register_readiness_check(app: Flask, name: str, check: ReadinessCheck) -> None:
    """Add a check that /readyz runs (a name used twice replaces the earlier check)."""
    app.extensions.setdefault(CHECKS_KEY, {})[name] = check


def check_database() -> None:
    """The database answers a query."""
    db.session.execute(text("SELECT 1"))


def run_readiness_checks() -> list[CheckResult]:
    """Every registered check, each given READINESS_TIMEOUT seconds."""
    app = current_app._get_current_object()
    timeout = app.config["READINESS_TIMEOUT"]
    results = []
    for name, check in sorted(app.extensions.get(CHECKS_KEY, {}).items()):
        started = time.perf_counter()
        results.append(_run(app, name, check, timeout, started))
    return results


def _run(app: Flask, name: str, check: ReadinessCheck, timeout: float, started: float):
    def in_context() -> None:
        with app.app_context():
            try:
                check()
            finally:
                db.session.remove()

    pool = ThreadPoolExecutor(max_workers=1)
    try:
        pool.submit(in_context).result(timeout=timeout)
    except FutureTimeout:
        error = f"no answer within {timeout} s"
    except Exception as failure:  # any failure means not ready; the reason is logged
        error = f"{type(failure).__name__}: {failure}"[:300]
    else:
        return CheckResult(name, True, time.perf_counter() - started)
    finally:
        pool.shutdown(wait=False)
    app.logger.warning("Readiness check %s failed: %s", name, error)
    return CheckResult(name, False, time.perf_counter() - started, error)
