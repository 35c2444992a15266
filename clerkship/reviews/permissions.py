"""Who may set up reviews, score, discuss, and see rankings and statistics."""

from __future__ import annotations

from clerkship.accounts.models import Role, User
from clerkship.reviews.models import ReviewRound
from clerkship.reviews.records import ReviewAssignment


def can_manage_reviews(user: User, review_round: ReviewRound) -> bool:
    """Directors (admins) run a department's round; the award committee runs the award's."""
    if not user.is_authenticated:
        return False
    if review_round.department is None:
        return can_manage_award_reviews(user)
    return user.is_admin or user.has_role(Role.DIRECTOR, review_round.department)


def can_manage_award_reviews(user: User) -> bool:
    """The award committee (and admins) run the award's reviews."""
    return user.is_authenticated and (user.is_admin or user.has_role(Role.AWARD_COMMITTEE))


def can_use_review_queue(user: User) -> bool:
    """Reviewers of any department and award committee members have a review queue."""
    return user.is_authenticated and (
        bool(user.department_ids(Role.REVIEWER)) or user.has_role(Role.AWARD_COMMITTEE)
    )


def can_review(user: User, assignment: ReviewAssignment) -> bool:
    """The assigned reviewer, while they still review for the round's department."""
    if not user.is_authenticated or assignment.reviewer_id != user.id:
        return False
    department = assignment.round.department
    if department is None:
        return user.has_role(Role.AWARD_COMMITTEE)
    return user.has_role(Role.REVIEWER, department)


def can_see_peer_reviews(user: User, assignment: ReviewAssignment) -> bool:
    """A reviewer sees the other reviews of a subject, and its discussion, once theirs is in."""
    return can_review(user, assignment) and assignment.is_submitted
