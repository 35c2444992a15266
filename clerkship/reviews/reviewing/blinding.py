"""What a reviewer is shown of a subject: blinding decided on the server, field by field.

The round says which fields are hidden now (`ReviewRound.hidden_now`). Reviewer pages
are built only from `reviewer_view`, which leaves hidden values out altogether (they
are not in the page at all, not merely covered). Which documents reviewers see is one
rule, `documents_for_reviewers`: the kinds the round shows in its current phase, and
while the student's name or school is hidden, no document that names them, only the
redacted copy the student uploaded of a CV or transcript. The reviewer's page, the
download route and the application packet all ask it.
Self-identification answers are never part of a subject, so never shown.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from clerkship.applications.models import Accreditation, ExamResult, StudentProfile
from clerkship.documents.models import Document, DocumentKind
from clerkship.documents.packets import PacketSummary
from clerkship.reviews.models import BLINDABLE_FIELDS, IDENTITY_FIELDS, ReviewRound
from clerkship.reviews.subjects import Subject, review_documents

SCHOOL_TYPES = {Accreditation.LCME: "MD (LCME)", Accreditation.COCA: "DO (COCA)"}


@dataclass(frozen=True)
class ShownField:
    """A label and the value shown next to it."""

    label: str
    value: str


@dataclass(frozen=True)
class ShownDocument:
    """A document and, when it is withheld, why."""

    document: Document
    withheld: str | None = None

    @property
    def label(self) -> str:
        return self.document.label


@dataclass(frozen=True)
class SubjectView:
    """Everything a reviewer page may show of a subject."""

    heading: str
    fields: tuple[ShownField, ...]
    hidden: tuple[str, ...]  # labels of the fields hidden now
    documents: tuple[ShownDocument, ...]
    photo: Document | None
    statement: str
    choices: tuple[str, ...]

    @property
    def withheld(self) -> tuple[ShownDocument, ...]:
        return tuple(d for d in self.documents if d.withheld)


NOT_CHOSEN = "Not shown to reviewers in this phase."
NAMES_STUDENT = "Withheld: it shows the applicant's name or school, hidden in this phase."
NO_REDACTED_COPY = (
    "Withheld: it shows the applicant's name or school, hidden in this phase, and the "
    "applicant has not uploaded a redacted copy."
)


def withheld_reason(kind: DocumentKind, hidden: Iterable[str]) -> str | None:
    """Why an original document of this kind is withheld while these fields are hidden, or None."""
    hidden = set(hidden)
    if kind is DocumentKind.PHOTO and "photo" in hidden:
        return "Withheld: photos are hidden in this phase."
    if kind.rules.identifying and hidden & IDENTITY_FIELDS:
        return NO_REDACTED_COPY if kind.rules.redactable else NAMES_STUDENT
    return None


def documents_for_reviewers(
    review_round: ReviewRound, documents: Iterable[Document]
) -> tuple[ShownDocument, ...]:
    """Which of a subject's current documents the round's reviewers may see now, and why not.

    documents: the subject's current documents, redacted copies included (review_documents).
    Returns each one to list, shown (withheld None) or withheld with the reason. A kind the
    round does not show in this phase is withheld. While the name or school is hidden, a
    document that names the student is withheld and its redacted copy shown instead; once
    revealed, the original is shown and the redacted copy left out.
    """
    hidden = review_round.hidden_now
    kinds = review_round.document_kinds_now
    blinded = review_round.identity_hidden_now
    documents = list(documents)
    redacted_kinds = {d.kind for d in documents if d.redacted}
    listed = []
    for document in documents:
        if document.kind is DocumentKind.PHOTO:
            listed.append(ShownDocument(document, withheld_reason(document.kind, hidden)))
        elif document.kind not in kinds:
            if not document.redacted:
                listed.append(ShownDocument(document, NOT_CHOSEN))
        elif document.redacted:
            if blinded:
                listed.append(ShownDocument(document))
        elif blinded and document.kind in redacted_kinds:
            continue  # its redacted copy stands in for it
        else:
            listed.append(ShownDocument(document, withheld_reason(document.kind, hidden)))
    return tuple(listed)


def visible_documents(review_round: ReviewRound, subject: Subject) -> list[Document]:
    """The documents of a subject the round's reviewers may open now (for pages and packets)."""
    shown = documents_for_reviewers(review_round, review_documents(subject))
    return [item.document for item in shown if item.withheld is None]


def _exam_results(profile: StudentProfile) -> str:
    parts = []
    if profile.usmle_step1 is not ExamResult.NOT_TAKEN:
        parts.append(f"USMLE Step 1: {profile.usmle_step1.label}")
    if profile.usmle_step2_ck_score is not None:
        parts.append(f"USMLE Step 2 CK: {profile.usmle_step2_ck_score}")
    if profile.comlex_level1 is not ExamResult.NOT_TAKEN:
        parts.append(f"COMLEX Level 1: {profile.comlex_level1.label}")
    if profile.comlex_level2_ce_score is not None:
        parts.append(f"COMLEX Level 2-CE: {profile.comlex_level2_ce_score}")
    return "; ".join(parts) or "None reported"


def _values(subject: Subject) -> dict[str, ShownField]:
    profile = subject.profile
    name = profile.display_name if profile else subject.student.full_name
    values = {"name": ShownField("Name", name)}
    if profile is not None:
        values["pronouns"] = ShownField("Pronouns", profile.pronouns or "Not given")
        school = profile.medical_school or "Not given"
        if profile.accreditation is not None:
            school = f"{school}, {SCHOOL_TYPES[profile.accreditation]}"
        values["school"] = ShownField("Medical school", school)
        values["exam_scores"] = ShownField("Exam results", _exam_results(profile))
    values["pathway"] = ShownField("UIM pathway", "Yes" if subject.in_pathway else "No")
    return values


def blinded_heading(subject: Subject) -> str:
    """A subject named by the block its student ranks first, not by a person or a number."""
    prefix = "Application" if subject.kind == "application" else "Award application"
    if not subject.choices:
        return f"{prefix} with no block ranked"
    return f"{prefix} for {subject.choices[0].label}"


def reviewer_view(
    subject: Subject, review_round: ReviewRound, documents: Iterable[Document]
) -> SubjectView:
    """The subject as the round's reviewers see it now."""
    hidden = review_round.hidden_now
    values = _values(subject)
    fields = tuple(value for key, value in values.items() if key not in hidden and key != "name")
    shown = documents_for_reviewers(review_round, documents)
    photo = next(
        (
            item.document
            for item in shown
            if item.document.kind is DocumentKind.PHOTO and item.withheld is None
        ),
        None,
    )
    graduation = subject.profile.expected_graduation if subject.profile else None
    if graduation is not None:
        fields += (ShownField("Expected graduation", f"{graduation:%B %Y}"),)
    return SubjectView(
        heading=blinded_heading(subject) if "name" in hidden else values["name"].value,
        fields=fields,
        hidden=tuple(label for key, label in BLINDABLE_FIELDS.items() if key in hidden),
        documents=shown,
        photo=photo,
        statement=subject.statement,
        choices=tuple(block.label for block in subject.choices),
    )


def packet_summary(view: SubjectView, review_round: ReviewRound) -> PacketSummary:
    """The review packet's summary page, from the reviewer's view only: what is hidden now
    is not in it (no name, email, AAMC ID or photo ever; school and the rest as the round
    says), and withheld documents are named with why, never included."""
    notice = ""
    if view.hidden:
        notice = "Hidden from reviewers in this phase: " + ", ".join(view.hidden) + "."
    return PacketSummary(
        title=view.heading,
        context=review_round.title,
        facts=tuple((field.label, field.value) for field in view.fields),
        choices=view.choices,
        statement=view.statement,
        withheld=tuple((d.label, d.withheld) for d in view.withheld),
        notice=notice,
    )
