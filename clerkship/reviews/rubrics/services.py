"""Saving a rubric: a new version once reviews use the current one, never a change under them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import exists, select

from clerkship.accounts.models import User
from clerkship.audit.services import record_event
from clerkship.core.rules import RuleViolation
from clerkship.extensions import db
from clerkship.reviews.models import CriterionLevel, ReviewRound, Rubric, RubricCriterion
from clerkship.reviews.records import Review, ReviewAssignment
from clerkship.reviews.rounds.services import lock_round

MAX_CRITERIA = 20
STALE_RUBRIC = (
    "Someone else saved this rubric after you opened it. Nothing was saved; what you typed "
    "is kept below. Compare it with the current rubric and save again."
)


@dataclass
class CriterionInput:
    """One criterion as a director typed it; key is None for a new criterion."""

    name: str
    weight: Decimal
    descriptions: dict[int, str]
    guidance: str = ""
    allows_insufficient: bool = False
    key: str | None = None
    index: int = field(default=0, compare=False)  # position in the form, for messages


def current_rubric(review_round: ReviewRound) -> Rubric | None:
    """The newest version of a round's rubric, if it has one."""
    if review_round.id is None:
        return None
    return db.session.scalar(
        select(Rubric)
        .where(Rubric.round_id == review_round.id)
        .order_by(Rubric.number.desc())
        .limit(1)
    )


def rubric_versions(review_round: ReviewRound) -> list[Rubric]:
    """Every version of a round's rubric, newest first."""
    if review_round.id is None:
        return []
    return list(
        db.session.scalars(
            select(Rubric).where(Rubric.round_id == review_round.id).order_by(Rubric.number.desc())
        )
    )


def is_in_use(rubric: Rubric) -> bool:
    """Whether any review, draft or submitted, is written on this version."""
    return bool(db.session.scalar(select(exists().where(Review.rubric_id == rubric.id))))


def _round_has_reviews(review_round: ReviewRound) -> bool:
    return bool(
        db.session.scalar(
            select(
                exists()
                .where(Review.assignment_id == ReviewAssignment.id)
                .where(ReviewAssignment.round_id == review_round.id)
            )
        )
    )


def _check(title: str, low: int, high: int, criteria: Sequence[CriterionInput]) -> None:
    if not title.strip():
        raise RuleViolation("Give the rubric a title.", field="title")
    if not 0 <= low < high <= 10:
        raise RuleViolation("Choose a scale from the list.", field="scale")
    if not criteria:
        raise RuleViolation("A rubric needs at least one criterion.")
    if len(criteria) > MAX_CRITERIA:
        raise RuleViolation(f"A rubric has at most {MAX_CRITERIA} criteria.")
    seen: set[str] = set()
    for c in criteria:
        where = f"criteria-{c.index}"
        if not c.name.strip():
            raise RuleViolation("Name the criterion.", field=f"{where}-name")
        if c.name.strip().casefold() in seen:
            raise RuleViolation(
                f"Two criteria are called {c.name.strip()}; give each its own name.",
                field=f"{where}-name",
            )
        seen.add(c.name.strip().casefold())
        if not Decimal("0") < c.weight <= Decimal("100"):
            raise RuleViolation("Enter a weight above 0 and at most 100.", field=f"{where}-weight")
        missing = [
            level for level in range(low, high + 1) if not c.descriptions.get(level, "").strip()
        ]
        if missing:
            raise RuleViolation(
                f"Describe the behaviour for every level of {c.name.strip()}; level "
                f"{missing[0]} has no description.",
                field=f"{where}-levels-{missing[0] - low}",
            )


def save_rubric(
    review_round: ReviewRound,
    *,
    title: str,
    scale_low: int,
    scale_high: int,
    criteria: Sequence[CriterionInput],
    based_on: int | None,
    by: User,
) -> Rubric:
    """Save the rubric: replace the current version if no review uses it, else add a version."""
    _check(title, scale_low, scale_high, criteria)
    lock_round(review_round)
    current = current_rubric(review_round)
    if (current.id if current else None) != based_on:
        raise RuleViolation(STALE_RUBRIC)
    rescaled = current is not None and (scale_low, scale_high) != (
        current.scale_low,
        current.scale_high,
    )
    if rescaled and _round_has_reviews(review_round):
        raise RuleViolation(
            f"Reviews already use the {current.scale_low}–{current.scale_high} scale; "
            "composites on two scales could not be compared, so the scale stays.",
            field="scale",
        )
    in_use = current is not None and is_in_use(current)
    keys = _all_keys(review_round)
    known = {c.key for c in current.criteria} if current else set()
    number = 1 if current is None else current.number + (1 if in_use else 0)
    if current is not None and not in_use:
        db.session.delete(current)
        db.session.flush()
    rubric = Rubric(
        round_id=review_round.id,
        number=number,
        title=" ".join(title.split()),
        scale_low=scale_low,
        scale_high=scale_high,
        created_by_id=by.id,
    )
    for position, c in enumerate(criteria, start=1):
        key = c.key if c.key in known else _new_key(keys)
        keys.add(key)
        criterion = RubricCriterion(
            position=position,
            key=key,
            name=c.name.strip(),
            guidance=c.guidance.strip(),
            weight=c.weight,
            allows_insufficient=c.allows_insufficient,
        )
        criterion.levels = [
            CriterionLevel(level=level, description=c.descriptions[level].strip())
            for level in range(scale_low, scale_high + 1)
        ]
        rubric.criteria.append(criterion)
    db.session.add(rubric)
    db.session.flush()
    record_event(
        "reviews.rubric_save",
        by=by,
        target=rubric,
        summary=f"{review_round.title}: rubric version {number}"
        + (" (new version: reviews use the previous one)" if in_use else ""),
        criteria=[c.name for c in rubric.criteria],
    )
    return rubric


def _all_keys(review_round: ReviewRound) -> set[str]:
    return set(
        db.session.scalars(
            select(RubricCriterion.key)
            .join(Rubric, Rubric.id == RubricCriterion.rubric_id)
            .where(Rubric.round_id == review_round.id)
        )
    )


def _new_key(taken: set[str]) -> str:
    n = len(taken) + 1
    while f"c{n}" in taken:
        n += 1
    return f"c{n}"
