"""One page of the ranking, read from the stored composites: filtered, ranked and sorted
by the database, the page cut with LIMIT/OFFSET, so its cost does not follow the round.

`queries.ranking_rows` and `queries.filter_and_sort` (every row in Python) remain the
reference, and the fallback while the stored composites are not current; tests compare
the two.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import and_, case, false, func, or_, select, true

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
    # Equal composites share a rank (1, 2, 2, 4); rows without one get none. The same
    # pass counts the ranked rows and whether any is withheld, for the page's heading.
    rank = func.rank().over(order_by=rows.c.chosen.desc().nulls_last())
    ranked = select(
        *rows.c,
        case((rows.c.chosen.is_(None), None), else_=rank).label("rank"),
        func.count(rows.c.chosen).over().label("ranked_count"),
        func.max(case((rows.c.withheld, 1), else_=0)).over().label("withheld_any"),
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
    if sort == "composite" and pathway is None and block_id is None and not disagreement_only:
        fast, page = _from_index(review_round, viewer, page, per_page)
        if fast is not None:
            return fast, page
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

    shown = shown_in(ranked)
    if sort == "name":
        total, ranked_count, withheld_any = _counts(rows, shown_in(rows))
        page = _within(page, total, per_page)
        offset = (page - 1) * per_page
        ids = _ids_by_name(ranked, shown)[offset : offset + per_page]
        found = db.session.execute(select(ranked).where(ranked.c.id.in_(ids))).all()
        by_id = {row.id: row for row in found}
        records = [by_id[i] for i in ids]
    else:
        attribute = {"raw": "raw", "calibrated": "calibrated", "gap": "gap"}.get(sort, "chosen")
        column = ranked.c[attribute]

        def read(number: int):
            # The page, each row carrying the counts: one statement in the usual case.
            return db.session.execute(
                select(ranked, func.count().over().label("total"))
                .where(shown)
                .order_by(column.desc().nulls_last(), ranked.c.id)
                .limit(per_page)
                .offset((number - 1) * per_page)
            ).all()

        records = read(max(page, 1))
        if records:
            first = records[0]
            total, ranked_count, withheld_any = first.total, first.ranked_count, first.withheld_any
            page = max(page, 1)
        else:
            # Past the last page, or nothing shown: count, then read the last page.
            total, ranked_count, withheld_any = _counts(rows, shown_in(rows))
            page = _within(page, total, per_page)
            records = read(page) if total else []
    listed = RankingPage(_rank_rows(records), int(total), int(ranked_count), bool(withheld_any))
    return listed, page


def _from_index(
    review_round: ReviewRound, viewer: User, page: int, per_page: int
) -> tuple[RankingPage | None, int]:
    """The unfiltered ranking in composite order read down the composite's index (the
    common view): a page costs its rows, not the round. None when it does not apply: the
    viewer's own review of someone is pending (their scores are withheld from this viewer,
    which changes the order), or the page reaches past the ranked rows. With the page's
    number, the last one when past it."""
    composite = ApplicationComposite
    calibrated = review_round.composite_source is CompositeSource.CALIBRATED
    chosen = composite.calibrated if calibrated else composite.raw
    of_round = and_(
        Application.department_id == review_round.department_id,
        Application.cycle_id == review_round.cycle_id,
    )
    scored = (
        select(func.count())
        .select_from(composite)
        .where(composite.round_id == review_round.id, chosen.is_not(None))
    )
    total, scored_count, scored_unranked, pending = db.session.execute(
        select(
            select(func.count())
            .where(of_round, Application.state.not_in(UNRANKED_STATES))
            .scalar_subquery(),
            scored.scalar_subquery(),
            scored.join(Application, Application.id == composite.application_id)
            .where(Application.state.in_(UNRANKED_STATES))
            .scalar_subquery(),
            select(ReviewAssignment.id)
            .where(
                ReviewAssignment.round_id == review_round.id,
                ReviewAssignment.reviewer_id == viewer.id,
                ReviewAssignment.application_id.is_not(None),
                ReviewAssignment.submitted_at.is_(None),
            )
            .exists(),
        )
    ).one()
    ranked_count = scored_count - scored_unranked
    page = min(max(page, 1), max(1, -(-total // per_page)))
    if pending or page * per_page > ranked_count:
        return None, page
    spread = case(
        (flagged(composite.spread, review_round.disagreement_threshold), composite.spread),
        else_=None,
    )
    records = db.session.execute(
        select(
            Application.id,
            Application.in_pathway,
            Application.state,
            composite.raw,
            composite.calibrated,
            chosen.label("chosen"),
            spread.label("gap"),
            func.rank().over(order_by=chosen.desc()).label("rank"),
            false().label("withheld"),
        )
        .join(Application, Application.id == composite.application_id)
        .where(
            composite.round_id == review_round.id,
            chosen.is_not(None),
            of_round,
            Application.state.not_in(UNRANKED_STATES),
        )
        .order_by(chosen.desc(), Application.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return RankingPage(_rank_rows(records), total, ranked_count, False), page


def _rank_rows(records) -> list[RankRow]:
    """RankRows of the statement's rows (composites in hundredths)."""
    return [
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


def _counts(rows, shown) -> tuple[int, int, bool]:
    """How many rows the filter shows, how many are ranked, whether any is withheld."""
    total, ranked_count, withheld_any = db.session.execute(
        select(
            func.coalesce(func.sum(case((shown, 1), else_=0)), 0),
            func.count(rows.c.chosen),
            func.coalesce(func.max(case((rows.c.withheld, 1), else_=0)), 0),
        )
    ).one()
    return int(total), int(ranked_count), bool(withheld_any)


def _within(page: int, total: int, per_page: int) -> int:
    """The page asked for, or the last one when past it."""
    return min(max(page, 1), max(1, -(-total // per_page)))


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
