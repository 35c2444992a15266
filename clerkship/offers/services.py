"""Offers, answers, expiry, withdrawal, and the waitlist that refills every freed seat.

A freed seat goes to the waitlist by the allocation rule itself: among the students
of the published run who ranked the block above what they now hold, the block's
choice function (engine.choose) picks for the freed seat's type: an open seat takes
the highest priority; a reserved seat takes the highest-priority pathway student, or
is converted when none wants it (soft reserves) or stays empty (hard reserves).

A student who already holds a seat keeps it until they accept the better one: an
offer that is only pending is replaced at once (they ranked the new block higher), an
accepted seat is released when the better offer is accepted. Each released seat is
refilled in turn. Every step is a SeatMove with its explanation. Priority uses the
run's frozen scores and rankings; the pathway flag is read live, so a director's
withdrawal of a flag counts.

Seats are counted on the block under a row lock (CHECK constraints make an overfull
block impossible); an application's row is locked before its offers change, so two
answers to the same offer cannot both count.
"""

from __future__ import annotations

import enum
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import exists, or_, select

from clerkship.accounts.models import User
from clerkship.allocation import instances
from clerkship.allocation.engine import Block as EngineBlock
from clerkship.allocation.engine import Precedence as EnginePrecedence
from clerkship.allocation.engine import SeatType, Student, choose, hundredths
from clerkship.allocation.models import AllocationRun, Placement, PlacementState
from clerkship.allocation.services import published_run
from clerkship.applications.models import FINAL_STATES, Application, ApplicationState
from clerkship.applications.queries import lock_application
from clerkship.applications.services import transition
from clerkship.applications.signals import application_withdrawn, pathway_flag_changed
from clerkship.audit.services import record_event
from clerkship.core.rules import RuleViolation
from clerkship.core.time import format_date, format_datetime, utcnow
from clerkship.core.urls import external_url
from clerkship.core.wording import department_wording
from clerkship.cycles.models import Block, Cycle, Department
from clerkship.extensions import db
from clerkship.offers.models import Offer, OfferState, SeatMove
from clerkship.outbox.models import MessageState, OutboxMessage
from clerkship.outbox.services import queue_email, queue_message
from clerkship.outbox.signals import message_sent

S = ApplicationState


class Outcome(enum.Enum):
    """What answering an offer did."""

    DONE = "done"
    ALREADY = "already"  # the same answer was given before: nothing changed
    EXPIRED = "expired"  # too late: the offer expired now and its seat was refilled


@dataclass
class _Freed:
    block_id: int
    slot: SeatType
    cause: str
    freed_by: Application | None


def lock_block(block_id: int) -> Block:
    """The block, locked for this transaction and read afresh."""
    return db.session.scalar(
        select(Block)
        .where(Block.id == block_id)
        .with_for_update(of=Block)
        .execution_options(populate_existing=True)
    )


def _count(block: Block, seat: SeatType, step: int) -> None:
    if seat == SeatType.OPEN:
        block.open_taken += step
    else:
        block.reserved_taken += step


def _held_offers(application: Application) -> list[Offer]:
    return list(
        db.session.scalars(
            select(Offer)
            .where(
                Offer.application_id == application.id,
                Offer.state.in_((OfferState.PENDING, OfferState.ACCEPTED)),
            )
            .execution_options(populate_existing=True)
        )
    )


def make_offer(placement: Placement, *, expires_at: datetime, by: User | None) -> Offer:
    """Give a placement its seat and offer it to the student (email with the link)."""
    return make_offers([placement], expires_at=expires_at, by=by)[0]


def make_offers(
    placements: list[Placement], *, expires_at: datetime, by: User | None
) -> list[Offer]:
    """Give each placement its seat and offer it (a publication's hundreds at once).

    The blocks are locked once each, in id order; the seats and offers are written in one
    flush, where the CHECKs on the blocks and the offer indexes apply; then each student's
    timeline, email and audit event are added for the commit to write together.
    """
    block_ids = sorted({placement.block.id for placement in placements})
    blocks = {
        block.id: block
        for block in db.session.scalars(
            select(Block)
            .where(Block.id.in_(block_ids))
            .order_by(Block.id)
            .with_for_update(of=Block)
            .execution_options(populate_existing=True)
        )
    }
    offers = []
    for placement in placements:
        block = blocks[placement.block.id]
        if placement.seat_type == SeatType.OPEN and block.open_taken >= block.open_seats:
            raise RuleViolation(f"{block.label} has no open seat left.")
        if placement.seat_type != SeatType.OPEN and block.reserved_taken >= block.reserved:
            raise RuleViolation(f"{block.label} has no reserved seat left.")
        _count(block, placement.seat_type, +1)
        db.session.add(placement)
        offer = Offer(placement=placement, application=placement.application, expires_at=expires_at)
        db.session.add(offer)
        offers.append(offer)
    db.session.flush()
    window = max(0, int((expires_at - utcnow()).total_seconds()))
    with db.session.no_autoflush:  # everything below is written by the commit, in one go
        for offer in offers:
            _announce_offer(offer, blocks[offer.placement.block_id], window=window, by=by)
    return offers


def _announce_offer(offer: Offer, block: Block, *, window: int, by: User | None) -> None:
    """The new offer on the student's timeline, in an email (its deadline counts from
    the email's delivery) and in the audit log."""
    application = offer.application
    note = f"Offered {block.label}; answer by {format_datetime(offer.expires_at)}."
    if application.state == S.ACCEPTED:
        transition(
            application, S.ACCEPTED, by=by, note="A block you ranked higher: " + note, notify=False
        )
    else:
        transition(application, S.OFFERED, by=by, note=note, notify=False)
    offer.notice = _queue_offer_email(
        offer,
        block,
        f"Offer: {block.rotation.title} ({application.department.name})",
        "offer_made",
        upgrade=application.state == S.ACCEPTED and len(_held_offers(application)) > 1,
        window=_window_label(timedelta(seconds=window)),
    )
    offer.answer_window_seconds = window
    record_event(
        "offer.make",
        by=by,
        target=offer,
        subject=application.student,
        summary=f"Offered {block.label} ({offer.placement.seat_type.value})",
    )


def _release(offer: Offer, state: OfferState, cause: str, queue: deque[_Freed]) -> None:
    """End an offer and give back its seat; the seat joins the queue to be refilled."""
    offer.state = state
    offer.responded_at = utcnow()
    placement = offer.placement
    placement.state = PlacementState.RELEASED
    placement.released_at = utcnow()
    placement.release_reason = cause
    block = lock_block(placement.block_id)
    _count(block, placement.seat_type, -1)
    queue.append(_Freed(block.id, placement.seat_type, cause, offer.application))


def accept_offer(offer: Offer, *, by: User) -> Outcome:
    """Accept an offer (again: nothing changes). A seat held before is released and refilled."""
    application = lock_application(offer.application)
    db.session.refresh(offer)
    if offer.state == OfferState.ACCEPTED:
        return Outcome.ALREADY
    if offer.state != OfferState.PENDING:
        raise RuleViolation(f"This offer was {offer.state.value}; it can no longer be accepted.")
    if offer.expires_at <= utcnow():
        _expire(offer, by=by)
        return Outcome.EXPIRED
    queue: deque[_Freed] = deque()
    previous = [o for o in _held_offers(application) if o.state == OfferState.ACCEPTED]
    block = offer.placement.block
    # Release the seat accepted before first: one accepted offer per application.
    for old in previous:
        _release(old, OfferState.SUPERSEDED, "moved to a block ranked higher", queue)
    offer.state, offer.responded_at = OfferState.ACCEPTED, utcnow()
    if previous:
        released = ", ".join(old.placement.block.label for old in previous)
        transition(
            application,
            S.ACCEPTED,
            by=by,
            note=f"Moved to {block.label}; the seat in {released} was released.",
        )
    else:
        transition(application, S.ACCEPTED, by=by, note=f"Accepted {block.label}.")
    record_event("offer.accept", by=by, target=offer, subject=application.student)
    _refill(queue, by=by)
    return Outcome.DONE


def decline_offer(offer: Offer, *, by: User) -> Outcome:
    """Decline an offer (again: nothing changes); its seat goes to the waitlist."""
    application = lock_application(offer.application)
    db.session.refresh(offer)
    if offer.state == OfferState.DECLINED:
        return Outcome.ALREADY
    if offer.state != OfferState.PENDING:
        raise RuleViolation(f"This offer was {offer.state.value}; it can no longer be declined.")
    queue: deque[_Freed] = deque()
    label = offer.placement.block.label
    _release(offer, OfferState.DECLINED, "declined", queue)
    if application.state == S.ACCEPTED:
        transition(
            application, S.ACCEPTED, by=by, note=f"Declined {label}; kept the accepted seat."
        )
    else:
        transition(application, S.DECLINED, by=by, note=f"Declined {label}.")
    record_event("offer.decline", by=by, target=offer, subject=application.student)
    _refill(queue, by=by)
    return Outcome.DONE


def _expire(offer: Offer, *, by: User | None) -> None:
    application = offer.application
    queue: deque[_Freed] = deque()
    label = offer.placement.block.label
    _release(offer, OfferState.EXPIRED, "expired", queue)
    if application.state == S.ACCEPTED:
        transition(
            application,
            S.ACCEPTED,
            by=by,
            note=f"The offer of {label} expired; the accepted seat is kept.",
        )
    else:
        transition(application, S.OFFER_EXPIRED, by=by, note=f"The offer of {label} expired.")
    record_event("offer.expire", by=by, target=offer, subject=application.student)
    _refill(queue, by=by)


def _window_label(window: timedelta) -> str:
    """'7 days', '36 hours': the time to answer, as the email states it."""
    hours = round(window.total_seconds() / 3600)
    if hours >= 48 and hours % 24 == 0:
        return f"{hours // 24} days"
    return f"{hours} hour{'s' if hours != 1 else ''}"


@message_sent.connect
def start_answer_window(_sender, *, message: OutboxMessage, **_kwargs) -> None:
    """The offer's email went out: its time to answer counts from now, not from its queuing."""
    if message.template != "offer_made" or message.sent_at is None:
        return
    offer = db.session.scalar(select(Offer).where(Offer.notice_id == message.id))
    if offer is None or offer.state != OfferState.PENDING or offer.answer_window_seconds is None:
        return
    counted = message.sent_at + timedelta(seconds=offer.answer_window_seconds)
    if counted > offer.expires_at:
        offer.expires_at = counted
        db.session.flush()


def _announced():
    """Offers whose email has gone out (or failed for good, or had none): their clock runs."""
    return or_(
        Offer.notice_id.is_(None),
        ~exists().where(
            OutboxMessage.id == Offer.notice_id,
            OutboxMessage.state.in_([MessageState.QUEUED, MessageState.SENDING]),
        ),
    )


def expire_due_offers(*, now: datetime | None = None) -> int:
    """Expire every pending offer past its deadline (a scheduler runs this); how many.

    An offer whose email still waits in the outbox (a mail outage) does not expire: its
    deadline will be counted from the email's delivery.
    """
    now = now or utcnow()
    due = db.session.scalars(
        select(Offer.id).where(
            Offer.state == OfferState.PENDING, Offer.expires_at <= now, _announced()
        )
    ).all()
    expired = 0
    for offer_id in due:
        offer = db.session.get(Offer, offer_id)
        lock_application(offer.application)
        db.session.refresh(offer)
        # An earlier expiry's refill may have replaced this offer already.
        if offer.state == OfferState.PENDING and offer.expires_at <= now:
            _expire(offer, by=None)
            expired += 1
    return expired


def _queue_offer_email(
    offer: Offer, block: Block, subject: str, template: str, **context
) -> OutboxMessage:
    """An offer email, in the department's own wording when it has one (core.wording)."""
    application = offer.application
    link = external_url("offers.show", offer_id=offer.id)
    about = {
        "recipient": application.student,
        "department": application.department,
        "application": application,
    }
    worded = department_wording(
        template,
        department_id=application.department_id,
        recipient_id=application.student_id,
        values={
            "rotation": block.rotation.title,
            "block_dates": f"{format_date(block.starts_on)} to {format_date(block.ends_on)}",
            "answer_by": format_datetime(offer.expires_at),
            "link": link,
        },
    )
    if worded is not None:
        return queue_message(
            application.student.email,
            worded.subject,
            worded.text,
            html=worded.html,
            template=template,
            **about,
        )
    return queue_email(
        application.student.email,
        subject,
        template,
        **about,
        block=block,
        offer=offer,
        link=link,
        **context,
    )


def send_offer_reminders(
    *, before: timedelta = timedelta(days=2), now: datetime | None = None
) -> int:
    """Remind students whose offer expires within `before`, once per offer; how many."""
    now = now or utcnow()
    offers = db.session.scalars(
        select(Offer).where(
            Offer.state == OfferState.PENDING,
            Offer.reminded_at.is_(None),
            Offer.expires_at > now,
            Offer.expires_at <= now + before,
        )
    ).all()
    for offer in offers:
        offer.reminded_at = now
        _queue_offer_email(
            offer,
            offer.placement.block,
            f"Reminder: your offer from {offer.application.department.name} expires soon",
            "offer_reminder",
        )
    return len(offers)


@application_withdrawn.connect
def _on_withdrawn(application: Application, *, by: User | None) -> None:
    release_application_seats(application, by=by)


def release_application_seats(application: Application, *, by: User | None) -> None:
    """Give back every seat of an application that is being withdrawn, and refill them."""
    lock_application(application)
    queue: deque[_Freed] = deque()
    for offer in _held_offers(application):
        _release(offer, OfferState.WITHDRAWN, "withdrawn", queue)
    _refill(queue, by=by)


@pathway_flag_changed.connect
def _on_pathway_flag_changed(application: Application, *, by: User | None) -> None:
    convert_reserved_seats(application, by=by)


def convert_reserved_seats(application: Application, *, by: User | None) -> None:
    """A student whose pathway flag was withdrawn keeps her seats, but a reserved one becomes
    converted (it still counts as reserved on the block, so no count changes)."""
    if application.in_pathway:
        return
    for offer in _held_offers(application):
        placement = offer.placement
        if placement.seat_type == SeatType.RESERVED:
            placement.seat_type = SeatType.CONVERTED
            record_event(
                "offer.seat_converted",
                by=by,
                target=offer,
                subject=application.student,
                summary=f"{placement.block.label}: reserved seat converted (pathway flag withdrawn)",
            )
    db.session.flush()


def _refill(queue: deque[_Freed], *, by: User | None) -> None:
    """Offer each freed seat to the waitlist, following chains of released seats."""
    while queue:
        freed = queue.popleft()
        block = lock_block(freed.block_id)
        run = published_run(block.rotation.department, block.cycle)
        if run is None:
            continue
        _fill_one(run, block, freed, queue, by=by)


def _fill_one(run: AllocationRun, block: Block, freed: _Freed, queue: deque[_Freed], *, by) -> None:
    reserved_slot = freed.slot != SeatType.OPEN
    candidates = waitlist_candidates(run, block)
    move = SeatMove(
        department_id=run.department_id,
        cycle_id=run.cycle_id,
        block=block,
        seat_type=freed.slot,
        freed_by=freed.freed_by,
        cause=freed.cause,
    )
    db.session.add(move)
    pathway = sum(c.uim for c in candidates.values())
    head = (
        f"{'A reserved' if reserved_slot else 'An open'} seat in {block.label} was freed "
        f"({freed.cause}). {len(candidates)} student(s) ranked this block above what they hold "
        f"({pathway} in the pathway)."
    )
    seat = EngineBlock(instances.key(block.id), 1, 1 if reserved_slot else 0)
    precedence = EnginePrecedence(run.precedence.value)
    while candidates:
        picked = choose(seat, candidates.values(), precedence=precedence, hard=run.hard_reserves)
        if not picked:
            break
        engine_id, label = next(iter(picked.items()))
        application = lock_application(db.session.get(Application, instances.pk_of(engine_id)))
        if not _still_candidate(run, block, application):
            del candidates[engine_id]  # changed while we looked: ask the rule again
            continue
        for pending in [o for o in _held_offers(application) if o.state == OfferState.PENDING]:
            _release(pending, OfferState.SUPERSEDED, "offered a block ranked higher", queue)
        placement = Placement(
            application=application,
            block=block,
            seat_type=SeatType(label),
            in_pathway=application.in_pathway,
            run_id=run.id,
        )
        make_offer(
            placement, expires_at=utcnow() + timedelta(days=run.department.offer_days), by=by
        )
        move.given_to, move.given_as = application, SeatType(label)
        student = candidates[engine_id]
        why = {
            SeatType.OPEN: "the highest priority among them",
            SeatType.RESERVED: "the highest-priority pathway student among them",
            SeatType.CONVERTED: "the highest priority among them; no pathway student wanted the reserved seat, so it is converted",
        }[SeatType(label)]
        move.explanation = (
            f"{head} It went to {application.student.full_name} (score "
            f"{student.score_at(seat.id)}), {why}."
        )
        return
    move.explanation = head + (
        " No pathway student wants it and reserves are hard: the seat stays empty."
        if reserved_slot and run.hard_reserves and candidates
        else " Nobody is waiting for it: the seat stays open."
    )


def close_waitlist(department: Department, cycle: Cycle, *, by: User) -> int:
    """End the season's waitlist: every student still waiting is told they were not selected."""
    run = published_run(department, cycle)
    if run is None:
        raise RuleViolation("Publish an allocation before closing its waitlist.", field="confirm")
    waiting = db.session.scalars(
        select(Application)
        .where(
            Application.department_id == department.id,
            Application.cycle_id == cycle.id,
            Application.state.in_(instances.ALLOCATABLE),
        )
        .order_by(Application.id)
    ).all()
    closed = 0
    for application in waiting:
        application = lock_application(application)
        if application.state in instances.ALLOCATABLE:  # not offered a seat meanwhile
            transition(application, ApplicationState.NOT_SELECTED, by=by)
            closed += 1
    record_event(
        "offers.close_waitlist",
        by=by,
        target=run,
        summary=f"{department.name} {cycle.name}: {closed} not selected",
    )
    return closed


def waitlist_candidates(run: AllocationRun, block: Block) -> dict[str, Student]:
    """Students of the run who ranked block above what they hold now, as engine records."""
    block_key = instances.key(block.id)
    ranked = [s for s in run.inputs["students"] if block_key in s["ranking"]]
    if not ranked:
        return {}
    ids = [instances.pk_of(s["id"]) for s in ranked]
    # Two columns, not the rows: a large run's block is ranked by thousands of students.
    applications = {
        row.id: row
        for row in db.session.execute(
            select(Application.id, Application.state, Application.in_pathway).where(
                Application.id.in_(ids)
            )
        )
    }
    held = _held_blocks(ids)
    refused = _refused_blocks(ids)
    candidates = {}
    for record in ranked:
        application = applications.get(instances.pk_of(record["id"]))
        if application is None or application.state in FINAL_STATES:
            continue
        if block.id in refused.get(application.id, set()):
            continue
        ranking = record["ranking"]
        best_held = min(
            (
                ranking.index(instances.key(b))
                for b in held.get(application.id, ())
                if instances.key(b) in ranking
            ),
            default=len(ranking),
        )
        if ranking.index(block_key) < best_held:
            candidates[record["id"]] = Student(
                id=record["id"],
                uim=bool(application.in_pathway),
                ranking=tuple(ranking),
                score=hundredths(Decimal(str(record["score"]))),
            )
    return candidates


def _still_candidate(run: AllocationRun, block: Block, application: Application) -> bool:
    return (
        instances.key(application.id) in waitlist_candidates(run, block) if application else False
    )


def _held_blocks(application_ids: list[int]) -> dict[int, set[int]]:
    rows = db.session.execute(
        select(Placement.application_id, Placement.block_id).where(
            Placement.application_id.in_(application_ids), Placement.state == PlacementState.HELD
        )
    )
    held: dict[int, set[int]] = {}
    for application_id, block_id in rows:
        held.setdefault(application_id, set()).add(block_id)
    return held


def _refused_blocks(application_ids: list[int]) -> dict[int, set[int]]:
    """Blocks each student declined or let expire: they are not offered again."""
    rows = db.session.execute(
        select(Offer.application_id, Placement.block_id)
        .join(Offer.placement)
        .where(
            Offer.application_id.in_(application_ids),
            Offer.state.in_((OfferState.DECLINED, OfferState.EXPIRED)),
        )
    )
    refused: dict[int, set[int]] = {}
    for application_id, block_id in rows:
        refused.setdefault(application_id, set()).add(block_id)
    return refused
