"""One read per invariant of the season (docs/invariants.md): the records that break it.

Each check is a single SQL query, so `flask doctor` stays quick on a season of any
size. A violation names the record, says what is wrong and suggests a repair.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import and_, case, func, literal, or_, select, union_all
from sqlalchemy.orm import aliased

from clerkship.accounts.models import User
from clerkship.allocation.engine import SeatType
from clerkship.allocation.models import Placement, PlacementState
from clerkship.applications.models import Application, ApplicationEvent
from clerkship.applications.models import ApplicationState as S
from clerkship.audit.models import AuditEvent
from clerkship.awards.models import (
    COMMITTED_STATES,
    AwardApplication,
    AwardSettings,
    AwardState,
)
from clerkship.core.time import local_today
from clerkship.cycles.models import Block
from clerkship.evaluations.models import EvaluationFormVersion, EvaluationState, RotationEvaluation
from clerkship.extensions import db
from clerkship.interviews.models import (
    Booking,
    BookingState,
    InterviewDay,
    Invitation,
    InvitationState,
    WaitlistEntry,
    WaitlistState,
)
from clerkship.offers.models import Offer, OfferState
from clerkship.reviews.models import Conflict
from clerkship.reviews.records import Review, ReviewAssignment, ReviewState
from clerkship.rotations.models import RotationRecord, RotationState

LIVE_OFFER = (OfferState.PENDING, OfferState.ACCEPTED)
# An awardee whose rotation application ended without a rotation.
ROTATION_LOST = (S.WITHDRAWN, S.DECLINED, S.OFFER_EXPIRED, S.NOT_SELECTED)


@dataclass(frozen=True)
class Violation:
    """One broken invariant: which record, what is wrong, and how it could be repaired."""

    invariant: str
    record: str
    problem: str
    repair: str

    def __str__(self) -> str:
        return f"{self.invariant}: {self.record}: {self.problem} Repair: {self.repair}"


Check = Callable[[], list[Violation]]
INVARIANTS: dict[str, Check] = {}


def invariant(check: Check) -> Check:
    """Register a check under its function's name, in the order of docs/invariants.md."""
    INVARIANTS[check.__name__] = check
    return check


def all_violations() -> list[Violation]:
    """Every violation of every invariant, invariant by invariant."""
    return [violation for check in INVARIANTS.values() for violation in check()]


def _has_offer(state: OfferState):
    return (
        select(Offer.id)
        .where(Offer.application_id == Application.id, Offer.state == state)
        .exists()
    )


# Applications, offers and placements ----------------------------------------------------


@invariant
def offered_without_pending_offer() -> list[Violation]:
    """An Offered application has a pending offer."""
    rows = db.session.execute(
        select(Application.id)
        .where(Application.state == S.OFFERED, ~_has_offer(OfferState.PENDING))
        .order_by(Application.id)
    )
    return [
        Violation(
            "offered_without_pending_offer",
            f"application {app_id}",
            "is Offered but has no pending offer.",
            "Make an offer for a held placement, or move the application back to Waitlisted.",
        )
        for (app_id,) in rows
    ]


@invariant
def accepted_without_accepted_offer() -> list[Violation]:
    """An Accepted application has an accepted offer."""
    rows = db.session.execute(
        select(Application.id)
        .where(Application.state == S.ACCEPTED, ~_has_offer(OfferState.ACCEPTED))
        .order_by(Application.id)
    )
    return [
        Violation(
            "accepted_without_accepted_offer",
            f"application {app_id}",
            "is Accepted but has no accepted offer.",
            "Record the acceptance of its offer, or move the application back to its last "
            "true state.",
        )
        for (app_id,) in rows
    ]


@invariant
def offer_disagrees_with_application() -> list[Violation]:
    """A pending offer is on an Offered or Accepted application; an accepted one on an
    Accepted or Completed application (none is left open on a withdrawn or declined one)."""
    rows = db.session.execute(
        select(Offer.id, Offer.state, Application.id, Application.state)
        .join(Application, Application.id == Offer.application_id)
        .where(
            or_(
                and_(
                    Offer.state == OfferState.PENDING,
                    Application.state.not_in((S.OFFERED, S.ACCEPTED)),
                ),
                and_(
                    Offer.state == OfferState.ACCEPTED,
                    Application.state.not_in((S.ACCEPTED, S.COMPLETED)),
                ),
            )
        )
        .order_by(Offer.id)
    )
    return [
        Violation(
            "offer_disagrees_with_application",
            f"offer {offer_id}",
            f"is {offer_state.value} but its application {app_id} is {app_state.label.lower()}.",
            "Withdraw the offer and release its placement (the seat goes to the waitlist), "
            "or correct the application's state.",
        )
        for offer_id, offer_state, app_id, app_state in rows
    ]


@invariant
def offer_of_another_application() -> list[Violation]:
    """An offer belongs to the same application as its placement."""
    rows = db.session.execute(
        select(Offer.id, Offer.application_id, Placement.id, Placement.application_id)
        .join(Placement, Placement.id == Offer.placement_id)
        .where(Offer.application_id != Placement.application_id)
        .order_by(Offer.id)
    )
    return [
        Violation(
            "offer_of_another_application",
            f"offer {offer_id}",
            f"is for application {offer_app} but its placement {placement_id} is for "
            f"application {placement_app}.",
            "Point the offer at its placement's application, or withdraw it.",
        )
        for offer_id, offer_app, placement_id, placement_app in rows
    ]


@invariant
def placement_disagrees_with_offer() -> list[Violation]:
    """A placement is held exactly while its offer is pending or accepted."""
    held = Placement.state == PlacementState.HELD
    live = Offer.state.in_(LIVE_OFFER)
    rows = db.session.execute(
        select(Placement.id, Placement.state, Offer.id, Offer.state)
        .outerjoin(Offer, Offer.placement_id == Placement.id)
        .where(
            or_(
                and_(held, Offer.id.is_(None)),
                and_(held, Offer.id.is_not(None), ~live),
                and_(~held, live),
            )
        )
        .order_by(Placement.id)
    )
    violations = []
    for placement_id, placement_state, offer_id, offer_state in rows:
        offer = "no offer" if offer_id is None else f"offer {offer_id} is {offer_state.value}"
        violations.append(
            Violation(
                "placement_disagrees_with_offer",
                f"placement {placement_id}",
                f"is {placement_state.value} but {offer}.",
                "Release the placement (and its seat on the block) when its offer is over; "
                "otherwise make or restore its offer.",
            )
        )
    return violations


# Blocks and seats -----------------------------------------------------------------------


def _held_counts():
    held = Placement.state == PlacementState.HELD
    # A converted seat is a reserved seat taken by a student outside the pathway.
    reserved = Placement.seat_type != SeatType.OPEN
    return (
        select(
            Placement.block_id.label("block_id"),
            func.sum(case((held, 1), else_=0)).label("held"),
            func.sum(case((and_(held, reserved), 1), else_=0)).label("reserved"),
        )
        .group_by(Placement.block_id)
        .subquery()
    )


@invariant
def block_over_capacity() -> list[Violation]:
    """A block holds no more students than its capacity, nor more students on reserved
    seats (reserved or converted) than its reserved seats."""
    counts = _held_counts()
    rows = db.session.execute(
        select(Block.id, Block.capacity, Block.reserved, counts.c.held, counts.c.reserved)
        .join(counts, counts.c.block_id == Block.id)
        .where(or_(counts.c.held > Block.capacity, counts.c.reserved > Block.reserved))
        .order_by(Block.id)
    )
    return [
        Violation(
            "block_over_capacity",
            f"block {block_id}",
            f"holds {held} students ({reserved_held} on reserved seats) but has {capacity} "
            f"seats ({reserved} reserved).",
            "Release the most recent placements beyond the block's seats and tell those students.",
        )
        for block_id, capacity, reserved, held, reserved_held in rows
    ]


@invariant
def block_seat_count_wrong() -> list[Violation]:
    """A block's counts of taken seats equal its held placements, open and reserved."""
    counts = _held_counts()
    held = func.coalesce(counts.c.held, 0)
    reserved_held = func.coalesce(counts.c.reserved, 0)
    rows = db.session.execute(
        select(Block.id, Block.open_taken, Block.reserved_taken, held, reserved_held)
        .outerjoin(counts, counts.c.block_id == Block.id)
        .where(or_(Block.open_taken != held - reserved_held, Block.reserved_taken != reserved_held))
        .order_by(Block.id)
    )
    return [
        Violation(
            "block_seat_count_wrong",
            f"block {block_id}",
            f"counts {open_taken} open and {reserved_taken} reserved seats taken, but "
            f"{total - reserved_held} open and {reserved_held} reserved placements are held.",
            "Set open_taken and reserved_taken to the held placements' counts.",
        )
        for block_id, open_taken, reserved_taken, total, reserved_held in rows
    ]


@invariant
def reserved_seat_outside_pathway() -> list[Violation]:
    """A reserved seat is held only by an application in the pathway."""
    rows = db.session.execute(
        select(Placement.id, Placement.application_id)
        .join(Application, Application.id == Placement.application_id)
        .where(
            Placement.state == PlacementState.HELD,
            Placement.seat_type == SeatType.RESERVED,
            Application.in_pathway.is_(False),
        )
        .order_by(Placement.id)
    )
    return [
        Violation(
            "reserved_seat_outside_pathway",
            f"placement {placement_id}",
            f"holds a reserved seat but application {app_id} is not in the pathway.",
            "Convert the seat to an open one if the block has room, or restore the "
            "application's pathway flag if it was withdrawn in error.",
        )
        for placement_id, app_id in rows
    ]


# The award ------------------------------------------------------------------------------


@invariant
def award_over_budget() -> list[Violation]:
    """No award's amount (awarded or paid) exceeds the cycle's budget."""
    rows = db.session.execute(
        select(AwardApplication.id, AwardApplication.amount_cents, AwardApplication.paid_cents)
        .add_columns(AwardSettings.budget_cents)
        .join(AwardSettings, AwardSettings.cycle_id == AwardApplication.cycle_id)
        .where(
            or_(
                AwardApplication.amount_cents > AwardSettings.budget_cents,
                AwardApplication.paid_cents > AwardSettings.budget_cents,
            )
        )
        .order_by(AwardApplication.id)
    )
    return [
        Violation(
            "award_over_budget",
            f"award application {award_id}",
            f"is for {max(amount or 0, paid or 0)} cents, more than the budget of {budget} cents.",
            "Correct the award's amount, or raise the budget in the award settings.",
        )
        for award_id, amount, paid, budget in rows
    ]


@invariant
def award_committed_total_wrong() -> list[Violation]:
    """The budget's committed total is the sum of awarded (or needing attention), completed
    and paid awards."""
    committed = case(
        (AwardApplication.state == AwardState.PAID, AwardApplication.paid_cents),
        (AwardApplication.state.in_(COMMITTED_STATES), AwardApplication.amount_cents),
        else_=0,
    )
    total = func.coalesce(func.sum(committed), 0)
    rows = db.session.execute(
        select(AwardSettings.id, AwardSettings.cycle_id, AwardSettings.committed_cents, total)
        .outerjoin(AwardApplication, AwardApplication.cycle_id == AwardSettings.cycle_id)
        .group_by(AwardSettings.id, AwardSettings.cycle_id, AwardSettings.committed_cents)
        .having(AwardSettings.committed_cents != total)
        .order_by(AwardSettings.id)
    )
    return [
        Violation(
            "award_committed_total_wrong",
            f"award settings {settings_id} (cycle {cycle_id})",
            f"record {recorded} cents committed but the awards add up to {actual} cents.",
            f"Set committed_cents to {actual}.",
        )
        for settings_id, cycle_id, recorded, actual in rows
    ]


@invariant
def award_disagrees_with_rotation() -> list[Violation]:
    """An award funds its own student's rotation of its cycle; a rotation-completed award's
    rotation is completed; an awarded one's rotation application has not ended without one."""
    # A paid award's rotation is award_paid_before_completion's (an administrator may
    # have overridden it, with a reason).
    done = AwardApplication.state == AwardState.ROTATION_COMPLETED
    rows = db.session.execute(
        select(AwardApplication.id, AwardApplication.state, Application.id, Application.state)
        .join(Application, Application.id == AwardApplication.application_id)
        .where(
            or_(
                AwardApplication.student_id != Application.student_id,
                AwardApplication.cycle_id != Application.cycle_id,
                and_(done, Application.state != S.COMPLETED),
                and_(
                    AwardApplication.state == AwardState.AWARDED,
                    Application.state.in_(ROTATION_LOST),
                    # ... unless the committee confirmed it after it needed attention.
                    ~_overridden("award.awarded", AwardApplication.id),
                ),
            )
        )
        .order_by(AwardApplication.id)
    )
    return [
        Violation(
            "award_disagrees_with_rotation",
            f"award application {award_id}",
            f"is {award_state.label.lower()} but its rotation application {app_id} is "
            f"{app_state.label.lower()} (or belongs to another student or cycle).",
            "Ask the committee to rescind or confirm the award with a reason, or correct the "
            "rotation application's state.",
        )
        for award_id, award_state, app_id, app_state in rows
    ]


def _overridden(action: str, target_id, target_type: str = "AwardApplication"):
    """An administrator's audited override (an event with a reason) of this record's action
    (an award application's, unless target_type says otherwise)."""
    return (
        select(AuditEvent.id)
        .where(
            AuditEvent.action == action,
            AuditEvent.target_type == target_type,
            AuditEvent.target_id == target_id,
            func.coalesce(AuditEvent.detail["override_reason"].as_string(), "") != "",
        )
        .exists()
    )


def _held_block_end():
    """The end date of the block the application holds (or held to completion) a seat in."""
    return (
        select(func.max(Block.ends_on))
        .join(Placement, Placement.block_id == Block.id)
        .where(
            Placement.application_id == Application.id,
            Placement.state == PlacementState.HELD,
        )
        .scalar_subquery()
    )


@invariant
def award_paid_before_completion() -> list[Violation]:
    """A paid award's rotation is completed (recorded, and its application Completed) and
    the payment is dated no earlier than the block's end, unless an administrator
    overrode it with a reason."""
    block_end = _held_block_end()
    rows = db.session.execute(
        select(AwardApplication.id, Application.id, Application.state, block_end)
        .add_columns(AwardApplication.completed_at, AwardApplication.paid_on)
        .join(Application, Application.id == AwardApplication.application_id)
        .where(
            AwardApplication.state == AwardState.PAID,
            or_(
                AwardApplication.completed_at.is_(None),
                Application.state != S.COMPLETED,
                AwardApplication.paid_on < block_end,
            ),
            ~_overridden("award.paid", AwardApplication.id),
        )
        .order_by(AwardApplication.id)
    )
    return [
        Violation(
            "award_paid_before_completion",
            f"award application {award_id}",
            f"is paid (on {paid_on.isoformat()}) but its rotation application {app_id} is "
            f"{app_state.label.lower()}"
            + ("" if completed_at else ", no completion is recorded")
            + (f", and its block ends on {ends_on.isoformat()}" if ends_on else "")
            + ".",
            "Record the rotation's completion once the block has ended, or correct the payment "
            "(an administrator's override keeps its reason in the audit log).",
        )
        for award_id, app_id, app_state, ends_on, completed_at, paid_on in rows
    ]


@invariant
def rotation_completed_before_block_end() -> list[Violation]:
    """A Completed application's block has ended (today is its end date or later), unless
    an administrator recorded the completion early with a reason."""
    block_end = _held_block_end()
    # An administrator's early completion is kept on the rotation's record (and, before the
    # rotations feature, on the application's award application).
    early = or_(
        select(AwardApplication.id)
        .where(
            AwardApplication.application_id == Application.id,
            _overridden("award.rotation_completed", AwardApplication.id),
        )
        .exists(),
        select(RotationRecord.id)
        .join(Placement, Placement.id == RotationRecord.placement_id)
        .where(
            Placement.application_id == Application.id,
            _overridden("rotation.completed", RotationRecord.id, "RotationRecord"),
        )
        .exists(),
    )
    rows = db.session.execute(
        select(Application.id, block_end)
        .where(Application.state == S.COMPLETED, block_end > local_today(), ~early)
        .order_by(Application.id)
    )
    return [
        Violation(
            "rotation_completed_before_block_end",
            f"application {app_id}",
            f"is Completed but its block ends on {ends_on.isoformat()}.",
            "Move the application back to Accepted until the block ends (and its award, if "
            "any, back to awarded), or have an administrator record the early completion "
            "with a reason.",
        )
        for app_id, ends_on in rows
    ]


def _rotation_recorded(*states: RotationState):
    """The application's held placement has a rotation record in one of states."""
    return (
        select(RotationRecord.id)
        .join(Placement, Placement.id == RotationRecord.placement_id)
        .where(
            Placement.application_id == Application.id,
            Placement.state == PlacementState.HELD,
            RotationRecord.state.in_(states),
        )
        .exists()
    )


@invariant
def rotation_record_disagrees_with_application() -> list[Violation]:
    """An application holding a seat is Completed exactly when the seat's rotation is recorded
    completed; a recorded rotation's application accepted its seat (or completed it)."""
    completed = _rotation_recorded(RotationState.COMPLETED)
    recorded = _rotation_recorded(*RotationState)
    # A Completed application without any seat is rotation_completed_before_block_end's
    # and the award's concern (its block, hence its end, is unknown).
    holds_seat = (
        select(Placement.id)
        .where(
            Placement.application_id == Application.id,
            Placement.state == PlacementState.HELD,
        )
        .exists()
    )
    rows = db.session.execute(
        select(Application.id, Application.state)
        .where(
            or_(
                and_(Application.state == S.COMPLETED, holds_seat, ~completed),
                and_(Application.state != S.COMPLETED, completed),
                and_(Application.state.not_in((S.ACCEPTED, S.COMPLETED)), recorded),
            )
        )
        .order_by(Application.id)
    )
    return [
        Violation(
            "rotation_record_disagrees_with_application",
            f"application {app_id}",
            f"is {state.label.lower()} but the rotation record of its seat "
            + ("says completed." if state is not S.COMPLETED else "does not say completed.")
            if state in (S.ACCEPTED, S.COMPLETED)
            else f"is {state.label.lower()} but its seat has a rotation record.",
            "Record the rotation's completion on the department's arrivals and completion "
            "page (which completes the application), or correct the application's state.",
        )
        for app_id, state in rows
    ]


@invariant
def rotation_ended_early_award_still_awarded() -> list[Violation]:
    """An award whose rotation ended early is not simply awarded: the committee decides it
    (needs attention), unless it confirmed the award with a reason."""
    rows = db.session.execute(
        select(AwardApplication.id, Application.id)
        .join(Application, Application.id == AwardApplication.application_id)
        .where(
            AwardApplication.state == AwardState.AWARDED,
            _rotation_recorded(RotationState.ENDED_EARLY),
            ~_overridden("award.awarded", AwardApplication.id),
        )
        .order_by(AwardApplication.id)
    )
    return [
        Violation(
            "rotation_ended_early_award_still_awarded",
            f"award application {award_id}",
            f"is awarded but its rotation (application {app_id}) ended early.",
            "Ask the committee to confirm the award with a reason or to rescind it.",
        )
        for award_id, app_id in rows
    ]


@invariant
def evaluation_disagrees_with_rotation() -> list[Violation]:
    """An evaluation is written on its own department's form, and a final (or sent) one is
    of a rotation recorded completed or ended early."""
    over = (
        select(RotationRecord.id)
        .where(
            RotationRecord.placement_id == RotationEvaluation.placement_id,
            RotationRecord.state.in_((RotationState.COMPLETED, RotationState.ENDED_EARLY)),
        )
        .exists()
    )
    rows = db.session.execute(
        select(RotationEvaluation.id, RotationEvaluation.state)
        .join(Placement, Placement.id == RotationEvaluation.placement_id)
        .join(Application, Application.id == Placement.application_id)
        .join(EvaluationFormVersion, EvaluationFormVersion.id == RotationEvaluation.form_version_id)
        .where(
            or_(
                EvaluationFormVersion.department_id != Application.department_id,
                and_(RotationEvaluation.state != EvaluationState.DRAFT, ~over),
            )
        )
        .order_by(RotationEvaluation.id)
    )
    return [
        Violation(
            "evaluation_disagrees_with_rotation",
            f"evaluation {evaluation_id}",
            f"is {state.label.lower()} but is on another department's form, or its rotation's "
            "completion (or early end) is not recorded.",
            "Record the rotation's completion or early end, or start the evaluation again on "
            "the department's form.",
        )
        for evaluation_id, state in rows
    ]


# Interviews -----------------------------------------------------------------------------


@invariant
def interview_day_over_capacity() -> list[Violation]:
    """A day's taken seats are its bookings plus seats held for waitlist offers, within capacity."""
    booked = (
        select(func.count(Booking.id))
        .where(Booking.day_id == InterviewDay.id, Booking.state == BookingState.BOOKED)
        .scalar_subquery()
    )
    offered = (
        select(func.count(WaitlistEntry.id))
        .where(
            WaitlistEntry.day_id == InterviewDay.id,
            WaitlistEntry.state == WaitlistState.OFFERED,
        )
        .scalar_subquery()
    )
    holding = booked + offered
    rows = db.session.execute(
        select(InterviewDay.id, InterviewDay.capacity, InterviewDay.taken, holding)
        .where(or_(holding > InterviewDay.capacity, holding != InterviewDay.taken))
        .order_by(InterviewDay.id)
    )
    return [
        Violation(
            "interview_day_over_capacity",
            f"interview day {day_id}",
            f"has {holding_now} seats booked or held for the waitlist, counts {taken} taken, "
            f"and has {capacity} seats.",
            "Move the latest bookings beyond capacity to another day, and set taken to the "
            "seats booked or held.",
        )
        for day_id, capacity, taken, holding_now in rows
    ]


def _live_pathway():
    """The invitee's pathway flag now: the application's, else what the imported list said."""
    return func.coalesce(Application.in_pathway, Invitation.imported_pathway, literal(False))


@invariant
def reserved_day_outside_pathway() -> list[Violation]:
    """A reserved interview day is booked, or waited for, only by invitees in the pathway."""
    bookings = (
        select(
            literal("booking").label("kind"),
            Booking.id.label("record_id"),
            Booking.day_id,
            Invitation.id.label("invitation_id"),
        )
        .join(Invitation, Invitation.id == Booking.invitation_id)
        .outerjoin(Application, Application.id == Invitation.application_id)
        .where(
            Booking.state == BookingState.BOOKED,
            Booking.day_reserved.is_(True),
            _live_pathway().is_(False),
        )
    )
    waiting = (
        select(literal("waitlist place"), WaitlistEntry.id, WaitlistEntry.day_id, Invitation.id)
        .join(Invitation, Invitation.id == WaitlistEntry.invitation_id)
        .outerjoin(Application, Application.id == Invitation.application_id)
        .where(
            WaitlistEntry.state.in_((WaitlistState.WAITING, WaitlistState.OFFERED)),
            WaitlistEntry.day_reserved.is_(True),
            _live_pathway().is_(False),
        )
    )
    rows = db.session.execute(union_all(bookings, waiting).order_by("kind", "record_id"))
    return [
        Violation(
            "reserved_day_outside_pathway",
            f"{kind} {record_id}",
            f"is on reserved interview day {day_id} but invitation {invitation_id} is not in "
            "the pathway.",
            "Cancel the booking or waitlist place (rule 4 of docs/design.md) and free its seat.",
        )
        for kind, record_id, day_id, invitation_id in rows
    ]


@invariant
def booking_without_accepted_invitation() -> list[Violation]:
    """A current booking belongs to an accepted invitation."""
    rows = db.session.execute(
        select(Booking.id, Invitation.id, Invitation.state)
        .join(Invitation, Invitation.id == Booking.invitation_id)
        .where(Booking.state == BookingState.BOOKED, Invitation.state != InvitationState.ACCEPTED)
        .order_by(Booking.id)
    )
    return [
        Violation(
            "booking_without_accepted_invitation",
            f"booking {booking_id}",
            f"is booked but its invitation {invitation_id} is {state.value}.",
            "Cancel the booking (and free its seat), or record the invitation as accepted.",
        )
        for booking_id, invitation_id, state in rows
    ]


# Reviews and timelines ------------------------------------------------------------------


@invariant
def review_despite_conflict() -> list[Violation]:
    """A review exists only for an assignment whose reviewer declared no conflict with the
    subject's student."""
    award = aliased(AwardApplication)
    student = aliased(User)
    student_id = func.coalesce(Application.student_id, award.student_id)
    rows = db.session.execute(
        select(Review.id, ReviewAssignment.id, ReviewAssignment.reviewer_id, Conflict.id)
        .join(ReviewAssignment, ReviewAssignment.id == Review.assignment_id)
        .outerjoin(Application, Application.id == ReviewAssignment.application_id)
        .outerjoin(award, award.id == ReviewAssignment.award_application_id)
        .join(student, student.id == student_id)
        .join(
            Conflict,
            and_(
                Conflict.reviewer_id == ReviewAssignment.reviewer_id,
                Conflict.student_email == func.lower(student.email),
            ),
        )
        .order_by(Review.id)
    )
    return [
        Violation(
            "review_despite_conflict",
            f"review {review_id}",
            f"was written on assignment {assignment_id} by reviewer {reviewer_id}, who declared "
            f"conflict {conflict_id} with the applicant.",
            "Delete the assignment and its review, and assign another reviewer.",
        )
        for review_id, assignment_id, reviewer_id, conflict_id in rows
    ]


@invariant
def assignment_submission_disagrees_with_review() -> list[Violation]:
    """An assignment's submitted_at is its review's submitted_at while that review is
    submitted, and empty otherwise (the start pages and queues count reviews owed by it)."""
    submitted = Review.state == ReviewState.SUBMITTED
    rows = db.session.execute(
        select(
            ReviewAssignment.id, ReviewAssignment.submitted_at, Review.state, Review.submitted_at
        )
        .outerjoin(Review, Review.assignment_id == ReviewAssignment.id)
        .where(
            or_(
                and_(
                    ReviewAssignment.submitted_at.is_not(None), or_(Review.id.is_(None), ~submitted)
                ),
                and_(
                    submitted,
                    or_(
                        ReviewAssignment.submitted_at.is_(None),
                        ReviewAssignment.submitted_at != Review.submitted_at,
                    ),
                ),
            )
        )
        .order_by(ReviewAssignment.id)
    )
    return [
        Violation(
            "assignment_submission_disagrees_with_review",
            f"review assignment {assignment_id}",
            f"says submitted {_when(marked)} while its review is "
            f"{state.value if state else 'not started'} (submitted {_when(review_at)}).",
            "Set the assignment's submitted_at to its review's submitted_at when that review "
            "is submitted, else clear it.",
        )
        for assignment_id, marked, state, review_at in rows
    ]


@invariant
def application_score_disagrees_with_reviews() -> list[Violation]:
    """An application's scored_at is the earliest submitted_at of its review assignments,
    and empty while none is submitted (the directors count unscored applications by it)."""
    earliest = (
        select(
            ReviewAssignment.application_id.label("application_id"),
            func.min(ReviewAssignment.submitted_at).label("at"),
        )
        .where(ReviewAssignment.application_id.is_not(None))
        .group_by(ReviewAssignment.application_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Application.id, Application.scored_at, earliest.c.at)
        .outerjoin(earliest, earliest.c.application_id == Application.id)
        .where(Application.scored_at.is_distinct_from(earliest.c.at))
        .order_by(Application.id)
    )
    return [
        Violation(
            "application_score_disagrees_with_reviews",
            f"application {application_id}",
            f"says first scored {_when(marked)} while its earliest submitted review was "
            f"submitted {_when(first)}.",
            "Set the application's scored_at to the earliest submitted_at of its review "
            "assignments (reviews.assignment.services.mark_scored), else clear it.",
        )
        for application_id, marked, first in rows
    ]


def _when(moment) -> str:
    return moment.isoformat(timespec="seconds") if moment else "never"


@invariant
def timeline_disagrees_with_state() -> list[Violation]:
    """An application's state is the state its timeline last moved it to."""
    latest = (
        select(
            ApplicationEvent.application_id.label("application_id"),
            func.max(ApplicationEvent.id).label("event_id"),
        )
        .group_by(ApplicationEvent.application_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Application.id, Application.state, ApplicationEvent.to_state)
        .outerjoin(latest, latest.c.application_id == Application.id)
        .outerjoin(ApplicationEvent, ApplicationEvent.id == latest.c.event_id)
        .where(or_(ApplicationEvent.id.is_(None), ApplicationEvent.to_state != Application.state))
        .order_by(Application.id)
    )
    return [
        Violation(
            "timeline_disagrees_with_state",
            f"application {app_id}",
            f"is {state.label.lower()} but its timeline last moved it to "
            f"{'nothing' if last is None else last.label.lower()}.",
            "Append the missing event to the timeline (with a note saying it was repaired).",
        )
        for app_id, state, last in rows
    ]
