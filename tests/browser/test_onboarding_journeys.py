"""A coordinator goes from the start page to the documents waiting for them, opens one beside
its decisions and sends it back with a reason, then verifies others in bulk.

At desktop and at phone width; axe-core checks every page.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from clerkship.documents.models import DocumentKind
from clerkship.extensions import db
from tests import factories
from tests.browser.journeys import sign_in
from tests.rosters.conftest import build_season

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.mark.parametrize("width", list(WIDTHS))
def test_coordinator_sends_one_document_back_and_verifies_others_in_bulk(
    page: Page, live_server, axe, width
):
    page.set_viewport_size(WIDTHS[width])
    season = build_season()
    chen = season.placed[2].student
    factories.make_document(chen, season.cycle, DocumentKind.IMMUNIZATIONS)
    factories.make_document(chen, season.cycle, DocumentKind.BLS)
    db.session.commit()

    sign_in(page, live_server, "coord@example.org", axe)
    page.get_by_role("link", name="3 documents to verify").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Emergency Medicine: onboarding documents, {season.cycle.name}"
    )
    expect(page.get_by_label("Documents", exact=True)).to_have_value("waiting")
    expect(page.get_by_text("3 documents awaiting verification among them.")).to_be_visible()
    axe.check(page)

    page.get_by_role("link", name="Open the Immunization record of Ana Alvarez").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Immunization record of Ana Alvarez")
    viewer = page.locator("iframe.document-viewer")
    expect(viewer).to_be_visible()
    expect(page.get_by_role("button", name="Verify", exact=True)).to_be_visible()
    axe.check(page)
    # From the keyboard: at 390 px headless Chromium's pointer click on this button is lost
    # while its PDF viewer frame is still opening (PostgreSQL's run, loaded machine).
    page.get_by_role("button", name="Send back and ask for a new version").press("Enter")
    # The page comes back with its document viewer: slow on a loaded machine, at a phone's width.
    expect(page.locator("#reject-reason-error")).to_contain_text(
        "Say why the document is sent", timeout=20_000
    )
    axe.check(page)
    page.get_by_label("Why is it sent back?").fill("The second page is missing.")
    page.get_by_role("button", name="Send back and ask for a new version").click()
    expect(
        page.get_by_text(
            "Immunization record of Ana Alvarez sent back; they are asked by email for a new "
            "version."
        )
    ).to_be_visible()
    # The next document awaiting verification opens; back to the list for the others.
    expect(page.get_by_role("heading", level=1)).to_have_text("Immunization record of Chen Li")
    axe.check(page)
    page.get_by_role("link", name="Back to the onboarding documents").click()
    expect(page.get_by_text("2 documents awaiting verification among them.")).to_be_visible()
    axe.check(page)

    page.get_by_label("Select Immunization record of Chen Li").check()
    page.get_by_label("Select BLS card of Chen Li").check()
    page.get_by_role("button", name="Verify selected documents").click()
    expect(
        page.get_by_text("Verified 2: Immunization record of Chen Li; BLS card of Chen Li.")
    ).to_be_visible()
    expect(page.get_by_text("Nobody to show.")).to_be_visible()
    axe.check(page)

    page.get_by_label("Documents", exact=True).select_option(label="A document sent back")
    page.get_by_role("button", name="Filter").click()
    row = page.locator("tr", has_text="Ana Alvarez")
    expect(row).to_contain_text("Sent back: a new version is needed")
    axe.check(page)
