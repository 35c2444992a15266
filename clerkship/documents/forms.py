"""Input checks for document uploads."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, SelectField
from wtforms.validators import DataRequired, Optional

from clerkship.core.forms import Form
from clerkship.documents.models import DocumentKind

EXPIRING = ", ".join(k.label.lower() for k in DocumentKind if k.expires)


class OptionalDateField(DateField):
    """A date that may be left empty, with a clear message when it cannot be read."""

    def __init__(self, label: str, *, message: str, **kwargs):
        super().__init__(label, validators=[Optional()], **kwargs)
        self.message = message

    def process_formdata(self, valuelist) -> None:
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(self.message) from error


class UploadForm(Form):
    kind = SelectField(
        "Kind of document",
        choices=[(k.value, k.label) for k in DocumentKind if k != DocumentKind.LETTER],
        validators=[DataRequired("Choose what kind of document this is.")],
    )
    file = FileField(
        "File",
        description="A PDF; a BLS card or a photo may also be a JPEG or PNG image.",
    )
    redacted = BooleanField(
        "This is a redacted copy (name and medical school blacked out)",
        description="For a CV or a transcript you have already uploaded: reviewers who must "
        "not know who you are see this copy instead.",
    )
    expires_on = OptionalDateField(
        "Expires on",
        message="Enter the expiry date as YYYY-MM-DD.",
        description=f"Only for documents that expire ({EXPIRING}).",
    )
