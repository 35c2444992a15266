"""The coordinator's arrivals and completion pages and the student's first-day information."""

from __future__ import annotations

from datetime import timedelta

import pytest
from freezegun import freeze_time

from clerkship.accounts.models import Role
from clerkship.applications.models import ApplicationState
from clerkship.core.time import local_today
from clerkship.extensions import db
from clerkship.rotations import queries
from clerkship.rotations.models import RotationRecord, RotationState
from tests.conftest import login
from tests.factories import (
    make_block,
    make_cycle,
    make_placed_student,
    make_rotation_record,
    make_student,
    make_user,
)
from tests.home.conftest import panel


def _placed(ends_in_days: int, **student):
    ends_on = local_today() + timedelta(days=ends_in_days)
    block = make_block(starts_on=ends_on - timedelta(days=27), ends_on=ends_on)
    application, placement = make_placed_student(block, student=make_student(**student))
    coordinator = make_user((Role.COORDINATOR, application.department))
    return application, placement, coordinator


def _url(placement, tail: str = "") -> str:
    department = placement.application.department
    return f"/departments/{department.slug}/rotation-records/{placement.id}{tail}"


def test_coordinator_records_arrival_then_completion_from_the_list(client):
    application, placement, coordinator = _placed(-1, full_name="Rosa Diaz")
    login(client, coordinator)
    department = application.department
    listing = client.get(
        f"/departments/{department.slug}/rotation-records?cycle={application.cycle.slug}"
    ).get_data(as_text=True)
    assert "Rosa Diaz" in listing
    assert "Arrival not recorded" in listing
    arrived_on = placement.block.starts_on
    response = client.post(_url(placement, "/arrival"), data={"arrival-arrived_on": arrived_on})
    assert response.status_code == 302
    page = client.get(_url(placement)).get_data(as_text=True)
    assert f"Arrived {arrived_on:%b %-d, %Y}" in page
    response = client.post(_url(placement, "/completion"), data={"completion-version": "1"})
    assert response.status_code == 302
    db.session.expire_all()
    record = queries.record_of(placement)
    assert (record.state, db.session.get(type(application), application.id).state) == (
        RotationState.COMPLETED,
        ApplicationState.COMPLETED,
    )


def test_bad_arrival_date_is_named_next_to_the_field_and_kept(client):
    _application, placement, coordinator = _placed(10)
    login(client, coordinator)
    response = client.post(_url(placement, "/arrival"), data={"arrival-arrived_on": "soon"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert (
        '<div id="arrival-arrived_on-error" class="invalid-feedback d-block"><span '
        'class="d-block">Enter the arrival date as YYYY-MM-DD.</span></div>'
    ) in html
    assert 'value="soon"' in html
    assert queries.record_of(placement) is None


def test_early_end_without_a_reason_keeps_the_date_typed(client):
    _application, placement, coordinator = _placed(10)
    make_rotation_record(placement)
    login(client, coordinator)
    today = local_today().isoformat()
    response = client.post(
        _url(placement, "/early-end"),
        data={"early-version": "1", "early-ended_on": today, "early-reason": "  "},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Say why the rotation ended early." in html
    assert f'value="{today}"' in html
    assert queries.record_of(placement).state is RotationState.ARRIVED


def test_coordinator_sees_why_completion_must_wait_and_no_button(client):
    _application, placement, coordinator = _placed(5)
    make_rotation_record(placement)
    login(client, coordinator)
    page = client.get(_url(placement)).get_data(as_text=True)
    assert (
        f"The rotation&#39;s block ends on {placement.block.ends_on:%B %-d, %Y}; its completion "
        "can be recorded from that day. Only an administrator can record it earlier"
    ) in page
    assert "Record completion</button>" not in page
    assert "Record early end</button>" in page


def test_placement_of_another_department_is_not_found(client):
    _application, placement, _coordinator = _placed(5)
    other_coordinator_application, _other, other = _placed(5)
    login(client, other)
    department = other_coordinator_application.department
    response = client.get(f"/departments/{department.slug}/rotation-records/{placement.id}")
    assert response.status_code == 404


@pytest.mark.parametrize("placement_id", ["0", "99999999999999999999999", "x"])
def test_odd_placement_ids_are_not_found(client, placement_id):
    _application, placement, coordinator = _placed(5)
    login(client, coordinator)
    department = placement.application.department
    response = client.get(f"/departments/{department.slug}/rotation-records/{placement_id}")
    assert response.status_code == 404
    assert db.session.query(RotationRecord).count() == 0


def test_first_day_form_keeps_what_was_typed_when_the_days_are_wrong(client):
    _application, placement, coordinator = _placed(30)
    login(client, coordinator)
    department = placement.application.department
    url = f"/departments/{department.slug}/rotations/{placement.block.rotation_id}/first-day"
    response = client.post(
        url, data={"where_to_go": "Door 3", "whom_to_ask": "Dr. Lee", "notice_days": "400"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Enter a number of days, 0 to 120." in html
    assert "Door 3</textarea>" in html
    assert queries.first_day_info(placement.block.rotation) is None


def test_first_day_information_appears_the_configured_days_before_the_block(client):
    starts_on = local_today() + timedelta(days=10)
    block = make_block(
        cycle=make_cycle(), starts_on=starts_on, ends_on=starts_on + timedelta(days=27)
    )
    _application, placement = make_placed_student(block)
    student = placement.application.student
    coordinator = make_user((Role.COORDINATOR, block.rotation.department))
    login(client, coordinator)
    response = client.post(
        f"/departments/{block.rotation.department.slug}/rotations/{block.rotation_id}/first-day",
        data={
            "where_to_go": "LA General, Inpatient Tower, 1st floor, 7 AM",
            "whom_to_ask": "Dr. Ana Ruiz, chief resident, 323-555-0100",
            "notice_days": "7",
        },
    )
    assert response.status_code == 302
    login(client, student)
    expected = (
        "Your first day in Emergency Medicine: where to go and whom to ask Where to go: LA "
        "General, Inpatient Tower, 1st floor, 7 AM. Whom to ask: Dr. Ana Ruiz, chief resident, "
        "323-555-0100."
    )
    block.rotation.department.name = "Emergency Medicine"
    db.session.commit()
    # Ten days before the block: not yet.
    assert "Your first day in" not in panel(client.get("/").get_data(as_text=True), "next")
    with freeze_time(timedelta(days=3), tick=True):  # seven days before: shown
        assert expected in panel(client.get("/").get_data(as_text=True), "next")
    with freeze_time(timedelta(days=38), tick=True):  # after the block: gone
        assert "Your first day in" not in panel(client.get("/").get_data(as_text=True), "next")


def test_the_arrivals_page_runs_as_many_queries_for_many_students(client, queries):
    application, placement, coordinator = _placed(-1)
    make_rotation_record(placement)
    block = placement.block
    login(client, coordinator)
    url = (
        f"/departments/{application.department.slug}/rotation-records"
        f"?cycle={application.cycle.slug}"
    )
    with queries() as few:
        assert client.get(url).status_code == 200
    block.capacity = 10
    for n in range(4):
        _other, more = make_placed_student(block, student=make_student())
        if n % 2:
            make_rotation_record(more, state=RotationState.COMPLETED)
    db.session.commit()
    with queries() as many:
        html = client.get(url).get_data(as_text=True)
    assert html.count("Record<span") + html.count("Details<span") == 5
    assert few.count == many.count > 0


def test_completion_posted_without_the_pages_version_is_refused_as_stale(client):
    _application, placement, coordinator = _placed(-1)
    make_rotation_record(placement)
    login(client, coordinator)
    response = client.post(_url(placement, "/completion"), data={})
    assert response.status_code == 200
    assert "This rotation was changed by someone else" in response.get_data(as_text=True)
    assert queries.record_of(placement).state is RotationState.ARRIVED
