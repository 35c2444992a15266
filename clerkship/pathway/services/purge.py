"""Deleting a closed cycle's self-identification answers, keeping only aggregate counts."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select

from clerkship.accounts.models import User
from clerkship.audit.services import record_event
from clerkship.core.rules import RuleViolation
from clerkship.core.suppression import is_small, suppress_counts
from clerkship.cycles.models import Cycle
from clerkship.extensions import db
from clerkship.pathway.models import PathwayAggregate, SelfIdentification


@dataclass(frozen=True)
class PurgeResult:
    """What a purge deleted and the counts it kept (small groups suppressed)."""

    deleted: int
    counts: dict[tuple[int, str, str], int]


def purge_allowed_from(cycle: Cycle, retention_days: int) -> datetime | None:
    """When the cycle's answers may be purged: retention_days after it closed (None: open)."""
    if cycle.closed_at is None:
        return None
    return cycle.closed_at + timedelta(days=retention_days)


def count_answers(answers: list[SelfIdentification]) -> Counter:
    """Aggregate counts by (definition version, item, value); no person can be picked out."""
    counts: Counter = Counter()
    for a in answers:
        number = a.config.number
        counts[(number, "answered", "all")] += 1
        counts[(number, "identifies", a.identifies.value)] += 1
        for category in a.categories:
            counts[(number, "category", category)] += 1
        for criterion in a.criteria:
            counts[(number, "criterion", criterion)] += 1
    return counts


def kept_counts(counts: Counter) -> dict[tuple[int, str, str], int]:
    """The counts a purge keeps: none under the suppression threshold, and, as the answers
    to "identifies" add up to the number answered, a complement beside a lone small one."""
    kept: dict[tuple[int, str, str], int] = {}
    for number in sorted({key[0] for key in counts}):
        identifies = sorted(k for k in counts if k[:2] == (number, "identifies"))
        shown = suppress_counts([counts[k] for k in identifies], total_shown=True)
        kept.update((k, v) for k, v in zip(identifies, shown, strict=True) if v is not None)
    for key, count in counts.items():
        if key[1] != "identifies" and not is_small(count):
            kept[key] = count
    return kept


def purge_answers(
    cycle: Cycle, *, retention_days: int, now: datetime, by: User | None, dry_run: bool = False
) -> PurgeResult:
    """Delete the answers of a cycle closed more than retention_days ago; add them to the counts."""
    allowed_from = purge_allowed_from(cycle, retention_days)
    if allowed_from is None:
        raise RuleViolation(f"The {cycle.name} cycle is not closed; its answers are kept.")
    if now < allowed_from:
        raise RuleViolation(
            f"The {cycle.name} cycle closed on {cycle.closed_at:%Y-%m-%d}; its answers are kept "
            f"for {retention_days} days, until {allowed_from:%Y-%m-%d}."
        )
    answers = list(
        db.session.scalars(
            select(SelfIdentification)
            .where(SelfIdentification.cycle_id == cycle.id)
            .with_for_update(of=SelfIdentification)
        )
    )
    counts = kept_counts(count_answers(answers))
    if dry_run:
        return PurgeResult(len(answers), counts)
    existing = {
        (row.config_number, row.item, row.value): row
        for row in db.session.scalars(
            select(PathwayAggregate).where(PathwayAggregate.cycle_id == cycle.id)
        )
    }
    for (number, item, value), count in counts.items():
        row = existing.get((number, item, value))
        if row is None:
            row = PathwayAggregate(
                cycle_id=cycle.id, config_number=number, item=item, value=value, count=0
            )
            db.session.add(row)
        row.count += count
        row.purged_at = now
    db.session.execute(delete(SelfIdentification).where(SelfIdentification.cycle_id == cycle.id))
    record_event(
        "pathway.answers_purged",
        by=by,
        target=cycle,
        summary=f"{len(answers)} answer(s) deleted, counts kept",
        deleted=len(answers),
    )
    db.session.flush()
    return PurgeResult(len(answers), counts)


def expired_cycles(*, retention_days: int, now: datetime) -> list[Cycle]:
    """Closed cycles past their retention period that still hold answers, oldest first."""
    return list(
        db.session.scalars(
            select(Cycle)
            .where(
                Cycle.closed_at.is_not(None),
                Cycle.closed_at <= now - timedelta(days=retention_days),
                select(SelfIdentification.id)
                .where(SelfIdentification.cycle_id == Cycle.id)
                .exists(),
            )
            .order_by(Cycle.closed_at, Cycle.id)
        )
    )


def purge_expired(
    *, retention_days: int, now: datetime, by: User | None
) -> list[tuple[Cycle, PurgeResult]]:
    """Purge every closed cycle past its retention period; nothing to do is not an error,
    so a scheduler can run it every day."""
    return [
        (cycle, purge_answers(cycle, retention_days=retention_days, now=now, by=by))
        for cycle in expired_cycles(retention_days=retention_days, now=now)
    ]
