"""One page of the ranking, read from the stored composites: filtered, ranked and sorted
by the database, the page cut with LIMIT/OFFSET, so its cost does not follow the round.

`queries.ranking_rows` and `queries.filter_and_sort` (every row in Python) remain the
reference, and the fallback while the stored composites are not current; tests compare
the two.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import and_, case, func, or_, select, true

from clerkship.accounts.models import User
from clerkship.applications.models import Application, ApplicationChoice, StudentProfile
from clerkship.extensions import db
from clerkship.reviews.models import CompositeSource, ReviewRound
from clerkship.reviews.queries import RankRow, display_name
from clerkship.reviews.ranking.composites import flagged
from clerkship.reviews.records import ApplicationComposite, Review, ReviewAssignment, ReviewState
from clerkship.reviews.subjects import UNRANKED_STATES


@dataclass(frozen=True)
class RankingPage:
    """The rows of one page, how many the filter leaves, how many are ranked at all."""

    rows: list[RankRow]
    total: int
    ranked: int
    withheld_any: bool


def _points(hundredths: int | None) -> Decimal | None:
    return None if hundredths is None else Decimal(hundredths).scaleb(-2)


def _ranked(review_round: ReviewRound, viewer: User):
    """Every ranked application with its composites as this viewer may see them; and the
    same with each one's rank."""
    pending = (
        select(ReviewAssignment.application_id)
        .outerjoin(Review, Review.assignment_id == ReviewAssignment.id)
        .where(
            ReviewAssignment.round_id == review_round.id,
            ReviewAssignment.reviewer_id == viewer.id,
            ReviewAssignment.application_id.is_not(None),
            or_(Review.id.is_(None), Review.state == ReviewState.DRAFT),
        )
        .subquery("pending")
    )
    composite = ApplicationComposite
    withheld = pending.c.application_id.is_not(None)

    def seen(column):
        return case((withheld, None), else_=column)

    calibrated = review_round.composite_source is CompositeSource.CALIBRATED
    chosen = composite.calibrated if calibrated else composite.raw
    spread = case(
        (flagged(composite.spread, review_round.disagreement_threshold), composite.spread),
        else_=None,
    )
    rows = (
        select(
            Application.id.label("id"),
            Application.in_pathway.label("in_pathway"),
            Application.state.label("state"),
            withheld.label("withheld"),
            seen(composite.raw).label("raw"),
            seen(composite.calibrated).label("calibrated"),
            seen(chosen).label("chosen"),
            seen(spread).label("gap"),
        )
        .outerjoin(
            composite,
            and_(composite.round_id == review_round.id, composite.application_id == Application.id),
        )
        .outerjoin(pending, pending.c.application_id == Application.id)
        .where(
            Application.department_id == review_round.department_id,
            Application.cycle_id == review_round.cycle_id,
            Application.state.not_in(UNRANKED_STATES),
        )
        .subquery("rows")
    )
    # Equal composites share a rank (1, 2, 2, 4); rows without one get none.
    rank = func.rank().over(order_by=rows.c.chosen.desc().nulls_last())
    ranked = select(
        *rows.c, case((rows.c.chosen.is_(None), None), else_=rank).label("rank")
    ).subquery("ranked")
    return rows, ranked


def ranking_page(
    review_round: ReviewRound,
    viewer: User,
    *,
    sort: str = "composite",
    pathway: bool | None = None,
    block_id: int | None = None,
    disagreement_only: bool = False,
    page: int = 1,
    per_page: int = 50,
) -> tuple[RankingPage, int]:
    """The page asked for (the last one when past it) and its number; names and review
    counts are not loaded (queries.fill_names, fill_review_counts)."""
    rows, ranked = _ranked(review_round, viewer)

    def shown_in(table):
        conditions = []
        if pathway is not None:
            conditions.append(table.c.in_pathway.is_(pathway))
        if block_id is not None:
            choosing = select(ApplicationChoice.application_id).where(
                ApplicationChoice.block_id == block_id
            )
            conditions.append(table.c.id.in_(choosing))
        if disagreement_only:
            conditions.append(table.c.gap.is_not(None))
        return and_(true(), *conditions)

    # The counts need no rank: one pass without the window.
    total, ranked_count, withheld_any = db.session.execute(
        select(
            func.coalesce(func.sum(case((shown_in(rows), 1), else_=0)), 0),
            func.count(rows.c.chosen),
            func.coalesce(func.max(case((rows.c.withheld, 1), else_=0)), 0),
        )
    ).one()
    shown = shown_in(ranked)
    pages = max(1, -(-int(total) // per_page))
    page = min(max(page, 1), pages)
    offset = (page - 1) * per_page
    if sort == "name":
        ids = _ids_by_name(ranked, shown)[offset : offset + per_page]
        found = db.session.execute(select(ranked).where(ranked.c.id.in_(ids))).all()
        by_id = {row.id: row for row in found}
        records = [by_id[i] for i in ids]
    else:
        attribute = {"raw": "raw", "calibrated": "calibrated", "gap": "gap"}.get(sort, "chosen")
        column = ranked.c[attribute]
        records = db.session.execute(
            select(ranked)
            .where(shown)
            .order_by(column.desc().nulls_last(), ranked.c.id)
            .limit(per_page)
            .offset(offset)
        ).all()
    page_rows = [
        RankRow(
            r.id,
            bool(r.in_pathway),
            r.state,
            raw=_points(r.raw),
            calibrated=_points(r.calibrated),
            chosen=_points(r.chosen),
            gap=_points(r.gap),
            rank=r.rank,
            withheld=bool(r.withheld),
        )
        for r in records
    ]
    return RankingPage(page_rows, int(total), int(ranked_count), bool(withheld_any)), page


def _ids_by_name(ranked, shown) -> list[int]:
    # Names sort as Python's casefold does, which no database's lower() matches for every
    # alphabet: the filtered ids and names are read, and sorted here.
    rows = db.session.execute(
        select(
            ranked.c.id,
            User.full_name,
            StudentProfile.preferred_name,
            StudentProfile.legal_first_name,
            StudentProfile.legal_last_name,
        )
        .join(Application, Application.id == ranked.c.id)
        .join(User, User.id == Application.student_id)
        .outerjoin(StudentProfile, StudentProfile.user_id == Application.student_id)
        .where(shown)
    )
    named = [
        (display_name(full, pre, first, last).casefold(), i) for i, full, pre, first, last in rows
    ]
    return [i for _name, i in sorted(named)]
