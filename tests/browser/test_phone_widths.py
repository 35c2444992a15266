"""Every page of the demo season a student or a department's staff can reach by following
links, at a phone's width (390 px): none scrolls sideways, primary buttons are on screen,
no id is used twice (tests/browser/conftest.py, check_layout).

The journeys check the same, and axe, on the pages they visit; this walk reaches the pages
no journey opens with the demo's real amount of data. It only reads (GET), so it shares the
demo season with the other tests that read it.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

from clerkship.demo.data import DEMO_PASSWORD
from tests.browser.conftest import PHONE, PHONE_RECHECK, check_layout

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not PHONE_RECHECK, reason="layout is checked on SQLite's run (the same HTML on both)"
    ),
]

# Files and exports download; signing out ends the walk; documents are files too.
NOT_PAGES = re.compile(r"\.(csv|xlsx|excel|ics|json|pdf)\b|/download|/export|/files/|/cv$|/static/")
# People of the demo without two-step sign-in (administrators and the award committee set
# it up at their first sign-in, which would change the shared season).
PEOPLE = [
    "amara.okafor@med.example.edu",
    "em.director@keck.example.edu",
    "em.reviewer@keck.example.edu",
    "peds.coordinator@keck.example.edu",
]


@pytest.mark.parametrize("email", PEOPLE)
def test_every_reachable_page_fits_a_phone(page: Page, live_server, demo_season, email):
    assert email in demo_season  # the printed logins
    page.set_viewport_size(PHONE)
    page.goto(live_server + "/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()

    queue, seen, shapes, visited = [page.url], {page.url}, set(), 0
    while queue:
        url = queue.pop(0)
        # One page of each shape: /applications/3 and /applications/4 show the same template.
        shape = re.sub(r"\d+", "N", url)
        if shape in shapes:
            continue
        shapes.add(shape)
        try:
            response = page.goto(url)
        except PlaywrightError:  # a download after all
            continue
        if response is None or "text/html" not in response.headers.get("content-type", ""):
            continue
        assert response.status < 500, url
        visited += 1
        check_layout(page)
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
            href = href.split("#", 1)[0]
            if href.startswith(live_server) and href not in seen and not NOT_PAGES.search(href):
                seen.add(href)
                queue.append(href)
    assert visited >= 8, f"only {visited} pages reached"
