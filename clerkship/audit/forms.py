"""The audit log's filter."""

from __future__ import annotations

from wtforms import DateField, SelectField, StringField
from wtforms.validators import Optional, ValidationError

from clerkship.core.forms import Form, strip


class AuditFilterForm(Form):
    class Meta:
        csrf = False

    action = SelectField("Action", choices=[], validators=[Optional()], validate_choice=False)
    person = StringField("Person (name or email)", filters=[strip], validators=[Optional()])
    target_type = StringField("Record type", filters=[strip], validators=[Optional()])
    since = DateField("From", validators=[Optional()])
    until = DateField("To", validators=[Optional()])

    def validate_until(self, field) -> None:
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError("The end date must not be before the start date.")
