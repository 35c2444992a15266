"""The interview schedule as CSV and XLSX, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

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
# A cell starting with one of these is run as a formula by spreadsheet programs (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """Text that a spreadsheet would read as a formula, made inert by a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


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


def schedule_csv(rows: list[tuple]) -> str:
    """The schedule as CSV text, every cell neutralised."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
    return out.getvalue()


def schedule_xlsx(rows: list[tuple], *, title: str) -> bytes:
    """The schedule as an Excel workbook; text cells are stored as text, never as formulas."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Interview schedule"
    sheet.append(HEADER)
    for row in rows:
        sheet.append([neutralise(cell) for cell in row])
    for column in range(1, len(HEADER) + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 18
    sheet.freeze_panes = "A2"
    workbook.properties.title = f"{title} interview schedule"[:200]
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
