"""Benchmarks of the foundation: the catalogue page and password hashing."""

from __future__ import annotations

from flask import Flask

from clerkship.accounts.passwords import hash_password
from clerkship.bench import Measurement
from clerkship.bench.harness import median_seconds, scaled_app, time_page


def run(app: Flask, scale: int = 5000) -> list[Measurement]:
    """Catalogue time and query counts on a small and a large season; argon2 cost."""
    small = time_page(scaled_app(0), None, "/catalogue")
    large = time_page(scaled_app(scale), None, "/catalogue")
    dashboard_small = time_page(scaled_app(0), "admin@keck.example.edu", "/")
    dashboard_large = time_page(scaled_app(scale), "admin@keck.example.edu", "/")
    hashing = median_seconds(lambda: hash_password("correct horse battery staple"), repeats=5)
    return [
        Measurement(
            f"Catalogue page, median server time ({scale:,} students)",
            "< 100 ms",
            f"{large.median_ms:.1f} ms",
            large.median_ms < 100 and large.status == 200,
        ),
        Measurement(
            "Catalogue page SQL queries, demo season vs scaled",
            "equal",
            f"{small.queries} vs {large.queries}",
            small.queries == large.queries,
        ),
        Measurement(
            "Start page SQL queries (admin), demo season vs scaled",
            "equal",
            f"{dashboard_small.queries} vs {dashboard_large.queries}",
            dashboard_small.queries == dashboard_large.queries,
        ),
        Measurement(
            "argon2id password hash (sign-in cost)",
            "< 500 ms",
            f"{hashing * 1000:.0f} ms",
            hashing < 0.5,
        ),
    ]
