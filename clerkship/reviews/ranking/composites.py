"""The composites of `scoring` computed by the database, per application, in one statement.

The ranking page and the dashboards' score chart read these instead of loading every review
into Python, so a page's cost no longer follows the size of the round. `scoring` stays the
reference: the same rules, and tests compare the two on both databases.

Everything is in whole hundredths (a review's composite is held at hundredths), so most
figures are exact integer arithmetic on both databases, rounding half up as `hold` does:
a mean of n values summing to s is (2s + n) div 2n. Only a calibrated review composite
(pooled mean + z x pooled spread, when both spreads are non-zero) needs a square root: it
is computed in floating point and held with a margin of 1e-9 of a point, so a value that
is exactly on a half hundredth rounds up as Decimal's does.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from sqlalchemy import (
    BigInteger,
    Float,
    Integer,
    Subquery,
    case,
    cast,
    delete,
    func,
    insert,
    literal,
    select,
)

from clerkship.extensions import db
from clerkship.reviews.models import CompositeSource, ReviewRound, Rubric
from clerkship.reviews.ranking.scores import review_stamp
from clerkship.reviews.ranking.scoring import Calibration, hold
from clerkship.reviews.records import (
    ApplicationComposite,
    CompositeStamp,
    Review,
    ReviewAssignment,
    ReviewState,
)

EPSILON = 1e-7  # hundredths: 1e-9 of a point


def _hundredths(value):
    return cast(func.round(value * 100), Integer)


def _held_mean(total, count):
    """hold(total / count) of whole hundredths, in whole hundredths (half up, exact)."""
    # Both cast to whole numbers, so that // is whole-number division on both databases.
    return (2 * cast(total, BigInteger) + cast(count, BigInteger)) // (2 * cast(count, BigInteger))


def scale(review_round: ReviewRound) -> Subquery:
    """One row: the lowest and highest level of the round's rubrics (1 and 5 without one)."""
    return (
        select(
            func.coalesce(func.min(Rubric.scale_low), 1).label("low"),
            func.coalesce(func.max(Rubric.scale_high), 5).label("high"),
        )
        .where(Rubric.round_id == review_round.id)
        .subquery("scale")
    )


def scored_reviews(review_round: ReviewRound) -> Subquery:
    """(application, reviewer, composite in hundredths) of each submitted, scored review."""
    return (
        select(
            ReviewAssignment.application_id.label("application_id"),
            ReviewAssignment.reviewer_id.label("reviewer_id"),
            _hundredths(Review.composite).label("c"),
        )
        .join(Review, Review.assignment_id == ReviewAssignment.id)
        .where(
            ReviewAssignment.round_id == review_round.id,
            ReviewAssignment.application_id.is_not(None),
            Review.state == ReviewState.SUBMITTED,
            Review.composite.is_not(None),
        )
        .subquery("scored")
    )


def pool(scored: Subquery) -> Subquery:
    """One row: count, sum and n x sum of squares - sum^2 (n^2 x variance) of every review."""
    n, s = func.count(scored.c.c), func.sum(scored.c.c)
    return select(
        n.label("n"), s.label("s"), (n * func.sum(scored.c.c * scored.c.c) - s * s).label("d")
    ).subquery("pool")


def _calibrated_review(
    scored: Subquery, reviewer: Subquery, pooled: Subquery, bounds: Subquery, min_reviews: int
):
    """A review's calibrated composite in whole hundredths (scoring.calibrate)."""
    exact_mean = _held_mean(pooled.c.s, pooled.c.n)
    # (c - mean_r) / spread_r x spread_p = (n_r c - s_r) x sqrt(d_p / d_r) / n_p
    z_term = (reviewer.c.n * scored.c.c - reviewer.c.s) * func.sqrt(
        cast(pooled.c.d, Float) / cast(reviewer.c.d, Float)
    )
    value = (cast(pooled.c.s, Float) + z_term) / cast(pooled.c.n, Float)
    low, high = bounds.c.low * 100, bounds.c.high * 100
    clamped = case((value < low, low), (value > high, high), else_=value)
    return case(
        # Reviewers with few reviews keep their raw scores.
        (reviewer.c.n < min_reviews, scored.c.c),
        # A reviewer who gave everyone the same score, or a pool without spread: the mean.
        ((reviewer.c.d == 0) | (pooled.c.d == 0), exact_mean),
        else_=cast(func.floor(clamped + 0.5 + EPSILON), Integer),
    )


def application_composites(review_round: ReviewRound) -> Subquery:
    """Per application of the round with a scored review: raw, calibrated and chosen
    composites and the spread of its review composites, all in whole hundredths."""
    scored = scored_reviews(review_round)
    n, s = func.count(scored.c.c), func.sum(scored.c.c)
    reviewer = (
        select(
            scored.c.reviewer_id,
            n.label("n"),
            s.label("s"),
            (n * func.sum(scored.c.c * scored.c.c) - s * s).label("d"),
        )
        .group_by(scored.c.reviewer_id)
        .subquery("reviewer")
    )
    pooled, bounds = pool(scored), scale(review_round)
    per_review = (
        select(
            scored.c.application_id,
            scored.c.c,
            _calibrated_review(
                scored, reviewer, pooled, bounds, review_round.calibration_min_reviews
            ).label("k"),
        )
        .join(reviewer, reviewer.c.reviewer_id == scored.c.reviewer_id)
        .join(pooled, literal(True))
        .join(bounds, literal(True))
        .subquery("per_review")
    )
    count = func.count(per_review.c.c)
    raw = _held_mean(func.sum(per_review.c.c), count)
    calibrated = _held_mean(func.sum(per_review.c.k), count)
    chosen = calibrated if review_round.composite_source is CompositeSource.CALIBRATED else raw
    return (
        select(
            per_review.c.application_id,
            raw.label("raw"),
            calibrated.label("calibrated"),
            chosen.label("chosen"),
            (func.max(per_review.c.c) - func.min(per_review.c.c)).label("spread"),
        )
        .group_by(per_review.c.application_id)
        .subquery("composites")
    )


def flagged(spread, threshold: Decimal):
    """Whether a spread in whole hundredths is over the disagreement threshold (a Decimal):
    for a whole number g, g > t exactly when g > floor(t)."""
    return spread > int((threshold * 100).to_integral_value(rounding=ROUND_FLOOR))


def stamp_text(review_round: ReviewRound) -> str:
    """The state of the round's reviews and settings the composites depend on, as text."""
    count, newest, low, high, min_reviews, _threshold = review_stamp(review_round)
    return f"{count}|{newest.isoformat() if newest else ''}|{low}|{high}|{min_reviews}"


def stored_are_current(review_round: ReviewRound) -> bool:
    """Whether the stored composites of the round reflect its reviews and settings now."""
    return current_stamp(review_round) is not None


def current_stamp(review_round: ReviewRound) -> CompositeStamp | None:
    """The stored stamp row of the round when its composites reflect its reviews and
    settings now (its pooled figures feed pooled_calibration), else None."""
    if review_round.id is None:
        return None
    stored = db.session.get(CompositeStamp, review_round.id)
    return stored if stored is not None and stored.stamp == stamp_text(review_round) else None


def refresh(review_round: ReviewRound) -> None:
    """Compute and store the round's application composites (two statements); flush."""
    if review_round.id is None or review_round.department_id is None:
        return
    db.session.flush()
    # One refresh of a round at a time: a later one waits here, then its statements see
    # the rows the earlier one committed.
    db.session.execute(
        select(ReviewRound.id).where(ReviewRound.id == review_round.id).with_for_update()
    )
    db.session.execute(
        delete(ApplicationComposite).where(ApplicationComposite.round_id == review_round.id)
    )
    db.session.execute(delete(CompositeStamp).where(CompositeStamp.round_id == review_round.id))
    computed = application_composites(review_round)
    db.session.execute(
        insert(ApplicationComposite).from_select(
            ["round_id", "application_id", "raw", "calibrated", "spread"],
            select(
                literal(review_round.id),
                computed.c.application_id,
                computed.c.raw,
                computed.c.calibrated,
                computed.c.spread,
            ),
        )
    )
    n, s, d, reviewers = _pool_row(review_round)
    db.session.add(
        CompositeStamp(
            round_id=review_round.id,
            stamp=stamp_text(review_round),
            pool_count=n,
            pool_sum=s,
            pool_spread=d,
            calibrated_reviewers=reviewers,
        )
    )
    db.session.flush()


@dataclass(frozen=True)
class Pool:
    """The pool calibration maps onto, as the ranking page states it."""

    pooled_mean: Decimal
    pooled_spread: Decimal
    calibrated_reviewers: int

    @classmethod
    def of(cls, calibration: Calibration) -> Pool:
        """The same figures from scoring.calibrate's result."""
        return cls(
            calibration.pooled_mean,
            calibration.pooled_spread,
            len(calibration.calibrated_reviewers),
        )


def _pool_row(review_round: ReviewRound) -> tuple[int, int, int, int]:
    """(reviews, sum, n^2 x variance, calibrated reviewers) of the round, by the database."""
    scored = scored_reviews(review_round)
    pooled = pool(scored)
    per_reviewer = (
        select(func.count(scored.c.c).label("n")).group_by(scored.c.reviewer_id).subquery("per")
    )
    calibrated_reviewers = (
        select(func.count())
        .select_from(per_reviewer)
        .where(per_reviewer.c.n >= review_round.calibration_min_reviews)
        .scalar_subquery()
    )
    n, s, d, reviewers = db.session.execute(
        select(pooled.c.n, pooled.c.s, pooled.c.d, calibrated_reviewers)
    ).one()
    return int(n or 0), int(s or 0), int(d or 0), int(reviewers or 0)


def pooled_calibration(stored: CompositeStamp) -> Pool:
    """The pooled mean and spread of every scored review of the round, and how many
    reviewers are calibrated, as stored by the last refresh (the arithmetic of
    scoring.calibrate): `stored` is current_stamp's row."""
    n, s, d = stored.pool_count, stored.pool_sum, stored.pool_spread
    if not n:
        return Pool(Decimal(0), Decimal(0), 0)
    mean = hold(Decimal(s) / n / 100)
    spread = hold(Decimal(d).sqrt() / n / 100)
    return Pool(mean, spread, stored.calibrated_reviewers)
