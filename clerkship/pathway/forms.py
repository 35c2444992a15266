"""Input checks for the pathway definition, students' answers and directors' decisions."""

from __future__ import annotations

from wtforms import RadioField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from clerkship.core.forms import Form, MultiCheckboxField, VersionedForm, VersionField, strip
from clerkship.pathway.models import FLAG_DECISION_LABELS, IDENTIFICATION_LABELS

MAX_ITEMS = 30
MAX_ITEM_LENGTH = 200


def lines_of(text: str | None) -> list[str]:
    """Non-empty lines, trimmed, in order."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _list_check(_form, field) -> None:
    items = lines_of(field.data)
    if len(items) > MAX_ITEMS:
        raise ValidationError(f"List at most {MAX_ITEMS} items.")
    too_long = [item for item in items if len(item) > MAX_ITEM_LENGTH]
    if too_long:
        raise ValidationError(f"Keep each item under {MAX_ITEM_LENGTH} characters.")
    if len({item.casefold() for item in items}) != len(items):
        raise ValidationError("Each item may appear only once.")


class PathwayConfigForm(Form):
    definition = TextAreaField(
        "Definition shown to students",
        validators=[DataRequired("Write the definition students read."), Length(max=5000)],
        filters=[strip],
        description="The default is the AAMC definition of underrepresented in medicine.",
    )
    categories = TextAreaField(
        "Self-identification categories",
        validators=[_list_check],
        description="One per line. Students may tick any that apply; leave empty to offer none.",
    )
    criteria = TextAreaField(
        "Race-neutral criteria",
        validators=[_list_check],
        description=(
            "Optional, one per line (e.g. first-generation college student). A student who "
            "meets any of them is in the pathway."
        ),
    )


class SelfIdentificationForm(Form):
    version = VersionField()
    identifies = RadioField(
        "Do you belong to the population described above?",
        choices=[(k.value, v) for k, v in IDENTIFICATION_LABELS.items()],
        validators=[InputRequired("Choose an answer, or “I prefer not to say”.")],
    )
    categories = MultiCheckboxField(
        "If yes, which of these describe you? (optional)", choices=[], coerce=str
    )
    criteria = MultiCheckboxField(
        "Do any of these describe you? (optional)", choices=[], coerce=str
    )

    def __init__(self, *args, config, **kwargs):
        super().__init__(*args, **kwargs)
        self.categories.choices = [(c, c) for c in config.categories]
        self.criteria.choices = [(c, c) for c in config.criteria]
        # A list the cycle does not offer is not shown at all.
        for name in ("categories", "criteria"):
            if not self[name].choices:
                del self[name]

    def chosen(self, name: str) -> list[str]:
        """The ticked items of a list ([] when the cycle offers none)."""
        return (self[name].data or []) if name in self else []


class FlagDecisionForm(VersionedForm):
    decision = SelectField(
        "Decision",
        choices=[(k.value, v) for k, v in FLAG_DECISION_LABELS.items()],
        validators=[DataRequired("Choose a decision.")],
    )
    reason = TextAreaField(
        "Reason",
        validators=[
            DataRequired("Write the reason for your decision; it is kept and sent to the student."),
            Length(max=1000, message="Keep the reason under 1,000 characters."),
        ],
        filters=[strip],
        description="Kept in the audit log and sent to the student.",
    )
