"""Publishing is refused too early or unscored, unless a director gives a reason (audited, shown)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from clerkship.accounts.models import Role
from clerkship.allocation import queries, services
from clerkship.allocation.models import RunState
from clerkship.applications.models import ApplicationState
from clerkship.audit.models import AuditEvent
from clerkship.core.rules import RuleViolation
from clerkship.core.time import local_today
from clerkship.extensions import db
from tests.conftest import login
from tests.factories import make_application, make_block, make_cycle, make_rotation, make_user

DAY = timedelta(days=1)


def released(today, **changes) -> dict:
    """Cycle dates on which publishing is allowed today: applications closed, offers due."""
    dates = dict(
        applications_open_on=today - 40 * DAY,
        application_deadline=today - 10 * DAY,
        offers_released_on=today,
    )
    return {**dates, **{name: today + days * DAY for name, days in changes.items()}}


def _run(cycle_dates: dict, *, scored: bool = True):
    cycle = make_cycle(**cycle_dates)
    rotation = make_rotation()
    block = make_block(rotation, cycle, capacity=2, reserved=0)
    director = make_user((Role.DIRECTOR, rotation.department))
    application = make_application(blocks=[block], state=ApplicationState.SUBMITTED)
    scores = {application.id: 4} if scored else {}
    run = services.start_run(
        rotation.department, cycle, scores=scores, score_source="raw", by=director
    )
    return run, director


def test_publish_after_release_with_every_score_needs_no_reason(app):
    run, director = _run(released(local_today()))
    assert queries.publish_refusals(run) == []
    services.publish_run(run, by=director)
    assert run.state == RunState.PUBLISHED
    assert queries.publish_override(run) is None


@pytest.mark.parametrize(
    ("changes", "scored", "refusal"),
    [
        (
            {"offers_released_on": 1},
            True,
            "The cycle's offers are released on {offers:%B %-d, %Y}; publishing now sends them "
            "early.",
        ),
        (
            {"application_deadline": 0},
            True,
            "Applications are open until {deadline:%B %-d, %Y}; students who apply later are "
            "not in this run.",
        ),
        ({}, False, "1 applicant in this run has no composite score and took part with 0."),
    ],
    ids=["before-release", "applications-open", "unscored"],
)
def test_publish_is_refused_without_a_reason(app, changes, scored, refusal):
    dates = released(local_today(), **changes)
    run, director = _run(dates, scored=scored)
    refusal = refusal.format(
        offers=dates["offers_released_on"], deadline=dates["application_deadline"]
    )
    assert queries.publish_refusals(run) == [refusal]
    with pytest.raises(RuleViolation) as refused:
        services.publish_run(run, by=director, override_reason="   ")
    assert refused.value.message == refusal + " To publish anyway, give your reason."
    assert refused.value.field == "override_reason"
    assert run.state == RunState.PREVIEW


def test_override_reason_is_audited_and_shown_on_the_run(client):
    run, director = _run(released(local_today(), offers_released_on=3))
    page = login(client, director).get(f"/allocation/runs/{run.id}").get_data(as_text=True)
    assert "Publishing is refused now:" in page
    seen = queries.fingerprint(run)
    refused = client.post(f"/allocation/runs/{run.id}/publish", data={"confirm": "y", "seen": seen})
    assert refused.status_code == 400
    assert "To publish anyway, give your reason." in refused.get_data(as_text=True)
    published = client.post(
        f"/allocation/runs/{run.id}/publish",
        data={"confirm": "y", "seen": seen, "override_reason": "The dean approved early offers."},
    )
    assert published.status_code == 302
    db.session.rollback()
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "allocation.publish"))
    assert (event.actor_id, event.detail["override_reason"]) == (
        director.id,
        "The dean approved early offers.",
    )
    assert event.detail["refusals"] == queries.publish_refusals(run)
    page = client.get(f"/allocation/runs/{run.id}").get_data(as_text=True)
    assert '<dd class="col-sm-9" id="publish-override">The dean approved early offers.</dd>' in page
    assert "Publishing is refused now:" not in page
