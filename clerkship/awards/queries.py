"""Reads of the award shared by pages, services and the reviews feature."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, func, select
from sqlalchemy.orm import selectinload

from clerkship.accounts.models import Membership, Role, User
from clerkship.allocation.models import Placement, PlacementState
from clerkship.applications.models import Application, StudentProfile
from clerkship.audit.models import AuditEvent
from clerkship.awards.eligibility import Facts, Failure, check_rules, check_timing, count_words
from clerkship.awards.models import (
    APPLICANT_STATES,
    COMMITTED_STATES,
    AwardApplication,
    AwardSettings,
    AwardState,
)
from clerkship.core.time import local_today
from clerkship.cycles.models import Block, Cycle, Department
from clerkship.documents.models import Document, DocumentKind
from clerkship.documents.queries import current_document
from clerkship.extensions import db
from clerkship.offers.models import Offer, OfferState


def settings_for(cycle: Cycle) -> AwardSettings | None:
    """The award's settings in the cycle, if the committee has set them."""
    return db.session.scalar(select(AwardSettings).where(AwardSettings.cycle_id == cycle.id))


def live_award(student: User, cycle: Cycle) -> AwardApplication | None:
    """The student's award application in the cycle that is not withdrawn."""
    return db.session.scalar(
        select(AwardApplication).where(
            AwardApplication.student_id == student.id,
            AwardApplication.cycle_id == cycle.id,
            AwardApplication.state != AwardState.WITHDRAWN,
        )
    )


def withdrawn_awards(student: User, cycle: Cycle) -> list[AwardApplication]:
    """The student's withdrawn award applications in the cycle, newest first."""
    return list(
        db.session.scalars(
            select(AwardApplication)
            .where(
                AwardApplication.student_id == student.id,
                AwardApplication.cycle_id == cycle.id,
                AwardApplication.state == AwardState.WITHDRAWN,
            )
            .order_by(AwardApplication.id.desc())
        )
    )


@dataclass(frozen=True)
class Override:
    """A rule an administrator set aside for this award, with their reason."""

    action: str  # "award.rotation_completed" or "award.paid"
    refusal: str
    reason: str
    by: str

    @property
    def label(self) -> str:
        return "Completed early" if self.action == "award.rotation_completed" else "Paid early"


def award_overrides(award: AwardApplication) -> list[Override]:
    """The completion and payment this award got despite their timing rules, oldest first."""
    events = db.session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.action.in_(("award.rotation_completed", "award.paid")),
            AuditEvent.target_type == "AwardApplication",
            AuditEvent.target_id == award.id,
        )
        .order_by(AuditEvent.id)
    )
    return [
        Override(
            event.action,
            event.detail["refusal"],
            event.detail["override_reason"],
            event.actor.full_name if event.actor else "a former administrator",
        )
        for event in events
        if (event.detail or {}).get("override_reason")
    ]


def profile_of(student: User) -> StudentProfile | None:
    """The student's profile, if they filled it in."""
    return db.session.scalar(select(StudentProfile).where(StudentProfile.user_id == student.id))


def held_blocks(application_ids: list[int]) -> dict[int, Block]:
    """The block each application holds a seat in (offered or accepted), in one query."""
    if not application_ids:
        return {}
    rows = db.session.execute(
        select(Placement.application_id, Block)
        .join(Block, Placement.block_id == Block.id)
        .where(
            Placement.application_id.in_(application_ids),
            Placement.state == PlacementState.HELD,
        )
        .order_by(Placement.id)
    )
    return {application_id: block for application_id, block in rows}  # the newest wins


def amount_block(application: Application, held: dict[int, Block] | None = None) -> Block | None:
    """The block whose rotation length sets the suggested amount.

    The block the student holds a seat in (offered or accepted) when there is one, else
    their first-choice block. Pass held (from held_blocks) when doing this for many.
    """
    held = held_blocks([application.id]) if held is None else held
    if application.id in held:
        return held[application.id]
    return application.choices[0].block if application.choices else None


def suggested_amount(
    award: AwardApplication, settings: AwardSettings, held: dict[int, Block] | None = None
) -> int | None:
    """The schedule's amount for the rotation length of the award's block, if any."""
    block = amount_block(award.application, held)
    return settings.amount_for_weeks(block.rotation.weeks) if block else None


@dataclass(frozen=True)
class CommitteeRow:
    """One award application on the committee's list."""

    award: AwardApplication
    failures: list[Failure]
    suggested_cents: int | None

    @property
    def eligible(self) -> bool:
        return not self.failures


def _failures(
    award: AwardApplication,
    settings: AwardSettings,
    profile: StudentProfile | None,
    has_cv: bool,
) -> list[Failure]:
    """The live eligibility of a submitted application: its rules, CV and timing."""
    facts = Facts(award.cycle, profile, frozenset(award.attestations))
    failures = check_rules(facts, settings.rules)
    timing = check_timing(award.application)
    if timing:
        failures.insert(0, timing)
    if not has_cv:
        failures.insert(0, Failure("CV", "no CV on file."))
    words = count_words(award.essay)
    if words > settings.essay_word_limit:
        failures.append(
            Failure("Essay", f"{words} words; the limit is {settings.essay_word_limit}.")
        )
    return failures


def eligibility(award: AwardApplication, settings: AwardSettings) -> list[Failure]:
    """What the award application fails today (the profile may have changed since submission)."""
    has_cv = award.cv_document_id is not None or (
        current_document(award.student, award.cycle, DocumentKind.CV) is not None
    )
    return _failures(award, settings, profile_of(award.student), has_cv)


def awards_by_ids(ids: list[int]) -> list[AwardApplication]:
    """These award applications in this order (students and applications come joined)."""
    if not ids:
        return []
    found = {
        a.id: a
        for a in db.session.scalars(select(AwardApplication).where(AwardApplication.id.in_(ids)))
    }
    return [found[i] for i in ids if i in found]


def committee_rows(awards: list[AwardApplication], settings: AwardSettings) -> list[CommitteeRow]:
    """The awards with their eligibility and suggested amount, in a fixed number of queries."""
    ids = [a.id for a in awards]
    # Load what the rows read in bulk: the rotation application's choices (for the amount).
    db.session.scalars(
        select(AwardApplication)
        .where(AwardApplication.id.in_(ids))
        .options(selectinload(AwardApplication.application).selectinload(Application.choices))
    ).all()
    held = held_blocks([a.application_id for a in awards])
    student_ids = {a.student_id for a in awards}
    profiles = {
        p.user_id: p
        for p in db.session.scalars(
            select(StudentProfile).where(StudentProfile.user_id.in_(student_ids))
        )
    }
    with_cv = set(
        db.session.scalars(
            select(Document.owner_id).where(
                Document.owner_id.in_(student_ids),
                Document.cycle_id == settings.cycle_id,
                Document.kind == DocumentKind.CV,
                Document.replaced_at.is_(None),
            )
        )
    )
    return [
        CommitteeRow(
            award,
            _failures(
                award,
                settings,
                profiles.get(award.student_id),
                award.cv_document_id is not None or award.student_id in with_cv,
            ),
            suggested_amount(award, settings, held),
        )
        for award in awards
    ]


def money_awards(cycle: Cycle) -> list[AwardApplication]:
    """Award applications that were given an amount (awarded, completed, paid, declined...)."""
    return list(
        db.session.scalars(
            select(AwardApplication)
            .where(
                AwardApplication.cycle_id == cycle.id, AwardApplication.amount_cents.is_not(None)
            )
            .order_by(AwardApplication.decided_at, AwardApplication.id)
        )
    )


def next_alternate(cycle: Cycle) -> AwardApplication | None:
    """The alternate the committee is offered next: the lowest rank."""
    return db.session.scalar(
        select(AwardApplication)
        .where(
            AwardApplication.cycle_id == cycle.id, AwardApplication.state == AwardState.ALTERNATE
        )
        .order_by(AwardApplication.alternate_rank, AwardApplication.id)
        .limit(1)
    )


def next_alternate_rank(cycle: Cycle) -> int:
    """The rank a new alternate gets: after every current alternate."""
    highest = db.session.scalar(
        select(func.max(AwardApplication.alternate_rank)).where(
            AwardApplication.cycle_id == cycle.id, AwardApplication.state == AwardState.ALTERNATE
        )
    )
    return (highest or 0) + 1


@dataclass(frozen=True)
class Budget:
    """The cycle's budget: awarded but unpaid, paid, what is left."""

    total_cents: int
    committed_cents: int  # awarded, not yet paid
    paid_cents: int
    counts: dict[AwardState, int]

    @property
    def remaining_cents(self) -> int:
        return self.total_cents - self.committed_cents - self.paid_cents


def budget(settings: AwardSettings) -> Budget:
    """Sums and counts by state, from the award applications themselves."""
    rows = db.session.execute(
        select(
            AwardApplication.state,
            func.count(AwardApplication.id),
            func.coalesce(func.sum(AwardApplication.amount_cents), 0),
            func.coalesce(func.sum(AwardApplication.paid_cents), 0),
        )
        .where(AwardApplication.cycle_id == settings.cycle_id)
        .group_by(AwardApplication.state)
    ).all()
    counts = {state: count for state, count, _amount, _paid in rows}
    committed = sum(amount for state, _c, amount, _p in rows if state in COMMITTED_STATES)
    paid = sum(paid for state, _c, _a, paid in rows if state is AwardState.PAID)
    return Budget(settings.budget_cents, committed, paid, counts)


def department_awards(department: Department, cycle: Cycle) -> list[AwardApplication]:
    """Awards for the department's rotations in the cycle: awarded (or needing attention),
    completed or paid."""
    return list(
        db.session.scalars(
            select(AwardApplication)
            .join(AwardApplication.application)
            .join(AwardApplication.student)
            .where(
                Application.department_id == department.id,
                AwardApplication.cycle_id == cycle.id,
                AwardApplication.state.in_((*COMMITTED_STATES, AwardState.PAID)),
            )
            .order_by(User.full_name)
        )
    )


def committee_members() -> list[User]:
    """Active members of the award committee (for the alternate offer)."""
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.active.is_(True),
                User.memberships.any(Membership.role == Role.AWARD_COMMITTEE),
            )
            .order_by(User.id)
        )
    )


def is_open(settings: AwardSettings) -> bool:
    """Whether submissions are still accepted today (until the end of the deadline day)."""
    return local_today() <= settings.deadline


def is_award_applicant(student: User, cycle: Cycle) -> bool:
    """Whether the student submitted an award application in the cycle and did not withdraw it."""
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    AwardApplication.student_id == student.id,
                    AwardApplication.cycle_id == cycle.id,
                    AwardApplication.state.in_(APPLICANT_STATES),
                )
            )
        )
    )


def holds_accepted_placement(student_id: int, cycle_id: int, *, besides: int) -> bool:
    """Whether the student holds an accepted placement in the cycle, on another application."""
    return (
        db.session.scalar(
            select(Offer.id)
            .join(Placement, Placement.id == Offer.placement_id)
            .join(Application, Application.id == Offer.application_id)
            .where(
                Application.student_id == student_id,
                Application.cycle_id == cycle_id,
                Application.id != besides,
                Offer.state == OfferState.ACCEPTED,
                Placement.state == PlacementState.HELD,
            )
            .limit(1)
        )
        is not None
    )
