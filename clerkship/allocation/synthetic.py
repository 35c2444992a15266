"""Seeded generator of realistic allocation instances, for tests and benchmarks.

`generate` returns an instance dict in the interchange format (spec §6), ready for
`json.dumps` or `interchange.parse_instance`. The same arguments give the same
instance on every run and platform (`random.Random(seed)` only).
"""

from __future__ import annotations

import random
from itertools import accumulate

DEPARTMENTS = ("EM", "PSY", "IM", "PED")


def generate(
    n_students: int,
    *,
    seed: int = 0,
    departments: tuple[str, ...] = DEPARTMENTS,
    months: int = 12,
    year: int = 2027,
    capacity: tuple[int, int] = (2, 8),
    reserved: tuple[int, int] = (1, 2),
    ranking_length: tuple[int, int] = (3, 8),
    uim_share: float = 0.25,
    block_score_share: float = 0.1,
) -> dict:
    """An instance with one block per department and month, and ``n_students`` students.

    Capacities, reserves and ranking lengths are drawn uniformly from the inclusive
    ranges given (a reserve never exceeds its capacity, a ranking never the number of
    blocks). Rankings favour a few popular blocks (Pareto weights), as real ones do.
    Scores are JSON numbers with at most two decimals; about one in five is a whole
    number, so exact ties are common.
    """
    # Reproducible test data, not secrets: the standard generator is the right one.
    rng = random.Random(seed)  # nosec B311
    blocks = []
    for department in departments:
        for month in range(1, months + 1):
            seats = rng.randint(*capacity)
            blocks.append(
                {
                    "id": f"{department}-{year}-{month:02d}",
                    "capacity": seats,
                    "reserved": min(seats, rng.randint(*reserved)),
                }
            )
    block_ids = [block["id"] for block in blocks]
    weights = list(accumulate(rng.paretovariate(1.2) for _ in block_ids))

    students = []
    for number in range(1, n_students + 1):
        length = min(len(block_ids), rng.randint(*ranking_length))
        ranking: list[str] = []
        while len(ranking) < length:
            (block_id,) = rng.choices(block_ids, cum_weights=weights)
            if block_id not in ranking:
                ranking.append(block_id)
        student = {
            "id": f"S{number:06d}",
            "uim": rng.random() < uim_share,
            "score": _score(rng),
            "ranking": ranking,
        }
        if ranking and rng.random() < block_score_share:
            student["block_scores"] = {rng.choice(ranking): _score(rng)}
        students.append(student)
    return {"blocks": blocks, "students": students}


def _score(rng: random.Random) -> float:
    """A reviewer composite between 40 and 100 with at most two decimals."""
    if rng.random() < 0.2:
        return float(rng.randint(60, 95))
    cents = min(10000, max(4000, round(rng.gauss(7500, 900))))
    # cents / 100 is the double nearest the two-decimal number, so it prints as one.
    return cents / 100
