"""Who may upload and open documents."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app

from clerkship.accounts.models import User
from clerkship.documents.models import Document, DocumentKind

# Who may open a document depends on features above documents, which hand their rule over
# when the app starts: whether a student may read a letter about them (letters: not when
# they waived that right) and which staff see a student's documents (applications: those
# of a department the student applied to).
LetterReadable = Callable[[Document], bool]
StaffAccess = Callable[[User, Document], bool]
LETTER_READABLE_KEY = "clerkship.documents.letter_readable"
STAFF_ACCESS_KEY = "clerkship.documents.staff_access"


def register_letter_readable(app: Flask, rule: LetterReadable) -> None:
    """Tell documents whether a letter may be read by the student it is about."""
    app.extensions[LETTER_READABLE_KEY] = rule


def register_staff_access(app: Flask, rule: StaffAccess) -> None:
    """Tell documents which staff may open a student's documents."""
    app.extensions[STAFF_ACCESS_KEY] = rule


def can_upload_documents(user: User) -> bool:
    """Students with a confirmed email address upload their documents."""
    return user.is_authenticated and user.is_student and user.is_verified


def can_open_document(user: User, document: Document) -> bool:
    """The owner (a waived letter excepted); staff of a department the owner has applied to."""
    if not user.is_authenticated:
        return False
    if document.owner_id == user.id:
        if document.kind != DocumentKind.LETTER:
            return True
        letter_readable = current_app.extensions.get(LETTER_READABLE_KEY)
        return letter_readable is not None and letter_readable(document)
    staff_access = current_app.extensions.get(STAFF_ACCESS_KEY)
    return staff_access is not None and staff_access(user, document)
