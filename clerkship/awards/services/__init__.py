"""The award's settings and the student's side: draft, submit, withdraw, decline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.exc import IntegrityError

from clerkship.accounts.models import User
from clerkship.applications.models import Application
from clerkship.audit.services import record_event
from clerkship.awards import queries
from clerkship.awards.eligibility import Facts, Failure, Submission, check_submission, count_words
from clerkship.awards.models import AwardAmount, AwardApplication, AwardSettings, AwardState
from clerkship.awards.money import format_money
from clerkship.awards.services.decisions import (
    lock_award,
    lock_settings,
    offer_next_alternate,
    release,
)
from clerkship.core.rules import RuleViolation
from clerkship.core.time import utcnow
from clerkship.core.urls import external_url
from clerkship.cycles.models import AwardTiming, Cycle, Department
from clerkship.documents.models import DocumentKind
from clerkship.documents.queries import current_document
from clerkship.extensions import db
from clerkship.outbox.services import queue_email
from clerkship.pathway import queries as pathway_queries
from clerkship.pathway.services import refresh_pathway_flags

S = AwardState


class EligibilityRefused(RuleViolation):
    """A submission refused for one or more named reasons."""

    def __init__(self, failures: list[Failure]):
        super().__init__(" ".join(str(f) for f in failures))
        self.failures = failures


def save_award_settings(
    cycle: Cycle,
    *,
    budget_cents: int,
    deadline: date,
    essay_prompt: str,
    essay_word_limit: int,
    rules: list[str],
    amounts: dict[int, int],
    version: str | None,
    by: User,
) -> AwardSettings:
    """Create or change the cycle's award settings; the budget never drops below what is committed."""
    settings = queries.settings_for(cycle)
    if settings is not None:
        settings = lock_settings(cycle.id)
        if str(settings.version) != (version or ""):
            raise RuleViolation(
                "The settings were changed by someone else after you opened them. Your entries "
                "are kept below; review them and save again."
            )
        if budget_cents < settings.committed_cents:
            raise RuleViolation(
                f"The budget cannot be less than the {format_money(settings.committed_cents)} "
                "already awarded or paid.",
                field="budget",
            )
        settings.version += 1
    else:
        settings = AwardSettings(cycle=cycle, committed_cents=0)
        db.session.add(settings)
    settings.budget_cents = budget_cents
    settings.deadline = deadline
    settings.essay_prompt = essay_prompt
    settings.essay_word_limit = essay_word_limit
    settings.rules = rules
    by_weeks = {a.weeks: a for a in settings.amounts}
    settings.amounts = [
        _amount(by_weeks.get(weeks), weeks, cents)
        for weeks, cents in sorted(amounts.items(), reverse=True)
    ]
    record_event(
        "award.settings",
        by=by,
        target=cycle,
        summary=f"Budget {format_money(budget_cents)}, deadline {deadline.isoformat()}",
        rules=rules,
        amounts={str(k): v for k, v in amounts.items()},
    )
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as error:
        raise RuleViolation(
            "Someone created this cycle's settings at the same moment; reload and try again."
        ) from error
    return settings


def _amount(row: AwardAmount | None, weeks: int, cents: int) -> AwardAmount:
    row = row or AwardAmount(weeks=weeks)
    row.amount_cents = cents
    return row


def set_award_timing(department: Department, timing: AwardTiming, *, by: User) -> None:
    """Whether the department's students apply for the award with the application or after acceptance."""
    if department.award_timing is not timing:
        department.award_timing = timing
        record_event("department.award_timing", by=by, target=department, timing=timing.value)
        db.session.flush()


def save_award_draft(
    student: User,
    cycle: Cycle,
    award: AwardApplication | None,
    *,
    application_id: int | None,
    essay: str,
    financial_need: str,
    attestations: list[str],
    version: str | None,
    by: User,
) -> AwardApplication:
    """Create or change the student's draft award application (nothing is checked but ownership)."""
    if queries.settings_for(cycle) is None:
        raise RuleViolation("The award is not open in this cycle yet.")
    application = db.session.get(Application, application_id) if application_id else None
    if application is not None and (
        application.student_id != student.id or application.cycle_id != cycle.id
    ):
        raise RuleViolation("Choose one of your applications.", field="application_id")
    if award is None:
        if queries.live_award(student, cycle) is not None:
            raise RuleViolation(
                "You already have an award application in this cycle; reload the page to see it."
            )
        if application is None:
            raise RuleViolation(
                "Choose the rotation application the award is for.", field="application_id"
            )
        award = AwardApplication(student=student, cycle=cycle, application=application)
        db.session.add(award)
    else:
        award = lock_award(award, version)
        if not award.is_editable:
            raise RuleViolation(f"Your award application is {award.state.label.lower()}.")
        if application is not None:
            award.application = application
    award.essay = essay
    award.essay_words = count_words(essay)
    award.financial_need = financial_need
    award.attestations = attestations
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as error:  # the same student saving twice at once
        raise RuleViolation(
            "You already have an award application in this cycle; reload the page to see it."
        ) from error
    return award


def submit_award_application(award: AwardApplication, *, today: date, by: User) -> list[Department]:
    """Submit after checking every rule; returns the departments that will consider the student.

    Submitting puts the student in the pathway for every application of the cycle.
    """
    if award.state is not S.DRAFT:
        raise RuleViolation(f"Your award application is already {award.state.label.lower()}.")
    settings = queries.settings_for(award.cycle)
    cv = current_document(award.student, award.cycle, DocumentKind.CV)
    failures = check_submission(
        Submission(
            facts=Facts(
                award.cycle, queries.profile_of(award.student), frozenset(award.attestations)
            ),
            rules=settings.rules,
            application=award.application,
            essay=award.essay,
            word_limit=settings.essay_word_limit,
            has_cv=cv is not None,
            deadline=settings.deadline,
            today=today,
        )
    )
    if failures:
        raise EligibilityRefused(failures)
    award.state = S.SUBMITTED
    award.submitted_at = utcnow()
    award.cv_document_id = cv.id
    db.session.flush()
    refresh_pathway_flags(award.student, award.cycle, by=by)
    departments = pathway_queries.reserved_seat_departments(award.student, award.cycle)
    record_event("award.submitted", by=by, target=award, subject=award.student)
    queue_email(
        award.student.email,
        "Diversity in Medicine award: application received",
        "award_submitted",
        recipient=award.student,
        award=award,
        departments=departments,
        link=external_url("awards.student", cycle_slug=award.cycle.slug),
    )
    return departments


@dataclass(frozen=True)
class Withdrawal:
    """What withdrawing changed for the student's place in the pathway."""

    still_in: list[Department]
    left: list[Department]
    self_identified: bool
    was_draft: bool = False


def withdraw_award_application(
    award: AwardApplication, *, version: str | None, by: User
) -> Withdrawal:
    """Withdraw; a self-identification given elsewhere keeps the student in the pathway, and they are told."""
    settings = lock_settings(award.cycle_id)
    award = lock_award(award, version)
    if award.state in (S.WITHDRAWN, S.DECLINED, S.ROTATION_COMPLETED, S.PAID):
        raise RuleViolation(
            f"An award application that is {award.state.label.lower()} cannot be withdrawn."
        )
    was_draft, was_awarded = award.state is S.DRAFT, award.state in (S.AWARDED, S.NEEDS_ATTENTION)
    released = release(settings, award)
    award.state = S.WITHDRAWN
    award.withdrawn_at = utcnow()
    award.alternate_rank = None
    db.session.flush()
    changed = refresh_pathway_flags(award.student, award.cycle, by=by)
    outcome = Withdrawal(
        still_in=pathway_queries.reserved_seat_departments(award.student, award.cycle),
        left=[a.department for a in changed if not a.in_pathway],
        self_identified=pathway_queries.basis(award.student, award.cycle).self_identified,
        was_draft=was_draft,
    )
    record_event("award.withdrawn", by=by, target=award, subject=award.student)
    if was_draft:  # a discarded draft changes nothing anyone was told about
        return outcome
    queue_email(
        award.student.email,
        "Diversity in Medicine award: application withdrawn",
        "award_withdrawn",
        recipient=award.student,
        award=award,
        outcome=outcome,
        link=external_url("pathway.overview", cycle_slug=award.cycle.slug),
    )
    if was_awarded:
        offer_next_alternate(award, released)
    return outcome


def decline_award(award: AwardApplication, *, version: str | None, by: User) -> None:
    """The awardee declines the award; the money goes back and the committee is offered an alternate."""
    settings = lock_settings(award.cycle_id)
    award = lock_award(award, version)
    if award.state is not S.AWARDED:
        raise RuleViolation("Only an award you were given can be declined.")
    released = release(settings, award)
    award.state = S.DECLINED
    record_event("award.declined", by=by, target=award, subject=award.student)
    queue_email(
        award.student.email,
        "Diversity in Medicine award: declined",
        "award_state",
        recipient=award.student,
        award=award,
        message="You declined the award. You stay in the UIM pathway as an award applicant.",
        link=external_url("awards.student", cycle_slug=award.cycle.slug),
    )
    db.session.flush()
    offer_next_alternate(award, released)
