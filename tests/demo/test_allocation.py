"""The demo's allocation: one published run, offers in every state, a waitlist that moved."""

from __future__ import annotations

from collections import Counter
from itertools import pairwise

from sqlalchemy import select

from clerkship.accounts.models import User
from clerkship.allocation.engine import SeatType
from clerkship.allocation.models import AllocationRun, Placement, PlacementState, RunState
from clerkship.applications.models import Application, ApplicationState
from clerkship.cycles.models import Block, Department
from clerkship.extensions import db
from clerkship.offers.models import Offer, OfferState, SeatMove
from tests.conftest import login

S = ApplicationState


def _seed(app) -> Department:
    """Emergency Medicine of the demo season (seeded once per session, see `demo_season`)."""
    return db.session.scalar(select(Department).where(Department.slug == "emergency-medicine"))


def _em_offers(em: Department) -> list[Offer]:
    return list(
        db.session.scalars(
            select(Offer)
            .join(Offer.application)
            .where(Application.department_id == em.id)
            .order_by(Offer.id)
        )
    )


def test_demo_allocation_publishes_one_run_with_offers_in_every_state(app, demo_season):
    em = _seed(app)
    runs = db.session.scalars(select(AllocationRun)).all()
    assert [(r.department_id, r.state, r.score_source) for r in runs] == [
        (em.id, RunState.PUBLISHED, "raw")
    ]
    run = runs[0]
    assert len(run.inputs["students"]) == 26 and run.inputs["unscored"] != []
    offers = _em_offers(em)
    # The run's offers; the applications walked to Offered and Accepted by hand have one more each.
    assert Counter(o.state for o in offers if o.placement.run_id == run.id) == {
        OfferState.ACCEPTED: 20,
        OfferState.PENDING: 2,
        OfferState.SUPERSEDED: 3,
        OfferState.DECLINED: 1,
        OfferState.EXPIRED: 2,
        OfferState.WITHDRAWN: 1,
    }
    assert {o.state for o in offers} == set(OfferState)
    # Every offer's placement holds its seat exactly while the offer is pending or accepted.
    for offer in offers:
        held = offer.state in (OfferState.PENDING, OfferState.ACCEPTED)
        assert (offer.placement.state == PlacementState.HELD) is held, offer.id
    # Offers of the other departments (the rosters step's seats) came from no run.
    others = [o for o in db.session.scalars(select(Offer)) if o.application.department_id != em.id]
    assert all(o.placement.run_id is None for o in others)


def test_demo_allocation_waitlist_moved_by_the_rule(app, demo_season):
    em = _seed(app)
    moves = db.session.scalars(select(SeatMove).order_by(SeatMove.id)).all()
    assert [m.cause for m in moves] == [
        "declined",
        "moved to a block ranked higher",
        "moved to a block ranked higher",
        "moved to a block ranked higher",
        "withdrawn",
        "expired",
        "expired",
    ]
    assert all(m.department_id == em.id for m in moves)
    # The decline chain: each student moved up frees the seat the next one takes, until a
    # student from the waitlist gets the last one.
    chain = moves[:4]
    assert [m.seat_type for m in chain] == [
        SeatType.RESERVED,
        SeatType.RESERVED,
        SeatType.OPEN,
        SeatType.OPEN,
    ]
    for earlier, later in pairwise(chain):
        assert later.freed_by_id == earlier.given_to_id
    from_waitlist = chain[-1].given_to
    assert from_waitlist.state == S.OFFERED
    assert [e.to_state for e in from_waitlist.events][-2:] == [S.WAITLISTED, S.OFFERED]
    # The withdrawal went through the application service and its signal.
    withdrawn = moves[4].freed_by
    assert withdrawn.state == S.WITHDRAWN
    assert moves[4].given_to.in_pathway and moves[4].given_as == SeatType.RESERVED
    # Expired seats nobody ranked stay open; the rest of the waitlist still waits.
    assert [m.given_to_id for m in moves[5:]] == [None, None]
    waiting = db.session.scalars(
        select(Application).where(
            Application.department_id == em.id, Application.state == S.WAITLISTED
        )
    ).all()
    assert len(waiting) == 1


def em_cycle_id() -> int:
    """The demo season's cycle: the newest."""
    from clerkship.cycles.models import Cycle

    return db.session.scalar(select(Cycle.id).order_by(Cycle.rotations_start_on.desc()).limit(1))


def test_demo_allocation_keeps_every_seat_rule(app, demo_season):
    em = _seed(app)
    blocks = db.session.scalars(select(Block)).all()
    held = Counter(
        (p.block_id, p.seat_type == SeatType.OPEN)
        for p in db.session.scalars(select(Placement).where(Placement.state == PlacementState.HELD))
    )
    for block in blocks:
        assert block.open_taken == held[(block.id, True)], block.label
        assert block.reserved_taken == held[(block.id, False)], block.label
        assert block.open_taken <= block.capacity - block.reserved
        assert block.reserved_taken <= block.reserved
    reserved = db.session.scalars(
        select(Placement).where(Placement.seat_type == SeatType.RESERVED)
    ).all()
    assert reserved and all(p.in_pathway and p.application.in_pathway for p in reserved)
    # 20 accepted and 2 pending offers of the run (one of them an upgrade offered to a student
    # who keeps the seat they accepted until they answer), and the seats of the applications
    # walked to Offered and Accepted by hand.
    # This season's: last season's (demo/rotations.py) has seats of its own.
    em_blocks = [
        b for b in blocks if b.rotation.department_id == em.id and b.cycle_id == em_cycle_id()
    ]
    em_held = sum(held[(b.id, True)] + held[(b.id, False)] for b in em_blocks)
    assert em_held == sum(b.open_taken + b.reserved_taken for b in em_blocks) == 24


def test_demo_allocation_pages_show_the_offer_and_the_moves(app, client, demo_season):
    em = _seed(app)
    emails = ["nia.thompson@med.example.edu"]  # the README's student with an offer to answer
    pending = db.session.scalars(
        select(Offer)
        .join(Offer.application)
        .join(User, User.id == Application.student_id)
        .where(
            User.email.in_(emails),
            Offer.state == OfferState.PENDING,
            Application.department_id == em.id,
        )
    ).all()
    assert len(pending) == 1
    offer = pending[0]
    student = offer.application.student
    login(client, student)
    page = client.get(f"/offers/{offer.id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert offer.placement.block.rotation.title in text
    assert "Accept this offer" in text
    director = db.session.scalar(select(User).where(User.email == "em.director@keck.example.edu"))
    login(client, director)
    page = client.get(f"/departments/{em.slug}/offers/")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert text.count("<li><strong>") == 7
    for move in db.session.scalars(select(SeatMove)):
        assert move.explanation.replace("'", "&#39;") in text
