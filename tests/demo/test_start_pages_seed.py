"""README's claims about the demo's start pages: every printed login lands on something to do."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from clerkship.accounts.models import User
from clerkship.extensions import db
from tests.conftest import login
from tests.home.conftest import panel


def _logins(output: str) -> list[str]:
    return re.findall(r"\s(\S+@\S+\.example\.edu)$", output, re.M)


def _page(app, email: str) -> str:
    user = db.session.scalar(select(User).where(User.email == email))
    client = app.test_client()
    login(client, user)
    # The demo leaves the administrator and the committee to set up two-step sign-in at their
    # first sign-in; these tests read the start page behind it.
    app.config["TWO_FACTOR_ROLES"] = []
    response = client.get("/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_every_printed_demo_login_lands_on_something_to_do(app, demo_season):
    emails = _logins(demo_season)
    assert len(emails) == 19
    for email in emails:
        page = _page(app, email)
        actions = re.search(r'id="start-actions">(.*?)<section class="mt-4"', page, re.S)
        assert actions and "<li" in actions.group(1), email


@pytest.mark.parametrize(
    ("email", "key", "sentences"),
    [
        (
            "nia.thompson@med.example.edu",
            "answer",
            ["Offer from Emergency Medicine", "Accept or decline by", "left)."],
        ),
        (
            "amara.okafor@med.example.edu",
            "next",
            [
                "Finish and submit your Emergency Medicine application",
                "You are on the Psychiatry waitlist",
                "Your residency interview with Emergency Medicine",
            ],
        ),
        (
            "em.director@keck.example.edu",
            "director-emergency-medicine",
            [
                "reviews not yet submitted",
                "applicants without a score",
                "Allocation published",
                "offers awaiting an answer",
                "on the waitlist",
                "seats unfilled in",
                "booked",
            ],
        ),
        ("em.coordinator@keck.example.edu", "coordinator-emergency-medicine", ["to verify"]),
        ("peds.coordinator@keck.example.edu", "coordinator-pediatrics", ["to verify"]),
        ("im.coordinator@keck.example.edu", "coordinator-internal-medicine", ["to verify"]),
        ("em.reviewer@keck.example.edu", "reviews", ["Start the next review"]),
        ("psych.reviewer@keck.example.edu", "reviews", ["conflicts of interest"]),
        (
            "award.committee@keck.example.edu",
            "award",
            ["awaiting a decision", "1 award needing attention", "Budget left:"],
        ),
        ("admin@keck.example.edu", "outbox", ["1 email failed"]),
        ("em.coordinator@keck.example.edu", "outbox", ["1 email failed"]),
        ("em.director@keck.example.edu", "outbox", ["1 email failed"]),
    ],
)
def test_readme_demo_start_pages_show_what_it_says(app, demo_season, email, key, sentences):
    text = panel(_page(app, email), key)
    for sentence in sentences:
        assert sentence in text, (email, sentence, text)


def test_a_department_without_the_failed_email_does_not_see_it(app, demo_season):
    assert panel(_page(app, "peds.coordinator@keck.example.edu"), "outbox") == ""
