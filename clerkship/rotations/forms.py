"""Input checks for the rotation's arrival, completion, early end and first-day information."""

from __future__ import annotations

from wtforms import IntegerField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from clerkship.core.forms import Form, VersionedForm, strip
from clerkship.cycles.forms import PlainDateField
from clerkship.rotations.models import DEFAULT_FIRST_DAY_NOTICE_DAYS


class ArrivalForm(Form):
    """The day the student arrived."""

    arrived_on = PlainDateField("Arrived on", message="Enter the arrival date as YYYY-MM-DD.")


class CompletionForm(VersionedForm):
    """Record completion; an administrator may do it before the block ends, with a reason."""

    override_reason = TextAreaField(
        "Reason to record completion before the block ends (administrators only, kept in "
        "the audit log)",
        filters=[strip],
        validators=[Optional(), Length(max=1000)],
    )


class EarlyEndForm(VersionedForm):
    """The last day of a rotation that ended before its block, and why."""

    ended_on = PlainDateField("Last day", message="Enter the last day as YYYY-MM-DD.")
    reason = TextAreaField(
        "Reason",
        filters=[strip],
        validators=[DataRequired("Say why the rotation ended early."), Length(max=2000)],
        description="Kept in the audit log; the award committee sees it if the student "
        "holds the award.",
    )


class FirstDayForm(VersionedForm):
    """Where to go and whom to ask on the first day, and when students see it."""

    where_to_go = TextAreaField(
        "Where to go",
        filters=[strip],
        validators=[Length(max=2000)],
        description="Building, entrance, room and time to arrive.",
    )
    whom_to_ask = TextAreaField(
        "Whom to ask",
        filters=[strip],
        validators=[Length(max=2000)],
        description="A name, a role and a telephone number or email for the first day.",
    )
    notice_days = IntegerField(
        "Shown from this many days before the block starts",
        default=DEFAULT_FIRST_DAY_NOTICE_DAYS,
        validators=[
            InputRequired("Enter a number of days, 0 to 120."),
            NumberRange(0, 120, "Enter a number of days, 0 to 120."),
        ],
    )
