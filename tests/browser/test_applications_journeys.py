"""A student applies end to end; the letter writer uploads through the emailed link; staff check it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from clerkship.accounts.models import Role
from clerkship.applications.models import Application, ApplicationState
from clerkship.demo.pdf import make_pdf
from clerkship.documents.models import DocumentKind
from clerkship.extensions import db
from tests.conftest import link_in
from tests.factories import (
    PASSWORD,
    make_application,
    make_block,
    make_cycle,
    make_department,
    make_document,
    make_letter,
    make_profile,
    make_rotation,
    make_site,
    make_student,
    make_user,
)

pytestmark = pytest.mark.browser


def _path(link: str) -> str:
    return re.sub(r"^https?://[^/]+", "", link)


def _sign_in(page: Page, live_server: str, email: str, axe) -> None:
    page.goto(live_server + "/login")
    axe.check(page)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_student_applies_writer_uploads_student_submits(page: Page, live_server, mailbox, axe):
    cycle = make_cycle()
    department = make_department(
        name="Emergency Medicine", slug="emergency-medicine", required_documents="cv"
    )
    rotation = make_rotation(
        department, make_site(name="LA General Medical Center"), title="EM Sub-Internship"
    )
    for month in (7, 8, 9, 10):
        make_block(rotation, cycle, month=month)
    make_student(email="amara@med.example.edu", full_name="Amara Okafor")
    db.session.commit()
    year = cycle.rotations_start_on.year

    _sign_in(page, live_server, "amara@med.example.edu", axe)
    page.get_by_role("link", name="My applications").click()
    axe.check(page)
    page.get_by_role("link", name="fill in your profile").click()
    axe.check(page)
    page.get_by_label("Legal first name").fill("Amara")
    page.get_by_label("Legal last name").fill("Okafor")
    page.get_by_label("Phone").fill("213 555 0100")
    page.get_by_label("Mailing address").fill("1 Main St")
    page.get_by_label("City").fill("Los Angeles")
    page.get_by_label("State or province").fill("CA")
    page.get_by_label("Postal code").fill("90033")
    page.get_by_label("Medical school").fill("Howard University College of Medicine")
    page.get_by_label("LCME (MD program)").check()
    page.get_by_label("Expected graduation date").fill(f"{year + 1}-05-20")
    page.get_by_label("AAMC ID").fill("1234567")
    page.get_by_role("button", name="Save profile").click()
    expect(page.locator("#aamc_id-error")).to_contain_text("exactly 8 digits")
    expect(page.get_by_label("Legal last name")).to_have_value("Okafor")
    axe.check(page)
    page.get_by_label("AAMC ID").fill("12345678")
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_text("Your profile is saved.")).to_be_visible()
    axe.check(page)

    page.get_by_role("button", name="Apply to Emergency Medicine").click()
    expect(page.get_by_text("Your Emergency Medicine application is started.")).to_be_visible()
    axe.check(page)
    for month in ("Jul", "Aug", "Sep"):
        page.get_by_role("button", name=re.compile(f"^Add.*EM Sub-Internship, {month} 1")).click()
        expect(page.get_by_text("Your ranking is saved.")).to_be_visible()
    page.get_by_role("button", name=re.compile("^Move up.*EM Sub-Internship, Sep 1")).click()
    ranking = page.locator("ol.list-group li")
    expect(ranking).to_have_count(3)
    expect(ranking.nth(1)).to_contain_text("Sep 1")
    axe.check(page)

    page.get_by_role("link", name="Continue to the statement").click()
    axe.check(page)
    page.get_by_label("Personal statement").fill("I want to train where the door never closes.")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_text("Your statement is saved (9 words).")).to_be_visible()
    axe.check(page)

    page.get_by_label("Kind of document").select_option(label="CV")
    page.get_by_label("File").set_input_files(
        files=[{"name": "Okafor CV.pdf", "mimeType": "application/pdf", "buffer": make_pdf(["CV"])}]
    )
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_text("Your cv is uploaded.")).to_be_visible()
    expect(page.get_by_role("link", name="Okafor CV.pdf")).to_be_visible()
    axe.check(page)

    page.get_by_role("link", name="Continue to letters").click()
    axe.check(page)
    page.get_by_label("Writer's name").fill("Dr. Ana Ruiz")
    page.get_by_label("Writer's email").fill("ana.ruiz@hospital.example.org")
    page.get_by_label("I waive my right to read this letter").check()
    page.get_by_role("button", name="Send the request").click()
    expect(page.get_by_text("We emailed Dr. Ana Ruiz a link to upload the letter.")).to_be_visible()
    axe.check(page)

    writer = page.context.browser.new_context().new_page()
    writer.goto(live_server + _path(link_in(mailbox.last_to("ana.ruiz@hospital.example.org"))))
    expect(
        writer.get_by_role("heading", name="Letter of recommendation for Amara Okafor")
    ).to_be_visible()
    axe.check(writer)
    writer.get_by_label("Your letter").set_input_files(
        files=[
            {
                "name": "okafor-letter.pdf",
                "mimeType": "application/pdf",
                "buffer": make_pdf(["Letter"]),
            }
        ]
    )
    writer.get_by_role("button", name="Upload the letter").click()
    expect(writer.get_by_role("heading", name="Thank you, Dr. Ana Ruiz")).to_be_visible()
    axe.check(writer)
    writer.reload()
    expect(writer.get_by_text("A letter was already uploaded through this link")).to_be_visible()
    axe.check(writer)
    writer.context.close()

    page.get_by_role("link", name="5. Review and submit").click()
    expect(page.get_by_text("Everything required is here.")).to_be_visible()
    axe.check(page)
    page.get_by_role("button", name="Submit my application").click()
    expect(page.get_by_text("Your Emergency Medicine application is submitted.")).to_be_visible()
    expect(page.locator(".timeline li")).to_have_count(2)
    expect(page.locator(".timeline")).to_contain_text("Submitted")
    axe.check(page)
    db.session.commit()
    application = db.session.scalar(select(Application))
    assert application.state == ApplicationState.SUBMITTED
    assert [c.block.starts_on.month for c in application.choices] == [7, 9, 8]
    assert mailbox.last_to("amara@med.example.edu")["Subject"] == (
        "Emergency Medicine visiting clerkship: submitted"
    )


def test_coordinator_filters_the_list_and_opens_the_onboarding_page(page: Page, live_server, axe):
    cycle = make_cycle()
    department = make_department(
        name="Emergency Medicine", slug="emergency-medicine", required_documents="cv,bls"
    )
    block = make_block(make_rotation(department, title="EM Sub-Internship"), cycle)
    for name, in_pathway in (("Amara Okafor", True), ("Luis Hernández", False)):
        student = make_student(full_name=name)
        make_profile(student, legal_first_name=name.split()[0], legal_last_name=name.split()[1])
        make_document(student, cycle, DocumentKind.CV)
        make_application(
            student,
            department,
            cycle,
            blocks=[block],
            state=ApplicationState.SUBMITTED,
            in_pathway=in_pathway,
            statement="Why emergency medicine.",
        )
    make_letter(student, cycle, received=True)
    make_user((Role.COORDINATOR, department), email="coord@keck.example.edu")
    db.session.commit()

    _sign_in(page, live_server, "coord@keck.example.edu", axe)
    page.get_by_role("link", name="Departments").click()
    page.get_by_role("link", name="Emergency Medicine").click()
    axe.check(page)
    page.get_by_role("link", name="Applications", exact=True).click()
    # The badge and the filter label (the department's "UIM pathway" page link is a third).
    expect(page.locator("main").get_by_text("UIM pathway", exact=True)).to_have_count(3)
    expect(page.get_by_role("link", name="UIM pathway", exact=True)).to_have_count(1)
    axe.check(page)
    page.get_by_label("Search by name").fill("hernández")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    axe.check(page)
    page.get_by_role("link", name="Luis Hernández").click()
    expect(page.get_by_text("Why emergency medicine.")).to_be_visible()
    axe.check(page)
    page.get_by_role("link", name="All applications to Emergency Medicine").click()
    # The former compliance address is the onboarding page now: nobody here holds a seat yet.
    page.goto(f"{live_server}/departments/emergency-medicine/compliance")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Emergency Medicine: onboarding documents, {cycle.name}"
    )
    expect(page.locator("tbody")).to_contain_text("Nobody to show.")
    axe.check(page)
