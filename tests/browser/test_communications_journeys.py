"""A coordinator writes to the students of one block; a student reads it on their Messages page.

At desktop and at phone width; axe-core checks every page.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from clerkship.extensions import db
from tests.browser.journeys import sign_in
from tests.rosters.conftest import build_season

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.mark.parametrize("width", list(WIDTHS))
def test_coordinator_messages_a_block_and_the_student_reads_it(page: Page, live_server, axe, width):
    page.set_viewport_size(WIDTHS[width])
    season = build_season()
    db.session.commit()
    july_label = season.july.label

    sign_in(page, live_server, "coord@example.org", axe)
    page.goto(f"{live_server}/departments/{season.department.slug}/rosters/")
    axe.check(page)
    page.get_by_label("Block", exact=True).select_option(label=july_label)
    page.get_by_role("button", name="Show the first rows").click()
    expect(page.get_by_text("2 students.")).to_be_visible()
    axe.check(page)
    page.get_by_label("All 2 matching this filter").check()
    page.get_by_role("button", name="Write to selected students").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Write to 2 students")
    axe.check(page)

    page.get_by_label("Subject").fill("Your first day in {rotation}")
    page.get_by_label("Message").fill(
        "Dear {preferred_name},\n\nWe look forward to {block_dates}.\n\nThe coordinators"
    )
    page.get_by_role("button", name="Preview").click()
    # The first student of the block by name; their name is hostile, and stays text.
    preview = page.get_by_role("region", name='Preview: the message to =HYPERLINK("http://x")')
    expect(preview).to_contain_text("Your first day in Emergency Medicine")
    expect(preview).to_contain_text("Dear @me,")
    axe.check(page)
    page.get_by_role("button", name="Send to 2 students").click()
    expect(
        page.get_by_text("Your message is on its way to 2 students, one email each.")
    ).to_be_visible()
    expect(page.get_by_role("cell", name="Your first day in {rotation}")).to_be_visible()
    axe.check(page)
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, live_server, "ana@example.org", axe)
    page.get_by_role("link", name="Messages", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Messages")
    message = page.get_by_role("article", name="Your first day in Emergency Medicine")
    expect(message).to_be_visible()
    axe.check(page)
    message.get_by_text("Read").click()
    expect(message).to_contain_text("Dear Ani,")
    expect(message).to_contain_text("The coordinators")
    axe.check(page)
