"""Award reviews: the award committee uses the same workflow once the awards feature
registers its award applications as review subjects (here, a stand-in for that feature)."""

from __future__ import annotations

from decimal import Decimal

from flask import current_app
from sqlalchemy import select

from clerkship.accounts.models import Role, User
from clerkship.cycles.models import Cycle
from clerkship.extensions import db
from clerkship.reviews.queries import score_round
from clerkship.reviews.records import ReviewAssignment
from clerkship.reviews.subjects import Subject, register_award_subjects
from tests import factories
from tests.conftest import login


class AwardApplications:
    """What clerkship.awards will provide: award application ids and how to show one."""

    def __init__(self, cycle_id: int, students: dict[int, int]):
        self.cycle_id, self.students = cycle_id, students

    def reviewable(self, cycle):
        return dict(self.students) if cycle.id == self.cycle_id else {}

    def subject(self, award_application_id):
        return Subject(
            kind="award",
            id=award_application_id,
            student=db.session.get(User, self.students[award_application_id]),
            cycle=db.session.get(Cycle, self.cycle_id),
            department=None,
            profile=None,
            statement="Why this award matters to me.",
            in_pathway=True,
            choices=(),
        )


def test_committee_assigns_and_scores_award_applications(app, client):
    cycle = factories.make_cycle()
    chair = factories.make_reviewer(None, full_name="Dr. Chair")
    member = factories.make_reviewer(None, full_name="Dr. Member")
    award_round = factories.make_review_round(None, cycle)
    rubric = factories.make_rubric(award_round, weights=(2, 1), high=4)
    students = {
        101: factories.make_student(full_name="Amara Okafor").id,
        102: factories.make_student().id,
    }
    source = AwardApplications(cycle.id, students)
    register_award_subjects(app, source)
    register_award_subjects(current_app, source)

    login(client, chair)
    assert (
        client.post(f"/reviews/award/assign?cycle={cycle.slug}", data={"due_on": ""}).status_code
        == 302
    )
    pairs = db.session.execute(
        select(ReviewAssignment.award_application_id, ReviewAssignment.reviewer_id).order_by(
            ReviewAssignment.award_application_id, ReviewAssignment.reviewer_id
        )
    ).all()
    assert pairs == [(101, chair.id), (101, member.id), (102, chair.id), (102, member.id)]
    queue = client.get("/reviews/").get_data(as_text=True)
    assert ">Award application #101</a>" in queue and "Okafor" not in queue
    assignment = db.session.scalar(
        select(ReviewAssignment).where(
            ReviewAssignment.award_application_id == 101, ReviewAssignment.reviewer_id == chair.id
        )
    )
    page = client.get(f"/reviews/assignments/{assignment.id}").get_data(as_text=True)
    assert '<h1 class="h3">Award application #101</h1>' in page and "Okafor" not in page
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
    assert score_round(award_round).raw == {101: Decimal("3.00")}
    posted = client.post(
        f"/reviews/assignments/{assignment.id}/discussion", data={"body": "Compelling essay."}
    )
    assert posted.status_code == 302
    assert "Compelling essay." in client.get(f"/reviews/assignments/{assignment.id}").get_data(
        as_text=True
    )


def test_award_round_without_the_awards_feature_assigns_nothing(client):
    cycle = factories.make_cycle()
    chair = factories.make_user(Role.AWARD_COMMITTEE)
    factories.make_review_round(None, cycle)
    login(client, chair)
    response = client.post(f"/reviews/award/assign?cycle={cycle.slug}", data={"due_on": ""})
    assert "0 new assignment(s) made." in client.get(response.headers["Location"]).get_data(
        as_text=True
    )
