"""The demo season's reviews: rubrics, assignments, drafts and submissions, a visible calibration."""

from __future__ import annotations

from sqlalchemy import func, select

from clerkship.cycles.models import Cycle, Department
from clerkship.extensions import db
from clerkship.reviews.models import ReviewRound
from clerkship.reviews.queries import score_round
from clerkship.reviews.records import Review, ReviewAssignment, ReviewState
from clerkship.reviews.rubrics.services import current_rubric


def test_demo_reviews_make_calibration_reorder_the_ranking(app, demo_season):
    assert "em.reviewer.lenient@keck.example.edu" in demo_season
    department = db.session.scalar(
        select(Department).where(Department.slug == "emergency-medicine")
    )
    cycle = db.session.scalar(select(Cycle))
    review_round = db.session.scalar(
        select(ReviewRound).where(ReviewRound.department_id == department.id)
    )
    rubric = current_rubric(review_round)
    assert (rubric.number, len(rubric.criteria), rubric.scale_low, rubric.scale_high) == (
        1,
        5,
        1,
        5,
    )
    assert all(len(c.levels) == 5 for c in rubric.criteria)
    states = dict(
        db.session.execute(select(Review.state, func.count()).group_by(Review.state)).all()
    )
    assert states[ReviewState.DRAFT] == 2 and states[ReviewState.SUBMITTED] >= 40
    assignments = db.session.scalar(select(func.count(ReviewAssignment.id)))
    assigned = db.session.scalar(select(func.count(func.distinct(ReviewAssignment.application_id))))
    assert assignments == 2 * assigned and assigned >= 24
    scores = score_round(review_round)
    assert len(scores.calibration.calibrated_reviewers) == 4
    raw = sorted(scores.raw, key=lambda a: (-scores.raw[a], a))
    calibrated = sorted(scores.calibrated, key=lambda a: (-scores.calibrated[a], a))
    assert raw != calibrated
    award = db.session.scalar(
        select(ReviewRound).where(
            ReviewRound.department_id.is_(None), ReviewRound.cycle_id == cycle.id
        )
    )
    assert current_rubric(award).title == "Diversity in Medicine Visiting Clerkship Award rubric"
