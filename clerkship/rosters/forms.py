"""The roster filter and export form (read by GET, no CSRF token), and the coordinator's
decisions on a placed student's document."""

from __future__ import annotations

from wtforms import HiddenField, RadioField, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length

from clerkship.core.forms import Form, MultiCheckboxField
from clerkship.rosters.exports import FORMATS, KINDS
from clerkship.rosters.queries import GROUPINGS


class RosterForm(Form):
    """Which roster, which students, which columns, which format."""

    class Meta:
        csrf = False

    kind = RadioField("List", choices=list(KINDS.items()), default="roster")
    block = SelectField("Block", choices=[("", "Every block")], default="")
    site = SelectField("Site", choices=[("", "Every site")], default="")
    by = SelectField(
        "Layout",
        choices=list(GROUPINGS.items()),
        default="",
        description="Sheets per block or site apply to XLSX; a CSV is sorted that way.",
    )
    format = RadioField("Format", choices=list(FORMATS.items()), default="xlsx")
    columns = MultiCheckboxField(
        "Columns", description="Leave all unticked for the list's usual columns."
    )

    def fill_choices(self, blocks, sites, columns) -> None:
        """Offer only the department's blocks and sites and the columns the user may see."""
        self.block.choices = [("", "Every block")] + [(str(b.id), b.label) for b in blocks]
        self.site.choices = [("", "Every site")] + [(str(s.id), s.name) for s in sites]
        self.columns.choices = [(c.key, c.header) for c in columns]


def validate_required(form: RosterForm) -> bool:
    """Validate, treating an absent kind/format as the defaults (a bare link works)."""
    for name in ("kind", "format"):
        field = getattr(form, name)
        if not field.raw_data:
            field.data = field.default
            field.raw_data = [field.default]
    return form.validate()


class RejectDocumentForm(Form):
    """Sending a document back: the reason the student reads."""

    reason = TextAreaField(
        "Why is it sent back?",
        validators=[
            InputRequired("Say why the document is sent back; the student reads it."),
            Length(max=1000, message="Keep the reason under 1,000 characters."),
        ],
        description="The student reads this in an email and on their documents page, and is "
        "asked for a new version.",
    )


class UndoDecisionForm(Form):
    """Undoing a verification or a sending back: the decision seen, and why."""

    decision = HiddenField()
    reason = TextAreaField(
        "Why undo it?",
        validators=[
            InputRequired("Say why the decision is undone; it is kept in the audit log."),
            Length(max=1000, message="Keep the reason under 1,000 characters."),
        ],
        description="Kept in the audit log with your name.",
    )
