"""Input checks for cycles, departments, sites, rotations and blocks."""

from __future__ import annotations

import re

from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from clerkship.core.forms import Form, strip
from clerkship.cycles.models import Precedence

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def slug_format(_form, field) -> None:
    if field.data and not SLUG.match(field.data):
        raise ValidationError(
            "Use lowercase letters, digits and single hyphens, e.g. emergency-medicine."
        )


class PlainDateField(DateField):
    """A date field whose message for an unreadable date says what format to use."""

    def __init__(self, label: str, *, message: str, **kwargs):
        super().__init__(label, validators=[InputRequired(message)], **kwargs)
        self.message = message

    def process_formdata(self, valuelist) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(self.message) from error


def _date(label: str, description: str = "") -> DateField:
    return PlainDateField(
        label, message=f"Enter the {label.lower()} date as YYYY-MM-DD.", description=description
    )


class CycleForm(Form):
    name = StringField(
        "Name",
        validators=[DataRequired("Enter a name, e.g. 2027–2028."), Length(max=40)],
        filters=[strip],
    )
    slug = StringField(
        "Short name for links",
        validators=[
            DataRequired("Enter a short name, e.g. 2027-2028."),
            Length(max=40),
            slug_format,
        ],
        filters=[strip],
    )
    catalogue_opens_on = _date("Catalogue opens", "Students can browse rotations from this day.")
    applications_open_on = _date("Applications open")
    application_deadline = _date(
        "Application deadline", "Applications are accepted until the end of this day."
    )
    offers_released_on = _date("Offers released")
    rotations_start_on = _date("First rotation day", "Every block must start on or after this day.")
    rotations_end_on = _date("Last rotation day", "Every block must end on or before this day.")

    def validate_applications_open_on(self, field) -> None:
        if (
            field.data
            and self.catalogue_opens_on.data
            and field.data < self.catalogue_opens_on.data
        ):
            raise ValidationError("Applications cannot open before the catalogue does.")

    def validate_application_deadline(self, field) -> None:
        if (
            field.data
            and self.applications_open_on.data
            and field.data < self.applications_open_on.data
        ):
            raise ValidationError("The deadline must be on or after the day applications open.")

    def validate_offers_released_on(self, field) -> None:
        if (
            field.data
            and self.application_deadline.data
            and field.data < self.application_deadline.data
        ):
            raise ValidationError("Offers cannot be released before the application deadline.")

    def validate_rotations_end_on(self, field) -> None:
        if (
            field.data
            and self.rotations_start_on.data
            and field.data <= self.rotations_start_on.data
        ):
            raise ValidationError("The last rotation day must be after the first.")


class DepartmentForm(Form):
    name = StringField(
        "Name",
        validators=[DataRequired("Enter the department's name."), Length(max=120)],
        filters=[strip],
    )
    slug = StringField(
        "Short name for links",
        validators=[
            DataRequired("Enter a short name, e.g. emergency-medicine."),
            Length(max=60),
            slug_format,
        ],
        filters=[strip],
    )
    contact_email = EmailField(
        "Contact email",
        validators=[Optional(), Email("Enter a valid email address.")],
        filters=[strip],
    )
    description = TextAreaField("Description", validators=[Length(max=5000)], filters=[strip])


class AllocationRuleForm(Form):
    precedence = SelectField(
        "Order in which seats are filled",
        choices=[(p.value, p.label) for p in Precedence],
        description=(
            "Open seats first (recommended): a pathway student who wins on score takes an "
            "open seat, so every reserved seat is a real reserve placement."
        ),
    )
    hard_reserves = BooleanField(
        "Hard reserves",
        description=(
            "When no pathway student is left for a reserved seat it stays empty. Unticked "
            "(soft reserves), the seat goes to the next best applicant and is marked converted."
        ),
    )


class SiteForm(Form):
    name = StringField(
        "Name",
        validators=[DataRequired("Enter the site's name."), Length(max=120)],
        filters=[strip],
    )
    short_name = StringField("Short name", validators=[Length(max=40)], filters=[strip])
    address = StringField("Address", validators=[Length(max=300)], filters=[strip])


class RotationForm(Form):
    code = StringField(
        "Course code",
        validators=[DataRequired("Enter a course code, e.g. EM-401."), Length(max=20)],
        filters=[strip],
    )
    title = StringField(
        "Title", validators=[DataRequired("Enter a title."), Length(max=160)], filters=[strip]
    )
    site_id = SelectField("Site", coerce=int, validators=[DataRequired("Choose a site.")])
    weeks = IntegerField(
        "Length in weeks",
        validators=[
            InputRequired("Enter the length in weeks."),
            NumberRange(min=1, max=52, message="Enter a length between 1 and 52 weeks."),
        ],
    )
    description = TextAreaField("Description", validators=[Length(max=5000)], filters=[strip])
    prerequisites = TextAreaField("Prerequisites", validators=[Length(max=2000)], filters=[strip])
    active = BooleanField("Offered (shown in the catalogue)", default=True)


class BlockForm(Form):
    rotation_id = SelectField(
        "Rotation", coerce=int, validators=[DataRequired("Choose a rotation.")]
    )
    cycle_id = SelectField("Cycle", coerce=int, validators=[DataRequired("Choose a cycle.")])
    starts_on = _date("Start", "First day of the block.")
    ends_on = _date("End", "Last day of the block.")
    capacity = IntegerField(
        "Seats (C)",
        validators=[
            InputRequired("Enter the number of seats."),
            NumberRange(min=0, max=500, message="Enter a number of seats between 0 and 500."),
        ],
    )
    reserved = IntegerField(
        "Seats reserved for the UIM pathway (R)",
        default=0,
        validators=[
            InputRequired("Enter the number of reserved seats (0 for none)."),
            NumberRange(min=0, message="Reserved seats cannot be negative."),
        ],
        description="Part of the seats above, not in addition to them.",
    )

    def validate_ends_on(self, field) -> None:
        if field.data and self.starts_on.data and field.data <= self.starts_on.data:
            raise ValidationError("The end date must be after the start date.")

    def validate_reserved(self, field) -> None:
        if (
            field.data is not None
            and self.capacity.data is not None
            and field.data > self.capacity.data
        ):
            raise ValidationError(
                f"Reserved seats ({field.data}) cannot exceed the number of seats ({self.capacity.data})."
            )


class CloseCycleForm(Form):
    """Closing a cycle: the confirmation page's button (nothing to fill in)."""
