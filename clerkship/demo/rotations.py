"""Demo step: first-day information for every rotation, and last season's rotations.

Every active rotation gets where to go and whom to ask, shown to its placed students two
weeks before their block. A past cycle (the season before the demo's) holds Emergency
Medicine and Pediatrics rotations that ended weeks ago: the coordinators recorded each
arrival and completion through the rotation services, and one early end with its reason,
so the arrivals and completion pages, the doctor's rotation checks and (later) the
evaluations have real records.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from clerkship.accounts.models import Role
from clerkship.allocation.engine import SeatType
from clerkship.allocation.models import Placement
from clerkship.applications.models import Application, ApplicationEvent, ApplicationState
from clerkship.core.time import local_today, utcnow
from clerkship.cycles.models import Block, Cycle, Rotation
from clerkship.extensions import db
from clerkship.offers.models import Offer, OfferState
from clerkship.rotations import services

# (demo student index, department slug, how the rotation went)
PAST_ROTATIONS = [
    (0, "emergency-medicine", "completed"),
    (5, "emergency-medicine", "completed"),
    (9, "pediatrics", "completed"),
    (12, "pediatrics", "ended early"),
]
EARLY_END_REASON = "Returned home after a family emergency in the third week."


def seed_rotations(ctx) -> None:
    """First-day information for each rotation; last season's completed rotations."""
    if ctx.cycle is None:
        return
    for slug, department in ctx.departments.items():
        coordinator = ctx.staff.get((Role.COORDINATOR, slug)) or ctx.staff[(Role.ADMIN, None)]
        for rotation in db.session.scalars(
            select(Rotation).where(Rotation.department_id == department.id).order_by(Rotation.id)
        ):
            services.save_first_day_info(
                rotation,
                where_to_go=f"{rotation.site.name}: the clerkship office by the main entrance, "
                "7:00 AM on your block's first day. Bring your badge letter and photo ID.",
                whom_to_ask=f"The {department.name} clerkship coordinator, "
                f"{department.contact_email}",
                notice_days=14,
                by=coordinator,
            )
    if len(ctx.students) > max(index for index, *_ in PAST_ROTATIONS):
        _seed_past_season(ctx)


def _seed_past_season(ctx) -> None:
    current = ctx.cycle
    year = current.rotations_start_on.year - 1
    shift = timedelta(days=365)
    past = Cycle(
        name=f"{year}–{year + 1}",
        slug=f"{year}-{year + 1}",
        catalogue_opens_on=current.catalogue_opens_on - shift,
        applications_open_on=current.applications_open_on - shift,
        application_deadline=current.application_deadline - shift,
        offers_released_on=current.offers_released_on - shift,
        rotations_start_on=current.rotations_start_on - shift,
        rotations_end_on=current.rotations_end_on - shift,
        closed_at=None,
    )
    db.session.add(past)
    # Blocks that ended weeks ago, whatever the day the demo is seeded.
    starts_on = local_today() - timedelta(days=90)
    blocks: dict[str, Block] = {}
    for slug in {slug for _i, slug, _how in PAST_ROTATIONS}:
        rotation = db.session.scalars(
            select(Rotation)
            .where(Rotation.department_id == ctx.departments[slug].id)
            .order_by(Rotation.id)
        ).first()
        blocks[slug] = Block(
            rotation=rotation,
            cycle=past,
            starts_on=starts_on,
            ends_on=starts_on + timedelta(days=rotation.weeks * 7 - 1),
            capacity=4,
            reserved=1,
        )
        db.session.add(blocks[slug])
    db.session.flush()
    today = local_today()
    for index, slug, how in PAST_ROTATIONS:
        coordinator = ctx.staff[(Role.COORDINATOR, slug)]
        placement = _accepted(ctx.students[index], past, ctx.departments[slug], blocks[slug])
        record = services.record_arrival(
            placement, arrived_on=placement.block.starts_on, by=coordinator, today=today
        )
        if how == "completed":
            services.record_completion(record, by=coordinator, today=today)
        else:
            services.record_early_end(
                record,
                ended_on=placement.block.starts_on + timedelta(days=16),
                reason=EARLY_END_REASON,
                by=coordinator,
                today=today,
            )
    db.session.flush()


def _accepted(student, cycle, department, block) -> Placement:
    """The student's accepted application and held seat in block, as last season left them."""
    created = utcnow() - timedelta(days=200)
    application = Application(
        student=student,
        cycle=cycle,
        department=department,
        state=ApplicationState.ACCEPTED,
        personal_statement="I hope to learn from your patients and your team.",
        submitted_at=created,
    )
    S = ApplicationState
    for before, after in ((None, S.DRAFT), (S.DRAFT, S.SUBMITTED), (S.SUBMITTED, S.OFFERED)):
        application.events.append(ApplicationEvent(from_state=before, to_state=after))
    application.events.append(ApplicationEvent(from_state=S.OFFERED, to_state=S.ACCEPTED))
    block.open_taken += 1
    placement = Placement(
        application=application, block=block, seat_type=SeatType.OPEN, in_pathway=False
    )
    offer = Offer(
        placement=placement,
        application=application,
        state=OfferState.ACCEPTED,
        created_at=created,
        expires_at=created + timedelta(days=7),
        responded_at=created + timedelta(days=1),
    )
    db.session.add_all([application, placement, offer])
    db.session.flush()
    return placement
