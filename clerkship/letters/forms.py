"""Input checks for letter requests and the writer's upload."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import EmailField, RadioField, StringField
from wtforms.validators import DataRequired, Email, InputRequired, Length

from clerkship.core.forms import Form, strip


class LetterRequestForm(Form):
    writer_name = StringField(
        "Writer's name",
        validators=[DataRequired("Enter the writer's name."), Length(max=200)],
        filters=[strip],
    )
    writer_email = EmailField(
        "Writer's email",
        validators=[
            DataRequired("Enter the writer's email address."),
            Email("Enter a valid email address."),
            Length(max=254),
        ],
        filters=[strip],
        description="We email them a private link to upload the letter; no account needed.",
    )
    waiver = RadioField(
        "Your right to read this letter",
        choices=[
            ("waive", "I waive my right to read this letter"),
            ("keep", "I do not waive it: I may read the letter once it arrives"),
        ],
        validators=[InputRequired("Choose whether you waive your right to read the letter.")],
        description="Many programs give more weight to letters the student has not read.",
    )


class LetterUploadForm(Form):
    file = FileField("Your letter (PDF, at most 10 MB)")
