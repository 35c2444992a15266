"""Input of the list import: the uploaded CSV, then the previewed text to confirm."""

from __future__ import annotations

import base64
import binascii

from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField
from wtforms.validators import DataRequired

from clerkship.core.forms import Form


class ListUploadForm(Form):
    file = FileField(
        "List (CSV)",
        validators=[FileRequired("Choose a CSV file.")],
        description="Columns: AAMC ID or email, and on a rank list the rank; the first line names them.",
    )


class ListConfirmForm(Form):
    # The previewed file (base64: a hidden input holds one line), read again on confirming,
    # so what is saved is what was shown.
    content = HiddenField(validators=[DataRequired("Upload the list again.")])

    def file_bytes(self) -> bytes | None:
        """The previewed file, or None when the field was tampered with."""
        try:
            return base64.b64decode(self.content.data or "", validate=True)
        except (binascii.Error, ValueError):
            return None
