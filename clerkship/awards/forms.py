"""Input checks for the award's settings, the student's application and the committee's work."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from wtforms import (
    DecimalField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from clerkship.awards.eligibility import ALL_RULES
from clerkship.awards.money import to_cents
from clerkship.core.forms import Form, MultiCheckboxField, VersionedForm, strip
from clerkship.cycles.forms import PlainDateField
from clerkship.cycles.models import AwardTiming

MAX_DOLLARS = Decimal("10000000")


class MoneyField(DecimalField):
    """An amount in dollars: "$2,000", "2000" or "2000.50"; .cents gives it in cents."""

    def process_formdata(self, valuelist) -> None:
        self.data = None
        if not valuelist or not valuelist[0].strip():
            return
        raw = valuelist[0].strip().replace("$", "").replace(",", "").strip()
        try:
            value = Decimal(raw)
        except InvalidOperation as error:
            raise ValueError("Enter an amount in dollars, e.g. 2000 or 2,000.00.") from error
        if not value.is_finite() or value.as_tuple().exponent < -2:
            raise ValueError("Enter an amount in dollars and at most two decimals of cents.")
        if value < 0 or value > MAX_DOLLARS:
            raise ValueError("Enter an amount between $0 and $10,000,000.")
        self.data = value

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return f"{self.data:.2f}" if self.data is not None else ""

    @property
    def cents(self) -> int | None:
        return to_cents(self.data) if self.data is not None else None


AMOUNT_LINE = re.compile(
    r"^(?P<weeks>\d{1,2})\s*(?:weeks?|wks?)?\s*[:=]\s*\$?\s*(?P<amount>[\d,]+(?:\.\d{1,2})?)$",
    re.IGNORECASE,
)


def parse_amounts(text: str) -> dict[int, int]:
    """ "4 weeks: $2,000" lines as {weeks: cents}; ValueError names the first bad line."""
    amounts: dict[int, int] = {}
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        match = AMOUNT_LINE.match(line)
        if not match:
            raise ValueError(f"Line {number} (“{line[:40]}”): write it as “4 weeks: $2,000”.")
        weeks = int(match["weeks"])
        cents = to_cents(Decimal(match["amount"].replace(",", "")))
        if not 1 <= weeks <= 52 or cents <= 0:
            raise ValueError(
                f"Line {number}: give a length of 1 to 52 weeks and an amount above $0."
            )
        if weeks in amounts:
            raise ValueError(f"Line {number}: {weeks} weeks is listed twice.")
        amounts[weeks] = cents
    if not amounts:
        raise ValueError("Give at least one amount, e.g. “4 weeks: $2,000”.")
    return amounts


class AmountsField(TextAreaField):
    """The schedule of amounts by rotation length, one "weeks: amount" line each."""

    def post_validate(self, form, validation_stopped) -> None:
        if validation_stopped:
            return
        try:
            self.amounts = parse_amounts(self.data)
        except ValueError as error:
            self.errors.append(str(error))


class AwardSettingsForm(VersionedForm):
    budget = MoneyField(
        "Total budget",
        validators=[InputRequired("Enter the total budget in dollars.")],
        description="Awards are refused once they would exceed it.",
    )
    deadline = PlainDateField(
        "Award application deadline",
        message="Enter the deadline as YYYY-MM-DD.",
        description="Applications are accepted until the end of this day.",
    )
    amounts = AmountsField(
        "Amounts by rotation length",
        description="One line per rotation length, e.g. “4 weeks: $2,000”.",
    )
    rules = MultiCheckboxField(
        "Eligibility rules",
        choices=[(rule.value, rule.label) for rule in ALL_RULES],
        description="Each rule ticked is checked when a student submits.",
    )
    essay_prompt = TextAreaField(
        "Essay prompt",
        validators=[DataRequired("Write the essay prompt."), Length(max=3000)],
        filters=[strip],
    )
    essay_word_limit = IntegerField(
        "Essay word limit",
        validators=[
            InputRequired("Enter the word limit."),
            NumberRange(min=50, max=5000, message="Enter a limit between 50 and 5,000 words."),
        ],
    )


class AwardTimingForm(Form):
    award_timing = SelectField(
        "Award application timing", choices=[(t.value, t.label) for t in AwardTiming]
    )


class AwardApplicationForm(VersionedForm):
    application_id = SelectField(
        "The rotation application the award is for",
        coerce=int,
        validators=[DataRequired("Choose the rotation application the award is for.")],
    )
    essay = TextAreaField("Essay", filters=[strip], validators=[Length(max=50000)])
    financial_need = TextAreaField(
        "Statement of financial need (optional)",
        filters=[strip],
        validators=[Length(max=5000, message="Keep the statement under 5,000 characters.")],
    )
    attestations = MultiCheckboxField("I confirm that", choices=[])


class AwardDecisionForm(VersionedForm):
    decision = RadioField(
        "Decision",
        choices=[
            ("awarded", "Awarded"),
            ("alternate", "Alternate"),
            ("not_awarded", "Not awarded"),
        ],
        validators=[InputRequired("Choose a decision.")],
    )
    amount = MoneyField(
        "Amount awarded",
        validators=[Optional()],
        description="Suggested from the schedule by rotation length; confirm or change it.",
    )
    note = TextAreaField(
        "Note (optional)",
        filters=[strip],
        validators=[Length(max=1000, message="Keep the note under 1,000 characters.")],
    )


class PaymentForm(VersionedForm):
    paid_on = PlainDateField("Payment date", message="Enter the payment date as YYYY-MM-DD.")
    paid_amount = MoneyField("Amount paid", validators=[InputRequired("Enter the amount paid.")])
    reference = StringField(
        "Payment reference",
        filters=[strip],
        validators=[
            DataRequired("Enter the payment reference."),
            Length(max=100, message="Keep the reference under 100 characters."),
        ],
    )
    override_reason = TextAreaField(
        "Administrators only: reason to record the payment before the rotation is completed "
        "or dated before its end (kept in the audit log and shown here)",
        filters=[strip],
        validators=[Optional(), Length(max=1000)],
    )


class ActionForm(VersionedForm):
    """A button that acts on a versioned record (withdraw, decline, mark completed, ...)."""
