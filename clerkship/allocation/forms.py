"""Forms of the director's allocation pages: start, move, swap, publish, discard."""

from __future__ import annotations

from wtforms import BooleanField, HiddenField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from clerkship.core.forms import Form

UNPLACED = 0  # the "leave unplaced" choice of the move form


class StartRunForm(Form):
    """Start a run: a button (CSRF only)."""


class SeenForm(Form):
    """A change to a run, carrying the fingerprint of the placements the page showed."""

    seen = HiddenField()


class MoveForm(SeenForm):
    application_id = SelectField(
        "Student", coerce=int, validators=[InputRequired("Choose the student to move.")]
    )
    block_id = SelectField(
        "Move to",
        coerce=int,
        validators=[InputRequired("Choose a block, or leave the student unplaced.")],
        description="The student takes an open seat if one is free, else a reserved one.",
    )


class SwapForm(SeenForm):
    first_id = SelectField(
        "First student", coerce=int, validators=[InputRequired("Choose the first student.")]
    )
    second_id = SelectField(
        "Second student", coerce=int, validators=[InputRequired("Choose the second student.")]
    )

    def validate_second_id(self, field) -> None:
        if field.data is not None and field.data == self.first_id.data:
            raise ValidationError("Choose two different students.")


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
