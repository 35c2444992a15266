"""Rounds and their settings, phases, reviewers' schools and caps, declared conflicts.

Rubrics are in `rubric_services.py`, assignments and reminders in
`assignment_services.py`, reviews and the discussion in `review_services.py`.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from clerkship.accounts.models import User
from clerkship.audit.services import record_event
from clerkship.core.rules import RuleViolation
from clerkship.core.time import utcnow
from clerkship.cycles.models import Cycle, Department
from clerkship.documents.models import DocumentKind
from clerkship.extensions import db
from clerkship.reviews.models import (
    ALL_REVIEWABLE,
    BLINDABLE_FIELDS,
    IDENTITY_FIELDS,
    REVIEWABLE_KINDS,
    CompositeSource,
    Conflict,
    Phase,
    Purpose,
    ReviewerCap,
    ReviewerProfile,
    ReviewRound,
    parse_kinds,
    store_kinds,
)
from clerkship.reviews.ranking import composites

STALE = (
    "Someone else changed these settings after you opened them. Nothing was saved; "
    "what you chose is kept below. Check the current settings and save again."
)
# The settings a new round copies from the same department's latest round.
CARRIED_OVER = (
    *(f"hide_{name}" for name in BLINDABLE_FIELDS),
    "reveal_in_second_phase",
    "first_phase_documents",
    "second_phase_documents",
    "calibration_min_reviews",
    "disagreement_threshold",
)


def _scope(department: Department | None):
    if department is None:
        return ReviewRound.department_id.is_(None)
    return ReviewRound.department_id == department.id


def find_round(department: Department | None, cycle: Cycle) -> ReviewRound | None:
    """The round of a department (None: the award) in a cycle, if it was started."""
    return db.session.scalar(
        select(ReviewRound).where(_scope(department), ReviewRound.cycle_id == cycle.id)
    )


def draft_round(department: Department | None, cycle: Cycle) -> ReviewRound:
    """An unsaved round with the settings a new one would get (shown before it exists)."""
    previous = db.session.scalar(
        select(ReviewRound)
        .where(_scope(department), ReviewRound.cycle_id != cycle.id)
        .order_by(ReviewRound.created_at.desc(), ReviewRound.id.desc())
        .limit(1)
    )
    values = {name: getattr(previous, name) for name in CARRIED_OVER} if previous else {}
    defaults = {f"hide_{name}": True for name in BLINDABLE_FIELDS} | {
        "reveal_in_second_phase": True,
        "first_phase_documents": ALL_REVIEWABLE,
        "second_phase_documents": ALL_REVIEWABLE,
        "calibration_min_reviews": 5,
        "disagreement_threshold": Decimal("1.00"),
    }
    return ReviewRound(
        purpose=Purpose.AWARD if department is None else Purpose.APPLICATION,
        # The ids too: pages read them from a round that is not saved yet.
        department_id=department.id if department is not None else None,
        department=department,
        cycle_id=cycle.id,
        cycle=cycle,
        phase=Phase.FIRST,
        composite_source=CompositeSource.RAW,
        version=1,
        **(defaults | values),
    )


def redacted_kinds_wanted(department: Department, cycle: Cycle) -> frozenset[DocumentKind]:
    """The kinds a department's round shows in a phase that hides who the student is, and
    of which reviewers then see only a redacted copy (what the documents step asks for)."""
    review_round = find_round(department, cycle) or draft_round(department, cycle)
    wanted: set[DocumentKind] = set()
    if review_round.first_phase_hidden & IDENTITY_FIELDS:
        wanted |= review_round.document_kinds(Phase.FIRST)
    if review_round.identity_hidden_in_second_phase:
        wanted |= review_round.document_kinds(Phase.SECOND)
    return frozenset(kind for kind in wanted if kind.rules.redactable)


def ensure_round(department: Department | None, cycle: Cycle, *, by: User) -> ReviewRound:
    """The round of a department (None: the award) in a cycle, started if need be."""
    existing = find_round(department, cycle)
    if existing is not None:
        return existing
    review_round = draft_round(department, cycle)
    try:
        with db.session.begin_nested():
            db.session.add(review_round)
    except IntegrityError:
        # Someone started it at the same moment (PostgreSQL); use theirs.
        return find_round(department, cycle)
    record_event("reviews.round_start", by=by, target=review_round, summary=review_round.title)
    return review_round


def save_round_settings(
    review_round: ReviewRound,
    *,
    version: int | None,
    hidden: set[str],
    reveal_in_second_phase: bool,
    due_on: date | None,
    calibration_min_reviews: int,
    disagreement_threshold: Decimal,
    by: User,
    documents: dict[Phase, set[DocumentKind]] | None = None,
) -> None:
    """Change a round's blinding, documents shown, due date, calibration and disagreement settings.

    documents: the document kinds reviewers see in the first and in the second phase
    (None keeps them as they are).
    """
    if version is not None and version != review_round.version:
        raise RuleViolation(STALE)
    unknown = hidden - set(BLINDABLE_FIELDS)
    if unknown:
        raise RuleViolation(f"Unknown field to hide: {', '.join(sorted(unknown))}.", field="hidden")
    if not 2 <= calibration_min_reviews <= 1000:
        raise RuleViolation(
            "Calibrate reviewers with at least 2 and at most 1,000 reviews.",
            field="calibration_min_reviews",
        )
    if not Decimal("0") < disagreement_threshold <= Decimal("10"):
        raise RuleViolation(
            "Enter a threshold above 0 and at most 10.", field="disagreement_threshold"
        )
    values = {f"hide_{name}": name in hidden for name in BLINDABLE_FIELDS} | {
        "reveal_in_second_phase": reveal_in_second_phase,
        "due_on": due_on,
        "calibration_min_reviews": calibration_min_reviews,
        "disagreement_threshold": disagreement_threshold,
    }
    if documents is not None:
        values["first_phase_documents"] = store_kinds(documents.get(Phase.FIRST, ()))
        values["second_phase_documents"] = store_kinds(documents.get(Phase.SECOND, ()))
    changes = {}
    for name, value in values.items():
        if getattr(review_round, name) != value:
            changes[name] = [_plain(name, getattr(review_round, name)), _plain(name, value)]
            setattr(review_round, name, value)
    if changes:
        record_event("reviews.settings", by=by, target=review_round, **changes)
    db.session.flush()
    if "calibration_min_reviews" in changes:
        composites.refresh(review_round)


def _plain(name: str, value):
    if name.endswith("_documents"):  # in words for the audit log, not stored codes
        shown = parse_kinds(value or "")
        return ", ".join(kind.label for kind in REVIEWABLE_KINDS if kind in shown) or "none"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def choose_composite(
    review_round: ReviewRound, source: CompositeSource, *, version: int | None, by: User
) -> None:
    """Choose whether the raw or the calibrated composite feeds the allocation."""
    if version is not None and version != review_round.version:
        raise RuleViolation(
            "Someone else changed this choice after you opened the page. Check it and choose again."
        )
    if review_round.composite_source is not source:
        previous = review_round.composite_source
        review_round.composite_source = source
        record_event(
            "reviews.composite_source",
            by=by,
            target=review_round,
            summary=f"{previous.label} -> {source.label}",
        )
    db.session.flush()


def change_phase(review_round: ReviewRound, to: Phase, *, by: User) -> None:
    """Open the second phase, close the round, or reopen a closed round."""
    current = review_round.phase
    if to is Phase.SECOND:
        if current is not Phase.FIRST:
            raise RuleViolation("Only a round in its first phase can move to the second.")
        if not review_round.reveal_in_second_phase:
            raise RuleViolation(
                "This round reveals nothing in a second phase: turn on revealing in its "
                "settings first, or close the round."
            )
        review_round.revealed_at = utcnow()
    elif to is Phase.CLOSED:
        if current is Phase.CLOSED:
            raise RuleViolation("The round is already closed.")
        review_round.closed_at = utcnow()
    else:  # reopen: back to the phase it was closed in
        if current is not Phase.CLOSED:
            raise RuleViolation("Only a closed round can be reopened.")
        to = Phase.SECOND if review_round.revealed_at is not None else Phase.FIRST
        review_round.closed_at = None
    review_round.phase = to
    record_event(
        "reviews.phase", by=by, target=review_round, summary=f"{current.label} -> {to.label}"
    )
    db.session.flush()


def save_reviewer_profile(user: User, *, schools: str, version: int | None, by: User) -> None:
    """Record the schools a reviewer studied or works at (one per line)."""
    profile = db.session.get(ReviewerProfile, user.id)
    if profile is None:
        profile = ReviewerProfile(user_id=user.id, schools="")
        db.session.add(profile)
    elif version is not None and version != profile.version:
        raise RuleViolation(
            "Your schools were changed in another window after you opened this page. "
            "What you typed is kept below; check it and save again.",
            field="schools",
        )
    lines = [" ".join(line.split()) for line in schools.splitlines()]
    cleaned = "\n".join(dict.fromkeys(line for line in lines if line))
    if cleaned != profile.schools:
        record_event("reviews.reviewer_schools", by=by, target=user, schools=cleaned)
        profile.schools = cleaned
    db.session.flush()


def set_reviewer_cap(review_round: ReviewRound, reviewer: User, cap: int | None, *, by: User):
    """Limit how many subjects a reviewer takes in a round (None: no limit)."""
    if cap is not None and not 0 <= cap <= 10000:
        raise RuleViolation("Enter a cap between 0 and 10,000, or leave it empty.", field="cap")
    row = db.session.scalar(
        select(ReviewerCap).where(
            ReviewerCap.round_id == review_round.id, ReviewerCap.reviewer_id == reviewer.id
        )
    )
    before = row.cap if row else None
    if cap is None and row is not None:
        db.session.delete(row)
    elif cap is not None and row is None:
        db.session.add(ReviewerCap(round_id=review_round.id, reviewer_id=reviewer.id, cap=cap))
    elif row is not None:
        row.cap = cap
    if before != cap:
        record_event("reviews.cap", by=by, target=review_round, subject=reviewer, cap=[before, cap])
    db.session.flush()


def declare_conflict(reviewer: User, *, student_email: str, reason: str, by: User) -> Conflict:
    """Record that a reviewer must not review an applicant, named by their email."""
    try:
        email = validate_email(student_email, check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise RuleViolation(
            "Enter the applicant's email address.", field="student_email"
        ) from error
    reason = " ".join(reason.split())
    if not reason:
        raise RuleViolation("Say briefly why (it is shown to directors).", field="reason")
    existing = db.session.scalar(
        select(Conflict).where(Conflict.reviewer_id == reviewer.id, Conflict.student_email == email)
    )
    if existing is not None:
        existing.reason = reason[:500]
        conflict = existing
    else:
        conflict = Conflict(
            reviewer_id=reviewer.id, student_email=email, reason=reason[:500], declared_by_id=by.id
        )
        db.session.add(conflict)
    db.session.flush()
    record_event("reviews.conflict_declare", by=by, target=conflict, subject=reviewer)
    return conflict


def withdraw_conflict(conflict: Conflict, *, by: User) -> None:
    """Remove a declared conflict."""
    record_event("reviews.conflict_withdraw", by=by, target=conflict, subject=conflict.reviewer)
    db.session.delete(conflict)
    db.session.flush()


def lock_round(review_round: ReviewRound) -> None:
    """Serialise changes to a round's rubric and assignments (a row lock on PostgreSQL)."""
    db.session.execute(
        select(ReviewRound.id).where(ReviewRound.id == review_round.id).with_for_update()
    )
