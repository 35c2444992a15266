"""A department's templates and its own wording of the automatic emails, with reset."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from clerkship.allocation.engine import SeatType
from clerkship.allocation.models import Placement
from clerkship.applications.models import ApplicationState
from clerkship.communications.models import MessageTemplate
from clerkship.core.time import utcnow
from clerkship.extensions import db
from clerkship.offers.services import make_offer
from clerkship.outbox.models import OutboxMessage
from tests import factories
from tests.conftest import login
from tests.rosters.conftest import build_season


@pytest.fixture
def season(app):
    return build_season()


def _url(season, tail: str) -> str:
    return f"/departments/{season.department.slug}{tail}"


def test_director_saves_a_template_and_an_unknown_field_is_refused(client, season):
    login(client, season.users["director"])
    response = client.post(
        _url(season, "/message-templates/new"),
        data={"name": "Welcome", "subject": "Welcome", "body": "Dear {nickname}"},
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="body-error"' in page and "Unknown merge field: {nickname}." in page
    assert "Dear {nickname}" in page  # what was typed is kept
    response = client.post(
        _url(season, "/message-templates/new"),
        data={"name": "Welcome", "subject": "Welcome", "body": "Dear {preferred_name}"},
    )
    assert response.status_code == 302
    template = db.session.scalars(select(MessageTemplate)).one()
    assert (template.name, template.body, template.automatic) == (
        "Welcome",
        "Dear {preferred_name}",
        None,
    )


def test_coordinator_starts_a_message_from_the_department_s_template(client, season):
    template = MessageTemplate(
        department=season.department,
        name="Arrival",
        subject="Arriving",
        body="See you {block_dates}",
    )
    db.session.add(template)
    login(client, season.users["coordinator"])
    page = client.post(
        _url(season, "/messages/new"),
        data={
            "selection_source": "roster",
            "selection_scope": f"cycle={season.cycle.slug}",
            "selection_all": "1",
            "action": "load",
            "template": str(template.id),
            "send_key": "k" * 32,
        },
    ).get_data(as_text=True)
    assert 'value="Arriving"' in page
    assert "See you {block_dates}</textarea>" in page


def _offer_to_fay(season):
    """Offer a July seat to a new applicant, Fay; the offer email queued."""
    fay = factories.make_student(full_name="Fay Fong", email="fay@example.org")
    factories.make_profile(fay, preferred_name="Fay")
    application = factories.make_application(
        fay, season.department, season.cycle, blocks=[season.july], state=ApplicationState.SUBMITTED
    )
    placement = Placement(
        application=application, block=season.july, seat_type=SeatType.OPEN, in_pathway=False
    )
    make_offer(placement, expires_at=utcnow() + timedelta(days=5), by=None)
    db.session.commit()
    message = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.template == "offer_made")
        .order_by(OutboxMessage.id.desc())
    ).first()
    return message, application


def test_the_department_s_wording_of_the_offer_email_is_sent_until_reset(client, season, app):
    login(client, season.users["director"])
    page = client.get(_url(season, "/automatic-emails/offer_made")).get_data(as_text=True)
    assert "Sign in to accept or decline: {link}" in page  # the default, to start from
    response = client.post(
        _url(season, "/automatic-emails/offer_made"),
        data={
            "subject": "A seat for you in {rotation}",
            "body": "Dear {preferred_name}, {block_dates}. Answer by {answer_by}: {link}",
        },
    )
    assert response.status_code == 302

    custom, application = _offer_to_fay(season)
    july = season.july
    assert custom.subject == "A seat for you in Emergency Medicine"
    assert custom.body_text.startswith(
        f"Dear Fay, {july.starts_on:%b %-d, %Y} to {july.ends_on:%b %-d, %Y}. Answer by "
    )
    assert "/offers/" in custom.body_text
    assert custom.application_id == application.id
    assert custom.recipient_id == application.student_id

    response = client.post(_url(season, "/automatic-emails/offer_made/reset"))
    assert response.status_code == 302
    assert db.session.scalars(select(MessageTemplate)).all() == []


def test_reset_brings_back_the_default_wording(client, season):
    db.session.add(
        MessageTemplate(
            department=season.department,
            name="offer_made",
            automatic="offer_made",
            subject="Custom",
            body="Custom {link}",
        )
    )
    login(client, season.users["director"])
    client.post(_url(season, "/automatic-emails/offer_made/reset"))
    default, _application = _offer_to_fay(season)
    assert default.subject == "Offer: Emergency Medicine (Emergency Medicine)"
    assert "offers you a visiting clerkship seat" in default.body_text


def test_an_automatic_email_refuses_a_field_outside_its_set(client, season):
    login(client, season.users["director"])
    response = client.post(
        _url(season, "/automatic-emails/interview_reminder"),
        data={"subject": "Hi", "body": "{self_identification}"},
    )
    assert response.status_code == 400
    assert "Unknown merge field: {self_identification}." in response.get_data(as_text=True)


def test_the_department_s_interview_reminder_keeps_its_calendar_file(app, season):
    import email
    import email.policy

    from clerkship.interviews.services.notify import send_reminders

    interviews = factories.make_season(season.department, season.cycle)
    day = factories.make_day(interviews, days_ahead=1)
    ana = season.placed[0]
    factories.make_booking(factories.make_invitation(interviews, application=ana), day)
    db.session.add(
        MessageTemplate(
            department=season.department,
            name="interview_reminder",
            automatic="interview_reminder",
            subject="See you {interview_day}",
            body="Dear {preferred_name}, see you on {interview_day}. {link}",
        )
    )
    db.session.flush()
    assert send_reminders(now=utcnow()) == 1
    message = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.template == "interview_reminder")
    ).one()
    assert message.subject == f"See you {day.label}"
    assert message.body_text.startswith(f"Dear Ani, see you on {day.label}. http")
    assert (message.recipient_id, message.application_id) == (ana.student_id, ana.id)
    parsed = email.message_from_bytes(message.raw, policy=email.policy.default)
    kinds = [part.get_content_type() for part in parsed.walk()]
    assert "text/calendar" in kinds and "text/html" in kinds
