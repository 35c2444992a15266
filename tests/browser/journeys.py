"""Steps every browser journey shares."""

from __future__ import annotations

import time

import pyotp
from playwright.sync_api import Page, expect
from sqlalchemy import select

from clerkship.accounts.models import User
from clerkship.extensions import db
from tests.factories import PASSWORD


def sign_in(page: Page, live_server: str, email: str, axe) -> None:
    """Sign in through the form with the test password; axe checks every page.

    An admin or award committee member is then taken to set up two-step sign-in: the
    journey reads the key shown on the page, as a phone's app would, and types its code.
    An account that has it types the code at the second step.
    """
    page.goto(live_server + "/login")
    axe.check(page)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: not url.endswith("/login"))
    if page.url.endswith("/login/code"):
        axe.check(page)
        page.get_by_label("Code").fill(_next_code(email))
        page.get_by_role("button", name="Verify and sign in").click()
    elif page.url.endswith("/account/two-factor"):
        axe.check(page)
        secret = page.locator("#totp-secret").inner_text().replace(" ", "")
        page.get_by_label("Code from the app").fill(pyotp.TOTP(secret).now())
        page.get_by_role("button", name="Turn on two-step sign-in").click()
        expect(page.get_by_role("heading", name="Two-step sign-in is on")).to_be_visible()
        expect(page.locator("#recovery-codes li")).to_have_count(10)
        axe.check(page)
        page.get_by_role("link", name="I have kept my recovery codes").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    axe.check(page)


def _next_code(email: str) -> str:
    """The code the app shows next: a code works once, so a second sign-in within the same
    30 seconds uses the next time step's code (accepted one step ahead)."""
    db.session.rollback()  # see what the served app committed
    user = db.session.scalar(select(User).where(User.email == email))
    totp = pyotp.TOTP(user.totp_secret)
    step = max(int(time.time() // totp.interval), (user.totp_last_step or 0) + 1)
    while step > int(time.time() // totp.interval) + 1:
        time.sleep(1)
    return totp.generate_otp(step)
