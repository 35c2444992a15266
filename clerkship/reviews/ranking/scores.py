"""Raw and calibrated composites of a round, computed once per change of its reviews.

A review's composite is stored, held at hundredths, when it is submitted. Here they
are averaged per application (raw) and calibrated per reviewer (`scoring.calibrate`)
over every submitted review of the round: a reviewer's leniency is measured on all
their reviews, whatever became of the applications since (a withdrawal does not move
anybody else's calibrated score).

Calibrating 10,000 reviews in Decimal takes a few hundred milliseconds, so the result
(and the panel's agreement figures, through `cached`) is kept in memory per round and
reused until the round's reviews or settings change. The
stamp that says so is read from the database on every call (one index-only query), so
each process of a deployment sees every change at once.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

from flask import current_app
from sqlalchemy import func, select

from clerkship.extensions import db
from clerkship.reviews.models import CompositeSource, ReviewRound, Rubric
from clerkship.reviews.ranking.scoring import (
    Calibration,
    ScoredReview,
    calibrate,
    flag_disagreements,
    score_applications,
)
from clerkship.reviews.records import Review, ReviewAssignment, ReviewState
from clerkship.reviews.subjects import subject_column

CACHE_KEY = "clerkship.reviews.scores"
CACHED_ENTRIES = 32
T = TypeVar("T")


@dataclass(frozen=True)
class RoundScores:
    """Raw and calibrated composites of a round's applications, and the gaps flagged."""

    reviews: tuple[ScoredReview, ...]
    raw: dict[int, Decimal]
    calibration: Calibration
    calibrated: dict[int, Decimal]
    gaps: dict[int, Decimal]  # application -> spread of its review composites, when flagged
    source: CompositeSource

    @property
    def chosen_table(self) -> dict[int, Decimal]:
        """The composites that feed the allocation."""
        return self.calibrated if self.source is CompositeSource.CALIBRATED else self.raw

    def chosen(self, application_id: int) -> Decimal | None:
        """The composite of one application that feeds the allocation."""
        return self.chosen_table.get(application_id)


EMPTY = Calibration((), {}, frozenset(), Decimal(0), Decimal(0))


def submitted_composites(review_round: ReviewRound) -> list[ScoredReview]:
    """(subject, reviewer, composite) of every submitted review with a composite."""
    subject = subject_column(review_round)
    rows = db.session.connection().execute(
        select(subject, ReviewAssignment.reviewer_id, Review.composite)
        .join(Review, Review.assignment_id == ReviewAssignment.id)
        .where(
            ReviewAssignment.round_id == review_round.id,
            subject.is_not(None),
            Review.state == ReviewState.SUBMITTED,
            Review.composite.is_not(None),
        )
    )
    return [ScoredReview(str(a), str(r), c) for a, r, c in rows]


def review_stamp(review_round: ReviewRound) -> tuple:
    """(reviews, newest change, scale low, scale high, min reviews, threshold) of the round."""
    # Any saved, submitted, edited or deleted review changes the count or the newest
    # updated_at (an index-only read); the settings are compared by value.
    count, newest, low, high = (
        db.session.connection()
        .execute(
            select(
                func.count(Review.id),
                func.max(Review.updated_at),
                func.min(Rubric.scale_low),
                func.max(Rubric.scale_high),
            )
            .select_from(Rubric)
            .outerjoin(Review, Review.rubric_id == Rubric.id)
            .where(Rubric.round_id == review_round.id)
        )
        .one()
    )
    return (
        count,
        newest,
        low,
        high,
        review_round.calibration_min_reviews,
        review_round.disagreement_threshold,
    )


def _compute(
    review_round: ReviewRound, low: int, high: int
) -> tuple[tuple, dict, Calibration, dict, dict]:
    scored = submitted_composites(review_round)
    calibration = calibrate(
        scored, low=low, high=high, min_reviews=review_round.calibration_min_reviews
    )
    gaps = flag_disagreements(scored, threshold=review_round.disagreement_threshold)
    return (
        tuple(scored),
        {int(a): v for a, v in score_applications(scored).items()},
        calibration,
        {int(a): v for a, v in calibration.applications.items()},
        {int(a): v for a, v in gaps.items()},
    )


def cached(review_round: ReviewRound, name: Hashable, compute: Callable[[tuple], T]) -> T:
    """compute(stamp) for a saved round, reused while the round's reviews and settings stay."""
    db.session.flush()
    stamp = review_stamp(review_round)
    cache = current_app.extensions.setdefault(CACHE_KEY, {})
    key = (review_round.id, name)
    hit = cache.get(key)
    if hit is not None and hit[0] == stamp:
        return hit[1]
    value = compute(stamp)
    cache.pop(key, None)
    while len(cache) >= CACHED_ENTRIES:
        cache.pop(next(iter(cache)))
    cache[key] = (stamp, value)
    return value


def score_round(review_round: ReviewRound) -> RoundScores:
    """Raw and calibrated composites of every reviewed application of the round."""
    source = review_round.composite_source or CompositeSource.RAW
    if review_round.id is None:
        return RoundScores((), {}, EMPTY, {}, {}, source)

    def compute(stamp: tuple):
        low, high = stamp[2] if stamp[2] is not None else 1, stamp[3] or 5
        return _compute(review_round, low, high)

    reviews, raw, calibration, calibrated, gaps = cached(review_round, "scores", compute)
    return RoundScores(reviews, raw, calibration, calibrated, gaps, source)
