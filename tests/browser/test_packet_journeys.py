"""A director opens an application's file, reads its actions and reviews, downloads its packet."""

from __future__ import annotations

import io

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from clerkship.accounts.models import Role
from clerkship.applications.models import ApplicationState
from clerkship.documents.models import DocumentKind
from clerkship.extensions import db
from tests.browser.journeys import sign_in
from tests.factories import (
    make_application,
    make_assignment,
    make_block,
    make_cycle,
    make_department,
    make_document,
    make_letter,
    make_profile,
    make_review,
    make_review_round,
    make_reviewer,
    make_rotation,
    make_rubric,
    make_student,
    make_user,
)

pytestmark = pytest.mark.browser

WIDTHS = ({"width": 1280, "height": 900}, {"width": 390, "height": 844})


@pytest.mark.parametrize("size", WIDTHS, ids=lambda s: f"{s['width']}px")
def test_director_opens_the_file_and_downloads_the_packet(page: Page, live_server, axe, size):
    page.set_viewport_size(size)
    cycle = make_cycle()
    department = make_department(name="Emergency Medicine", slug="emergency-medicine")
    block = make_block(make_rotation(department, title="EM Sub-Internship"), cycle)
    student = make_student(full_name="Amara Okafor")
    make_profile(student)
    application = make_application(
        student,
        department,
        cycle,
        blocks=[block],
        state=ApplicationState.SUBMITTED,
        statement="Why emergency medicine.",
    )
    for kind in (DocumentKind.CV, DocumentKind.TRANSCRIPT, DocumentKind.GOOD_STANDING):
        make_document(student, cycle, kind)
    make_letter(student, cycle, received=True)
    review_round = make_review_round(department, cycle)
    rubric = make_rubric(review_round)
    reviewer = make_reviewer(department, full_name="Dr. Ann Reviewer")
    make_review(
        make_assignment(review_round, application, reviewer),
        rubric,
        [4, 3, 5],
        comments="Clear commitment to the county's patients.",
    )
    make_user((Role.DIRECTOR, department), email="director@keck.example.edu")
    db.session.commit()

    sign_in(page, live_server, "director@keck.example.edu", axe)
    page.goto(f"{live_server}/departments/emergency-medicine/applications/")
    axe.check(page)
    page.get_by_role("link", name="Amara Okafor").click()
    expect(page.get_by_role("heading", name="Amara Okafor", level=1)).to_be_visible()
    actions = page.get_by_role("region", name="Actions")
    expect(actions.get_by_role("link", name="Assign a reviewer")).to_be_visible()
    expect(actions.get_by_role("button", name="Write to the student")).to_be_visible()
    reviews = page.get_by_role("region", name="Reviews")
    expect(reviews).to_contain_text("1 of 1 review submitted")
    expect(reviews).to_contain_text("Clear commitment to the county's patients.")
    expect(page.get_by_role("region", name="Requirements checked today")).to_contain_text(
        "Profile: complete"
    )
    axe.check(page)

    with page.expect_download() as download_info:
        actions.get_by_role("link", name="Download the application packet (PDF)").click()
    download = download_info.value
    assert download.suggested_filename == "amara-okafor-emergency-medicine-application-packet.pdf"
    reader = PdfReader(io.BytesIO(download.path().read_bytes()))
    assert len(reader.pages) == 1 + 4  # the summary, CV, transcript, good standing, letter
    summary = " ".join(reader.pages[0].extract_text().split())
    assert "Amara Okafor" in summary and "Why emergency medicine." in summary
    # The file stays on screen after the download.
    expect(page.get_by_role("heading", name="Amara Okafor", level=1)).to_be_visible()
    axe.check(page)
