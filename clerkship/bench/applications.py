"""Benchmarks of the department's application pages on a season of thousands of applications."""

from __future__ import annotations

from flask import Flask

from clerkship.bench import Measurement
from clerkship.bench.harness import scaled_app, time_page

DIRECTOR = "em.director@keck.example.edu"
COORDINATOR = "em.coordinator@keck.example.edu"
LIST = "/departments/emergency-medicine/applications/"
ONBOARDING = "/departments/emergency-medicine/onboarding/"
SMALL = 50


def run(app: Flask, scale: int = 5000) -> list[Measurement]:
    """List and onboarding pages: median server time at scale, query counts at 50 vs scale."""
    small, large = scaled_app(SMALL), scaled_app(scale)
    pages = {
        "list": (DIRECTOR, LIST),
        "list sorted by name, page 2": (DIRECTOR, LIST + "?sort=name&page=2"),
        "list searched by name": (DIRECTOR, LIST + "?q=student+00004"),
        "list filtered by state and block": (DIRECTOR, LIST + "?state=under_review&block=1"),
        "onboarding": (COORDINATOR, ONBOARDING),
        "onboarding, not cleared": (COORDINATOR, ONBOARDING + "?show=not_cleared"),
        "onboarding, awaiting verification, page 2": (
            COORDINATOR,
            ONBOARDING + "?state=waiting&page=2",
        ),
    }
    results = []
    for label, (email, url) in pages.items():
        few, many = time_page(small, email, url), time_page(large, email, url)
        results.append(
            Measurement(
                f"Applications {label}, median server time ({scale:,} applications)",
                "< 150 ms",
                f"{many.median_ms:.1f} ms",
                many.median_ms < 150 and many.status == 200,
            )
        )
        results.append(
            Measurement(
                f"Applications {label}, SQL queries ({SMALL} vs {scale:,} applications)",
                "equal",
                f"{few.queries} vs {many.queries}",
                few.queries == many.queries and few.status == 200,
            )
        )
    return results
