"""Reads of letter requests."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from sqlalchemy import func, select

from clerkship.accounts.models import User
from clerkship.cycles.models import Cycle
from clerkship.documents.models import Document
from clerkship.extensions import db
from clerkship.letters.models import LetterRequest, LetterState


def token_hash(token: str) -> str:
    """The SHA-256 of a link token, as stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def letter_requests(student: User, cycle: Cycle) -> list[LetterRequest]:
    """The student's letter requests in cycle, oldest first (cancelled ones included)."""
    return list(
        db.session.scalars(
            select(LetterRequest)
            .where(LetterRequest.student_id == student.id, LetterRequest.cycle_id == cycle.id)
            .order_by(LetterRequest.requested_at, LetterRequest.id)
        )
    )


def letter_counts(student: User, cycle: Cycle) -> tuple[int, int]:
    """(received, still requested) letters of the student in cycle."""
    rows = db.session.execute(
        select(LetterRequest.state, func.count(LetterRequest.id))
        .where(LetterRequest.student_id == student.id, LetterRequest.cycle_id == cycle.id)
        .group_by(LetterRequest.state)
    )
    counts = dict(rows.all())
    return counts.get(LetterState.RECEIVED, 0), counts.get(LetterState.REQUESTED, 0)


def received_letters_by_student(student_ids: list[int], cycle: Cycle) -> dict[int, int]:
    """How many letters each of these students has received in cycle."""
    if not student_ids:
        return {}
    rows = db.session.execute(
        select(LetterRequest.student_id, func.count(LetterRequest.id))
        .where(
            LetterRequest.student_id.in_(student_ids),
            LetterRequest.cycle_id == cycle.id,
            LetterRequest.state == LetterState.RECEIVED,
        )
        .group_by(LetterRequest.student_id)
    )
    return dict(rows.all())


def letter_by_token(token: str) -> LetterRequest | None:
    """The request a writer's link points to, whatever its state."""
    if not token or len(token) > 200:
        return None
    return db.session.scalar(
        select(LetterRequest).where(LetterRequest.token_hash == token_hash(token))
    )


def writer_emails(student_ids: Iterable[int]) -> list[tuple[int, str]]:
    """(student id, lower-cased writer email) of every letter requested by these students.

    The reviews feature uses it to find conflicts: a reviewer who wrote a student's letter.
    """
    ids = list(student_ids)
    if not ids:
        return []
    return [
        (student_id, email.lower())
        for student_id, email in db.session.execute(
            select(LetterRequest.student_id, LetterRequest.writer_email).where(
                LetterRequest.student_id.in_(ids)
            )
        )
    ]


def letter_readable_by_student(document: Document) -> bool:
    """Whether the student may read this letter: it answers a request whose right was not waived."""
    return bool(
        db.session.scalar(
            select(LetterRequest.id).where(
                LetterRequest.document_id == document.id, LetterRequest.waived.is_(False)
            )
        )
    )
