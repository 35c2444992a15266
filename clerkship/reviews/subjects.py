"""What is reviewed: an application, or (once the awards feature is merged) an award application.

Pages, blinding, assignment and scoring see a subject only through this module: its
id (the assignment's `application_id` or `award_application_id`), its student, and a
`Subject` to show. Applications are built in. Award applications plug in through an
`AwardSubjects` source that the awards feature registers on the app
(`register_award_subjects`); without one the award round has nothing to assign.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from flask import Flask, current_app
from sqlalchemy import Select, and_, or_, select

from clerkship.accounts.models import User
from clerkship.applications.models import Application, ApplicationState, StudentProfile
from clerkship.cycles.models import Block, Cycle, Department
from clerkship.documents.models import Document, DocumentKind
from clerkship.extensions import db
from clerkship.reviews.models import ReviewRound
from clerkship.reviews.records import ReviewAssignment

AWARD_SUBJECTS_KEY = "clerkship.reviews.award_subjects"

# Applications waiting for reviewers, and those a ranking lists.
REVIEWABLE_STATES = (ApplicationState.SUBMITTED, ApplicationState.UNDER_REVIEW)
UNDECIDED_STATES = (ApplicationState.DRAFT, *REVIEWABLE_STATES)
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
    # Already decided (offered, waitlisted, accepted, declined, not selected, withdrawn,
    # awarded ...): a reviewer who leaves it now is not replaced.
    decided: bool = False


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
        decided=application.state not in UNDECIDED_STATES,
    )


class AwardSubjects(Protocol):
    """What the awards feature tells the reviews about award applications."""

    def reviewable(self, cycle: Cycle) -> dict[int, int]:
        """award application id -> student user id, for those awaiting review in cycle."""

    def subject(self, award_application_id: int) -> Subject:
        """An award application as a review subject (never its self-identification answers)."""

    def undecided(self) -> Select:
        """A select of the ids of the award applications the committee has not decided."""

    def rotation_applications(self, award_application_ids: list[int]) -> dict[int, int]:
        """award application id -> id of the rotation application it goes with."""


def register_award_subjects(app: Flask, source: AwardSubjects) -> None:
    """Let award rounds assign and show award applications."""
    app.extensions[AWARD_SUBJECTS_KEY] = source


def _award_subjects() -> AwardSubjects | None:
    return current_app.extensions.get(AWARD_SUBJECTS_KEY)


def undecided_subject():
    """A clause true of the assignments whose subject is not decided yet: a decided one
    (withdrawn, offered, waitlisted, not selected, awarded ...) leaves the reviewer queues.

    The application's state is looked up per assignment (one index probe each), so a
    reviewer's queue costs their own assignments, never a pass over the season's
    applications.
    """
    state = (
        select(Application.state)
        .where(Application.id == ReviewAssignment.application_id)
        .scalar_subquery()
    )
    rotation = state.in_(UNDECIDED_STATES)
    source = _award_subjects()
    award = ReviewAssignment.award_application_id.is_not(None)
    if source is not None:
        award = and_(award, ReviewAssignment.award_application_id.in_(source.undecided()))
    return or_(rotation, award)


def rotation_applications_of_awards(award_application_ids: list[int]) -> dict[int, int]:
    """award application id -> its rotation application's id (empty without the awards)."""
    source = _award_subjects()
    if source is None or not award_application_ids:
        return {}
    return source.rotation_applications(award_application_ids)


def subject_column(review_round: ReviewRound):
    """The assignment column that names a subject of this round."""
    if review_round.department_id is None:
        return ReviewAssignment.award_application_id
    return ReviewAssignment.application_id


def round_subjects(review_round: ReviewRound) -> dict[int, int]:
    """subject id -> student user id, for the round's subjects awaiting review."""
    if review_round.department_id is None:
        source = _award_subjects()
        return dict(source.reviewable(review_round.cycle)) if source else {}
    return dict(
        db.session.execute(
            select(Application.id, Application.student_id).where(
                Application.department_id == review_round.department_id,
                Application.cycle_id == review_round.cycle_id,
                Application.state.in_(REVIEWABLE_STATES),
            )
        ).all()
    )


def subject_of(assignment: ReviewAssignment) -> Subject:
    """The subject an assignment is about."""
    if assignment.application is not None:
        return application_subject(assignment.application)
    source = _award_subjects()
    if source is None:
        raise LookupError(f"award application {assignment.award_application_id} is not available")
    return source.subject(assignment.award_application_id)


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
