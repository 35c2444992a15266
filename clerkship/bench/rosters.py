"""Benchmarks of the rosters: CSV and XLSX exports of 10,000 rows, the department dashboard,
the onboarding page at 5,000 placed students."""

from __future__ import annotations

import io
import time
import tracemalloc
from datetime import date, timedelta

from flask import Flask
from sqlalchemy import insert, select

from clerkship.accounts.models import Membership, Role, User
from clerkship.allocation.engine import SeatType
from clerkship.allocation.models import Placement
from clerkship.applications.models import Application, ApplicationState, StudentProfile
from clerkship.bench import Measurement
from clerkship.bench.harness import bench_app, scaled_app, time_page
from clerkship.core.time import utcnow
from clerkship.cycles.models import Block, Cycle, Department, Rotation, Site
from clerkship.documents.models import Document, DocumentKind
from clerkship.extensions import db
from clerkship.offers.models import Offer, OfferState
from clerkship.rosters.exports import roster_export
from clerkship.rosters.render import write_export

ROWS = 10_000
BLOCKS = 20
DIRECTOR = "em.director@keck.example.edu"
# Counted on every view (?fresh=1): the cost of counting, not of the figures kept a while.
DASHBOARD = "/departments/emergency-medicine/dashboard?fresh=1"
SMALL = 50


def run(app: Flask, scale: int = 5000) -> list[Measurement]:
    """Exports of ROWS placed students (time, memory) and the dashboard at scale."""
    roster_app = placed_app(ROWS)
    results = []
    with roster_app.app_context():
        department = db.session.scalar(select(Department))
        cycle = db.session.scalar(select(Cycle))
        csv_seconds, csv_cpu, csv_bytes = _timed(department, cycle, "csv")
        growth = _csv_memory_growth(department, cycle)
        xlsx_seconds, xlsx_cpu, _ = _timed(department, cycle, "xlsx")
    results += [
        Measurement(
            f"Roster CSV of {ROWS:,} rows, wall time",
            "< 1 s",
            f"{csv_seconds:.2f} s (CPU {csv_cpu:.2f} s, {csv_bytes / 1e6:.1f} MB)",
            csv_seconds < 1,
        ),
        Measurement(
            f"Roster CSV of {ROWS:,} rows, peak memory growth (tracemalloc)",
            "< 50 MB",
            f"{growth / 1e6:.1f} MB",
            growth < 50e6,
        ),
        Measurement(
            f"Roster XLSX of {ROWS:,} rows (write-only), wall time",
            "< 5 s",
            f"{xlsx_seconds:.2f} s (CPU {xlsx_cpu:.2f} s)",
            xlsx_seconds < 5,
        ),
    ]
    few, many = (
        time_page(scaled_app(SMALL), DIRECTOR, DASHBOARD),
        time_page(scaled_app(scale), DIRECTOR, DASHBOARD),
    )
    results += [
        Measurement(
            f"Department dashboard counted now, median server time ({scale:,} applications)",
            "< 300 ms",
            f"{many.median_ms:.1f} ms",
            many.median_ms < 300 and many.status == 200,
        ),
        Measurement(
            f"Department dashboard, SQL queries ({SMALL} vs {scale:,} applications)",
            "equal",
            f"{few.queries} vs {many.queries}",
            few.queries == many.queries and few.status == 200,
        ),
    ]
    return results + onboarding(scale)


COORDINATOR = "coordinator@example.edu"
ONBOARDING = {
    "every placed student": "/departments/emergency-medicine/onboarding/",
    "awaiting verification, page 3": "/departments/emergency-medicine/onboarding/"
    "?state=waiting&page=3",
}


def onboarding(placed: int = 5000) -> list[Measurement]:
    """The onboarding page at `placed` placed students (each with two documents awaiting
    verification, the page's worst case): median server time, SQL queries at 50 and at
    `placed`."""
    few_app, many_app = placed_app(SMALL), placed_app(placed)
    for app in (few_app, many_app):
        with app.app_context():
            coordinator = User(email=COORDINATOR, full_name="Coordinator")
            coordinator.memberships.append(
                Membership(role=Role.COORDINATOR, department=db.session.scalar(select(Department)))
            )
            db.session.add(coordinator)
            db.session.commit()
    results = []
    for label, url in ONBOARDING.items():
        few, many = time_page(few_app, COORDINATOR, url), time_page(many_app, COORDINATOR, url)
        results += [
            Measurement(
                f"Onboarding page, {label}, median server time ({placed:,} placed students)",
                "< 200 ms",
                f"{many.median_ms:.1f} ms",
                many.median_ms < 200 and many.status == 200,
            ),
            Measurement(
                f"Onboarding page, {label}, SQL queries ({SMALL} vs {placed:,} placed students)",
                "equal",
                f"{few.queries} vs {many.queries}",
                few.queries == many.queries and few.status == 200,
            ),
        ]
    return results


class _Sink(io.RawIOBase):
    """A file that counts what is written and keeps nothing."""

    def __init__(self) -> None:
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.size += len(data)
        return len(data)


def _timed(department: Department, cycle: Cycle, fmt: str) -> tuple[float, float, int]:
    """Wall and CPU seconds of the export (the best of two: a shared machine is noisy), bytes."""
    best = (float("inf"), float("inf"), 0)
    for _ in range(2):
        sink = _Sink()
        start, cpu = time.perf_counter(), time.process_time()
        write_export(roster_export(None, department, cycle), fmt, sink)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        db.session.rollback()
        best = min(best, (seconds, cpu, sink.size))
    return best


def _csv_memory_growth(department: Department, cycle: Cycle) -> int:
    """Peak memory above what was allocated before the export began."""
    tracemalloc.start()
    try:
        baseline = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        write_export(roster_export(None, department, cycle), "csv", _Sink())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    db.session.rollback()
    return peak - baseline


def placed_app(rows: int) -> Flask:
    """An app on a temporary SQLite database with rows placed students in one department."""
    app = bench_app("bench-rosters")
    app.logger.disabled = True
    with app.app_context():
        _seed_placed(rows)
        db.session.commit()
    return app


def _seed_placed(rows: int) -> None:
    today = date.today()
    year = today.year + 1
    cycle = Cycle(
        name=f"{year}–{year + 1}",
        slug=f"{year}-{year + 1}",
        catalogue_opens_on=today - timedelta(days=30),
        applications_open_on=today - timedelta(days=20),
        application_deadline=today + timedelta(days=10),
        offers_released_on=today + timedelta(days=20),
        rotations_start_on=date(year, 7, 1),
        rotations_end_on=date(year + 1, 5, 31),
    )
    department = Department(name="Emergency Medicine", slug="emergency-medicine")
    site = Site(name="LA General Medical Center", short_name="LA General")
    rotation = Rotation(
        department=department, site=site, code="EM-401", title="Emergency Medicine", weeks=4
    )
    per_block = rows // BLOCKS
    blocks = [
        Block(
            rotation=rotation,
            cycle=cycle,
            starts_on=date(year, 7, 1) + timedelta(days=14 * n),
            ends_on=date(year, 7, 28) + timedelta(days=14 * n),
            capacity=per_block,
            reserved=0,
            open_taken=per_block,
        )
        for n in range(BLOCKS)
    ]
    db.session.add_all([cycle, department, site, rotation, *blocks])
    db.session.flush()
    now = utcnow()
    ids = range(1, rows + 1)
    db.session.execute(
        insert(User),
        [
            {"id": i, "email": f"student{i:05d}@example.edu", "full_name": f"Student {i:05d}"}
            for i in ids
        ],
    )
    db.session.execute(
        insert(StudentProfile),
        [
            {
                "user_id": i,
                "preferred_name": "Sam",
                "pronouns": "they/them",
                "phone": "213 555 0100",
                "medical_school": "Howard University College of Medicine, Washington",
            }
            for i in ids
        ],
    )
    db.session.execute(
        insert(Application),
        [
            {
                "id": i,
                "student_id": i,
                "cycle_id": cycle.id,
                "department_id": department.id,
                "state": ApplicationState.ACCEPTED,
                "in_pathway": i % 3 == 0,
                "submitted_at": now,
            }
            for i in ids
        ],
    )
    db.session.execute(
        insert(Placement),
        [
            {
                "id": i,
                "application_id": i,
                "block_id": blocks[(i - 1) // per_block % BLOCKS].id,
                "seat_type": SeatType.OPEN,
                "in_pathway": i % 3 == 0,
            }
            for i in ids
        ],
    )
    db.session.execute(
        insert(Offer),
        [
            {
                "placement_id": i,
                "application_id": i,
                "state": OfferState.ACCEPTED,
                "expires_at": now + timedelta(days=7),
            }
            for i in ids
        ],
    )
    db.session.execute(
        insert(Document),
        [
            {
                "owner_id": i,
                "cycle_id": cycle.id,
                "kind": kind,
                "original_name": f"{kind.value}.pdf",
                "stored_name": f"{kind.value}-{i}.pdf",
                "content_type": "application/pdf",
                "size_bytes": 1000,
                "sha256": "0" * 64,
                "expires_on": date(year + 1, 6, 30),
            }
            for i in ids
            for kind in (DocumentKind.IMMUNIZATIONS, DocumentKind.BLS)
        ],
    )
