"""Reads of documents shared by applications, awards, reviews and compliance."""

from __future__ import annotations

from sqlalchemy import select

from clerkship.accounts.models import User
from clerkship.cycles.models import Cycle
from clerkship.documents.models import Document, DocumentKind
from clerkship.extensions import db


def current_documents(student: User, cycle: Cycle) -> dict[DocumentKind, Document]:
    """The student's current document of each kind in cycle (letters excluded)."""
    rows = db.session.scalars(
        select(Document).where(
            Document.owner_id == student.id,
            Document.cycle_id == cycle.id,
            Document.replaced_at.is_(None),
            Document.kind != DocumentKind.LETTER,
        )
    )
    return {document.kind: document for document in rows}


def current_document(student: User, cycle: Cycle, kind: DocumentKind) -> Document | None:
    """The student's current document of one kind in cycle, if any."""
    return current_documents(student, cycle).get(kind)
