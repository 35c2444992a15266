"""The rotation's record: arrival, the completion guard, the award following the completion,
the early end."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from clerkship.accounts.models import Role
from clerkship.applications.models import ApplicationState
from clerkship.audit.models import AuditEvent
from clerkship.awards.models import AwardState
from clerkship.core.rules import RuleViolation
from clerkship.core.time import local_today
from clerkship.doctor.queries import all_violations
from clerkship.extensions import db
from clerkship.rotations import services
from clerkship.rotations.models import RotationState
from tests.factories import (
    make_award_application,
    make_award_settings,
    make_block,
    make_placed_student,
    make_rotation_record,
    make_user,
)

pytestmark = pytest.mark.usefixtures("app")


def _placed(ends_in_days: int):
    ends_on = local_today() + timedelta(days=ends_in_days)
    block = make_block(starts_on=ends_on - timedelta(days=27), ends_on=ends_on)
    application, placement = make_placed_student(block)
    coordinator = make_user((Role.COORDINATOR, application.department))
    return application, placement, coordinator


def _awarded(application):
    settings = make_award_settings(application.cycle)
    award = make_award_application(application, state=AwardState.AWARDED, amount=2000_00)
    settings.committed_cents = 2000_00
    db.session.flush()
    return award


def _event(action: str) -> AuditEvent:
    return db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id.desc())
    )


def test_arrival_is_recorded_and_audited():
    application, placement, coordinator = _placed(10)
    arrived_on = placement.block.starts_on
    record = services.record_arrival(
        placement, arrived_on=arrived_on, by=coordinator, today=local_today()
    )
    assert (record.state, record.arrived_on, record.arrival_recorded_by) == (
        RotationState.ARRIVED,
        arrived_on,
        coordinator,
    )
    assert (_event("rotation.arrived").subject_user_id, _event("rotation.arrived").target_id) == (
        application.student_id,
        record.id,
    )


def test_arrival_in_the_future_is_refused_next_to_the_date():
    _application, placement, coordinator = _placed(20)
    with pytest.raises(RuleViolation) as refused:
        services.record_arrival(
            placement,
            arrived_on=local_today() + timedelta(days=1),
            by=coordinator,
            today=local_today(),
        )
    assert (refused.value.field, refused.value.message) == (
        "arrived_on",
        "An arrival is recorded on or after the day.",
    )


def test_second_arrival_is_refused():
    _application, placement, coordinator = _placed(10)
    make_rotation_record(placement)
    with pytest.raises(RuleViolation) as refused:
        services.record_arrival(
            placement, arrived_on=local_today(), by=coordinator, today=local_today()
        )
    assert refused.value.message == "This student's arrival is already recorded."


def test_completion_before_the_block_ends_is_refused_to_the_coordinator():
    application, placement, coordinator = _placed(3)
    record = make_rotation_record(placement)
    with pytest.raises(RuleViolation) as refused:
        services.record_completion(record, by=coordinator, today=local_today())
    assert refused.value.message == (
        f"The rotation's block ends on {placement.block.ends_on:%B %-d, %Y}; its completion "
        "can be recorded from that day. Only an administrator can override this, with a "
        "written reason."
    )
    assert (record.state, application.state) == (RotationState.ARRIVED, ApplicationState.ACCEPTED)


def test_completion_on_the_block_end_date_completes_the_application():
    application, placement, coordinator = _placed(0)
    record = make_rotation_record(placement)
    services.record_completion(record, by=coordinator, today=local_today())
    assert (record.state, record.ended_on, application.state) == (
        RotationState.COMPLETED,
        placement.block.ends_on,
        ApplicationState.COMPLETED,
    )
    assert _event("rotation.completed").detail == {}
    assert all_violations() == []


def test_admin_completes_early_only_with_a_reason_kept_by_rotation_and_award():
    application, placement, _coordinator = _placed(3)
    award = _awarded(application)
    record = make_rotation_record(placement)
    admin = make_user(Role.ADMIN)
    with pytest.raises(RuleViolation) as refused:
        services.record_completion(record, by=admin, today=local_today())
    assert refused.value.field == "override_reason"
    services.record_completion(
        record, by=admin, today=local_today(), override_reason=" Dean excused the last days. "
    )
    refusal = (
        f"The rotation's block ends on {placement.block.ends_on:%B %-d, %Y}; its completion "
        "can be recorded from that day."
    )
    expected = {"override_reason": "Dean excused the last days.", "refusal": refusal}
    assert _event("rotation.completed").detail == expected
    assert _event("award.rotation_completed").detail == expected
    assert (record.ended_on, award.state) == (local_today(), AwardState.ROTATION_COMPLETED)
    assert all_violations() == []


def test_completion_drives_the_awards_rotation_completed(mailbox):
    application, placement, coordinator = _placed(-1)
    award = _awarded(application)
    record = make_rotation_record(placement)
    services.record_completion(record, by=coordinator, today=local_today(), version=1)
    db.session.commit()
    assert (record.state, application.state, award.state) == (
        RotationState.COMPLETED,
        ApplicationState.COMPLETED,
        AwardState.ROTATION_COMPLETED,
    )
    assert award.completed_by == coordinator
    subjects = [m["Subject"] for m in mailbox.to(application.student.email)]
    assert subjects[-3:] == [
        f"{application.department.name} visiting clerkship: completed",
        "Diversity in Medicine award: rotation completed",
        f"{application.department.name} visiting clerkship: tell us about your rotation",
    ]
    assert all_violations() == []


def test_completion_from_a_stale_page_is_refused():
    _application, placement, coordinator = _placed(-1)
    record = make_rotation_record(placement)
    with pytest.raises(RuleViolation) as refused:
        services.record_completion(record, by=coordinator, today=local_today(), version=7)
    assert refused.value.message == services.STALE


def test_completed_rotation_cannot_be_completed_or_ended_again():
    _application, placement, coordinator = _placed(-1)
    record = make_rotation_record(placement)
    services.record_completion(record, by=coordinator, today=local_today())
    with pytest.raises(RuleViolation) as refused:
        services.record_completion(record, by=coordinator, today=local_today())
    assert refused.value.message == "This rotation is already completed."
    with pytest.raises(RuleViolation) as refused:
        services.record_early_end(
            record, ended_on=local_today(), reason="x", by=coordinator, today=local_today()
        )
    assert refused.value.message == "This rotation is already completed."


def test_early_end_keeps_its_reason_and_sends_the_award_to_the_committee(mailbox):
    application, placement, coordinator = _placed(10)
    award = _awarded(application)
    record = make_rotation_record(placement)
    services.record_early_end(
        record,
        ended_on=local_today(),
        reason="Family emergency; left after two weeks.",
        by=coordinator,
        today=local_today(),
    )
    db.session.commit()
    assert (record.state, record.ended_on, record.end_reason) == (
        RotationState.ENDED_EARLY,
        local_today(),
        "Family emergency; left after two weeks.",
    )
    assert (application.state, award.state) == (
        ApplicationState.ACCEPTED,
        AwardState.NEEDS_ATTENTION,
    )
    assert _event("award.needs_attention").summary == (
        f"{application.department.name} rotation ended early: Family emergency; left after "
        "two weeks."
    )
    assert [m["Subject"] for m in mailbox.to(application.student.email)] == [
        f"{application.department.name} visiting clerkship: rotation ended"
    ]
    assert all_violations() == []


@pytest.mark.parametrize(
    ("days", "reason", "field"),
    [
        (0, "   ", "reason"),
        (1, "Ill.", "ended_on"),
        (-40, "Ill.", "ended_on"),
        (15, "Ill.", "ended_on"),
    ],
)
def test_early_end_needs_a_reason_and_a_day_within_the_rotation(days, reason, field):
    _application, placement, coordinator = _placed(10)
    record = make_rotation_record(placement)
    # 15 days from now is past the block's end (in 10 days); -40 before the arrival.
    with pytest.raises(RuleViolation) as refused:
        services.record_early_end(
            record,
            ended_on=local_today() + timedelta(days=days),
            reason=reason,
            by=coordinator,
            today=local_today() + timedelta(days=20 if days == 15 else 0),
        )
    assert refused.value.field == field
    assert record.state is RotationState.ARRIVED


def test_released_seat_has_no_rotation_to_record():
    from clerkship.allocation.models import PlacementState

    _application, placement, coordinator = _placed(-1)
    record = make_rotation_record(placement)
    placement.state = PlacementState.RELEASED
    with pytest.raises(RuleViolation) as refused:
        services.record_completion(record, by=coordinator, today=local_today())
    assert refused.value.message == "This seat was released; there is no rotation to record."


def test_first_day_information_is_saved_and_versioned():
    _application, placement, coordinator = _placed(30)
    rotation = placement.block.rotation
    info = services.save_first_day_info(
        rotation,
        where_to_go="  LA General, door 3  ",
        whom_to_ask="Chief resident",
        notice_days=10,
        by=coordinator,
    )
    assert (info.where_to_go, info.notice_days) == ("LA General, door 3", 10)
    with pytest.raises(RuleViolation):
        services.save_first_day_info(
            rotation, where_to_go="x", whom_to_ask="y", notice_days=10, by=coordinator, version=99
        )
