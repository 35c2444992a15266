"""Reads of offers and waitlist moves."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

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
