"""Where uploaded files live: checked by content, stored under random names, sent as attachments.

Every other feature reads and writes files only through save_upload, send_document
and remove_stored_files. The bytes live in the configured backend (documents/backends.py):
<instance>/uploads/ (or UPLOAD_FOLDER), outside any static folder, or a private S3 bucket;
either way only a permission-checked route sends them, streamed through the app. A file
saved in a transaction that does not commit is deleted again, so a refused or failed
request leaves nothing behind; a store that cannot be reached refuses the upload with a
message next to the field before any row is written.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from flask import Response, abort, current_app, send_file
from sqlalchemy import event
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage

from clerkship.core.downloads import as_download, as_inline_view
from clerkship.core.rules import RuleViolation
from clerkship.documents.backends import (
    StorageBackend,
    StorageUnavailable,
    StoredObjectMissing,
    backend,
)
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
    store = backend()
    # Beside the files for the local store (moved in place atomically), else a temporary folder.
    folder = upload_folder() if store.name == "local" else Path(tempfile.gettempdir())
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
        try:
            store.put(temporary, stored_name, content_type=MEDIA_TYPES[fmt])
        except StorageUnavailable:
            current_app.logger.exception("Could not store an upload (%s store)", store.name)
            raise RuleViolation(
                "We could not store your file just now: our document store did not answer. "
                "Nothing was saved; please try again in a few minutes.",
                field="file",
            ) from None
    finally:
        temporary.unlink(missing_ok=True)
    db.session.info.setdefault(NEW_FILES_KEY, []).append(stored_name)
    return StoredFile(
        stored_name=stored_name,
        original_name=clean_filename(file_storage.filename, fmt),
        content_type=MEDIA_TYPES[fmt],
        size_bytes=size,
        sha256=digest.hexdigest(),
        format=fmt,
    )


def checked_name(document: Document) -> str:
    """A document's stored name, checked (never trusted) before it names a file or object."""
    if not STORED_NAME.match(document.stored_name or ""):
        raise ValueError(f"document {document.id} has an unexpected stored name")
    return document.stored_name


def document_path(document: Document) -> Path:
    """Where a document's file is on disk, with the local store (tests and the demo)."""
    return upload_folder() / checked_name(document)


def send_document(document: Document, *, inline: bool = False) -> Response:
    """The document's file as an attachment, not cached, sandboxed, under its original name
    with the extension of its stored format; streamed from the store through the app,
    whichever store it is. inline: shown in a frame of our own pages instead (core.downloads)."""
    name = checked_name(document)
    try:
        stream, size = backend().open(name)
    except StoredObjectMissing:
        current_app.logger.error("File of document %s is missing (%s)", document.id, name)
        abort(404)
    except StorageUnavailable:
        current_app.logger.exception("Could not read the file of document %s", document.id)
        abort(503)
    fmt = STORED_FORMATS[name.rsplit(".", 1)[1]]
    response = send_file(
        stream,
        mimetype=MEDIA_TYPES[fmt],
        as_attachment=not inline,
        download_name=clean_filename(document.original_name, fmt),
        max_age=0,
        etag=document.sha256,
    )
    response.content_length = size
    return as_inline_view(response) if inline else as_download(response)


@event.listens_for(Session, "after_commit")
def _keep_committed(session: Session) -> None:
    session.info.pop(NEW_FILES_KEY, None)


@event.listens_for(Session, "after_transaction_end")
def _forget_uncommitted(session: Session, transaction) -> None:
    if transaction.parent is not None:
        return
    names = session.info.pop(NEW_FILES_KEY, [])
    if not names:
        return
    store = backend()
    for name in names:
        try:
            store.delete(name)
        except StorageUnavailable:
            # The row was never committed: an orphan object that no row names, never served.
            current_app.logger.exception("Could not delete the uncommitted file %s", name)


def remove_stored_files(stored_names: list[str]) -> int:
    """Delete the files behind documents that no longer exist; the number removed."""
    store = backend()
    return sum(1 for name in stored_names if STORED_NAME.match(name or "") and store.delete(name))


@dataclass
class MoveReport:
    """What move_documents did: copied, already there, and the failures with their reason."""

    copied: int = 0
    present: int = 0
    failed: list[str] = field(default_factory=list)


def _sha256_of(stream) -> tuple[str, Path]:
    """Copy a stream into a temporary file; its sha256 and the file."""
    digest = hashlib.sha256()
    handle = tempfile.NamedTemporaryFile(prefix=".move-", delete=False)  # noqa: SIM115
    with handle, stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
            handle.write(chunk)
    return digest.hexdigest(), Path(handle.name)


def _stored_sha256(store: StorageBackend, name: str) -> str:
    checksum, path = _sha256_of(store.open(name)[0])
    path.unlink(missing_ok=True)
    return checksum


def move_documents(
    documents: list[Document], source: StorageBackend, target: StorageBackend
) -> MoveReport:
    """Copy every document's file from source to target, each verified by its sha256 on
    both sides; a file already in target with the right checksum is left (safe to repeat).
    The source keeps its files: switch STORAGE_BACKEND, then remove them."""
    report = MoveReport()
    for document in documents:
        name = checked_name(document)
        try:
            if target.exists(name) and _stored_sha256(target, name) == document.sha256:
                report.present += 1
                continue
            checksum, path = _sha256_of(source.open(name)[0])
            try:
                if checksum != document.sha256:
                    report.failed.append(
                        f"document {document.id}: the source file's checksum differs"
                    )
                    continue
                target.put(path, name, content_type=document.content_type)
            finally:
                path.unlink(missing_ok=True)
            if _stored_sha256(target, name) != document.sha256:
                report.failed.append(f"document {document.id}: the copy's checksum differs")
                continue
            report.copied += 1
        except StoredObjectMissing:
            report.failed.append(f"document {document.id}: no file {name} in the source")
        except StorageUnavailable as error:
            report.failed.append(f"document {document.id}: {error}")
    return report
