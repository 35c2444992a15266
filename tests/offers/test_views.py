"""Students answer offers in the browser's forms; directors follow offers and the waitlist."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from clerkship.accounts.models import Role
from clerkship.allocation import services as allocation
from clerkship.allocation.models import Placement, PlacementState
from clerkship.applications.models import ApplicationState
from clerkship.cycles.models import Block
from clerkship.extensions import db
from clerkship.offers.models import Offer, OfferState
from tests.conftest import login
from tests.factories import (
    make_application,
    make_block,
    make_cycle,
    make_department,
    make_rotation,
    make_student,
    make_user,
)


@pytest.fixture
def published(app):
    department = make_department(name="Emergency Medicine", slug="emergency-medicine")
    block = make_block(make_rotation(department, title="EM Sub-Internship"), capacity=3, reserved=1)
    director = make_user((Role.DIRECTOR, department))
    apps = [
        make_application(
            make_student(full_name=f"Student {i}"),
            department,
            blocks=[block],
            in_pathway=i % 2 == 0,
            state=ApplicationState.SUBMITTED,
        )
        for i in range(6)
    ]
    scores = {a.id: Decimal(90 - i) for i, a in enumerate(apps)}
    run = allocation.start_run(
        department, block.cycle, scores=scores, score_source="raw", by=director
    )
    allocation.publish_run(run, by=director, override_reason="Published mid-season by the test.")
    db.session.commit()
    return department, block, director, apps


def _offer(application) -> Offer:
    return db.session.scalar(
        select(Offer).where(Offer.application_id == application.id).order_by(Offer.id.desc())
    )


def test_student_accepts_offer_twice_without_harm(client, published):
    _department, _block, _director, apps = published
    offer = _offer(apps[0])
    login(client, apps[0].student)
    page = client.get(f"/offers/{offer.id}").get_data(as_text=True)
    assert "Accept this offer" in page and "EM Sub-Internship" in page
    first = client.post(f"/offers/{offer.id}/accept", follow_redirects=True)
    assert "You accepted the offer." in first.get_data(as_text=True)
    second = client.post(f"/offers/{offer.id}/accept", follow_redirects=True)
    assert "You had already accepted this offer." in second.get_data(as_text=True)
    assert db.session.get(Offer, offer.id).state == OfferState.ACCEPTED


def test_decline_needs_confirmation_and_keeps_the_page(client, published):
    _department, _block, _director, apps = published
    offer = _offer(apps[0])
    login(client, apps[0].student)
    html = client.post(f"/offers/{offer.id}/decline", data={}).get_data(as_text=True)
    assert "Tick the box to confirm that you decline." in html
    assert db.session.get(Offer, offer.id).state == OfferState.PENDING
    client.post(f"/offers/{offer.id}/decline", data={"confirm": "y"})
    assert db.session.get(Offer, offer.id).state == OfferState.DECLINED
    again = client.post(f"/offers/{offer.id}/decline", data={"confirm": "y"}, follow_redirects=True)
    assert "You had already declined this offer." in again.get_data(as_text=True)


def test_another_students_offer_is_forbidden_without_hint(client, published):
    _department, _block, _director, apps = published
    login(client, apps[1].student)
    mine = client.get(f"/offers/{_offer(apps[0]).id}")
    missing = client.get("/offers/999999")
    assert mine.status_code == missing.status_code == 403
    assert mine.get_data(as_text=True) == missing.get_data(as_text=True)


def test_director_sees_offers_and_explained_moves(client, published):
    department, block, director, apps = published
    login(client, apps[0].student)
    client.post(f"/offers/{_offer(apps[0]).id}/decline", data={"confirm": "y"})
    login(client, director)
    html = client.get(f"/departments/{department.slug}/offers/").get_data(as_text=True)
    assert "Student 0" in html and "Declined" in html
    assert "was freed (declined)" in html and "It went to Student" in html


def test_concurrent_declines_over_http_never_overfill(app, published):
    department, block, _director, apps = published
    holders = [a for a in apps if _offer(a) is not None and _offer(a).state == OfferState.PENDING]
    db.session.commit()
    barrier = threading.Barrier(len(holders))
    statuses = []

    def decline(client, offer_id):
        barrier.wait()
        response = client.post(f"/offers/{offer_id}/decline", data={"confirm": "y"})
        statuses.append(response.status_code)

    clients = [(login(app.test_client(), a.student), _offer(a).id) for a in holders]
    threads = [threading.Thread(target=decline, args=pair) for pair in clients]
    db.session.commit()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [302] * len(holders)
    db.session.rollback()
    block = db.session.get(Block, block.id)
    held = db.session.scalar(
        select(func.count(Placement.id)).where(
            Placement.block_id == block.id, Placement.state == PlacementState.HELD
        )
    )
    assert held == block.open_taken + block.reserved_taken == 3  # three waiting students moved in
    assert (
        db.session.scalar(select(func.count(Offer.id)).where(Offer.state == OfferState.PENDING))
        == 3
    )


def test_department_offers_page_query_count_does_not_grow(client, app, queries):
    def counted(slug: str, blocks: int) -> int:
        department = make_department(slug=slug)
        director = make_user((Role.DIRECTOR, department))
        cycle = make_cycle()
        made = [make_block(make_rotation(department), cycle, capacity=2) for _ in range(blocks)]
        apps = [
            make_application(
                make_student(), department, b.cycle, blocks=[b], state=ApplicationState.SUBMITTED
            )
            for b in made
            for _ in range(3)
        ]
        run = allocation.start_run(
            department,
            made[0].cycle,
            scores={a.id: Decimal(50) for a in apps},
            score_source="raw",
            by=director,
        )
        allocation.publish_run(
            run, by=director, override_reason="Published mid-season by the test."
        )
        login(client, director)
        with queries() as q:
            page = client.get(f"/departments/{slug}/offers/?cycle={cycle.slug}")
        assert page.get_data(as_text=True).count("<td>Pending</td>") == 2 * blocks
        return q.count

    counted("surgery", 1)  # the first request of a test also loads what is cached afterwards
    assert counted("neurology", 1) == counted("urology", 4)


def test_director_closes_the_waitlist_once_with_confirmation(client, published, mailbox):
    department, _block, director, apps = published
    waiting = [a for a in apps if a.state == ApplicationState.WAITLISTED]
    assert len(waiting) == 3
    login(client, director)
    page = client.get(f"/departments/{department.slug}/offers/").get_data(as_text=True)
    assert "3 students still wait for a seat." in page
    refused = client.post(f"/departments/{department.slug}/offers/close-waitlist")
    assert refused.status_code == 400
    assert "Tick the box to confirm that you close the waitlist." in refused.get_data(as_text=True)
    done = client.post(
        f"/departments/{department.slug}/offers/close-waitlist",
        data={"confirm": "y"},
        follow_redirects=True,
    )
    assert "The waitlist is closed: 3 student(s) told they were not selected." in done.get_data(
        as_text=True
    )
    again = client.post(
        f"/departments/{department.slug}/offers/close-waitlist",
        data={"confirm": "y"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert (
        "The waitlist is closed: 0 student(s)" in again and "Nobody is waiting for a seat." in again
    )
    db.session.rollback()
    assert {a.state for a in waiting} == {ApplicationState.NOT_SELECTED}
    assert mailbox.last_to(waiting[0].student.email) is not None
    # A seat freed now stays empty: nobody is waiting any more.
    holder = next(a for a in apps if a.state == ApplicationState.OFFERED)
    login(client, holder.student)
    client.post(f"/offers/{_offer(holder).id}/decline", data={"confirm": "y"})
    db.session.rollback()
    assert {a.state for a in waiting} == {ApplicationState.NOT_SELECTED}


def test_coordinator_cannot_close_the_waitlist_and_sees_no_button(client, published):
    department, _block, _director, apps = published
    coordinator = make_user((Role.COORDINATOR, department))
    login(client, coordinator)
    page = client.get(f"/departments/{department.slug}/offers/").get_data(as_text=True)
    assert "Close the waitlist" not in page
    response = client.post(
        f"/departments/{department.slug}/offers/close-waitlist", data={"confirm": "y"}
    )
    assert response.status_code == 403
