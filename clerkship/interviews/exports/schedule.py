"""The interview schedule as CSV and XLSX, safe to open in a spreadsheet."""

from __future__ import annotations

from operator import itemgetter

from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from clerkship.core.tabular import Column, csv_stream, xlsx_file
from clerkship.core.time import format_datetime, to_local
from clerkship.extensions import db
from clerkship.interviews.models import (
    Booking,
    BookingState,
    DayFormat,
    InterviewDay,
    InterviewSeason,
    Invitation,
)

HEADER = (
    "Date",
    "Start",
    "End",
    "Format",
    "Location or link",
    "Reserved for UIM pathway",
    "Seats",
    "Name",
    "Email",
    "AAMC ID",
    "UIM pathway",
    "Booked at",
    "How",
)
# The columns as the shared exporters take them; cells are made inert there (CSV injection).
COLUMNS = [
    Column(key=str(index), header=header, value=itemgetter(index), width=18)
    for index, header in enumerate(HEADER)
]


def schedule_rows(season: InterviewSeason) -> list[tuple]:
    """One row per booking, and one per day nobody has booked, in day order."""
    days = list(
        db.session.scalars(
            select(InterviewDay)
            .where(InterviewDay.season_id == season.id)
            .order_by(InterviewDay.starts_at, InterviewDay.id)
        )
    )
    by_day: dict[int, list[Booking]] = {}
    for booking in db.session.scalars(
        select(Booking)
        .join(Booking.invitation)
        .options(contains_eager(Booking.invitation).selectinload(Invitation.application))
        .where(Booking.day_id.in_([d.id for d in days]), Booking.state == BookingState.BOOKED)
        .order_by(Invitation.full_name, Booking.id)
    ):
        by_day.setdefault(booking.day_id, []).append(booking)
    rows = []
    for day in days:
        start, end = to_local(day.starts_at), to_local(day.ends_at)
        place = day.location if day.format is DayFormat.IN_PERSON else day.meeting_link
        head = (
            start.strftime("%Y-%m-%d"),
            start.strftime("%H:%M"),
            end.strftime("%H:%M"),
            day.format.label,
            place,
            "yes" if day.reserved else "no",
            day.capacity,
        )
        bookings = by_day.get(day.id, [])
        if not bookings:
            rows.append((*head, "", "", "", "", "", ""))
        for booking in bookings:
            invitation = booking.invitation
            rows.append(
                (
                    *head,
                    invitation.full_name,
                    invitation.email,
                    invitation.aamc_id or "",
                    "yes" if invitation.in_pathway else "no",
                    format_datetime(booking.booked_at, "%Y-%m-%d %H:%M"),
                    booking.via.label,
                )
            )
    return rows


def schedule_csv(rows: list[tuple]) -> bytes:
    """The schedule as CSV (UTF-8), every cell that could run as a formula made inert."""
    return b"".join(csv_stream(COLUMNS, rows))


def schedule_xlsx(rows: list[tuple]) -> bytes:
    """The schedule as an Excel workbook; text cells are stored as text, never as formulas."""
    with xlsx_file(COLUMNS, [("Interview schedule", rows)]) as handle:
        return handle.read()
