"""A faculty member evaluates a visiting student, the director finalises and sends it, and
the home school opens its link and downloads the PDF; axe checks every page (1280 and 390 px)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from clerkship.audit.models import AuditEvent
from clerkship.extensions import db
from tests.browser.journeys import sign_in
from tests.conftest import drain_outbox, link_in
from tests.evaluations.helpers import ready_evaluation

pytestmark = pytest.mark.browser


def test_faculty_evaluates_the_director_sends_and_the_home_school_downloads(
    page: Page, live_server, axe, mailbox, app
):
    ready = ready_evaluation()
    db.session.commit()
    evaluation_id, slug = ready.evaluation.id, ready.department.slug
    faculty_email, director_email = ready.faculty.email, ready.director.email

    sign_in(page, live_server, faculty_email, axe)
    page.goto(live_server + "/evaluations/assigned")
    axe.check(page)
    page.get_by_role("link", name="Imani Brooks").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Evaluation of Imani Brooks")
    axe.check(page)
    page.get_by_label("3 – Patient care: beyond").check()
    page.get_by_role("button", name="Save the draft").click()
    expect(page.get_by_text("The draft is saved.")).to_be_visible()
    page.get_by_label("2 – Communication: as expected").check()
    page.get_by_label("Overall grade").select_option("High pass")
    page.get_by_label("Narrative comments").fill("Calm in a busy shift; presents clearly.")
    page.get_by_role("button", name="Save the draft").click()
    expect(page.get_by_text("The draft is saved.")).to_be_visible()
    axe.check(page)
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, live_server, director_email, axe)
    page.goto(live_server + f"/departments/{slug}/evaluations")
    axe.check(page)
    page.get_by_role("link", name="Draft evaluation of Imani Brooks").click()
    axe.check(page)
    page.get_by_role("button", name="Finalise the evaluation").click()
    expect(page.get_by_text("The evaluation is final.")).to_be_visible()
    axe.check(page)
    page.get_by_role("button", name="Send to Howard University College of Medicine").click()
    expect(page.get_by_text("The evaluation is sent to Howard University")).to_be_visible()
    expect(page.get_by_text("downloaded 0 times")).to_be_visible()
    axe.check(page)
    page.get_by_role("button", name="Sign out").click()

    drain_outbox(app)
    link = link_in(mailbox.last_to("registrar@howard.example.edu"))
    page.goto(live_server + urlsplit(link).path)
    expect(page.get_by_role("heading", level=1)).to_have_text("Evaluation of Imani Brooks")
    axe.check(page)
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download the evaluation (PDF)").click()
    download = download_info.value
    assert download.suggested_filename == "evaluation-ImaniBrooks.pdf"
    assert download.path().read_bytes().startswith(b"%PDF")
    db.session.rollback()
    downloads = db.session.scalar(
        select(func.count(AuditEvent.id)).where(
            AuditEvent.action == "evaluation.downloaded", AuditEvent.target_id == evaluation_id
        )
    )
    assert downloads == 1
