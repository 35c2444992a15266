"""Benchmarks of the award and the pathway: committee pages, flag pages, the flag refresh."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select

from clerkship.accounts.models import User
from clerkship.applications.models import Application
from clerkship.awards.models import AwardApplication
from clerkship.bench import Measurement
from clerkship.bench.harness import median_seconds, scaled_app, time_page
from clerkship.cycles.models import Cycle
from clerkship.extensions import db
from clerkship.pathway.services import refresh_pathway_flags

COMMITTEE = "award.committee@keck.example.edu"
COORDINATOR = "em.coordinator@keck.example.edu"


def _facts(app: Flask) -> tuple[str, int]:
    with app.app_context():
        slug = db.session.scalar(select(Cycle.slug))
        awards = db.session.scalar(select(func.count(AwardApplication.id)))
    return slug, awards


def _refresh_seconds(app: Flask) -> float:
    """Median time to refresh the flags of the student with the most applications."""
    with app.app_context():
        student_id = db.session.scalar(
            select(Application.student_id)
            .group_by(Application.student_id)
            .order_by(func.count(Application.id).desc())
            .limit(1)
        )
        student = db.session.get(User, student_id)
        cycle = db.session.scalar(select(Cycle))

        def refresh() -> None:
            refresh_pathway_flags(student, cycle, by=None)
            db.session.rollback()

        return median_seconds(refresh, repeats=15, warmup=2)


def run(app: Flask, scale: int = 5000) -> list[Measurement]:
    """Committee list, budget and department flag pages on the demo and a scaled season."""
    small_app, large_app = scaled_app(0), scaled_app(scale)
    slug, _ = _facts(small_app)
    large_slug, large_awards = _facts(large_app)
    pages = {
        "Committee list of award applications": (COMMITTEE, "/awards/{}/committee/"),
        "Budget page": (COMMITTEE, "/awards/{}/budget"),
        "Department UIM-pathway list": (
            COORDINATOR,
            "/departments/emergency-medicine/pathway?cycle={}",
        ),
    }
    measurements = []
    for name, (email, url) in pages.items():
        small = time_page(small_app, email, url.format(slug))
        large = time_page(large_app, email, url.format(large_slug))
        measurements += [
            Measurement(
                f"{name}, median server time ({large_awards:,} award applications)",
                "< 500 ms",
                f"{large.median_ms:.1f} ms",
                large.median_ms < 500 and large.status == 200,
            ),
            Measurement(
                f"{name} SQL queries, demo season vs scaled",
                "equal",
                f"{small.queries} vs {large.queries}",
                small.queries == large.queries,
            ),
        ]
    refresh = _refresh_seconds(large_app)
    measurements.append(
        Measurement(
            "refresh_pathway_flags for one student (scaled season)",
            "< 20 ms",
            f"{refresh * 1000:.1f} ms",
            refresh < 0.02,
        )
    )
    return measurements
