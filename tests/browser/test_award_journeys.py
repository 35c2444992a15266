"""A student self-identifies and applies for the award; the committee awards it; the coordinator
marks the rotation completed; the committee records the payment. axe checks every page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from clerkship.accounts.models import Role
from clerkship.applications.models import Application, ApplicationState
from clerkship.awards.models import AwardApplication, AwardSettings, AwardState
from clerkship.core.time import local_today
from clerkship.extensions import db
from clerkship.offers.models import OfferState
from clerkship.pathway.models import Identification, SelfIdentification
from tests.browser.journeys import sign_in
from tests.factories import (
    make_award_settings,
    make_block,
    make_cv,
    make_cycle,
    make_department,
    make_eligible_profile,
    make_placement,
    make_rotation,
    make_rotation_application,
    make_site,
    make_student,
    make_user,
)

pytestmark = pytest.mark.browser


def _sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()


def test_award_from_self_identification_to_payment(page: Page, live_server, mailbox, axe):
    cycle = make_cycle()
    department = make_department(name="Emergency Medicine", slug="emergency-medicine")
    rotation = make_rotation(
        department,
        make_site(name="LA General Medical Center"),
        title="Emergency Medicine Sub-Internship",
        weeks=4,
    )
    # The rotation ended yesterday: its completion can be recorded.
    ends_on = local_today() - timedelta(days=1)
    block = make_block(rotation, cycle, starts_on=ends_on - timedelta(days=27), ends_on=ends_on)
    student = make_student(full_name="Amara Okafor", email="amara@med.example.edu")
    application = make_rotation_application(
        student, cycle, department, blocks=(block,), state=ApplicationState.ACCEPTED
    )
    make_placement(application, block, offer_state=OfferState.ACCEPTED)
    make_eligible_profile(student, cycle)
    make_cv(student, cycle, original_name="amara-okafor-cv.pdf")
    make_award_settings(cycle, budget=10000_00, essay_prompt="Tell us about your path.")
    make_user(Role.AWARD_COMMITTEE, email="committee@keck.example.edu", full_name="Renee Baptiste")
    make_user(
        (Role.COORDINATOR, department), email="coord@keck.example.edu", full_name="Marisol Vega"
    )
    db.session.commit()

    # The student self-identifies.
    sign_in(page, live_server, "amara@med.example.edu", axe)
    page.get_by_role("link", name="The UIM pathway and self-identification (optional)").click()
    expect(page.get_by_role("heading", name=f"The UIM pathway, {cycle.name}")).to_be_visible()
    axe.check(page)
    page.get_by_role("link", name="Answer the self-identification questions").click()
    expect(page.get_by_role("heading", name="Self-identification (optional)")).to_be_visible()
    axe.check(page)
    page.get_by_label("Yes", exact=True).check()
    page.get_by_label("Black or African American").check()
    page.get_by_role("button", name="Save my answers").click()
    expect(page.get_by_text("Your answers are saved.")).to_be_visible()
    expect(page.get_by_role("cell", name="In the pathway")).to_be_visible()
    axe.check(page)

    # ... and applies for the award, first forgetting an attestation.
    page.get_by_role("link", name="The Diversity in Medicine award").click()
    axe.check(page)
    page.get_by_label("The rotation application the award is for").select_option(
        label="Emergency Medicine (accepted)"
    )
    page.get_by_label("Essay").fill("I grew up translating for my grandmother at a county clinic.")
    page.get_by_label("I am a fourth-year medical student during this season's rotations.").check()
    page.get_by_label("I am in good academic and professional standing at my school.").check()
    page.get_by_label(
        "I will have completed my core clerkships before the rotation starts."
    ).check()
    page.get_by_role("button", name="Submit application").click()
    expect(page.locator("#attestations-error")).to_contain_text(
        "Truthfulness: tick the statement that your answers are true."
    )
    expect(page.get_by_label("Essay")).to_have_value(
        "I grew up translating for my grandmother at a county clinic."
    )
    axe.check(page)
    page.get_by_label(
        "Everything in this award application and my profile is true and complete."
    ).check()
    page.get_by_role("button", name="Submit application").click()
    expect(
        page.get_by_text(
            "Your award application is submitted. You are now in the UIM pathway. "
            "Emergency Medicine considers you for the seats reserved for the UIM pathway."
        )
    ).to_be_visible()
    axe.check(page)
    _sign_out(page)

    # A committee member awards it.
    sign_in(page, live_server, "committee@keck.example.edu", axe)
    page.get_by_role("link", name="Award", exact=True).click()
    expect(page.get_by_role("cell", name="Eligible", exact=True)).to_be_visible()
    axe.check(page)
    page.get_by_role("link", name="Amara Okafor").click()
    expect(page.get_by_role("heading", name="Award application of Amara Okafor")).to_be_visible()
    axe.check(page)
    page.get_by_label("Awarded", exact=True).check()
    expect(page.get_by_label("Amount awarded")).to_have_value("2000.00")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("Decision recorded: awarded. The student is told.")).to_be_visible()
    axe.check(page)
    _sign_out(page)

    # The coordinator records the rotation's arrival and completion; the award follows.
    sign_in(page, live_server, "coord@keck.example.edu", axe)
    page.get_by_role("link", name="Emergency Medicine").click()
    axe.check(page)
    page.get_by_role("link", name="Rotations", exact=True).click()
    axe.check(page)
    page.get_by_role("link", name="Record for Amara Okafor").click()
    page.get_by_label("Arrived on").fill(block.starts_on.isoformat())
    page.get_by_role("button", name="Record arrival").click()
    page.get_by_role("button", name="Record completion").click()
    expect(page.get_by_text("Amara Okafor's rotation is recorded as completed.")).to_be_visible()
    axe.check(page)
    page.get_by_role("link", name="Emergency Medicine: arrivals and completion").click()
    page.get_by_role("link", name="Award recipients").click()
    axe.check(page)
    _sign_out(page)

    # The committee records the payment and sees it on the budget page.
    sign_in(page, live_server, "committee@keck.example.edu", axe)
    page.get_by_role("link", name="Award", exact=True).click()
    page.get_by_role("link", name="Amara Okafor").click()
    axe.check(page)
    page.get_by_label("Payment date").fill(local_today().isoformat())
    page.get_by_label("Amount paid").fill("2000")
    page.get_by_label("Payment reference").fill("AP-2027-0042")
    page.get_by_role("button", name="Record the payment").click()
    expect(page.get_by_text("Payment of $2,000.00 recorded.")).to_be_visible()
    axe.check(page)
    page.get_by_role("link", name=f"Award applications, {cycle.name}").click()
    axe.check(page)
    page.get_by_role("link", name="Budget").click()
    expect(page.get_by_role("cell", name="AP-2027-0042")).to_be_visible()
    axe.check(page)

    db.session.rollback()
    award = db.session.scalar(select(AwardApplication))
    assert (award.state, award.paid_cents, award.payment_reference) == (
        AwardState.PAID,
        2000_00,
        "AP-2027-0042",
    )
    assert db.session.scalar(select(AwardSettings.committed_cents)) == 2000_00
    answers = db.session.scalar(select(SelfIdentification))
    assert (answers.identifies, answers.categories) == (
        Identification.YES,
        ["Black or African American"],
    )
    assert db.session.get(Application, application.id).state is ApplicationState.COMPLETED
    subjects = [m["Subject"] for m in mailbox.to("amara@med.example.edu")]
    assert subjects == [
        "Diversity in Medicine award: application received",
        "Diversity in Medicine award: awarded",
        "Emergency Medicine visiting clerkship: completed",
        "Diversity in Medicine award: rotation completed",
        "Emergency Medicine visiting clerkship: tell us about your rotation",
        "Diversity in Medicine award: payment recorded",
    ]


def test_admin_director_and_committee_pages_pass_axe(page: Page, live_server, mailbox, axe):
    cycle = make_cycle()
    department = make_department(name="Pediatrics", slug="pediatrics")
    block = make_block(make_rotation(department, weeks=2), cycle)
    student = make_student(full_name="Nathan Begay", email="nathan@med.example.edu")
    make_rotation_application(
        student, cycle, department, blocks=(block,), state=ApplicationState.SUBMITTED
    )
    make_award_settings(cycle)
    make_user(Role.ADMIN, email="admin@keck.example.edu")
    make_user((Role.DIRECTOR, department), email="director@keck.example.edu")
    make_user(Role.AWARD_COMMITTEE, email="committee@keck.example.edu")
    db.session.commit()

    # The student self-identifies through a race-neutral criterion set by the admin.
    sign_in(page, live_server, "admin@keck.example.edu", axe)
    page.get_by_role("link", name="Set-up").click()
    page.get_by_role("link", name="UIM pathway").click()
    axe.check(page)
    page.get_by_role("link", name=cycle.name).click()
    axe.check(page)
    page.get_by_label("Race-neutral criteria").fill("First-generation college student")
    page.get_by_role("button", name="Save the definition").click()
    expect(page.get_by_text("Saved as version 2")).to_be_visible()
    axe.check(page)
    _sign_out(page)

    sign_in(page, live_server, "nathan@med.example.edu", axe)
    page.goto(f"{live_server}/pathway/{cycle.slug}/self-identification")
    page.get_by_label("I prefer not to say").check()
    page.get_by_label("First-generation college student").check()
    page.get_by_role("button", name="Save my answers").click()
    expect(page.get_by_role("cell", name="In the pathway")).to_be_visible()
    page.goto(f"{live_server}/awards/{cycle.slug}/")
    expect(page.get_by_text("none yet.")).to_be_visible()
    axe.check(page)
    _sign_out(page)

    # The director withdraws the flag with a reason.
    sign_in(page, live_server, "director@keck.example.edu", axe)
    page.get_by_role("link", name="Pediatrics").click()
    page.get_by_role("link", name="Applications", exact=True).click()
    page.get_by_role("link", name="UIM pathway").click()
    axe.check(page)
    page.get_by_label("UIM pathway").select_option("yes")
    page.get_by_role("button", name="Show").click()
    page.get_by_role("link", name="Flag and decisions for Nathan Begay").click()
    axe.check(page)
    page.get_by_text("Confirm or withdraw the flag").click()
    page.get_by_label("Decision").select_option(label="Withdrawn from the pathway")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator("#reason-error")).to_contain_text("Write the reason for your decision")
    axe.check(page)
    page.get_by_label("Reason").fill("The student asked for open seats only.")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("Your decision is recorded and the student is told.")).to_be_visible()
    expect(page.get_by_text("Not in the pathway")).to_be_visible()
    axe.check(page)
    _sign_out(page)

    # The committee opens the answers and changes the settings; the admin sees the view.
    sign_in(page, live_server, "committee@keck.example.edu", axe)
    page.goto(f"{live_server}/pathway/{cycle.slug}/students/{student.id}/answers")
    expect(page.get_by_text("First-generation college student")).to_be_visible()
    axe.check(page)
    page.goto(f"{live_server}/awards/{cycle.slug}/settings")
    axe.check(page)
    page.get_by_label("Amounts by rotation length").fill("4 weeks: $2,500\nsix weeks")
    page.get_by_role("button", name="Save the settings").click()
    expect(page.locator("#amounts-error")).to_contain_text("Line 2")
    axe.check(page)
    page.get_by_label("Amounts by rotation length").fill("4 weeks: $2,500\n2 weeks: $1,200")
    page.get_by_role("button", name="Save the settings").click()
    expect(page.get_by_text("The award's settings are saved.")).to_be_visible()
    page.get_by_label("Award application timing for Pediatrics").select_option(
        label="Only after a rotation offer is accepted"
    )
    page.get_by_role("button", name="Save timing for Pediatrics").click()
    expect(page.get_by_text("Pediatrics: only after a rotation offer is accepted.")).to_be_visible()
    axe.check(page)
    _sign_out(page)

    sign_in(page, live_server, "admin@keck.example.edu", axe)
    page.goto(f"{live_server}/admin/pathway/answer-views")
    expect(page.get_by_role("cell", name="Nathan Begay").first).to_be_visible()
    axe.check(page)
    assert (
        "The student asked for open seats only."
        in mailbox.last_to("nathan@med.example.edu").get_content()
    )
