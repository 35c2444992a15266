"""Input checks for review settings, assignment, conflicts, the discussion and the ranking filters.

The rubric editor and the scoring form depend on the rubric: see `rubric_forms.py`.
"""

from __future__ import annotations

from decimal import Decimal

from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    EmailField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from clerkship.core.forms import Form, MultiCheckboxField, VersionedForm, strip
from clerkship.documents.models import DocumentKind
from clerkship.reviews.models import BLINDABLE_FIELDS, REVIEWABLE_KINDS, CompositeSource
from clerkship.reviews.queries import SORTS


class OptionalDateField(DateField):
    """A date that may be left empty; an unreadable one says what format to use."""

    def process_formdata(self, valuelist) -> None:
        if not valuelist or not valuelist[0]:
            self.data = None
            return
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError("Enter the date as YYYY-MM-DD, or leave it empty.") from error


def _hide(name: str) -> BooleanField:
    label = BLINDABLE_FIELDS[name]
    return BooleanField(
        f"Hide the {label if label.isupper() or label.startswith('UIM') else label.lower()}"
    )


def kind_choice(kind: DocumentKind) -> tuple[str, str]:
    """A document kind as a checkbox, saying whether it reveals who the student is."""
    if not kind.rules.identifying:
        return kind.value, kind.label
    if kind.rules.redactable:
        return kind.value, (
            f"{kind.label}: names the student; while the name or school is hidden, only a "
            "redacted copy the student uploads is shown"
        )
    return kind.value, (
        f"{kind.label}: names the student; withheld while the name or school is hidden"
    )


def _documents(phase: str) -> MultiCheckboxField:
    return MultiCheckboxField(
        f"Documents reviewers see in the {phase} phase",
        choices=[kind_choice(kind) for kind in REVIEWABLE_KINDS],
        validate_choice=False,
    )


class SettingsForm(VersionedForm):
    hide_name = _hide("name")
    hide_photo = _hide("photo")
    hide_pronouns = _hide("pronouns")
    hide_school = _hide("school")
    hide_exam_scores = _hide("exam_scores")
    hide_pathway = _hide("pathway")
    reveal_in_second_phase = BooleanField(
        "Reveal the hidden fields in a second phase",
        description="When the director opens the second phase, reviewers see every field above.",
    )
    first_phase_documents = _documents("first")
    second_phase_documents = _documents("second")
    due_on = OptionalDateField(
        "Reviews due on",
        validators=[Optional()],
        description="New assignments are due at the end of this day (YYYY-MM-DD).",
    )
    calibration_min_reviews = IntegerField(
        "Calibrate reviewers with at least this many submitted reviews",
        validators=[
            InputRequired("Enter a number of reviews."),
            NumberRange(min=2, max=1000, message="Enter a number between 2 and 1,000."),
        ],
    )
    disagreement_threshold = DecimalField(
        "Flag disagreement when reviews of one application differ by more than",
        places=2,
        validators=[
            InputRequired("Enter a threshold, e.g. 1.00."),
            NumberRange(min=Decimal("0.01"), max=10, message="Enter a number above 0, at most 10."),
        ],
    )

    @property
    def hidden(self) -> set[str]:
        return {name for name in BLINDABLE_FIELDS if self[f"hide_{name}"].data}

    def kinds(self, field: MultiCheckboxField) -> set[DocumentKind]:
        """The document kinds ticked in one of the two document fields (others ignored)."""
        ticked = set(field.data or ())
        return {kind for kind in REVIEWABLE_KINDS if kind.value in ticked}


class PhaseForm(Form):
    to = HiddenField(validators=[DataRequired()])


class SchoolsForm(VersionedForm):
    schools = TextAreaField(
        "Medical schools you studied or work at",
        validators=[Length(max=5000)],
        description=(
            "One per line. You are never assigned an applicant from one of these schools."
        ),
    )


class ConflictForm(Form):
    student_email = EmailField(
        "Applicant's email",
        validators=[DataRequired("Enter the applicant's email address."), Length(max=254)],
        filters=[strip],
    )
    reason = StringField(
        "Reason",
        validators=[DataRequired("Say briefly why."), Length(max=500)],
        filters=[strip],
        description="For example: a relative, a close colleague, a student I advise.",
    )


class WithdrawForm(Form):
    reason = StringField(
        "Why you cannot review this applicant",
        validators=[DataRequired("Say briefly why."), Length(max=500)],
        filters=[strip],
        description="Shown to the directors only. You will no longer be assigned this applicant.",
    )


class CapForm(Form):
    cap = IntegerField(
        "Cap",
        validators=[Optional(), NumberRange(min=0, max=10000, message="Enter 0 to 10,000.")],
        description="Empty: no limit.",
    )


def cap_form(reviewer, cap: int | None, formdata=None) -> CapForm:
    """The cap form of one reviewer's row (its own prefix, so ids stay unique on the page)."""
    form = CapForm(formdata=formdata, prefix=f"reviewer-{reviewer.id}", data={"cap": cap})
    form.cap.label.text = f"Cap for {reviewer.full_name}"
    return form


class AutoAssignForm(Form):
    """Posted with the prefix "assign-": the settings form on the same page has a due date
    too, and ids must stay unique."""

    due_on = OptionalDateField("Due on", validators=[Optional()])

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "assign")
        super().__init__(*args, **kwargs)


class ManualAssignForm(Form):
    reviewer = SelectField("Reviewer", coerce=int, validators=[DataRequired("Choose a reviewer.")])
    due_on = OptionalDateField("Due on", validators=[Optional()])


class DiscussionForm(Form):
    body = TextAreaField(
        "Message",
        validators=[DataRequired("Write a message first."), Length(max=5000)],
        filters=[strip],
    )


class CompositeForm(VersionedForm):
    source = RadioField(
        "Composite that feeds the allocation",
        choices=[(s.value, s.label) for s in CompositeSource],
        validators=[InputRequired("Choose one.")],
    )


class RankingFilterForm(Form):
    class Meta:
        csrf = False

    sort = SelectField("Sort by", choices=list(SORTS.items()), default="composite")
    pathway = SelectField(
        "UIM pathway",
        choices=[("", "Everyone"), ("yes", "In the pathway"), ("no", "Not in the pathway")],
        default="",
    )
    block = SelectField("Block chosen", choices=[("", "Any block")], default="")
    disagreement = BooleanField("Only disagreements")


class PanelForm(Form):
    class Meta:
        csrf = False

    top = IntegerField(
        "Selected = ranked within the top",
        validators=[Optional(), NumberRange(min=1, max=100000, message="Enter a positive number.")],
    )
