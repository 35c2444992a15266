"""Fair release of residency interview days by random serial dictatorship.

The invitees are put in a random order; in turn, each gets the best day on their
ranking that still has room and that they may book, or nothing. A reserved day is only
for invitees in the pathway: anyone else's ranking entry for it is ignored. Every order
is equally likely, so nobody is favoured, and nobody gains by ranking other than
truthfully: random serial dictatorship is strategy-proof, and its result is Pareto
efficient (no other use of the same seats gives someone a better day without giving
somebody else a worse one).

Audit and replay: the result carries the seed and the order used. Invitees are sorted
by id before the shuffle, so the order of the input lists does not matter, and the
same days, invitees, bookings and seed always give the same draw. (`random.Random`
with an integer seed and its `shuffle` have produced the same sequence since Python
3.2.) Take a fresh seed from `new_seed()` only once rankings have closed, so nobody can
know the order in advance; after the draw the seed is published with it.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Day:
    """An interview day: its seats, and whether it is reserved for the pathway."""

    id: str
    capacity: int
    reserved: bool = False


@dataclass(frozen=True)
class Invitee:
    """An invited applicant and the days they can attend, best first."""

    id: str
    in_pathway: bool
    ranking: tuple[str, ...]


@dataclass(frozen=True)
class Draw:
    """What a draw decided and all it takes to replay it."""

    seed: int
    order: tuple[str, ...]
    assignment: Mapping[str, str | None]  # every invitee: their day, or None


def new_seed() -> int:
    """A fresh, unpredictable 64-bit seed for a draw."""
    return secrets.randbits(64)


def draw_days(
    days: Sequence[Day],
    invitees: Sequence[Invitee],
    *,
    seed: int,
    booked: Mapping[str, int] | None = None,
) -> Draw:
    """Give each invitee, in a random order from the seed, their best day with room."""
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ValueError(f"seed must be an integer, not {seed!r}")
    by_id = _index_days(days)
    room = {day.id: day.capacity for day in days}
    for day_id, taken in (booked or {}).items():
        if day_id not in by_id:
            raise ValueError(f"bookings for unknown day {day_id}")
        if taken < 0:
            raise ValueError(f"day {day_id}: negative bookings ({taken})")
        # A day already booked past a lowered capacity simply has no room left.
        room[day_id] = max(0, room[day_id] - taken)
    people = {}
    for invitee in invitees:
        if invitee.id in people:
            raise ValueError(f"invitee {invitee.id} is listed twice")
        _check_ranking(invitee, by_id)
        people[invitee.id] = invitee

    order = sorted(people)
    random.Random(seed).shuffle(order)
    assignment: dict[str, str | None] = {}
    for invitee_id in order:
        invitee = people[invitee_id]
        assignment[invitee_id] = None
        for day_id in invitee.ranking:
            if room[day_id] > 0 and (invitee.in_pathway or not by_id[day_id].reserved):
                room[day_id] -= 1
                assignment[invitee_id] = day_id
                break
    return Draw(seed=seed, order=tuple(order), assignment=assignment)


def _index_days(days: Sequence[Day]) -> dict[str, Day]:
    by_id: dict[str, Day] = {}
    for day in days:
        if day.id in by_id:
            raise ValueError(f"day {day.id} is listed twice")
        if day.capacity < 0:
            raise ValueError(f"day {day.id}: negative capacity ({day.capacity})")
        by_id[day.id] = day
    return by_id


def _check_ranking(invitee: Invitee, by_id: Mapping[str, Day]) -> None:
    seen: set[str] = set()
    for day_id in invitee.ranking:
        if day_id not in by_id:
            raise ValueError(f"invitee {invitee.id} ranks unknown day {day_id}")
        if day_id in seen:
            raise ValueError(f"invitee {invitee.id} ranks day {day_id} twice")
        seen.add(day_id)
