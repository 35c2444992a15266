"""The demo season shows mentorship: mentors, groups, an open request and a matched pair."""

from __future__ import annotations

from sqlalchemy import func, select

from clerkship.accounts.models import User
from clerkship.extensions import db
from clerkship.mentorship.models import AffinityGroup, Mentor, MentorRequest, RequestState
from tests.conftest import login


def test_demo_has_mentors_groups_an_open_request_and_a_matched_pair(app, demo_season, client):
    assert db.session.scalar(select(func.count(AffinityGroup.id))) == 5
    assert db.session.scalar(select(func.count(Mentor.id))) == 5
    requests = db.session.scalars(select(MentorRequest).order_by(MentorRequest.id)).all()
    assert [(r.department.slug, r.state) for r in requests] == [
        ("emergency-medicine", RequestState.MATCHED),
        ("pediatrics", RequestState.OPEN),
    ]
    matched = requests[0]
    assert matched.first_meeting_on is not None and matched.mentor is not None
    coordinator = db.session.scalar(
        select(User).where(User.email == "peds.coordinator@keck.example.edu")
    )
    login(client, coordinator)
    assert "1 mentor request to match" in client.get("/").get_data(as_text=True)
