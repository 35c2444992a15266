"""Benchmark: automatic assignment of 5,000 applications to 40 reviewers."""

from __future__ import annotations

import random
import statistics
import time

from clerkship.bench import Measurement
from clerkship.reviews.assignment.engine import Pair, Reviewer, assign_reviewers

APPLICATIONS = 5_000
REVIEWERS = 40
CONFLICT_RATE = 0.02
CAPS = (100, 150, 200, 300)  # a few capped reviewers, some below the even share of 250
TARGET_SECONDS = 2.0
RUNS = 3


def build_department(seed: int = 2027) -> tuple[list[str], list[Reviewer], list[Pair]]:
    """A seeded department: applications, reviewers (a few capped) and ~2% conflicts."""
    rng = random.Random(seed)
    applications = [f"A{i:05d}" for i in range(APPLICATIONS)]
    reviewers = [
        Reviewer(f"R{j:02d}", CAPS[j] if j < len(CAPS) else None) for j in range(REVIEWERS)
    ]
    conflicts = [
        Pair(a, r.id) for a in applications for r in reviewers if rng.random() < CONFLICT_RATE
    ]
    return applications, reviewers, conflicts


def run(app: object = None) -> list[Measurement]:
    """Time the assignment three times and report the median against the target."""
    applications, reviewers, conflicts = build_department()
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        assign_reviewers(applications, reviewers, conflicts=conflicts, k=2)
        times.append(time.perf_counter() - start)
    median = statistics.median(times)
    return [
        Measurement(
            figure=(
                f"automatic reviewer assignment, {APPLICATIONS:,} applications x "
                f"{REVIEWERS} reviewers, k=2, median of {RUNS}"
            ),
            target=f"< {TARGET_SECONDS:g} s",
            measured=f"{median:.2f} s",
            met=median < TARGET_SECONDS,
        )
    ]
