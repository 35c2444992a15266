"""The ranking of a round and the scores the allocation reads.

Composites come from `scoring.py`: a review's composite is stored, held at hundredths,
when it is submitted; here they are averaged per application (raw) and calibrated per
reviewer (see `scoring.calibrate`). Everything is computed from one query of the
round's submitted reviews, so the cost does not depend on how many pages are shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import case, func, select

from clerkship.accounts.models import User
from clerkship.applications.models import (
    Application,
    ApplicationChoice,
    ApplicationState,
    StudentProfile,
)
from clerkship.cycles.models import Cycle, Department
from clerkship.extensions import db
from clerkship.reviews.models import CompositeSource, ReviewRound
from clerkship.reviews.records import Review, ReviewAssignment, ReviewState
from clerkship.reviews.rubric_services import current_rubric
from clerkship.reviews.scoring import (
    Calibration,
    ScoredReview,
    calibrate,
    flag_disagreements,
    score_applications,
)
from clerkship.reviews.services import find_round
from clerkship.reviews.subjects import UNRANKED_STATES


@dataclass(frozen=True)
class RoundScores:
    """Raw and calibrated composites of a round's applications, and the gaps flagged."""

    reviews: tuple[ScoredReview, ...]
    raw: dict[int, Decimal]
    calibration: Calibration
    calibrated: dict[int, Decimal]
    gaps: dict[int, Decimal]  # application -> spread of its review composites, when flagged
    source: CompositeSource

    def chosen(self, application_id: int) -> Decimal | None:
        """The composite that feeds the allocation."""
        table = self.calibrated if self.source is CompositeSource.CALIBRATED else self.raw
        return table.get(application_id)


@dataclass
class RankRow:
    """One application in the ranking."""

    application_id: int
    name: str
    in_pathway: bool
    state: ApplicationState
    assigned: int = 0
    submitted: int = 0
    raw: Decimal | None = None
    calibrated: Decimal | None = None
    chosen: Decimal | None = None
    gap: Decimal | None = None
    rank: int | None = None
    # The viewer has an unsubmitted review of it: its scores stay hidden from them.
    withheld: bool = False
    blocks: set[int] = field(default_factory=set)

    @property
    def disagreement(self) -> bool:
        return self.gap is not None


def submitted_composites(review_round: ReviewRound) -> list[ScoredReview]:
    """(application, reviewer, composite) of every submitted review with a composite."""
    rows = db.session.execute(
        select(ReviewAssignment.application_id, ReviewAssignment.reviewer_id, Review.composite)
        .join(Review, Review.assignment_id == ReviewAssignment.id)
        .join(Application, Application.id == ReviewAssignment.application_id)
        .where(
            ReviewAssignment.round_id == review_round.id,
            Review.state == ReviewState.SUBMITTED,
            Review.composite.is_not(None),
            Application.state.not_in(UNRANKED_STATES),
        )
        .order_by(ReviewAssignment.application_id, ReviewAssignment.reviewer_id)
    )
    return [ScoredReview(str(a), str(r), c) for a, r, c in rows]


def score_round(review_round: ReviewRound) -> RoundScores:
    """Raw and calibrated composites of every reviewed application of the round."""
    scored = submitted_composites(review_round)
    rubric = current_rubric(review_round)
    low, high = (rubric.scale_low, rubric.scale_high) if rubric else (1, 5)
    calibration = calibrate(
        scored, low=low, high=high, min_reviews=review_round.calibration_min_reviews
    )
    gaps = flag_disagreements(scored, threshold=review_round.disagreement_threshold)
    return RoundScores(
        reviews=tuple(scored),
        raw={int(a): v for a, v in score_applications(scored).items()},
        calibration=calibration,
        calibrated={int(a): v for a, v in calibration.applications.items()},
        gaps={int(a): v for a, v in gaps.items()},
        source=review_round.composite_source,
    )


def application_scores(department: Department, cycle: Cycle) -> dict[int, Decimal]:
    """application id -> the composite the director chose to feed the allocation (hundredths).

    Applications without a submitted, scored review are left out.
    """
    review_round = find_round(department, cycle)
    if review_round is None:
        return {}
    scores = score_round(review_round)
    table = scores.calibrated if scores.source is CompositeSource.CALIBRATED else scores.raw
    return dict(table)


def _display_name(full_name: str, preferred: str | None, first: str | None, last: str | None):
    given = preferred or first
    name = f"{given or ''} {last or ''}".strip()
    return name or full_name


def ranking_rows(review_round: ReviewRound, scores: RoundScores, viewer: User) -> list[RankRow]:
    """Every ranked application of the round, ranked by the chosen composite."""
    rows: dict[int, RankRow] = {}
    stmt = (
        select(
            Application.id,
            Application.in_pathway,
            Application.state,
            User.full_name,
            StudentProfile.preferred_name,
            StudentProfile.legal_first_name,
            StudentProfile.legal_last_name,
        )
        .join(User, User.id == Application.student_id)
        .outerjoin(StudentProfile, StudentProfile.user_id == Application.student_id)
        .where(
            Application.department_id == review_round.department_id,
            Application.cycle_id == review_round.cycle_id,
            Application.state.not_in(UNRANKED_STATES),
        )
    )
    for app_id, pathway, state, full, preferred, first, last in db.session.execute(stmt):
        rows[app_id] = RankRow(app_id, _display_name(full, preferred, first, last), pathway, state)
    counts = db.session.execute(
        select(
            ReviewAssignment.application_id,
            func.count(ReviewAssignment.id),
            func.count(case((Review.state == ReviewState.SUBMITTED, 1))),
            func.max(case((ReviewAssignment.reviewer_id == viewer.id, 1), else_=0)),
            func.max(
                case(
                    (
                        (ReviewAssignment.reviewer_id == viewer.id)
                        & (Review.state == ReviewState.SUBMITTED),
                        1,
                    ),
                    else_=0,
                )
            ),
        )
        .outerjoin(Review, Review.assignment_id == ReviewAssignment.id)
        .where(ReviewAssignment.round_id == review_round.id)
        .group_by(ReviewAssignment.application_id)
    )
    for app_id, assigned, submitted, mine, mine_done in counts:
        row = rows.get(app_id)
        if row is None:
            continue
        row.assigned, row.submitted = assigned, submitted
        row.withheld = bool(mine) and not mine_done
    for row in rows.values():
        if row.withheld:
            continue
        row.raw = scores.raw.get(row.application_id)
        row.calibrated = scores.calibrated.get(row.application_id)
        row.chosen = scores.chosen(row.application_id)
        row.gap = scores.gaps.get(row.application_id)
    ordered = sorted(
        rows.values(), key=lambda r: (r.chosen is None, -(r.chosen or 0), r.application_id)
    )
    previous = None
    for position, row in enumerate(ordered, start=1):
        if row.chosen is None:
            break
        # Equal composites share a rank (1, 2, 2, 4): hundredths make ties real.
        row.rank = previous.rank if previous and previous.chosen == row.chosen else position
        previous = row
    return ordered


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
    """The ranking filtered and sorted as the director asked; ties fall back to the rank."""
    if pathway is not None:
        rows = [r for r in rows if r.in_pathway is pathway]
    if block_id is not None:
        choosing = applications_choosing(block_id)
        rows = [r for r in rows if r.application_id in choosing]
    if disagreement_only:
        rows = [r for r in rows if r.disagreement]
    if sort == "name":
        return sorted(rows, key=lambda r: (r.name.casefold(), r.application_id))
    attribute = {"composite": "chosen", "raw": "raw", "calibrated": "calibrated", "gap": "gap"}.get(
        sort, "chosen"
    )
    return sorted(
        rows,
        key=lambda r: (
            getattr(r, attribute) is None,
            -(getattr(r, attribute) or 0),
            r.application_id,
        ),
    )
