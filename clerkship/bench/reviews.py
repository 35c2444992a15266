"""Benchmarks of the review pages: one department, 5,000 applications, 2 reviews each, 5 criteria.

Targets (issue 5): the ranking page under 300 ms median server time on SQLite, the
reviewer queue under 100 ms, and SQL query counts that do not grow with the number of
applications (compared with the same department at 500 applications).
"""

from __future__ import annotations

import statistics
import time

from flask import Flask

from clerkship.bench import Measurement
from clerkship.bench.harness import median_seconds, time_page
from clerkship.bench.review_seed import review_bench
from clerkship.extensions import db

SMALL = 500


def run(app: Flask, scale: int = 5000) -> list[Measurement]:
    """Ranking, queue and panel timings and query counts at SMALL and scale applications."""
    small, large = review_bench(SMALL), review_bench(scale)
    pages = {
        "ranking": ("director", "/departments/{slug}/reviews/ranking"),
        "queue": ("reviewer", "/reviews/"),
        "statistics": ("director", "/departments/{slug}/reviews/statistics"),
    }
    timings = {}
    for name, (who, url) in pages.items():
        for bench in (small, large):
            timings[(name, bench.applications)] = time_page(
                bench.app, getattr(bench, who), url.format(slug=bench.slug)
            )
    ranking, queue, panel = (timings[(n, scale)] for n in ("ranking", "queue", "statistics"))
    scores_seconds = _application_scores_seconds(large.app)
    cold_ms = _ranking_after_a_change_ms(large)
    assign_seconds = _assignment_service_seconds(review_bench(scale, reviewed=False))
    label = f"{scale:,} applications x 2 reviews x 5 criteria"
    return [
        Measurement(
            f"Ranking page, median server time ({label})",
            "< 300 ms",
            f"{ranking.median_ms:.1f} ms",
            ranking.median_ms < 300 and ranking.status == 200,
        ),
        Measurement(
            f"Ranking page right after a review changes (scores recomputed), median ({label})",
            "< 1 s",
            f"{cold_ms:.0f} ms",
            cold_ms < 1000,
        ),
        Measurement(
            f"Reviewer queue, median server time ({scale * 2 // 40} assignments of {label})",
            "< 100 ms",
            f"{queue.median_ms:.1f} ms",
            queue.median_ms < 100 and queue.status == 200,
        ),
        *(
            Measurement(
                f"{name.capitalize()} page SQL queries, {SMALL:,} vs {scale:,} applications",
                "equal",
                f"{timings[(name, SMALL)].queries} vs {timings[(name, scale)].queries}",
                timings[(name, SMALL)].queries == timings[(name, scale)].queries,
            )
            for name in pages
        ),
        Measurement(
            f"Reliability and bias panel, median server time ({label})",
            "< 1 s",
            f"{panel.median_ms:.0f} ms",
            panel.median_ms < 1000 and panel.status == 200,
        ),
        Measurement(
            f"assign_automatically() with the database, {scale:,} applications x 40 reviewers, "
            "k=2, ~1.7% school conflicts, 4 caps, median of 3",
            "< 2 s",
            f"{assign_seconds:.2f} s",
            assign_seconds < 2,
        ),
        Measurement(
            f"application_scores() for the allocation ({label})",
            "< 300 ms",
            f"{scores_seconds * 1000:.1f} ms",
            scores_seconds < 0.3,
        ),
    ]


def _ranking_after_a_change_ms(bench) -> float:
    """Each request follows a change to one review, so the round's scores are recomputed."""
    from clerkship.accounts.models import User
    from clerkship.core.time import utcnow
    from clerkship.reviews.records import Review

    app = bench.app
    client = app.test_client()
    with app.app_context():
        user_id = db.session.scalar(db.select(User).where(User.email == bench.director)).get_id()
        review_id = db.session.scalar(db.select(Review.id).limit(1))
        db.session.remove()
    with client.session_transaction() as session:
        session["_user_id"] = user_id
        session["_fresh"] = True
    url = f"/departments/{bench.slug}/reviews/ranking"

    def touch() -> None:
        with app.app_context():
            db.session.execute(
                db.update(Review).where(Review.id == review_id).values(updated_at=utcnow())
            )
            db.session.commit()

    samples = []
    for _ in range(5):
        touch()
        start = time.perf_counter()
        client.get(url).get_data()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def _assignment_service_seconds(bench) -> float:
    """The whole service on a round with nobody assigned, rolled back after each run."""
    from clerkship.accounts.models import User
    from clerkship.reviews.assignment.services import assign_automatically
    from clerkship.reviews.models import ReviewRound
    from clerkship.reviews.records import ReviewAssignment

    app = bench.app
    made = 0
    samples = []
    with app.app_context(), app.test_request_context(base_url=app.config["BASE_URL"]):
        director = db.session.scalar(db.select(User).where(User.email == bench.director))
        review_round = db.session.scalar(db.select(ReviewRound))
        for _ in range(3):
            start = time.perf_counter()
            assign_automatically(review_round, due_on=None, by=director)
            db.session.flush()
            samples.append(time.perf_counter() - start)
            made = db.session.scalar(db.select(db.func.count(ReviewAssignment.id)))
            db.session.rollback()
        db.session.remove()
    if made != 2 * bench.applications:
        return float("inf")  # not every application got its two reviewers: a failed run
    return statistics.median(samples)


def _application_scores_seconds(app: Flask) -> float:
    from clerkship.cycles.models import Cycle, Department
    from clerkship.reviews.queries import application_scores

    with app.app_context():
        department = db.session.scalar(db.select(Department))
        cycle = db.session.scalar(db.select(Cycle))
        seconds = median_seconds(lambda: application_scores(department, cycle), repeats=5)
        db.session.remove()
    return seconds
