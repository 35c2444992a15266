"""Demo step: the offers behind the applications walked by hand to Offered or Accepted.

The applications step walks one application per department to each state; an Offered
or Accepted one must hold a seat and its offer (`flask doctor` checks it). This last
step gives each such application, left without its offer, a seat in the first of its
department's blocks with room (a large season's department adds a seat), as the
waitlist would: a pending offer, or an accepted one.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from clerkship.allocation.engine import SeatType
from clerkship.allocation.models import Placement
from clerkship.applications.models import Application, ApplicationState
from clerkship.core.time import utcnow
from clerkship.cycles.models import Block, Rotation
from clerkship.extensions import db
from clerkship.offers.models import Offer, OfferState

OFFER_OF = {
    ApplicationState.OFFERED: OfferState.PENDING,
    ApplicationState.ACCEPTED: OfferState.ACCEPTED,
}


def seed_offer_records(ctx) -> None:
    """A held seat and its offer for every Offered or Accepted application without one."""
    if ctx.cycle is None:
        return
    live = select(Offer.id).where(
        Offer.application_id == Application.id,
        Offer.state.in_((OfferState.PENDING, OfferState.ACCEPTED)),
    )
    applications = db.session.scalars(
        select(Application)
        .where(
            Application.cycle_id == ctx.cycle.id,
            Application.state.in_(tuple(OFFER_OF)),
            ~live.exists(),
        )
        .order_by(Application.id)
    ).all()
    for application in applications:
        blocks = [c.block for c in application.choices] + list(
            db.session.scalars(
                select(Block)
                .join(Rotation, Rotation.id == Block.rotation_id)
                .where(
                    Rotation.department_id == application.department_id,
                    Block.cycle_id == ctx.cycle.id,
                )
                .order_by(Block.starts_on, Block.id)
            )
        )
        for block in blocks:
            seat = _free_seat(block, application.in_pathway)
            if seat is not None:
                _hold(application, block, seat, OFFER_OF[application.state])
                break
        else:  # a large (--scale) season filled every block: the department adds a seat
            blocks[0].capacity += 1
            _hold(application, blocks[0], SeatType.OPEN, OFFER_OF[application.state])
    db.session.flush()


def _free_seat(block: Block, in_pathway: bool) -> SeatType | None:
    if in_pathway and block.reserved_taken < block.reserved:
        return SeatType.RESERVED
    if block.open_taken < block.open_seats:
        return SeatType.OPEN
    if block.reserved_taken < block.reserved:
        return SeatType.CONVERTED
    return None


def _hold(application: Application, block: Block, seat: SeatType, state: OfferState) -> None:
    if seat is SeatType.OPEN:
        block.open_taken += 1
    else:
        block.reserved_taken += 1
    placement = Placement(
        application=application, block=block, seat_type=seat, in_pathway=application.in_pathway
    )
    created = utcnow() - timedelta(days=3)
    offer = Offer(
        placement=placement,
        application=application,
        state=state,
        created_at=created,
        expires_at=created + timedelta(days=application.department.offer_days),
        responded_at=created + timedelta(days=1) if state is OfferState.ACCEPTED else None,
    )
    db.session.add_all([placement, offer])
