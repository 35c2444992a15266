"""The .ics files parse, and carry the right times in the institution's zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from icalendar import Calendar

from clerkship.core.time import local_datetime, utcnow
from clerkship.extensions import db
from clerkship.interviews.booking import services
from tests.conftest import body_of, login
from tests.factories import make_booking, make_day

LA = ZoneInfo("America/Los_Angeles")


def _calendar_of(message) -> tuple[str, Calendar]:
    (part,) = list(message.iter_attachments())
    assert part.get_content_type() == "text/calendar"
    return part.get_param("method"), Calendar.from_ical(part.get_content())


def _day_at(season, on: date, start: int, end: int, **fields):
    return make_day(
        season,
        starts_at=local_datetime(on, time(start)),
        ends_at=local_datetime(on, time(end)),
        **fields,
    )


def _next(month: int, day: int) -> date:
    """The next such date at least a week from now."""
    today = datetime.now(LA).date()
    candidate = date(today.year, month, day)
    return candidate if candidate > today + timedelta(days=7) else date(today.year + 1, month, day)


@pytest.mark.parametrize(
    ("on", "utc_start"),
    [
        (_next(10, 6), time(15, 0)),  # Pacific daylight time, UTC-7
        (_next(12, 8), time(16, 0)),  # Pacific standard time, UTC-8
    ],
)
def test_booking_email_ics_has_local_times_with_zone(setting, mailbox, on, utc_start):
    day = _day_at(setting.season, on, 8, 12)
    services.book_day(setting.other, day.id, by=setting.other.student)
    db.session.commit()
    message = mailbox.last_to(setting.other.email)
    method, calendar = _calendar_of(message)
    assert method == "REQUEST"
    assert str(calendar["method"]) == "REQUEST"
    (event,) = calendar.walk("VEVENT")
    start, end = event.decoded("dtstart"), event.decoded("dtend")
    assert (start, end) == (datetime.combine(on, time(8), LA), datetime.combine(on, time(12), LA))
    assert event["dtstart"].params["TZID"] == "America/Los_Angeles"
    assert start.astimezone(UTC) == datetime.combine(on, utc_start, UTC)
    assert [tz["tzid"] for tz in calendar.walk("VTIMEZONE")] == ["America/Los_Angeles"]
    assert str(event["status"]) == "CONFIRMED"
    assert str(event["location"]) == "LA General, Room 1011"
    assert str(event["summary"]) == "Residency interview: Emergency Medicine"
    assert str(event["attendee"]) == f"mailto:{setting.other.email}"
    assert str(event["organizer"]) == "mailto:em@keck.example.edu"
    assert f"{on:%b} {on.day}, {on.year}, 8:00 AM–12:00 PM P" in body_of(message)


def test_move_and_cancel_update_the_same_event(setting, mailbox):
    first = _day_at(setting.season, _next(10, 6), 8, 12)
    second = _day_at(setting.season, _next(10, 13), 13, 17)
    services.book_day(setting.other, first.id, by=setting.other.student)
    db.session.commit()
    services.book_day(setting.other, second.id, by=setting.other.student)
    db.session.commit()
    services.cancel_booking(setting.other, by=setting.other.student)
    db.session.commit()
    booked, moved, cancelled = mailbox.to(setting.other.email)
    assert moved["Subject"] == f"Your residency interview moved to {second.short_label}"
    assert cancelled["Subject"] == f"Your residency interview on {second.short_label} is cancelled"
    events = []
    for message in (booked, moved, cancelled):
        method, calendar = _calendar_of(message)
        (event,) = calendar.walk("VEVENT")
        events.append((method, str(event["uid"]), int(event["sequence"]), str(event["status"])))
    uid = f"interview-invitation-{setting.other.id}@clerkship.example.org"
    assert events == [
        ("REQUEST", uid, 1, "CONFIRMED"),
        ("REQUEST", uid, 2, "CONFIRMED"),
        ("CANCEL", uid, 3, "CANCELLED"),
    ]
    _method, calendar = _calendar_of(moved)
    (event,) = calendar.walk("VEVENT")
    assert event.decoded("dtstart") == datetime.combine(_next(10, 13), time(13), LA)


def test_meeting_link_of_virtual_day_only_in_the_bookers_calendar(client, setting):
    day = _day_at(setting.season, _next(11, 3), 9, 11, virtual=True)
    login(client, setting.other.student)
    page = client.get(f"/interviews/{setting.other.id}").get_data(as_text=True)
    assert day.meeting_link not in page
    make_booking(setting.other, day)
    page = client.get(f"/interviews/{setting.other.id}").get_data(as_text=True)
    assert day.meeting_link in page
    (event,) = Calendar.from_ical(client.get("/interviews/calendar.ics").data).walk("VEVENT")
    assert str(event["location"]) == day.meeting_link


def test_personal_calendar_download_lists_own_bookings(client, setting):
    on = _next(10, 20)
    day = _day_at(setting.season, on, 8, 12)
    other_day = _day_at(setting.season, _next(10, 21), 8, 12)
    make_booking(setting.other, day)
    make_booking(setting.pathway, other_day)
    login(client, setting.other.student)
    response = client.get("/interviews/calendar.ics")
    assert response.mimetype == "text/calendar"
    assert response.headers["Content-Disposition"] == 'attachment; filename="my-interviews.ics"'
    calendar = Calendar.from_ical(response.data)
    assert str(calendar["method"]) == "PUBLISH"
    (event,) = calendar.walk("VEVENT")
    assert event.decoded("dtstart") == datetime.combine(on, time(8), LA)


def test_department_calendar_lists_every_day_with_its_fill(client, setting):
    on = _next(10, 6)
    day = _day_at(setting.season, on, 8, 12, capacity=4)
    reserved = _day_at(setting.season, on + timedelta(days=1), 9, 13, reserved=True)
    make_booking(setting.other, day)
    login(client, setting.director)
    response = client.get(
        f"/departments/emergency-medicine/interviews/{setting.season.cycle.slug}/calendar.ics"
    )
    events = Calendar.from_ical(response.data).walk("VEVENT")
    assert [(str(e["summary"]), e.decoded("dtstart")) for e in events] == [
        ("Interview day", datetime.combine(on, time(8), LA)),
        ("Interview day (UIM pathway)", datetime.combine(on + timedelta(days=1), time(9), LA)),
    ]
    assert str(events[0]["description"]).startswith("1 of 4 booked; 0 on the waitlist.")
    assert str(events[1]["uid"]) == f"interview-day-{reserved.id}@clerkship.example.org"


def test_reminders_go_once_to_interviews_within_the_horizon(app, setting, mailbox):
    soon_start = (utcnow() + timedelta(hours=30)).replace(second=0, microsecond=0)
    soon = make_day(setting.season, starts_at=soon_start, ends_at=soon_start + timedelta(hours=3))
    later = make_day(setting.season, days_ahead=10)
    make_booking(setting.other, soon)
    make_booking(setting.pathway, later)
    db.session.commit()
    runner = CliRunner()
    assert (
        runner.invoke(app.cli, ["interviews", "send-reminders"]).output == "Sent 1 reminder(s).\n"
    )
    assert (
        runner.invoke(app.cli, ["interviews", "send-reminders"]).output == "Sent 0 reminder(s).\n"
    )
    (message,) = mailbox.to(setting.other.email)
    assert message["Subject"] == f"Reminder: your residency interview on {soon.short_label}"
    _method, calendar = _calendar_of(message)
    (event,) = calendar.walk("VEVENT")
    assert event.decoded("dtstart").astimezone(UTC) == soon.starts_at
    assert mailbox.to(setting.pathway.email) == []
