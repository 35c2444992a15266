"""Confirmations for answering an offer."""

from __future__ import annotations

from wtforms import BooleanField
from wtforms.validators import DataRequired

from clerkship.core.forms import Form


class AnswerForm(Form):
    """Accept: a button (CSRF only)."""


class DeclineForm(Form):
    confirm = BooleanField(
        "I understand that declining gives my seat to another student and cannot be undone.",
        validators=[DataRequired("Tick the box to confirm that you decline.")],
    )


class CloseWaitlistForm(Form):
    confirm = BooleanField(
        "I understand that every student still waiting is told they were not selected, and "
        "that seats freed later stay empty.",
        validators=[DataRequired("Tick the box to confirm that you close the waitlist.")],
    )
