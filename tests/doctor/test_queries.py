"""Each invariant of docs/invariants.md: a planted violation is reported, and only it."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from clerkship.allocation.engine import SeatType
from clerkship.allocation.models import Placement, PlacementState
from clerkship.applications.models import Application, ApplicationState
from clerkship.audit.services import record_event
from clerkship.awards.models import AwardApplication, AwardSettings, AwardState
from clerkship.core.time import local_today, utcnow
from clerkship.cycles.models import Block
from clerkship.doctor.queries import INVARIANTS, all_violations
from clerkship.extensions import db
from clerkship.interviews.models import InterviewDay, Invitation, InvitationState
from clerkship.offers.models import Offer, OfferState
from clerkship.reviews.models import Conflict
from clerkship.reviews.records import ReviewAssignment
from clerkship.rotations.models import RotationRecord, RotationState
from tests.factories import (
    make_application,
    make_assignment,
    make_award_application,
    make_award_settings,
    make_block,
    make_booking,
    make_day,
    make_invitation,
    make_placement,
    make_review,
    make_review_round,
    make_reviewer,
    make_rotation_record,
    make_rubric,
)

S = ApplicationState


def found() -> list[tuple[str, str]]:
    """(invariant, record) of every violation doctor finds."""
    db.session.flush()
    return [(v.invariant, v.record) for v in all_violations()]


def change(statement) -> None:
    """A direct row change, as a bug or a hand edit of the database would make it."""
    db.session.execute(statement.execution_options(synchronize_session=False))
    db.session.expire_all()


def placed(state: S = S.OFFERED, *, block=None, seat=SeatType.OPEN, in_pathway=False):
    block = block or make_block(capacity=4, reserved=1)
    application = make_application(blocks=[block], state=state, in_pathway=in_pathway)
    offer_state = OfferState.ACCEPTED if state is S.ACCEPTED else OfferState.PENDING
    return application, make_placement(application, seat_type=seat, offer_state=offer_state)


def test_every_invariant_is_documented():
    with open("docs/invariants.md", encoding="utf-8") as handle:
        text = handle.read()
    assert [name for name in INVARIANTS if f"`{name}`" not in text] == []


def test_consistent_records_have_no_violation(app):
    placed()
    placed(S.ACCEPTED, seat=SeatType.RESERVED, in_pathway=True)
    assert found() == []


def test_offered_application_without_pending_offer(app):
    application = make_application(state=S.OFFERED)
    assert found() == [("offered_without_pending_offer", f"application {application.id}")]


def test_accepted_application_without_accepted_offer(app):
    application = make_application(state=S.ACCEPTED)
    assert found() == [("accepted_without_accepted_offer", f"application {application.id}")]


def test_pending_offer_on_withdrawn_application(app):
    application, placement = placed(S.WITHDRAWN)
    offer = db.session.scalar(db.select(Offer).where(Offer.placement_id == placement.id))
    assert offer.application_id == application.id
    assert found() == [("offer_disagrees_with_application", f"offer {offer.id}")]


def test_offer_of_another_application_than_its_placement(app):
    application, placement = placed()
    other = make_application(blocks=[placement.block], state=S.WAITLISTED)
    change(update(Placement).where(Placement.id == placement.id).values(application_id=other.id))
    offer_id = db.session.scalar(db.select(Offer.id).where(Offer.placement_id == placement.id))
    assert found() == [("offer_of_another_application", f"offer {offer_id}")]
    assert application.id != other.id


def test_released_placement_with_pending_offer(app):
    _application, placement = placed()
    change(
        update(Placement).where(Placement.id == placement.id).values(state=PlacementState.RELEASED)
    )
    change(update(Block).where(Block.id == placement.block_id).values(open_taken=0))
    assert found() == [("placement_disagrees_with_offer", f"placement {placement.id}")]


def test_block_holding_more_students_than_its_capacity(app):
    block = make_block(capacity=2, reserved=0)
    placed(block=block)
    placed(block=block)
    # The block's CHECKs keep its counts within capacity: over capacity, its counts are wrong too.
    change(update(Block).where(Block.id == block.id).values(capacity=1, open_taken=1))
    assert found() == [
        ("block_over_capacity", f"block {block.id}"),
        ("block_seat_count_wrong", f"block {block.id}"),
    ]


def test_block_holding_more_reserved_seats_than_it_has(app):
    block = make_block(capacity=3, reserved=2)
    placed(block=block, seat=SeatType.RESERVED, in_pathway=True)
    placed(block=block, seat=SeatType.CONVERTED)
    change(update(Block).where(Block.id == block.id).values(reserved=1, reserved_taken=1))
    assert found() == [
        ("block_over_capacity", f"block {block.id}"),
        ("block_seat_count_wrong", f"block {block.id}"),
    ]


def test_block_seat_count_disagreeing_with_held_placements(app):
    _application, placement = placed()
    change(update(Block).where(Block.id == placement.block_id).values(open_taken=0))
    assert found() == [("block_seat_count_wrong", f"block {placement.block_id}")]


def test_reserved_seat_held_outside_the_pathway(app):
    application, placement = placed(seat=SeatType.RESERVED, in_pathway=True)
    change(update(Application).where(Application.id == application.id).values(in_pathway=False))
    assert found() == [("reserved_seat_outside_pathway", f"placement {placement.id}")]


def test_award_amount_over_the_budget(app):
    application = make_application(state=S.SUBMITTED)
    make_award_settings(application.cycle, budget=5000_00)
    award = make_award_application(application, state=AwardState.UNDER_REVIEW)
    change(
        update(AwardApplication).where(AwardApplication.id == award.id).values(amount_cents=6000_00)
    )
    assert found() == [("award_over_budget", f"award application {award.id}")]


def test_award_committed_total_not_the_sum_of_awards(app):
    application = make_application(state=S.SUBMITTED)
    settings = make_award_settings(application.cycle)
    make_award_application(application, state=AwardState.AWARDED, amount=2000_00)
    assert settings.committed_cents == 2000_00
    change(update(AwardSettings).values(committed_cents=2500_00))
    cycle = application.cycle_id
    assert found() == [
        ("award_committed_total_wrong", f"award settings {settings.id} (cycle {cycle})")
    ]


def test_paid_award_whose_rotation_is_not_completed(app):
    application, _placement = placed(S.ACCEPTED)
    make_award_settings(application.cycle)
    award = make_award_application(application, state=AwardState.PAID, amount=2000_00)
    assert found() == [("award_paid_before_completion", f"award application {award.id}")]


def _completed(ends_in_days: int):
    """A Completed application holding a seat in a block ending `ends_in_days` from today."""
    ends_on = local_today() + timedelta(days=ends_in_days)
    block = make_block(starts_on=ends_on - timedelta(days=27), ends_on=ends_on)
    application = make_application(blocks=[block], state=S.COMPLETED)
    placement = make_placement(application, offer_state=OfferState.ACCEPTED)
    make_rotation_record(placement, state=RotationState.COMPLETED)
    return application, block


def _paid(application, paid_on):
    make_award_settings(application.cycle)
    return make_award_application(
        application,
        state=AwardState.PAID,
        amount=2000_00,
        completed_at=utcnow(),
        paid_on=paid_on,
    )


def test_paid_award_dated_before_its_block_ends(app):
    application, block = _completed(-3)
    award = _paid(application, block.ends_on - timedelta(days=1))
    assert found() == [("award_paid_before_completion", f"award application {award.id}")]
    change(
        update(AwardApplication)
        .where(AwardApplication.id == award.id)
        .values(paid_on=block.ends_on)
    )
    assert found() == []


def test_paid_award_without_recorded_completion(app):
    application, block = _completed(-3)
    award = _paid(application, block.ends_on)
    change(
        update(AwardApplication).where(AwardApplication.id == award.id).values(completed_at=None)
    )
    assert found() == [("award_paid_before_completion", f"award application {award.id}")]


def test_early_payment_overridden_by_an_administrator_is_not_a_violation(app):
    application, block = _completed(-3)
    award = _paid(application, block.ends_on - timedelta(days=1))
    record_event("award.paid", by=None, target=award, override_reason="", refusal="x")
    assert found() == [("award_paid_before_completion", f"award application {award.id}")]
    record_event("award.paid", by=None, target=award, override_reason="Advance.", refusal="x")
    assert found() == []


def test_completed_rotation_whose_block_has_not_ended(app):
    application, _block = _completed(5)
    assert found() == [("rotation_completed_before_block_end", f"application {application.id}")]


def test_completed_rotation_on_its_block_end_date_is_not_a_violation(app):
    _completed(0)
    assert found() == []


def test_early_completion_overridden_by_an_administrator_is_not_a_violation(app):
    application, _block = _completed(5)
    make_award_settings(application.cycle)
    award = make_award_application(
        application, state=AwardState.ROTATION_COMPLETED, amount=2000_00, completed_at=utcnow()
    )
    assert found() == [("rotation_completed_before_block_end", f"application {application.id}")]
    record_event(
        "award.rotation_completed", by=None, target=award, override_reason="Dean.", refusal="x"
    )
    assert found() == []


def test_early_completion_overridden_on_the_rotation_record_is_not_a_violation(app):
    application, _block = _completed(5)
    record = db.session.scalar(select(RotationRecord))
    assert found() == [("rotation_completed_before_block_end", f"application {application.id}")]
    record_event("rotation.completed", by=None, target=record, override_reason="Dean.", refusal="x")
    assert found() == []


def test_completed_application_whose_rotation_is_not_recorded_completed(app):
    application, _block = _completed(-3)
    change(update(RotationRecord).values(state=RotationState.ARRIVED, ended_on=None))
    assert found() == [
        ("rotation_record_disagrees_with_application", f"application {application.id}")
    ]


def test_rotation_recorded_completed_on_an_accepted_application(app):
    application, placement = placed(S.ACCEPTED)
    make_rotation_record(placement, state=RotationState.COMPLETED)
    assert found() == [
        ("rotation_record_disagrees_with_application", f"application {application.id}")
    ]


def test_rotation_recorded_for_a_withdrawn_application(app):
    application, placement = placed(S.ACCEPTED)
    make_rotation_record(placement)
    assert found() == []
    change(update(Application).where(Application.id == application.id).values(state=S.WITHDRAWN))
    assert (
        "rotation_record_disagrees_with_application",
        f"application {application.id}",
    ) in found()


def test_award_left_awarded_after_its_rotation_ended_early(app):
    application, placement = placed(S.ACCEPTED)
    make_rotation_record(
        placement, state=RotationState.ENDED_EARLY, ended_on=placement.block.starts_on
    )
    make_award_settings(application.cycle)
    award = make_award_application(application, state=AwardState.AWARDED, amount=2000_00)
    assert found() == [
        ("rotation_ended_early_award_still_awarded", f"award application {award.id}")
    ]
    record_event("award.awarded", by=None, target=award, override_reason="Confirmed.", refusal="x")
    assert found() == []


def test_awarded_award_whose_rotation_application_was_declined(app):
    application = make_application(state=S.DECLINED)
    make_award_settings(application.cycle)
    award = make_award_application(application, state=AwardState.AWARDED, amount=2000_00)
    assert found() == [("award_disagrees_with_rotation", f"award application {award.id}")]


def test_interview_day_counting_other_than_its_bookings(app):
    day = make_day(capacity=2)
    make_booking(make_invitation(day.season), day)
    change(update(InterviewDay).where(InterviewDay.id == day.id).values(taken=0))
    assert found() == [("interview_day_over_capacity", f"interview day {day.id}")]


def test_reserved_day_booked_outside_the_pathway(app):
    day = make_day(reserved=True)
    invitation = make_invitation(day.season, pathway=True)
    booking = make_booking(invitation, day)
    change(update(Invitation).where(Invitation.id == invitation.id).values(imported_pathway=False))
    assert found() == [("reserved_day_outside_pathway", f"booking {booking.id}")]


def test_booking_of_an_unanswered_invitation(app):
    day = make_day()
    invitation = make_invitation(day.season)
    booking = make_booking(invitation, day)
    change(
        update(Invitation)
        .where(Invitation.id == invitation.id)
        .values(state=InvitationState.INVITED)
    )
    assert found() == [("booking_without_accepted_invitation", f"booking {booking.id}")]


def test_review_by_a_reviewer_who_declared_a_conflict(app):
    application = make_application(state=S.UNDER_REVIEW)
    review_round = make_review_round(application.department, application.cycle)
    rubric = make_rubric(review_round)
    reviewer = make_reviewer(application.department)
    review = make_review(make_assignment(review_round, application, reviewer), rubric, [3, 3, 3])
    db.session.add(
        Conflict(
            reviewer_id=reviewer.id,
            student_email=application.student.email.lower(),
            reason="My former student.",
        )
    )
    assert found() == [("review_despite_conflict", f"review {review.id}")]


def test_assignment_that_does_not_say_its_review_was_submitted(app):
    application = make_application(state=S.UNDER_REVIEW)
    review_round = make_review_round(application.department, application.cycle)
    rubric = make_rubric(review_round)
    submitted = make_assignment(review_round, application, make_reviewer(application.department))
    make_review(submitted, rubric, [3, 3, 3])
    draft = make_assignment(review_round, application, make_reviewer(application.department))
    make_review(draft, rubric, [3, None, None], submitted=False)
    assert found() == []
    change(
        update(ReviewAssignment)
        .where(ReviewAssignment.id == submitted.id)
        .values(submitted_at=None)
    )
    change(
        update(ReviewAssignment)
        .where(ReviewAssignment.id == draft.id)
        .values(submitted_at=utcnow())
    )
    name = "assignment_submission_disagrees_with_review"
    assert sorted(found()) == sorted(
        [
            (name, f"review assignment {submitted.id}"),
            (name, f"review assignment {draft.id}"),
            # The application's first score no longer matches its assignments either.
            ("application_score_disagrees_with_reviews", f"application {application.id}"),
        ]
    )


def test_application_scored_mark_not_its_earliest_submitted_review(app):
    application = make_application(state=S.UNDER_REVIEW)
    review_round = make_review_round(application.department, application.cycle)
    rubric = make_rubric(review_round)
    first = make_assignment(review_round, application, make_reviewer(application.department))
    make_review(first, rubric, [3, 3, 3])
    draft = make_assignment(review_round, application, make_reviewer(application.department))
    make_review(draft, rubric, [3, None, None], submitted=False)
    unscored = make_application(state=S.SUBMITTED)
    assert db.session.get(Application, application.id).scored_at == first.submitted_at
    assert found() == []
    change(update(Application).where(Application.id == application.id).values(scored_at=None))
    change(update(Application).where(Application.id == unscored.id).values(scored_at=utcnow()))
    name = "application_score_disagrees_with_reviews"
    assert sorted(found()) == sorted(
        [(name, f"application {application.id}"), (name, f"application {unscored.id}")]
    )


def test_application_state_not_where_its_timeline_ends(app):
    application = make_application(state=S.SUBMITTED)
    change(update(Application).where(Application.id == application.id).values(state=S.UNDER_REVIEW))
    assert found() == [("timeline_disagrees_with_state", f"application {application.id}")]


def test_final_evaluation_of_a_rotation_not_recorded_over(app):
    from clerkship.evaluations.models import EvaluationState, RotationEvaluation
    from tests.evaluations.helpers import ready_evaluation, write_complete_draft

    ready = ready_evaluation()
    write_complete_draft(ready)
    assert found() == []
    change(
        update(RotationEvaluation).values(state=EvaluationState.FINALISED, finalised_at=utcnow())
    )
    assert found() == []
    change(update(RotationRecord).values(state=RotationState.ARRIVED, ended_on=None))
    assert ("evaluation_disagrees_with_rotation", f"evaluation {ready.evaluation.id}") in found()
