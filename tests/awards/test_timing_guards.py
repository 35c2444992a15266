"""A rotation is completed no earlier than its block ends, and paid no earlier than completed;
an administrator may override either with a reason, which the audit event keeps and the
award page shows. The committee and coordinators cannot."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from clerkship.accounts.models import Role
from clerkship.applications.models import ApplicationState
from clerkship.audit.models import AuditEvent
from clerkship.awards.models import AwardApplication, AwardState
from clerkship.awards.services import decisions
from clerkship.core.rules import RuleViolation
from clerkship.core.time import local_today
from clerkship.extensions import db
from clerkship.rotations import queries as rotation_queries
from tests.awards.helpers import complete_rotation, ready_student, rotation_held
from tests.conftest import login
from tests.factories import make_rotation_record, make_user

pytestmark = pytest.mark.usefixtures("app")


def _awarded(ready, *, ends_in_days: int):
    block = rotation_held(ready, ends_in_days=ends_in_days)
    ready.award.state = AwardState.AWARDED
    ready.award.amount_cents = 2000_00
    ready.settings.committed_cents = 2000_00
    db.session.flush()
    return block


def _complete(ready, by, *, today=None, reason=""):
    complete_rotation(ready, by, today=today, reason=reason)


def _pay(ready, by, *, paid_on=None, reason=""):
    decisions.record_payment(
        ready.award,
        paid_on=paid_on or local_today(),
        amount_cents=2000_00,
        reference="AP-1",
        version=ready.award.version,
        today=local_today(),
        by=by,
        override_reason=reason,
    )


def _event(action: str) -> AuditEvent:
    return db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id.desc())
    )


def test_completion_before_the_block_ends_is_refused_to_the_coordinator():
    ready = ready_student()
    block = _awarded(ready, ends_in_days=3)
    coordinator = make_user((Role.COORDINATOR, ready.department))
    with pytest.raises(RuleViolation) as refused:
        _complete(ready, coordinator, reason="The student left early with permission.")
    assert refused.value.message == (
        f"The rotation's block ends on {block.ends_on:%B %-d, %Y}; its completion can be "
        "recorded from that day. Only an administrator can override this, with a written reason."
    )
    assert (ready.award.state, ready.application.state) == (
        AwardState.AWARDED,
        ApplicationState.ACCEPTED,
    )


def test_completion_on_the_block_end_date_is_recorded():
    ready = ready_student()
    block = _awarded(ready, ends_in_days=0)
    _complete(ready, make_user((Role.COORDINATOR, ready.department)), today=block.ends_on)
    assert ready.award.state is AwardState.ROTATION_COMPLETED
    assert _event("award.rotation_completed").detail == {}


def test_admin_completes_early_only_with_a_reason_kept_in_the_audit_event():
    ready = ready_student()
    block = _awarded(ready, ends_in_days=3)
    admin = make_user(Role.ADMIN)
    with pytest.raises(RuleViolation) as refused:
        _complete(ready, admin)
    assert (refused.value.field, refused.value.message) == (
        "override_reason",
        f"The rotation's block ends on {block.ends_on:%B %-d, %Y}; its completion can be "
        "recorded from that day. To record it anyway, give your reason.",
    )
    _complete(ready, admin, reason="  Final week excused by the dean.  ")
    assert ready.award.state is AwardState.ROTATION_COMPLETED
    assert _event("award.rotation_completed").detail == {
        "override_reason": "Final week excused by the dean.",
        "refusal": f"The rotation's block ends on {block.ends_on:%B %-d, %Y}; its completion "
        "can be recorded from that day.",
    }


def test_payment_dated_before_the_block_end_is_refused_to_the_committee():
    ready = ready_student()
    block = _awarded(ready, ends_in_days=-1)
    _complete(ready, make_user(Role.ADMIN))
    with pytest.raises(RuleViolation) as refused:
        _pay(ready, ready.committee, paid_on=block.ends_on - timedelta(days=1))
    assert (refused.value.field, refused.value.message) == (
        "paid_on",
        f"The payment date cannot be before the rotation's block ends "
        f"({block.ends_on:%B %-d, %Y}). Only an administrator can override this, with a "
        "written reason.",
    )
    with pytest.raises(RuleViolation) as refused:
        _pay(ready, ready.committee, paid_on=block.ends_on)
    assert refused.value.message == (
        f"The payment date cannot be before the rotation's completion was recorded "
        f"({local_today():%B %-d, %Y}). Only an administrator can override this, with a "
        "written reason."
    )
    _pay(ready, ready.committee, paid_on=local_today())
    assert ready.award.state is AwardState.PAID


def test_admin_pays_before_completion_with_a_reason():
    ready = ready_student()
    _awarded(ready, ends_in_days=5)
    admin = make_user(Role.ADMIN)
    with pytest.raises(RuleViolation) as refused:
        _pay(ready, admin)
    assert refused.value.message == (
        "A payment is recorded after the rotation is completed; this award is awarded. "
        "To record it anyway, give your reason."
    )
    _pay(ready, admin, reason="Travel advance approved by the committee chair.")
    assert (ready.award.state, ready.settings.committed_cents) == (AwardState.PAID, 2000_00)
    assert _event("award.paid").detail == {
        "override_reason": "Travel advance approved by the committee chair.",
        "refusal": "A payment is recorded after the rotation is completed; this award is awarded.",
    }


def test_coordinator_page_refuses_early_completion_and_award_page_shows_the_override(client):
    ready = ready_student()
    block = _awarded(ready, ends_in_days=3)
    placement = rotation_queries.held_placement_of(ready.application)
    make_rotation_record(placement)
    db.session.commit()
    url = f"/departments/{ready.department.slug}/rotation-records/{placement.id}/completion"
    login(client, make_user((Role.COORDINATOR, ready.department)))
    refused = client.post(url, data={"completion-version": "1"})
    assert refused.status_code == 200
    assert f"The rotation&#39;s block ends on {block.ends_on:%B %-d, %Y}" in refused.get_data(True)
    assert db.session.get(AwardApplication, ready.award.id).state is AwardState.AWARDED
    admin = make_user(Role.ADMIN)
    db.session.commit()
    login(client, admin)
    form = client.get(
        f"/departments/{ready.department.slug}/rotation-records/{placement.id}"
    ).get_data(as_text=True)
    assert 'name="completion-override_reason"' in form
    done = client.post(
        url, data={"completion-version": "1", "completion-override_reason": "Dean's excuse."}
    )
    assert done.status_code == 302
    db.session.expire_all()
    award = db.session.get(AwardApplication, ready.award.id)
    assert award.state is AwardState.ROTATION_COMPLETED
    page = client.get(f"/awards/applications/{award.id}").get_data(as_text=True)
    assert (
        f"<strong>Completed early</strong> by {admin.full_name}: The rotation&#39;s block ends "
        f"on {block.ends_on:%B %-d, %Y}; its completion can be recorded from that day. "
        "Reason: Dean&#39;s excuse."
    ) in page
