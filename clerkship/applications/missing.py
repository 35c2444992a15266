"""What an application still lacks for the department: required documents, documents that
expire before its first chosen block, letters (the reminders an applicant list sends).

This is the applicant's side. A placed student's onboarding documents, measured against the
block they hold and verified by a coordinator, have their own rule: rosters.compliance.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from clerkship.applications.checklist import required_kinds
from clerkship.applications.models import Application, ApplicationState
from clerkship.cycles.models import Cycle, Department
from clerkship.documents.models import Document, DocumentKind
from clerkship.extensions import db
from clerkship.letters.queries import received_letters_by_student

S = ApplicationState
# States in which an application is still in play for the department.
ACTIVE_STATES = (S.SUBMITTED, S.UNDER_REVIEW, S.WAITLISTED, S.OFFERED, S.ACCEPTED)


@dataclass
class MissingItems:
    """What one applicant still owes the department."""

    application: Application
    first_day: date | None
    missing: list[DocumentKind]
    expiring: list[Document]
    letters_received: int

    @property
    def ok(self) -> bool:
        return (
            not self.missing
            and not self.expiring
            and self.letters_received >= self.application.department.letters_required
        )


def missing_items(
    department: Department, cycle: Cycle, applications: list[Application]
) -> list[MissingItems]:
    """What each application lacks (two queries, whatever the number of applications)."""
    student_ids = [a.student_id for a in applications]
    documents: dict[int, dict[DocumentKind, Document]] = defaultdict(dict)
    if student_ids:
        for document in db.session.scalars(
            select(Document).where(
                Document.owner_id.in_(student_ids),
                Document.cycle_id == cycle.id,
                Document.replaced_at.is_(None),
                Document.redacted.is_(False),  # a reviewer's redacted copy is not the document
                Document.kind != DocumentKind.LETTER,
            )
        ):
            documents[document.owner_id][document.kind] = document
    letters = received_letters_by_student(student_ids, cycle)
    kinds = required_kinds(department)
    rows = []
    for application in applications:
        first_day = min((c.block.starts_on for c in application.choices), default=None)
        held = documents.get(application.student_id, {})
        expiring = [
            d
            for d in held.values()
            if d.expires_on is not None and first_day is not None and d.expires_on < first_day
        ]
        rows.append(
            MissingItems(
                application=application,
                first_day=first_day,
                missing=[k for k in kinds if k not in held],
                expiring=sorted(expiring, key=lambda d: d.expires_on),
                letters_received=letters.get(application.student_id, 0),
            )
        )
    return rows
