"""Demo step: Emergency Medicine's allocation published, its offers answered, its waitlist moved.

Everything goes through the services a director and the students would use: the run
takes the reviews' composite scores, is published as offers, and then a first week of
answers plays out:

1. the students placed at their first choice accept, and so do those placed lower
   (they keep a seat while they wait for a better one), except the two lowest-priority
   students at a first choice, who never answer;
2. a pathway student declines a reserved seat at their first choice, in the block most
   pathway students wait for: the seat goes down the waitlist, and each student offered
   a block they ranked higher accepts it, giving up (superseding) the seat they held,
   until a student who held nothing is offered the last freed seat and leaves it pending;
3. a student on a reserved seat withdraws the application, and the seat goes to the
   pathway student waiting for it, who leaves that offer pending;
4. the first offers' deadline passes (the expiry service with that deadline as `now`):
   the unanswered offers expire and their seats go to whoever waits.

Allocation takes every submitted application, so two late applications are filed after
the run (one submitted, one under review): the department still shows every state, and
the usual reviewer and the director have them to review (decided applications have left
the reviewers' queues).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from clerkship.accounts.models import Role
from clerkship.allocation import instances
from clerkship.allocation.engine import SeatType
from clerkship.allocation.models import AllocationRun
from clerkship.allocation.services import publish_run, start_run
from clerkship.applications.models import (
    Application,
    ApplicationChoice,
    ApplicationEvent,
    ApplicationState,
)
from clerkship.applications.services import transition, withdraw_application
from clerkship.demo.outbox import mark_history_delivered
from clerkship.extensions import db
from clerkship.offers.models import Offer, OfferState
from clerkship.offers.services import (
    accept_offer,
    decline_offer,
    expire_due_offers,
    waitlist_candidates,
)
from clerkship.reviews.queries import application_scores, score_round
from clerkship.reviews.records import AssignmentMethod, ReviewAssignment
from clerkship.reviews.rounds.services import find_round

if TYPE_CHECKING:
    from clerkship.demo.seed import DemoContext

DEPARTMENT = "emergency-medicine"
UNANSWERED = 2  # first offers left unanswered until they expire
LATE_STATES = (ApplicationState.SUBMITTED, ApplicationState.UNDER_REVIEW)


OVERRIDE_REASON = "Demo season: offers shown before the release date to walk through the waitlist."


def seed_allocation(ctx: DemoContext) -> None:
    """Publish Emergency Medicine's run, answer its offers, move its waitlist, expire the rest."""
    department = ctx.departments.get(DEPARTMENT)
    director = ctx.staff.get((Role.DIRECTOR, DEPARTMENT))
    if department is None or director is None or ctx.cycle is None:
        return
    review_round = find_round(department, ctx.cycle)
    scores = application_scores(department, ctx.cycle)
    if review_round is None or not scores:
        return
    # The composites the director chose to feed the allocation, and which they are.
    source = score_round(review_round).source.value
    run = start_run(department, ctx.cycle, scores=scores, score_source=source, by=director)
    # The demo is mid-season (applications open, offers not yet due): the director
    # publishes early, with a reason, so the demo shows offers and the waitlist at work.
    publish_run(run, by=director, override_reason=OVERRIDE_REASON)
    first_offers = _pending(run)
    deadline = min((o.expires_at for o in first_offers), default=None)
    rank = _ranks(run)
    at_first = [o for o in first_offers if rank[o.application_id].get(o.placement.block_id) == 0]
    silent = set(sorted(at_first, key=lambda o: _priority(run, o.application_id))[-UNANSWERED:])
    decliner = _decliner(run, [o for o in at_first if o not in silent])
    for offer in first_offers:
        if offer not in silent and offer is not decliner:
            accept_offer(offer, by=offer.application.student)
    if decliner is not None:
        decline_offer(decliner, by=decliner.application.student)
        _accept_upgrades(run)
    _withdraw_one(run)
    if deadline is not None:
        mark_history_delivered()
        expire_due_offers(now=deadline)
    _late_applications(ctx, department, director)
    db.session.flush()


def _pending(run: AllocationRun) -> list[Offer]:
    """The run's department's pending offers, oldest first."""
    return list(
        db.session.scalars(
            select(Offer)
            .join(Offer.application)
            .where(
                Application.department_id == run.department_id,
                Application.cycle_id == run.cycle_id,
                Offer.state == OfferState.PENDING,
            )
            .order_by(Offer.id)
        )
    )


def _ranks(run: AllocationRun) -> dict[int, dict[int, int]]:
    """application id -> {block id: position in its frozen ranking (0 is first)}."""
    return {
        instances.pk_of(s["id"]): {instances.pk_of(b): i for i, b in enumerate(s["ranking"])}
        for s in run.inputs["students"]
    }


def _priority(run: AllocationRun, application_id: int) -> tuple[float, int]:
    """Sort key, best first: the frozen score, then the earlier application (spec §1)."""
    engine_id = instances.key(application_id)
    score = next(s["score"] for s in run.inputs["students"] if s["id"] == engine_id)
    return (-score, application_id)


def _decliner(run: AllocationRun, offers: list[Offer]) -> Offer | None:
    """A reserved seat at a first choice in the block the most pathway students wait for."""
    best, waiting = None, 0
    counts: dict[int, int] = {}  # by block: nothing changes while the demo looks
    for offer in offers:
        if offer.placement.seat_type != SeatType.RESERVED:
            continue
        block = offer.placement.block
        if block.id not in counts:
            counts[block.id] = sum(c.uim for c in waitlist_candidates(run, block).values())
        count = counts[block.id]
        if count > waiting:
            best, waiting = offer, count
    return best


def _accept_upgrades(run: AllocationRun) -> None:
    """Students offered a block above the seat they accepted take it; others leave it pending."""
    while True:
        upgrade = next(
            (o for o in _pending(run) if _holds_accepted(o.application_id)),
            None,
        )
        if upgrade is None:
            return
        accept_offer(upgrade, by=upgrade.application.student)


def _holds_accepted(application_id: int) -> bool:
    return (
        db.session.scalar(
            select(Offer.id).where(
                Offer.application_id == application_id, Offer.state == OfferState.ACCEPTED
            )
        )
        is not None
    )


def _withdraw_one(run: AllocationRun) -> None:
    """A student on a reserved seat that a pathway student waits for withdraws the application."""
    held = db.session.scalars(
        select(Offer)
        .join(Offer.application)
        .where(
            Application.department_id == run.department_id,
            Application.cycle_id == run.cycle_id,
            Offer.state == OfferState.ACCEPTED,
        )
        .order_by(Offer.id)
    ).all()
    reserved = [o for o in held if o.placement.seat_type == SeatType.RESERVED]
    for offer in sorted(reserved, key=lambda o: _priority(run, o.application_id), reverse=True):
        candidates = waitlist_candidates(run, offer.placement.block).values()
        if any(c.uim for c in candidates):
            student = offer.application.student
            withdraw_application(
                offer.application, by=student, reason="I accepted a rotation closer to home."
            )
            return


def _late_applications(ctx: DemoContext, department, director) -> None:
    """Students who applied after the run: still submitted, and under review."""
    applied = set(
        db.session.scalars(
            select(Application.student_id).where(
                Application.department_id == department.id, Application.cycle_id == ctx.cycle.id
            )
        )
    )
    named = [s for s in ctx.students if not s.email.startswith("synthetic.")]
    late = [s for s in named if s.id not in applied][: len(LATE_STATES)]
    blocks = ctx.blocks.get(DEPARTMENT, [])
    for index, (student, state) in enumerate(zip(late, LATE_STATES, strict=False)):
        application = Application(
            student=student,
            cycle=ctx.cycle,
            department=department,
            in_pathway=index == 0,
            personal_statement="I applied after your first offers went out; I hope a seat frees.",
        )
        for position, block in enumerate(blocks[-2 - index :], start=1):
            application.choices.append(ApplicationChoice(block=block, rank=position))
        application.events.append(
            ApplicationEvent(from_state=None, to_state=ApplicationState.DRAFT, actor=student)
        )
        db.session.add(application)
        db.session.flush()
        transition(application, ApplicationState.SUBMITTED, by=student, notify=False)
        if state == ApplicationState.UNDER_REVIEW:
            transition(application, ApplicationState.UNDER_REVIEW, by=director, notify=False)
        _assign_late_reviewers(ctx, department, application, director)


def _assign_late_reviewers(ctx: DemoContext, department, application, director) -> None:
    """The late application goes to two reviewers, the usual one and the director: decided
    applications have left the reviewers' queues, and this keeps a next review to start."""
    review_round = find_round(department, ctx.cycle)
    reviewer = ctx.staff.get((Role.REVIEWER, DEPARTMENT))
    if review_round is None or reviewer is None:
        return
    for person in (reviewer, director):
        db.session.add(
            ReviewAssignment(
                round_id=review_round.id,
                reviewer_id=person.id,
                application_id=application.id,
                due_on=review_round.due_on,
                method=AssignmentMethod.MANUAL,
                assigned_by_id=director.id,
            )
        )
