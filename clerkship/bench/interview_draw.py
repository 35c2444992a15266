"""Benchmark: interview-day draw for 3,000 invitees over 20 days."""

from __future__ import annotations

import random
import statistics
import time

from clerkship.bench import Measurement
from clerkship.interviews.draw.engine import Day, Invitee, draw_days

INVITEES = 3_000
DAYS = 20
RESERVED_DAYS = 2
TARGET_SECONDS = 1.0
RUNS = 3


def build_season(seed: int = 2027) -> tuple[list[Day], list[Invitee]]:
    """A seeded season: 20 days (two reserved) and 3,000 invitees with rankings."""
    rng = random.Random(seed)
    days = [
        Day(f"D{j:02d}", rng.randint(100, 160), reserved=j < RESERVED_DAYS) for j in range(DAYS)
    ]
    ids = [d.id for d in days]
    invitees = [
        Invitee(f"I{i:05d}", rng.random() < 0.3, tuple(rng.sample(ids, rng.randint(1, 8))))
        for i in range(INVITEES)
    ]
    return days, invitees


def run(app: object = None) -> list[Measurement]:
    """Time the draw three times and report the median against the target."""
    days, invitees = build_season()
    times = []
    for seed in range(RUNS):
        start = time.perf_counter()
        draw_days(days, invitees, seed=seed)
        times.append(time.perf_counter() - start)
    median = statistics.median(times)
    return [
        Measurement(
            figure=(f"interview-day draw, {INVITEES:,} invitees x {DAYS} days, median of {RUNS}"),
            target=f"< {TARGET_SECONDS:g} s",
            measured=f"{median:.3f} s",
            met=median < TARGET_SECONDS,
        )
    ]
