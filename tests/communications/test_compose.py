"""Writing to selected students: the selection re-evaluated, merge fields, preview, one email each."""

from __future__ import annotations

import email
import email.policy

import pytest
from sqlalchemy import select

from clerkship.applications.models import ApplicationState
from clerkship.audit.models import AuditEvent
from clerkship.communications.models import StaffMessage
from clerkship.communications.recipients import resolve
from clerkship.core.selection import Selection
from clerkship.core.time import format_datetime
from clerkship.extensions import db
from clerkship.outbox.models import OutboxMessage
from tests import factories
from tests.conftest import login
from tests.rosters.conftest import build_season


@pytest.fixture
def season(app):
    return build_season()


def _roster_block(season, **extra) -> dict:
    return {
        "selection_source": "roster",
        "selection_scope": f"cycle={season.cycle.slug}&block={season.july.id}",
        "selection_all": "1",
        **extra,
    }


def _compose(client, season, data: dict):
    return client.post(f"/departments/{season.department.slug}/messages/new", data=data)


def _outbox() -> list[OutboxMessage]:
    db.session.rollback()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_compose_with_all_matching_the_filter_lists_the_block_s_students(client, season):
    login(client, season.users["coordinator"])
    response = _compose(client, season, _roster_block(season))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Write to 2 students" in page
    assert "Ana Alvarez" in page and "Chen Li" not in page


def test_preview_fills_the_merge_fields_for_the_first_student(client, season):
    ana = season.placed[0]
    login(client, season.users["coordinator"])
    data = {
        "selection_source": "applications",
        "selection_scope": f"cycle={season.cycle.slug}",
        "selected": [str(ana.id)],
        "action": "preview",
        "send_key": "k" * 32,
        "subject": "{rotation} starts soon",
        "body": "Dear {preferred_name}, your block: {block_dates}. {department}.",
    }
    page = _compose(client, season, data).get_data(as_text=True)
    july = season.july
    assert "Preview: the message to Ana Alvarez" in page
    assert "Emergency Medicine starts soon" in page
    assert (
        f"Dear Ani, your block: {july.starts_on:%b %-d, %Y} to {july.ends_on:%b %-d, %Y}. "
        "Emergency Medicine." in page
    )
    assert "Send to 1 student" in page
    assert _outbox() == []


def test_send_queues_one_email_per_student_and_audits_the_count(client, season):
    login(client, season.users["coordinator"])
    data = _roster_block(
        season, action="send", send_key="a" * 32, subject="Hello", body="Dear {preferred_name}"
    )
    response = _compose(client, season, data)
    assert response.status_code == 302
    messages = _outbox()
    assert sorted(m.to_address for m in messages) == ["ana@example.org", "bad@example.org"]
    for message in messages:
        assert message.template == "staff_message"
        assert message.author_id == season.users["coordinator"].id
        assert message.department_id == season.department.id
        parsed = email.message_from_bytes(message.raw, policy=email.policy.default)
        assert parsed["To"] == message.to_address  # one address, no Cc or Bcc
        assert parsed["Cc"] is None and parsed["Bcc"] is None
        assert parsed.get_body(("html",)) is not None
    by_address = {m.to_address: m for m in messages}
    assert by_address["ana@example.org"].body_text == "Dear Ani"
    assert by_address["ana@example.org"].application_id == season.placed[0].id
    assert by_address["ana@example.org"].recipient_id == season.placed[0].student_id
    sent = db.session.scalars(select(StaffMessage)).one()
    assert sent.recipient_count == 2
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "staff_message.send")
    ).all()
    assert [(e.target_id, e.detail["recipients"]) for e in events] == [(sent.id, 2)]


def test_the_same_page_submitted_twice_sends_once(client, season):
    login(client, season.users["coordinator"])
    data = _roster_block(season, action="send", send_key="b" * 32, subject="Hi", body="Hello")
    assert _compose(client, season, data).status_code == 302
    second = _compose(client, season, data)
    assert second.status_code == 302
    assert len(_outbox()) == 2
    page = client.get(second.headers["Location"]).get_data(as_text=True)
    assert "was sent already; it was not sent again" in page


def test_ticked_ids_count_only_where_the_filter_still_finds_them(client, season):
    other = factories.make_application(
        factories.make_student(full_name="Elsewhere"),
        factories.make_department(),
        season.cycle,
        state=ApplicationState.SUBMITTED,
    )
    ana, bad, chen = season.placed
    login(client, season.users["coordinator"])
    data = {
        "selection_source": "applications",
        "selection_scope": f"cycle={season.cycle.slug}",
        "selected": [str(chen.id), str(other.id)],
        "action": "send",
        "send_key": "c" * 32,
        "subject": "Hi",
        "body": "Hello {full_name}",
    }
    assert _compose(client, season, data).status_code == 302
    assert [(m.to_address, m.body_text) for m in _outbox()] == [
        ("chen@example.org", "Hello Chen Li")
    ]


def test_a_withdrawn_student_is_named_and_not_written_to(client, season):
    ana = season.placed[0]
    ana.state = ApplicationState.WITHDRAWN
    login(client, season.users["coordinator"])
    data = {
        "selection_source": "applications",
        "selection_scope": f"cycle={season.cycle.slug}",
        "selection_all": "1",
    }
    page = _compose(client, season, data).get_data(as_text=True)
    assert "Ana Alvarez: withdrew the application" in page
    assert "Write to 3 students" in page  # "=HYPERLINK", Chen and Dee


def test_an_unknown_merge_field_is_refused_next_to_the_field(client, season):
    login(client, season.users["coordinator"])
    data = _roster_block(
        season, action="send", send_key="d" * 32, subject="Hi", body="Hello {in_pathway}"
    )
    response = _compose(client, season, data)
    assert response.status_code == 400
    assert "Unknown merge field: {in_pathway}." in response.get_data(as_text=True)
    assert _outbox() == []


def test_all_matching_re_runs_the_list_s_pathway_filter_for_staff_who_see_the_flag(app, season):
    selection = Selection(
        "applications", f"cycle={season.cycle.slug}&pathway=yes", all_matching=True
    )
    seen = resolve(season.users["coordinator"], season.department, selection)
    assert sorted(r.full_name for r in seen.recipients) == ['=HYPERLINK("http://x")', "Chen Li"]


def test_staff_of_another_department_cannot_write_to_these_students(client, season):
    login(client, season.users["other_coordinator"])
    assert _compose(client, season, _roster_block(season)).status_code == 403


def test_the_roster_page_offers_the_selection_with_its_filter(client, season):
    login(client, season.users["coordinator"])
    page = client.get(
        f"/departments/{season.department.slug}/rosters/?cycle={season.cycle.slug}"
        f"&block={season.july.id}&kind=roster&format=csv"
    ).get_data(as_text=True)
    assert "All 2 matching this filter" in page
    assert f'value="cycle={season.cycle.slug}&amp;block={season.july.id}"' in page


def _interviews(season):
    """A season of season.department: Ana booked on day one, Chen invited and silent,
    an imported invitee (no application) booked on day one too."""
    interviews = factories.make_season(season.department, season.cycle)
    day = factories.make_day(interviews)
    ana, _bad, chen = season.placed
    factories.make_booking(factories.make_invitation(interviews, application=ana), day)
    silent = factories.make_invitation(interviews, application=chen)
    imported = factories.make_invitation(
        interviews, factories.make_student(full_name="Imported Ivy"), pathway=True
    )
    factories.make_booking(imported, day)
    return interviews, day, silent


def test_an_interview_day_reaches_everyone_booked_on_it(client, season):
    _interviews_season, day, _silent = _interviews(season)
    login(client, season.users["coordinator"])
    data = {
        "selection_source": "interview_day",
        "selection_scope": f"day={day.id}",
        "selection_all": "1",
        "action": "send",
        "send_key": "e" * 32,
        "subject": "See you on {interview_day}",
        "body": "Dear {preferred_name}",
    }
    assert _compose(client, season, data).status_code == 302
    messages = _outbox()
    assert sorted(m.body_text for m in messages) == ["Dear Ani", "Dear Imported Ivy"]
    assert {m.subject for m in messages} == {f"See you on {day.label}"}
    assert all(m.recipient_id is not None for m in messages)


def test_invitees_who_have_not_answered_are_one_filter_away(client, season):
    interviews, _day, silent = _interviews(season)
    login(client, season.users["coordinator"])
    page = client.get(
        f"/departments/{season.department.slug}/interviews/{season.cycle.slug}/invitations"
        "?answer=unanswered"
    ).get_data(as_text=True)
    assert "All 1 matching this filter" in page
    data = {
        "selection_source": "invitations",
        "selection_scope": f"cycle={season.cycle.slug}&answer=unanswered",
        "selection_all": "1",
        "action": "preview",
        "send_key": "f" * 32,
        "subject": "Please answer",
        "body": "Dear {preferred_name}, answer by {answer_by}.",
    }
    page = _compose(client, season, data).get_data(as_text=True)
    assert "Write to 1 student" in page
    assert "Preview: the message to Chen Li" in page
    assert f"answer by {format_datetime(silent.reply_by)}." in page


def test_a_closed_account_is_named_and_not_written_to(app, season):
    season.placed[0].student.active = False
    selection = Selection("roster", f"cycle={season.cycle.slug}", all_matching=True)
    seen = resolve(season.users["coordinator"], season.department, selection)
    assert seen.refused == [("Ana Alvarez", "the account is closed")]
    assert sorted(r.full_name for r in seen.recipients) == ['=HYPERLINK("http://x")', "Chen Li"]


def test_the_applications_list_carries_its_filter_to_the_selection(client, season):
    ana, bad, chen = season.placed
    login(client, season.users["coordinator"])
    page = client.get(
        f"/departments/{season.department.slug}/applications/?cycle={season.cycle.slug}"
        f"&block={season.july.id}"
    ).get_data(as_text=True)
    assert "All 2 matching this filter" in page
    assert f'value="cycle={season.cycle.slug}&amp;block={season.july.id}"' in page
    for application in (ana, bad):
        assert f'name="selected" value="{application.id}" form="selection-form"' in page
    assert f'value="{chen.id}" form="selection-form"' not in page


def test_the_answer_by_date_of_the_message_fills_its_merge_field(client, season):
    login(client, season.users["coordinator"])
    data = _roster_block(
        season,
        action="preview",
        send_key="g" * 32,
        subject="Forms",
        body="Send them by {answer_by}.",
        answer_by="2030-01-15",
    )
    page = _compose(client, season, data).get_data(as_text=True)
    assert "Send them by Jan 15, 2030 11:59 PM PST." in page
