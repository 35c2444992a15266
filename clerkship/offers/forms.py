"""Confirmations for answering an offer."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms.validators import DataRequired


class AnswerForm(FlaskForm):
    """Accept: a button (CSRF only)."""


class DeclineForm(FlaskForm):
    confirm = BooleanField(
        "I understand that declining gives my seat to another student and cannot be undone.",
        validators=[DataRequired("Tick the box to confirm that you decline.")],
    )


class CloseWaitlistForm(FlaskForm):
    confirm = BooleanField(
        "I understand that every student still waiting is told they were not selected, and "
        "that seats freed later stay empty.",
        validators=[DataRequired("Tick the box to confirm that you close the waitlist.")],
    )
