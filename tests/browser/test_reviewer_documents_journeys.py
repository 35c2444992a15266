"""A director chooses the documents reviewers see per phase; a reviewer scores with the
redacted CV in the blinded phase and the letter once revealed, going from one review to the
next with "Submit and open the next". At desktop and phone width, axe on every page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from clerkship.accounts.models import Role
from clerkship.core.time import local_today
from clerkship.documents.models import DocumentKind
from clerkship.documents.services import upload_document
from clerkship.extensions import db
from tests.browser.journeys import sign_in
from tests.factories import (
    make_applicant,
    make_assignment,
    make_block,
    make_cycle,
    make_department,
    make_document,
    make_document_of_letter,
    make_review_round,
    make_reviewer,
    make_rotation,
    make_rubric,
    make_site,
    make_user,
    pdf_upload,
)

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def _score(page: Page, action: str) -> None:
    for name, level in (("Criterion 1", 4), ("Criterion 2", 3)):
        page.get_by_role("group", name=name).get_by_label(
            f"{level} – Behaviour for level {level}"
        ).check()
    page.get_by_role("group", name="Overall recommendation").get_by_label(
        "Recommend", exact=True
    ).check()
    page.get_by_role("button", name=action).click()


@pytest.mark.parametrize("width", list(WIDTHS))
def test_director_chooses_documents_and_reviewer_reviews_with_the_letter_then_the_next(
    page: Page, live_server, axe, width
):
    page.set_viewport_size(WIDTHS[width])
    cycle = make_cycle()
    department = make_department(name="Emergency Medicine", slug="em")
    site = make_site(name="LA General Medical Center", short_name="LA General")
    block = make_block(make_rotation(department, site, title="EM Sub-Internship"), cycle)
    make_user((Role.DIRECTOR, department), email="elena.ruiz@keck.example.edu")
    reviewer = make_reviewer(department, email="kevin.obi@keck.example.edu")
    review_round = make_review_round(department, cycle)
    make_rubric(review_round, weights=(2, 1))
    today = local_today()
    for days, (first, last) in enumerate((("Amara", "Okafor"), ("Luis", "Hernandez")), start=1):
        application = make_applicant(
            department, cycle, legal_first_name=first, legal_last_name=last, blocks=[block]
        )
        student = application.student
        make_document(student, cycle, DocumentKind.CV, name=f"{last}_CV.pdf")
        make_document(student, cycle, DocumentKind.TRANSCRIPT, name=f"{last}_transcript.pdf")
        upload_document(
            student,
            cycle,
            kind=DocumentKind.CV,
            file_storage=pdf_upload("cv-redacted.pdf"),
            expires_on=None,
            by=student,
            redacted=True,
        )
        make_document_of_letter(student, cycle)
        make_assignment(review_round, application, reviewer, due_on=today + timedelta(days=days))
    db.session.commit()

    # The director shows the CV and letters in the first phase, everything in the second.
    sign_in(page, live_server, "elena.ruiz@keck.example.edu", axe)
    page.goto(live_server + "/departments/em/reviews/")
    first = page.get_by_role("group", name="Documents reviewers see in the first phase")
    expect(
        first.get_by_label(re.compile(r"^Letter of recommendation: names the student"))
    ).to_be_checked()
    first.get_by_label(re.compile(r"^Transcript: ")).uncheck()
    first.get_by_label(re.compile(r"^Letter of good standing: ")).uncheck()
    axe.check(page)
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("Review settings saved.")).to_be_visible()
    first = page.get_by_role("group", name="Documents reviewers see in the first phase")
    expect(first.get_by_label(re.compile(r"^Transcript: "))).not_to_be_checked()
    expect(first.get_by_label(re.compile(r"^CV: "))).to_be_checked()
    axe.check(page)
    page.get_by_role("button", name="Sign out").click()

    # Blinded: the reviewer sees the redacted CV, the letter is withheld, the transcript not chosen.
    sign_in(page, live_server, "kevin.obi@keck.example.edu", axe)
    page.goto(live_server + "/reviews/")
    rows = page.get_by_role("link", name=re.compile(r"^EM Sub-Internship \(LA General\), "))
    expect(rows).to_have_count(2)
    expect(page.get_by_text("Okafor")).to_have_count(0)
    axe.check(page)
    rows.first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile(r"^Application for EM Sub-Internship, ")
    )
    redacted = page.get_by_role("link", name=re.compile(r"^CV \(redacted copy\)"))
    expect(redacted).to_be_visible()
    expect(page.get_by_text("Transcript: Not shown to reviewers in this phase.")).to_be_visible()
    expect(
        page.get_by_text(re.compile(r"^Letter of recommendation: Withheld: it shows"))
    ).to_be_visible()
    first_review = page.url
    download = page.request.get(live_server + redacted.get_attribute("href"))
    assert (download.status, download.headers["cache-control"]) == (200, "private, no-store")
    axe.check(page)
    # Submitting with nothing chosen names every missing answer.
    page.get_by_role("button", name="Submit and open the next").click()
    expect(page.get_by_text("3 answers are missing; each is marked below.")).to_be_visible()
    expect(page.locator("#recommendation-error")).to_have_text(
        "Choose an overall recommendation before submitting."
    )
    axe.check(page)
    _score(page, "Submit and open the next")
    expect(page.get_by_text("Here is your next review.")).to_be_visible()
    assert page.url != first_review
    axe.check(page)
    page.get_by_role("button", name="Sign out").click()

    # The director opens the second phase: names and every chosen document are revealed.
    sign_in(page, live_server, "elena.ruiz@keck.example.edu", axe)
    page.goto(live_server + "/departments/em/reviews/")
    page.get_by_role("button", name="Open the second phase (reveal)").click()
    expect(page.get_by_text("The round is now: Second phase.")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, live_server, "kevin.obi@keck.example.edu", axe)
    page.goto(live_server + "/reviews/?status=not_started")
    page.get_by_role("link", name="Luis Hernandez").click()
    letter = page.get_by_role("link", name=re.compile(r"^Letter of recommendation"))
    expect(letter).to_be_visible()
    expect(letter).to_have_attribute("target", "_blank")
    expect(page.get_by_role("link", name=re.compile(r"^Transcript"))).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(r"redacted copy"))).to_have_count(0)
    assert page.request.get(live_server + letter.get_attribute("href")).status == 200
    axe.check(page)
    _score(page, "Submit and open the next")
    expect(page.get_by_text("You have no other review to start.")).to_be_visible()
    expect(page.get_by_text("0 not started, 0 drafts, 2 submitted")).to_be_visible()
    axe.check(page)
