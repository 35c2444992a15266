"""Changes the rosters feature makes: export audit events, a coordinator's decisions on
placed students' documents (verify, send back, undo, verify a selection), reminders."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from clerkship.accounts.models import User
from clerkship.allocation.models import Placement, PlacementState
from clerkship.applications.checklist import required_kinds
from clerkship.applications.models import Application
from clerkship.audit.services import record_event
from clerkship.core.rules import RuleViolation
from clerkship.core.time import utcnow
from clerkship.core.urls import external_url
from clerkship.cycles.models import Cycle, Department
from clerkship.documents.models import Document
from clerkship.extensions import db
from clerkship.outbox.services import queue_email
from clerkship.rosters import compliance
from clerkship.rosters.compliance import ItemStatus
from clerkship.rosters.exports import FORMATS, Export
from clerkship.rosters.models import ComplianceReminder

EXPORTED = "rosters.exported"
VERIFIED = "rosters.document_verified"
REJECTED = "rosters.document_rejected"
UNDONE = "rosters.document_decision_undone"
DECISIONS = {"verified": "verification", "rejected": "sending back"}
REMINDED = "rosters.compliance_reminded"


def record_export(export: Export, fmt: str, *, by: User | None) -> None:
    """Write the audit event naming who exported what, in which format (before the file goes out)."""
    if fmt not in FORMATS:
        raise RuleViolation("Choose CSV, CSV for Excel or XLSX.", field="format")
    record_event(
        EXPORTED,
        by=by,
        summary=f"Exported {export.title} as {FORMATS[fmt]}",
        kind=export.kind,
        format=fmt,
        **export.detail,
    )
    db.session.flush()


def placement_of(document: Document, department: Department) -> Placement | None:
    """The held placement in department of the document's owner, in the document's cycle."""
    return db.session.scalar(
        select(Placement)
        .join(Placement.application)
        .where(
            Application.student_id == document.owner_id,
            Application.cycle_id == document.cycle_id,
            Application.department_id == department.id,
            Placement.state == PlacementState.HELD,
        )
        .limit(1)
    )


def _check_decidable(document: Document, department: Department) -> None:
    """Refuse a decision on a document that is not a placed student's current required one.

    The document's row is locked and read again first, so that of two decisions sent at
    once (a double submit, two coordinators) the second sees the first.
    """
    db.session.refresh(document, with_for_update=True)
    if document.redacted:
        raise RuleViolation("A redacted copy is for reviewers; decide on the document itself.")
    if document.replaced_at is not None:
        raise RuleViolation(
            "This document has been replaced by a new version; decide on the student's current one."
        )
    if document.kind not in required_kinds(department):
        raise RuleViolation(f"{department.name} does not require a {document.kind.label.lower()}.")
    if placement_of(document, department) is None:
        raise RuleViolation(f"The student holds no seat in {department.name}.")


def _mark_verified(document: Document, department: Department, by: User) -> None:
    document.verified_at = utcnow()
    document.verified_by_id = by.id
    record_event(
        VERIFIED,
        by=by,
        target=document,
        subject=document.owner,
        summary=f"Verified {document.kind.label} for {department.name}",
        department=department.slug,
    )


def verify_document(document: Document, department: Department, *, by: User) -> bool:
    """Mark a placed student's required document verified; False when it already was."""
    _check_decidable(document, department)
    if document.verified_at is not None:
        return False
    if document.rejected_at is not None:
        raise RuleViolation(
            "This document was sent back to the student; undo that first to verify it."
        )
    _mark_verified(document, department, by)
    db.session.flush()
    return True


def reject_document(document: Document, department: Department, *, reason: str, by: User) -> bool:
    """Send a placed student's document back with a reason: the student is emailed (and sees
    it in their messages and on their documents page) and asked for a new version.

    False when it was already sent back (a second submit emails nobody again).
    """
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation("Say why the document is sent back; the student reads it.", "reason")
    _check_decidable(document, department)
    if document.rejected_at is not None:
        return False
    if document.verified_at is not None:
        raise RuleViolation("This document is verified; undo the verification first.")
    document.rejected_at = utcnow()
    document.rejected_by_id = by.id
    document.rejection_reason = reason
    record_event(
        REJECTED,
        by=by,
        target=document,
        subject=document.owner,
        summary=f"Sent back {document.kind.label} for {department.name}: {reason}",
        department=department.slug,
        reason=reason,
    )
    queue_email(
        document.owner.email,
        f"{department.name}: please upload a new {document.kind.label.lower()}",
        "document_rejected",
        recipient=document.owner,
        department=department,
        document=document,
        reason=reason,
        link=external_url("documents.index"),
    )
    db.session.flush()
    return True


def undo_decision(
    document: Document, department: Department, *, decision: str, reason: str, by: User
) -> None:
    """Undo a verification or a sending back, with a reason kept in the audit log.

    decision is the one the coordinator saw ("verified" or "rejected"): if the document
    changed since, nothing is undone. Undoing a sending back tells the student that no new
    version is needed after all.
    """
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation(
            "Say why the decision is undone; it is kept in the audit log.", "reason"
        )
    _check_decidable(document, department)
    current = (
        "verified"
        if document.verified_at is not None
        else "rejected"
        if document.rejected_at is not None
        else None
    )
    if decision not in DECISIONS or current != decision:
        raise RuleViolation(
            "This document changed since the page was loaded; look at it again before undoing."
        )
    if decision == "verified":
        document.verified_at = None
        document.verified_by_id = None
    else:
        document.rejected_at = None
        document.rejected_by_id = None
        document.rejection_reason = None
    record_event(
        UNDONE,
        by=by,
        target=document,
        subject=document.owner,
        summary=f"Undid the {DECISIONS[decision]} of {document.kind.label} "
        f"for {department.name}: {reason}",
        department=department.slug,
        undone=decision,
        reason=reason,
    )
    if decision == "rejected":
        queue_email(
            document.owner.email,
            f"{department.name}: your {document.kind.label.lower()} is not sent back after all",
            "document_rejection_withdrawn",
            recipient=document.owner,
            department=department,
            document=document,
            link=external_url("documents.index"),
        )
    db.session.flush()


@dataclass(frozen=True)
class BulkVerification:
    """What a bulk verification did: the documents verified, and those refused with why."""

    verified: list[str]
    refused: list[tuple[str, str]]


REFUSALS = {
    ItemStatus.VERIFIED: "already verified",
    ItemStatus.REJECTED: "sent back to the student; undo that first",
    ItemStatus.EXPIRED: "expires before the block starts",
    ItemStatus.EXPIRES_DURING: "expires during the block",
}


def verify_selected(
    department: Department,
    students: list[compliance.PlacedStudent],
    ticked: Iterable[int] | None,
    *,
    by: User,
) -> BulkVerification:
    """Verify the ticked documents (None: every document awaiting verification) among the
    placed students of the list, as the rule judges them now.

    A ticked document that is not awaiting verification (already verified, sent back,
    expiring, replaced or no longer on the list) is named with why and left as it is; the
    others are all verified together (the request commits them at once, or nothing).
    """
    items = {i.document.id: (s, i) for s in students for i in s.items if i.document is not None}
    waiting = compliance.waiting_document_ids(students)
    wanted = sorted(waiting) if ticked is None else list(dict.fromkeys(ticked))
    refused: list[tuple[str, str]] = []
    allowed: list[int] = []
    for document_id in wanted:
        student, item = items.get(document_id, (None, None))
        if item is None:
            refused.append(
                (
                    _stranger(document_id, students),
                    "no longer on this list: replaced "
                    "by a new version or changed since the page was loaded",
                )
            )
        elif document_id not in waiting:
            refused.append((f"{item.kind.label} of {student.name}", REFUSALS[item.status]))
        else:
            allowed.append(document_id)
    verified = []
    if allowed:
        documents = db.session.scalars(
            select(Document)
            .where(Document.id.in_(allowed))
            .with_for_update()
            .execution_options(populate_existing=True)
        ).all()
        for document in sorted(documents, key=lambda d: allowed.index(d.id)):
            student, item = items[document.id]
            # Locked and read again: a decision another request made meanwhile wins.
            if document.verified_at is not None or document.rejected_at is not None:
                refused.append((f"{item.kind.label} of {student.name}", "changed meanwhile"))
                continue
            _mark_verified(document, department, by)
            verified.append(f"{item.kind.label} of {student.name}")
        db.session.flush()
    return BulkVerification(verified, refused)


def _stranger(document_id: int, students: list[compliance.PlacedStudent]) -> str:
    """How to name a ticked document that is not on the list (only if its owner is)."""
    names = {s.student_id: s.name for s in students}
    document = db.session.get(Document, document_id)
    if document is None or document.owner_id not in names:
        return "A document"
    return f"{document.kind.label} of {names[document.owner_id]}"


def send_compliance_reminders(
    department: Department, cycle: Cycle, *, today: date, by: User | None
) -> int:
    """Email each placed student who must upload or renew a document (once a day at most).

    Blocks that have ended are skipped. Returns how many students were reminded.
    """
    placements = compliance.placed(department, cycle, today=today)
    already = set(
        db.session.scalars(
            select(ComplianceReminder.placement_id).where(
                ComplianceReminder.sent_on == today,
                ComplianceReminder.placement_id.in_([p.id for p in placements]),
            )
        )
    )
    sent = 0
    for state in compliance.compliance_of(department, placements):
        items = state.student_items
        placement = state.placement
        if not items or placement.id in already:
            continue
        # A savepoint: a reminder another process just sent today skips this one only.
        try:
            with db.session.begin_nested():
                db.session.add(
                    ComplianceReminder(
                        placement_id=placement.id,
                        sent_on=today,
                        items=[f"{i.kind.value}:{i.status.value}" for i in items],
                    )
                )
        except IntegrityError:
            continue
        queue_email(
            placement.application.student.email,
            f"Documents needed before your {department.name} rotation",
            "compliance_reminder",
            recipient=placement.application.student,
            department=department,
            application=placement.application,
            placement=placement,
            items=items,
            link=external_url("documents.index"),
        )
        record_event(
            REMINDED,
            by=by,
            target=placement,
            subject=placement.application.student,
            summary=f"Compliance reminder: {', '.join(i.kind.label for i in items)}",
            department=department.slug,
        )
        sent += 1
    db.session.flush()
    return sent
