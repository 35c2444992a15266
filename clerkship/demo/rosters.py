"""Demo step: placed students in Pediatrics and Internal Medicine, some documents verified.

It does not rely on the allocation step: when a department has no held placement, the
step offers seats itself (offers.services.make_offer) to the department's submitted,
under-review and waitlisted applicants (one of each state is left as it was), in the first block they ranked with a seat of
the right type, accepts about two offers in three, and verifies some of the students'
documents, so that every roster column, the compliance tracker and the charts show
real figures.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from clerkship.accounts.models import Role
from clerkship.allocation.engine import SeatType
from clerkship.allocation.models import Placement, PlacementState
from clerkship.applications.checklist import required_kinds
from clerkship.applications.models import Application, ApplicationState
from clerkship.core.time import utcnow
from clerkship.documents.models import Document
from clerkship.extensions import db
from clerkship.offers import services as offers
from clerkship.rosters.services import verify_document

DEPARTMENTS = ("pediatrics", "internal-medicine")
S = ApplicationState
PLACEABLE = (S.SUBMITTED, S.UNDER_REVIEW, S.WAITLISTED)


def seed_rosters(ctx) -> None:
    """Offer seats in two departments (unless already placed) and verify some documents."""
    if ctx.cycle is None:
        return
    for slug in DEPARTMENTS:
        department = ctx.departments.get(slug)
        if department is None or _has_placements(department.id, ctx.cycle.id):
            continue
        director = ctx.staff.get((Role.DIRECTOR, slug))
        coordinator = ctx.staff.get((Role.COORDINATOR, slug)) or director
        applications = db.session.scalars(
            select(Application)
            .where(
                Application.department_id == department.id,
                Application.cycle_id == ctx.cycle.id,
                Application.state.in_(PLACEABLE),
            )
            .order_by(Application.id)
        ).all()
        kept: set[ApplicationState] = set()
        for application in applications:
            if application.state not in kept:  # the demo keeps an application in every state
                kept.add(application.state)
                continue
            offer = _offer_first_free_block(application, director)
            if offer is None:
                continue
            if ctx.rng.random() < 0.67:
                offers.accept_offer(offer, by=application.student)
            if coordinator is not None and ctx.rng.random() < 0.5:
                _verify_some(application, department, coordinator, ctx.rng)


def _has_placements(department_id: int, cycle_id: int) -> bool:
    return (
        db.session.scalar(
            select(Placement.id)
            .join(Placement.application)
            .where(
                Application.department_id == department_id,
                Application.cycle_id == cycle_id,
                Placement.state == PlacementState.HELD,
            )
            .limit(1)
        )
        is not None
    )


def _offer_first_free_block(application: Application, director):
    for choice in sorted(application.choices, key=lambda c: c.rank):
        block = choice.block
        if application.in_pathway and block.reserved_taken < block.reserved:
            seat = SeatType.RESERVED
        elif block.open_taken < block.open_seats:
            seat = SeatType.OPEN
        elif block.reserved_taken < block.reserved:
            seat = SeatType.CONVERTED
        else:
            continue
        placement = Placement(
            application=application,
            block=block,
            seat_type=seat,
            in_pathway=application.in_pathway,
        )
        return offers.make_offer(placement, expires_at=utcnow() + timedelta(days=7), by=director)
    return None


def _verify_some(application: Application, department, coordinator, rng) -> None:
    documents = db.session.scalars(
        select(Document).where(
            Document.owner_id == application.student_id,
            Document.cycle_id == application.cycle_id,
            Document.replaced_at.is_(None),
            Document.kind.in_(required_kinds(department)),
        )
    ).all()
    for document in documents:
        if rng.random() < 0.8:
            verify_document(document, department, by=coordinator)
