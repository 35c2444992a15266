"""Every role's start page at desktop and phone width: what is waiting, each a working link.

axe-core checks each start page at both widths; every link of the panels of things to do
answers 200 for the person it is shown to.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.journeys import sign_in
from tests.home.conftest import build_season, fill_for_every_role

pytestmark = pytest.mark.browser

WIDTHS = ({"width": 1280, "height": 900}, {"width": 390, "height": 844})

# role -> (the start page's first panel of things to do, a sentence it must show)
ROLES = {
    "student": ("To answer", "Residency interview invitation from Emergency Medicine"),
    "reviewer": ("Your reviews", "1 review overdue"),
    "director": ("Emergency Medicine: to do", "1 student on the waitlist"),
    "coordinator": ("Emergency Medicine: onboarding", "2 documents to verify"),
    "committee": ("Diversity in Medicine award", "Budget left: $10,000 of $10,000"),
    "admin": ("Accounts", "1 invitation not accepted yet"),
}


@pytest.mark.parametrize("role", list(ROLES))
def test_each_roles_start_page_shows_what_is_waiting_at_both_widths(
    page: Page, live_server, axe, role
):
    season = build_season()
    fill_for_every_role(season)
    user = season.users[role]
    title, sentence = ROLES[role]

    sign_in(page, live_server, user.email, axe)
    page.goto(live_server + "/")
    for size in WIDTHS:
        page.set_viewport_size(size)
        expect(page.get_by_role("heading", level=2, name=title).first).to_be_visible()
        expect(page.locator("#start-actions").get_by_text(sentence).first).to_be_visible()
        axe.check(page)
    hrefs = page.locator("#start-actions a").evaluate_all("links => links.map(a => a.href)")
    assert hrefs
    for href in sorted(set(hrefs)):
        assert page.request.get(href).status == 200, href
