"""What an application still needs before it can be submitted: plain functions over loaded records.

The same checklist is shown to the student at every step and enforced by
submit_application, so the page and the rule can never disagree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from clerkship.applications.models import Application, StudentProfile
from clerkship.cycles.models import Block, Cycle, Department
from clerkship.documents.models import Document, DocumentKind

WORD = re.compile(r"\S+")

# Profile fields an application needs, with the names shown to students.
PROFILE_REQUIRED = (
    ("legal_first_name", "legal first name"),
    ("legal_last_name", "legal last name"),
    ("phone", "phone"),
    ("address_line1", "mailing address"),
    ("city", "city"),
    ("region", "state or province"),
    ("postal_code", "postal code"),
    ("country", "country"),
    ("medical_school", "medical school"),
    ("accreditation", "accreditation"),
    ("expected_graduation", "expected graduation date"),
    ("aamc_id", "AAMC ID"),
)


def count_words(text: str | None) -> int:
    """Words as the server counts them: runs of characters between spaces or line breaks."""
    return len(WORD.findall(text or ""))


def required_kinds(department: Department) -> tuple[DocumentKind, ...]:
    """The document kinds the department requires, in the order DocumentKind lists them."""
    wanted = {v for v in (department.required_documents or "").split(",") if v}
    return tuple(k for k in DocumentKind if k.value in wanted and k != DocumentKind.LETTER)


def profile_gaps(profile: StudentProfile | None) -> list[str]:
    """The names of the required profile fields still empty."""
    if profile is None:
        return [label for _, label in PROFILE_REQUIRED]
    return [label for name, label in PROFILE_REQUIRED if getattr(profile, name) in (None, "")]


def window_problem(cycle: Cycle, today: date) -> str | None:
    """Why the cycle's application window is closed on today, or None when it is open."""
    if today < cycle.applications_open_on:
        return f"Applications for {cycle.name} open on {cycle.applications_open_on:%b %-d, %Y}."
    if today > cycle.application_deadline:
        return (
            f"The application deadline for {cycle.name} was "
            f"{cycle.application_deadline:%b %-d, %Y}; applications can no longer be submitted."
        )
    return None


@dataclass(frozen=True)
class ChecklistItem:
    """One requirement: done or not, and what to do about it."""

    key: str
    label: str
    done: bool
    detail: str = ""
    step: str = ""  # the endpoint of the page where it is fixed


@dataclass
class Checklist:
    items: list[ChecklistItem] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return all(item.done for item in self.items)

    @property
    def missing(self) -> list[ChecklistItem]:
        return [item for item in self.items if not item.done]

    @property
    def done_count(self) -> int:
        return sum(item.done for item in self.items)


def build_checklist(
    application: Application,
    *,
    profile: StudentProfile | None,
    documents: dict[DocumentKind, Document],
    letters_received: int,
    letters_waiting: int,
    today: date,
    for_staff: bool = False,
) -> Checklist:
    """Every submission rule, checked against what the student has entered so far.

    for_staff: worded for the department's staff, who read a submitted application (no
    "your", no instructions to the student, and no application window: it is behind it).
    """
    department = application.department
    blocks = [choice.block for choice in application.choices]
    items = [
        _profile_item(profile, for_staff),
        _blocks_item(department, blocks, for_staff),
        _graduation_item(profile, blocks, for_staff),
        _statement_item(department, application.personal_statement, for_staff),
    ]
    first_day = min((block.starts_on for block in blocks), default=None)
    items += [
        _document_item(kind, documents.get(kind), first_day, for_staff)
        for kind in required_kinds(department)
    ]
    items.append(_letters_item(department, letters_received, letters_waiting, for_staff))
    if for_staff:
        return Checklist(items)
    problem = window_problem(application.cycle, today)
    items.append(
        ChecklistItem(
            "window",
            "Application window open",
            problem is None,
            problem or f"Submit by the end of {application.cycle.application_deadline:%b %-d, %Y}.",
        )
    )
    return Checklist(items)


def _profile_item(profile: StudentProfile | None, for_staff: bool = False) -> ChecklistItem:
    gaps = profile_gaps(profile)
    if for_staff:
        detail = "missing " + ", ".join(gaps) if gaps else "complete"
        return ChecklistItem("profile", "Profile", not gaps, detail, "applications.profile")
    detail = "Missing: " + ", ".join(gaps) + "." if gaps else "Complete."
    return ChecklistItem("profile", "Your profile", not gaps, detail, "applications.profile")


def _blocks_item(
    department: Department, blocks: list[Block], for_staff: bool = False
) -> ChecklistItem:
    end = "" if for_staff else "."
    if not blocks:
        detail = "none ranked" if for_staff else "Choose and rank at least one block."
    elif len(blocks) > department.max_choices:
        detail = (
            f"{len(blocks)} ranked; {department.name} accepts at most {department.max_choices}"
            if for_staff
            else f"You ranked {len(blocks)} blocks; {department.name} accepts at most "
            f"{department.max_choices}. Remove some."
        )
    else:
        detail = f"{len(blocks)} of at most {department.max_choices} ranked" + end
    done = 1 <= len(blocks) <= department.max_choices
    return ChecklistItem("blocks", "Blocks ranked", done, detail, "applications.choices")


def _graduation_item(
    profile: StudentProfile | None, blocks: list[Block], for_staff: bool = False
) -> ChecklistItem:
    label = "Graduates after the blocks" if for_staff else "You graduate after your blocks"
    graduation = profile.expected_graduation if profile else None
    if graduation is None:
        return ChecklistItem(
            "graduation",
            label,
            False,
            "no expected graduation date in the profile"
            if for_staff
            else "Enter your expected graduation date in your profile.",
            "applications.profile",
        )
    late = [block for block in blocks if block.ends_on >= graduation]
    if late:
        names = "; ".join(f"{b.label} ends {b.ends_on:%b %-d, %Y}" for b in late)
        detail = (
            f"expects to graduate on {graduation:%b %-d, %Y}, so cannot rotate as a student "
            f"in: {names}"
            if for_staff
            else f"You expect to graduate on {graduation:%b %-d, %Y}, so you cannot rotate as a "
            f"student in: {names}. Remove those blocks or correct your graduation date."
        )
        return ChecklistItem("graduation", label, False, detail, "applications.choices")
    return ChecklistItem(
        "graduation",
        label,
        True,
        f"expected on {graduation:%b %-d, %Y}"
        if for_staff
        else f"Expected graduation: {graduation:%b %-d, %Y}.",
        "applications.profile",
    )


def _statement_item(department: Department, text: str, for_staff: bool = False) -> ChecklistItem:
    words, limit = count_words(text), department.statement_word_limit
    if words == 0:
        detail = (
            f"not written (at most {limit} words)"
            if for_staff
            else f"Write your personal statement (at most {limit} words)."
        )
    elif words > limit:
        detail = (
            f"{words} words; the limit is {limit}"
            if for_staff
            else f"Your statement has {words} words; the limit is {limit}. Shorten it."
        )
    else:
        detail = f"{words} of at most {limit} words" + ("" if for_staff else ".")
    return ChecklistItem(
        "statement", "Personal statement", 0 < words <= limit, detail, "applications.statement"
    )


def _document_item(
    kind: DocumentKind, document: Document | None, first_day: date | None, for_staff: bool = False
) -> ChecklistItem:
    key = f"document_{kind.value}"
    if document is None:
        detail = "not uploaded" if for_staff else "Not uploaded yet."
        return ChecklistItem(key, kind.label, False, detail, "applications.documents")
    expires_early = (
        kind.expires
        and document.expires_on is not None
        and first_day is not None
        and document.expires_on < first_day
    )
    if expires_early:
        return ChecklistItem(
            key,
            kind.label,
            False,
            f"expires on {document.expires_on:%b %-d, %Y}, before the first block starts "
            f"on {first_day:%b %-d, %Y}"
            if for_staff
            else f"Expires on {document.expires_on:%b %-d, %Y}, before your first block starts "
            f"on {first_day:%b %-d, %Y}. Upload a renewed one.",
            "applications.documents",
        )
    detail = f"{'uploaded' if for_staff else 'Uploaded'}: {document.original_name}"
    if document.expires_on is not None:
        detail += f", valid until {document.expires_on:%b %-d, %Y}"
    detail += "" if for_staff else "."
    return ChecklistItem(key, kind.label, True, detail, "applications.documents")


def _letters_item(
    department: Department, received: int, waiting: int, for_staff: bool = False
) -> ChecklistItem:
    needed = department.letters_required
    if needed == 0:
        detail = "none required" if for_staff else "None required."
        return ChecklistItem(
            "letters", "Letters of recommendation", True, detail, "applications.letters"
        )
    if for_staff:
        detail = f"{received} of {needed} received"
        if received < needed:
            detail += f"; {waiting} requested, not yet written" if waiting else "; none requested"
        return ChecklistItem(
            "letters",
            "Letters of recommendation",
            received >= needed,
            detail,
            "applications.letters",
        )
    detail = f"{received} of {needed} received."
    if received < needed:
        detail += (
            f" {waiting} request(s) waiting for the writer."
            if waiting
            else " Ask a writer for a letter."
        )
    return ChecklistItem(
        "letters", "Letters of recommendation", received >= needed, detail, "applications.letters"
    )
