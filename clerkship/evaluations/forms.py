"""Input checks for the evaluation form's editor, the evaluation itself, assigning faculty
and the home schools. The editor is the review rubric's (reviews.rubrics.forms)."""

from __future__ import annotations

from wtforms import BooleanField, EmailField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length

from clerkship.core.forms import Form, VersionedForm, strip
from clerkship.core.rules import RuleViolation
from clerkship.evaluations.models import (
    SLOE_GLOBAL_RANKS,
    SLOE_GUIDANCE,
    EvaluationFormVersion,
    RotationEvaluation,
)
from clerkship.reviews.rubrics.forms import RubricForm


class EvaluationFormEditor(RubricForm):
    """The rubric editor (criteria with a behavioural description per level), plus the
    department's grading scale and whether students may read their evaluation."""

    grades = TextAreaField(
        "Grades, best first, one a line",
        filters=[strip],
        validators=[Length(max=2000)],
        description="The department's grading scale, e.g. Honors, High pass, Pass, Fail.",
    )
    student_sees_content = BooleanField(
        "Students may read their final evaluation (otherwise they only see that it was sent)"
    )
    sloe = BooleanField(
        "Carry the fields of a standardized letter of evaluation (SLOE)",
        description="Adds the letter's global assessment and expected guidance, so the "
        "director drafts the letter from the evaluation.",
    )

    def grade_list(self) -> list[str]:
        return [line.strip() for line in (self.grades.data or "").splitlines() if line.strip()]


def editor_data(form: EvaluationFormVersion | None) -> dict:
    """What the editor shows first: the current version, or one empty criterion on 1 to 5."""
    if form is None:
        return {
            "title": "Evaluation of the visiting student",
            "scale": "1-5",
            "shown_scale": "1-5",
            "based_on": "",
            "grades": "Honors\nHigh pass\nPass\nFail",
            "criteria": [{"weight": 1, "levels": [""] * 5}],
        }
    scale = f"{form.scale_low}-{form.scale_high}"
    return {
        "title": form.title,
        "scale": scale,
        "shown_scale": scale,
        "based_on": str(form.id),
        "grades": "\n".join(form.grades),
        "student_sees_content": form.student_sees_content,
        "sloe": form.sloe,
        "criteria": [
            {
                "name": c.name,
                "weight": 1,
                "guidance": c.guidance,
                "levels": [c.anchor(level) for level in form.levels],
            }
            for c in form.criteria
        ],
    }


def evaluation_form_class(version: EvaluationFormVersion) -> type[VersionedForm]:
    """The evaluation's form: a level per criterion (its anchors beside each), the grade and
    the narrative comments."""
    attrs = {}
    for c in version.criteria:
        attrs[f"criterion_{c.id}"] = RadioField(
            c.name,
            choices=[(str(level), f"{level} – {c.anchor(level)}") for level in version.levels],
            validate_choice=False,
            description=c.guidance,
        )
    attrs["grade"] = SelectField(
        "Overall grade",
        choices=[("", "Not yet chosen")] + [(g, g) for g in version.grades],
        validate_choice=False,
    )
    if version.sloe:
        attrs["sloe_global_rank"] = SelectField(
            "Letter of evaluation: global assessment against this year's applicants",
            choices=[("", "Not yet chosen")] + [(r, r) for r in SLOE_GLOBAL_RANKS],
            validate_choice=False,
        )
        attrs["sloe_guidance"] = SelectField(
            "Letter of evaluation: guidance expected in residency",
            choices=[("", "Not yet chosen")] + [(g, g) for g in SLOE_GUIDANCE],
            validate_choice=False,
        )
    attrs["narrative"] = TextAreaField(
        "Narrative comments",
        validators=[Length(max=20000)],
        description="What the student did well and what to work on, as the home school will read it.",
    )
    return type("EvaluationWriteForm", (VersionedForm,), attrs)


def evaluation_form_data(evaluation: RotationEvaluation) -> dict:
    """What the evaluation's form shows of its saved draft."""
    data = {f"criterion_{k}": str(v) for k, v in evaluation.levels.items()}
    data.update(grade=evaluation.grade, narrative=evaluation.narrative)
    if evaluation.form_version.sloe:
        data.update(
            sloe_global_rank=evaluation.sloe_global_rank, sloe_guidance=evaluation.sloe_guidance
        )
    data["version"] = str(evaluation.version)
    return data


def read_levels(form: VersionedForm, version: EvaluationFormVersion) -> dict[int, int]:
    """criterion id -> level, unanswered left out; a level not on the scale is refused."""
    levels = {}
    allowed = {str(level) for level in version.levels}
    for c in version.criteria:
        value = form[f"criterion_{c.id}"].data
        if not value or value == "None":
            continue
        if value not in allowed:
            raise RuleViolation(f"Choose one of the levels of {c.name}.", field=f"criterion_{c.id}")
        levels[c.id] = int(value)
    return levels


class AssignForm(Form):
    """Ask a member of the faculty to evaluate the student."""

    faculty_id = SelectField("Evaluating faculty", coerce=str, validate_choice=False)


class ActionForm(VersionedForm):
    """A button acting on a versioned evaluation (finalise)."""


class HomeSchoolForm(Form):
    """A school of the list and its registrar or clerkship-office contact."""

    name = StringField(
        "School",
        filters=[strip],
        validators=[DataRequired("Enter the school's name."), Length(max=200)],
    )
    contact_name = StringField(
        "Contact",
        filters=[strip],
        validators=[Length(max=200)],
        description="The registrar or clerkship office, e.g. Office of the Registrar.",
    )
    contact_email = EmailField(
        "Contact email",
        filters=[strip],
        validators=[
            DataRequired("Enter the contact's email address."),
            Email("Enter an email address like registrar@school.edu."),
            Length(max=254),
        ],
    )
    active = BooleanField("Students can choose it", default=True)


class ChooseSchoolForm(Form):
    """The student's school, picked from the list."""

    school_id = SelectField(
        "Your medical school",
        coerce=str,
        validate_choice=False,
        description="Your evaluations are sent to its registrar or clerkship office. If your "
        "school is not listed, write to the clerkship coordinator.",
    )
