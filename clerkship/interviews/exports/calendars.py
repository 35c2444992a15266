"""iCalendar (.ics, RFC 5545) files for bookings and for a department's interview days.

Times are written in the institution's zone with its VTIMEZONE, so calendar programs
show the wall-clock time of the interview whatever zone the invitee is in. An
invitee's event keeps one UID per invitation: a change or cancellation replaces it in
their calendar, with a higher SEQUENCE.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import current_app

from clerkship.core.time import institution_zone, utcnow
from clerkship.core.urls import external_url
from clerkship.interviews.models import Booking, DayFormat, InterviewDay, InterviewSeason

if TYPE_CHECKING:
    from icalendar import Calendar, Event, vCalAddress

PRODID = "-//clerkship//Residency interviews//EN"


def _host() -> str:
    return urlsplit(current_app.config["BASE_URL"]).hostname or "clerkship.local"


def _ical():
    """The icalendar module, imported when a calendar is first made (not at start-up)."""
    import icalendar

    return icalendar


def _calendar(method: str | None) -> Calendar:
    calendar = _ical().Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    return calendar


@lru_cache(maxsize=8)
def _vtimezone(key: str) -> bytes:
    """The zone's VTIMEZONE for the years interviews can fall in (built once: it is slow)."""
    zone = _ical().Timezone.from_tzinfo(
        ZoneInfo(key), first_date=date(2020, 1, 1), last_date=date(2060, 1, 1)
    )
    return zone.to_ical()


def _finish(calendar: Calendar) -> bytes:
    calendar.add_component(_ical().Timezone.from_ical(_vtimezone(institution_zone().key)))
    return calendar.to_ical()


def _times(event: Event, day: InterviewDay) -> None:
    zone = institution_zone()
    event.add("dtstart", day.starts_at.astimezone(zone))
    event.add("dtend", day.ends_at.astimezone(zone))
    event.add("dtstamp", utcnow())


def _organizer(season: InterviewSeason) -> vCalAddress:
    email = season.department.contact_email or current_app.config["MAIL_DEFAULT_SENDER"]
    if "<" in email:
        email = email.split("<", 1)[1].rstrip(">")
    organizer = _ical().vCalAddress(f"mailto:{email}")
    organizer.params["cn"] = _ical().vText(season.department.name)
    return organizer


def booking_event(booking: Booking, *, sequence: int, cancelled: bool = False) -> Event:
    """The invitee's event for a booking; the meeting link is theirs to see."""
    day, invitation = booking.day, booking.invitation
    season = day.season
    event = _ical().Event()
    event.add("uid", f"interview-invitation-{invitation.id}@{_host()}")
    event.add("sequence", sequence)
    event.add("summary", f"Residency interview: {season.department.name}")
    _times(event, day)
    details = [f"Residency interview day, {season.department.name} ({season.cycle.name})."]
    if day.format is DayFormat.IN_PERSON:
        event.add("location", day.location)
        details.append(f"In person: {day.location}")
    else:
        event.add("location", day.meeting_link)
        details.append(f"Virtual: {day.meeting_link}")
    link = external_url("interviews.show", invitation_id=invitation.id)
    details.append(f"Your booking: {link}")
    event.add("description", "\n".join(details))
    event.add("url", link)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("organizer", _organizer(season))
    attendee = _ical().vCalAddress(f"mailto:{invitation.email}")
    attendee.params["cn"] = _ical().vText(invitation.full_name)
    attendee.params["role"] = _ical().vText("REQ-PARTICIPANT")
    attendee.params["partstat"] = _ical().vText("DECLINED" if cancelled else "ACCEPTED")
    event.add("attendee", attendee)
    return event


def booking_calendar(booking: Booking, *, sequence: int, cancelled: bool = False) -> bytes:
    """The .ics attached to a booking, change (REQUEST) or cancellation (CANCEL) email."""
    calendar = _calendar("CANCEL" if cancelled else "REQUEST")
    calendar.add_component(booking_event(booking, sequence=sequence, cancelled=cancelled))
    return _finish(calendar)


def personal_calendar(bookings: Iterable[Booking]) -> bytes:
    """A person's current bookings, for download."""
    calendar = _calendar("PUBLISH")
    calendar.add("x-wr-calname", "My residency interviews")
    for booking in bookings:
        calendar.add_component(
            booking_event(booking, sequence=booking.invitation.calendar_sequence)
        )
    return _finish(calendar)


def department_calendar(season: InterviewSeason, figures) -> bytes:
    """Every interview day of a season with its fill, for the department's staff."""
    calendar = _calendar("PUBLISH")
    calendar.add("x-wr-calname", f"{season.department.name} interviews {season.cycle.name}")
    for item in figures:
        day = item.day
        event = _ical().Event()
        event.add("uid", f"interview-day-{day.id}@{_host()}")
        event.add("summary", f"Interview day{' (UIM pathway)' if day.reserved else ''}")
        _times(event, day)
        event.add("location", day.location if day.format is DayFormat.IN_PERSON else "Virtual")
        lines = [
            f"{item.booked} of {day.capacity} booked; {item.waiting} on the waitlist.",
            "Reserved for UIM-pathway invitees." if day.reserved else "Open to every invitee.",
        ]
        if day.format is DayFormat.VIRTUAL:
            lines.append(f"Meeting link: {day.meeting_link}")
        lines.append(
            "Roster: "
            + external_url(
                "interview_staff.day",
                slug=season.department.slug,
                cycle=season.cycle.slug,
                day_id=day.id,
            )
        )
        event.add("description", "\n".join(lines))
        calendar.add_component(event)
    return _finish(calendar)
