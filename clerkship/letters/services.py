"""Every change to letter requests: asking a writer, resending, cancelling, receiving the letter."""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from clerkship.accounts.models import User
from clerkship.accounts.queries import lock_user
from clerkship.audit.services import record_event
from clerkship.core.rules import RuleViolation
from clerkship.core.time import utcnow
from clerkship.core.urls import external_url
from clerkship.cycles.models import Cycle
from clerkship.documents.models import Document, DocumentKind
from clerkship.documents.storage import save_upload
from clerkship.extensions import db
from clerkship.letters.models import LetterRequest, LetterState
from clerkship.letters.queries import letter_by_token, token_hash
from clerkship.outbox.services import queue_email

MAX_REQUESTS = 10  # live requests per student and cycle


class LinkProblem(Exception):
    """A writer's link that cannot be used: reason is "used", "expired", "cancelled" or "invalid"."""

    def __init__(self, reason: str, letter: LetterRequest | None = None):
        super().__init__(reason)
        self.reason = reason
        self.letter = letter


def _send_link(letter: LetterRequest) -> None:
    token = secrets.token_urlsafe(32)
    days = current_app.config["LETTER_LINK_DAYS"]
    letter.token_hash = token_hash(token)
    letter.link_expires_at = utcnow() + timedelta(days=days)
    letter.last_sent_at = utcnow()
    queue_email(
        letter.writer_email,
        f"Letter of recommendation for {letter.student.full_name}",
        "letter_request",
        secret=True,
        letter=letter,
        link=external_url("letters.upload", token=token),
        expires_at=letter.link_expires_at,
    )


def request_letter(
    student: User, cycle: Cycle, *, writer_name: str, writer_email: str, waived: bool, by: User
) -> LetterRequest:
    """Ask a writer for a letter: they get a single-use upload link that expires."""
    email = writer_email.strip().lower()
    if email == student.email:
        raise RuleViolation(
            "A letter of recommendation must come from someone else; enter your writer's email.",
            field="writer_email",
        )
    lock_user(student)
    live = list(
        db.session.scalars(
            select(LetterRequest).where(
                LetterRequest.student_id == student.id,
                LetterRequest.cycle_id == cycle.id,
                LetterRequest.state != LetterState.CANCELLED,
            )
        )
    )
    if any(letter.writer_email == email for letter in live):
        raise RuleViolation(
            f"You have already asked {email}. Use “Send again” next to that request instead.",
            field="writer_email",
        )
    if len(live) >= MAX_REQUESTS:
        raise RuleViolation(f"You can have at most {MAX_REQUESTS} letter requests in a cycle.")
    letter = LetterRequest(
        student=student,
        cycle=cycle,
        writer_name=writer_name.strip(),
        writer_email=email,
        waived=waived,
    )
    _send_link(letter)  # sets the link's token hash and expiry before the row is written
    db.session.add(letter)
    db.session.flush()
    record_event(
        "letter.request",
        by=by,
        target=letter,
        subject=student,
        summary=f"Letter requested from {letter.writer_name} <{email}>",
        waived=waived,
    )
    return letter


def resend_letter_request(letter: LetterRequest, *, by: User) -> None:
    """Email the writer a new link; the earlier link stops working."""
    if letter.state != LetterState.REQUESTED:
        raise RuleViolation(
            f"This request is {letter.state.label.lower()}; there is nothing to resend."
        )
    _send_link(letter)
    record_event("letter.resend", by=by, target=letter, subject=letter.student)


def cancel_letter_request(letter: LetterRequest, *, by: User) -> None:
    """Withdraw a request that has not been answered; its link stops working."""
    if letter.state != LetterState.REQUESTED:
        raise RuleViolation(
            f"This request is {letter.state.label.lower()}; only a waiting request can be cancelled."
        )
    letter.state = LetterState.CANCELLED
    record_event("letter.cancel", by=by, target=letter, subject=letter.student)


def letter_for_link(token: str) -> LetterRequest:
    """The request behind a writer's link, or LinkProblem saying why it cannot be used."""
    letter = letter_by_token(token)
    if letter is None:
        raise LinkProblem("invalid")
    if letter.state == LetterState.RECEIVED:
        raise LinkProblem("used", letter)
    if letter.state == LetterState.CANCELLED:
        raise LinkProblem("cancelled", letter)
    if letter.link_expires_at <= utcnow():
        raise LinkProblem("expired", letter)
    return letter


def receive_letter(token: str, file_storage: FileStorage | None) -> LetterRequest:
    """Store the writer's PDF as the student's letter; the link then stops working."""
    letter = letter_for_link(token)
    # Lock and re-read: of two uploads through one link, only the first is kept.
    letter = db.session.scalars(
        select(LetterRequest)
        .where(LetterRequest.id == letter.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    letter = letter_for_link(token)
    stored = save_upload(file_storage, kind=DocumentKind.LETTER)
    document = Document(
        owner_id=letter.student_id,
        cycle_id=letter.cycle_id,
        kind=DocumentKind.LETTER,
        **stored.document_fields,
        uploaded_by_id=None,
    )
    db.session.add(document)
    db.session.flush()
    letter.document = document
    letter.state = LetterState.RECEIVED
    letter.received_at = utcnow()
    record_event(
        "letter.receive",
        by=None,
        target=letter,
        subject=letter.student,
        summary=f"Letter received from {letter.writer_name} <{letter.writer_email}>",
        sha256=stored.sha256,
    )
    queue_email(
        letter.student.email,
        f"Your letter from {letter.writer_name} has arrived",
        "letter_received",
        recipient=letter.student,
        letter=letter,
        link=external_url("applications.index"),
    )
    return letter
