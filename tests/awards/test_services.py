"""The student's side and the committee's decisions, budget, completion, payment, alternates."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from clerkship.accounts.models import Role
from clerkship.applications.models import ApplicationState
from clerkship.audit.models import AuditEvent
from clerkship.awards import queries, services
from clerkship.awards.models import AwardSettings, AwardState
from clerkship.awards.services import decisions
from clerkship.core.rules import RuleViolation
from clerkship.core.time import local_today
from clerkship.cycles.models import AwardTiming
from clerkship.extensions import db
from clerkship.pathway import queries as pathway_queries
from clerkship.pathway.services import refresh_pathway_flags
from tests.awards.helpers import complete_rotation, ready_student, rotation_held, text_of
from tests.factories import (
    make_cycle,
    make_department,
    make_rotation_application,
    make_self_identification,
    make_user,
)

pytestmark = pytest.mark.usefixtures("app")


def _submit(ready):
    return services.submit_award_application(ready.award, today=local_today(), by=ready.student)


def _award(ready, amount=2000_00):
    _submit(ready)
    return decisions.decide_award(
        ready.award,
        decision=AwardState.AWARDED,
        amount_cents=amount,
        note="",
        version=ready.award.version,
        by=ready.committee,
    )


def test_submitting_puts_the_student_in_the_pathway_for_every_application(mailbox):
    ready = ready_student(full_name="Amara Okafor")
    others = [
        make_rotation_application(ready.student, ready.cycle, make_department(name=name))
        for name in ("Pediatrics", "Psychiatry")
    ]
    departments = _submit(ready)
    db.session.commit()
    assert [a.in_pathway for a in (ready.application, *others)] == [True, True, True]
    assert sorted(d.name for d in departments) == sorted(
        [ready.department.name, "Pediatrics", "Psychiatry"]
    )
    body = text_of(mailbox.last_to(ready.student.email))
    assert (
        "  - Pediatrics considers you for the seats reserved for the UIM pathway.\n"
        "  - Psychiatry considers you for the seats reserved for the UIM pathway.\n"
    ) in body


def test_application_made_after_the_award_is_flagged_by_refresh():
    ready = ready_student()
    _submit(ready)
    later = make_rotation_application(ready.student, ready.cycle, make_department())
    refresh_pathway_flags(ready.student, ready.cycle, by=ready.student)
    assert later.in_pathway is True


def test_withdrawing_keeps_a_self_identification_given_elsewhere(mailbox):
    ready = ready_student()
    make_self_identification(ready.student, ready.cycle)
    _submit(ready)
    outcome = services.withdraw_award_application(
        ready.award, version=ready.award.version, by=ready.student
    )
    db.session.commit()
    assert ready.application.in_pathway is True
    assert (outcome.self_identified, [d.name for d in outcome.still_in], outcome.left) == (
        True,
        [ready.department.name],
        [],
    )
    assert pathway_queries.self_identification(ready.student, ready.cycle) is not None
    body = text_of(mailbox.last_to(ready.student.email))
    assert "You stay in the UIM pathway because you self-identified:\n  - " in body


def test_withdrawing_without_self_identification_says_which_departments_are_left(mailbox):
    ready = ready_student()
    _submit(ready)
    outcome = services.withdraw_award_application(
        ready.award, version=ready.award.version, by=ready.student
    )
    db.session.commit()
    assert ready.application.in_pathway is False
    assert [d.name for d in outcome.left] == [ready.department.name]
    body = text_of(mailbox.last_to(ready.student.email))
    assert f"you are no longer in it for:\n  - {ready.department.name}\n" in body


def test_withdrawn_application_can_be_followed_by_a_new_one():
    ready = ready_student()
    services.withdraw_award_application(ready.award, version=ready.award.version, by=ready.student)
    award = services.save_award_draft(
        ready.student,
        ready.cycle,
        None,
        application_id=ready.application.id,
        essay="Again.",
        financial_need="",
        attestations=[],
        version=None,
        by=ready.student,
    )
    assert (award.state, award.essay_words) == (AwardState.DRAFT, 1)


def test_second_live_application_is_refused_by_the_database():
    ready = ready_student()
    from tests.factories import make_award_application

    with pytest.raises(IntegrityError):
        make_award_application(ready.application, state=AwardState.DRAFT)


def test_draft_for_someone_elses_application_is_refused():
    ready = ready_student()
    stranger = ready_student(cycle=ready.cycle, settings=ready.settings)
    with pytest.raises(RuleViolation) as refused:
        services.save_award_draft(
            ready.student,
            ready.cycle,
            ready.award,
            application_id=stranger.application.id,
            essay="x",
            financial_need="",
            attestations=[],
            version=str(ready.award.version),
            by=ready.student,
        )
    assert (refused.value.field, refused.value.message) == (
        "application_id",
        "Choose one of your applications.",
    )


def test_stale_draft_save_is_refused():
    ready = ready_student()
    with pytest.raises(RuleViolation) as refused:
        services.save_award_draft(
            ready.student,
            ready.cycle,
            ready.award,
            application_id=ready.application.id,
            essay="x",
            financial_need="",
            attestations=[],
            version=str(ready.award.version + 1),
            by=ready.student,
        )
    assert refused.value.message == decisions.STALE


def test_award_within_budget_commits_the_amount(mailbox):
    ready = ready_student()
    _award(ready, 2000_00)
    db.session.commit()
    assert (ready.award.state, ready.award.amount_cents, ready.settings.committed_cents) == (
        AwardState.AWARDED,
        2000_00,
        2000_00,
    )
    assert "awarded you $2,000.00" in text_of(mailbox.last_to(ready.student.email))


def test_award_beyond_the_budget_is_refused_with_the_remaining_amount():
    ready = ready_student()
    ready.settings.budget_cents = 3000_00
    _award(ready, 2000_00)
    second = ready_student(cycle=ready.cycle, settings=ready.settings)
    _submit(second)
    with pytest.raises(RuleViolation) as refused:
        decisions.decide_award(
            second.award,
            decision=AwardState.AWARDED,
            amount_cents=2000_00,
            note="",
            version=second.award.version,
            by=second.committee,
        )
    assert (refused.value.field, refused.value.message) == (
        "amount",
        "Awarding $2,000.00 would overspend the budget: $1,000.00 remains.",
    )


def test_database_refuses_an_overspent_budget():
    ready = ready_student()
    ready.settings.committed_cents = ready.settings.budget_cents + 1
    with pytest.raises(IntegrityError):
        db.session.flush()


def test_changing_an_award_releases_its_amount():
    ready = ready_student()
    _award(ready, 2000_00)
    decisions.decide_award(
        ready.award,
        decision=AwardState.NOT_AWARDED,
        amount_cents=None,
        note="",
        version=ready.award.version,
        by=ready.committee,
    )
    assert ready.settings.committed_cents == 0


def test_alternates_get_ranks_in_order():
    ready = ready_student()
    second = ready_student(cycle=ready.cycle, settings=ready.settings)
    for r in (ready, second):
        _submit(r)
        decisions.decide_award(
            r.award,
            decision=AwardState.ALTERNATE,
            amount_cents=None,
            note="",
            version=r.award.version,
            by=r.committee,
        )
    assert (ready.award.alternate_rank, second.award.alternate_rank) == (1, 2)
    assert queries.next_alternate(ready.cycle).id == ready.award.id


@pytest.mark.parametrize("how", ["decline", "withdraw"])
def test_released_award_is_offered_to_the_next_alternate(mailbox, how):
    awardee = ready_student()
    alternate = ready_student(
        cycle=awardee.cycle, settings=awardee.settings, full_name="Next Alternate"
    )
    _award(awardee, 2000_00)
    _submit(alternate)
    decisions.decide_award(
        alternate.award,
        decision=AwardState.ALTERNATE,
        amount_cents=None,
        note="",
        version=alternate.award.version,
        by=alternate.committee,
    )
    if how == "decline":
        services.decline_award(awardee.award, version=awardee.award.version, by=awardee.student)
    else:
        services.withdraw_award_application(
            awardee.award, version=awardee.award.version, by=awardee.student
        )
    db.session.commit()
    assert awardee.settings.committed_cents == 0
    offer = mailbox.last_to(alternate.committee.email)
    assert offer["Subject"] == "Diversity in Medicine award: an award was released"
    body = text_of(offer)
    assert "The next alternate is Next Alternate (alternate number 1" in body
    assert f"/awards/applications/{alternate.award.id}?offer=1" in body
    # The committee promotes the alternate: the released money is awarded again.
    decisions.decide_award(
        alternate.award,
        decision=AwardState.AWARDED,
        amount_cents=2000_00,
        note="Promoted from the alternates.",
        version=alternate.award.version,
        by=alternate.committee,
    )
    db.session.commit()
    assert (alternate.award.state, alternate.award.alternate_rank) == (AwardState.AWARDED, None)
    assert awardee.settings.committed_cents == 2000_00
    assert queries.next_alternate(awardee.cycle) is None


def test_declined_awardee_stays_in_the_pathway():
    ready = ready_student()
    _award(ready)
    services.decline_award(ready.award, version=ready.award.version, by=ready.student)
    refresh_pathway_flags(ready.student, ready.cycle, by=None)
    assert ready.application.in_pathway is True


def test_only_an_award_can_be_declined():
    ready = ready_student()
    _submit(ready)
    with pytest.raises(RuleViolation) as refused:
        services.decline_award(ready.award, version=ready.award.version, by=ready.student)
    assert refused.value.message == "Only an award you were given can be declined."


def test_rotation_completed_moves_the_rotation_application_to_completed(mailbox):
    ready = ready_student()
    rotation_held(ready)
    _award(ready)
    coordinator = make_user((Role.COORDINATOR, ready.department))
    complete_rotation(ready, coordinator)
    db.session.commit()
    assert (ready.award.state, ready.application.state) == (
        AwardState.ROTATION_COMPLETED,
        ApplicationState.COMPLETED,
    )
    subjects = [m["Subject"] for m in mailbox.to(ready.student.email)]
    # ... and the student is asked about the rotation (surveys, on the completion).
    assert subjects[-3:] == [
        f"{ready.department.name} visiting clerkship: completed",
        "Diversity in Medicine award: rotation completed",
        f"{ready.department.name} visiting clerkship: tell us about your rotation",
    ]


def test_rotation_not_accepted_cannot_be_completed():
    ready = ready_student()
    block = rotation_held(ready)
    ready.application.state = ApplicationState.DRAFT
    _award(ready)
    with pytest.raises(RuleViolation) as refused:
        complete_rotation(ready, ready.committee, today=block.ends_on)
    assert refused.value.message == (
        f"The {ready.department.name} application is draft; only an accepted rotation is recorded."
    )


def _completed(ready, amount=2000_00):
    rotation_held(ready)
    _award(ready, amount)
    complete_rotation(ready, ready.committee)


def test_payment_is_recorded_and_counted_as_paid(mailbox):
    ready = ready_student()
    _completed(ready)
    decisions.record_payment(
        ready.award,
        paid_on=local_today(),
        amount_cents=1500_00,
        reference="AP-7781",
        version=ready.award.version,
        today=local_today(),
        by=ready.committee,
    )
    db.session.commit()
    assert (ready.award.state, ready.award.paid_cents, ready.settings.committed_cents) == (
        AwardState.PAID,
        1500_00,
        1500_00,
    )
    summary = queries.budget(ready.settings)
    assert (summary.committed_cents, summary.paid_cents, summary.remaining_cents) == (
        0,
        1500_00,
        ready.settings.budget_cents - 1500_00,
    )
    assert "reference AP-7781" in text_of(mailbox.last_to(ready.student.email))


def test_payment_above_the_award_must_fit_the_budget():
    ready = ready_student()
    ready.settings.budget_cents = 2500_00
    _completed(ready)
    with pytest.raises(RuleViolation) as refused:
        decisions.record_payment(
            ready.award,
            paid_on=local_today(),
            amount_cents=3000_00,
            reference="X",
            version=ready.award.version,
            today=local_today(),
            by=ready.committee,
        )
    assert refused.value.message == (
        "Paying $3,000.00 is $1,000.00 more than awarded and would overspend the budget: "
        "$500.00 remains."
    )


def test_payment_in_the_future_is_refused():
    ready = ready_student()
    _completed(ready)
    with pytest.raises(RuleViolation) as refused:
        decisions.record_payment(
            ready.award,
            paid_on=local_today() + timedelta(days=1),
            amount_cents=2000_00,
            reference="X",
            version=ready.award.version,
            today=local_today(),
            by=ready.committee,
        )
    assert (refused.value.field, refused.value.message) == (
        "paid_on",
        "The payment date cannot be in the future.",
    )


def test_payment_before_completion_is_refused():
    ready = ready_student()
    _award(ready)
    with pytest.raises(RuleViolation) as refused:
        decisions.record_payment(
            ready.award,
            paid_on=local_today(),
            amount_cents=2000_00,
            reference="X",
            version=ready.award.version,
            today=local_today(),
            by=ready.committee,
        )
    assert refused.value.message == (
        "A payment is recorded after the rotation is completed; this award is awarded. "
        "Only an administrator can override this, with a written reason."
    )


def test_budget_cannot_drop_below_what_is_committed():
    ready = ready_student()
    _award(ready, 2000_00)
    with pytest.raises(RuleViolation) as refused:
        services.save_award_settings(
            ready.cycle,
            budget_cents=1000_00,
            deadline=ready.settings.deadline,
            essay_prompt="p",
            essay_word_limit=500,
            rules=[],
            amounts={4: 2000_00},
            version=str(ready.settings.version),
            by=ready.committee,
        )
    assert (refused.value.field, refused.value.message) == (
        "budget",
        "The budget cannot be less than the $2,000.00 already awarded or paid.",
    )


def test_settings_saved_then_stale_form_refused():
    cycle = make_cycle()
    admin = make_user(Role.ADMIN)
    values = dict(
        budget_cents=5000_00,
        deadline=cycle.application_deadline,
        essay_prompt="Why?",
        essay_word_limit=400,
        rules=["fourth_year"],
        amounts={4: 2000_00, 2: 1000_00},
        by=admin,
    )
    settings = services.save_award_settings(cycle, version=None, **values)
    assert [(a.weeks, a.amount_cents) for a in settings.amounts] == [(4, 2000_00), (2, 1000_00)]
    services.save_award_settings(cycle, version="1", **{**values, "amounts": {4: 2500_00}})
    db.session.commit()
    assert [(a.weeks, a.amount_cents) for a in settings.amounts] == [(4, 2500_00)]
    with pytest.raises(RuleViolation) as refused:
        services.save_award_settings(cycle, version="1", **values)
    assert refused.value.message.startswith("The settings were changed by someone else")


def test_suggested_amount_follows_the_first_choice_rotation_length():
    four = ready_student(weeks=4)
    two = ready_student(cycle=four.cycle, settings=four.settings, weeks=2)
    three = ready_student(cycle=four.cycle, settings=four.settings, weeks=3)
    assert [queries.suggested_amount(r.award, four.settings) for r in (four, two, three)] == [
        2000_00,
        1000_00,
        None,
    ]


def test_award_timing_change_is_audited():
    ready = ready_student()
    services.set_award_timing(ready.department, AwardTiming.AFTER_ACCEPTANCE, by=ready.committee)
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "department.award_timing")
    )
    assert event.detail == {"timing": "after_acceptance"}


def test_committed_amount_matches_the_awards_after_every_step():
    ready = ready_student()
    _completed(ready, 2000_00)
    other = ready_student(cycle=ready.cycle, settings=ready.settings)
    _award(other, 1000_00)
    decisions.record_payment(
        ready.award,
        paid_on=local_today(),
        amount_cents=2000_00,
        reference="R",
        version=ready.award.version,
        today=local_today(),
        by=ready.committee,
    )
    services.decline_award(other.award, version=other.award.version, by=other.student)
    db.session.commit()
    summary = queries.budget(ready.settings)
    settings = db.session.get(AwardSettings, ready.settings.id)
    assert settings.committed_cents == summary.committed_cents + summary.paid_cents == 2000_00
