"""Which applicants a season invites is its setting (default: offered, accepted, completed),
with a preview of who that invites; withdrawn, not-selected and declined ones are not."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from clerkship.applications.models import ApplicationState as S
from clerkship.audit.models import AuditEvent
from clerkship.core.rules import RuleViolation
from clerkship.core.time import local_end_of_day, local_today
from clerkship.extensions import db
from clerkship.interviews import queries
from clerkship.interviews.invitations import services as invitations
from clerkship.interviews.models import InterviewSeason
from tests.conftest import login
from tests.factories import make_application, make_student

STATES = [
    S.SUBMITTED,
    S.UNDER_REVIEW,
    S.WAITLISTED,
    S.OFFERED,
    S.ACCEPTED,
    S.DECLINED,
    S.OFFER_EXPIRED,
    S.NOT_SELECTED,
    S.WITHDRAWN,
    S.COMPLETED,
]


def _applicants(season) -> dict[S, object]:
    return {
        state: make_application(
            make_student(full_name=f"Applicant {state.label}"),
            season.department,
            season.cycle,
            state=state,
        )
        for state in STATES
    }


def _invitable(season, states=None) -> list[S]:
    return [a.state for a in db.session.scalars(queries.invitable_applications(season, states))]


def test_a_season_invites_offered_accepted_and_completed_applicants_by_default(setting):
    season = setting.season
    applicants = _applicants(season)
    assert season.invite_states == ["offered", "accepted", "completed"]
    assert sorted(s.value for s in _invitable(season)) == ["accepted", "completed", "offered"]
    reply_by = local_end_of_day(local_today() + timedelta(days=7))
    for state in (S.NOT_SELECTED, S.WITHDRAWN, S.DECLINED, S.SUBMITTED):
        with pytest.raises(RuleViolation) as refused:
            invitations.invite_applicants(
                season, [applicants[state]], reply_by=reply_by, by=setting.director
            )
        assert refused.value.message == "Choose applicants from the list."
    sent = invitations.invite_applicants(
        season, [applicants[S.ACCEPTED]], reply_by=reply_by, by=setting.director
    )
    assert [i.application_id for i in sent] == [applicants[S.ACCEPTED].id]


def test_director_previews_then_saves_the_invited_states(client, setting):
    season = setting.season
    _applicants(season)
    db.session.commit()
    base = f"/departments/emergency-medicine/interviews/{season.cycle.slug}"
    login(client, setting.director)
    page = client.get(base + "/settings").get_data(as_text=True)
    preview = page.split('id="invite-preview"')[1]
    assert "3 applicants not yet invited:" in preview
    assert [
        n
        for n in ("Offered", "Accepted", "Completed", "Not selected")
        if f"Applicant {n} " in preview
    ] == [
        "Offered",
        "Accepted",
        "Completed",
    ]
    asked = client.get(
        base + "/settings",
        query_string={"preview": "1", "invite_states": ["not_selected", "waitlisted"]},
    ).get_data(as_text=True)
    preview = asked.split('id="invite-preview"')[1]
    assert "2 applicants not yet invited:" in preview
    assert "Applicant Not selected · Not selected" in preview
    assert "Applicant Waitlisted · Waitlisted" in preview
    db.session.expire_all()
    assert db.session.get(InterviewSeason, season.id).invite_states == [
        "offered",
        "accepted",
        "completed",
    ]
    saved = client.post(
        base + "/settings",
        data={
            "booking_mode": "first_come",
            "ranking_hours": "48",
            "lock_hours": "48",
            "offer_hours": "24",
            "invite_states": ["completed", "waitlisted"],
            "version": str(season.version),
        },
    )
    assert saved.status_code == 303
    db.session.expire_all()
    season = db.session.get(InterviewSeason, season.id)
    assert season.invite_states == ["waitlisted", "completed"]
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "interview_season.update")
    )
    assert event.detail["invite_states"] == [
        ["offered", "accepted", "completed"],
        ["waitlisted", "completed"],
    ]
    listed = client.get(base + "/invitations").get_data(as_text=True)
    assert "Applicant Waitlisted" in listed and "Applicant Completed" in listed
    assert "Applicant Offered" not in listed and "Applicant Not selected" not in listed
