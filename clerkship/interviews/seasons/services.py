"""Setting up an interview season and its days."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import func, select

from clerkship.accounts.models import User
from clerkship.audit.services import record_event
from clerkship.core.rules import RuleViolation
from clerkship.core.time import format_datetime, local_datetime, to_local, utcnow
from clerkship.cycles.models import Cycle, Department
from clerkship.extensions import db
from clerkship.interviews.models import (
    DEFAULT_INVITE_STATES,
    Booking,
    BookingMode,
    BookingState,
    DayFormat,
    InterviewDay,
    InterviewSeason,
    Invitation,
    WaitlistEntry,
    WaitlistState,
)
from clerkship.interviews.queries import INVITABLE_STATES, pathway_flag
from clerkship.interviews.services import notify
from clerkship.interviews.waitlists.services import fill_from_waitlist, lock_season


def _plain(value):
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if hasattr(value, "value"):
        return value.value
    return value


def _apply(obj, values: dict) -> dict:
    changes = {}
    for name, value in values.items():
        if getattr(obj, name) != value:
            changes[name] = [_plain(getattr(obj, name)), _plain(value)]
            setattr(obj, name, value)
    return changes


def save_season(
    season: InterviewSeason | None,
    *,
    department: Department,
    cycle: Cycle,
    booking_mode: BookingMode,
    ranking_hours: int,
    lock_hours: int,
    offer_hours: int,
    by: User,
    invite_states: list[str] | None = None,
) -> InterviewSeason:
    """Create or change a season's settings; the booking mode is fixed once anyone is invited.

    invite_states: the application states whose applicants are invited (None: keep them,
    or the default for a new season)."""
    created = season is None
    if created:
        season = InterviewSeason(department=department, cycle=cycle)
        db.session.add(season)
    elif booking_mode is not season.booking_mode:
        invited = db.session.scalar(
            select(func.count(Invitation.id)).where(Invitation.season_id == season.id)
        )
        if invited:
            raise RuleViolation(
                "The booking mode cannot change once invitations have gone out.",
                field="booking_mode",
            )
    if (
        not created
        and season.ranking_closes_at is not None
        and ranking_hours != season.ranking_hours
    ):
        raise RuleViolation(
            "The ranking window has already started; its length can no longer change.",
            field="ranking_hours",
        )
    values = {
        "booking_mode": booking_mode,
        "ranking_hours": ranking_hours,
        "lock_hours": lock_hours,
        "offer_hours": offer_hours,
    }
    if invite_states is not None:
        allowed = [s.value for s in INVITABLE_STATES]
        if not invite_states or any(state not in allowed for state in invite_states):
            raise RuleViolation(
                "Choose the application states whose applicants are invited.",
                field="invite_states",
            )
        values["invite_states"] = [state for state in allowed if state in invite_states]
    elif created:
        values["invite_states"] = list(DEFAULT_INVITE_STATES)
    changes = _apply(season, values)
    db.session.flush()
    record_event(
        "interview_season.create" if created else "interview_season.update",
        by=by,
        target=season,
        summary=f"{department.name} interviews, {cycle.name}",
        **changes,
    )
    return season


def save_day(
    day: InterviewDay | None,
    *,
    season: InterviewSeason,
    held_on: date,
    starts: time,
    ends: time,
    format: DayFormat,
    location: str,
    meeting_link: str,
    capacity: int,
    reserved: bool,
    by: User,
) -> InterviewDay:
    """Create or change a day; booked invitees get the new details and calendar event."""
    lock_season(season)
    starts_at, ends_at = local_datetime(held_on, starts), local_datetime(held_on, ends)
    if ends_at <= starts_at:
        raise RuleViolation("The day must end after it starts.", field="ends")
    if day is None and starts_at <= utcnow():
        raise RuleViolation("A new interview day must be in the future.", field="held_on")
    if format is DayFormat.IN_PERSON and not location:
        raise RuleViolation("Enter where the interviews take place.", field="location")
    if format is DayFormat.VIRTUAL and not meeting_link:
        raise RuleViolation("Enter the link of the virtual meeting.", field="meeting_link")
    clash = select(InterviewDay.id).where(
        InterviewDay.season_id == season.id, InterviewDay.starts_at == starts_at
    )
    if day is not None:
        clash = clash.where(InterviewDay.id != day.id)
    if db.session.scalar(clash) is not None:
        raise RuleViolation(
            f"Another day of this season already starts at {format_datetime(starts_at)}.",
            field="held_on",
        )
    if day is not None and capacity < day.taken:
        raise RuleViolation(
            f"{day.taken} seats are already booked or held for waitlist offers; "
            f"the capacity cannot go below {day.taken}.",
            field="capacity",
        )
    if day is not None and reserved and not day.reserved:
        _refuse_reserving(day)
    created = day is None
    old_capacity = 0 if created else day.capacity
    day = day or InterviewDay(season=season)
    before = (
        None
        if created
        else (day.starts_at, day.ends_at, day.format, day.location, day.meeting_link)
    )
    changes = _apply(
        day,
        {
            "starts_at": starts_at,
            "ends_at": ends_at,
            "format": format,
            "location": location if format is DayFormat.IN_PERSON else "",
            "meeting_link": meeting_link if format is DayFormat.VIRTUAL else "",
            "capacity": capacity,
            "reserved": reserved,
        },
    )
    db.session.add(day)
    db.session.flush()
    record_event(
        "interview_day.create" if created else "interview_day.update",
        by=by,
        target=day,
        summary=f"{season.department.name} interview day {to_local(starts_at):%Y-%m-%d %H:%M}",
        **changes,
    )
    after = (day.starts_at, day.ends_at, day.format, day.location, day.meeting_link)
    if before is not None and before != after:
        for booking in _bookings(day):
            notify.send_booking_email(booking, "changed")
    if capacity > old_capacity and not created:
        fill_from_waitlist(day)
    return day


def _bookings(day: InterviewDay) -> list[Booking]:
    return list(
        db.session.scalars(
            select(Booking).where(Booking.day_id == day.id, Booking.state == BookingState.BOOKED)
        )
    )


def _refuse_reserving(day: InterviewDay) -> None:
    outside = db.session.scalar(
        select(func.count(Booking.id))
        .join(Booking.invitation)
        .outerjoin(Invitation.application)
        .where(
            Booking.day_id == day.id,
            Booking.state == BookingState.BOOKED,
            (Booking.in_pathway.is_(False)) | (pathway_flag().is_not(True)),
        )
    )
    waiting = db.session.scalar(
        select(func.count(WaitlistEntry.id)).where(
            WaitlistEntry.day_id == day.id,
            WaitlistEntry.in_pathway.is_(False),
            WaitlistEntry.state.in_((WaitlistState.WAITING, WaitlistState.OFFERED)),
        )
    )
    if outside or waiting:
        raise RuleViolation(
            f"{outside} booked invitee(s) and {waiting} on the waitlist are not in the UIM "
            "pathway, so this day cannot become reserved. Choose another day to reserve.",
            field="reserved",
        )


def delete_day(day: InterviewDay, *, by: User) -> None:
    """Remove a day nobody holds a seat on (its waitlist and rankings go with it)."""
    lock_season(day.season)
    if day.taken:
        raise RuleViolation(
            f"{day.taken} seat(s) on this day are booked or held for a waitlist offer, "
            "so it cannot be deleted."
        )
    label = day.label
    db.session.delete(day)
    db.session.flush()
    record_event(
        "interview_day.delete", by=by, target=day, summary=f"Deleted interview day {label}"
    )
