"""The review figures of the department's application list (applications.listing): per
application, reviews assigned and in, and the composite that feeds the allocation, read
from the stored composites (composites.py) so that sorting thousands costs one join.

Only those who run the round (directors, admins) see them. A director who has not yet
submitted their own review of an application does not see its score, as on the ranking.
"""

from __future__ import annotations

from sqlalchemy import and_, case, func, select

from clerkship.accounts.models import User
from clerkship.applications.listing import ReviewFigures
from clerkship.cycles.models import Cycle, Department
from clerkship.reviews.models import CompositeSource
from clerkship.reviews.permissions import can_manage_reviews
from clerkship.reviews.ranking import composites
from clerkship.reviews.records import ApplicationComposite, Review, ReviewAssignment, ReviewState
from clerkship.reviews.rounds.services import find_round


def list_figures(user: User, department: Department, cycle: Cycle) -> ReviewFigures | None:
    """The figures this user may see on the list, or None (no round, or not theirs to run)."""
    review_round = find_round(department, cycle)
    if review_round is None or not can_manage_reviews(user, review_round):
        return None
    assignment = ReviewAssignment
    # The viewer's own review not yet submitted: its score stays hidden from them.
    pending_mine = case((and_(assignment.reviewer_id == user.id, Review.id.is_(None)), 1), else_=0)
    per_application = (
        select(
            assignment.application_id.label("application_id"),
            func.count(assignment.id).label("assigned"),
            func.count(Review.id).label("submitted"),
            func.max(pending_mine).label("withheld"),
        )
        .outerjoin(
            Review,
            and_(Review.assignment_id == assignment.id, Review.state == ReviewState.SUBMITTED),
        )
        .where(assignment.round_id == review_round.id, assignment.application_id.is_not(None))
        .group_by(assignment.application_id)
        .subquery("per_application")
    )
    stored = ApplicationComposite
    calibrated = review_round.composite_source is CompositeSource.CALIBRATED
    chosen = stored.calibrated if calibrated else stored.raw
    table = (
        select(
            per_application.c.application_id,
            per_application.c.assigned,
            per_application.c.submitted,
            case((per_application.c.withheld == 1, None), else_=chosen).label("score"),
        )
        .outerjoin(
            stored,
            and_(
                stored.round_id == review_round.id,
                stored.application_id == per_application.c.application_id,
            ),
        )
        .subquery("review_figures")
    )
    return ReviewFigures(table, scores_current=composites.stored_are_current(review_round))
