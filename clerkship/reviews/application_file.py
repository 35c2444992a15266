"""What the reviews add to the staff application file: its actions and the reviews the viewer may read.

Handed to the applications feature when the app starts (`register_file_actions`, and the
`application_file_reviews` template function its page includes `reviews/_file_panel.html`
with). Who reads which review is the rule of the ranking's application page: the
department's directors (and admins) every submitted review, unless they review the
application themselves and have not submitted yet; a reviewer only their own.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from clerkship.accounts.models import User
from clerkship.applications.actions import FileAction
from clerkship.applications.models import Application
from clerkship.extensions import db
from clerkship.reviews.models import ReviewRound
from clerkship.reviews.permissions import can_manage_reviews, can_review
from clerkship.reviews.records import Review, ReviewAssignment
from clerkship.reviews.rounds.services import draft_round, find_round
from clerkship.reviews.subjects import REVIEWABLE_STATES


@dataclass(frozen=True)
class FileReviews:
    """The reviews panel of one application's file, for one viewer."""

    review_round: ReviewRound
    assignments: tuple[ReviewAssignment, ...]  # every reviewer (directors) or only the viewer's
    readable: frozenset[int]  # ids of the assignments whose review the viewer may read
    all_reviewers: bool  # the viewer sees who else reviews (a director), not only their own
    own: ReviewAssignment | None
    # A director who reviews it too reads the others' only after submitting their own.
    waiting_for_own: bool

    @property
    def submitted(self) -> int:
        return sum(1 for a in self.assignments if a.is_submitted)


def _assignments(review_round: ReviewRound, application: Application) -> list[ReviewAssignment]:
    return list(
        db.session.scalars(
            select(ReviewAssignment)
            .where(
                ReviewAssignment.round_id == review_round.id,
                ReviewAssignment.application_id == application.id,
            )
            .options(
                joinedload(ReviewAssignment.reviewer),
                joinedload(ReviewAssignment.review).joinedload(Review.rubric),
            )
            .order_by(ReviewAssignment.id)
        ).unique()
    )


def file_reviews(user: User, application: Application) -> FileReviews | None:
    """The reviews of application the viewer may read on its file (None: no panel for them)."""
    review_round = find_round(application.department, application.cycle)
    if review_round is None:
        return None
    assignments = _assignments(review_round, application)
    own = next((a for a in assignments if a.reviewer_id == user.id), None)
    if can_manage_reviews(user, review_round):
        waiting = own is not None and not own.is_submitted
        readable = frozenset(
            a.id for a in assignments if a.is_submitted and (not waiting or a is own)
        )
        return FileReviews(review_round, tuple(assignments), readable, True, own, waiting)
    if own is not None and can_review(user, own):
        readable = frozenset({own.id}) if own.review is not None else frozenset()
        return FileReviews(review_round, (own,), readable, False, own, False)
    return None


def file_actions(user: User, application: Application) -> list[FileAction]:
    """Assign a reviewer (directors, while the round is open and the application awaits
    review), see its reviewers and discussion, or open one's own review."""
    review_round = find_round(application.department, application.cycle) or draft_round(
        application.department, application.cycle
    )
    actions = []
    if can_manage_reviews(user, review_round):
        url = url_for(
            "review_ranking.application",
            slug=application.department.slug,
            cycle=application.cycle.slug,
            application_id=application.id,
        )
        if review_round.is_open and application.state in REVIEWABLE_STATES:
            actions.append(
                FileAction(
                    "Assign a reviewer",
                    url,
                    hint="On the application's reviews page, with its reviewers and discussion.",
                    order=10,
                )
            )
        else:
            actions.append(FileAction("See its reviewers and discussion", url, order=10))
    if review_round.id is not None:
        own = db.session.scalar(
            select(ReviewAssignment).where(
                ReviewAssignment.round_id == review_round.id,
                ReviewAssignment.application_id == application.id,
                ReviewAssignment.reviewer_id == user.id,
            )
        )
        if own is not None and can_review(user, own):
            label = "Open your review" if own.review is not None else "Start your review"
            actions.append(
                FileAction(label, url_for("reviews.review", assignment_id=own.id), order=15)
            )
    return actions
