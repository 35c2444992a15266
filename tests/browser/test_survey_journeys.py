"""A student with a completed rotation answers its survey; the director sees the notice
below 5 answers, then the aggregates from 5; axe checks every page (1280 and 390 px)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from clerkship.accounts.models import Role
from clerkship.extensions import db
from clerkship.surveys import queries
from tests.browser.journeys import sign_in
from tests.factories import make_block, make_user
from tests.surveys.conftest import answer, completed

pytestmark = pytest.mark.browser


def test_student_answers_and_director_sees_results_from_five(page: Page, live_server, axe):
    block = make_block(capacity=10, reserved=0)
    department = block.rotation.department
    record = completed(block, "Tomas Reyes")
    others = [completed(block, f"Classmate {i}") for i in range(4)]
    director = make_user((Role.DIRECTOR, department))
    db.session.commit()
    slug, name = department.slug, department.name
    student_email, director_email = record.placement.application.student.email, director.email
    teaching, comments = queries.DEFAULT_QUESTIONS[0].prompt, queries.DEFAULT_QUESTIONS[-1].prompt

    sign_in(page, live_server, student_email, axe)
    page.get_by_role("link", name=f"Tell us about your rotation in {name}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Tell us about your {name} rotation")
    axe.check(page)
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_text("Answer at least one question.").first).to_be_visible()
    axe.check(page)
    page.get_by_role("group", name=teaching).get_by_label("5: Strongly agree").check()
    page.get_by_label(comments).fill("Superb bedside teaching.")
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_text("Thank you: your answers are in.").first).to_be_visible()
    axe.check(page)
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, live_server, director_email, axe)
    page.goto(live_server + f"/departments/{slug}/")
    page.get_by_role("link", name="Rotations", exact=True).first.click()
    page.get_by_role("link", name="Rotation surveys").first.click()
    expect(
        page.get_by_text("Results appear once 5 students have answered; fewer than 5 so far.")
    ).to_be_visible()
    expect(page.get_by_text("Superb bedside teaching.")).to_have_count(0)
    axe.check(page)

    db.session.commit()  # end the test's read, older than the student's answer
    for other in others:
        answer(other, rating=4)
    db.session.commit()
    page.reload()
    expect(page.get_by_text("5 students answered.")).to_be_visible()
    expect(page.get_by_text("Superb bedside teaching.")).to_be_visible()
    expect(page.get_by_text("Tomas Reyes")).to_have_count(0)
    axe.check(page)
    page.get_by_role("link", name="Edit the questions").click()
    axe.check(page)
    page.get_by_label("Question 6: wording").fill("What should we change?")
    page.get_by_label("Question 6: kind").select_option("text")
    page.get_by_role("button", name="Save the questions").click()
    expect(page.get_by_text("The survey's questions are saved.")).to_be_visible()
    axe.check(page)
