"""A reserved day exists only for pathway invitees: in pages, forms, direct posts and calendars."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from icalendar import Calendar

from clerkship.core.time import utcnow
from clerkship.extensions import db
from clerkship.interviews.models import BookingMode
from tests.conftest import login
from tests.factories import make_booking, make_day, make_invitation


@pytest.fixture
def days(setting):
    ordinary = make_day(setting.season, days_ahead=14, capacity=1)
    reserved = make_day(setting.season, days_ahead=15, reserved=True, location="Reserved Hall 7")
    return ordinary, reserved


def _page(client, invitation) -> str:
    return client.get(f"/interviews/{invitation.id}").get_data(as_text=True)


def test_invitation_page_hides_reserved_day_outside_pathway(client, setting, days):
    ordinary, reserved = days
    login(client, setting.other.student)
    html = _page(client, setting.other)
    assert ordinary.label in html
    assert reserved.label not in html
    assert "Reserved Hall 7" not in html
    assert f"/days/{reserved.id}/" not in html
    assert "Reserved for the UIM pathway" not in html


def test_invitation_page_shows_reserved_day_to_pathway(client, setting, days):
    _ordinary, reserved = days
    login(client, setting.pathway.student)
    html = _page(client, setting.pathway)
    assert reserved.label in html
    assert f"/interviews/{setting.pathway.id}/days/{reserved.id}/book" in html
    # Each Book button names its day; on a phone the rows stack, each cell named by its column.
    assert f'Book<span class="visually-hidden">: {reserved.label}</span></button>' in html
    assert '<table class="table align-middle table-stack">' in html
    assert '<td data-label="Seats left">1 of 1</td>' in html


def _without_tokens(html: str) -> str:
    return re.sub(r'name="csrf_token"[^>]*>', "", html)


def test_direct_post_to_reserved_day_answers_like_a_missing_day(client, setting, days):
    _ordinary, reserved = days
    login(client, setting.other.student)
    hidden = client.post(f"/interviews/{setting.other.id}/days/{reserved.id}/book")
    missing = client.post(f"/interviews/{setting.other.id}/days/{reserved.id + 999}/book")
    assert (hidden.status_code, missing.status_code) == (409, 409)
    assert "Choose one of the days offered to you." in hidden.get_data(as_text=True)
    assert _without_tokens(hidden.get_data(as_text=True)) == _without_tokens(
        missing.get_data(as_text=True)
    )
    assert reserved.label not in hidden.get_data(as_text=True)


def test_direct_waitlist_post_to_reserved_day_answers_like_a_missing_day(client, setting, days):
    _ordinary, reserved = days
    for _ in range(reserved.capacity):
        make_booking(make_invitation(setting.season, pathway=True), reserved)
    login(client, setting.other.student)
    hidden = client.post(
        f"/interviews/{setting.other.id}/days/{reserved.id}/waitlist",
        data={f"day{reserved.id}-auto_book": "y"},
    )
    missing = client.post(
        f"/interviews/{setting.other.id}/days/{reserved.id + 999}/waitlist",
        data={f"day{reserved.id + 999}-auto_book": "y"},
    )
    assert (hidden.status_code, missing.status_code) == (409, 409)
    assert _without_tokens(hidden.get_data(as_text=True)) == _without_tokens(
        missing.get_data(as_text=True)
    )


def test_ranking_form_and_post_hide_reserved_day(client, setting, days):
    ordinary, reserved = days
    setting.season.booking_mode = BookingMode.FAIR_RELEASE
    setting.season.ranking_closes_at = utcnow() + timedelta(hours=24)
    login(client, setting.other.student)
    html = _page(client, setting.other)
    assert f'name="day_{ordinary.id}"' in html
    assert f'name="day_{reserved.id}"' not in html
    hidden = client.post(
        f"/interviews/{setting.other.id}/ranking",
        data={f"day_{ordinary.id}": "1", f"day_{reserved.id}": "2"},
    )
    missing = client.post(
        f"/interviews/{setting.other.id}/ranking",
        data={f"day_{ordinary.id}": "1", f"day_{reserved.id + 999}": "2"},
    )
    assert (hidden.status_code, missing.status_code) == (409, 409)
    assert _without_tokens(hidden.get_data(as_text=True)) == _without_tokens(
        missing.get_data(as_text=True)
    )
    saved = client.post(f"/interviews/{setting.other.id}/ranking", data={f"day_{ordinary.id}": "1"})
    assert saved.status_code == 303


def test_personal_calendar_never_holds_a_hidden_day(client, setting, days):
    ordinary, reserved = days
    make_booking(setting.other, ordinary)
    make_booking(setting.pathway, reserved)
    login(client, setting.other.student)
    response = client.get("/interviews/calendar.ics")
    events = Calendar.from_ical(response.data).walk("VEVENT")
    assert [str(e["location"]) for e in events] == [ordinary.location]
    assert b"Reserved Hall 7" not in response.data


def test_another_students_invitation_is_forbidden_like_a_missing_one(client, setting):
    login(client, setting.other.student)
    theirs = client.get(f"/interviews/{setting.pathway.id}")
    missing = client.get(f"/interviews/{setting.pathway.id + 999}")
    assert (theirs.status_code, missing.status_code) == (403, 403)
    assert theirs.get_data(as_text=True) == missing.get_data(as_text=True)
    post = client.post(f"/interviews/{setting.pathway.id}/cancel")
    assert post.status_code == 403


def test_withdrawn_pathway_flag_hides_reserved_day_from_the_page(client, setting, days):
    from tests.factories import make_submitted_application

    _ordinary, reserved = days
    application = make_submitted_application(
        department=setting.season.department, cycle=setting.season.cycle, in_pathway=True
    )
    invitation = make_invitation(setting.season, application=application)
    login(client, invitation.student)
    assert reserved.label in _page(client, invitation)
    application.in_pathway = False
    db.session.commit()
    assert reserved.label not in _page(client, invitation)
