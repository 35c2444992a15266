"""What a reviewer is shown of a subject: blinding decided on the server, field by field.

The round says which fields are hidden now (`ReviewRound.hidden_now`). Reviewer pages
are built only from `reviewer_view`, which leaves hidden values out altogether (they
are not in the page at all, not merely covered), and documents that would reveal a
hidden field are withheld, both from the page and from the download route.
Self-identification answers are never part of a subject, so never shown.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from clerkship.applications.models import Accreditation, ExamResult, StudentProfile
from clerkship.documents.models import Document, DocumentKind
from clerkship.documents.packets import PacketSummary
from clerkship.reviews.models import BLINDABLE_FIELDS, ReviewRound
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
        return self.document.kind.label


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


def withheld_reason(kind: DocumentKind, hidden: Iterable[str]) -> str | None:
    """Why a document of this kind is withheld while these fields are hidden, or None."""
    hidden = set(hidden)
    if kind is DocumentKind.PHOTO and "photo" in hidden:
        return "Withheld: photos are hidden in this phase."
    if kind.rules.identifying and hidden & {"name", "school"}:
        return "Withheld: it shows the applicant's name or school, hidden in this phase."
    return None


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


def reviewer_documents(subject: Subject, review_round: ReviewRound) -> tuple[ShownDocument, ...]:
    """The subject's documents as a reviewer of the round is shown them now, each withheld
    or not, with why: the one rule of which documents a reviewer may open. The review page,
    its download route and the review packet all ask it (a withheld one is never sent)."""
    hidden = review_round.hidden_now
    return tuple(
        ShownDocument(document, withheld_reason(document.kind, hidden))
        for document in review_documents(subject)
    )


def reviewer_view(subject: Subject, review_round: ReviewRound) -> SubjectView:
    """The subject as a reviewer of the round sees it now."""
    hidden = review_round.hidden_now
    values = _values(subject)
    fields = tuple(value for key, value in values.items() if key not in hidden and key != "name")
    shown = reviewer_documents(subject, review_round)
    photo = next(
        (d.document for d in shown if d.document.kind is DocumentKind.PHOTO and not d.withheld),
        None,
    )
    graduation = subject.profile.expected_graduation if subject.profile else None
    if graduation is not None:
        fields += (ShownField("Expected graduation", f"{graduation:%B %Y}"),)
    return SubjectView(
        heading=subject.reference if "name" in hidden else values["name"].value,
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
