"""A director builds a rubric and assigns automatically, two reviewers score, the director ranks."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from clerkship.accounts.models import Role
from clerkship.extensions import db
from tests.browser.journeys import sign_in
from tests.factories import (
    make_applicant,
    make_block,
    make_cycle,
    make_department,
    make_reviewer,
    make_rotation,
    make_user,
)

pytestmark = pytest.mark.browser

LEVELS = {
    "Clinical reasoning": [
        "Concerns documented",
        "Needs close supervision",
        "Independent on common cases",
        "Sound prioritisation",
        "Functions as an intern",
    ],
    "Communication": [
        "Problems noted",
        "Clear with prompting",
        "Clear and respectful",
        "Adapts to each patient",
        "Praised in hard conversations",
    ],
}


def _score(
    page: Page, axe, clinical: int, communication: int, action: str = "Submit review"
) -> None:
    for name, level in (("Clinical reasoning", clinical), ("Communication", communication)):
        group = page.get_by_role("group", name=name)
        group.get_by_label(f"{level} – {LEVELS[name][level - 1]}").check()
    page.get_by_role("group", name="Overall recommendation").get_by_label(
        "Recommend", exact=True
    ).check()
    page.get_by_label("Comments").fill(f"Clinical {clinical}, communication {communication}.")
    page.get_by_role("button", name=action).click()


def test_director_builds_rubric_assigns_reviewers_score_and_director_ranks(
    page: Page, live_server, axe
):
    cycle = make_cycle()
    department = make_department(name="Emergency Medicine", slug="emergency-medicine")
    block = make_block(make_rotation(department, title="EM Sub-Internship"), cycle)
    make_user(
        (Role.DIRECTOR, department),
        email="elena.ruiz@keck.example.edu",
        full_name="Dr. Elena Ruiz",
    )
    make_reviewer(department, email="kevin.obi@keck.example.edu", full_name="Dr. Kevin Obi")
    make_reviewer(department, email="naomi.feld@keck.example.edu", full_name="Dr. Naomi Feld")
    for first, last in (("Amara", "Okafor"), ("Luis", "Hernandez")):
        make_applicant(
            department, cycle, legal_first_name=first, legal_last_name=last, blocks=[block]
        )
    db.session.commit()

    # The director builds the rubric and assigns automatically.
    sign_in(page, live_server, "elena.ruiz@keck.example.edu", axe)
    page.get_by_role("link", name="Emergency Medicine").first.click()
    axe.check(page)
    page.get_by_role("link", name="Reviews", exact=True).last.click()
    expect(page.get_by_text("Reviews for this cycle have not started yet.")).to_be_visible()
    axe.check(page)
    page.get_by_role("link", name="Build the rubric").click()
    axe.check(page)
    page.get_by_label("Title").fill("Emergency Medicine rubric")
    page.get_by_label("Criterion 1", exact=True).fill("Clinical reasoning")
    page.locator("#criteria-0-weight").fill("3")
    for level, text in enumerate(LEVELS["Clinical reasoning"], start=1):
        page.get_by_label(f"Level {level}: what earns it").fill(text)
    page.get_by_role("button", name="Add a criterion").click()
    expect(page.get_by_label("Criterion 2", exact=True)).to_be_visible()
    expect(page.get_by_label("Criterion 1", exact=True)).to_have_value("Clinical reasoning")
    axe.check(page)
    page.get_by_label("Criterion 2", exact=True).fill("Communication")
    page.locator("#criteria-1-weight").fill("2")
    for level, text in enumerate(LEVELS["Communication"]):
        page.locator(f"#criteria-1-levels-{level}").fill(text)
    page.get_by_role("button", name="Save the rubric").click()
    expect(page.get_by_text("Rubric saved as version 1.")).to_be_visible()
    expect(page.get_by_text("Functions as an intern")).to_be_visible()
    axe.check(page)
    page.get_by_role("link", name="Overview").click()
    axe.check(page)
    page.get_by_role("button", name="Assign automatically").click()
    expect(page.get_by_text("4 new assignment(s) made.")).to_be_visible()
    axe.check(page)
    page.get_by_role("button", name="Sign out").click()

    # Two reviewers score, blinded: they see the block chosen, not names.
    for email, levels in (
        ("kevin.obi@keck.example.edu", [(5, 4), (3, 3)]),
        ("naomi.feld@keck.example.edu", [(4, 4), (2, 1)]),
    ):
        sign_in(page, live_server, email, axe)
        page.get_by_role("link", name="Reviews", exact=True).first.click()
        expect(page.get_by_text("2 not started, 0 drafts, 0 submitted")).to_be_visible()
        axe.check(page)
        for n, (clinical, communication) in enumerate(levels):
            page.get_by_role("link", name=re.compile(r"^EM Sub-Internship \(")).nth(0).click()
            expect(page.get_by_text("Hidden in this phase: Name, Photo")).to_be_visible()
            expect(page.get_by_text("Okafor")).to_have_count(0)
            axe.check(page)
            if n == 0:
                _score(page, axe, clinical, communication, action="Save draft")
                expect(page.get_by_text("Draft saved.")).to_be_visible()
                axe.check(page)
            _score(page, axe, clinical, communication)
            expect(page.get_by_text("Your review is submitted.")).to_be_visible()
            axe.check(page)
            page.get_by_role("link", name="Back to your queue").click()
            axe.check(page)
        expect(page.get_by_text("0 not started, 0 drafts, 2 submitted")).to_be_visible()
        page.get_by_role("button", name="Sign out").click()

    # The director opens the ranking: both composites, side by side.
    sign_in(page, live_server, "elena.ruiz@keck.example.edu", axe)
    page.get_by_role("link", name="Emergency Medicine").first.click()
    page.get_by_role("link", name="Reviews", exact=True).last.click()
    page.get_by_role("link", name="Ranking").click()
    expect(page.get_by_role("heading", name="Raw and calibrated composites")).to_be_visible()
    axe.check(page)
    rows = page.locator("#ranking tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0).locator("td").nth(0)).to_have_text("1")
    expect(rows.nth(1).locator("td").nth(0)).to_have_text("2")
    expect(page.locator("#ranking")).to_contain_text("2 of 2")
    rows.nth(0).get_by_role("link").click()
    expect(page.get_by_role("heading", name="Reviewers and reviews")).to_be_visible()
    axe.check(page)
    page.get_by_role("link", name="Back to the ranking").click()
    page.get_by_role("link", name="Reliability and bias").click()
    expect(page.get_by_role("heading", name="Agreement between reviewers")).to_be_visible()
    axe.check(page)
    assert len(axe.checked) >= 25


def test_reviewer_declares_school_and_conflict_and_committee_builds_award_rubric(
    page: Page, live_server, axe
):
    cycle = make_cycle()
    department = make_department(name="Pediatrics", slug="pediatrics")
    make_reviewer(department, email="laura.w@keck.example.edu", full_name="Dr. Laura Whitfield")
    make_user(
        Role.AWARD_COMMITTEE, email="renee.b@keck.example.edu", full_name="Dr. Renee Baptiste"
    )
    make_applicant(department, cycle)
    db.session.commit()

    sign_in(page, live_server, "laura.w@keck.example.edu", axe)
    page.get_by_role("link", name="Your review queue").click()
    axe.check(page)
    page.get_by_role("link", name="Your schools and conflicts").click()
    axe.check(page)
    page.get_by_label("Medical schools you studied or work at").fill(
        "Keck School of Medicine of USC"
    )
    page.get_by_role("button", name="Save schools").click()
    expect(page.get_by_text("Your schools are saved.")).to_be_visible()
    page.get_by_label("Applicant's email").fill("not-an-email")
    page.get_by_label("Reason").fill("My cousin")
    page.get_by_role("button", name="Declare conflict").click()
    expect(page.locator("#student_email-error")).to_contain_text(
        "Enter the applicant's email address."
    )
    expect(page.get_by_label("Reason")).to_have_value("My cousin")
    axe.check(page)
    page.get_by_label("Applicant's email").fill("cousin@med.example.edu")
    page.get_by_role("button", name="Declare conflict").click()
    expect(page.get_by_text("cousin@med.example.edu: My cousin")).to_be_visible()
    axe.check(page)
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, live_server, "renee.b@keck.example.edu", axe)
    page.get_by_role("link", name="Award reviews").click()
    expect(page.get_by_role("heading", name=f"Award reviews, {cycle.name}")).to_be_visible()
    axe.check(page)
    page.get_by_role("link", name="Build the rubric").click()
    page.get_by_label("Scale").select_option("1-4")
    page.get_by_role("button", name="Apply the scale").click()
    expect(page.get_by_label("Level 4: what earns it")).to_be_visible()
    expect(page.get_by_label("Level 5: what earns it")).to_have_count(0)
    axe.check(page)
    page.get_by_label("Title").fill("Diversity in Medicine award rubric")
    page.get_by_label("Criterion 1", exact=True).fill("Commitment to diversity in medicine")
    page.locator("#criteria-0-weight").fill("1")
    for level in range(1, 5):
        page.get_by_label(f"Level {level}: what earns it").fill(f"Evidence at level {level}")
    page.get_by_role("button", name="Save the rubric").click()
    expect(page.get_by_text("Rubric saved as version 1.")).to_be_visible()
    axe.check(page)
