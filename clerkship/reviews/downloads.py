"""Serving a document to a reviewer, always through the documents feature's send_document.

`clerkship.documents.storage` is built in parallel. Until it is merged, a minimal
private fallback streams the file from <instance>/uploads/<stored_name>; the lead
deletes the fallback at the merge (see the report).
"""

from __future__ import annotations

from pathlib import Path

from flask import abort, current_app, send_file

from clerkship.documents.models import Document


def _send_document_fallback(document: Document, *, as_attachment: bool = True):
    name = document.stored_name
    if Path(name).name != name or name in ("", ".", ".."):
        abort(404)
    path = Path(current_app.instance_path) / "uploads" / name
    if not path.is_file():
        abort(404)
    return send_file(
        path,
        mimetype=document.content_type,
        as_attachment=as_attachment,
        download_name=document.original_name,
        max_age=0,
    )


try:
    from clerkship.documents.storage import send_document
except ModuleNotFoundError as error:  # the documents storage is not merged yet
    if error.name != "clerkship.documents.storage":
        raise
    send_document = _send_document_fallback
