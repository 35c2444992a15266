"""Review statistics: agreement between reviewers, reviewer profiles, group comparison.

Agreement is Krippendorff's alpha per criterion, from the `krippendorff` package, over
reliability data of reviewers x applications in which a value is missing where a
reviewer did not see the application or marked insufficient evidence. Rubric levels
are measured as ordinal: they are ordered categories anchored by descriptions of
behaviour, and nothing makes the step from 2 to 3 equal to the step from 4 to 5.

The group comparison feeds the bias panel. A group with fewer members than
`min_group_size` is suppressed entirely, so that nobody can be picked out of a small
group, and so is the next smallest group when only one is (clerkship.core.suppression).
Callers must not print an overall total next to a suppressed group, or its
size could be recovered by subtraction. Selection rates and their ratios are held at
four decimal places (a percentage to two), half up; whether a ratio is below
four-fifths is decided on the exact fractions, so 0.79996 is below.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from itertools import pairwise
from typing import Literal

from clerkship.core.suppression import suppress_counts
from clerkship.reviews.ranking.scoring import Review, Rubric, ScoredReview, hold, mean_and_spread

FOUR_FIFTHS = Fraction(4, 5)
TEN_THOUSANDTHS = Decimal("0.0001")


@dataclass(frozen=True)
class Agreement:
    """Krippendorff's alpha, or None with the reason it cannot be computed."""

    alpha: float | None
    pairable: int  # values in units that at least two reviewers scored
    reason: str | None = None


@dataclass(frozen=True)
class ReviewerProfile:
    """How many reviews a reviewer wrote, their mean composite and its spread."""

    reviewer: str
    count: int
    mean: Decimal
    spread: Decimal


@dataclass(frozen=True)
class Subject:
    """One reviewed application as the bias panel sees it."""

    group: str
    score: Decimal
    selected: bool


@dataclass(frozen=True)
class GroupSummary:
    """One group's scores and selection; every figure is None when suppressed."""

    group: str
    suppressed: bool
    count: int | None = None
    mean: Decimal | None = None
    median: Decimal | None = None
    histogram: tuple[int, ...] | None = None
    selected: int | None = None
    selection_rate: Decimal | None = None
    rate_ratio: Decimal | None = None  # to the highest rate among groups shown
    below_four_fifths: bool | None = None


def compute_alpha(
    data: Sequence[Sequence[float | None]],
    *,
    level: Literal["nominal", "ordinal", "interval"] = "ordinal",
    value_domain: Sequence[int] | None = None,
) -> Agreement:
    """Krippendorff's alpha of reliability data, one row per reviewer, None for missing."""
    # numpy and krippendorff take a tenth of a second to import: only the panel needs them.
    import krippendorff
    import numpy as np

    matrix = np.array([[np.nan if v is None else v for v in row] for row in data], dtype=float)
    if matrix.size == 0:
        return Agreement(None, 0, "no reviews")
    coded = ~np.isnan(matrix)
    pairable_units = coded.sum(axis=0) >= 2
    values = matrix[:, pairable_units][coded[:, pairable_units]]
    if values.size < 2:
        return Agreement(None, 0, "no application was scored by two reviewers")
    if np.unique(values).size < 2:
        # With no variation at all, observed and expected disagreement are both zero.
        return Agreement(None, int(values.size), "every pairable value is the same")
    alpha = krippendorff.alpha(
        reliability_data=matrix, level_of_measurement=level, value_domain=value_domain
    )
    return Agreement(float(alpha), int(values.size))


def measure_agreement(
    rubric: Rubric,
    reviews: Iterable[Review],
    *,
    level: Literal["nominal", "ordinal", "interval"] = "ordinal",
) -> dict[str, Agreement]:
    """Krippendorff's alpha of every criterion of the rubric over these reviews."""
    reviews = list(reviews)
    reviewers = sorted({r.reviewer for r in reviews})
    applications = sorted({r.application for r in reviews})
    row = {name: i for i, name in enumerate(reviewers)}
    column = {name: j for j, name in enumerate(applications)}
    scale = list(range(rubric.low, rubric.high + 1))
    result = {}
    for criterion in rubric.criteria:
        data: list[list[float | None]] = [[None] * len(applications) for _ in reviewers]
        for r in reviews:
            data[row[r.reviewer]][column[r.application]] = r.levels.get(criterion.id)
        result[criterion.id] = compute_alpha(data, level=level, value_domain=scale)
    return result


def profile_reviewers(scored: Iterable[ScoredReview]) -> dict[str, ReviewerProfile]:
    """Each reviewer's count, mean and population spread of composites, held."""
    composites: dict[str, list[Decimal]] = defaultdict(list)
    for s in scored:
        composites[s.reviewer].append(s.composite)
    profiles = {}
    for reviewer in sorted(composites):
        mean, spread = mean_and_spread(composites[reviewer])
        count = len(composites[reviewer])
        profiles[reviewer] = ReviewerProfile(reviewer, count, hold(mean), hold(spread))
    return profiles


def compare_groups(
    subjects: Iterable[Subject],
    *,
    edges: Sequence[Decimal | int] = (1, 2, 3, 4, 5),
    min_group_size: int = 5,
) -> tuple[GroupSummary, ...]:
    """Score distribution and selection rate per group, small groups suppressed."""
    bounds = [Decimal(e) for e in edges]
    if len(bounds) < 2 or any(a >= b for a, b in pairwise(bounds)):
        raise ValueError("histogram edges must be at least two, strictly increasing")
    groups: dict[str, list[Subject]] = defaultdict(list)
    for s in subjects:
        if not bounds[0] <= s.score <= bounds[-1]:
            raise ValueError(f"score {s.score} is outside {bounds[0]}-{bounds[-1]}")
        groups[s.group].append(s)
    # The groups' sizes add up to the number ranked, which is shown: complementary suppression.
    names = sorted(groups)
    sizes = suppress_counts(
        [len(groups[n]) for n in names], total_shown=True, minimum=min_group_size
    )
    shown = {n: groups[n] for n, size in zip(names, sizes, strict=True) if size is not None}
    rates = {name: Fraction(sum(s.selected for s in m), len(m)) for name, m in shown.items()}
    top = max(rates.values(), default=Fraction(0))
    # One group alone, or nobody selected anywhere: there is nothing to compare against.
    compare = len(shown) >= 2 and top > 0
    summaries = []
    for name in sorted(groups):
        if name not in shown:
            summaries.append(GroupSummary(name, suppressed=True))
            continue
        scores = sorted(s.score for s in shown[name])
        ratio = rates[name] / top if compare else None
        summaries.append(
            GroupSummary(
                name,
                suppressed=False,
                count=len(scores),
                mean=hold(sum(scores, Decimal(0)) / len(scores)),
                median=hold(_median(scores)),
                histogram=_histogram(scores, bounds),
                selected=sum(s.selected for s in shown[name]),
                selection_rate=_four_places(rates[name]),
                rate_ratio=None if ratio is None else _four_places(ratio),
                below_four_fifths=None if ratio is None else ratio < FOUR_FIFTHS,
            )
        )
    return tuple(summaries)


def _median(ordered: list[Decimal]) -> Decimal:
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def _histogram(ordered: list[Decimal], bounds: list[Decimal]) -> tuple[int, ...]:
    # Buckets [e0, e1), [e1, e2), ..., and the last one closed: [e(n-2), e(n-1)].
    counts = [0] * (len(bounds) - 1)
    for score in ordered:
        counts[min(bisect_right(bounds, score) - 1, len(counts) - 1)] += 1
    return tuple(counts)


def _four_places(value: Fraction) -> Decimal:
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(TEN_THOUSANDTHS, rounding=ROUND_HALF_UP)
