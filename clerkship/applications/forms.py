"""Input checks for the student profile, the application steps and the staff pages."""

from __future__ import annotations

import re

from wtforms import (
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from clerkship.applications.listing import LISTED_STATES, REVIEW_FILTERS
from clerkship.applications.models import Accreditation, ExamResult
from clerkship.core.forms import Form, MultiCheckboxField, VersionedForm, strip
from clerkship.core.time import local_today
from clerkship.cycles.forms import PlainDateField
from clerkship.documents.models import DocumentKind

PHONE = re.compile(r"^\+?[0-9 ().\-]{7,25}$")
EXAM_CHOICES = [(r.value, r.label) for r in ExamResult]


def _text(label: str, max_length: int, required: str | None = None, **kwargs) -> StringField:
    validators = [DataRequired(required)] if required else [Optional()]
    return StringField(
        label, validators=[*validators, Length(max=max_length)], filters=[strip], **kwargs
    )


class ProfileForm(VersionedForm):
    legal_first_name = _text("Legal first name", 100, "Enter your legal first name.")
    legal_last_name = _text("Legal last name", 100, "Enter your legal last name.")
    preferred_name = _text("Preferred first name", 100, description="If you go by another name.")
    pronouns = _text("Pronouns", 40, description="For example she/her, he/him, they/them.")
    phone = _text(
        "Phone", 30, "Enter a phone number.", description="With the area code, e.g. 213 555 0100."
    )
    address_line1 = _text("Mailing address", 200, "Enter your mailing address.")
    address_line2 = _text("Address line 2", 200)
    city = _text("City", 100, "Enter the city.")
    region = _text("State or province", 100, "Enter the state or province.")
    postal_code = _text("Postal code", 20, "Enter the postal code.")
    country = _text("Country", 100, "Enter the country.", default="United States")
    medical_school = _text("Medical school", 200, "Enter the name of your medical school.")
    accreditation = RadioField(
        "Your school is accredited by",
        choices=[
            (Accreditation.LCME.value, "LCME (MD program)"),
            (Accreditation.COCA.value, "COCA (DO program)"),
        ],
        validators=[InputRequired("Choose LCME or COCA.")],
    )
    expected_graduation = PlainDateField(
        "Expected graduation date",
        message="Enter your expected graduation date as YYYY-MM-DD.",
        description="You must graduate after the last day of every block you choose.",
    )
    aamc_id = _text(
        "AAMC ID", 8, "Enter your AAMC ID.", description="The 8 digits on your AAMC account."
    )
    usmle_step1 = SelectField("USMLE Step 1", choices=EXAM_CHOICES, default="not_taken")
    usmle_step2_ck_score = IntegerField(
        "USMLE Step 2 CK score",
        validators=[
            Optional(),
            NumberRange(min=1, max=300, message="A Step 2 CK score is between 1 and 300."),
        ],
        description="Leave empty if you have not taken it.",
    )
    comlex_level1 = SelectField(
        "COMLEX-USA Level 1", choices=EXAM_CHOICES, default="not_taken", description="DO students."
    )
    comlex_level2_ce_score = IntegerField(
        "COMLEX-USA Level 2-CE score",
        validators=[
            Optional(),
            NumberRange(min=9, max=999, message="A Level 2-CE score is between 9 and 999."),
        ],
        description="DO students; leave empty if you have not taken it.",
    )

    def validate_phone(self, field) -> None:
        digits = sum(ch.isdigit() for ch in field.data or "")
        if field.data and (not PHONE.match(field.data) or not 7 <= digits <= 15):
            raise ValidationError("Enter a phone number of 7 to 15 digits, e.g. 213 555 0100.")

    def validate_aamc_id(self, field) -> None:
        if field.data and not re.fullmatch(r"[0-9]{8}", field.data):
            raise ValidationError("An AAMC ID is exactly 8 digits, e.g. 12345678.")

    def validate_expected_graduation(self, field) -> None:
        if field.data and field.data <= local_today():
            raise ValidationError("Your expected graduation date must be in the future.")

    def validate_comlex_level2_ce_score(self, field) -> None:
        if self.accreditation.data != Accreditation.COCA.value and (
            field.data is not None or self.comlex_level1.data != ExamResult.NOT_TAKEN.value
        ):
            raise ValidationError(
                "COMLEX-USA is taken by DO students: leave COMLEX empty, or choose COCA above."
            )


class StatementForm(VersionedForm):
    personal_statement = TextAreaField(
        "Personal statement",
        validators=[Length(max=40_000, message="A statement can be at most 40,000 characters.")],
    )


class ChoiceForm(VersionedForm):
    """One change to the ranked list: add, up, down or remove a block."""

    action = HiddenField()
    block_id = IntegerField(validators=[Optional()])

    def validate_action(self, field) -> None:
        if field.data not in ("add", "up", "down", "remove"):
            raise ValidationError("Use one of the buttons on the page.")


class SubmitForm(VersionedForm):
    pass


class WithdrawForm(Form):
    reason = TextAreaField(
        "Reason (optional)",
        validators=[Length(max=1000)],
        filters=[strip],
        description="The department sees it. You can leave it empty.",
    )


class ApplicationFilterForm(Form):
    class Meta:
        csrf = False

    q = StringField(
        "Search by name, email or AAMC ID",
        filters=[strip],
        validators=[Optional(), Length(max=100)],
    )
    state = SelectField(
        "Status",
        choices=[("", "Any status"), *[(s.value, s.label) for s in LISTED_STATES]],
        validators=[Optional()],
    )
    block = SelectField("Block", choices=[], validators=[Optional()])
    pathway = SelectField(
        "UIM pathway",
        choices=[("", "Everyone"), ("yes", "In the pathway"), ("no", "Not in the pathway")],
        validators=[Optional()],
    )
    reviews = SelectField(
        "Reviews",
        choices=[(key, label) for key, label in REVIEW_FILTERS.items()],
        validators=[Optional()],
    )


class ApplicationSettingsForm(Form):
    max_choices = IntegerField(
        "Blocks a student may rank",
        validators=[
            InputRequired("Enter a number."),
            NumberRange(min=1, max=20, message="Enter a number between 1 and 20."),
        ],
    )
    statement_word_limit = IntegerField(
        "Personal statement word limit",
        validators=[
            InputRequired("Enter a number."),
            NumberRange(min=50, max=5000, message="Enter a limit between 50 and 5,000 words."),
        ],
    )
    letters_required = IntegerField(
        "Letters of recommendation required",
        validators=[
            InputRequired("Enter a number (0 for none)."),
            NumberRange(min=0, max=5, message="Enter a number between 0 and 5."),
        ],
    )
    required_documents = MultiCheckboxField(
        "Documents every application needs",
        choices=[(k.value, k.label) for k in DocumentKind if k != DocumentKind.LETTER],
        description="Expiring ones must be valid on the first day of the student's earliest block.",
    )
