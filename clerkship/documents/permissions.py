"""Who may upload and open documents."""

from __future__ import annotations

from sqlalchemy import exists, select

from clerkship.accounts.models import Role, User
from clerkship.applications.models import Application, ApplicationState
from clerkship.documents.models import Document, DocumentKind
from clerkship.extensions import db
from clerkship.letters.models import LetterRequest


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
        return bool(
            db.session.scalar(
                select(LetterRequest.id).where(
                    LetterRequest.document_id == document.id, LetterRequest.waived.is_(False)
                )
            )
        )
    # Staff see a student's documents once the student has applied to them (not in a draft);
    # administrators once the student has applied anywhere.
    departments = user.department_ids(Role.DIRECTOR, Role.COORDINATOR)
    if not departments and not user.is_admin:
        return False
    applied = exists().where(
        Application.student_id == document.owner_id,
        Application.cycle_id == document.cycle_id,
        Application.state != ApplicationState.DRAFT,
    )
    if not user.is_admin:
        applied = applied.where(Application.department_id.in_(departments))
    return bool(db.session.scalar(select(applied)))
