"""The dashboards' charts, each from one or two aggregate queries (counts do not grow with data).

Every count of people below the suppression threshold is hidden (clerkship.core.charts), and
so is any figure from which a hidden one could be worked out (empty seats beside a hidden
seat type, free interview places beside a hidden booking count).
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import and_, case, func, select

from clerkship.allocation.engine import SeatType
from clerkship.allocation.models import Placement, PlacementState
from clerkship.applications.models import Application, ApplicationState
from clerkship.awards import queries as award_queries
from clerkship.core.charts import Chart, Series, bar_chart
from clerkship.core.suppression import SUPPRESSED, suppress_counts, suppress_table
from clerkship.core.time import format_datetime
from clerkship.cycles.models import Block, Cycle, Department, Rotation
from clerkship.extensions import db
from clerkship.interviews import queries as interview_queries
from clerkship.offers.models import Offer, OfferState
from clerkship.reviews.queries import score_bands
from clerkship.reviews.records import Review, ReviewAssignment

S = ApplicationState
STAGES = ("Applied", "Reviewed", "Offered", "Accepted", "Completed")
PATHWAY_SERIES = (
    ("UIM pathway", "chart-reserved", True),
    ("Other applicants", "chart-primary", False),
)
SEAT_SERIES = (
    (SeatType.OPEN, "Open", "chart-open"),
    (SeatType.RESERVED, "Reserved", "chart-reserved"),
    (SeatType.CONVERTED, "Converted", "chart-converted"),
)


def _flag(condition):
    return func.sum(case((condition, 1), else_=0))


def funnel(cycle: Cycle, department: Department | None = None) -> Chart:
    """Applied -> reviewed -> offered -> accepted -> completed, split by the pathway flag."""
    # Each stage's applications once (GROUP BY), joined to the applications by hash: one
    # pass over each table instead of two index probes per application.
    reviewed = (
        select(ReviewAssignment.application_id.label("id"))
        .join(Review, Review.assignment_id == ReviewAssignment.id)
        .where(Review.submitted_at.is_not(None), ReviewAssignment.application_id.is_not(None))
        .group_by(ReviewAssignment.application_id)
        .subquery("reviewed")
    )
    offered = (
        select(
            Offer.application_id.label("id"),
            func.max(case((Offer.state == OfferState.ACCEPTED, 1), else_=0)).label("accepted"),
        )
        .group_by(Offer.application_id)
        .subquery("offered")
    )
    stmt = (
        select(
            Application.in_pathway,
            func.count(Application.id),
            _flag(reviewed.c.id.is_not(None)),
            _flag(offered.c.id.is_not(None)),
            _flag((offered.c.accepted == 1) | Application.state.in_((S.ACCEPTED, S.COMPLETED))),
            _flag(Application.state == S.COMPLETED),
        )
        .outerjoin(reviewed, reviewed.c.id == Application.id)
        .outerjoin(offered, offered.c.id == Application.id)
        .where(Application.cycle_id == cycle.id, Application.state != S.DRAFT)
        .group_by(Application.in_pathway)
    )
    if department is not None:
        stmt = stmt.where(Application.department_id == department.id)
    counts = {bool(row[0]): [int(v or 0) for v in row[1:]] for row in db.session.execute(stmt)}
    # One row per stage, one cell per group; the stacked bar shows the stage's total.
    rows = list(zip(*(counts.get(flag, [0] * 5) for _n, _c, flag in PATHWAY_SERIES), strict=True))
    shown = suppress_table(rows, row_totals=True)
    series = [
        Series(name, [row[i] for row in shown], css)
        for i, (name, css, _flag) in enumerate(PATHWAY_SERIES)
    ]
    where = department.name if department else "all departments"
    return bar_chart(
        "funnel",
        "Applications from applied to completed",
        f"How many applications to {where} in {cycle.name} reached each stage, "
        "for students in the UIM pathway and for others. Groups of fewer than 5 are not shown.",
        list(STAGES),
        series,
    )


def _seat_rows(counts: dict[SeatType, int], capacity: int) -> list[int | None]:
    held = [counts.get(seat, 0) for seat, _n, _c in SEAT_SERIES]
    empty = max(capacity - sum(counts.values()), 0)
    # The capacity is public: it is the total beside the held seats and the empty ones.
    values = suppress_counts([*held, empty], total_shown=True, people=[True, True, True, False])
    if SUPPRESSED in values[:-1]:
        values[-1] = SUPPRESSED
    return values


def _fill_chart(categories: list[str], rows: list[list[int | None]], where: str) -> Chart:
    series = [
        Series(name, [r[i] for r in rows], css) for i, (_s, name, css) in enumerate(SEAT_SERIES)
    ]
    series.append(Series("Empty", [r[3] for r in rows], "chart-empty"))
    return bar_chart(
        "fill",
        "Seats filled by seat type",
        f"Held seats (offer pending or accepted) in {where}: open, reserved for the UIM pathway, "
        "and reserved seats converted to open; then empty seats. Groups of fewer than 5 are not "
        "shown, nor the empty seats beside them.",
        categories,
        series,
    )


def _held_counts(cycle: Cycle, key):
    return db.session.execute(
        select(key, Placement.seat_type, func.count(Placement.id))
        .join(Block, Block.id == Placement.block_id)
        .join(Rotation, Rotation.id == Block.rotation_id)
        .where(Placement.state == PlacementState.HELD, Block.cycle_id == cycle.id)
        .group_by(key, Placement.seat_type)
    )


def block_fill(department: Department, cycle: Cycle) -> Chart:
    """Each block of the department: seats held by type, and empty seats."""
    blocks = list(
        db.session.scalars(
            select(Block)
            .join(Block.rotation)
            .where(Rotation.department_id == department.id, Block.cycle_id == cycle.id)
            .order_by(Block.starts_on, Rotation.title, Block.id)
        )
    )
    held: dict[int, dict[SeatType, int]] = defaultdict(dict)
    for block_id, seat, count in _held_counts_for(department, cycle):
        held[block_id][seat] = count
    rows = [_seat_rows(held[b.id], b.capacity) for b in blocks]
    return _fill_chart([b.label for b in blocks], rows, f"{department.name}, {cycle.name}")


def _held_counts_for(department: Department, cycle: Cycle):
    return db.session.execute(
        select(Block.id, Placement.seat_type, func.count(Placement.id))
        .join(Block, Block.id == Placement.block_id)
        .join(Rotation, Rotation.id == Block.rotation_id)
        .where(
            Placement.state == PlacementState.HELD,
            Block.cycle_id == cycle.id,
            Rotation.department_id == department.id,
        )
        .group_by(Block.id, Placement.seat_type)
    )


def department_fill(cycle: Cycle) -> Chart:
    """Every department's seats in cycle, held by type and empty (the institution view)."""
    capacity = db.session.execute(
        select(Department.name, Department.id, func.sum(Block.capacity))
        .join(Rotation, Rotation.department_id == Department.id)
        .join(Block, and_(Block.rotation_id == Rotation.id, Block.cycle_id == cycle.id))
        .group_by(Department.id, Department.name)
        .order_by(Department.name)
    ).all()
    held: dict[int, dict[SeatType, int]] = defaultdict(dict)
    for department_id, seat, count in _held_counts(cycle, Rotation.department_id):
        held[department_id][seat] = count
    rows = [_seat_rows(held[d_id], int(cap or 0)) for _n, d_id, cap in capacity]
    return _fill_chart([name for name, _i, _c in capacity], rows, f"every department, {cycle.name}")


def score_distribution(department: Department, cycle: Cycle) -> Chart:
    """How the composite scores the director chose spread, one band per point of the scale."""
    bands: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for (band, in_pathway), count in score_bands(department, cycle).items():
        bands[band][0 if in_pathway else 1] += count
    order = sorted(bands)
    shown = suppress_table([bands[b] for b in order], row_totals=True)
    series = [
        Series(name, [row[i] for row in shown], css)
        for i, (name, css, _flag) in enumerate(PATHWAY_SERIES)
    ]
    return bar_chart(
        "scores",
        "Review scores",
        f"How many scored applications to {department.name} in {cycle.name} fall in each band "
        "of the composite score, for students in the UIM pathway and for others. Groups of "
        "fewer than 5 are not shown.",
        [f"{b} to under {b + 1}" for b in order],
        series,
    )


def interview_fill(department: Department, cycle: Cycle) -> Chart | None:
    """Each interview day: places booked and places free (None without an interview season)."""
    season = interview_queries.season_for(department, cycle)
    if season is None:
        return None
    figures = interview_queries.day_figures(season)
    # A day's capacity is the total beside its booked and free places.
    cells = [
        suppress_counts(
            [f.booked, max(f.day.capacity - f.booked, 0)], total_shown=True, people=[True, False]
        )
        for f in figures
    ]
    booked = [SUPPRESSED if b is SUPPRESSED else b for b, _free in cells]
    free = [SUPPRESSED if b is SUPPRESSED else free for b, free in cells]
    return bar_chart(
        "interviews",
        "Interview days filled",
        f"Places booked and free on each interview day of {department.name} in {cycle.name} "
        "(days reserved for the UIM pathway are marked). Groups of fewer than 5 are not shown.",
        [
            format_datetime(f.day.starts_at, "%b %-d, %Y")
            + (" (reserved)" if f.day.reserved else "")
            for f in figures
        ],
        [Series("Booked", booked, "chart-primary"), Series("Free", free, "chart-empty")],
    )


def award_budget(cycle: Cycle) -> Chart | None:
    """The award budget: committed (awarded, unpaid), paid and remaining, in dollars."""
    settings = award_queries.settings_for(cycle)
    if settings is None:
        return None
    budget = award_queries.budget(settings)
    return bar_chart(
        "budget",
        "Award budget",
        f"The Diversity in Medicine award budget of {cycle.name}: "
        f"${budget.total_cents / 100:,.2f} in all.",
        ["Committed, not yet paid", "Paid", "Remaining"],
        [
            Series(
                "Dollars",
                [
                    budget.committed_cents / 100,
                    budget.paid_cents / 100,
                    budget.remaining_cents / 100,
                ],
                "chart-primary",
            )
        ],
        unit="$",
    )
