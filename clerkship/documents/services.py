"""Every change to a student's documents."""

from __future__ import annotations

from datetime import date

from werkzeug.datastructures import FileStorage

from clerkship.accounts.models import User
from clerkship.accounts.queries import lock_user
from clerkship.audit.services import record_event
from clerkship.core.rules import RuleViolation
from clerkship.core.time import local_today, utcnow
from clerkship.cycles.models import Cycle
from clerkship.documents.models import Document, DocumentKind
from clerkship.documents.queries import current_document
from clerkship.documents.storage import save_upload
from clerkship.extensions import db


def check_expiry(kind: DocumentKind, expires_on: date | None) -> date | None:
    """The expiry date to keep for kind: required and not past for expiring kinds, else None."""
    if not kind.expires:
        return None
    if expires_on is None:
        raise RuleViolation(
            f"Enter the date your {kind.label.lower()} expires (YYYY-MM-DD).", field="expires_on"
        )
    if expires_on < local_today():
        raise RuleViolation(
            f"This {kind.label.lower()} expired on {expires_on:%b %-d, %Y}; upload a current one.",
            field="expires_on",
        )
    return expires_on


def upload_document(
    student: User,
    cycle: Cycle,
    *,
    kind: DocumentKind,
    file_storage: FileStorage | None,
    expires_on: date | None,
    by: User,
    redacted: bool = False,
) -> Document:
    """Store a student's document of kind for cycle; an earlier one of that kind is kept as history.

    redacted: a copy with the name and school blacked out, shown to blinded reviewers in
    place of the student's current document of that kind.
    """
    if kind == DocumentKind.LETTER:
        raise RuleViolation(
            "Letters of recommendation are uploaded by their writers; request one instead.",
            field="kind",
        )
    if redacted and not kind.rules.redactable:
        raise RuleViolation(
            f"A {kind.label.lower()} has no redacted copy; only a CV or a transcript does.",
            field="redacted",
        )
    expires_on = check_expiry(kind, expires_on)
    lock_user(student)  # one upload per student at a time keeps "one current per kind"
    if redacted and current_document(student, cycle, kind) is None:
        raise RuleViolation(
            f"Upload your {kind.label.lower()} first; the redacted copy stands in for it.",
            field="redacted",
        )
    stored = save_upload(file_storage, kind=kind)
    previous = current_document(student, cycle, kind, redacted=redacted)
    if previous is not None:
        previous.replaced_at = utcnow()
        db.session.flush()
    document = Document(
        owner=student,
        cycle=cycle,
        kind=kind,
        **stored.document_fields,
        expires_on=expires_on,
        uploaded_by_id=by.id,
        redacted=redacted,
    )
    db.session.add(document)
    db.session.flush()
    record_event(
        "document.replace" if previous else "document.upload",
        by=by,
        target=document,
        subject=student,
        summary=f"{document.label}: {stored.original_name}",
        kind=kind.value,
        redacted=redacted,
        sha256=stored.sha256,
        size_bytes=stored.size_bytes,
        replaces=previous.id if previous else None,
    )
    return document


def record_download(document: Document, *, by: User, context: str) -> None:
    """Leave an audit event when someone other than its owner opens a student's document."""
    if by.id == document.owner_id:
        return
    record_event(
        "document.download",
        by=by,
        target=document,
        subject=document.owner,
        summary=f"{document.kind.label}: {document.original_name} ({context})",
        context=context,
    )
    db.session.flush()


def record_packet_download(
    student: User, *, by: User, target, documents: list[Document], context: str
) -> None:
    """Leave an audit event for a printable packet of a student's documents, naming them."""
    record_event(
        "application.packet_download",
        by=by,
        target=target,
        subject=student,
        summary=f"Application packet with {len(documents)} document(s) ({context})",
        context=context,
        documents=[document.kind.label for document in documents],
    )
    db.session.flush()
