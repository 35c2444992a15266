"""The ranking of a round, and the scores the allocation reads.

`application_scores(department, cycle)` is the interface of the allocation feature: the
composite the director chose (raw or calibrated), per application, at hundredths.
The ranking page loads every application's composite (sorting needs them all) but the
names of only the applications it shows, so its queries do not grow with the round.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from operator import attrgetter

from sqlalchemy import case, func, or_, select

from clerkship.accounts.models import User
from clerkship.applications.models import (
    Application,
    ApplicationChoice,
    ApplicationState,
    StudentProfile,
)
from clerkship.cycles.models import Cycle, Department
from clerkship.extensions import db
from clerkship.reviews.models import CompositeSource, Phase, ReviewRound
from clerkship.reviews.ranking import composites
from clerkship.reviews.ranking.scores import RoundScores, score_round
from clerkship.reviews.records import ApplicationComposite, Review, ReviewAssignment, ReviewState
from clerkship.reviews.rounds.services import find_round
from clerkship.reviews.subjects import UNRANKED_STATES

__all__ = ["RoundScores", "application_scores", "score_round"]


def _ranked_ids(department_id: int, cycle_id: int):
    return select(Application.id).where(
        Application.department_id == department_id,
        Application.cycle_id == cycle_id,
        Application.state.not_in(UNRANKED_STATES),
    )


def application_scores(department: Department, cycle: Cycle) -> dict[int, Decimal]:
    """application id -> the composite the director chose to feed the allocation (hundredths).

    Applications without a submitted, scored review, and drafts and withdrawn ones, are
    left out.
    """
    review_round = find_round(department, cycle)
    if review_round is None:
        return {}
    table = score_round(review_round).chosen_table
    ranked = db.session.connection().execute(_ranked_ids(department.id, cycle.id)).scalars()
    return {a: table[a] for a in ranked if a in table}


def scores_with_pathway(department: Department, cycle: Cycle) -> list[tuple[Decimal, bool]]:
    """(chosen composite, pathway flag) of each scored application, as application_scores
    counts them, in one query (the dashboards' score chart)."""
    review_round = find_round(department, cycle)
    if review_round is None:
        return []
    table = score_round(review_round).chosen_table
    if not table:
        return []
    ranked = db.session.connection().execute(
        select(Application.id, Application.in_pathway).where(
            Application.department_id == department.id,
            Application.cycle_id == cycle.id,
            Application.state.not_in(UNRANKED_STATES),
        )
    )
    return [(table[a], bool(pathway)) for a, pathway in ranked if a in table]


def score_bands(department: Department, cycle: Cycle) -> dict[tuple[int, bool], int]:
    """(whole point of the chosen composite, pathway flag) -> how many scored applications,
    as scores_with_pathway counts them: by the database from the stored composites (one
    GROUP BY), or from scores_with_pathway while they are not current."""
    review_round = find_round(department, cycle)
    if review_round is None:
        return {}
    if not composites.stored_are_current(review_round):
        bands: dict[tuple[int, bool], int] = {}
        for score, in_pathway in scores_with_pathway(department, cycle):
            key = (math.floor(score), in_pathway)
            bands[key] = bands.get(key, 0) + 1
        return bands
    stored = ApplicationComposite
    calibrated = review_round.composite_source is CompositeSource.CALIBRATED
    chosen = stored.calibrated if calibrated else stored.raw
    band = (chosen // 100).label("band")
    rows = db.session.execute(
        select(band, Application.in_pathway, func.count())
        .join(Application, Application.id == stored.application_id)
        .where(
            stored.round_id == review_round.id,
            Application.department_id == department.id,
            Application.cycle_id == cycle.id,
            Application.state.not_in(UNRANKED_STATES),
        )
        .group_by(band, Application.in_pathway)
    )
    return {(int(b), bool(pathway)): count for b, pathway, count in rows}


@dataclass(slots=True)
class RankRow:
    """One application in the ranking."""

    application_id: int
    in_pathway: bool
    state: ApplicationState
    name: str = ""
    assigned: int = 0
    submitted: int = 0
    raw: Decimal | None = None
    calibrated: Decimal | None = None
    chosen: Decimal | None = None
    gap: Decimal | None = None
    rank: int | None = None
    # The viewer has an unsubmitted review of it: its scores stay hidden from them.
    withheld: bool = False

    @property
    def disagreement(self) -> bool:
        return self.gap is not None


def display_name(full_name: str, preferred: str | None, first: str | None, last: str | None) -> str:
    """The preferred (else legal first) name with the last name, else the account's name."""
    given = preferred or first
    name = f"{given or ''} {last or ''}".strip()
    return name or full_name


def ranking_rows(review_round: ReviewRound, scores: RoundScores, viewer: User) -> list[RankRow]:
    """Every ranked application of the round, ranked by the chosen composite (names and review
    counts not loaded: fill_names and fill_review_counts load them for the rows shown)."""
    if review_round.department_id is None:
        return []
    connection = db.session.connection()
    rows = {
        app_id: RankRow(app_id, pathway, state)
        for app_id, pathway, state in connection.execute(
            select(Application.id, Application.in_pathway, Application.state)
            .where(
                Application.department_id == review_round.department_id,
                Application.cycle_id == review_round.cycle_id,
                Application.state.not_in(UNRANKED_STATES),
            )
            .order_by(Application.id)
        )
    }
    if review_round.id is not None:
        pending = connection.execute(
            select(ReviewAssignment.application_id)
            .outerjoin(Review, Review.assignment_id == ReviewAssignment.id)
            .where(
                ReviewAssignment.round_id == review_round.id,
                ReviewAssignment.reviewer_id == viewer.id,
                or_(Review.id.is_(None), Review.state == ReviewState.DRAFT),
            )
        ).scalars()
        for app_id in pending:
            if app_id in rows:
                rows[app_id].withheld = True
    raw, calibrated, chosen, gaps = scores.raw, scores.calibrated, scores.chosen_table, scores.gaps
    for row in rows.values():
        if not row.withheld:
            row.raw = raw.get(row.application_id)
            row.calibrated = calibrated.get(row.application_id)
            row.chosen = chosen.get(row.application_id)
            row.gap = gaps.get(row.application_id)
    ordered = descending(list(rows.values()), "chosen", in_id_order=True)
    previous = None
    for position, row in enumerate(ordered, start=1):
        if row.chosen is None:
            break
        # Equal composites share a rank (1, 2, 2, 4): hundredths make ties real.
        row.rank = previous.rank if previous and previous.chosen == row.chosen else position
        previous = row
    return ordered


def descending(rows: list[RankRow], attribute: str, *, in_id_order: bool = False) -> list[RankRow]:
    """rows by attribute, largest first, ties by application id, rows without it last.

    Two stable sorts instead of one on a tuple key with a negated Decimal: the same order,
    at a fraction of the cost on thousands of rows. in_id_order: rows already are.
    """
    if not in_id_order:
        rows = sorted(rows, key=attrgetter("application_id"))
    valued = [r for r in rows if getattr(r, attribute) is not None]
    valued.sort(key=attrgetter(attribute), reverse=True)  # stable: ties keep the id order
    return valued + [r for r in rows if getattr(r, attribute) is None]


def fill_review_counts(review_round: ReviewRound, rows: list[RankRow]) -> None:
    """Load how many reviews each of these rows has assigned and submitted (one query)."""
    if review_round.id is None or not rows:
        return
    by_id = {row.application_id: row for row in rows}
    counts = db.session.connection().execute(
        select(
            ReviewAssignment.application_id,
            func.count(ReviewAssignment.id),
            func.count(ReviewAssignment.submitted_at),
        )
        .where(
            ReviewAssignment.round_id == review_round.id,
            ReviewAssignment.application_id.in_(list(by_id)),
        )
        .group_by(ReviewAssignment.application_id)
    )
    for app_id, assigned, submitted in counts:
        by_id[app_id].assigned, by_id[app_id].submitted = assigned, submitted


def fill_names(rows: list[RankRow]) -> None:
    """Load the display names of these rows (one query per 900 rows)."""
    by_id = {row.application_id: row for row in rows}
    ids = sorted(by_id)
    for start in range(0, len(ids), 900):
        chunk = ids[start : start + 900]
        names = db.session.connection().execute(
            select(
                Application.id,
                User.full_name,
                StudentProfile.preferred_name,
                StudentProfile.legal_first_name,
                StudentProfile.legal_last_name,
            )
            .join(User, User.id == Application.student_id)
            .outerjoin(StudentProfile, StudentProfile.user_id == Application.student_id)
            .where(Application.id.in_(chunk))
        )
        for app_id, full, preferred, first, last in names:
            by_id[app_id].name = display_name(full, preferred, first, last)


SORTS = {
    "composite": "Composite that feeds the allocation",
    "raw": "Raw composite",
    "calibrated": "Calibrated composite",
    "gap": "Disagreement (largest first)",
    "name": "Name",
}


def applications_choosing(block_id: int) -> set[int]:
    """Ids of applications that rank this block among their choices."""
    return set(
        db.session.scalars(
            select(ApplicationChoice.application_id).where(ApplicationChoice.block_id == block_id)
        )
    )


def filter_and_sort(
    rows: list[RankRow],
    *,
    sort: str = "composite",
    pathway: bool | None = None,
    block_id: int | None = None,
    disagreement_only: bool = False,
) -> list[RankRow]:
    """The ranking filtered and sorted as the director asked; ties fall back to the id."""
    if pathway is not None:
        rows = [r for r in rows if r.in_pathway is pathway]
    if block_id is not None:
        choosing = applications_choosing(block_id)
        rows = [r for r in rows if r.application_id in choosing]
    if disagreement_only:
        rows = [r for r in rows if r.disagreement]
    if sort == "name":
        fill_names(rows)
        return sorted(rows, key=lambda r: (r.name.casefold(), r.application_id))
    attribute = {"raw": "raw", "calibrated": "calibrated", "gap": "gap"}.get(sort, "chosen")
    return descending(rows, attribute)


@dataclass(frozen=True)
class ReviewBacklog:
    """A department's reviews not yet submitted in open rounds, and its applications without a score."""

    due: int = 0
    overdue: int = 0
    unscored: int = 0


AWAITING_SCORE = (ApplicationState.SUBMITTED, ApplicationState.UNDER_REVIEW)


def review_backlog_by_department(
    department_ids: Collection[int], cycle: Cycle, today: date
) -> dict[int, ReviewBacklog]:
    """department id -> reviews due (overdue: past their due date) and unscored applications (two queries)."""
    if not department_ids:
        return {}
    ids = sorted(department_ids)
    due = dict.fromkeys(ids, (0, 0))
    # Read from the assignments alone, through their partial index (records.py): the
    # reviews owed by round and due date.
    for department_id, count, late in db.session.execute(
        select(
            ReviewRound.department_id,
            func.count(ReviewAssignment.id),
            func.count(case((ReviewAssignment.due_on < today, 1))),
        )
        .join(ReviewRound, ReviewRound.id == ReviewAssignment.round_id)
        .where(
            ReviewRound.department_id.in_(ids),
            ReviewRound.cycle_id == cycle.id,
            ReviewRound.phase != Phase.CLOSED,
            ReviewAssignment.submitted_at.is_(None),
            ReviewAssignment.application_id.is_not(None),
        )
        .group_by(ReviewRound.department_id)
    ):
        due[department_id] = (count, late)
    # The unscored rows alone, through their partial index (applications/models.py).
    unscored = dict(
        db.session.execute(
            select(Application.department_id, func.count(Application.id))
            .where(
                Application.department_id.in_(ids),
                Application.cycle_id == cycle.id,
                Application.state.in_(AWAITING_SCORE),
                Application.scored_at.is_(None),
            )
            .group_by(Application.department_id)
        ).all()
    )
    return {d: ReviewBacklog(*due[d], unscored.get(d, 0)) for d in ids}


def student_names(student_of: dict[int, int], subject_ids: Collection[int]) -> dict[int, str]:
    """subject id -> its student's name, for the given subjects (student_of: round_subjects)."""
    wanted = {student_of[i] for i in subject_ids if i in student_of}
    if not wanted:
        return {}
    names = dict(
        db.session.execute(select(User.id, User.full_name).where(User.id.in_(wanted))).all()
    )
    return {i: names[student_of[i]] for i in subject_ids if student_of.get(i) in names}
