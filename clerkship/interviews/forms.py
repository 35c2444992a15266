"""Input checks for interview seasons, days, invitations and rankings."""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TimeField,
    URLField,
)
from wtforms.validators import URL, InputRequired, Length, NumberRange, Optional

from clerkship.core.forms import Form, MultiCheckboxField, VersionedForm, strip
from clerkship.cycles.forms import PlainDateField
from clerkship.interviews.models import DEFAULT_INVITE_STATES, BookingMode, DayFormat
from clerkship.interviews.queries import INVITE_STATE_CHOICES


def _hours(label: str, low: int, high: int, description: str, default: int) -> IntegerField:
    return IntegerField(
        label,
        default=default,
        description=description,
        validators=[
            InputRequired(f"Enter the {label.lower()}."),
            NumberRange(
                min=low, max=high, message=f"Enter a number of hours from {low} to {high}."
            ),
        ],
    )


class SeasonForm(VersionedForm):
    booking_mode = RadioField(
        "Booking mode",
        choices=[(mode.value, mode.label) for mode in BookingMode],
        default=BookingMode.FIRST_COME.value,
        validators=[InputRequired("Choose how invitees get their days.")],
        description="Fair release is fairer to invitees who do not read email at once.",
    )
    ranking_hours = _hours(
        "Ranking window in hours",
        1,
        336,
        "Fair release: how long invitees can rank days after the first invitations go out.",
        48,
    )
    lock_hours = _hours(
        "Lock time in hours",
        0,
        336,
        "Bookings can be made, cancelled or moved until this long before a day starts.",
        48,
    )
    offer_hours = _hours(
        "Waitlist reply window in hours",
        1,
        168,
        "How long a seat offered from a waitlist is held for an answer.",
        24,
    )
    invite_states = MultiCheckboxField(
        "Invite applicants whose rotation application is",
        choices=INVITE_STATE_CHOICES,
        default=list(DEFAULT_INVITE_STATES),
        validators=[InputRequired("Choose the application states whose applicants are invited.")],
        description="Only these applicants are listed to invite from their applications.",
    )


class TimeOfDayField(TimeField):
    """A time field whose message for an unreadable time says what to type."""

    def process_formdata(self, valuelist) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError("Enter a time as HH:MM, e.g. 08:00.") from error


class DayForm(VersionedForm):
    held_on = PlainDateField("Date", message="Enter the date as YYYY-MM-DD.")
    starts = TimeOfDayField("Starts", validators=[InputRequired("Enter when the day starts.")])
    ends = TimeOfDayField("Ends", validators=[InputRequired("Enter when the day ends.")])
    format = RadioField(
        "Format",
        choices=[(f.value, f.label) for f in DayFormat],
        default=DayFormat.IN_PERSON.value,
        validators=[InputRequired("Choose in person or virtual.")],
    )
    location = StringField(
        "Location (in person)",
        validators=[Length(max=300)],
        filters=[strip],
        description="Building and room, shown to every invitee who can see the day.",
    )
    meeting_link = URLField(
        "Meeting link (virtual)",
        validators=[
            Optional(),
            URL(message="Enter a full link starting with https://."),
            Length(max=500),
        ],
        filters=[strip],
        description="Shown only to the invitees booked on the day.",
    )
    capacity = IntegerField(
        "Seats",
        validators=[
            InputRequired("Enter the number of seats."),
            NumberRange(min=0, max=500, message="Enter a number of seats from 0 to 500."),
        ],
    )
    reserved = BooleanField(
        "Reserved for the UIM pathway",
        description="Only invitees in the pathway see this day or can book it.",
    )


class ReplyByMixin:
    reply_by = PlainDateField(
        "Reply by",
        message="Enter the reply deadline as YYYY-MM-DD.",
        description="Invitees can answer until the end of this day.",
    )


class InviteApplicantsForm(ReplyByMixin, Form):
    applications = MultiCheckboxField("Applicants to invite", coerce=int, validate_choice=False)


class ImportForm(ReplyByMixin, Form):
    file = FileField(
        "List of invitees (CSV)",
        validators=[FileRequired("Choose a CSV file.")],
        description="Columns: name, email, AAMC ID, pathway (yes or no); the first line names them.",
    )


class WaitlistForm(Form):
    auto_book = BooleanField("Book me automatically if a seat frees up")


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, ..., 11th, 12th, 13th, ..., 21st."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def ranking_form(days, current: dict[int, int]) -> Form:
    """A form with one choice per day the invitee can see (their current ranking preset)."""

    class RankingForm(Form):
        pass

    options = [("", "Cannot attend")] + [
        (str(n), f"{ordinal(n)} choice") for n in range(1, len(days) + 1)
    ]
    for day in days:
        setattr(
            RankingForm,
            f"day_{day.id}",
            SelectField(day.label, choices=options, default=str(current.get(day.id, ""))),
        )
    return RankingForm()
