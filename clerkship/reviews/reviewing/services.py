"""Writing reviews (draft, submit, edit until the round closes), conflicts found while reviewing,
and the discussion of a subject."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from clerkship.accounts.models import User
from clerkship.applications.models import Application, ApplicationState
from clerkship.applications.services import transition
from clerkship.audit.services import record_event
from clerkship.core.rules import RuleViolation
from clerkship.core.time import utcnow
from clerkship.extensions import db
from clerkship.reviews.assignment.services import mark_scored, remove_assignment
from clerkship.reviews.models import ReviewRound, Rubric
from clerkship.reviews.ranking import composites, scoring
from clerkship.reviews.records import (
    DiscussionPost,
    Recommendation,
    Review,
    ReviewAssignment,
    ReviewScore,
    ReviewState,
)
from clerkship.reviews.rounds.services import declare_conflict, lock_round
from clerkship.reviews.rubrics.services import current_rubric

STALE_REVIEW = (
    "This review was saved from another window after you opened it. Nothing was saved "
    "here; what you typed is kept below. Reload the page to see the saved version."
)


def pure_rubric(rubric: Rubric) -> scoring.Rubric:
    """The rubric as the scoring arithmetic takes it, criteria named by their ids."""
    return scoring.Rubric(
        tuple(
            scoring.Criterion(str(c.id), c.weight, rubric.scale_low, rubric.scale_high)
            for c in rubric.criteria
        )
    )


def rubric_for(assignment: ReviewAssignment) -> Rubric | None:
    """The rubric version a review is (or would be) written on."""
    if assignment.review is not None:
        return assignment.review.rubric
    return current_rubric(assignment.round)


def _check_levels(rubric: Rubric, levels: Mapping[int, int | None]) -> None:
    criteria = {c.id: c for c in rubric.criteria}
    for criterion_id, level in levels.items():
        criterion = criteria.get(criterion_id)
        if criterion is None:
            raise RuleViolation("The rubric has changed; reload the page.")
        field = f"criterion_{criterion_id}"
        if level is None and not criterion.allows_insufficient:
            raise RuleViolation(f"Choose a level for {criterion.name}.", field=field)
        if level is not None and level not in rubric.levels:
            raise RuleViolation(f"Choose one of the levels of {criterion.name}.", field=field)


class IncompleteReview(RuleViolation):
    """A submission with answers missing: every missing one, by the field it belongs next to."""

    def __init__(self, missing: dict[str, str]):
        count = len(missing)
        super().__init__(
            f"{count} answer{'s are' if count != 1 else ' is'} missing; each is marked below."
        )
        self.missing = missing


def _check_complete(
    rubric: Rubric, levels: Mapping[int, int | None], recommendation: Recommendation | None
) -> None:
    missing = {
        f"criterion_{c.id}": f"Choose a level for {c.name} before submitting."
        for c in rubric.criteria
        if c.id not in levels
    }
    if recommendation is None:
        missing["recommendation"] = "Choose an overall recommendation before submitting."
    if missing:
        raise IncompleteReview(missing)


def save_review(
    assignment: ReviewAssignment,
    *,
    levels: Mapping[int, int | None],
    recommendation: Recommendation | None,
    comments: str,
    version: int | None,
    submit: bool,
    by: User,
) -> Review:
    """Save a review as a draft, or submit it; a submitted review is edited until the round closes.

    levels maps criterion ids to a level, or None for insufficient evidence; a criterion
    left out is unanswered, which only a draft may be. version is the review's version
    the form was opened on (None: there was no review yet).
    """
    review_round = assignment.round
    if not review_round.is_open:
        raise RuleViolation("The round is closed: reviews can no longer be saved or changed.")
    review = assignment.review
    if review is None:
        if version is not None:
            raise RuleViolation(STALE_REVIEW)
        lock_round(review_round)  # the rubric cannot be replaced while we start on it
        rubric = current_rubric(review_round)
        if rubric is None:
            raise RuleViolation("The rubric is not ready yet; the directors are still writing it.")
    elif version != review.version:
        raise RuleViolation(STALE_REVIEW)
    else:
        rubric = review.rubric
    # Every check comes before any change, so a refusal leaves the session untouched.
    _check_levels(rubric, levels)
    was_submitted = review is not None and review.is_submitted
    if was_submitted and not submit:
        raise RuleViolation("A submitted review stays submitted; save your changes instead.")
    if submit:
        _check_complete(rubric, levels, recommendation)
    composite = None
    if submit:
        composite = scoring.score_review(
            pure_rubric(rubric), {str(k): v for k, v in levels.items()}
        )
    try:
        # The changes are made and flushed inside a savepoint: if another window saved
        # first, the stale UPDATE fails there and only the savepoint is rolled back, so
        # the page can show the message with what was typed.
        with db.session.begin_nested():
            review = _write(review, assignment, rubric, levels)
            review.recommendation = recommendation
            review.comments = comments.strip()
            if submit:
                review.state = ReviewState.SUBMITTED
                review.submitted_at = utcnow()
                review.submitted_phase = review_round.phase
                assignment.submitted_at = review.submitted_at
                review.composite = composite
            db.session.flush()
    except (StaleDataError, IntegrityError) as error:
        # Saved meanwhile from another window: the version moved, or the review now exists.
        raise RuleViolation(STALE_REVIEW) from error
    action = "edit" if was_submitted else ("submit" if submit else "draft")
    record_event(f"reviews.review_{action}", by=by, target=review, composite=str(review.composite))
    if submit and not was_submitted:
        _start_review_of(assignment.application)
    # A draft changes no composite but moves the round's stamp: refreshed all the same.
    composites.refresh(review_round)
    if submit:
        # After the refresh, which locks the round: every writer takes the round's lock
        # before the application's (a new review locks the round from the start), so an
        # edit and a first submission of one application wait for each other, never
        # deadlock.
        mark_scored([assignment.application_id])
    return review


def _write(
    review: Review | None,
    assignment: ReviewAssignment,
    rubric: Rubric,
    levels: Mapping[int, int | None],
) -> Review:
    """The review, made if need be, with exactly these answers."""
    if review is None:
        review = Review(assignment=assignment, rubric=rubric, state=ReviewState.DRAFT, comments="")
        db.session.add(review)
    rows = {score.criterion_id: score for score in review.scores}
    for criterion_id, row in rows.items():
        if criterion_id not in levels:
            review.scores.remove(row)
    for criterion_id, level in levels.items():
        if criterion_id in rows:
            rows[criterion_id].level = level
        else:
            review.scores.append(ReviewScore(criterion_id=criterion_id, level=level))
    return review


def _start_review_of(application: Application | None) -> None:
    # The student learns that faculty review their application when the first review is
    # in, not when reviewers are assigned: one email at a time, never a burst of thousands.
    if application is not None and application.state is ApplicationState.SUBMITTED:
        transition(application, ApplicationState.UNDER_REVIEW, by=None)


def declare_conflict_with(
    reviewer: User,
    *,
    student_email: str,
    reason: str,
    by: User,
    assignment: ReviewAssignment | None = None,
) -> int:
    """Declare a conflict with an applicant and take the reviewer off their open assignments.

    assignment: the one the reviewer declared it from (an award application's too).
    """
    conflict = declare_conflict(reviewer, student_email=student_email, reason=reason, by=by)
    found = db.session.scalars(
        select(ReviewAssignment)
        .join(Application, Application.id == ReviewAssignment.application_id)
        .join(User, User.id == Application.student_id)
        .where(ReviewAssignment.reviewer_id == reviewer.id, User.email == conflict.student_email)
    )
    assignments = {a.id: a for a in found}
    if assignment is not None:
        assignments[assignment.id] = assignment
    withdrawn = 0
    for item in assignments.values():
        if item.round.is_open:
            remove_assignment(item, by=by, reason="conflict declared")
            withdrawn += 1
    return withdrawn


def post_to_discussion(
    review_round: ReviewRound, subject: tuple[str, int], *, body: str, by: User
) -> DiscussionPost:
    """Add a message to the discussion of a subject, ("application" or "award", id)."""
    body = body.strip()
    if not body:
        raise RuleViolation("Write a message first.", field="body")
    if len(body) > 5000:
        raise RuleViolation("Keep a message under 5,000 characters.", field="body")
    kind, ident = subject
    post = DiscussionPost(
        round_id=review_round.id,
        application_id=ident if kind == "application" else None,
        award_application_id=ident if kind == "award" else None,
        author_id=by.id,
        body=body,
    )
    db.session.add(post)
    db.session.flush()
    record_event("reviews.discussion_post", by=by, target=post, subject_kind=kind, subject_id=ident)
    return post


def discussion_of(review_round: ReviewRound, subject: tuple[str, int]) -> list[DiscussionPost]:
    """The messages about a subject, oldest first."""
    kind, ident = subject
    column = (
        DiscussionPost.application_id
        if kind == "application"
        else DiscussionPost.award_application_id
    )
    return list(
        db.session.scalars(
            select(DiscussionPost)
            .where(DiscussionPost.round_id == review_round.id, column == ident)
            .order_by(DiscussionPost.created_at, DiscussionPost.id)
        )
    )
