"""Benchmarks of the start pages (issue 18): each role's page on a small and a large season.

Every start page is read through grouped queries, so its statements must be the same at 50
and at 5,000 applications, and its median server time stay under 150 ms.
"""

from __future__ import annotations

from flask import Flask

from clerkship.bench import Measurement
from clerkship.bench.harness import scaled_app, time_page

SMALL = 50
TARGET_MS = 150

# role -> a demo login holding it (Emergency Medicine is the department the scale grows).
ROLES = {
    "student (pending offer)": "nia.thompson@med.example.edu",
    "reviewer": "em.reviewer@keck.example.edu",
    "director": "em.director@keck.example.edu",
    "coordinator": "em.coordinator@keck.example.edu",
    "award committee": "award.committee@keck.example.edu",
    "administrator": "admin@keck.example.edu",
}


def run(app: Flask, scale: int = 5000) -> list[Measurement]:
    """Each role's start page: median at SMALL and scale synthetic applications, and queries."""
    results = []
    seasons = {size: scaled_app(size) for size in (SMALL, scale)}
    kept = {size: season.config["TWO_FACTOR_ROLES"] for size, season in seasons.items()}
    for season in seasons.values():
        # The demo leaves two-step sign-in to be set up at first sign-in; the benchmark
        # signs in by session, so it measures the start page and not that set-up page.
        season.config["TWO_FACTOR_ROLES"] = []
    try:
        for role, email in ROLES.items():
            small = time_page(seasons[SMALL], email, "/")
            large = time_page(seasons[scale], email, "/")
            results.append(
                Measurement(
                    f"Start page, {role}: median at {SMALL} / {scale:,} applications; queries",
                    f"< {TARGET_MS} ms; equal",
                    f"{small.median_ms:.1f} / {large.median_ms:.1f} ms; "
                    f"{small.queries} vs {large.queries}",
                    small.status == large.status == 200
                    and large.median_ms < TARGET_MS
                    and small.queries == large.queries,
                )
            )
    finally:
        for size, season in seasons.items():
            season.config["TWO_FACTOR_ROLES"] = kept[size]
    return results
