"""The rotation's record: arrival, then completion or an early end, through one service each.

record_completion is the only way a rotation becomes completed: it moves the application
to Completed and the award that funds it to "rotation completed" in the same transaction,
so the three records cannot disagree (docs/invariants.md).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from clerkship.accounts.models import User
from clerkship.allocation.models import Placement, PlacementState
from clerkship.applications.models import ApplicationState
from clerkship.applications.services import transition
from clerkship.audit.services import record_event
from clerkship.awards.services import decisions as award_decisions
from clerkship.core.rules import RuleViolation
from clerkship.core.time import utcnow
from clerkship.core.urls import external_url
from clerkship.cycles.models import Rotation
from clerkship.extensions import db
from clerkship.outbox.services import queue_email
from clerkship.rotations import queries
from clerkship.rotations.models import FirstDayInfo, RotationRecord, RotationState
from clerkship.rotations.signals import rotation_completed

STALE = (
    "This rotation was changed by someone else after you opened the page. Nothing was "
    "changed; the page now shows the current record."
)


def _check_version(record: RotationRecord, version: int | None) -> None:
    if version is not None and version != record.version:
        raise RuleViolation(STALE)


def _rotating(placement: Placement) -> None:
    """Refuse a placement whose seat is not an accepted rotation."""
    application = placement.application
    if placement.state is not PlacementState.HELD:
        raise RuleViolation("This seat was released; there is no rotation to record.")
    if application.state not in (ApplicationState.ACCEPTED, ApplicationState.COMPLETED):
        raise RuleViolation(
            f"The {application.department.name} application is "
            f"{application.state.label.lower()}; only an accepted rotation is recorded."
        )


def record_arrival(
    placement: Placement, *, arrived_on: date, by: User, today: date
) -> RotationRecord:
    """The coordinator records the day the placed student arrived."""
    _rotating(placement)
    block = placement.block
    if queries.record_of(placement) is not None:
        raise RuleViolation("This student's arrival is already recorded.")
    if arrived_on > today:
        raise RuleViolation("An arrival is recorded on or after the day.", field="arrived_on")
    if arrived_on > block.ends_on:
        raise RuleViolation(
            f"The block ended on {block.ends_on:%B %-d, %Y}; an arrival is on or before that day.",
            field="arrived_on",
        )
    record = RotationRecord(
        placement=placement,
        state=RotationState.ARRIVED,
        arrived_on=arrived_on,
        arrival_recorded_by=by,
    )
    db.session.add(record)
    db.session.flush()
    record_event(
        "rotation.arrived",
        by=by,
        target=record,
        subject=placement.application.student,
        summary=f"{placement.application.department.name}, {block.label}: arrived "
        f"{arrived_on.isoformat()}",
    )
    db.session.flush()
    return record


def completion_refusal(record: RotationRecord, today: date) -> str | None:
    """Why completion cannot be recorded today: the block has not ended yet."""
    ends_on = record.placement.block.ends_on
    if today < ends_on:
        return (
            f"The rotation's block ends on {ends_on:%B %-d, %Y}; its completion can be "
            "recorded from that day."
        )
    return None


def record_completion(
    record: RotationRecord,
    *,
    by: User,
    today: date,
    version: int | None = None,
    override_reason: str = "",
) -> None:
    """Record the rotation completed: the application becomes Completed and the award that
    funds it "rotation completed" (payment may follow).

    Not before the block's end date, unless an administrator gives a written reason, which
    the audit events of the rotation and of the award keep.
    """
    _check_version(record, version)
    placement = record.placement
    _rotating(placement)
    if record.state is not RotationState.ARRIVED:
        raise RuleViolation(f"This rotation is already {record.state.label.lower()}.")
    override_reason = override_reason.strip()[:1000]
    refusal = completion_refusal(record, today)
    if refusal:
        if not by.is_admin:
            raise RuleViolation(
                refusal + " Only an administrator can override this, with a written reason."
            )
        if not override_reason:
            raise RuleViolation(
                refusal + " To record it anyway, give your reason.", field="override_reason"
            )
    application = placement.application
    block = placement.block
    record.state = RotationState.COMPLETED
    record.ended_on = max(record.arrived_on, min(today, block.ends_on))
    record.end_recorded_by = by
    record.end_recorded_at = utcnow()
    overridden = {"override_reason": override_reason, "refusal": refusal} if refusal else {}
    record_event(
        "rotation.completed",
        by=by,
        target=record,
        subject=application.student,
        summary=f"{application.department.name}, {block.label}: completed",
        **overridden,
    )
    if application.state is ApplicationState.ACCEPTED:
        transition(application, ApplicationState.COMPLETED, by=by, note="Rotation completed.")
    for award in award_decisions.awards_of_rotation(application):
        award_decisions.follow_rotation_completion(
            award, by=by, override_reason=override_reason, refusal=refusal
        )
    db.session.flush()
    rotation_completed.send(record, by=by)  # surveys asks the student, in this transaction


def record_early_end(
    record: RotationRecord,
    *,
    ended_on: date,
    reason: str,
    by: User,
    today: date,
    version: int | None = None,
) -> None:
    """Record that the rotation ended before its block did, with the reason; an award that
    funds it needs the committee's decision."""
    _check_version(record, version)
    placement = record.placement
    _rotating(placement)
    reason = reason.strip()
    if record.state is not RotationState.ARRIVED:
        raise RuleViolation(f"This rotation is already {record.state.label.lower()}.")
    if not reason:
        raise RuleViolation("Say why the rotation ended early.", field="reason")
    block = placement.block
    if ended_on > today:
        raise RuleViolation("An early end is recorded on or after its day.", field="ended_on")
    if ended_on < record.arrived_on:
        raise RuleViolation(
            f"The student arrived on {record.arrived_on:%B %-d, %Y}; the rotation cannot end "
            "before that.",
            field="ended_on",
        )
    if ended_on >= block.ends_on:
        raise RuleViolation(
            f"The block ends on {block.ends_on:%B %-d, %Y}: a rotation that lasted to its end "
            "is completed, not ended early.",
            field="ended_on",
        )
    application = placement.application
    record.state = RotationState.ENDED_EARLY
    record.ended_on = ended_on
    record.end_reason = reason[:2000]
    record.end_recorded_by = by
    record.end_recorded_at = utcnow()
    record_event(
        "rotation.ended_early",
        by=by,
        target=record,
        subject=application.student,
        summary=f"{application.department.name}, {block.label}: ended {ended_on.isoformat()}",
        reason=reason[:500],
    )
    for award in award_decisions.awards_of_rotation(application):
        award_decisions.flag_award_after_early_end(award, by=by, reason=reason)
    queue_email(
        application.student.email,
        f"{application.department.name} visiting clerkship: rotation ended",
        "rotation_ended_early",
        recipient=application.student,
        department=application.department,
        student=application.student,
        ended_on=ended_on,
        link=external_url("applications.status", application_id=application.id),
    )
    db.session.flush()


def save_first_day_info(
    rotation: Rotation,
    *,
    where_to_go: str,
    whom_to_ask: str,
    notice_days: int,
    by: User,
    version: int | None = None,
) -> FirstDayInfo:
    """Write the rotation's first-day information and from how many days before the block
    students see it."""
    info = queries.first_day_info(rotation)
    if info is None:
        info = FirstDayInfo(rotation=rotation)
        db.session.add(info)
    elif version is not None and version != info.version:
        raise RuleViolation(
            "Someone else changed this information after you opened the page. Your text is "
            "kept below; check it and save again."
        )
    if not 0 <= notice_days <= 120:
        raise RuleViolation("Choose between 0 and 120 days.", field="notice_days")
    info.where_to_go = where_to_go.strip()[:2000]
    info.whom_to_ask = whom_to_ask.strip()[:2000]
    info.notice_days = notice_days
    info.updated_by_id = by.id
    db.session.flush()
    record_event(
        "rotation.first_day_saved",
        by=by,
        target=info,
        summary=f"First-day information of {rotation.title}",
    )
    db.session.flush()
    return info


def lock_record(record: RotationRecord) -> RotationRecord:
    """Re-read the record under a row lock, so two completions at once are served in turn."""
    fresh = db.session.scalar(
        select(RotationRecord)
        .where(RotationRecord.id == record.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if fresh is None:
        raise RuleViolation(STALE)
    return fresh
