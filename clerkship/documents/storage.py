"""Where uploaded files live: checked by content, stored under random names, sent as attachments.

Every other feature reads and writes files only through save_upload, send_document
and document_path. Files go to <instance>/uploads/ (or UPLOAD_FOLDER), outside any
static folder, so only a permission-checked route can send them. A file saved in a
transaction that does not commit is deleted again, so a refused or failed request
leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import unicodedata
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from flask import Response, abort, current_app, send_file
from sqlalchemy import event
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage

from clerkship.core.downloads import as_download
from clerkship.core.rules import RuleViolation
from clerkship.documents.inspection import FORMAT_NAMES, MEDIA_TYPES, inspect_file
from clerkship.documents.models import Document, DocumentKind
from clerkship.extensions import db

NEW_FILES_KEY = "clerkship_new_files"
CHUNK = 1024 * 1024
STORED_NAME = re.compile(r"^[0-9a-f]{32}\.(pdf|jpg|png)$")
EXTENSIONS = {"pdf": "pdf", "jpeg": "jpg", "png": "png"}
STORED_FORMATS = {extension: fmt for fmt, extension in EXTENSIONS.items()}
# The extensions a shown name may keep for each format.
NAME_EXTENSIONS = {"pdf": ("pdf",), "jpeg": ("jpg", "jpeg"), "png": ("png",)}


@dataclass(frozen=True)
class StoredFile:
    """A checked upload, saved under its random name."""

    stored_name: str
    original_name: str
    content_type: str
    size_bytes: int
    sha256: str
    format: str  # "pdf", "jpeg" or "png"

    @property
    def document_fields(self) -> dict[str, str | int]:
        """The columns a Document takes from its stored file."""
        return {
            "original_name": self.original_name,
            "stored_name": self.stored_name,
            "content_type": self.content_type,
            "size_bytes": self.size_bytes,
            "sha256": self.sha256,
        }


def upload_folder() -> Path:
    """The folder uploads are kept in (created on first use)."""
    configured = current_app.config.get("UPLOAD_FOLDER")
    folder = Path(configured) if configured else Path(current_app.instance_path) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def clean_filename(name: str | None, fmt: str) -> str:
    """The name to show and to offer on download: no folders, no control characters, and
    an extension that is always the one of the detected format ("cv.pdf.exe" -> "cv.pdf").

    The name is never used to build a path; it is kept, non-ASCII letters included,
    only so that people recognise their file.
    """
    base = PurePosixPath((name or "").replace("\\", "/")).name
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip(" .")
    base = unicodedata.normalize("NFC", base)[:200]
    stem, dot, _suffix = base.rpartition(".")
    if dot and stem.strip(" ."):
        base = stem.strip(" .")  # drop the sender's extension, whatever it says
    if base.lower().endswith(tuple(f".{e}" for e in NAME_EXTENSIONS[fmt])):
        return base
    return f"{base or 'document'}.{EXTENSIONS[fmt]}"


def size_label(size: int) -> str:
    """A size for people: "10 MB", "2.5 MB", "512 KB"."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f}".removesuffix(".0") + " MB"
    return f"{max(1, round(size / 1024))} KB"


def save_upload(file_storage: FileStorage | None, *, kind: DocumentKind) -> StoredFile:
    """Check an uploaded file's size and content against kind's formats, then store it."""
    if file_storage is None or not file_storage.filename:
        raise RuleViolation("Choose a file to upload.", field="file")
    limit = current_app.config["MAX_UPLOAD_BYTES"]
    folder = upload_folder()
    temporary = folder / f".incoming-{secrets.token_hex(16)}"
    digest = hashlib.sha256()
    size = 0
    try:
        with open(temporary, "wb") as handle:
            while chunk := file_storage.stream.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise RuleViolation(
                        f"This file is larger than {size_label(limit)}, the most we accept. "
                        "Nothing was saved; reduce its size (for example, scan at a lower "
                        "resolution) and upload it again.",
                        field="file",
                    )
                digest.update(chunk)
                handle.write(chunk)
        if size == 0:
            raise RuleViolation(
                "This file is empty (0 bytes). Nothing was saved; choose the right file.",
                field="file",
            )
        inspection = inspect_file(temporary)
        if inspection.active_content:
            raise RuleViolation(
                "This PDF contains active content, which we never accept or alter: "
                + "; ".join(inspection.active_content)
                + ". Nothing was saved; print it to a new PDF (“Save as PDF”) and upload that.",
                field="file",
            )
        fmt = inspection.format
        if fmt not in kind.rules.formats:
            accepted = " or ".join(FORMAT_NAMES[f] for f in kind.rules.formats)
            found = (
                f"its content is {FORMAT_NAMES[fmt]}"
                if fmt
                else "its content is not a document we can open"
            )
            raise RuleViolation(
                f"A {kind.label.lower()} must be {accepted}, but {found}, whatever its name "
                "says. Nothing was saved.",
                field="file",
            )
        stored_name = f"{secrets.token_hex(16)}.{EXTENSIONS[fmt]}"
        db.session.connection()  # tie the file to this transaction (see _forget_uncommitted)
        os.replace(temporary, folder / stored_name)
    finally:
        temporary.unlink(missing_ok=True)
    db.session.info.setdefault(NEW_FILES_KEY, []).append(folder / stored_name)
    return StoredFile(
        stored_name=stored_name,
        original_name=clean_filename(file_storage.filename, fmt),
        content_type=MEDIA_TYPES[fmt],
        size_bytes=size,
        sha256=digest.hexdigest(),
        format=fmt,
    )


def document_path(document: Document) -> Path:
    """Where a document's file is on disk (its stored name is checked, never trusted)."""
    if not STORED_NAME.match(document.stored_name or ""):
        raise ValueError(f"document {document.id} has an unexpected stored name")
    return upload_folder() / document.stored_name


def send_document(document: Document) -> Response:
    """The document's file as an attachment (never shown inline), not cached, sandboxed,
    under its original name with the extension of its stored format."""
    path = document_path(document)
    if not path.is_file():
        current_app.logger.error("File of document %s is missing at %s", document.id, path)
        abort(404)
    fmt = STORED_FORMATS[path.suffix.lstrip(".")]
    response = send_file(
        path,
        mimetype=MEDIA_TYPES[fmt],
        as_attachment=True,
        download_name=clean_filename(document.original_name, fmt),
        max_age=0,
        etag=document.sha256,
    )
    return as_download(response)


@event.listens_for(Session, "after_commit")
def _keep_committed(session: Session) -> None:
    session.info.pop(NEW_FILES_KEY, None)


@event.listens_for(Session, "after_transaction_end")
def _forget_uncommitted(session: Session, transaction) -> None:
    if transaction.parent is not None:
        return
    for path in session.info.pop(NEW_FILES_KEY, []):
        Path(path).unlink(missing_ok=True)


def remove_stored_files(stored_names: list[str]) -> int:
    """Delete the files behind documents that no longer exist; the number removed."""
    removed = 0
    for name in stored_names:
        if STORED_NAME.match(name or ""):
            path = upload_folder() / name
            if path.is_file():
                path.unlink()
                removed += 1
    return removed
