"""A coordinator records a student's arrival and completion and writes the rotation's
first-day information; axe checks every page (1280 and 390 px)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from clerkship.accounts.models import Role
from clerkship.core.time import local_today
from clerkship.extensions import db
from tests.browser.journeys import sign_in
from tests.factories import make_block, make_placed_student, make_student, make_user

pytestmark = pytest.mark.browser


def test_coordinator_records_arrival_completion_and_first_day(page: Page, live_server, axe):
    ends_on = local_today() - timedelta(days=1)
    block = make_block(starts_on=ends_on - timedelta(days=27), ends_on=ends_on)
    make_placed_student(block, student=make_student(full_name="Tomas Reyes"))
    department = block.rotation.department
    coordinator = make_user((Role.COORDINATOR, department))
    db.session.commit()
    slug, email, title = department.slug, coordinator.email, block.rotation.title

    sign_in(page, live_server, email, axe)
    page.goto(live_server + f"/departments/{slug}/rotation-records")
    axe.check(page)
    page.get_by_role("link", name="Record for Tomas Reyes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tomas Reyes")
    axe.check(page)
    page.get_by_label("Arrived on").fill("not a date")
    page.get_by_role("button", name="Record arrival").click()
    expect(page.get_by_text("Enter the arrival date as YYYY-MM-DD.").first).to_be_visible()
    axe.check(page)
    page.get_by_label("Arrived on").fill(block.starts_on.isoformat())
    page.get_by_role("button", name="Record arrival").click()
    expect(page.get_by_text("Tomas Reyes's arrival is recorded.")).to_be_visible()
    axe.check(page)
    page.get_by_role("button", name="Record completion").click()
    expect(page.get_by_text("Tomas Reyes's rotation is recorded as completed.")).to_be_visible()
    axe.check(page)

    page.get_by_role("link", name="arrivals and completion").click()
    page.get_by_role("link", name=f"Edit the first-day information of {title}").click()
    axe.check(page)
    page.get_by_label("Where to go").fill("LA General, Inpatient Tower, 7 AM")
    page.get_by_label("Whom to ask").fill("Chief resident, 323-555-0100")
    page.get_by_label("Shown from this many days before the block starts").fill("10")
    page.get_by_role("button", name="Save first-day information").click()
    expect(page.get_by_text(f"The first-day information of {title} is saved.")).to_be_visible()
    expect(page.get_by_text(f"{title}: shown from 10 days before the block")).to_be_visible()
    axe.check(page)
