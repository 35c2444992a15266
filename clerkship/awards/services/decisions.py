"""The committee's decisions, the rotation's completion and the payment, under the budget lock.

Every change of the money committed takes a row lock on the cycle's AwardSettings first
(FOR UPDATE on PostgreSQL; SQLite's write requests already hold its write lock), then
re-reads the award application, so two committee members deciding at the same moment
are served one after the other and the second sees what the first committed. The CHECK
constraint budget_not_overspent backs the rule in the database.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from clerkship.accounts.models import User
from clerkship.applications.models import Application, ApplicationState
from clerkship.applications.signals import application_withdrawn
from clerkship.audit.services import record_event
from clerkship.awards import queries
from clerkship.awards.models import DECIDABLE_STATES, AwardApplication, AwardSettings, AwardState
from clerkship.awards.money import format_money
from clerkship.core.rules import RuleViolation
from clerkship.core.time import to_local, utcnow
from clerkship.core.urls import external_url
from clerkship.cycles.models import Block
from clerkship.extensions import db
from clerkship.outbox.services import queue_email

S = AwardState
DECISIONS = (S.AWARDED, S.ALTERNATE, S.NOT_AWARDED)
# Rotation applications that ended without a rotation: nothing left to fund.
ROTATION_LOST = frozenset(
    {
        ApplicationState.WITHDRAWN,
        ApplicationState.DECLINED,
        ApplicationState.OFFER_EXPIRED,
        ApplicationState.NOT_SELECTED,
    }
)
STALE = (
    "This award application changed after you opened it (another committee member or the "
    "student acted). What you entered is kept; check the current state and send it again."
)


def lock_settings(cycle_id: int) -> AwardSettings:
    """The cycle's award settings, locked for the rest of the transaction and read fresh."""
    settings = db.session.scalar(
        select(AwardSettings)
        .where(AwardSettings.cycle_id == cycle_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if settings is None:
        raise RuleViolation("The award has no settings for this cycle yet.")
    return settings


def lock_award(award: AwardApplication, version: str | int | None) -> AwardApplication:
    """Re-read the award application under a row lock; refuse if the form was made from an older one."""
    fresh = db.session.scalar(
        select(AwardApplication)
        .where(AwardApplication.id == award.id)
        .with_for_update(of=AwardApplication)
        .execution_options(populate_existing=True)
    )
    if fresh is None or str(fresh.version) != str(version or ""):
        raise RuleViolation(STALE)
    return fresh


def release(settings: AwardSettings, award: AwardApplication) -> int:
    """Give the amount the award holds back to the budget; returns it."""
    released = award.committed_cents
    settings.committed_cents -= released
    return released


def _email_student(award: AwardApplication, subject: str, message: str) -> None:
    queue_email(
        award.student.email,
        f"Diversity in Medicine award: {subject}",
        "award_state",
        recipient=award.student,
        award=award,
        message=message,
        link=external_url("awards.student", cycle_slug=award.cycle.slug),
    )


def mark_under_review(award: AwardApplication, *, version: str | None, by: User) -> None:
    """The committee starts reviewing a submitted award application."""
    award = lock_award(award, version)
    if award.state is not S.SUBMITTED:
        raise RuleViolation(f"Only a submitted application can go under review; it is {_l(award)}.")
    award.state = S.UNDER_REVIEW
    record_event("award.under_review", by=by, target=award, subject=award.student)
    _email_student(award, "under review", "The award committee is now reviewing your application.")
    db.session.flush()


def _l(award: AwardApplication) -> str:
    return award.state.label.lower()


def decide_award(
    award: AwardApplication,
    *,
    decision: AwardState,
    amount_cents: int | None,
    note: str,
    version: str | None,
    by: User,
) -> AwardApplication:
    """Award (within the budget), make an alternate, or not award; the student is emailed."""
    if decision not in DECISIONS:
        raise RuleViolation("Choose awarded, alternate or not awarded.", field="decision")
    if decision is S.AWARDED and not amount_cents:
        raise RuleViolation("Enter the amount to award.", field="amount")
    settings = lock_settings(award.cycle_id)
    award = lock_award(award, version)
    if award.state not in DECIDABLE_STATES:
        raise RuleViolation(f"The committee cannot decide on an application that is {_l(award)}.")
    previous = award.state
    if previous is S.NEEDS_ATTENTION and not note.strip():
        raise RuleViolation(
            "The awardee no longer holds an accepted placement: give the committee's reason "
            "to confirm or rescind the award.",
            field="note",
        )
    application_state = award.application.state
    confirming = (
        previous is S.NEEDS_ATTENTION
        and decision is S.AWARDED
        and application_state in ROTATION_LOST
    )
    # (An award needing attention is confirmed with the committee's reason instead.)
    if (
        decision is S.AWARDED
        and previous is not S.NEEDS_ATTENTION
        and application_state in ROTATION_LOST
    ):
        raise RuleViolation(
            f"The {award.application.department.name} application this award is for is "
            f"{application_state.label.lower()}: it can no longer be funded.",
            field="decision",
        )
    # A changed award gives its own amount back first.
    available = settings.remaining_cents + award.committed_cents
    if decision is S.AWARDED and amount_cents > available:
        raise RuleViolation(
            f"Awarding {format_money(amount_cents)} would overspend the budget: "
            f"{format_money(available)} remains.",
            field="amount",
        )
    released = release(settings, award)
    if decision is S.AWARDED:
        settings.committed_cents += amount_cents
        award.amount_cents = amount_cents
        award.alternate_rank = None
        message = (
            f"Congratulations: the committee awarded you {format_money(amount_cents)} for your "
            f"{award.application.department.name} rotation. It is paid after the rotation is "
            "completed."
        )
    elif decision is S.ALTERNATE:
        if previous is not S.ALTERNATE:
            award.alternate_rank = queries.next_alternate_rank(award.cycle)
        message = (
            f"You are an alternate (number {award.alternate_rank}). If an award is released, "
            "the committee offers it to the alternates in order."
        )
    else:
        award.alternate_rank = None
        message = "We are sorry: the committee could not give you the award this season."
    award.state = decision
    award.decided_at = utcnow()
    award.decided_by = by
    award.decision_note = note[:1000]
    record_event(
        f"award.{decision.value}",
        by=by,
        target=award,
        subject=award.student,
        summary=f"{previous.label} -> {decision.label}"
        + (f", {format_money(amount_cents)}" if decision is S.AWARDED else ""),
        amount_cents=amount_cents if decision is S.AWARDED else None,
        released_cents=released,
        # Confirming an award whose rotation ended keeps it against the rotation rule: the
        # committee's reason is the audited override (the doctor accepts it).
        **({"override_reason": note[:1000]} if confirming else {}),
    )
    _email_student(award, decision.label.lower(), message)
    db.session.flush()
    return award


def offer_next_alternate(award: AwardApplication, released_cents: int) -> AwardApplication | None:
    """Tell the committee an award was released and who the next alternate is."""
    alternate = queries.next_alternate(award.cycle)
    members = queries.committee_members()
    if members:
        queue_email(
            [m.email for m in members],
            "Diversity in Medicine award: an award was released",
            "award_released",
            award=award,
            released=format_money(released_cents),
            alternate=alternate,
            link=external_url("award_committee.application", award_id=alternate.id, offer=1)
            if alternate
            else external_url("award_committee.index", cycle_slug=award.cycle.slug),
        )
    return alternate


def rotation_block(award: AwardApplication) -> Block | None:
    """The block of the awardee's rotation: the one their application holds a seat in."""
    return queries.held_blocks([award.application_id]).get(award.application_id)


def _overridable(problem: str, *, override_reason: str, by: User, field: str | None = None) -> None:
    """Refuse a rule an administrator may override with a written reason; the committee and
    coordinators may not."""
    if not by.is_admin:
        raise RuleViolation(
            problem + " Only an administrator can override this, with a written reason.",
            field=field,
        )
    if not override_reason:
        raise RuleViolation(
            problem + " To record it anyway, give your reason.", field="override_reason"
        )


def awards_of_rotation(application: Application) -> list[AwardApplication]:
    """The award applications that fund this rotation application."""
    return list(
        db.session.scalars(
            select(AwardApplication)
            .where(AwardApplication.application_id == application.id)
            .order_by(AwardApplication.id)
        )
    )


def follow_rotation_completion(
    award: AwardApplication,
    *,
    by: User,
    override_reason: str = "",
    refusal: str | None = None,
) -> None:
    """The award follows its rotation's completion (payment may follow).

    Called only by rotations.services.record_completion, which checked the block's end and
    moved the application to Completed: the award's "rotation completed" can never disagree
    with the rotation's record. An administrator's early completion keeps its reason here
    too, on the award's event (the committee's award page shows it).
    """
    award = lock_award(award, award.version)
    if award.state is not S.AWARDED:
        return
    award.state = S.ROTATION_COMPLETED
    award.completed_at = utcnow()
    award.completed_by = by
    overridden = {"override_reason": override_reason, "refusal": refusal} if refusal else {}
    record_event(
        "award.rotation_completed", by=by, target=award, subject=award.student, **overridden
    )
    _email_student(
        award,
        "rotation completed",
        "Your rotation is recorded as completed. The committee will now pay your award.",
    )
    db.session.flush()


def flag_award_after_early_end(award: AwardApplication, *, by: User, reason: str) -> None:
    """An awardee's rotation ended early: the committee confirms or rescinds the award."""
    award = lock_award(award, award.version)
    if award.state is not S.AWARDED:
        return
    award.state = S.NEEDS_ATTENTION
    record_event(
        "award.needs_attention",
        by=by,
        target=award,
        subject=award.student,
        summary=f"{award.application.department.name} rotation ended early: {reason[:200]}",
        application_id=award.application_id,
    )
    db.session.flush()


def _payment_refusal(award: AwardApplication, paid_on: date) -> str | None:
    """Why this payment would be premature: the rotation is not completed, or the payment
    date is before the completion or the block's end."""
    if award.state is S.AWARDED:
        return "A payment is recorded after the rotation is completed; this award is awarded."
    block = rotation_block(award)
    if block is not None and paid_on < block.ends_on:
        return (
            f"The payment date cannot be before the rotation's block ends "
            f"({block.ends_on:%B %-d, %Y})."
        )
    completed_on = to_local(award.completed_at).date() if award.completed_at else None
    if completed_on and paid_on < completed_on:
        return (
            f"The payment date cannot be before the rotation's completion was recorded "
            f"({completed_on:%B %-d, %Y})."
        )
    return None


def record_payment(
    award: AwardApplication,
    *,
    paid_on: date,
    amount_cents: int,
    reference: str,
    version: str | None,
    today: date,
    by: User,
    override_reason: str = "",
) -> None:
    """The committee records the payment; more than awarded only within the budget.

    Not before the rotation is completed, nor dated before its completion or the block's
    end, unless an administrator gives a reason, which the audit event keeps.
    """
    if paid_on > today:
        raise RuleViolation("The payment date cannot be in the future.", field="paid_on")
    if amount_cents <= 0:
        raise RuleViolation("Enter the amount paid, above $0.", field="paid_amount")
    reference = reference.strip()
    if not reference:
        raise RuleViolation("Enter the payment reference.", field="reference")
    override_reason = override_reason.strip()[:1000]
    settings = lock_settings(award.cycle_id)
    award = lock_award(award, version)
    if award.state not in (S.AWARDED, S.ROTATION_COMPLETED):
        raise RuleViolation(
            f"A payment is recorded after the rotation is completed; this award is {_l(award)}."
        )
    refusal = _payment_refusal(award, paid_on)
    if refusal:
        _overridable(
            refusal,
            override_reason=override_reason,
            by=by,
            field=None if award.state is S.AWARDED else "paid_on",
        )
    extra = amount_cents - award.amount_cents
    if extra > settings.remaining_cents:
        raise RuleViolation(
            f"Paying {format_money(amount_cents)} is {format_money(extra)} more than awarded and "
            f"would overspend the budget: {format_money(settings.remaining_cents)} remains.",
            field="paid_amount",
        )
    settings.committed_cents += extra
    award.state = S.PAID
    award.paid_on = paid_on
    award.paid_cents = amount_cents
    award.payment_reference = reference[:100]
    award.paid_recorded_by = by
    overridden = {"override_reason": override_reason, "refusal": refusal} if refusal else {}
    record_event(
        "award.paid",
        by=by,
        target=award,
        subject=award.student,
        summary=f"{format_money(amount_cents)} on {paid_on.isoformat()}, ref. {reference[:100]}",
        **overridden,
    )
    _email_student(
        award,
        "payment recorded",
        f"Your award of {format_money(amount_cents)} was paid on {paid_on:%b %-d, %Y} "
        f"(reference {reference[:100]}).",
    )
    db.session.flush()


@application_withdrawn.connect
def _on_withdrawn(application: Application, *, by: User | None) -> None:
    flag_awards_without_placement(application, by=by)


def flag_awards_without_placement(withdrawn: Application, *, by: User | None) -> None:
    """An awardee who withdrew and holds no accepted placement left: the committee must decide."""
    awards = db.session.scalars(
        select(AwardApplication).where(
            AwardApplication.student_id == withdrawn.student_id,
            AwardApplication.cycle_id == withdrawn.cycle_id,
            AwardApplication.state == S.AWARDED,
        )
    ).all()
    if not awards or queries.holds_accepted_placement(
        withdrawn.student_id, withdrawn.cycle_id, besides=withdrawn.id
    ):
        return
    for award in awards:
        award.state = S.NEEDS_ATTENTION
        record_event(
            "award.needs_attention",
            by=by,
            target=award,
            subject=award.student,
            summary=f"{withdrawn.department.name} application withdrawn; no accepted placement left",
            application_id=withdrawn.id,
        )
    db.session.flush()
