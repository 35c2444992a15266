"""Award reviews: the award committee uses the same workflow on award applications, which
the awards feature registers as review subjects (essay shown, answers never)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from clerkship.accounts.models import Role
from clerkship.awards.models import AwardState
from clerkship.extensions import db
from clerkship.reviews.queries import score_round
from clerkship.reviews.records import ReviewAssignment
from tests import factories
from tests.conftest import login


def test_committee_assigns_and_scores_award_applications(app, client):
    cycle = factories.make_cycle()
    chair = factories.make_reviewer(None, full_name="Dr. Chair")
    member = factories.make_reviewer(None, full_name="Dr. Member")
    award_round = factories.make_review_round(None, cycle)
    rubric = factories.make_rubric(award_round, weights=(2, 1), high=4)
    factories.make_award_settings(cycle)
    first, second = (
        factories.make_award_application(
            factories.make_rotation_application(factories.make_student(full_name=name), cycle),
            state=AwardState.SUBMITTED,
        ).id
        for name in ("Amara Okafor", "Luis Hernández")
    )

    login(client, chair)
    assert (
        client.post(
            f"/reviews/award/assign?cycle={cycle.slug}", data={"assign-due_on": ""}
        ).status_code
        == 302
    )
    pairs = db.session.execute(
        select(ReviewAssignment.award_application_id, ReviewAssignment.reviewer_id).order_by(
            ReviewAssignment.award_application_id, ReviewAssignment.reviewer_id
        )
    ).all()
    assert pairs == [(first, chair.id), (first, member.id), (second, chair.id), (second, member.id)]
    queue = client.get("/reviews/").get_data(as_text=True)
    assert queue.count(">No block ranked</a>") == 2 and "Okafor" not in queue
    assert "Award application #" not in queue
    assert queue.count(f"<td>Diversity in Medicine award, {cycle.name}</td>") == 2
    assignment = db.session.scalar(
        select(ReviewAssignment).where(
            ReviewAssignment.award_application_id == first, ReviewAssignment.reviewer_id == chair.id
        )
    )
    page = client.get(f"/reviews/assignments/{assignment.id}").get_data(as_text=True)
    assert '<h1 class="h3">Award application with no block ranked</h1>' in page
    assert "Okafor" not in page
    c1, c2 = (c.id for c in rubric.criteria)
    submitted = client.post(
        f"/reviews/assignments/{assignment.id}",
        data={
            f"criterion_{c1}": "4",
            f"criterion_{c2}": "1",
            "recommendation": "recommend",
            "action": "submit",
        },
    )
    assert submitted.status_code == 302
    # (2*4 + 1*1) / 3 = 3.00
    assert score_round(award_round).raw == {first: Decimal("3.00")}
    posted = client.post(
        f"/reviews/assignments/{assignment.id}/discussion", data={"body": "Compelling essay."}
    )
    assert posted.status_code == 302
    assert "Compelling essay." in client.get(f"/reviews/assignments/{assignment.id}").get_data(
        as_text=True
    )


def test_award_round_with_no_award_application_assigns_nothing(client):
    cycle = factories.make_cycle()
    chair = factories.make_user(Role.AWARD_COMMITTEE)
    factories.make_review_round(None, cycle)
    login(client, chair)
    response = client.post(f"/reviews/award/assign?cycle={cycle.slug}", data={"assign-due_on": ""})
    assert "0 new assignment(s) made." in client.get(response.headers["Location"]).get_data(
        as_text=True
    )
