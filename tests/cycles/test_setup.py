"""Administrators set up cycles, departments, sites; directors set rotations and the allocation rule."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from clerkship.accounts.models import Role
from clerkship.cycles.models import Cycle, Department, Precedence, Rotation, Site
from clerkship.extensions import db
from tests.conftest import login
from tests.factories import (
    make_block,
    make_cycle,
    make_department,
    make_site,
    make_user,
)

CYCLE = {
    "name": "2027–2028",
    "slug": "2027-2028",
    "catalogue_opens_on": "2026-12-01",
    "applications_open_on": "2027-01-15",
    "application_deadline": "2027-04-30",
    "offers_released_on": "2027-05-15",
    "rotations_start_on": "2027-07-01",
    "rotations_end_on": "2027-12-31",
}


@pytest.fixture
def admin_client(client):
    login(client, make_user(Role.ADMIN))
    return client


def test_admin_creates_cycle(admin_client):
    assert admin_client.post("/admin/cycles/new", data=CYCLE).status_code == 302
    cycle = db.session.scalar(select(Cycle))
    assert (cycle.name, cycle.slug, str(cycle.application_deadline)) == (
        "2027–2028",
        "2027-2028",
        "2027-04-30",
    )


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            {"application_deadline": "2027-01-01"},
            "application_deadline",
            "The deadline must be on or after the day applications open.",
        ),
        (
            {"rotations_end_on": "2027-06-01"},
            "rotations_end_on",
            "The last rotation day must be after the first.",
        ),
        (
            {"applications_open_on": "2026-11-01"},
            "applications_open_on",
            "Applications cannot open before the catalogue does.",
        ),
        ({"slug": "2027 2028"}, "slug", "Use lowercase letters, digits and single hyphens"),
        ({"name": ""}, "name", "Enter a name, e.g. 2027–2028."),
    ],
)
def test_bad_cycle_is_explained_next_to_field(admin_client, change, field, message):
    html = admin_client.post("/admin/cycles/new", data={**CYCLE, **change}).get_data(as_text=True)
    assert message in html.split(f'id="{field}-error"')[1].split("</div>")[0]
    assert db.session.scalar(select(func.count(Cycle.id))) == 0


def test_duplicate_cycle_name_is_refused(admin_client):
    make_cycle(name="2027–2028")
    html = admin_client.post("/admin/cycles/new", data=CYCLE).get_data(as_text=True)
    assert "A cycle with this name exists." in html.split('id="name-error"')[1]


def test_cycle_dates_cannot_leave_blocks_outside(admin_client):
    cycle = make_cycle()
    make_block(cycle=cycle, month=12)
    data = {
        **CYCLE,
        "name": cycle.name,
        "slug": cycle.slug,
        "rotations_start_on": cycle.rotations_start_on.isoformat(),
        "rotations_end_on": cycle.rotations_start_on.replace(month=11, day=30).isoformat(),
        "catalogue_opens_on": cycle.catalogue_opens_on.isoformat(),
        "applications_open_on": cycle.applications_open_on.isoformat(),
        "application_deadline": cycle.application_deadline.isoformat(),
        "offers_released_on": cycle.offers_released_on.isoformat(),
    }
    html = admin_client.post(f"/admin/cycles/{cycle.id}/edit", data=data).get_data(as_text=True)
    assert "1 block(s) of this cycle fall outside these rotation dates" in html


def test_admin_creates_department_and_site(admin_client):
    admin_client.post(
        "/admin/departments/new",
        data={"name": "Psychiatry", "slug": "psychiatry", "contact_email": "", "description": ""},
    )
    admin_client.post(
        "/admin/sites/new",
        data={"name": "Keck Hospital of USC", "short_name": "Keck", "address": ""},
    )
    assert db.session.scalar(select(Department.slug)) == "psychiatry"
    assert db.session.scalar(select(Site.short_name)) == "Keck"


def test_duplicate_department_slug_is_refused(admin_client):
    make_department(slug="psychiatry")
    html = admin_client.post(
        "/admin/departments/new",
        data={"name": "Psych", "slug": "psychiatry", "contact_email": "", "description": ""},
    ).get_data(as_text=True)
    assert "A department uses this short name." in html.split('id="slug-error"')[1]


def test_director_creates_rotation_and_duplicate_code_is_refused(client):
    department = make_department(slug="emergency-medicine")
    site = make_site()
    login(client, make_user((Role.DIRECTOR, department)))
    data = {
        "code": "EM-401",
        "title": "EM Sub-I",
        "site_id": str(site.id),
        "weeks": "4",
        "description": "",
        "prerequisites": "",
        "active": "y",
    }
    assert (
        client.post("/departments/emergency-medicine/rotations/new", data=data).status_code == 302
    )
    html = client.post("/departments/emergency-medicine/rotations/new", data=data).get_data(
        as_text=True
    )
    assert "already has a rotation EM-401" in html.split('id="code-error"')[1]
    bad = client.post(
        "/departments/emergency-medicine/rotations/new",
        data={**data, "code": "EM-402", "weeks": "0"},
    )
    assert "Enter a length between 1 and 52 weeks." in bad.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Rotation.id))) == 1


def test_director_changes_published_allocation_rule(client):
    department = make_department(slug="emergency-medicine")
    make_cycle()
    login(client, make_user((Role.DIRECTOR, department)))
    client.post(
        "/departments/emergency-medicine/allocation-rule",
        data={"precedence": "reserved_first", "hard_reserves": "y"},
    )
    db.session.refresh(department)
    assert (department.precedence, department.hard_reserves) == (Precedence.RESERVED_FIRST, True)
    html = client.get("/catalogue").get_data(as_text=True)
    assert "Reserved seats first, hard reserves." in " ".join(html.split())
