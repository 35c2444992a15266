"""A pathway student asks for a mentor; the coordinator matches them and records the first meeting.

At desktop and at phone width; axe-core checks every page.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from clerkship.extensions import db
from tests.browser.journeys import sign_in
from tests.mentorship.helpers import make_group, make_mentor, make_season

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.mark.parametrize("width", list(WIDTHS))
def test_pathway_student_asks_for_a_mentor_and_is_matched(page: Page, live_server, axe, width):
    page.set_viewport_size(WIDTHS[width])
    _cycle, department, _block, _coordinator, _student = make_season()
    make_mentor(department, name="Dr. Ben Osei", capacity=2, offers="research, ultrasound")
    make_mentor(department, name="Dr. Full Later", capacity=1, offers="knitting")
    make_group("First-Generation in Medicine", "firstgen@example.org")
    db.session.commit()

    sign_in(page, live_server, "amara@med.example.edu", axe)
    page.goto(f"{live_server}/mentorship/")
    axe.check(page)
    page.get_by_role("link", name="Choose affinity groups").click()
    axe.check(page)
    page.get_by_role("group", name="Groups I would like to hear from").get_by_label(
        "First-Generation in Medicine"
    ).check()
    page.get_by_role("button", name="Save my choices").click()
    expect(page.get_by_text("Your choices are saved.")).to_be_visible()
    page.get_by_role("link", name=f"Ask {department.name} for a mentor").click()
    axe.check(page)
    page.get_by_role("button", name="Ask for a mentor").click()
    expect(page.get_by_text("Say what you are interested in.").first).to_be_visible()
    axe.check(page)
    page.get_by_label("What would you like from a mentor?").fill("Emergency ultrasound research")
    page.get_by_label(
        "Let this department's mentorship staff see the affinity groups I chose"
    ).check()
    page.get_by_role("button", name="Ask for a mentor").click()
    expect(page.get_by_text(f"{department.name}: Waiting for a mentor")).to_be_visible()
    axe.check(page)
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, live_server, "cora@example.org", axe)
    page.get_by_role("link", name="1 mentor request to match").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"{department.name}: mentorship")
    axe.check(page)
    page.get_by_role("link", name="Amara Okafor").click()
    expect(page.get_by_text("First-Generation in Medicine (your view is recorded)")).to_be_visible()
    expect(
        page.get_by_text("Dr. Ben Osei: 2 of 2 places left; shares research, ultrasound")
    ).to_be_visible()
    axe.check(page)
    page.get_by_label("Mentor", exact=True).select_option(label="Dr. Ben Osei")
    page.get_by_role("button", name="Match and introduce by email").click()
    expect(
        page.get_by_text("Matched with Dr. Ben Osei: both are introduced by email.")
    ).to_be_visible()
    axe.check(page)
    page.get_by_label("Date of the first meeting").fill("1999-01-01")
    page.get_by_role("button", name="Record the first meeting").click()
    expect(page.get_by_text("The first meeting cannot be before the match").first).to_be_visible()
    axe.check(page)
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, live_server, "amara@med.example.edu", axe)
    expect(page.get_by_text(f"{department.name}: matched with a mentor")).to_be_visible()
    expect(page.get_by_text("Your mentor: Dr. Ben Osei.")).to_be_visible()
    axe.check(page)
