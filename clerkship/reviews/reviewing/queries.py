"""A reviewer's queue, and each reviewer's progress for the directors."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, case, func, or_, select

from clerkship.accounts.models import Role, User
from clerkship.applications.models import Application, ApplicationChoice, StudentProfile
from clerkship.cycles.models import Block, Cycle, Department, Rotation, Site
from clerkship.extensions import db
from clerkship.reviews.models import Phase, ReviewerCap, ReviewRound
from clerkship.reviews.queries import display_name
from clerkship.reviews.records import Review, ReviewAssignment, ReviewState
from clerkship.reviews.subjects import (
    rotation_applications_of_awards,
    undecided_subject,
)

NOT_STARTED = "not_started"
STATUS_LABELS = {NOT_STARTED: "Not started", "draft": "Draft", "submitted": "Submitted"}


@dataclass(frozen=True)
class QueueItem:
    """One assignment in a reviewer's queue, named without revealing a hidden name."""

    assignment_id: int
    title: str
    detail: str  # the first block chosen when the title is the name, else the other choices
    round_title: str
    due_on: date | None
    status: str
    round_open: bool

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    def overdue(self, today: date) -> bool:
        return self.status != "submitted" and self.due_on is not None and self.due_on < today


@dataclass(frozen=True)
class Queue:
    """A page of a reviewer's queue and the counts of every status."""

    items: list[QueueItem]
    total: int
    counts: dict[str, int]
    overdue: int


def _visible_rounds(user: User):
    departments = user.department_ids(Role.REVIEWER)
    clauses = [ReviewRound.department_id.in_(departments)] if departments else []
    if user.has_role(Role.AWARD_COMMITTEE):
        clauses.append(ReviewRound.department_id.is_(None))
    return or_(*clauses) if clauses else ReviewRound.id.is_(None)


AWARD = "Diversity in Medicine award"


def first_choices(application_ids: list[int]) -> dict[int, tuple[str, int]]:
    """application id -> (its first choice as "rotation (site), dates", how many other
    blocks it ranks), in one query for a page of applications."""
    if not application_ids:
        return {}
    rows = db.session.execute(
        select(
            ApplicationChoice.application_id,
            ApplicationChoice.rank,
            Rotation.title,
            Site.short_name,
            Site.name,
            Block.starts_on,
            Block.ends_on,
        )
        .join(Block, Block.id == ApplicationChoice.block_id)
        .join(Rotation, Rotation.id == Block.rotation_id)
        .join(Site, Site.id == Rotation.site_id)
        .where(ApplicationChoice.application_id.in_(application_ids))
        .order_by(ApplicationChoice.application_id, ApplicationChoice.rank)
    )
    found: dict[int, tuple[str, int]] = {}
    for app_id, _rank, title, short, site, starts, ends in rows:
        if app_id in found:
            label, others = found[app_id]
            found[app_id] = (label, others + 1)
        else:
            found[app_id] = (f"{title} ({short or site}), {starts:%b %-d}–{ends:%b %-d, %Y}", 0)
    return found


def _choice_text(choice: tuple[str, int] | None) -> tuple[str, str]:
    """The first choice and a note of the others, or a plain name when none is ranked."""
    if choice is None:
        return "No block ranked", ""
    label, others = choice
    more = f"and {others} more block{'s' if others != 1 else ''} ranked" if others else ""
    return label, more


def reviewer_queue(
    user: User,
    *,
    today: date,
    status: str | None = None,
    page: int = 1,
    per_page: int = 50,
    open_only: bool = False,
) -> Queue:
    """The assignments of a reviewer in rounds they still review for, on subjects not yet
    decided: unfinished first, by due date (open_only: in rounds not closed)."""
    scope = [ReviewAssignment.reviewer_id == user.id, _visible_rounds(user), undecided_subject()]
    if open_only:
        scope.append(ReviewRound.phase != Phase.CLOSED)
    # From the assignment's own submitted_at; only an unsubmitted one probes for a draft
    # (one index lookup each), so no page joins the round's every review.
    started = select(Review.id).where(Review.assignment_id == ReviewAssignment.id).exists()
    status_column = case(
        (ReviewAssignment.submitted_at.is_not(None), "submitted"),
        (started, "draft"),
        else_=NOT_STARTED,
    )
    base = (
        select(ReviewAssignment.id)
        .join(ReviewRound, ReviewRound.id == ReviewAssignment.round_id)
        .where(*scope)
    )
    counts = dict.fromkeys(STATUS_LABELS, 0)
    overdue = 0
    mine = base.add_columns(status_column.label("status"), ReviewAssignment.due_on).subquery()
    late = func.sum(case((mine.c.due_on < today, 1), else_=0))
    for value, count, late_count in db.session.execute(
        select(mine.c.status, func.count(), late).group_by(mine.c.status)
    ):
        counts[value] = count
        if value != "submitted":
            overdue += late_count or 0
    # The page's assignments first (sorted and cut from the reviewer's own rows), then
    # the names and rounds of those alone: nobody's name is read for the other rows.
    chosen = base.add_columns(
        ReviewAssignment.application_id,
        ReviewAssignment.award_application_id,
        ReviewAssignment.due_on,
        ReviewAssignment.round_id,
        status_column.label("status"),
    )
    if status in STATUS_LABELS:
        chosen = chosen.where(status_column == status)
    chosen = (
        chosen.order_by(*_queue_order(status_column, ReviewAssignment.due_on, ReviewAssignment.id))
        .limit(per_page)
        .offset((max(page, 1) - 1) * per_page)
        .subquery("chosen")
    )
    stmt = (
        select(
            chosen.c.id,
            chosen.c.application_id,
            chosen.c.award_application_id,
            chosen.c.due_on,
            chosen.c.status,
            ReviewRound.phase,
            ReviewRound.hide_name,
            ReviewRound.revealed_at,
            ReviewRound.reveal_in_second_phase,
            Department.name,
            Cycle.name,
            User.full_name,
            StudentProfile.preferred_name,
            StudentProfile.legal_first_name,
            StudentProfile.legal_last_name,
        )
        .join(ReviewRound, ReviewRound.id == chosen.c.round_id)
        .join(Cycle, Cycle.id == ReviewRound.cycle_id)
        .outerjoin(Department, Department.id == ReviewRound.department_id)
        .outerjoin(Application, Application.id == chosen.c.application_id)
        .outerjoin(User, User.id == Application.student_id)
        .outerjoin(StudentProfile, StudentProfile.user_id == Application.student_id)
        .order_by(*_queue_order(chosen.c.status, chosen.c.due_on, chosen.c.id))
    )
    rows = db.session.execute(stmt).all()
    awards = rotation_applications_of_awards([row[2] for row in rows if row[1] is None])
    choices = first_choices([row[1] or awards.get(row[2]) for row in rows if row[1] or row[2]])
    items = []
    for row in rows:
        (ident, app_id, award_id, due_on, state, phase, hide_name, revealed_at, reveals) = row[:9]
        department, cycle, full, preferred, first, last = row[9:]
        name_hidden = hide_name and not (revealed_at is not None and reveals)
        # Named by the block chosen first, never by an id; by the name once it is revealed
        # (an award review always by the block: its queue row does not load the name).
        title, detail = _choice_text(choices.get(app_id or awards.get(award_id)))
        if app_id is not None and not name_hidden:
            block = title if detail == "" else f"{title} {detail}"
            title, detail = display_name(full, preferred, first, last), block
        items.append(
            QueueItem(
                assignment_id=ident,
                title=title,
                detail=detail,
                round_title=f"{department or AWARD}, {cycle}",
                due_on=due_on,
                status=state,
                round_open=phase.value != "closed",
            )
        )
    total = counts[status] if status in STATUS_LABELS else sum(counts.values())
    return Queue(items=items, total=total, counts=counts, overdue=overdue)


def _queue_order(status, due_on, ident) -> tuple:
    """A queue's order: unfinished first, then by due date (none last), then as assigned."""
    return (case((status == "submitted", 1), else_=0), due_on.is_(None), due_on, ident)


@dataclass(frozen=True)
class Progress:
    """One reviewer's progress in a round."""

    reviewer: User
    assigned: int
    submitted: int
    drafts: int
    overdue: int
    cap: int | None

    @property
    def not_started(self) -> int:
        return self.assigned - self.submitted - self.drafts


def reviewer_progress(
    review_round: ReviewRound, reviewers: list[User], today: date
) -> list[Progress]:
    """Assigned, submitted, draft and overdue counts of every reviewer of a round."""
    totals = {}
    if review_round.id is not None:
        rows = db.session.execute(
            select(
                ReviewAssignment.reviewer_id,
                func.count(ReviewAssignment.id),
                func.count(case((Review.state == ReviewState.SUBMITTED, 1))),
                func.count(case((Review.state == ReviewState.DRAFT, 1))),
                func.count(
                    case(
                        (
                            and_(
                                ReviewAssignment.due_on < today,
                                or_(Review.id.is_(None), Review.state == ReviewState.DRAFT),
                            ),
                            1,
                        )
                    )
                ),
            )
            .outerjoin(Review, Review.assignment_id == ReviewAssignment.id)
            .where(ReviewAssignment.round_id == review_round.id)
            .group_by(ReviewAssignment.reviewer_id)
        )
        totals = {row[0]: row[1:] for row in rows}
    caps = {}
    if review_round.id is not None:
        caps = dict(
            db.session.execute(
                select(ReviewerCap.reviewer_id, ReviewerCap.cap).where(
                    ReviewerCap.round_id == review_round.id
                )
            ).all()
        )
    people = {r.id: r for r in reviewers}
    # Someone who left the reviewers but still holds assignments is listed too.
    missing = set(totals) - set(people)
    if missing:
        people.update(
            {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(missing)))}
        )
    return [
        Progress(person, *totals.get(person.id, (0, 0, 0, 0)), caps.get(person.id))
        for person in sorted(people.values(), key=lambda u: (u.full_name.casefold(), u.id))
    ]
