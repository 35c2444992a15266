"""Changes the rosters feature makes: export audit events, verifications, reminders."""

from __future__ import annotations

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
from clerkship.rosters.exports import FORMATS, Export
from clerkship.rosters.models import ComplianceReminder

EXPORTED = "rosters.exported"
VERIFIED = "rosters.document_verified"
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


def verify_document(document: Document, department: Department, *, by: User) -> bool:
    """Mark a placed student's required document verified; False when it already was."""
    if document.replaced_at is not None:
        raise RuleViolation("This document has been replaced; verify the student's current one.")
    if document.kind not in required_kinds(department):
        raise RuleViolation(f"{department.name} does not require a {document.kind.label.lower()}.")
    if placement_of(document, department) is None:
        raise RuleViolation(f"The student holds no seat in {department.name}.")
    if document.verified_at is not None:
        return False
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
    db.session.flush()
    return True


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
