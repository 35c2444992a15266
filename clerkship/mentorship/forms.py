"""Input checks for mentors, affinity groups, requests, matches and first meetings."""

from __future__ import annotations

from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    ValidationError,
)

from clerkship.core.forms import Form, MultiCheckboxField, VersionedForm, strip
from clerkship.cycles.forms import PlainDateField
from clerkship.mentorship.models import MentorKind


class MentorForm(Form):
    name = StringField(
        "Name",
        validators=[DataRequired("Enter the mentor's name."), Length(max=200)],
        filters=[strip],
    )
    email = StringField(
        "Email",
        validators=[
            DataRequired("Enter the mentor's email address."),
            Email("Enter a valid email address."),
            Length(max=254),
        ],
        filters=[strip],
    )
    kind = SelectField(
        "Resident or faculty",
        choices=[(k.value, k.label) for k in MentorKind],
        validators=[InputRequired("Choose resident or faculty.")],
    )
    capacity = IntegerField(
        "Mentees per cycle",
        default=1,
        validators=[
            InputRequired("Enter how many students this mentor takes per cycle (a whole number)."),
            NumberRange(min=0, max=50, message="Enter a number from 0 to 50."),
        ],
    )
    offers = TextAreaField(
        "What they offer",
        validators=[Length(max=2000)],
        filters=[strip],
        description="Short tags separated by commas, e.g. ultrasound, research, Spanish, first-generation.",
    )
    active = BooleanField("Takes mentees now", default=True)


class SettingForm(Form):
    open_to_all = BooleanField(
        "Every applying or placed visiting student may ask for a mentor",
        description="Left unticked, only students in the UIM pathway may ask.",
    )


class AffinityGroupForm(Form):
    name = StringField(
        "Name",
        validators=[DataRequired("Enter the group's name."), Length(max=120)],
        filters=[strip],
    )
    contact_email = StringField(
        "Contact email",
        validators=[
            DataRequired("Enter the contact's email address."),
            Email("Enter a valid email address."),
            Length(max=254),
        ],
        filters=[strip],
    )
    description = TextAreaField("Description", validators=[Length(max=2000)], filters=[strip])
    active = BooleanField("Offered to students", default=True)


class AskForm(Form):
    interests = TextAreaField(
        "What would you like from a mentor?",
        validators=[DataRequired("Say what you are interested in."), Length(max=2000)],
        filters=[strip],
        description="Your interests in the specialty, research, life in the city, ... The mentor reads it.",
    )
    share_affinity_with_staff = BooleanField(
        "Let this department's mentorship staff see the affinity groups I chose",
        description="It can help them choose a mentor. Every view is recorded.",
    )


class AffinityChoiceForm(Form):
    groups = MultiCheckboxField("Groups I would like to hear from", coerce=int)
    share = MultiCheckboxField("Share my name and email with the contact of", coerce=int)

    def __init__(self, *args, groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(g.id, g.name) for g in groups]
        self.groups.choices = choices
        self.share.choices = choices

    def validate_share(self, field) -> None:
        if set(field.data or ()) - set(self.groups.data or ()):
            raise ValidationError("Tick a group above too before sharing with its contact.")

    def chosen(self) -> dict[int, bool]:
        """The ticked groups, each with whether its contact may see the student."""
        shared = set(self.share.data or ())
        return {group_id: group_id in shared for group_id in self.groups.data or ()}


class MatchForm(VersionedForm):
    mentor = SelectField("Mentor", coerce=int, validators=[InputRequired("Choose a mentor.")])


class MeetingForm(Form):
    met_on = PlainDateField("Date of the first meeting", message="Enter the date as YYYY-MM-DD.")


class CloseForm(Form):
    reason = TextAreaField(
        "Reason the student will read",
        validators=[DataRequired("Give the reason the student will read."), Length(max=2000)],
        filters=[strip],
    )
