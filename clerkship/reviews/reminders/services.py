"""Reminder emails about reviews that are due soon or overdue, at most one a day per assignment.

`flask reviews remind` runs `send_reminders` for every open round; a scheduler (cron,
a systemd timer) runs it once a day. Directors can also remind a round's reviewers at
once from its page. Each email names only counts and dates, never an applicant.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from sqlalchemy import or_, select, update

from clerkship.accounts.models import User
from clerkship.audit.services import record_event
from clerkship.core.urls import external_url
from clerkship.extensions import db
from clerkship.outbox.services import queue_email
from clerkship.reviews.models import Phase, ReviewRound
from clerkship.reviews.records import Review, ReviewAssignment, ReviewState
from clerkship.reviews.subjects import undecided_subject


def send_reminders(
    *,
    today: date,
    within_days: int | None = 2,
    review_round: ReviewRound | None = None,
    by: User | None = None,
) -> int:
    """Email every reviewer with unsubmitted reviews due within within_days (None: any); the count."""
    stmt = (
        select(
            ReviewAssignment.id,
            ReviewAssignment.reviewer_id,
            ReviewAssignment.round_id,
            ReviewAssignment.due_on,
        )
        .join(ReviewRound, ReviewRound.id == ReviewAssignment.round_id)
        .join(User, User.id == ReviewAssignment.reviewer_id)
        .outerjoin(Review, Review.assignment_id == ReviewAssignment.id)
        .where(
            ReviewRound.phase != Phase.CLOSED,
            User.active,
            or_(Review.id.is_(None), Review.state == ReviewState.DRAFT),
            or_(ReviewAssignment.reminded_on.is_(None), ReviewAssignment.reminded_on < today),
            undecided_subject(),  # a decided application has left the queue: no reminder
        )
    )
    if within_days is not None:
        stmt = stmt.where(
            ReviewAssignment.due_on.is_not(None),
            ReviewAssignment.due_on <= today + timedelta(days=within_days),
        )
    if review_round is not None:
        stmt = stmt.where(ReviewAssignment.round_id == review_round.id)
    pending: dict[tuple[int, int], list[tuple[int, date | None]]] = defaultdict(list)
    for assignment_id, reviewer_id, round_id, due_on in db.session.execute(stmt):
        pending[(reviewer_id, round_id)].append((assignment_id, due_on))
    for (reviewer_id, round_id), items in sorted(pending.items()):
        reviewer = db.session.get(User, reviewer_id)
        this_round = db.session.get(ReviewRound, round_id)
        dates = sorted(d for _, d in items if d is not None)
        queue_email(
            reviewer.email,
            f"Reminder: {len(items)} review{'s' if len(items) != 1 else ''} to finish "
            f"({this_round.title})",
            "review_reminder",
            recipient=reviewer,
            reviewer=reviewer,
            review_round=this_round,
            count=len(items),
            overdue=sum(1 for d in dates if d < today),
            first_due=dates[0] if dates else None,
            link=external_url("reviews.queue"),
        )
        ids = [assignment_id for assignment_id, _ in items]
        for start in range(0, len(ids), 900):
            db.session.execute(
                update(ReviewAssignment)
                .where(ReviewAssignment.id.in_(ids[start : start + 900]))
                .values(reminded_on=today)
                .execution_options(synchronize_session=False)
            )
    if pending:
        record_event(
            "reviews.remind",
            by=by,
            target=review_round,
            summary=f"Reminded {len(pending)} reviewer(s)",
            reviewers=sorted({reviewer for reviewer, _ in pending}),
        )
    db.session.flush()
    return len(pending)
