"""A student registers and browses the catalogue; an admin invites a director who creates a block."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from clerkship.accounts.models import Role
from clerkship.cycles.models import Block
from clerkship.extensions import db
from tests.browser.journeys import sign_in
from tests.conftest import link_in
from tests.factories import (
    make_block,
    make_cycle,
    make_department,
    make_rotation,
    make_site,
    make_user,
)

pytestmark = pytest.mark.browser


def _path(link: str) -> str:
    return re.sub(r"^https?://[^/]+", "", link)


def test_student_registers_verifies_signs_in_and_browses(page: Page, live_server, mailbox, axe):
    cycle = make_cycle()
    department = make_department(name="Emergency Medicine", slug="emergency-medicine")
    rotation = make_rotation(
        department,
        make_site(name="LA General Medical Center"),
        title="Emergency Medicine Sub-Internship",
    )
    make_block(rotation, cycle, capacity=6, reserved=2)
    db.session.commit()

    page.goto(live_server + "/")
    axe.check(page)
    page.get_by_role("link", name="Create a student account").first.click()
    axe.check(page)
    page.get_by_label("Full name").fill("Amara Okafor")
    page.get_by_label("Email").fill("amara@med.example.edu")
    page.get_by_label("Password", exact=True).fill("short")
    page.get_by_label("Repeat password").fill("short")
    page.get_by_role("button", name="Create account").click()
    expect(page.locator("#password-error")).to_contain_text("Use at least 12 characters.")
    expect(page.get_by_label("Full name")).to_have_value("Amara Okafor")
    axe.check(page)
    page.get_by_label("Password", exact=True).fill("tangerine-bicycle-harbor")
    page.get_by_label("Repeat password").fill("tangerine-bicycle-harbor")
    page.get_by_role("button", name="Create account").click()
    # The same answer as for an address that already has an account (no enumeration).
    expect(
        page.get_by_text("open the link in it to confirm your address, then sign in.")
    ).to_be_visible()
    axe.check(page)

    link = link_in(mailbox.last_to("amara@med.example.edu"))
    page.goto(live_server + _path(link))
    expect(page).to_have_url(live_server + "/")
    page.get_by_role("link", name="Sign in").first.click()
    axe.check(page)
    page.get_by_label("Email").fill("amara@med.example.edu")
    page.get_by_label("Password").fill("tangerine-bicycle-harbor")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Hello, Amara Okafor")).to_be_visible()
    expect(page.get_by_text("Please confirm your email address")).to_have_count(0)
    axe.check(page)

    page.get_by_role("link", name="Catalogue", exact=True).click()
    expect(
        page.get_by_role("heading", name="Emergency Medicine Sub-Internship (R-")
    ).to_be_visible()
    expect(page.get_by_role("cell", name="6")).to_be_visible()
    axe.check(page)


def test_admin_invites_director_who_sets_password_and_creates_block(
    page: Page, live_server, mailbox, axe
):
    cycle = make_cycle()
    department = make_department(name="Pediatrics", slug="pediatrics")
    make_rotation(
        department,
        make_site(name="Children's Hospital Los Angeles"),
        code="PED-401",
        title="Pediatric Sub-Internship",
    )
    make_user(Role.ADMIN, email="admin@keck.example.edu", full_name="Alex Admin")
    db.session.commit()

    # The first sign-in of an admin sets up two-step sign-in (journeys.sign_in).
    sign_in(page, live_server, "admin@keck.example.edu", axe)
    page.get_by_role("link", name="Users", exact=True).click()
    axe.check(page)
    page.get_by_role("link", name="Invite a member of staff").click()
    axe.check(page)
    page.get_by_label("Full name").fill("Dr. Laura Whitfield")
    page.get_by_label("Email").fill("laura.whitfield@keck.example.edu")
    page.get_by_label("Role").select_option(label="Clerkship director")
    page.get_by_label("Department").select_option(label="Pediatrics")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("Invitation sent to laura.whitfield@keck.example.edu.")).to_be_visible()
    axe.check(page)
    page.get_by_role("link", name="Audit log").click()
    expect(page.get_by_role("cell", name="Account: invite")).to_be_visible()
    axe.check(page)
    page.get_by_role("button", name="Sign out").click()

    link = link_in(mailbox.last_to("laura.whitfield@keck.example.edu"))
    page.goto(live_server + _path(link))
    expect(page.get_by_role("heading", name="Welcome, Dr. Laura Whitfield")).to_be_visible()
    axe.check(page)
    page.get_by_label("New password", exact=True).fill("saffron-meadow-compass")
    page.get_by_label("Repeat new password").fill("saffron-meadow-compass")
    page.get_by_role("button", name="Set password and sign in").click()
    expect(page.get_by_text("Your password is set.")).to_be_visible()
    page.get_by_role("link", name="Pediatrics").click()
    expect(page.get_by_role("heading", name="Pediatrics", exact=True)).to_be_visible()
    axe.check(page)
    page.get_by_role("link", name="Department set-up").click()

    page.get_by_role("link", name="Add a block to Pediatric Sub-Internship").click()
    axe.check(page)
    year = cycle.rotations_start_on.year
    page.get_by_label("Start").fill(f"{year}-09-01")
    page.get_by_label("End").fill(f"{year}-09-28")
    page.get_by_label("Seats (C)").fill("4")
    page.get_by_label("Seats reserved for the UIM pathway (R)").fill("5")
    page.get_by_role("button", name="Save block").click()
    expect(page.locator("#reserved-error")).to_contain_text(
        "Reserved seats (5) cannot exceed the number of seats (4)."
    )
    expect(page.get_by_label("Seats (C)")).to_have_value("4")
    axe.check(page)
    page.get_by_label("Seats reserved for the UIM pathway (R)").fill("1")
    page.get_by_role("button", name="Save block").click()
    expect(page.get_by_text("Block saved.")).to_be_visible()
    expect(page.get_by_role("cell", name=f"Sep 1, {year} – Sep 28, {year}")).to_be_visible()
    axe.check(page)
    db.session.commit()
    block = db.session.scalar(select(Block))
    assert (block.capacity, block.reserved) == (4, 1)
