"""Benchmark: the main pages under a real server, at 500 and 5,000 applications (issue 15).

For each size: a throwaway PostgreSQL cluster, the season of `load_seed` (one department,
N reviewed applications, a started allocation run), the app under gunicorn (4 sync
workers, production settings, BENCH_QUERY_HEADER on so each response says how many SQL
statements it ran); both servers run at once. A load generator in a separate process
(`page_load`) on 127.0.0.1 first drives every page at c=1 on the two servers in turn
(ROUNDS rounds, the order swapped each round: the growth compares samples of the same
minutes), then every page of the large season at 1, 8 and 32 concurrent clients, compared
with a static file of the same server measured in the same run (the floor: what any
request costs through gunicorn and the network stack).

Figures per page: requests per second, p50/p95/p99 latency, SQL statements per request,
p50 as a multiple of the floor's p50 at c=1; and the growth of p50 and of the statement
count from 500 to 5,000 applications (from the alternated samples). Targets on a quiet 2-core machine: every page but
sign-in at most 30x the floor at c=1, p95 under 500 ms at c=8, no errors, growth at most
1.3x with the same statement count; sign-in p95 under 1 s at c=8.

Last, at 5,000 applications, a class signs in: 10 sign-ins a second for 15 s, each a
different account from a different X-Forwarded-For address (the server trusts one proxy
hop), while 8 clients read the other pages in turn. Targets: sign-in p95 under 1 s at
that rate, and each other page's p95 under 500 ms meanwhile.
"""

from __future__ import annotations

import json
import secrets
import statistics
import subprocess  # nosec B404
import sys
import time
import urllib.request
from contextlib import contextmanager

from clerkship.bench import Measurement
from clerkship.bench.postgres import postgres_cluster
from clerkship.bench.server import gunicorn_server

SMALL = 500
WORKERS = 4
LEVELS = (1, 8, 32)
SECONDS = 3.0  # per page and level
ROUNDS, ROUND_SECONDS = 4, 1.5  # the growth: each page on each season in turn
MAX_REQUESTS = 600
CLASS_RATE, CLASS_SECONDS = 10, 15  # a class signing in: 10 a second for 15 s
SIGN_IN_PAGE = "sign-in"
CLASS_SIGN_IN = f"sign-in at {CLASS_RATE} a second"
DURING = f"(while {CLASS_RATE} sign-ins a second)"
# Distinct accounts signing in: c=1 and c=8 take 20 and 40, the class the rest.
SIGN_INS = 60 + CLASS_RATE * CLASS_SECONDS
FLOOR_RATIO, P95_MS, SIGN_IN_P95_MS, GROWTH = 30, 500, 1000, 1.3


def pages(run_id: int, cycle: str) -> list[dict]:
    """The pages driven, each as the role that reads it (None: anonymous)."""
    slug = "emergency-medicine"
    return [
        {"name": "static file (floor)", "path": "/static/clerkship.css", "as": None},
        {"name": "allocation run page", "path": f"/allocation/runs/{run_id}", "as": "director"},
        {"name": "institution dashboard", "path": f"/dashboard?cycle={cycle}", "as": "admin"},
        {
            "name": "department dashboard",
            "path": f"/departments/{slug}/dashboard?cycle={cycle}",
            "as": "director",
        },
        {
            "name": "review ranking",
            "path": f"/departments/{slug}/reviews/ranking",
            "as": "director",
        },
        {"name": "reviewer queue", "path": "/reviews/", "as": "reviewer"},
        {
            "name": "applications list",
            "path": f"/departments/{slug}/applications/?cycle={cycle}",
            "as": "coordinator",
        },
        {"name": "coordinator start page", "path": "/", "as": "coordinator"},
        {"name": "director start page", "path": "/", "as": "director"},
        {"name": "student start page", "path": "/", "as": "student"},
        {"name": "student applications", "path": "/applications/", "as": "student"},
        {"name": "catalogue", "path": "/catalogue", "as": None},
        {"name": "sign-in", "path": "/login", "levels": [1, 8], "requests": 20},
    ]


def _seed(url: str, secret: str, applications: int) -> tuple[dict, list[dict]]:
    """Schema and season in the cluster; the load generator's sign-ins and pages."""
    from sqlalchemy import text

    from clerkship import create_app
    from clerkship.bench import load_seed
    from clerkship.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": secret, "MAIL_SERVER": None})
    with app.app_context(), app.test_request_context():
        import clerkship.schema  # noqa: F401

        db.create_all()
        season = load_seed.seed_load_season(applications, SIGN_INS)
        db.session.commit()
        db.session.remove()
        # The tables as autovacuum keeps them on a database in service: statistics
        # gathered (a planner that believes the bulk-loaded tables empty picks nested
        # loops) and the visibility map set (else every index-only count visits the heap,
        # and autovacuum would run into the first pages measured).
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as raw:
            raw.execute(text("VACUUM (ANALYZE)"))
            raw.execute(text("CHECKPOINT"))
        db.engine.dispose()
    sign_ins = {
        "staff": {
            "director": load_seed.DIRECTOR,
            "coordinator": load_seed.COORDINATOR,
            "admin": load_seed.ADMIN,
            "reviewer": load_seed.REVIEWER,
            "student": load_seed.STUDENT,
        },
        "students": season.sign_in_emails,
    }
    return sign_ins, pages(season.run_id, season.cycle_slug)


@contextmanager
def serve(url: str, secret: str, workers: int = WORKERS):
    """gunicorn serving the app on a free port of 127.0.0.1, production settings."""
    settings = {
        "CLERKSHIP_BENCH_QUERY_HEADER": "true",
        # The administrator reads the institution dashboard without a phone at hand.
        "CLERKSHIP_TWO_FACTOR_ROLES": "[]",
        # One machine: rate limits kept per worker and the queue's SQLite file do for a
        # benchmark (a school's servers share Redis; docs/deployment.md).
        "CLERKSHIP_SINGLE_PROCESS": "true",
        # The class's sign-ins come through "a proxy": each from its own X-Forwarded-For
        # address, as the per-address limits would see a real class.
        "CLERKSHIP_PROXY_FIX_HOPS": "1",
    }
    with gunicorn_server(url, secret, workers=workers, settings=settings, start_timeout=60) as port:
        # Every worker booted (each builds the app, about a second of CPU) before timing.
        for _ in range(4 * workers):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=30):  # nosec B310
                pass
        time.sleep(3)
        yield port


def _drive(plan: dict) -> list[dict]:
    command = [sys.executable, "-m", "clerkship.bench.page_load"]
    # The load generator of this package, talking to 127.0.0.1 only.
    done = subprocess.run(  # noqa: S603  # nosec B603
        command, input=json.dumps(plan), capture_output=True, text=True, timeout=3600
    )
    if done.returncode != 0:
        raise RuntimeError(f"the load generator failed:\n{done.stderr}")
    return json.loads(done.stdout)


def _plan(port: int, sign_ins: dict, pages: list[dict], **settings) -> dict:
    return {
        "port": port,
        "levels": list(settings.get("levels", LEVELS)),
        "seconds": settings.get("seconds", SECONDS),
        "max_requests": settings.get("max_requests", MAX_REQUESTS),
        "password": _password(),
        "sign_ins": sign_ins,
        "pages": pages,
        "mixed": settings.get("mixed"),
    }


def alternated(small: tuple, large: tuple, rounds: int = ROUNDS) -> tuple[dict, dict]:
    """Every page (but sign-in) at c=1 on both seasons' servers in turn, `rounds` times,
    each turn ROUND_SECONDS a page, the order swapped every round: the growth compares
    samples taken in the same minutes, not two runs minutes apart on a machine whose load
    moves meanwhile. small and large: (port, sign_ins, pages)."""
    samples: dict[str, dict[str, list]] = {"small": {}, "large": {}}
    for number in range(rounds):
        order = [("small", small), ("large", large)]
        for size, (port, sign_ins, pages) in order if number % 2 == 0 else order[::-1]:
            driven = [dict(page, levels=[1]) for page in pages if page["name"] != SIGN_IN_PAGE]
            plan = _plan(port, sign_ins, driven, levels=(1,), seconds=ROUND_SECONDS)
            for report in _drive(plan):
                kept = samples[size].setdefault(report["page"], [])
                kept.append(report)
    return tuple(
        {
            (name, 1): summarize(
                {
                    "page": name,
                    "results": [r for report in reports for r in report["results"]],
                    "wall_seconds": sum(report["wall_seconds"] for report in reports),
                }
            )
            for name, reports in samples[size].items()
        }
        for size in ("small", "large")
    )


def _class_plan(driven: list[dict]) -> dict:
    readers = [p["name"] for p in driven if p.get("as") and p["name"] != SIGN_IN_PAGE]
    return {
        "name": CLASS_SIGN_IN,
        "during": DURING,
        "rate": CLASS_RATE,
        "seconds": CLASS_SECONDS,
        "concurrency": 8,
        "pages": readers,
    }


def _password() -> str:
    from clerkship.bench.load_seed import PASSWORD

    return PASSWORD


def _percentile(ordered: list[float], fraction: float) -> float:
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def summarize(report: dict) -> dict:
    """The figures of one page at one level."""
    results = report["results"]
    latencies = sorted(seconds for _s, seconds, _q in results) or [0.0]
    expected = (302,) if report["page"].startswith(SIGN_IN_PAGE) else (200,)
    queries = [q for _s, _l, q in results if q >= 0]
    return {
        "requests": len(results),
        "rps": len(results) / report["wall_seconds"] if report["wall_seconds"] else 0.0,
        "p50": statistics.median(latencies) * 1000,
        "p95": _percentile(latencies, 0.95) * 1000,
        "p99": _percentile(latencies, 0.99) * 1000,
        "queries": statistics.median(queries) if queries else None,
        "errors": sum(1 for status, _l, _q in results if status not in expected),
    }


def _fmt(f: dict) -> str:
    queries = "-" if f["queries"] is None else f"{f['queries']:.0f}"
    return (
        f"{f['rps']:.0f} req/s, p50 {f['p50']:.1f} / p95 {f['p95']:.1f} / p99 {f['p99']:.1f} ms, "
        f"{queries} queries, {f['errors']} errors of {f['requests']}"
    )


def measurements(
    large: dict, small: dict, scale: int, large_c1: dict | None = None
) -> list[Measurement]:
    """The table rows: each page at each level against its target, and its growth
    (against large_c1, the large season's samples taken in turn with small's, if given)."""
    large_c1 = large_c1 or large
    floor = large[("static file (floor)", 1)]["p50"]
    names = list(dict.fromkeys(name for name, _level in large))
    rows = []
    for name in names:
        for level in sorted(level for n, level in large if n == name):
            f = large[(name, level)]
            ratio = f["p50"] / floor if floor else 0.0
            what = f"{name}, {scale:,} applications, c={level}"
            ok = f["errors"] == 0 and f["requests"] > 0
            if name == CLASS_SIGN_IN:
                target = f"p95 < {SIGN_IN_P95_MS} ms, no errors, {CLASS_RATE} a second"
                rate = f["requests"] / CLASS_SECONDS
                ok = ok and f["p95"] < SIGN_IN_P95_MS and rate >= 0.9 * CLASS_RATE
                what = f"{name} ({CLASS_SECONDS} s), {scale:,} applications, 8 readers"
            elif name.endswith(DURING):
                target = f"p95 < {P95_MS} ms, no errors"
                ok = ok and f["p95"] < P95_MS
            elif name == SIGN_IN_PAGE:
                target = f"p95 < {SIGN_IN_P95_MS} ms, no errors" if level > 1 else "no errors"
                ok = ok and (level == 1 or f["p95"] < SIGN_IN_P95_MS)
            elif name == "static file (floor)":
                target = "no errors"
            elif level == 1:
                target = f"p50 <= {FLOOR_RATIO}x floor, no errors"
                ok = ok and ratio <= FLOOR_RATIO
            elif level == 8:
                target = f"p95 < {P95_MS} ms, no errors"
                ok = ok and f["p95"] < P95_MS
            else:
                target = "no errors"
            rows.append(Measurement(what, target, f"{_fmt(f)}; p50 {ratio:.1f}x floor", ok))
        if (name, 1) in small and name not in ("static file (floor)", SIGN_IN_PAGE):
            before, after = small[(name, 1)], large_c1[(name, 1)]
            growth = after["p50"] / before["p50"] if before["p50"] else 0.0
            rows.append(
                Measurement(
                    f"{name}: growth {SMALL:,} -> {scale:,} applications, c=1",
                    f"p50 <= {GROWTH}x, same queries",
                    f"p50 {before['p50']:.1f} -> {after['p50']:.1f} ms ({growth:.2f}x), "
                    f"queries {before['queries']} -> {after['queries']}",
                    growth <= GROWTH and before["queries"] == after["queries"],
                )
            )
    return rows


def run(app: object = None, scale: int = 5000) -> list[Measurement]:
    """Both seasons served at once: every page at c=1 on each in turn (the growth), then
    the large one at every level and the class; the table rows."""
    secret = secrets.token_urlsafe(32)
    with postgres_cluster() as small_url, postgres_cluster() as large_url:
        small_sign_ins, small_pages = _seed(small_url, secret, SMALL)
        large_sign_ins, large_pages = _seed(large_url, secret, scale)
        with serve(small_url, secret) as small_port, serve(large_url, secret) as large_port:
            small, large_c1 = alternated(
                (small_port, small_sign_ins, small_pages),
                (large_port, large_sign_ins, large_pages),
            )
            report = _drive(
                _plan(large_port, large_sign_ins, large_pages, mixed=_class_plan(large_pages))
            )
    large = {(r["page"], r["level"]): summarize(r) for r in report}
    return measurements(large, small, scale, large_c1)
