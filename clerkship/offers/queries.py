"""Reads of offers and waitlist moves."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import joinedload

from clerkship.accounts.models import User
from clerkship.allocation.models import Placement
from clerkship.applications.models import Application
from clerkship.cycles.models import Cycle, Department
from clerkship.extensions import db
from clerkship.offers.models import Offer, OfferState, SeatMove


def department_offers(
    department: Department, cycle: Cycle, state: OfferState | None = None
) -> list[Offer]:
    """Every offer of the department in cycle, newest first, with student and block loaded."""
    stmt = (
        select(Offer)
        .join(Offer.application)
        .where(Application.department_id == department.id, Application.cycle_id == cycle.id)
        .options(
            joinedload(Offer.application).joinedload(Application.student),
            joinedload(Offer.placement).joinedload(Placement.block),
        )
        .order_by(Offer.created_at.desc(), Offer.id.desc())
    )
    if state is not None:
        stmt = stmt.where(Offer.state == state)
    return list(db.session.scalars(stmt).unique())


def seat_moves(department: Department, cycle: Cycle) -> list[SeatMove]:
    """The waitlist's moves in the department, newest first."""
    return list(
        db.session.scalars(
            select(SeatMove)
            .where(SeatMove.department_id == department.id, SeatMove.cycle_id == cycle.id)
            .options(
                joinedload(SeatMove.block),
                joinedload(SeatMove.given_to),
                joinedload(SeatMove.freed_by),
            )
            .order_by(SeatMove.at.desc(), SeatMove.id.desc())
        ).unique()
    )


def pending_offers_for(student: User) -> list[Offer]:
    """The student's offers awaiting an answer, soonest deadline first, with block and department."""
    return list(
        db.session.scalars(
            select(Offer)
            .join(Offer.application)
            .where(Application.student_id == student.id, Offer.state == OfferState.PENDING)
            .options(
                joinedload(Offer.application),
                joinedload(Offer.placement).joinedload(Placement.block),
            )
            .order_by(Offer.expires_at, Offer.id)
        ).unique()
    )


@dataclass(frozen=True)
class OfferCounts:
    """A department's offers by where they stand: pending, expiring soon, declined, accepted."""

    pending: int = 0
    expiring: int = 0
    declined: int = 0
    accepted: int = 0
    expired: int = 0


def offer_counts_by_department(
    department_ids: Collection[int], cycle: Cycle, *, expiring_before: datetime
) -> dict[int, OfferCounts]:
    """department id -> its offers in cycle counted by state, and pending ones expiring soon (one query)."""
    if not department_ids:
        return {}
    pending = Offer.state == OfferState.PENDING
    rows = db.session.execute(
        select(
            Application.department_id,
            func.count(case((pending, 1))),
            func.count(case((and_(pending, Offer.expires_at < expiring_before), 1))),
            func.count(case((Offer.state == OfferState.DECLINED, 1))),
            func.count(case((Offer.state == OfferState.ACCEPTED, 1))),
            func.count(case((Offer.state == OfferState.EXPIRED, 1))),
        )
        .join(Application, Application.id == Offer.application_id)
        .where(
            Application.department_id.in_(sorted(department_ids)), Application.cycle_id == cycle.id
        )
        .group_by(Application.department_id)
    )
    return {row[0]: OfferCounts(*row[1:]) for row in rows}
