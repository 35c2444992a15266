"""Reads of the outcome report: the funnel counted in one grouped query, and the imported lists.

An applicant here is a submitted application: a student who applied to two departments counts
once in each. Every stage is counted of those applications, so the numbers of a stage never
exceed those who applied.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, exists, func, select

from clerkship.accounts.models import User
from clerkship.allocation.models import Placement
from clerkship.applications.models import Application, StudentProfile
from clerkship.awards.models import AwardApplication, AwardState
from clerkship.core.time import utcnow
from clerkship.cycles.models import Cycle, Department
from clerkship.evaluations.models import EvaluationState, RotationEvaluation
from clerkship.extensions import db
from clerkship.interviews.models import Booking, InterviewDay, InterviewSeason, Invitation
from clerkship.interviews.states import BookingState, InvitationState
from clerkship.offers.models import Offer
from clerkship.outcomes.models import ListKind, ResidencyList, ResidencyListEntry
from clerkship.rotations.models import RotationRecord, RotationState

# The funnel's stages in order: key and the words of the report.
STAGES: list[tuple[str, str]] = [
    ("applied", "Applied"),
    ("awarded", "Received the award"),
    ("offered", "Offered a rotation"),
    ("rotated", "Rotated"),
    ("evaluated", "Evaluated"),
    ("invited", "Invited to interview"),
    ("interviewed", "Interviewed"),
    ("ranked", "Ranked"),
    ("matched", "Matched here"),
]
STAGE_KEYS = [key for key, _label in STAGES]
AWARDED_STATES = (AwardState.AWARDED, AwardState.ROTATION_COMPLETED, AwardState.PAID)
ROTATED_STATES = (RotationState.COMPLETED, RotationState.ENDED_EARLY)
EVALUATED_STATES = (EvaluationState.FINALISED, EvaluationState.SENT)


@dataclass(frozen=True)
class FunnelCount:
    """The raw counts of one cycle, department and group (pathway or not), by stage."""

    cycle_id: int
    department_id: int
    in_pathway: bool
    counts: dict[str, int]


def _stage_conditions(now: datetime) -> dict[str, object]:
    """For each stage after "applied", whether an application reached it (a correlated EXISTS)."""
    on_list = lambda kind: exists().where(  # noqa: E731
        ResidencyListEntry.application_id == Application.id,
        ResidencyListEntry.list_id == ResidencyList.id,
        ResidencyList.kind == kind,
    )
    invited = and_(
        Invitation.season_id == InterviewSeason.id,
        InterviewSeason.department_id == Application.department_id,
        InterviewSeason.cycle_id == Application.cycle_id,
        Invitation.student_id == Application.student_id,
        Invitation.state != InvitationState.WITHDRAWN,
    )
    return {
        "awarded": exists().where(
            AwardApplication.student_id == Application.student_id,
            AwardApplication.cycle_id == Application.cycle_id,
            AwardApplication.state.in_(AWARDED_STATES),
        ),
        "offered": exists().where(Offer.application_id == Application.id),
        "rotated": exists().where(
            Placement.application_id == Application.id,
            RotationRecord.placement_id == Placement.id,
            RotationRecord.state.in_(ROTATED_STATES),
        ),
        "evaluated": exists().where(
            Placement.application_id == Application.id,
            RotationEvaluation.placement_id == Placement.id,
            RotationEvaluation.state.in_(EVALUATED_STATES),
        ),
        "invited": exists().where(invited),
        # The interviews feature records no attendance: a kept booking on a day that has begun.
        "interviewed": exists().where(
            invited,
            Booking.invitation_id == Invitation.id,
            Booking.state == BookingState.BOOKED,
            InterviewDay.id == Booking.day_id,
            InterviewDay.starts_at <= now,
        ),
        "ranked": on_list(ListKind.RANK),
        "matched": on_list(ListKind.MATCH),
    }


def funnel_counts(cycle_ids: list[int], *, now: datetime | None = None) -> list[FunnelCount]:
    """The funnel of the cycles, by department and pathway group, in one grouped query."""
    if not cycle_ids:
        return []
    conditions = _stage_conditions(now or utcnow())
    columns = [func.count(Application.id).label("applied")] + [
        func.sum(case((condition, 1), else_=0)).label(key) for key, condition in conditions.items()
    ]
    rows = db.session.execute(
        select(Application.cycle_id, Application.department_id, Application.in_pathway, *columns)
        .where(Application.cycle_id.in_(cycle_ids), Application.submitted_at.is_not(None))
        .group_by(Application.cycle_id, Application.department_id, Application.in_pathway)
    )
    return [
        FunnelCount(
            row.cycle_id,
            row.department_id,
            bool(row.in_pathway),
            {key: int(getattr(row, key) or 0) for key in STAGE_KEYS},
        )
        for row in rows
    ]


def report_cycles(limit: int = 5) -> list[Cycle]:
    """The cycles of the report, oldest first: the newest `limit` of them."""
    cycles = db.session.scalars(
        select(Cycle).order_by(Cycle.rotations_start_on.desc()).limit(limit)
    )
    return list(reversed(list(cycles)))


def departments_of(ids: list[int] | None = None) -> list[Department]:
    """Departments by name (only those of ids when given)."""
    query = select(Department).order_by(Department.name)
    if ids is not None:
        query = query.where(Department.id.in_(ids))
    return list(db.session.scalars(query))


def residency_lists(department: Department, cycle: Cycle) -> dict[ListKind, ResidencyList]:
    """The department's current rank and match lists of the cycle, by kind."""
    lists = db.session.scalars(
        select(ResidencyList).where(
            ResidencyList.department_id == department.id, ResidencyList.cycle_id == cycle.id
        )
    )
    return {item.kind: item for item in lists}


def list_sizes(department: Department, cycle: Cycle) -> dict[ListKind, int]:
    """How many applicants each of the department's lists holds in the cycle."""
    rows = db.session.execute(
        select(ResidencyList.kind, func.count(ResidencyListEntry.id))
        .join(ResidencyListEntry, ResidencyListEntry.list_id == ResidencyList.id)
        .where(ResidencyList.department_id == department.id, ResidencyList.cycle_id == cycle.id)
        .group_by(ResidencyList.kind)
    )
    return {kind: count for kind, count in rows}


@dataclass(frozen=True)
class Candidate:
    """A submitted application of the department in the cycle, as a list row can name it."""

    application_id: int
    name: str
    email: str
    aamc_id: str | None


def candidates(department: Department, cycle: Cycle) -> list[Candidate]:
    """The department's applicants in the cycle, with the email and AAMC ID a list matches."""
    rows = db.session.execute(
        select(Application.id, User.full_name, User.email, StudentProfile.aamc_id)
        .join(User, User.id == Application.student_id)
        .outerjoin(StudentProfile, StudentProfile.user_id == User.id)
        .where(
            Application.department_id == department.id,
            Application.cycle_id == cycle.id,
            Application.submitted_at.is_not(None),
        )
    )
    return [Candidate(r.id, r.full_name, r.email, r.aamc_id) for r in rows]
