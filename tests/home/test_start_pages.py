"""Start pages by role: what is waiting, with counts and deadlines, each a link to where it is done."""

from __future__ import annotations

from datetime import timedelta

import pytest

from clerkship.accounts.models import Role, User
from clerkship.applications.models import ApplicationState
from clerkship.awards.models import AwardState
from clerkship.core.time import format_datetime, local_today, utcnow
from clerkship.documents.models import DocumentKind
from clerkship.extensions import db
from clerkship.offers.models import OfferState
from clerkship.outbox.models import MessageState
from clerkship.outbox.services import queue_message
from tests import factories
from tests.conftest import login
from tests.home.conftest import Season, links, offered, panel


def start_page(client, user: User) -> str:
    login(client, user)
    response = client.get("/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


# Student -----------------------------------------------------------------------------------


def test_a_student_with_a_pending_offer_sees_it_with_its_deadline_and_countdown(client, season):
    placement = offered(season, season.users["student"])
    offer = placement.application.offers[0]
    offer.expires_at = utcnow() + timedelta(days=1, hours=5, minutes=30)
    db.session.commit()
    page = start_page(client, season.users["student"])
    text = panel(page, "answer")
    assert (
        f"Offer from Emergency Medicine: {season.july.label} Accept or decline by "
        f"{format_datetime(offer.expires_at)} (1 day 5 hours left)." in text
    )
    assert text.startswith("To answer Due soon Offer from")
    assert f"/offers/{offer.id}" in links(page, "answer")
    # The deadline is shown in the institution's zone (America/Los_Angeles in tests).
    assert format_datetime(offer.expires_at).endswith(("PST", "PDT"))


def test_a_student_invited_to_interview_sees_the_invitation_and_its_reply_date(client, season):
    interviews = factories.make_season(season.department, season.cycle)
    invitation = factories.make_invitation(
        interviews, season.users["student"], reply_by=utcnow() + timedelta(days=5, minutes=5)
    )
    db.session.commit()
    page = start_page(client, season.users["student"])
    assert (
        "Residency interview invitation from Emergency Medicine Choose a day or decline by "
        f"{format_datetime(invitation.reply_by)} (5 days left)."
    ) in panel(page, "answer")
    assert f"/interviews/{invitation.id}" in links(page, "answer")


def test_a_student_with_nothing_to_answer_is_told_so(client, season):
    page = start_page(client, season.users["student"])
    assert panel(page, "answer") == ("To answer No offer or invitation is waiting for your answer.")


def test_a_placed_student_sees_missing_documents_and_letters_not_received(client, season):
    student = season.users["student"]
    offered(season, student, state=OfferState.ACCEPTED)
    factories.make_document(student, season.cycle, DocumentKind.IMMUNIZATIONS)
    factories.make_letter(student, season.cycle, writer_name="Dr. Ada Stone")
    factories.make_letter(student, season.cycle, received=True)
    db.session.commit()
    text = panel(start_page(client, student), "documents")
    assert (
        f"BLS card: missing Needed for Emergency Medicine, {season.july.label}; it must be valid "
        f"from {season.july.starts_on:%b %-d, %Y} to {season.july.ends_on:%b %-d, %Y}."
    ) in text
    assert "Immunization record" not in text
    assert "1 letter not yet received: Dr. Ada Stone" in text


def test_a_student_sees_what_happens_after_submitting_and_when(client, season):
    student = season.users["student"]
    application = factories.make_application(
        student, blocks=[season.july], state=ApplicationState.SUBMITTED
    )
    db.session.commit()
    page = start_page(client, student)
    assert (
        "Emergency Medicine is reviewing your application Next: the department decides; offers "
        f"are released from {season.cycle.offers_released_on:%b %-d, %Y}."
    ) in panel(page, "next")
    assert f"/applications/{application.id}" in links(page, "next")


# Reviewer ----------------------------------------------------------------------------------


def test_a_reviewer_sees_overdue_reviews_and_starts_the_next_one(client, season):
    review_round = factories.make_review_round(season.department, season.cycle)
    reviewer = season.users["reviewer"]
    late = factories.make_assignment(
        review_round,
        factories.make_application(blocks=[season.july], state=ApplicationState.SUBMITTED),
        reviewer,
        due_on=local_today() - timedelta(days=2),
    )
    factories.make_assignment(
        review_round,
        factories.make_application(blocks=[season.july], state=ApplicationState.SUBMITTED),
        reviewer,
        due_on=local_today() + timedelta(days=5),
    )
    db.session.commit()
    page = start_page(client, reviewer)
    assert panel(page, "reviews") == (
        "Your reviews Overdue 1 review overdue 2 reviews to do Overdue Start the next review "
        f"Emergency Medicine, {season.cycle.name}, due {late.due_on:%b %-d, %Y}. "
        "Your review queue"
    )
    assert f"/reviews/assignments/{late.id}" in links(page, "reviews")


# Director ----------------------------------------------------------------------------------


def test_a_director_sees_the_counts_of_their_department(client, season):
    review_round = factories.make_review_round(season.department, season.cycle)
    waiting = factories.make_application(blocks=[season.july], state=ApplicationState.SUBMITTED)
    factories.make_assignment(
        review_round, waiting, season.users["reviewer"], due_on=local_today() - timedelta(days=1)
    )
    factories.make_application(blocks=[season.august], state=ApplicationState.WAITLISTED)
    soon = offered(season)
    soon.application.offers[0].expires_at = utcnow() + timedelta(hours=20)
    offered(season, block=season.august)
    offered(season, state=OfferState.DECLINED)
    offered(season, state=OfferState.ACCEPTED)
    interviews = factories.make_season(season.department, season.cycle)
    day = factories.make_day(interviews, days_ahead=10, capacity=4)
    factories.make_booking(factories.make_invitation(interviews), day)
    db.session.commit()
    page = start_page(client, season.users["director"])
    text = panel(page, "director-emergency-medicine")
    assert "Overdue 1 review not yet submitted, 1 overdue" in text
    assert "1 applicant without a score" in text
    assert "Allocation not run yet" in text
    assert "Expiring 2 offers awaiting an answer; 1 expiring within 48 hours" in text
    assert "Offers answered: 1 accepted, 1 declined, 0 expired" in text
    assert "1 student on the waitlist" in text
    # July holds 3 of its 6 seats (the factory keeps even a declined offer's seat), August 1.
    assert "8 of 12 seats unfilled in 2 blocks" in text
    assert f"Interview day {day.short_label}: 1 of 4 booked" in text
    assert "/departments/emergency-medicine/offers/?cycle=" in " ".join(
        links(page, "director-emergency-medicine")
    )
    assert panel(page, "director-pediatrics") == ""


def test_a_director_of_another_department_sees_none_of_these_counts(client, season):
    offered(season)
    factories.make_application(blocks=[season.august], state=ApplicationState.WAITLISTED)
    db.session.commit()
    page = start_page(client, season.users["other_director"])
    assert panel(page, "director-emergency-medicine") == ""
    text = panel(page, "director-pediatrics")
    assert "offer" not in text and "waitlist" not in text
    assert "4 of 4 seats unfilled in 1 block" in text


# Coordinator -------------------------------------------------------------------------------


def test_a_coordinator_sees_documents_to_verify_and_who_arrives(client, season):
    for n in range(2):
        student = factories.make_student()
        offered(season, student, state=OfferState.ACCEPTED)
        factories.make_document(student, season.cycle, DocumentKind.IMMUNIZATIONS)
        bls = factories.make_document(student, season.cycle, DocumentKind.BLS)
        if n == 0:
            bls.verified_at = utcnow()
    offered(season, block=season.august)
    db.session.commit()
    page = start_page(client, season.users["coordinator"])
    text = panel(page, "coordinator-emergency-medicine")
    assert text.startswith("Emergency Medicine: onboarding 3 documents to verify")
    assert (
        f"Next arrivals {season.july.starts_on:%b %-d, %Y}: 2 students; "
        f"{season.august.starts_on:%b %-d, %Y}: 0 students and 1 yet to accept."
    ) in text
    assert "/departments/emergency-medicine/onboarding/?cycle=" in " ".join(
        links(page, "coordinator-emergency-medicine")
    )


def test_a_coordinator_sees_placed_students_not_cleared_before_their_block(client, season):
    block = factories.make_block(
        season.july.rotation,
        season.cycle,
        starts_on=local_today() + timedelta(days=3),
        ends_on=local_today() + timedelta(days=30),
        capacity=4,
    )
    offered(season, state=OfferState.ACCEPTED, block=block)
    db.session.commit()
    text = panel(start_page(client, season.users["coordinator"]), "coordinator-emergency-medicine")
    assert "Starts soon 1 placed student not cleared" in text
    assert f"The first starts on {block.starts_on:%b %-d, %Y}." in text


# Award committee and administrator ---------------------------------------------------------


def test_the_award_committee_sees_decisions_waiting_and_the_budget_left(client, season):
    factories.make_award_settings(season.cycle, budget=10_000_00)
    for state, amount in ((AwardState.SUBMITTED, None), (AwardState.AWARDED, 2_500_00)):
        application = factories.make_application(
            blocks=[season.july], state=ApplicationState.SUBMITTED
        )
        factories.make_award_application(application, state=state, amount=amount)
    db.session.commit()
    text = panel(start_page(client, season.users["committee"]), "award")
    assert "1 application awaiting a decision, not yet under review" in text
    assert "Budget left: $7,500 of $10,000 $2,500 committed, $0 paid." in text


def test_an_administrator_sees_failed_emails_and_invitations_not_accepted(client, season):
    student = season.users["student"]
    message = queue_message(student.email, "About your file", "Hello", recipient=student)
    message.state = MessageState.FAILED
    factories.make_user(Role.AWARD_COMMITTEE, password=None, invited_at=utcnow())
    db.session.commit()
    page = start_page(client, season.users["admin"])
    assert panel(page, "outbox").startswith(
        "Email Failed 1 email failed The mail server refused them for good"
    )
    assert "the job queue keeps no record of failed jobs" in panel(page, "outbox")
    assert "/outbox/?state=failed" in links(page, "outbox")
    assert "1 invitation not accepted yet" in panel(page, "accounts")


def test_failed_emails_of_another_department_stay_off_a_coordinators_page(client, season):
    student = season.users["student"]
    message = queue_message(
        student.email, "Hi", "Hello", recipient=student, department=season.other
    )
    message.state = MessageState.FAILED
    db.session.commit()
    assert panel(start_page(client, season.users["coordinator"]), "outbox") == ""
    message.department_id = season.department.id
    db.session.commit()
    assert "1 email failed" in panel(start_page(client, season.users["coordinator"]), "outbox")


# Query counts ------------------------------------------------------------------------------


def _grow(season: Season, review_round, interviews, count: int) -> None:
    """count more applications of every kind: placed with documents, reviewed, waitlisted,
    invited to interview, and failed emails."""
    season.july.capacity = season.august.capacity = 200
    season.july.reserved = season.august.reserved = 0
    for n in range(count):
        student = factories.make_student()
        state = (OfferState.PENDING, OfferState.ACCEPTED, OfferState.DECLINED)[n % 3]
        placement = offered(season, student, state=state, block=(season.july, season.august)[n % 2])
        factories.make_document(student, season.cycle, DocumentKind.BLS)
        factories.make_assignment(review_round, placement.application, season.users["reviewer"])
        factories.make_application(blocks=[season.august], state=ApplicationState.WAITLISTED)
        factories.make_invitation(interviews, student)
        message = queue_message(
            student.email, "Hi", "Hello", recipient=student, department=season.department
        )
        message.state = MessageState.FAILED
    db.session.commit()


@pytest.mark.parametrize(
    "role", ["student", "reviewer", "director", "coordinator", "committee", "admin"]
)
def test_start_page_queries_do_not_grow_with_applications(client, season, queries, role):
    factories.make_award_settings(season.cycle)
    user = season.users[role]
    if role == "student":
        offered(season, user)
    review_round = factories.make_review_round(season.department, season.cycle)
    interviews = factories.make_season(season.department, season.cycle)
    factories.make_day(interviews, capacity=40)
    _grow(season, review_round, interviews, 2)
    login(client, user)
    client.get("/")
    with queries() as few:
        assert client.get("/").status_code == 200
    _grow(season, review_round, interviews, 25)
    login(client, user)
    with queries() as many:
        assert client.get("/").status_code == 200
    assert many.count == few.count


def test_query_of_start_page_reads_only_the_viewers_departments(app, season):
    # The grouped reads take the ids they are given: a department outside them is not counted.
    from clerkship.offers.queries import offer_counts_by_department

    offered(season)
    assert (
        offer_counts_by_department([season.other.id], season.cycle, expiring_before=utcnow()) == {}
    )
    counts = offer_counts_by_department(
        [season.department.id], season.cycle, expiring_before=utcnow() + timedelta(days=30)
    )
    assert counts[season.department.id].pending == 1
    assert counts[season.department.id].expiring == 1


def test_every_state_of_an_application_reads_without_error(client, season):
    student = season.users["student"]
    for state in ApplicationState:
        department = factories.make_department()
        block = factories.make_block(factories.make_rotation(department), season.cycle, month=9)
        factories.make_application(student, blocks=[block], state=state)
    db.session.commit()
    page = start_page(client, student)
    assert "None" not in panel(page, "next")


def test_start_pages_before_any_cycle_exists_show_what_they_can(client, app):
    department = factories.make_department(name="Psychiatry", slug="psychiatry")
    people = [
        factories.make_student(),
        factories.make_user((Role.DIRECTOR, department), (Role.REVIEWER, department)),
        factories.make_user((Role.COORDINATOR, department)),
        factories.make_user(Role.AWARD_COMMITTEE),
        factories.make_user(Role.ADMIN),
    ]
    db.session.commit()
    pages = [start_page(client, person) for person in people]
    assert panel(pages[0], "answer") == (
        "To answer No offer or invitation is waiting for your answer."
    )
    assert panel(pages[1], "director-psychiatry") == ""
    assert "Keep your schools and conflicts of interest up to date" in panel(pages[1], "reviews")
    assert "Every invitation was accepted and every account confirmed." in panel(
        pages[4], "accounts"
    )


def test_a_student_with_letters_outstanding_after_submitting_goes_to_the_status_page(
    client, season
):
    student = season.users["student"]
    application = factories.make_application(
        student, blocks=[season.july], state=ApplicationState.SUBMITTED
    )
    factories.make_letter(student, season.cycle, writer_name="Dr. Ada Stone")
    db.session.commit()
    page = start_page(client, student)
    assert "1 letter not yet received: Dr. Ada Stone" in panel(page, "documents")
    assert f"/applications/{application.id}" in links(page, "documents")
    assert client.get(f"/applications/{application.id}").status_code == 200


def test_departments_are_listed_with_the_viewers_roles_and_no_empty_brackets(client, season):
    import re

    def departments(page: str) -> str:
        found = re.search(r'<div[^>]*id="departments".*?</section>', page, re.S)
        assert found, "the Your departments card"
        return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(0)))

    admin_page = start_page(client, season.users["admin"])
    assert "()" not in departments(admin_page)  # an administrator holds no department role
    director_page = start_page(client, season.users["director"])
    # The roles in alphabetical order, the same on every database.
    assert "Emergency Medicine (clerkship director, reviewer)" in departments(director_page)
