"""Forms shaped by a rubric: the rubric editor and the scoring form.

The rubric editor works without JavaScript: "Add a criterion" and "Apply the scale"
send the form back and return it with one more criterion or with a description box
per level of the new scale, keeping everything typed; only "Save the rubric" saves.
"""

from __future__ import annotations

from wtforms import (
    BooleanField,
    DecimalField,
    Field,
    FieldList,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from clerkship.core.forms import Form, SubForm, VersionedForm, strip
from clerkship.core.rules import RuleViolation
from clerkship.reviews.models import Rubric
from clerkship.reviews.records import RECOMMENDATION_LABELS, Recommendation
from clerkship.reviews.rubrics.services import CriterionInput

SCALES = {"1-3": (1, 3), "1-4": (1, 4), "1-5": (1, 5), "1-7": (1, 7), "1-9": (1, 9), "0-4": (0, 4)}
INSUFFICIENT = "insufficient"


class CriterionForm(SubForm):
    key = HiddenField()
    name = StringField("Criterion", validators=[Length(max=120)], filters=[strip])
    weight = DecimalField(
        "Weight",
        places=2,
        validators=[Optional(), NumberRange(min=0.01, max=100, message="Enter 0.01 to 100.")],
        description="Relative to the other criteria, e.g. 2 counts twice as much as 1.",
    )
    guidance = TextAreaField(
        "What reviewers look for", validators=[Length(max=2000)], filters=[strip]
    )
    allows_insufficient = BooleanField('Offer "insufficient evidence" (it does not count)')
    remove = BooleanField("Remove this criterion when saving")
    levels = FieldList(TextAreaField("Level", validators=[Length(max=1000)], filters=[strip]))

    @property
    def is_blank(self) -> bool:
        return not self.name.data and not any(entry.data for entry in self.levels)


class RubricForm(Form):
    based_on = HiddenField()
    shown_scale = HiddenField()
    title = StringField(
        "Title",
        validators=[DataRequired("Give the rubric a title."), Length(max=160)],
        filters=[strip],
    )
    scale = SelectField(
        "Scale",
        choices=[(key, f"{low} to {high}") for key, (low, high) in SCALES.items()],
        default="1-5",
        description="Every criterion is scored on this scale; describe each level below.",
    )
    criteria = FieldList(FormField(CriterionForm))

    @property
    def bounds(self) -> tuple[int, int]:
        return SCALES.get(self.scale.data, (1, 5))

    def fit_levels(self) -> None:
        """Give every criterion one description box per level of the chosen scale."""
        shown_low = SCALES.get(self.shown_scale.data or self.scale.data, self.bounds)[0]
        low, high = self.bounds
        for entry in self.criteria:
            typed = {shown_low + i: box.data or "" for i, box in enumerate(entry.form.levels)}
            while entry.form.levels.entries:
                entry.form.levels.pop_entry()
            for level in range(low, high + 1):
                entry.form.levels.append_entry(typed.get(level, ""))
        self.shown_scale.data = self.scale.data
        self.label_levels()

    def label_levels(self) -> None:
        low = self.bounds[0]
        for number, entry in enumerate(self.criteria, start=1):
            entry.form.name.label.text = f"Criterion {number}"
            for i, box in enumerate(entry.form.levels):
                box.label.text = f"Level {low + i}: what earns it"

    def inputs(self) -> list[CriterionInput]:
        """The criteria to save: removed and untouched blank ones left out."""
        low = self.bounds[0]
        result = []
        for index, entry in enumerate(self.criteria):
            sub = entry.form
            if sub.remove.data or sub.is_blank:
                continue
            result.append(
                CriterionInput(
                    name=sub.name.data or "",
                    weight=sub.weight.data if sub.weight.data is not None else 0,
                    descriptions={low + i: box.data or "" for i, box in enumerate(sub.levels)},
                    guidance=sub.guidance.data or "",
                    allows_insufficient=sub.allows_insufficient.data,
                    key=sub.key.data or None,
                    index=index,
                )
            )
        return result


def rubric_form_data(rubric: Rubric | None) -> dict:
    """What the editor shows first: the current rubric, or one empty criterion on 1 to 5."""
    if rubric is None:
        return {
            "title": "",
            "scale": "1-5",
            "shown_scale": "1-5",
            "based_on": "",
            "criteria": [{"weight": 1, "levels": [""] * 5}],
        }
    scale = f"{rubric.scale_low}-{rubric.scale_high}"
    return {
        "title": rubric.title,
        "scale": scale,
        "shown_scale": scale,
        "based_on": str(rubric.id),
        "criteria": [
            {
                "key": c.key,
                "name": c.name,
                "weight": c.weight,
                "guidance": c.guidance,
                "allows_insufficient": c.allows_insufficient,
                "levels": [c.description(level) for level in rubric.levels],
            }
            for c in rubric.criteria
        ],
    }


def find_field(form: Form, ident: str) -> Field | None:
    """The field (at any depth) whose id is ident."""
    for field in form:
        if field.id == ident:
            return field
        if isinstance(field, FieldList):
            for entry in field.entries:
                found = find_field(entry.form, ident) if isinstance(entry, FormField) else None
                if entry.id == ident:
                    return entry
                if found is not None:
                    return found
    return None


def attach_nested_error(form: Form, error: RuleViolation) -> None:
    """Put a service's refusal next to a nested field, or above the form."""
    field = find_field(form, error.field) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


def review_form_class(rubric: Rubric) -> type[VersionedForm]:
    """A scoring form with one radio group per criterion of this rubric version."""
    attrs = {}
    for c in rubric.criteria:
        choices = [(str(level), f"{level} – {c.description(level)}") for level in rubric.levels]
        if c.allows_insufficient:
            choices.append(
                (INSUFFICIENT, "Insufficient evidence (does not count toward the score)")
            )
        weight = f"Weight {c.weight.normalize():f}."
        attrs[f"criterion_{c.id}"] = RadioField(
            c.name,
            choices=choices,
            validate_choice=False,
            description=f"{c.guidance} {weight}".strip(),
        )
    attrs["recommendation"] = RadioField(
        "Overall recommendation",
        choices=[(r.value, RECOMMENDATION_LABELS[r]) for r in Recommendation],
        validate_choice=False,
    )
    attrs["comments"] = TextAreaField(
        "Comments",
        validators=[Length(max=10000)],
        description="Shown to the directors and, "
        "after they submit their own, to the other reviewers of this application.",
    )
    return type("ReviewForm", (VersionedForm,), attrs)


def read_levels(form: VersionedForm, rubric: Rubric) -> dict[int, int | None]:
    """criterion id -> level (None: insufficient evidence); unanswered left out, bad ones refused."""
    levels: dict[int, int | None] = {}
    allowed = {str(level) for level in rubric.levels}
    for c in rubric.criteria:
        value = form[f"criterion_{c.id}"].data
        if not value or value == "None":
            continue
        if value == INSUFFICIENT and c.allows_insufficient:
            levels[c.id] = None
        elif value in allowed:
            levels[c.id] = int(value)
        else:
            raise RuleViolation(f"Choose one of the levels of {c.name}.", field=f"criterion_{c.id}")
    return levels


def read_recommendation(form: VersionedForm) -> Recommendation | None:
    """The recommendation chosen, if a valid one was."""
    value = form.recommendation.data
    try:
        return Recommendation(value) if value else None
    except ValueError as error:
        raise RuleViolation("Choose one of the recommendations.", field="recommendation") from error


def review_form_data(review) -> dict:
    """What the scoring form shows of a saved review."""
    if review is None:
        return {"version": ""}
    data = {
        f"criterion_{criterion_id}": INSUFFICIENT if level is None else str(level)
        for criterion_id, level in review.levels_by_criterion().items()
    }
    data["recommendation"] = review.recommendation.value if review.recommendation else None
    data["comments"] = review.comments
    data["version"] = str(review.version)
    return data
