"""The director's allocation pages: start, preview, compare, move, swap, publish, discard."""

from __future__ import annotations

import re
import threading

import pytest
from sqlalchemy import func, select

from clerkship.accounts.models import Role
from clerkship.allocation import queries
from clerkship.allocation.engine import SeatType
from clerkship.allocation.models import AllocationRun, RunState
from clerkship.applications.models import ApplicationState
from clerkship.audit.models import AuditEvent
from clerkship.extensions import db
from clerkship.offers.models import Offer
from tests import factories
from tests.conftest import login


@pytest.fixture
def season(app):
    """The spec's worked example, scored by a review round: C = 3, R = 1; A (UIM) > B > C > D (UIM).

    A second block of one open seat is ranked second by C only.
    """
    department = factories.make_department(name="Emergency Medicine", slug="emergency-medicine")
    cycle = factories.make_cycle()
    rotation = factories.make_rotation(department)
    block = factories.make_block(rotation, cycle, month=7, capacity=3, reserved=1)
    spare = factories.make_block(rotation, cycle, month=8, capacity=1, reserved=0)
    director = factories.make_user((Role.DIRECTOR, department), (Role.REVIEWER, department))
    review_round = factories.make_review_round(department, cycle)
    rubric = factories.make_rubric(review_round)
    apps = {}
    for name, uim, levels in (
        ("A", True, [5, 5, 5]),
        ("B", False, [5, 5, 4]),
        ("C", False, [4, 4, 4]),
        ("D", True, [3, 3, 3]),
    ):
        apps[name] = factories.make_applicant(
            department, cycle, in_pathway=uim, blocks=[block, spare] if name == "C" else [block]
        )
        apps[name].student.full_name = f"Student {name}"
        factories.make_review(
            factories.make_assignment(review_round, apps[name], director), rubric, levels
        )
    db.session.commit()
    return department, cycle, block, spare, director, apps


def _start(client, season) -> AllocationRun:
    department, cycle, *_rest, director, _apps = season
    login(client, director)
    response = client.post(f"/departments/{department.slug}/allocation/runs?cycle={cycle.slug}")
    assert response.status_code == 302
    db.session.rollback()
    return db.session.scalars(select(AllocationRun)).one()


def _seen(run) -> str:
    db.session.refresh(run)
    return queries.fingerprint(run)


def test_director_starts_a_run_and_sees_seats_cutoffs_unplaced_and_comparison(client, season):
    _department, _cycle, block, spare, _director, apps = season
    run = _start(client, season)
    page = client.get(f"/allocation/runs/{run.id}").get_data(as_text=True)
    row = re.search(rf"<th scope=\"row\">{re.escape(block.label)}</th>(.*?)</tr>", page, re.S)
    cells = re.findall(r"<td>(.*?)</td>", row.group(1))
    # 3 seats (1 reserved): A and B open, D reserved; C is placed in the spare block.
    assert cells[:5] == ["3 (1)", "2", "1", "0", "0"]
    assert cells[6] != "—" and cells[7] == "—"
    assert "Every student has a seat." in page
    assert "(this run's rule)" in page
    comparison = re.search(r"Students placed under each rule.*?</tbody>", page, re.S).group(0)
    # No reserves: A, B, C take the block, D is left out; C's block depends on the rule.
    assert re.search(r"No reserves</th><td>3</td><td>1</td><td>2</td>", comparison)
    assert re.search(
        r"Open seats first \(this run's rule\)</th><td>4</td><td>2</td><td>0</td>", comparison
    )
    assert "2 students whose block depends on the rule" in page
    assert {p.application_id: p.seat_type for p in run.placements} == {
        apps["A"].id: SeatType.OPEN,
        apps["B"].id: SeatType.OPEN,
        apps["C"].id: SeatType.OPEN,
        apps["D"].id: SeatType.RESERVED,
    }
    assert run.score_source == "Raw composite"


def test_unplaced_student_is_listed_with_the_reason(client, season):
    department, cycle, block, spare, director, apps = season
    spare.capacity = 0
    db.session.commit()
    run = _start(client, season)
    page = client.get(f"/allocation/runs/{run.id}").get_data(as_text=True)
    assert "Unplaced students (1)" in page
    assert (
        "Student C" in page and "No block they ranked had room for them at their priority." in page
    )


def test_start_without_reviews_warns_of_unscored_applications(client, app):
    department = factories.make_department(slug="surgery")
    cycle = factories.make_cycle()
    block = factories.make_block(factories.make_rotation(department), cycle, month=7, capacity=2)
    director = factories.make_user((Role.DIRECTOR, department))
    for _ in range(3):
        factories.make_applicant(department, cycle, blocks=[block])
    login(client, director)
    response = client.post(
        f"/departments/surgery/allocation/runs?cycle={cycle.slug}", follow_redirects=True
    )
    page = response.get_data(as_text=True)
    assert "3 applications had no composite score" in page
    assert "Unplaced students (1)" in page


def test_start_with_no_application_says_so(client, app):
    department = factories.make_department(slug="surgery")
    cycle = factories.make_cycle()
    login(client, factories.make_user((Role.DIRECTOR, department)))
    response = client.post(
        f"/departments/surgery/allocation/runs?cycle={cycle.slug}", follow_redirects=True
    )
    assert "No submitted application is waiting for a seat." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(AllocationRun.id))) == 0


def test_move_breaks_the_rule_and_the_page_warns(client, season):
    _department, _cycle, block, spare, _director, apps = season
    run = _start(client, season)
    response = client.post(
        f"/allocation/runs/{run.id}/move",
        data={"application_id": apps["C"].id, "block_id": 0, "seen": _seen(run)},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "Moved Student C. The placements now break the published rule" in page
    assert "Blocking pair: Student C ranked" in page
    db.session.rollback()
    assert apps["C"].id not in {p.application_id for p in run.placements}
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "allocation.adjust")
    ).one()
    assert event.summary == f"Moved application {apps['C'].id} to unplaced"


def test_move_into_a_full_block_is_refused_next_to_the_field(client, season):
    _department, _cycle, block, spare, _director, apps = season
    run = _start(client, season)
    response = client.post(
        f"/allocation/runs/{run.id}/move",
        data={"application_id": apps["C"].id, "block_id": block.id, "seen": _seen(run)},
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert re.search(
        r'id="block_id-error"[^>]*>.*is full \(3 seats\)\. Swap two students instead\.', page
    )
    # What was chosen is kept.
    assert re.search(
        rf'<option selected value="{block.id}">|<option value="{block.id}" selected', page
    )


def test_swap_exchanges_blocks_and_relabels_reserved_seats(client, season):
    _department, _cycle, block, spare, _director, apps = season
    run = _start(client, season)
    response = client.post(
        f"/allocation/runs/{run.id}/swap",
        data={"first_id": apps["D"].id, "second_id": apps["C"].id, "seen": _seen(run)},
        follow_redirects=True,
    )
    assert "Swapped Student D and Student C" in response.get_data(as_text=True)
    db.session.rollback()
    placements = {p.application_id: (p.block_id, p.seat_type) for p in run.placements}
    assert placements[apps["C"].id] == (block.id, SeatType.CONVERTED)
    assert placements[apps["D"].id] == (spare.id, SeatType.OPEN)


def test_swap_of_a_student_with_themself_is_refused(client, season):
    *_rest, apps = season
    run = _start(client, season)
    response = client.post(
        f"/allocation/runs/{run.id}/swap",
        data={"first_id": apps["A"].id, "second_id": apps["A"].id, "seen": _seen(run)},
    )
    assert response.status_code == 400
    assert "Choose two different students." in response.get_data(as_text=True)


def test_change_from_a_stale_page_is_refused_and_changes_nothing(client, season):
    *_rest, apps = season
    run = _start(client, season)
    stale = _seen(run)
    client.post(
        f"/allocation/runs/{run.id}/move",
        data={"application_id": apps["C"].id, "block_id": 0, "seen": stale},
    )
    response = client.post(
        f"/allocation/runs/{run.id}/publish",
        data={"confirm": "y", "override_reason": "Mid-season test.", "seen": stale},
    )
    assert response.status_code == 400
    assert "The placements changed after you opened this page" in response.get_data(as_text=True)
    db.session.rollback()
    assert run.state == RunState.PREVIEW
    assert db.session.scalar(select(func.count(Offer.id))) == 0


def test_publish_needs_confirmation_then_sends_offers_once(client, season, mailbox):
    department, *_rest, apps = season
    run = _start(client, season)
    refused = client.post(f"/allocation/runs/{run.id}/publish", data={"seen": _seen(run)})
    assert refused.status_code == 400
    assert "Tick the box to confirm that you publish." in refused.get_data(as_text=True)
    seen = _seen(run)
    first = client.post(
        f"/allocation/runs/{run.id}/publish",
        data={"confirm": "y", "override_reason": "Mid-season test.", "seen": seen},
    )
    assert first.status_code == 302 and first.location.endswith(
        f"/departments/{department.slug}/offers/"
    )
    again = client.post(
        f"/allocation/runs/{run.id}/publish",
        data={"confirm": "y", "override_reason": "Mid-season test.", "seen": seen},
        follow_redirects=True,
    )
    assert "This run is already published" in again.get_data(as_text=True)
    db.session.rollback()
    assert run.state == RunState.PUBLISHED
    assert db.session.scalar(select(func.count(Offer.id))) == 4
    assert {a.state for a in apps.values()} == {ApplicationState.OFFERED}
    assert mailbox.last_to(apps["D"].student.email) is not None
    # A second run cannot be started once one is published.
    response = client.post(
        f"/departments/{department.slug}/allocation/runs?cycle={run.cycle.slug}",
        follow_redirects=True,
    )
    assert "already published its" in response.get_data(as_text=True)


def test_discard_sets_the_run_aside(client, season):
    department, *_rest = season
    run = _start(client, season)
    response = client.post(
        f"/allocation/runs/{run.id}/discard", data={"seen": _seen(run)}, follow_redirects=True
    )
    assert f"The run of {run.started} was set aside" in response.get_data(as_text=True)
    db.session.rollback()
    assert run.state == RunState.DISCARDED
    page = client.get(f"/allocation/runs/{run.id}").get_data(as_text=True)
    assert "Publish the offers" not in page and "Move a student" not in page


def test_another_departments_student_cannot_be_moved_in(client, season):
    *_rest, apps = season
    run = _start(client, season)
    other = factories.make_applicant(factories.make_department(slug="other"), run.cycle)
    db.session.commit()
    response = client.post(
        f"/allocation/runs/{run.id}/move",
        data={"application_id": other.id, "block_id": 0, "seen": _seen(run)},
    )
    assert response.status_code == 400
    assert "Not a valid choice" in response.get_data(as_text=True)


def test_run_page_query_count_does_not_grow_with_students(client, app, queries):
    department = factories.make_department(slug="surgery")
    cycle = factories.make_cycle()
    rotation = factories.make_rotation(department)
    blocks = [
        factories.make_block(rotation, cycle, month=m, capacity=2, reserved=1) for m in (7, 8)
    ]
    director = factories.make_user((Role.DIRECTOR, department))

    def counted(n: int) -> int:
        for i in range(n):
            factories.make_applicant(department, cycle, blocks=blocks, in_pathway=i % 2 == 0)
        db.session.commit()
        login(client, director)
        client.post(f"/departments/surgery/allocation/runs?cycle={cycle.slug}")
        db.session.rollback()
        run = db.session.scalars(select(AllocationRun).order_by(AllocationRun.id.desc())).first()
        with queries() as q:
            assert client.get(f"/allocation/runs/{run.id}").status_code == 200
        return q.count

    assert counted(3) == counted(12)


def test_concurrent_publishes_publish_once(app, season, is_postgres):
    department, cycle, *_rest, director, apps = season
    clients = [app.test_client() for _ in range(2)]
    run = _start(clients[0], season)
    seen, url = _seen(run), f"/allocation/runs/{run.id}/publish"
    login(clients[1], director)
    db.session.commit()
    barrier = threading.Barrier(2)
    statuses = []

    def publish(client):
        barrier.wait()
        statuses.append(
            client.post(
                url, data={"confirm": "y", "override_reason": "Mid-season test.", "seen": seen}
            ).status_code
        )

    threads = [threading.Thread(target=publish, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    db.session.rollback()
    assert sorted(statuses) == [302, 302]
    assert db.session.scalar(select(func.count(Offer.id))) == 4


def test_allocation_link_shows_for_directors_only(client, season):
    department, *_rest, director, _apps = season
    coordinator = factories.make_user((Role.COORDINATOR, department))
    login(client, coordinator)
    page = client.get(f"/departments/{department.slug}/offers/").get_data(as_text=True)
    assert f"/departments/{department.slug}/allocation/" not in page
    assert client.get(f"/departments/{department.slug}/allocation/").status_code == 403
    login(client, director)
    page = client.get(f"/departments/{department.slug}/offers/").get_data(as_text=True)
    assert f"/departments/{department.slug}/allocation/" in page
