"""A director works the applications list: filters, sorts by score, ticks applicants and
assigns them a reviewer; one of them is refused and named with the reason. A director
filters the interview invitations and withdraws a selection; the award committee sorts its
list by review score.

At desktop and at phone width; axe-core and the layout checks on every page.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from clerkship.accounts.models import Role
from clerkship.applications.models import ApplicationState
from clerkship.awards.models import AwardState
from clerkship.extensions import db
from clerkship.interviews.states import InvitationState
from clerkship.reviews.ranking import composites
from clerkship.reviews.records import ReviewAssignment
from tests.browser.journeys import sign_in
from tests.factories import (
    make_application,
    make_assignment,
    make_award_application,
    make_award_settings,
    make_block,
    make_booking,
    make_cycle,
    make_day,
    make_department,
    make_invitation,
    make_profile,
    make_review,
    make_review_round,
    make_reviewer,
    make_rotation,
    make_rotation_application,
    make_rubric,
    make_season,
    make_student,
    make_user,
)

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def _season():
    cycle = make_cycle()
    department = make_department(name="Emergency Medicine", slug="emergency-medicine")
    july = make_block(make_rotation(department, title="EM Sub-Internship"), cycle, month=7)
    august = make_block(make_rotation(department, title="Pediatric EM"), cycle, month=8)
    make_user((Role.DIRECTOR, department), email="director@example.org")
    review_round = make_review_round(department, cycle)
    rubric = make_rubric(review_round)
    scorer = make_reviewer(department, full_name="Sam Scorer")
    make_reviewer(department, full_name="Rita Reviewer", email="rita@example.org")
    people = {}
    for name, blocks, levels in (
        ("Amara Okafor", [july, august], [5, 5, 4]),
        ("Luis Hernandez", [july], [3, 3, 3]),
        ("Mei Chen", [july], [4, 4, 4]),
        ("Nia Thompson", [august], [2, 2, 2]),
    ):
        first, last = name.split()
        student = make_student(full_name=name)
        make_profile(student, legal_first_name=first, legal_last_name=last)
        people[name] = make_application(
            student, department, cycle, blocks=blocks, state=ApplicationState.SUBMITTED
        )
        make_review(make_assignment(review_round, people[name], scorer), rubric, levels)
    composites.refresh(review_round)
    return july, people


@pytest.mark.parametrize("width", list(WIDTHS))
def test_director_filters_sorts_selects_and_assigns_a_reviewer(page: Page, live_server, axe, width):
    page.set_viewport_size(WIDTHS[width])
    july, people = _season()
    db.session.commit()

    sign_in(page, live_server, "director@example.org", axe)
    page.goto(f"{live_server}/departments/emergency-medicine/applications/")
    expect(page.get_by_text("4 submitted applications match.")).to_be_visible()
    axe.check(page)

    page.get_by_label("Block", exact=True).select_option(label=july.label)
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_text("3 submitted applications match.")).to_be_visible()
    assert "block=" in page.url
    axe.check(page)

    page.get_by_role("link", name="Composite").click()
    page.get_by_role("link", name="Composite").click()  # again: highest first
    expect(page.locator("th[aria-sort='descending']")).to_have_text("Composite ▼")
    names = page.locator("tbody td:nth-child(2) a")
    expect(names).to_have_text(["Amara Okafor", "Mei Chen", "Luis Hernandez"])
    expect(page.get_by_role("row", name="Amara Okafor")).to_contain_text("and 1 other")
    assert "block=" in page.url and "sort=-score" in page.url
    axe.check(page)

    page.get_by_label("Select Amara Okafor").check()
    page.get_by_label("Select Mei Chen").check()
    page.get_by_role("button", name="Assign a reviewer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Assign a reviewer to 2 applications")
    axe.check(page)
    page.get_by_label("Reviewer", exact=True).select_option(label="Sam Scorer")
    page.get_by_role("button", name="Assign", exact=True).click()
    # Back on the list as it was filtered and sorted, with what was done and what was not.
    expect(page.get_by_text("Nothing was done.")).to_be_visible()
    expect(page.get_by_text("Amara Okafor (Sam Scorer already reviews it)")).to_be_visible()
    assert "sort=-score" in page.url
    axe.check(page)

    page.get_by_label("Select Amara Okafor").check()
    page.get_by_label("Select Luis Hernandez").check()
    page.get_by_role("button", name="Assign a reviewer").click()
    page.get_by_label("Reviewer", exact=True).select_option(label="Rita Reviewer")
    page.get_by_role("button", name="Assign", exact=True).click()
    expect(page.get_by_text("Rita Reviewer now reviews 2 more applications.")).to_be_visible()
    expect(page.get_by_role("row", name="Amara Okafor")).to_contain_text("1 of 2")
    axe.check(page)

    db.session.rollback()
    assigned = set(
        db.session.scalars(
            select(ReviewAssignment.application_id).where(
                ReviewAssignment.reviewer.has(full_name="Rita Reviewer")
            )
        )
    )
    assert assigned == {people["Amara Okafor"].id, people["Luis Hernandez"].id}


@pytest.mark.parametrize("width", list(WIDTHS))
def test_director_filters_invitations_and_withdraws_a_selection(
    page: Page, live_server, axe, width
):
    page.set_viewport_size(WIDTHS[width])
    department = make_department(name="Emergency Medicine", slug="emergency-medicine")
    season = make_season(department)
    make_user((Role.DIRECTOR, department), email="director@example.org")
    day = make_day(season, capacity=2)
    waiting = make_invitation(season, make_student(full_name="Wanda Waiting"))
    make_invitation(season, make_student(full_name="Yuri Yes"), state=InvitationState.DECLINED)
    booked = make_invitation(season, make_student(full_name="Bea Booked"))
    make_booking(booked, day)
    db.session.commit()
    url = f"{live_server}/departments/emergency-medicine/interviews/{season.cycle.slug}/invitations"

    sign_in(page, live_server, "director@example.org", axe)
    page.goto(url)
    axe.check(page)
    page.get_by_label("Answer").select_option(label="Accepted")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    axe.check(page)
    page.get_by_label("Answer").select_option(label="Everyone invited")
    page.get_by_role("button", name="Filter").click()
    page.get_by_role("link", name="Status").click()
    expect(page.locator("th[aria-sort='ascending']")).to_have_text("Status ▲")
    page.get_by_label("Select Bea Booked").check()
    page.get_by_label("Select Yuri Yes").check()
    page.get_by_role("button", name="Withdraw invitations").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Withdraw 2 invitations?")
    axe.check(page)
    page.get_by_role("button", name="Withdraw 2 invitations").click()
    expect(page.get_by_text("Withdrew 1 invitation; each invitee is told.")).to_be_visible()
    expect(page.get_by_text("Yuri Yes (the invitee declined it)")).to_be_visible()
    expect(page.get_by_role("row", name="Bea Booked")).to_contain_text(
        "Withdrawn by the department"
    )
    axe.check(page)
    db.session.rollback()
    db.session.refresh(waiting)
    assert waiting.state is InvitationState.INVITED


@pytest.mark.parametrize("width", list(WIDTHS))
def test_committee_sorts_award_applications_by_review_score(page: Page, live_server, axe, width):
    page.set_viewport_size(WIDTHS[width])
    cycle = make_cycle()
    make_award_settings(cycle)
    chair = make_reviewer(None, full_name="Dr. Chair", email="chair@example.org")
    award_round = make_review_round(None, cycle)
    rubric = make_rubric(award_round, weights=(1,))
    for name, level in (("Lena Low", 2), ("Hugo High", 5), ("Una Unscored", None)):
        award = make_award_application(
            make_rotation_application(make_student(full_name=name), cycle),
            state=AwardState.SUBMITTED,
        )
        if level is not None:
            assignment = make_assignment(award_round, None, chair, award_application_id=award.id)
            make_review(assignment, rubric, [level])
    db.session.commit()

    sign_in(page, live_server, "chair@example.org", axe)
    page.goto(f"{live_server}/awards/{cycle.slug}/committee/")
    axe.check(page)
    page.get_by_role("link", name="Review score").click()
    page.get_by_role("link", name="Review score").click()
    expect(page.locator("tbody td:first-child a")).to_have_text(
        ["Hugo High", "Lena Low", "Una Unscored"]
    )
    expect(page.get_by_role("row", name="Hugo High")).to_contain_text("5.00")
    axe.check(page)
    page.get_by_role("link", name="Hugo High").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hugo High")
