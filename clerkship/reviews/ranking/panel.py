"""The reliability and bias panel: agreement per criterion, reviewer profiles, group comparison.

The arithmetic is `statistics.py`. "Selected" means ranked within the top N by the
composite that feeds the allocation, N being the department's seats in the cycle
unless the director asks for another N: a projection of who the scores favour, ready
before the allocation runs.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from clerkship.accounts.models import User
from clerkship.applications.models import Accreditation, Application, StudentProfile
from clerkship.cycles.models import Block, Rotation
from clerkship.extensions import db
from clerkship.reviews.models import ReviewRound, Rubric, RubricCriterion
from clerkship.reviews.queries import RankRow, RoundScores
from clerkship.reviews.ranking import scoring
from clerkship.reviews.ranking.scores import cached
from clerkship.reviews.ranking.statistics import (
    Agreement,
    GroupSummary,
    ReviewerProfile,
    Subject,
    compare_groups,
    measure_agreement,
    profile_reviewers,
)
from clerkship.reviews.records import Review, ReviewAssignment, ReviewScore, ReviewState

MIN_GROUP_SIZE = 5
SCHOOL_GROUPS = {
    Accreditation.LCME: "MD (LCME)",
    Accreditation.COCA: "DO (COCA)",
    None: "Not given",
}


@dataclass(frozen=True)
class Panel:
    """Everything the panel shows."""

    agreement: list[tuple[str, Agreement]]
    profiles: list[tuple[User, ReviewerProfile]]
    comparisons: list[tuple[str, tuple[GroupSummary, ...]]]
    edges: tuple[int, ...]
    top: int
    seats: int
    ranked: int


def department_seats(review_round: ReviewRound) -> int:
    """The seats of the department's blocks in the round's cycle."""
    return db.session.scalar(
        select(func.coalesce(func.sum(Block.capacity), 0))
        .join(Rotation, Rotation.id == Block.rotation_id)
        .where(
            Rotation.department_id == review_round.department_id,
            Block.cycle_id == review_round.cycle_id,
        )
    )


def _levels(review_round: ReviewRound) -> list[scoring.Review]:
    rows = db.session.connection().execute(
        select(
            ReviewAssignment.application_id,
            ReviewAssignment.reviewer_id,
            RubricCriterion.key,
            ReviewScore.level,
        )
        .join(Review, Review.assignment_id == ReviewAssignment.id)
        .join(ReviewScore, ReviewScore.review_id == Review.id)
        .join(RubricCriterion, RubricCriterion.id == ReviewScore.criterion_id)
        .where(ReviewAssignment.round_id == review_round.id, Review.state == ReviewState.SUBMITTED)
    )
    levels: dict[tuple[int, int], dict[str, int | None]] = {}
    for application, reviewer, key, level in rows:
        levels.setdefault((application, reviewer), {})[key] = level
    return [scoring.Review(str(a), str(r), values) for (a, r), values in levels.items()]


def _by_key(rubric: Rubric) -> scoring.Rubric:
    return scoring.Rubric(
        tuple(
            scoring.Criterion(c.key, c.weight, rubric.scale_low, rubric.scale_high)
            for c in rubric.criteria
        )
    )


def reliability_panel(
    review_round: ReviewRound,
    rubric: Rubric | None,
    scores: RoundScores,
    rows: list[RankRow],
    *,
    top: int | None,
    withheld: set[int] = frozenset(),
) -> Panel:
    """Agreement, reviewer profiles and group comparisons of a round.

    withheld: applications the viewer reviews and has not submitted yet; their reviews
    are left out of every figure, so the panel cannot reveal them.
    """
    seats = department_seats(review_round)
    top = seats if top is None else top
    agreement = []
    edges: tuple[int, ...] = (1, 2, 3, 4, 5)
    if rubric is not None:
        edges = tuple(rubric.levels)

        def agreement_of(_stamp) -> dict:
            levels = [r for r in _levels(review_round) if int(r.application) not in withheld]
            return measure_agreement(_by_key(rubric), levels)

        # Agreement over every review is costly and changes only with the reviews.
        alphas = cached(review_round, ("alpha", rubric.id, frozenset(withheld)), agreement_of)
        agreement = [(c.name, alphas[c.key]) for c in rubric.criteria]
    profiles = profile_reviewers(s for s in scores.reviews if int(s.application) not in withheld)
    people = {
        u.id: u
        for u in db.session.scalars(select(User).where(User.id.in_([int(r) for r in profiles])))
    }
    ranked = [r for r in rows if r.chosen is not None and r.rank is not None]
    accreditation = dict(
        db.session.execute(
            select(Application.id, StudentProfile.accreditation)
            .join(StudentProfile, StudentProfile.user_id == Application.student_id)
            .where(
                Application.department_id == review_round.department_id,
                Application.cycle_id == review_round.cycle_id,
            )
        ).all()
    )
    pathway, school = [], []
    for row in ranked:
        selected = row.rank <= top
        pathway.append(
            Subject("UIM pathway" if row.in_pathway else "Not in the pathway", row.chosen, selected)
        )
        group = SCHOOL_GROUPS[accreditation.get(row.application_id)]
        school.append(Subject(group, row.chosen, selected))
    comparisons = [
        ("UIM pathway or not", compare_groups(pathway, edges=edges, min_group_size=MIN_GROUP_SIZE)),
        ("MD or DO school", compare_groups(school, edges=edges, min_group_size=MIN_GROUP_SIZE)),
    ]
    return Panel(
        agreement=agreement,
        profiles=[(people[int(r)], p) for r, p in profiles.items() if int(r) in people],
        comparisons=comparisons,
        edges=edges,
        top=top,
        seats=seats,
        ranked=len(ranked),
    )
