"""A director previews, compares and publishes; a student accepts, another declines, the
waitlist moves."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from clerkship.accounts.models import Role
from clerkship.extensions import db
from tests.browser.journeys import sign_in
from tests.conftest import link_in
from tests.factories import (
    make_applicant,
    make_assignment,
    make_block,
    make_cycle,
    make_department,
    make_review,
    make_review_round,
    make_rotation,
    make_rubric,
    make_user,
)

pytestmark = pytest.mark.browser


def _open_offer(page: Page, live_server: str, mailbox, email: str, axe) -> None:
    sign_in(page, live_server, email, axe)
    page.goto(live_server + urlsplit(link_in(mailbox.last_to(email))).path)
    axe.check(page)


def test_director_publishes_a_student_accepts_another_declines_and_the_waitlist_moves(
    page: Page, live_server, mailbox, axe
):
    cycle = make_cycle()
    department = make_department(name="Emergency Medicine", slug="emergency-medicine")
    rotation = make_rotation(department, title="EM Sub-Internship")
    july = make_block(rotation, cycle, month=7, capacity=2, reserved=1)
    august = make_block(rotation, cycle, month=8, capacity=1, reserved=0)
    director = make_user(
        (Role.DIRECTOR, department),
        (Role.REVIEWER, department),
        email="elena.ruiz@keck.example.edu",
        full_name="Dr. Elena Ruiz",
    )
    review_round = make_review_round(department, cycle)
    rubric = make_rubric(review_round)
    # Amara (pathway) and Dana (pathway) want July only; Luis and Mei want July, then August.
    students = {}
    for name, uim, levels, blocks in (
        ("Amara Okafor", True, [5, 5, 5], [july]),
        ("Luis Hernandez", False, [5, 5, 4], [july, august]),
        ("Mei Chen", False, [4, 4, 4], [july, august]),
        ("Dana Whitehorse", True, [3, 3, 3], [july]),
    ):
        application = make_applicant(department, cycle, in_pathway=uim, blocks=blocks)
        application.student.full_name = name
        application.student.email = name.split()[0].lower() + "@med.example.edu"
        make_review(make_assignment(review_round, application, director), rubric, levels)
        students[name] = application.student
    db.session.commit()

    # The director starts a run, reads the preview and the comparison, and publishes.
    sign_in(page, live_server, "elena.ruiz@keck.example.edu", axe)
    page.goto(live_server + "/departments/emergency-medicine/offers/")
    page.get_by_role("link", name="Allocation", exact=True).click()
    expect(page.get_by_text("4 applications wait for a seat.")).to_be_visible()
    axe.check(page)
    page.get_by_role("button", name="Start a run").click()
    expect(page.get_by_text("is ready to preview")).to_be_visible()
    expect(page.get_by_text("Unplaced students (1)")).to_be_visible()
    expect(page.get_by_role("row", name="No reserves 3 1 3")).to_be_visible()
    expect(page.get_by_role("row", name="Open seats first (this run's rule) 3 2 0")).to_be_visible()
    axe.check(page)
    page.get_by_text("3 students whose block depends on the rule").click()
    expect(page.get_by_role("row", name="Dana Whitehorse Yes")).to_be_visible()
    page.get_by_text(f"{july.label}: 2 students").click()
    axe.check(page)
    page.get_by_role("button", name="Publish the offers").click()
    expect(page.get_by_text("Tick the box to confirm that you publish.").first).to_be_visible()
    axe.check(page)
    page.get_by_label("I have checked the placements.").check()
    page.get_by_label("Reason to publish despite the refusals").fill("Mid-season journey.")
    page.get_by_role("button", name="Publish the offers").click()
    expect(
        page.get_by_text("Published: every placed student has an offer by email.")
    ).to_be_visible()
    expect(page.get_by_role("row", name="Luis Hernandez")).to_contain_text("Pending")
    axe.check(page)
    page.get_by_role("button", name="Sign out").click()

    # Amara accepts July from the link in her email.
    _open_offer(page, live_server, mailbox, "amara@med.example.edu", axe)
    page.get_by_role("button", name="Accept").click()
    expect(page.get_by_text("You accepted the offer.")).to_be_visible()
    axe.check(page)
    page.get_by_role("button", name="Sign out").click()

    # Luis declines August; the seat goes to Mei, who was waiting for it.
    _open_offer(page, live_server, mailbox, "luis@med.example.edu", axe)
    page.get_by_role("link", name="Decline").click()
    axe.check(page)
    page.get_by_label("I understand that declining").check()
    page.get_by_role("button", name="Decline the offer").click()
    expect(page.get_by_text("You declined the offer.")).to_be_visible()
    axe.check(page)
    page.get_by_role("button", name="Sign out").click()
    assert mailbox.last_to("mei@med.example.edu")["Subject"] == (
        "Offer: EM Sub-Internship (Emergency Medicine)"
    )

    # The director sees the move explained.
    sign_in(page, live_server, "elena.ruiz@keck.example.edu", axe)
    page.goto(live_server + "/departments/emergency-medicine/offers/")
    expect(page.get_by_text("was freed (declined)")).to_be_visible()
    expect(page.get_by_text("It went to Mei Chen")).to_be_visible()
    expect(page.get_by_role("row", name="Mei Chen")).to_contain_text("Pending")
    axe.check(page)
