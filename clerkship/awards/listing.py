"""The committee's list of award applications: filters and order read once, the review
figures of the award round (reviews assigned and in, the composite the committee chose),
and a page cut in a fixed number of statements whatever the number of applications.

The award round's composites are computed by reviews.queries.score_round (kept in memory
until its reviews change), so sorting by score sorts the filtered ids in Python; every other
order is the database's.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Select, and_, case, func, or_, select

from clerkship.accounts.models import User
from clerkship.applications.models import Application
from clerkship.awards.models import AwardApplication, AwardState
from clerkship.core.params import Params
from clerkship.cycles.models import Cycle, Department
from clerkship.extensions import db
from clerkship.reviews.queries import score_round
from clerkship.reviews.records import Review, ReviewAssignment, ReviewState
from clerkship.reviews.rounds.services import find_round

SORTS = {
    "attention": "Needing attention first",
    "name": "Student",
    "department": "Rotation",
    "submitted": "Submitted",
    "reviews": "Reviews in",
    "score": "Review score",
    "state": "State",
    "amount": "Amount",
}
LISTED_STATES = [s for s in AwardState if s is not AwardState.DRAFT]


@dataclass(frozen=True)
class AwardFilters:
    """What the committee's list is narrowed and ordered by (already checked)."""

    state: AwardState | None = None
    q: str = ""
    sort: str = "attention"
    descending: bool = False


def read_filters(params: Params) -> AwardFilters:
    """The list's filter and order from its query arguments (a 400 names a bad one)."""
    state = params.choice("state", [s.value for s in LISTED_STATES])
    sort = params.choice("sort", [*SORTS, *(f"-{key}" for key in SORTS)], "attention")
    return AwardFilters(
        state=AwardState(state) if state else None,
        q=params.text("q", max_length=100) or "",
        sort=sort.lstrip("-"),
        descending=sort.startswith("-"),
    )


def _progress(review_round_id: int | None):
    """Per award application of the round: reviews assigned and submitted."""
    return (
        select(
            ReviewAssignment.award_application_id.label("award_id"),
            func.count(ReviewAssignment.id).label("assigned"),
            func.count(Review.id).label("submitted"),
        )
        .outerjoin(
            Review,
            and_(
                Review.assignment_id == ReviewAssignment.id, Review.state == ReviewState.SUBMITTED
            ),
        )
        .where(
            ReviewAssignment.round_id == review_round_id,
            ReviewAssignment.award_application_id.is_not(None),
        )
        .group_by(ReviewAssignment.award_application_id)
        .subquery("progress")
    )


def listed_awards(cycle: Cycle, filters: AwardFilters, review_round_id: int | None) -> Select:
    """Ids of the cycle's submitted award applications matching filters, in the database's
    order (by score: by id, sorted afterwards by `order_by_score`)."""
    stmt = select(AwardApplication.id).where(
        AwardApplication.cycle_id == cycle.id, AwardApplication.state != AwardState.DRAFT
    )
    if filters.state is not None:
        stmt = stmt.where(AwardApplication.state == filters.state)
    if filters.q or filters.sort == "name":
        stmt = stmt.join(User, User.id == AwardApplication.student_id)
    if filters.q:
        escaped = filters.q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        stmt = stmt.where(
            or_(
                func.lower(User.full_name).like(pattern, escape="\\"),
                func.lower(User.email).like(pattern, escape="\\"),
            )
        )
    attention = case((AwardApplication.state == AwardState.NEEDS_ATTENTION, 0), else_=1)
    if filters.sort == "department":
        stmt = stmt.join(Application, Application.id == AwardApplication.application_id).join(
            Department, Department.id == Application.department_id
        )
    progress = None
    if filters.sort == "reviews":
        progress = _progress(review_round_id)
        stmt = stmt.outerjoin(progress, progress.c.award_id == AwardApplication.id)
    columns = {
        "attention": [attention, AwardApplication.submitted_at],
        "name": [func.lower(User.full_name)],
        "department": [Department.name],
        "submitted": [AwardApplication.submitted_at],
        "state": [AwardApplication.state],
        "amount": [AwardApplication.amount_cents],
        "score": [],
    }
    if progress is not None:
        columns["reviews"] = [
            func.coalesce(progress.c.submitted, 0),
            func.coalesce(progress.c.assigned, 0),
        ]
    order = [
        (c.desc() if filters.descending else c.asc()).nulls_last() for c in columns[filters.sort]
    ]
    return stmt.order_by(*order, AwardApplication.id)


@dataclass(frozen=True)
class ReviewFigures:
    """The award round's figures for the viewer: scores by award id (withheld left out)."""

    round_id: int | None
    scores: dict[int, Decimal]


def review_figures(cycle: Cycle, viewer: User) -> ReviewFigures:
    """The composite of each scored award application as the viewer may see it: not while
    the viewer has a review of it still to submit (as on the ranking)."""
    review_round = find_round(None, cycle)
    if review_round is None:
        return ReviewFigures(None, {})
    table = score_round(review_round).chosen_table
    pending = set(
        db.session.scalars(
            select(ReviewAssignment.award_application_id)
            .outerjoin(Review, Review.assignment_id == ReviewAssignment.id)
            .where(
                ReviewAssignment.round_id == review_round.id,
                ReviewAssignment.reviewer_id == viewer.id,
                or_(Review.id.is_(None), Review.state == ReviewState.DRAFT),
            )
        )
    )
    return ReviewFigures(review_round.id, {a: s for a, s in table.items() if a not in pending})


def order_by_score(ids: list[int], scores: dict[int, Decimal], *, descending: bool) -> list[int]:
    """ids by score (highest first when descending), unscored last, ties in the given order."""
    scored = [i for i in ids if i in scores]
    scored.sort(key=scores.__getitem__, reverse=descending)  # stable: ties keep their order
    return scored + [i for i in ids if i not in scores]


def review_progress(round_id: int | None, award_ids: list[int]) -> dict[int, tuple[int, int]]:
    """award id -> (reviews assigned, reviews in) for these award applications (one query)."""
    if round_id is None or not award_ids:
        return {}
    progress = _progress(round_id)
    rows = db.session.execute(
        select(progress.c.award_id, progress.c.assigned, progress.c.submitted).where(
            progress.c.award_id.in_(award_ids)
        )
    )
    return {award_id: (int(a), int(s)) for award_id, a, s in rows}
