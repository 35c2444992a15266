"""Forms of the director's allocation pages: start, move, swap, publish, discard."""

from __future__ import annotations

from wtforms import BooleanField, HiddenField, IntegerField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from clerkship.core.forms import Form

UNPLACED = 0  # the "leave unplaced" choice of the move form


class StartRunForm(Form):
    """Start a run: a button (CSRF only)."""


class SeenForm(Form):
    """A change to a run, carrying the fingerprint of the placements the page showed."""

    seen = HiddenField()


NOT_IN_RUN = "Not a valid choice: no student of this run has that application number."
STUDENT_HELP = "The number shown beside the student's name in the lists above."


class StudentNumbers:
    """Students are given by application number (a run may hold thousands: no list of every
    name); the view sets the numbers a field accepts before validating."""

    students: set[int] | None = None  # application numbers of the run's students

    def check_number(self, field, accepted: set[int] | None, message: str) -> None:
        if field.data is not None and accepted is not None and field.data not in accepted:
            raise ValidationError(message)


class MoveForm(StudentNumbers, SeenForm):
    application_id = IntegerField(
        "Student (application number)",
        validators=[InputRequired("Enter the application number of the student to move.")],
        description=STUDENT_HELP,
    )
    block_id = SelectField(
        "Move to",
        coerce=int,
        validators=[InputRequired("Choose a block, or leave the student unplaced.")],
        description="The student takes an open seat if one is free, else a reserved one.",
    )

    def validate_application_id(self, field) -> None:
        self.check_number(field, self.students, NOT_IN_RUN)


class SwapForm(StudentNumbers, SeenForm):
    first_id = IntegerField(
        "First student (application number)",
        validators=[InputRequired("Enter the application number of the first student.")],
        description=STUDENT_HELP,
    )
    second_id = IntegerField(
        "Second student (application number)",
        validators=[InputRequired("Enter the application number of the second student.")],
    )

    def validate_first_id(self, field) -> None:
        self.check_number(field, self.students, NOT_IN_RUN)

    def validate_second_id(self, field) -> None:
        if field.data is not None and field.data == self.first_id.data:
            raise ValidationError("Choose two different students.")
        self.check_number(field, self.students, NOT_IN_RUN)


class PublishForm(SeenForm):
    confirm = BooleanField(
        "I have checked the placements. Publishing sends every offer by email and cannot be "
        "undone; later changes go through the waitlist.",
        validators=[DataRequired("Tick the box to confirm that you publish.")],
    )
    override_reason = TextAreaField(
        "Reason to publish despite the refusals above (kept in the audit log)",
        validators=[Optional(), Length(max=1000)],
    )


class DiscardForm(SeenForm):
    """Set a preview aside: a button."""
