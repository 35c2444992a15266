"""Assigning reviewers by hand and automatically, removing them, and the shortfall.

The automatic assignment is `assignment.assign_reviewers` (its docstring explains the
algorithm) run over the round's data: the applications awaiting review, the
department's reviewers with their caps, the assignments already made and every
conflict `conflicts.find_conflicts` finds.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, insert, select, update

from clerkship.accounts.models import Membership, Role, User
from clerkship.applications.models import Application
from clerkship.audit.services import record_event
from clerkship.core.rules import RuleViolation
from clerkship.core.selection import BulkOutcome
from clerkship.core.time import utcnow
from clerkship.core.urls import external_url
from clerkship.extensions import db
from clerkship.outbox.services import queue_email
from clerkship.reviews.assignment.conflicts import find_conflicts
from clerkship.reviews.assignment.engine import Pair, Reviewer, assign_reviewers
from clerkship.reviews.models import ReviewerCap, ReviewRound
from clerkship.reviews.ranking import composites
from clerkship.reviews.records import AssignmentMethod, ReviewAssignment
from clerkship.reviews.rounds.services import lock_round
from clerkship.reviews.subjects import UNRANKED_STATES, round_subjects, subject_column

# The award committee reviews each award application this many times (the award has
# no department setting of its own).
AWARD_REVIEWERS = 2


@dataclass(frozen=True)
class AutoAssignment:
    """What an automatic run made, and which applications it left short and why."""

    made: int
    uncovered: dict[int, str]
    reviewers: int


def reviewers_per_subject(review_round: ReviewRound) -> int:
    """k: how many reviewers each subject of the round gets."""
    if review_round.department is None:
        return AWARD_REVIEWERS
    return review_round.department.reviewers_per_application


def round_reviewers(review_round: ReviewRound) -> list[User]:
    """The people who review in a round: the department's reviewers, or the award committee."""
    stmt = select(User).join(Membership, Membership.user_id == User.id).where(User.active)
    if review_round.department_id is None:
        stmt = stmt.where(Membership.role == Role.AWARD_COMMITTEE)
    else:
        stmt = stmt.where(
            Membership.role == Role.REVIEWER,
            Membership.department_id == review_round.department_id,
        )
    return list(db.session.scalars(stmt.order_by(User.full_name, User.id)).unique())


def caps(review_round: ReviewRound) -> dict[int, int]:
    """reviewer id -> cap, for reviewers who have one in this round."""
    return dict(
        db.session.execute(
            select(ReviewerCap.reviewer_id, ReviewerCap.cap).where(
                ReviewerCap.round_id == review_round.id
            )
        ).all()
    )


def _existing(review_round: ReviewRound) -> list[tuple[int, int | None]]:
    """(reviewer, subject) of every assignment of the round."""
    return list(
        db.session.execute(
            select(ReviewAssignment.reviewer_id, subject_column(review_round)).where(
                ReviewAssignment.round_id == review_round.id
            )
        ).all()
    )


def _check_open(review_round: ReviewRound) -> None:
    if not review_round.is_open:
        raise RuleViolation("The round is closed; reopen it to change assignments.")


def assign_automatically(
    review_round: ReviewRound, *, due_on: date | None, by: User
) -> AutoAssignment:
    """Give every subject awaiting review k reviewers, within caps, balanced, no conflict."""
    _check_open(review_round)
    lock_round(review_round)
    k = reviewers_per_subject(review_round)
    subjects = round_subjects(review_round)
    applications = sorted(subjects)
    reviewers = round_reviewers(review_round)
    reviewer_ids = {r.id for r in reviewers}
    in_round = set(applications)
    existing = _existing(review_round)
    # Assignments outside what is reassigned now (an application that moved on, a
    # reviewer who left) still count toward the reviewer's cap.
    elsewhere = Counter(r for r, a in existing if r in reviewer_ids and a not in in_round)
    kept = {(a, r) for r, a in existing if r in reviewer_ids and a in in_round}
    limits = caps(review_round)
    found = find_conflicts(reviewer_ids, subjects)
    result = assign_reviewers(
        [str(a) for a in applications],
        [
            Reviewer(
                str(r.id), None if r.id not in limits else max(0, limits[r.id] - elsewhere[r.id])
            )
            for r in reviewers
        ],
        conflicts=[Pair(str(a), str(r)) for (r, a) in found if (a, r) not in kept],
        existing=[Pair(str(a), str(r)) for a, r in kept],
        k=k,
    )
    due_on = due_on or review_round.due_on
    now = utcnow()
    column = subject_column(review_round).key
    rows = [
        {
            "round_id": review_round.id,
            "reviewer_id": int(pair.reviewer),
            column: int(pair.application),
            "due_on": due_on,
            "method": AssignmentMethod.AUTOMATIC,
            "assigned_at": now,
            "assigned_by_id": by.id,
        }
        for pair in result.new
    ]
    if rows:
        db.session.execute(insert(ReviewAssignment), rows)
    uncovered = {int(a): reason for a, reason in result.uncovered.items()}
    record_event(
        "reviews.assign_automatic",
        by=by,
        target=review_round,
        summary=f"{review_round.title}: {len(rows)} assignments, {len(uncovered)} short",
        made=len(rows),
        k=k,
        short=dict(list(uncovered.items())[:50]),
    )
    per_reviewer = Counter(int(pair.reviewer) for pair in result.new)
    for reviewer in reviewers:
        if per_reviewer[reviewer.id]:
            _notify(reviewer, review_round, per_reviewer[reviewer.id], due_on)
    db.session.flush()
    return AutoAssignment(made=len(rows), uncovered=uncovered, reviewers=len(reviewers))


def _notify(reviewer: User, review_round: ReviewRound, count: int, due_on: date | None) -> None:
    queue_email(
        reviewer.email,
        f"{review_round.title}: {count} new to review",
        "review_assigned",
        recipient=reviewer,
        reviewer=reviewer,
        review_round=review_round,
        count=count,
        due_on=due_on,
        link=external_url("reviews.queue"),
    )


def assign_reviewer(
    review_round: ReviewRound,
    application: Application,
    reviewer: User,
    *,
    due_on: date | None,
    by: User,
) -> ReviewAssignment:
    """Assign one reviewer to one application by hand: no conflict, within the cap."""
    _check_open(review_round)
    lock_round(review_round)
    if (application.department_id, application.cycle_id) != (
        review_round.department_id,
        review_round.cycle_id,
    ) or application.state in UNRANKED_STATES:
        raise RuleViolation("This application is not part of this round.")
    if reviewer.id not in {r.id for r in round_reviewers(review_round)}:
        raise RuleViolation(
            f"{reviewer.full_name} does not review for this round.", field="reviewer"
        )
    already = db.session.scalar(
        select(ReviewAssignment.id).where(
            ReviewAssignment.reviewer_id == reviewer.id,
            ReviewAssignment.application_id == application.id,
        )
    )
    if already is not None:
        raise RuleViolation(
            f"{reviewer.full_name} already reviews this application.", field="reviewer"
        )
    conflicts = find_conflicts([reviewer.id], {application.id: application.student_id}).get(
        (reviewer.id, application.id)
    )
    if conflicts:
        reasons = "; ".join(c.reason for c in conflicts)
        raise RuleViolation(
            f"{reviewer.full_name} has a conflict with this applicant ({reasons}).",
            field="reviewer",
        )
    cap = caps(review_round).get(reviewer.id)
    if cap is not None and load_of(review_round, reviewer) >= cap:
        raise RuleViolation(
            f"{reviewer.full_name} is at their cap of {cap} in this round; raise the cap first.",
            field="reviewer",
        )
    assignment = ReviewAssignment(
        round_id=review_round.id,
        reviewer_id=reviewer.id,
        application_id=application.id,
        due_on=due_on or review_round.due_on,
        method=AssignmentMethod.MANUAL,
        assigned_by_id=by.id,
    )
    db.session.add(assignment)
    db.session.flush()
    record_event(
        "reviews.assign", by=by, target=assignment, subject=reviewer, application=application.id
    )
    _notify(reviewer, review_round, 1, assignment.due_on)
    return assignment


def load_of(review_round: ReviewRound, reviewer: User) -> int:
    """How many subjects a reviewer has in a round."""
    return db.session.scalar(
        select(func.count(ReviewAssignment.id)).where(
            ReviewAssignment.round_id == review_round.id,
            ReviewAssignment.reviewer_id == reviewer.id,
        )
    )


def remove_assignment(assignment: ReviewAssignment, *, by: User, reason: str = "") -> None:
    """Take a reviewer off a subject; their review, if any, goes with it."""
    _check_open(assignment.round)
    lock_round(assignment.round)
    record_event(
        "reviews.unassign",
        by=by,
        target=assignment,
        subject=assignment.reviewer,
        application=assignment.application_id,
        had_review=assignment.review.state.value if assignment.review else None,
        note=reason[:200],
    )
    review_round = assignment.round
    application_id = assignment.application_id
    db.session.delete(assignment)
    db.session.flush()
    mark_scored([application_id])
    composites.refresh(review_round)


def mark_scored(application_ids: Collection[int | None]) -> None:
    """Set each application's scored_at to the earliest submitted_at of its assignments
    (None while none is submitted), after a review is submitted or an assignment removed."""
    ids = sorted({i for i in application_ids if i is not None})
    if not ids:
        return
    earliest = (
        select(func.min(ReviewAssignment.submitted_at))
        .where(ReviewAssignment.application_id == Application.id)
        .scalar_subquery()
    )
    # A statement, not an attribute change: the application's version does not move (a
    # review submitted meanwhile is no stale form for its staff), nor its updated_at.
    for chunk in (ids[start : start + 500] for start in range(0, len(ids), 500)):
        # Rows locked first (in id order): two reviews submitted at once are counted one
        # after the other, the second statement seeing the first one's assignment.
        db.session.execute(
            select(Application.id)
            .where(Application.id.in_(chunk))
            .order_by(Application.id)
            .with_for_update()
        )
        db.session.execute(
            update(Application)
            .where(Application.id.in_(chunk))
            .values(scored_at=earliest, updated_at=Application.updated_at)
            .execution_options(synchronize_session="fetch")
        )


def shortfall(review_round: ReviewRound) -> dict[int, str]:
    """Subjects awaiting review with fewer than k reviewers, and why."""
    k = reviewers_per_subject(review_round)
    subjects = round_subjects(review_round)
    applications = sorted(subjects)
    reviewers = round_reviewers(review_round)
    counts: dict[int, set[int]] = defaultdict(set)
    load: Counter[int] = Counter()
    for reviewer_id, application_id in _existing(review_round):
        counts[application_id].add(reviewer_id)
        load[reviewer_id] += 1
    short = [a for a in applications if len(counts[a]) < k]
    if not short:
        return {}
    found = find_conflicts({r.id for r in reviewers}, {a: subjects[a] for a in short})
    limits = caps(review_round)
    reasons = {}
    for a in short:
        free = [r.id for r in reviewers if (r.id, a) not in found]
        if len(free) < k:
            reasons[a] = (
                f"only {len(free)} of {len(reviewers)} reviewers have no conflict with the "
                f"applicant; {k} are needed"
            )
        elif all(r in counts[a] or (r in limits and load[r] >= limits[r]) for r in free):
            reasons[a] = "every reviewer without a conflict is on it already or at their cap"
        else:
            reasons[a] = "not assigned yet: assign automatically or by hand"
    return reasons


def assign_reviewer_to_many(
    review_round: ReviewRound,
    applications: list[tuple[Application, str]],
    reviewer: User,
    *,
    due_on: date | None,
    by: User,
) -> BulkOutcome:
    """Assign one reviewer to each of these (application, name) pairs where the rules allow.

    Each application is assigned whole or not at all and named with the reason when not:
    not part of the round, already reviewed by them, a conflict, or over their cap (the
    first ones, in the list's order, fill the cap). Submitting the same selection again
    assigns nothing twice. One email tells the reviewer how many they were given.
    """
    _check_open(review_round)
    lock_round(review_round)
    if reviewer.id not in {r.id for r in round_reviewers(review_round)}:
        raise RuleViolation(
            f"{reviewer.full_name} does not review for this round.", field="reviewer"
        )
    ids = [application.id for application, _name in applications]
    already = set(
        db.session.scalars(
            select(ReviewAssignment.application_id).where(
                ReviewAssignment.reviewer_id == reviewer.id,
                ReviewAssignment.round_id == review_round.id,
                ReviewAssignment.application_id.in_(ids),
            )
        )
    )
    conflicts = find_conflicts(
        [reviewer.id], {application.id: application.student_id for application, _ in applications}
    )
    cap = caps(review_round).get(reviewer.id)
    room = None if cap is None else max(0, cap - load_of(review_round, reviewer))
    due_on = due_on or review_round.due_on
    done, refused, rows = [], [], []
    now = utcnow()
    for application, name in applications:
        if (application.department_id, application.cycle_id) != (
            review_round.department_id,
            review_round.cycle_id,
        ) or application.state in UNRANKED_STATES:
            refused.append((name, "the application is not part of this round"))
        elif application.id in already:
            refused.append((name, f"{reviewer.full_name} already reviews it"))
        elif (reviewer.id, application.id) in conflicts:
            reasons = "; ".join(c.reason for c in conflicts[(reviewer.id, application.id)])
            refused.append((name, f"a conflict of interest ({reasons})"))
        elif room is not None and len(rows) >= room:
            refused.append((name, f"{reviewer.full_name} is at their cap of {cap} in this round"))
        else:
            already.add(application.id)
            done.append(name)
            rows.append(
                {
                    "round_id": review_round.id,
                    "reviewer_id": reviewer.id,
                    "application_id": application.id,
                    "due_on": due_on,
                    "method": AssignmentMethod.MANUAL,
                    "assigned_at": now,
                    "assigned_by_id": by.id,
                }
            )
    if rows:
        db.session.execute(insert(ReviewAssignment), rows)
        record_event(
            "reviews.assign_selected",
            by=by,
            target=review_round,
            subject=reviewer,
            summary=f"{review_round.title}: {reviewer.full_name} assigned to {len(rows)}",
            made=len(rows),
            refused=len(refused),
            applications=[row["application_id"] for row in rows[:50]],
        )
        _notify(reviewer, review_round, len(rows), due_on)
    db.session.flush()
    return BulkOutcome(done=done, refused=refused)
