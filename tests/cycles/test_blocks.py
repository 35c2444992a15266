"""Directors create and edit blocks; bad input gets a message next to the field and saves nothing."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from clerkship.accounts.models import Role
from clerkship.audit.models import AuditEvent
from clerkship.cycles.models import Block
from clerkship.extensions import db
from tests.conftest import login
from tests.factories import make_block, make_cycle, make_department, make_rotation, make_user


@pytest.fixture
def setting(client):
    department = make_department(slug="emergency-medicine")
    cycle = make_cycle()
    rotation = make_rotation(department, title="EM Sub-Internship")
    director = make_user((Role.DIRECTOR, department))
    login(client, director)
    year = cycle.rotations_start_on.year
    form = {
        "rotation_id": str(rotation.id),
        "cycle_id": str(cycle.id),
        "starts_on": f"{year}-08-01",
        "ends_on": f"{year}-08-28",
        "capacity": "6",
        "reserved": "2",
    }
    return department, cycle, rotation, form


def _blocks() -> int:
    return db.session.scalar(select(func.count(Block.id)))


def test_director_creates_block(client, setting):
    _department, cycle, rotation, form = setting
    response = client.post("/departments/emergency-medicine/blocks/new", data=form)
    assert response.status_code == 302
    block = db.session.scalar(select(Block))
    assert (block.rotation_id, block.cycle_id, block.capacity, block.reserved) == (
        rotation.id,
        cycle.id,
        6,
        2,
    )
    assert block.starts_on == date(cycle.rotations_start_on.year, 8, 1)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "block.create"))
    assert event.target_id == block.id


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            {"ends_on": "START-07-20", "starts_on": "START-07-25"},
            "ends_on",
            "The end date must be after the start date.",
        ),
        (
            {"reserved": "7"},
            "reserved",
            "Reserved seats (7) cannot exceed the number of seats (6).",
        ),
        ({"reserved": "-1"}, "reserved", "Reserved seats cannot be negative."),
        (
            {"capacity": "-3", "reserved": "0"},
            "capacity",
            "Enter a number of seats between 0 and 500.",
        ),
        ({"capacity": "many"}, "capacity", "Not a valid integer value."),
        ({"starts_on": "2020-01-01", "ends_on": "2020-01-28"}, "starts_on", "season starts on"),
        ({"starts_on": "START-12-20", "ends_on": "NEXT-01-17"}, "ends_on", "season ends on"),
        ({"starts_on": "31/08/2027"}, "starts_on", "Enter the start date as YYYY-MM-DD."),
    ],
)
def test_bad_block_input_is_explained_next_to_field_and_nothing_saved(
    client, setting, change, field, message
):
    _department, cycle, _rotation, form = setting
    year = cycle.rotations_start_on.year
    data = {
        **form,
        **{
            k: v.replace("START", str(year)).replace("NEXT", str(year + 1))
            for k, v in change.items()
        },
    }
    response = client.post("/departments/emergency-medicine/blocks/new", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    error_block = html.split(f'id="{field}-error"')[1].split("</div>")[0]
    assert message in error_block
    assert f'value="{data["capacity"]}"' in html  # what was typed is kept
    assert _blocks() == 0


def test_duplicate_block_is_refused(client, setting):
    _department, cycle, rotation, form = setting
    make_block(rotation, cycle, month=8)
    html = client.post("/departments/emergency-medicine/blocks/new", data=form).get_data(
        as_text=True
    )
    assert (
        "EM Sub-Internship already has a block from Aug 1 to Aug 28"
        in html.split('id="starts_on-error"')[1]
    )
    assert _blocks() == 1


def test_edit_block_changes_seats(client, setting):
    _department, cycle, rotation, form = setting
    block = make_block(rotation, cycle, month=8, capacity=3, reserved=1)
    response = client.post(
        f"/departments/emergency-medicine/blocks/{block.id}/edit", data={**form, "capacity": "8"}
    )
    assert response.status_code == 302
    db.session.refresh(block)
    assert (block.capacity, block.reserved) == (8, 2)


def test_block_of_another_department_is_not_found(client, setting):
    other = make_rotation(make_department())
    block = make_block(other)
    assert client.get(f"/departments/emergency-medicine/blocks/{block.id}/edit").status_code == 404


def test_delete_block(client, setting):
    _department, cycle, rotation, _form = setting
    block_id = make_block(rotation, cycle).id
    response = client.post(f"/departments/emergency-medicine/blocks/{block_id}/delete")
    assert response.status_code == 302
    assert _blocks() == 0
    again = client.post(
        f"/departments/emergency-medicine/blocks/{block_id}/delete", follow_redirects=True
    )
    assert "That block had already been deleted." in again.get_data(as_text=True)


def test_database_refuses_reserved_over_capacity(app):
    block = make_block(capacity=2, reserved=1)
    block.reserved = 3
    with pytest.raises(IntegrityError, match=r"(?i)check"):
        db.session.flush()
    db.session.rollback()


def test_director_sees_edit_buttons_coordinator_does_not(client, app):
    department = make_department(slug="emergency-medicine")
    rotation = make_rotation(department)
    make_block(rotation)
    director = make_user((Role.DIRECTOR, department))
    coordinator = make_user((Role.COORDINATOR, department))
    login(client, director)
    assert "Add a rotation" in client.get("/departments/emergency-medicine/rotations/").get_data(
        as_text=True
    )
    other = app.test_client()
    login(other, coordinator)
    html = other.get("/departments/emergency-medicine/rotations/").get_data(as_text=True)
    assert "Add a rotation" not in html
    assert "Delete" not in html
    assert other.get("/departments/emergency-medicine/rotations/new").status_code == 403
