"""Steps every browser journey shares."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.factories import PASSWORD


def sign_in(page: Page, live_server: str, email: str, axe) -> None:
    """Sign in through the form with the test password; axe checks both pages."""
    page.goto(live_server + "/login")
    axe.check(page)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    axe.check(page)
