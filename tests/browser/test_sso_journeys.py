"""A member of staff accepts an invitation and signs in through the school's OpenID provider."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from clerkship.accounts import services
from clerkship.accounts.models import Role
from clerkship.extensions import db
from tests.conftest import link_in
from tests.factories import make_department, make_user

pytestmark = pytest.mark.browser


@pytest.fixture
def app_config(oidc_provider):
    return oidc_provider.config()


def _provider_sign_in(page: Page, login: str) -> None:
    """The provider's own page (not ours: axe checks only our pages)."""
    expect(page.get_by_role("heading", name="School sign-in")).to_be_visible()
    page.get_by_label("Username").fill(login)
    page.get_by_label("Password").fill("whatever-the-school-asks")
    page.get_by_role("button", name="Sign in").click()


def test_invited_director_accepts_and_later_signs_in_through_the_provider(
    page: Page, app, live_server, mailbox, oidc_provider, axe
):
    app.config["BASE_URL"] = live_server  # the provider sends the browser back here
    services.invite_staff(
        email="nadia@school.example.edu",
        full_name="Nadia Director",
        memberships=[(Role.DIRECTOR, make_department(name="Emergency Medicine"))],
        by=make_user(Role.ADMIN),
    )
    db.session.commit()
    account = oidc_provider.add("nadia@school.example.edu", verified=True)
    invitation = re.sub(
        r"^https?://[^/]+", "", link_in(mailbox.last_to("nadia@school.example.edu"))
    )

    page.goto(live_server + invitation)
    axe.check(page)
    page.get_by_role("link", name="Accept with School sign-in").click()
    _provider_sign_in(page, account.login)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    assert page.url == live_server + "/"
    axe.check(page)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You are signed out")).to_be_visible()

    # Later: from the sign-in page, and the provider remembers the browser's session.
    page.goto(live_server + "/login")
    axe.check(page)
    page.get_by_role("link", name="Staff: sign in with School sign-in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    axe.check(page)


def test_denied_access_lands_on_a_page_that_says_so(
    page: Page, app, live_server, oidc_provider, axe
):
    app.config["BASE_URL"] = live_server
    page.goto(live_server + "/login")
    page.get_by_role("link", name="Staff: sign in with School sign-in").click()
    expect(page.get_by_role("heading", name="School sign-in")).to_be_visible()
    page.get_by_role("button", name="Deny access").click()
    expect(
        page.get_by_role("heading", name="Signing in through School sign-in did not work")
    ).to_be_visible()
    expect(page.get_by_text("You did not allow clerkship")).to_be_visible()
    axe.check(page)
