"""Reads for the coordinators' compliance view: who still owes which document or letter."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, exists, false, func, or_, select

from clerkship.accounts.models import User
from clerkship.applications.checklist import required_kinds
from clerkship.applications.models import Application, ApplicationChoice, ApplicationState
from clerkship.cycles.models import Block, Cycle, Department
from clerkship.documents.models import Document, DocumentKind
from clerkship.extensions import db
from clerkship.letters.models import LetterRequest, LetterState
from clerkship.letters.queries import received_letters_by_student

S = ApplicationState
# States in which an application is still in play for the department.
ACTIVE_STATES = (S.SUBMITTED, S.UNDER_REVIEW, S.WAITLISTED, S.OFFERED, S.ACCEPTED)


def _earliest_start():
    return (
        select(func.min(Block.starts_on))
        .join(ApplicationChoice, ApplicationChoice.block_id == Block.id)
        .where(ApplicationChoice.application_id == Application.id)
        .scalar_subquery()
    )


def _has_current(kind: DocumentKind):
    return exists().where(
        Document.owner_id == Application.student_id,
        Document.cycle_id == Application.cycle_id,
        Document.kind == kind,
        Document.replaced_at.is_(None),
    )


def _expiring():
    return exists().where(
        Document.owner_id == Application.student_id,
        Document.cycle_id == Application.cycle_id,
        Document.replaced_at.is_(None),
        Document.expires_on.is_not(None),
        Document.expires_on < _earliest_start(),
    )


def _letters_short(department: Department):
    received = (
        select(func.count(LetterRequest.id))
        .where(
            LetterRequest.student_id == Application.student_id,
            LetterRequest.cycle_id == Application.cycle_id,
            LetterRequest.state == LetterState.RECEIVED,
        )
        .scalar_subquery()
    )
    return received < department.letters_required


COMPLIANCE_FILTERS = {
    "": "Everyone",
    "any": "Anything missing or expiring",
    "missing": "A required document missing",
    "expiring": "A document expiring before the first block",
    "letters": "Letters missing",
}


def compliance_applications(department: Department, cycle: Cycle, problem: str) -> Select:
    """Ids of the department's active applications, narrowed to those with a problem."""
    kinds = required_kinds(department)
    missing = or_(*[~_has_current(kind) for kind in kinds]) if kinds else false()
    conditions = {
        "missing": missing,
        "expiring": _expiring(),
        "letters": _letters_short(department),
    }
    conditions["any"] = or_(*conditions.values())
    stmt = (
        select(Application.id)
        .join(User, User.id == Application.student_id)
        .where(
            Application.department_id == department.id,
            Application.cycle_id == cycle.id,
            Application.state.in_(ACTIVE_STATES),
        )
        .order_by(func.lower(User.full_name), Application.id)
    )
    if problem in conditions:
        stmt = stmt.where(conditions[problem])
    return stmt


@dataclass
class ComplianceRow:
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
            and self.letters_received >= (self.application.department.letters_required)
        )


def compliance_rows(department: Department, cycle: Cycle, applications: list[Application]):
    """The compliance row of each application on a page (two queries, whatever the page)."""
    student_ids = [a.student_id for a in applications]
    documents: dict[int, dict[DocumentKind, Document]] = defaultdict(dict)
    if student_ids:
        for document in db.session.scalars(
            select(Document).where(
                Document.owner_id.in_(student_ids),
                Document.cycle_id == cycle.id,
                Document.replaced_at.is_(None),
                Document.redacted.is_(False),
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
            ComplianceRow(
                application=application,
                first_day=first_day,
                missing=[k for k in kinds if k not in held],
                expiring=sorted(expiring, key=lambda d: d.expires_on),
                letters_received=letters.get(application.student_id, 0),
            )
        )
    return rows
