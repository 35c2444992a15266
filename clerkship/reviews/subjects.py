"""What is reviewed: an application, or (once the awards feature is merged) an award application.

Pages, blinding and scoring see a subject only through `Subject`, so an award
application plugs in by building one (see the report for what the lead wires).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from clerkship.accounts.models import User
from clerkship.applications.models import Application, ApplicationState, StudentProfile
from clerkship.cycles.models import Block, Cycle, Department
from clerkship.documents.models import Document, DocumentKind
from clerkship.extensions import db
from clerkship.reviews.records import ReviewAssignment

# Applications waiting for reviewers, and those a ranking lists.
REVIEWABLE_STATES = (ApplicationState.SUBMITTED, ApplicationState.UNDER_REVIEW)
UNRANKED_STATES = (ApplicationState.DRAFT, ApplicationState.WITHDRAWN)
# What a reviewer may open; compliance records (immunizations, BLS, TB screen,
# background check) are not part of a review.
REVIEW_DOCUMENT_KINDS = (
    DocumentKind.CV,
    DocumentKind.TRANSCRIPT,
    DocumentKind.GOOD_STANDING,
    DocumentKind.LETTER,
    DocumentKind.PHOTO,
)


@dataclass(frozen=True)
class Subject:
    """One reviewed record, as pages and blinding see it."""

    kind: str  # "application" or "award"
    id: int
    student: User
    cycle: Cycle
    department: Department | None
    profile: StudentProfile | None
    statement: str
    in_pathway: bool
    choices: tuple[Block, ...]

    @property
    def reference(self) -> str:
        """A name that identifies the record without identifying the person."""
        prefix = "Application" if self.kind == "application" else "Award application"
        return f"{prefix} #{self.id}"


def application_subject(application: Application) -> Subject:
    """An application as a review subject."""
    profile = db.session.scalar(
        select(StudentProfile).where(StudentProfile.user_id == application.student_id)
    )
    return Subject(
        kind="application",
        id=application.id,
        student=application.student,
        cycle=application.cycle,
        department=application.department,
        profile=profile,
        statement=application.personal_statement,
        in_pathway=application.in_pathway,
        choices=tuple(choice.block for choice in application.choices),
    )


def subject_of(assignment: ReviewAssignment) -> Subject:
    """The subject an assignment is about."""
    if assignment.application is not None:
        return application_subject(assignment.application)
    # Award applications: the awards feature is merged separately (see the report).
    raise LookupError(f"award application {assignment.award_application_id} is not available")


def review_documents(subject: Subject) -> list[Document]:
    """The subject's current documents a reviewer may be shown, CV first, letters last."""
    order = {kind: i for i, kind in enumerate(REVIEW_DOCUMENT_KINDS)}
    documents = db.session.scalars(
        select(Document).where(
            Document.owner_id == subject.student.id,
            Document.cycle_id == subject.cycle.id,
            Document.replaced_at.is_(None),
            Document.kind.in_(REVIEW_DOCUMENT_KINDS),
        )
    )
    return sorted(documents, key=lambda d: (order[d.kind], d.uploaded_at, d.id))
