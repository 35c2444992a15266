"""Small pieces shared by the forms of every feature, and Form, the base of every form."""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal

import wtforms
from flask_wtf import FlaskForm
from wtforms import (
    Field,
    HiddenField,
    SelectMultipleField,
)
from wtforms.validators import StopValidation
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget, TextArea

from clerkship.core.params import parse_int
from clerkship.core.rules import RuleViolation
from clerkship.core.text import (
    SQL_INTEGER_MAX,
    SQL_INTEGER_MIN,
    YEAR_MAX,
    YEAR_MIN,
    control_character_message,
)


def check_input(_form, field: Field) -> None:
    """Refuse what no field may hold: control characters (NUL...), line breaks on one line,
    integers a database column cannot store, and dates outside 1900-2200.

    Every Form runs it first on every field (Form.Meta.bind_field), so that hostile input
    is refused next to its field before any other check or query sees it.
    """
    multiline = isinstance(field.widget, TextArea)
    for raw in field.raw_data or ():
        if not isinstance(raw, str):
            continue  # an uploaded file: judged by the documents inspection
        message = control_character_message(raw, multiline=multiline)
        if message:
            raise StopValidation(message)
    data = field.data
    if isinstance(data, Decimal | float) and not math.isfinite(data):
        raise StopValidation("Enter a number.")
    # Coerced choices (SelectField(coerce=int), several checkboxes) are numbers too.
    numbers = data if isinstance(data, list | tuple) else [data]
    if any(_too_large(n) for n in numbers):
        raise StopValidation("This number is too large.")
    if isinstance(data, date) and not YEAR_MIN <= data.year <= YEAR_MAX:
        raise StopValidation(f"Enter a date between the years {YEAR_MIN} and {YEAR_MAX}.")


def _too_large(value) -> bool:
    number = isinstance(value, int | Decimal) and not isinstance(value, bool)
    return number and not SQL_INTEGER_MIN <= value <= SQL_INTEGER_MAX


class CheckedInputMeta:
    """Form options that put check_input first on every field of the form."""

    def bind_field(self, form, unbound_field, options):
        field = unbound_field.bind(form=form, **options)
        field.validators = [check_input, *field.validators]
        return field

    def render_field(self, field, render_kw):
        """Hidden inputs carry no id: no label points at them, and a page with several
        forms would otherwise repeat `csrf_token` or `version` (ids must be unique)."""
        if isinstance(field.widget, HiddenInput) and "id" not in render_kw:
            render_kw = {**render_kw, "id": False}
        return super().render_field(field, render_kw)


class Form(FlaskForm):
    """The base of every form: each field is checked by check_input before its own validators."""

    class Meta(CheckedInputMeta):
        pass


class SubForm(wtforms.Form):
    """The base of a form nested in another (FormField): its fields are checked the same way."""

    class Meta(CheckedInputMeta):
        pass


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


class VersionField(HiddenField):
    """The version counter a page was loaded with, as the hidden field sends it back.

    .data is its digits, or "" when the field is missing or garbled (always stale);
    .number is the same as an int, or None. The record's own version (obj=) is never
    taken for a missing field, which would make a stale save look current.
    """

    def process_data(self, value) -> None:
        self.data = "" if value is None else str(value)

    def process_formdata(self, valuelist) -> None:
        number = parse_int(valuelist[0] if valuelist else None, minimum=0)
        self.data = "" if number is None else str(number)

    @property
    def number(self) -> int | None:
        return int(self.data) if self.data else None


class VersionedForm(Form):
    """A form that edits a record protected by optimistic locking (a version counter)."""

    version = VersionField()

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
