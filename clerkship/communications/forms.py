"""The compose page, the template editor and the automatic email editor."""

from __future__ import annotations

from wtforms import DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from clerkship.communications.merge import FIELDS
from clerkship.core.forms import Form, strip

FIELD_LIST = ", ".join(f"{{{name}}}" for name in FIELDS)


class ComposeForm(Form):
    """A message to the selected students: from a template or free text."""

    template = SelectField("Start from", choices=[("", "Free text")], validate_choice=False)
    subject = StringField(
        "Subject",
        validators=[DataRequired("Write a subject."), Length(max=200)],
        filters=[strip],
    )
    body = TextAreaField(
        "Message",
        validators=[DataRequired("Write the message."), Length(max=20_000)],
        description=f"Plain text. Merge fields, filled in for each student: {FIELD_LIST}.",
    )
    answer_by = DateField(
        "Answer by (optional)",
        validators=[Optional()],
        description="Fills {answer_by}; without it, each student's own deadline (offer or "
        "invitation) is used.",
    )
    send_key = HiddenField()


class TemplateForm(Form):
    """One of the department's templates."""

    name = StringField(
        "Name", validators=[DataRequired("Name the template."), Length(max=120)], filters=[strip]
    )
    subject = StringField(
        "Subject", validators=[DataRequired("Write a subject."), Length(max=200)], filters=[strip]
    )
    body = TextAreaField(
        "Message",
        validators=[DataRequired("Write the message."), Length(max=20_000)],
        description=f"Plain text. Merge fields: {FIELD_LIST}. Write {{{{ or }}}} for a brace.",
    )


class AutomaticEmailForm(Form):
    """The department's wording of an automatic email."""

    subject = StringField(
        "Subject", validators=[DataRequired("Write a subject."), Length(max=200)], filters=[strip]
    )
    body = TextAreaField(
        "Message",
        validators=[DataRequired("Write the message."), Length(max=20_000)],
        description=f"Plain text. Merge fields: {FIELD_LIST}, {{link}}.",
    )
