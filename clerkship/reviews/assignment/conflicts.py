"""Conflicts of interest between reviewers and applicants, from declarations and from the data.

Three sources, each a function over the same ids, so another can be added in one place:

- declared: a reviewer (or a director for them) names the applicant's email;
- school: the applicant's medical school is one the reviewer lists in their profile
  (names compared without case, punctuation or repeated spaces);
- letter: the reviewer wrote one of the applicant's letters (same email). Letters are a
  feature of their own; it tells us who wrote which application's letters through a
  provider registered on the app (`register_letter_writers`). With none registered no
  letter conflict is found.
"""

from __future__ import annotations

import enum
import re
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass

from flask import Flask, current_app
from sqlalchemy import func, select

from clerkship.accounts.models import User
from clerkship.applications.models import StudentProfile
from clerkship.extensions import db
from clerkship.reviews.models import Conflict, ReviewerProfile

# (student user id, writer email) for the letters of the given students.
LetterWriters = Callable[[Collection[int]], Iterable[tuple[int, str]]]
LETTER_WRITERS_KEY = "clerkship.reviews.letter_writers"


class ConflictKind(enum.Enum):
    """Where a conflict comes from."""

    DECLARED = "declared"
    SCHOOL = "school"
    LETTER = "letter"


@dataclass(frozen=True)
class FoundConflict:
    """One reviewer who must not review one subject, and why (for directors)."""

    reviewer_id: int
    subject_id: int
    kind: ConflictKind
    reason: str


def register_letter_writers(app: Flask, provider: LetterWriters) -> None:
    """Tell the conflict check who wrote students' letters (the letters feature's query)."""
    app.extensions.setdefault(LETTER_WRITERS_KEY, []).append(provider)


def normalize_school(name: str) -> str:
    """A school name reduced for comparison: no case, punctuation or repeated spaces."""
    return " ".join(re.sub(r"[^\w\s]", " ", name.casefold()).split())


def match_schools(
    reviewer_schools: Mapping[int, Iterable[str]], applicant_schools: Mapping[int, str]
) -> list[tuple[int, int, str]]:
    """(reviewer, applicant, school) wherever an applicant's school is a reviewer's."""
    by_school: dict[str, list[int]] = defaultdict(list)
    for reviewer, schools in reviewer_schools.items():
        for school in {normalize_school(s) for s in schools} - {""}:
            by_school[school].append(reviewer)
    found = []
    for applicant, school in applicant_schools.items():
        for reviewer in by_school.get(normalize_school(school), ()) if school else ():
            found.append((reviewer, applicant, school))
    return sorted(found)


def match_letter_writers(
    reviewer_emails: Mapping[int, str], writers: Iterable[tuple[int, str]]
) -> list[tuple[int, int]]:
    """(reviewer, applicant) wherever a reviewer's email wrote one of the applicant's letters."""
    by_email = {email.strip().lower(): reviewer for reviewer, email in reviewer_emails.items()}
    found = set()
    for applicant, email in writers:
        reviewer = by_email.get((email or "").strip().lower())
        if reviewer is not None:
            found.add((reviewer, applicant))
    return sorted(found)


def find_conflicts(
    reviewer_ids: Collection[int], subjects: Mapping[int, int]
) -> dict[tuple[int, int], list[FoundConflict]]:
    """Every conflict between these reviewers and these subjects, by (reviewer, subject).

    subjects maps each subject (an application, or an award application) to its
    student's user id: conflicts are with the person, whatever they applied for.
    """
    found: dict[tuple[int, int], list[FoundConflict]] = defaultdict(list)
    if not reviewer_ids or not subjects:
        return found
    by_student: dict[int, list[int]] = defaultdict(list)
    for subject, student in subjects.items():
        by_student[student].append(subject)
    reviewers = sorted(reviewer_ids)
    for source in (_declared, _same_school, _letters):
        for reviewer, student, kind, reason in source(reviewers, by_student):
            for subject in by_student[student]:
                found[(reviewer, subject)].append(FoundConflict(reviewer, subject, kind, reason))
    return found


def _chunks(ids: Collection[int], size: int = 900) -> Iterable[list[int]]:
    # Stay below SQLite's limit on bound parameters.
    ordered = sorted(ids)
    for start in range(0, len(ordered), size):
        yield ordered[start : start + size]


def _declared(reviewers: list[int], students: Collection[int]):
    for chunk in _chunks(students):
        rows = db.session.execute(
            select(Conflict.reviewer_id, User.id, Conflict.reason)
            .join(User, User.email == Conflict.student_email)
            .where(User.id.in_(chunk), Conflict.reviewer_id.in_(reviewers))
        )
        for reviewer, student, reason in rows:
            yield reviewer, student, ConflictKind.DECLARED, f"Declared: {reason}"


def _same_school(reviewers: list[int], students: Collection[int]):
    reviewer_schools = {
        user_id: [line for line in schools.splitlines() if line.strip()]
        for user_id, schools in db.session.execute(
            select(ReviewerProfile.user_id, ReviewerProfile.schools).where(
                ReviewerProfile.user_id.in_(reviewers), ReviewerProfile.schools != ""
            )
        )
    }
    if not reviewer_schools:
        return
    student_schools: dict[int, str] = {}
    for chunk in _chunks(students):
        student_schools.update(
            db.session.execute(
                select(StudentProfile.user_id, StudentProfile.medical_school).where(
                    StudentProfile.user_id.in_(chunk),
                    func.length(StudentProfile.medical_school) > 0,
                )
            ).all()
        )
    for reviewer, student, school in match_schools(reviewer_schools, student_schools):
        yield reviewer, student, ConflictKind.SCHOOL, f"Same school: {school}"


def _letters(reviewers: list[int], students: Collection[int]):
    providers = current_app.extensions.get(LETTER_WRITERS_KEY, [])
    if not providers:
        return
    emails = dict(
        db.session.execute(select(User.id, User.email).where(User.id.in_(reviewers))).all()
    )
    writers = [pair for provider in providers for pair in provider(list(students))]
    for reviewer, student in match_letter_writers(emails, writers):
        yield reviewer, student, ConflictKind.LETTER, "Wrote a letter of recommendation"
