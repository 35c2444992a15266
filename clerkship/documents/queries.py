"""Reads of documents shared by applications, awards, reviews and compliance."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app
from sqlalchemy import select

from clerkship.accounts.models import User
from clerkship.cycles.models import Cycle, Department
from clerkship.documents.models import Document, DocumentKind
from clerkship.extensions import db


def current_documents(
    student: User, cycle: Cycle, *, redacted: bool = False
) -> dict[DocumentKind, Document]:
    """The student's current document of each kind in cycle (letters excluded); with
    redacted=True their current redacted copies instead."""
    rows = db.session.scalars(
        select(Document).where(
            Document.owner_id == student.id,
            Document.cycle_id == cycle.id,
            Document.replaced_at.is_(None),
            Document.kind != DocumentKind.LETTER,
            Document.redacted.is_(redacted),
        )
    )
    return {document.kind: document for document in rows}


def current_document(
    student: User, cycle: Cycle, kind: DocumentKind, *, redacted: bool = False
) -> Document | None:
    """The student's current document of one kind in cycle (or its redacted copy), if any."""
    return current_documents(student, cycle, redacted=redacted).get(kind)


# Which kinds a department's reviewers see only as redacted copies depends on the review
# round, a feature above documents: reviews hands the rule over when the app starts.
RedactionWanted = Callable[[Department, Cycle], frozenset[DocumentKind]]
REDACTION_WANTED_KEY = "clerkship.documents.redaction_wanted"


def register_redaction_wanted(app: Flask, rule: RedactionWanted) -> None:
    """Tell documents which kinds a department's blinded reviewers see only redacted."""
    app.extensions[REDACTION_WANTED_KEY] = rule


def redacted_copies_wanted(department: Department, cycle: Cycle) -> frozenset[DocumentKind]:
    """The kinds of which the department's reviewers, while blinded, see only a redacted copy."""
    rule = current_app.extensions.get(REDACTION_WANTED_KEY)
    return rule(department, cycle) if rule is not None else frozenset()
