"""Offers and the waitlist: answers, expiry, withdrawal, chains, hard reserves, concurrency."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from clerkship.accounts.models import Role
from clerkship.allocation import services as allocation
from clerkship.allocation.engine import SeatType
from clerkship.allocation.models import Placement, PlacementState
from clerkship.applications.models import Application, ApplicationState
from clerkship.applications.services import transition
from clerkship.core.database import writes_ahead
from clerkship.core.rules import RuleViolation
from clerkship.cycles.models import Block
from clerkship.extensions import db
from clerkship.offers import services
from clerkship.offers.models import Offer, OfferState, SeatMove
from tests.factories import make_application, make_block, make_department, make_rotation, make_user

S = ApplicationState


def _publish(department, cycle, director, scores, hard=False):
    department.hard_reserves = hard
    run = allocation.start_run(department, cycle, scores=scores, score_source="raw", by=director)
    allocation.publish_run(run, by=director, override_reason="Published mid-season by the test.")
    db.session.commit()
    return run


def _offer_of(application) -> Offer:
    return db.session.scalar(
        select(Offer).where(Offer.application_id == application.id).order_by(Offer.id.desc())
    )


def _state(application) -> ApplicationState:
    db.session.commit()  # end the test's transaction: on SQLite it would keep an old snapshot
    return db.session.get(Application, application.id).state


@pytest.fixture
def world(app):
    """One block, C = 2, R = 1, and five students ranking it first."""
    department = make_department(slug="emergency-medicine")
    rotation = make_rotation(department)
    block = make_block(rotation, capacity=2, reserved=1, month=7)
    later = make_block(rotation, block.cycle, capacity=2, reserved=0, month=8)
    director = make_user((Role.DIRECTOR, department))
    people = {}
    for name, uim, score, ranking in (
        ("ana", False, 95, [block]),
        ("ben", True, 90, [block]),
        ("cal", False, 85, [block, later]),
        ("dia", True, 60, [block, later]),
        ("eve", False, 50, [block]),
    ):
        people[name] = (
            make_application(
                department=department,
                blocks=ranking,
                in_pathway=uim,
                state=ApplicationState.SUBMITTED,
            ),
            Decimal(score),
        )
    apps = {name: a for name, (a, _s) in people.items()}
    scores = {a.id: s for a, s in people.values()}
    return department, block, later, director, apps, scores


def test_published_seats_follow_the_rule(world):
    department, block, later, director, apps, scores = world
    _publish(department, block.cycle, director, scores)
    # block: ana open, ben reserved (pathway); later: cal and dia.
    placed = {
        p.application_id: (p.block_id, p.seat_type)
        for p in db.session.scalars(select(Placement).where(Placement.state == PlacementState.HELD))
    }
    assert placed == {
        apps["ana"].id: (block.id, SeatType.OPEN),
        apps["ben"].id: (block.id, SeatType.RESERVED),
        apps["cal"].id: (later.id, SeatType.OPEN),
        apps["dia"].id: (later.id, SeatType.OPEN),
    }
    assert _state(apps["eve"]) == S.WAITLISTED


def test_accept_is_idempotent(world):
    department, block, later, director, apps, scores = world
    _publish(department, block.cycle, director, scores)
    offer = _offer_of(apps["ana"])
    student = apps["ana"].student
    assert services.accept_offer(offer, by=student) == services.Outcome.DONE
    db.session.commit()
    assert services.accept_offer(offer, by=student) == services.Outcome.ALREADY
    db.session.commit()
    assert _state(apps["ana"]) == S.ACCEPTED
    assert (
        len(
            [
                e
                for e in db.session.get(Application, apps["ana"].id).events
                if e.to_state == S.ACCEPTED
            ]
        )
        == 1
    )


def test_decline_frees_open_seat_for_the_best_student_who_ranked_it_higher(world, mailbox):
    department, block, later, director, apps, scores = world
    _publish(department, block.cycle, director, scores)
    services.decline_offer(_offer_of(apps["ana"]), by=apps["ana"].student)
    db.session.commit()
    assert (
        services.decline_offer(_offer_of(apps["ana"]), by=apps["ana"].student)
        == services.Outcome.ALREADY
    )
    # cal (85) ranked block above later, where he holds a pending offer: he moves up, and
    # his seat in later goes to the next waiting student who ranked it (none left: eve
    # did not rank later), so it stays open.
    cal_offer = _offer_of(apps["cal"])
    assert (cal_offer.placement.block_id, cal_offer.placement.seat_type) == (
        block.id,
        SeatType.OPEN,
    )
    assert _state(apps["ana"]) == S.DECLINED
    moves = db.session.scalars(select(SeatMove).order_by(SeatMove.id)).all()
    assert [(m.block_id, m.cause, m.given_to_id) for m in moves] == [
        (block.id, "declined", apps["cal"].id),
        (later.id, "offered a block ranked higher", None),
    ]
    assert "It went to" in moves[0].explanation and "(score 85.00)" in moves[0].explanation
    assert mailbox.last_to(apps["cal"].student.email)["Subject"].startswith("Offer: ")


def test_freed_reserved_seat_goes_to_best_pathway_student(world):
    department, block, later, director, apps, scores = world
    _publish(department, block.cycle, director, scores)
    services.decline_offer(_offer_of(apps["ben"]), by=apps["ben"].student)
    db.session.commit()
    dia = _offer_of(apps["dia"])
    assert (dia.placement.block_id, dia.placement.seat_type) == (block.id, SeatType.RESERVED)


def test_freed_reserved_seat_is_converted_when_no_pathway_student_wants_it(world):
    department, block, later, director, apps, scores = world
    _publish(department, block.cycle, director, scores)
    apps["dia"].state = S.WITHDRAWN  # the only other pathway student is gone
    db.session.commit()
    services.decline_offer(_offer_of(apps["ben"]), by=apps["ben"].student)
    db.session.commit()
    cal = _offer_of(apps["cal"])
    assert (cal.placement.block_id, cal.placement.seat_type) == (block.id, SeatType.CONVERTED)


def test_hard_reserve_stays_empty_when_no_pathway_student_wants_it(world):
    department, block, later, director, apps, scores = world
    _publish(department, block.cycle, director, scores, hard=True)
    apps["dia"].state = S.WITHDRAWN
    db.session.commit()
    services.decline_offer(_offer_of(apps["ben"]), by=apps["ben"].student)
    db.session.commit()
    assert db.session.get(Block, block.id).reserved_taken == 0
    move = db.session.scalar(select(SeatMove))
    assert move.given_to_id is None
    assert "reserves are hard: the seat stays empty" in move.explanation


def test_accepted_student_keeps_seat_until_accepting_a_better_one(world):
    department, block, later, director, apps, scores = world
    _publish(department, block.cycle, director, scores)
    cal, later_offer = apps["cal"], _offer_of(apps["cal"])
    services.accept_offer(later_offer, by=cal.student)
    db.session.commit()
    services.decline_offer(_offer_of(apps["ana"]), by=apps["ana"].student)
    db.session.commit()
    upgrade = _offer_of(cal)
    assert upgrade.placement.block_id == block.id and upgrade.state == OfferState.PENDING
    assert db.session.get(Offer, later_offer.id).state == OfferState.ACCEPTED  # still held
    assert _state(cal) == S.ACCEPTED
    services.accept_offer(upgrade, by=cal.student)
    db.session.commit()
    assert db.session.get(Offer, later_offer.id).state == OfferState.SUPERSEDED
    later = db.session.get(Block, later.id)
    assert later.open_taken == 1  # dia only; nobody else ranked it


def test_declining_an_upgrade_keeps_the_accepted_seat(world):
    department, block, later, director, apps, scores = world
    _publish(department, block.cycle, director, scores)
    cal = apps["cal"]
    services.accept_offer(_offer_of(cal), by=cal.student)
    services.decline_offer(_offer_of(apps["ana"]), by=apps["ana"].student)
    db.session.commit()
    services.decline_offer(_offer_of(cal), by=cal.student)
    db.session.commit()
    assert _state(cal) == S.ACCEPTED
    held = db.session.scalars(
        select(Placement.block_id).where(
            Placement.application_id == cal.id, Placement.state == PlacementState.HELD
        )
    ).all()
    assert held == [later.id]
    # The seat cal turned down goes to the next by priority who ranked it above what they
    # hold: dia (60, holding a pending offer in the later block) ahead of eve (50).
    assert _offer_of(apps["dia"]).placement.block_id == block.id
    assert _offer_of(apps["eve"]) is None


def test_expired_offer_is_refilled_and_late_accept_is_refused(world, app):
    department, block, later, director, apps, scores = world
    _publish(department, block.cycle, director, scores)
    offer = _offer_of(apps["ana"])
    with freeze_time(timedelta(days=8), tick=True):
        assert services.accept_offer(offer, by=apps["ana"].student) == services.Outcome.EXPIRED
        db.session.commit()
        assert _state(apps["ana"]) == S.OFFER_EXPIRED
        # cal moved up into ana's seat with a fresh offer. ben's offer expires; his reserved
        # seat goes to dia, whose pending (and due) offer in the later block is replaced.
        assert services.expire_due_offers() == 1
        db.session.commit()
        states = (_state(apps["ben"]), _state(apps["dia"]), _state(apps["cal"]))
        assert states == (S.OFFER_EXPIRED, S.OFFERED, S.OFFERED)
        assert _offer_of(apps["dia"]).placement.block_id == block.id
    with pytest.raises(RuleViolation, match="expired"):
        services.accept_offer(db.session.get(Offer, offer.id), by=apps["ana"].student)


def test_reminders_are_sent_once(world, mailbox):
    department, block, later, director, apps, scores = world
    _publish(department, block.cycle, director, scores)
    mailbox.messages.clear()
    with freeze_time(timedelta(days=6), tick=True):
        assert services.send_offer_reminders() == 4
        db.session.commit()
        assert services.send_offer_reminders() == 0
        db.session.commit()
        # Read while the clock is still six days on: the worker delivers what is due by then.
        assert mailbox.last_to(apps["ana"].student.email)["Subject"].startswith("Reminder:")


def test_withdrawal_releases_the_seat_to_the_waitlist(world):
    department, block, later, director, apps, scores = world
    _publish(department, block.cycle, director, scores)
    ana = apps["ana"]
    transition(ana, S.WITHDRAWN, by=ana.student)
    services.release_application_seats(ana, by=ana.student)
    db.session.commit()
    assert _offer_of(ana).state == OfferState.WITHDRAWN
    assert _offer_of(apps["cal"]).placement.block_id == block.id


def test_concurrent_declines_never_overfill_a_block(world, app):
    """Everyone holding a seat in the block declines at once; each seat is refilled once."""
    department, block, later, director, apps, scores = world
    _publish(department, block.cycle, director, scores)
    offers = [_offer_of(apps[name]).id for name in ("ana", "ben")]
    errors = []

    def decline(offer_id):
        with app.app_context():
            writes_ahead()
            try:
                offer = db.session.get(Offer, offer_id)
                services.decline_offer(offer, by=offer.application.student)
                db.session.commit()
            except Exception as error:  # report, do not hide
                errors.append(repr(error))
                db.session.rollback()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=decline, args=(o,)) for o in offers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    db.session.rollback()  # a fresh transaction sees what the threads committed
    block = db.session.get(Block, block.id)
    held = db.session.scalars(
        select(Placement).where(
            Placement.block_id == block.id, Placement.state == PlacementState.HELD
        )
    ).all()
    assert len(held) == block.open_taken + block.reserved_taken <= block.capacity
    assert all(p.seat_type != SeatType.RESERVED or p.in_pathway for p in held)
    assert sorted(p.application_id for p in held) == sorted([apps["cal"].id, apps["dia"].id])
