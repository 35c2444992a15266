"""Small pieces shared by the forms of every feature."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import Field, HiddenField, SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget

from clerkship.core.rules import RuleViolation


def strip(value):
    """A WTForms filter that trims surrounding whitespace from text."""
    return value.strip() if isinstance(value, str) else value


def attach_error(form: FlaskForm, error: RuleViolation) -> None:
    """Show a service's refusal next to its field, or above the form when it has none."""
    field: Field | None = getattr(form, error.field, None) if error.field else None
    if field is not None and isinstance(field, Field):
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


class VersionedForm(FlaskForm):
    """A form that edits a record protected by optimistic locking (a version counter)."""

    version = HiddenField()

    def check_version(self, current: int) -> None:
        """Refuse a save made from a page that was loaded before someone else's save."""
        if str(current) != (self.version.data or ""):
            raise RuleViolation(
                "This record was changed by someone else after you opened it. Your text is "
                "kept below; review the current version and save again.",
            )


class MultiCheckboxField(SelectMultipleField):
    """Several choices as a group of checkboxes (the forms macro renders it as a fieldset)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()
