"""Rubric arithmetic: review composites, application composites, calibration, disagreement.

Numbers are Decimal throughout. Every result is held at hundredths, rounded half up
(2.125 -> 2.13, where Python's default half-even would give 2.12), so that ties are
exact and the same on every run and every database. A review's composite is held
first, and an application's composite is the mean of those held values, held again:
the figure a director sees for each review is the one that is averaged. Means,
standard deviations and z-scores in between keep Decimal's 28 significant digits.

Spread is the population standard deviation (divide by n, not n - 1): a reviewer's
reviews this cycle are the whole of the scoring we calibrate, not a sample of it, and
with the pool measured the same way a reviewer whose reviews are the whole pool maps
exactly onto themselves.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

HUNDREDTHS = Decimal("0.01")


@dataclass(frozen=True)
class Criterion:
    """One rubric criterion: its weight (positive) and its scale of levels."""

    id: str
    weight: Decimal | int
    low: int = 1
    high: int = 5


@dataclass(frozen=True)
class Rubric:
    """The criteria of one rubric, all on one scale."""

    criteria: tuple[Criterion, ...]

    def __post_init__(self) -> None:
        if not self.criteria:
            raise ValueError("a rubric needs at least one criterion")
        seen: set[str] = set()
        for c in self.criteria:
            if c.id in seen:
                raise ValueError(f"criterion {c.id} is listed twice")
            seen.add(c.id)
            if isinstance(c.weight, float) or not c.weight > 0:
                raise ValueError(f"criterion {c.id}: weight must be a positive Decimal or int")
            if not c.low < c.high:
                raise ValueError(f"criterion {c.id}: scale {c.low}-{c.high} is empty")
            # A weighted mean of levels on different scales would mean nothing.
            if (c.low, c.high) != (self.low, self.high):
                raise ValueError(
                    f"criterion {c.id}: scale {c.low}-{c.high} differs from the rubric's "
                    f"{self.low}-{self.high}"
                )

    @property
    def low(self) -> int:
        """The lowest level of the rubric's scale."""
        return self.criteria[0].low

    @property
    def high(self) -> int:
        """The highest level of the rubric's scale."""
        return self.criteria[0].high


@dataclass(frozen=True)
class Review:
    """One reviewer's levels for one application; None means insufficient evidence."""

    application: str
    reviewer: str
    levels: Mapping[str, int | None]


@dataclass(frozen=True)
class ScoredReview:
    """A review reduced to its composite, held at hundredths."""

    application: str
    reviewer: str
    composite: Decimal


@dataclass(frozen=True)
class Calibration:
    """Calibrated review and application composites, and the pool they were mapped onto."""

    reviews: tuple[ScoredReview, ...]
    applications: Mapping[str, Decimal]
    calibrated_reviewers: frozenset[str]
    pooled_mean: Decimal
    pooled_spread: Decimal


def hold(value: Decimal) -> Decimal:
    """Round to hundredths, half up."""
    return value.quantize(HUNDREDTHS, rounding=ROUND_HALF_UP)


def mean_and_spread(values: Sequence[Decimal]) -> tuple[Decimal, Decimal]:
    """Mean and population standard deviation of a non-empty list, unrounded."""
    mean = sum(values, Decimal(0)) / len(values)
    variance = sum(((v - mean) ** 2 for v in values), Decimal(0)) / len(values)
    return mean, variance.sqrt()


def score_review(rubric: Rubric, levels: Mapping[str, int | None]) -> Decimal | None:
    """Weighted mean of the scored criteria, held; None when no criterion was scored."""
    known = {c.id for c in rubric.criteria}
    for name in levels:
        if name not in known:
            raise ValueError(f"criterion {name} is not in the rubric")
    total = weights = Decimal(0)
    # A criterion left out, like one marked insufficient evidence, does not count: the
    # weights of the scored criteria are renormalised to sum to one.
    for c in rubric.criteria:
        level = levels.get(c.id)
        if level is None:
            continue
        if not c.low <= level <= c.high:
            raise ValueError(f"criterion {c.id}: level {level} is outside {c.low}-{c.high}")
        total += Decimal(c.weight) * level
        weights += Decimal(c.weight)
    return hold(total / weights) if weights else None


def score_reviews(rubric: Rubric, reviews: Iterable[Review]) -> list[ScoredReview]:
    """Composite of every review that scored at least one criterion, in input order."""
    scored = []
    seen: set[tuple[str, str]] = set()
    for review in reviews:
        key = (review.application, review.reviewer)
        if key in seen:
            raise ValueError(f"review {review.application}/{review.reviewer} is listed twice")
        seen.add(key)
        composite = score_review(rubric, review.levels)
        if composite is not None:
            scored.append(ScoredReview(review.application, review.reviewer, composite))
    return scored


def score_applications(scored: Iterable[ScoredReview]) -> dict[str, Decimal]:
    """Each application's composite: the mean of its review composites, held."""
    by_application = _group(scored, lambda s: s.application)
    return {
        application: hold(sum((s.composite for s in group), Decimal(0)) / len(group))
        for application, group in by_application.items()
    }


def calibrate(
    scored: Sequence[ScoredReview], *, low: int, high: int, min_reviews: int = 5
) -> Calibration:
    """Map each reviewer's composites onto the pooled scale through their z-scores."""
    if min_reviews < 1:
        raise ValueError(f"min_reviews must be at least 1, not {min_reviews}")
    if not scored:
        return Calibration((), {}, frozenset(), Decimal(0), Decimal(0))
    pooled_mean, pooled_spread = mean_and_spread([s.composite for s in scored])
    by_reviewer = _group(scored, lambda s: s.reviewer)
    # Reviewers with few reviews keep their raw scores: their own mean and spread are
    # too uncertain to correct anybody's score with.
    stats = {
        reviewer: mean_and_spread([s.composite for s in group])
        for reviewer, group in by_reviewer.items()
        if len(group) >= min_reviews
    }
    calibrated = []
    for s in scored:
        if s.reviewer not in stats:
            calibrated.append(s)
            continue
        mean, spread = stats[s.reviewer]
        # A reviewer who gave everyone the same score tells us nothing about order:
        # every one of their reviews maps to the pooled mean.
        z = (s.composite - mean) / spread if spread else Decimal(0)
        value = min(max(pooled_mean + z * pooled_spread, Decimal(low)), Decimal(high))
        calibrated.append(ScoredReview(s.application, s.reviewer, hold(value)))
    return Calibration(
        reviews=tuple(calibrated),
        applications=score_applications(calibrated),
        calibrated_reviewers=frozenset(stats),
        pooled_mean=hold(pooled_mean),
        pooled_spread=hold(pooled_spread),
    )


def flag_disagreements(scored: Iterable[ScoredReview], *, threshold: Decimal) -> dict[str, Decimal]:
    """Applications whose review composites differ by more than the threshold, with the gap."""
    flagged = {}
    for application, group in _group(scored, lambda s: s.application).items():
        gap = max(s.composite for s in group) - min(s.composite for s in group)
        if gap > threshold:
            flagged[application] = gap
    return flagged


def _group(
    scored: Iterable[ScoredReview], key: Callable[[ScoredReview], str]
) -> dict[str, list[ScoredReview]]:
    groups: dict[str, list[ScoredReview]] = defaultdict(list)
    for s in scored:
        groups[key(s)].append(s)
    return groups
