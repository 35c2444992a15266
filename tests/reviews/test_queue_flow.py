"""The reviewer's queue at work: decided subjects leave it, rows are named by the block chosen,
"Submit and open the next", and an incomplete review names every missing answer."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from clerkship.accounts.models import Membership, Role
from clerkship.applications.models import ApplicationState
from clerkship.awards.models import AwardState
from clerkship.core.time import local_today
from clerkship.extensions import db
from clerkship.reviews.models import Phase
from clerkship.reviews.records import Review, ReviewState
from clerkship.reviews.reviewing.queries import reviewer_queue
from tests import factories
from tests.conftest import login


@pytest.fixture
def line(app):
    cycle = factories.make_cycle()
    department = factories.make_department(slug="em", name="Emergency Medicine")
    reviewer = factories.make_reviewer(department, full_name="Dr. Line")
    site = factories.make_site(name="LA General", short_name="LA General")
    rotation = factories.make_rotation(department, site, title="EM Sub-Internship")
    july = factories.make_block(rotation, cycle, month=7)
    review_round = factories.make_review_round(department, cycle)
    rubric = factories.make_rubric(review_round, weights=(2, 1))
    applications = []
    assignments = []
    for _ in range(3):
        application = factories.make_applicant(department, cycle, blocks=(july,))
        applications.append(application)
        assignments.append(factories.make_assignment(review_round, application, reviewer))
    c1, c2 = (c.id for c in rubric.criteria)
    return SimpleNamespace(**locals())


def _queue_ids(client) -> list[int]:
    page = client.get("/reviews/").get_data(as_text=True)
    return [int(n) for n in re.findall(r'href="/reviews/assignments/(\d+)"', page)]


@pytest.mark.parametrize(
    "state",
    [
        ApplicationState.WITHDRAWN,
        ApplicationState.OFFERED,
        ApplicationState.WAITLISTED,
        ApplicationState.NOT_SELECTED,
        ApplicationState.DECLINED,
        ApplicationState.ACCEPTED,
    ],
)
def test_decided_applications_leave_the_queue(client, line, state):
    first, second, third = line.assignments
    factories.make_review(second, line.rubric, [3, 3])
    line.applications[0].state = state
    line.applications[1].state = state
    login(client, line.reviewer)
    assert _queue_ids(client) == [third.id]
    queue = reviewer_queue(line.reviewer, today=local_today())
    assert (queue.total, queue.counts) == (1, {"not_started": 1, "draft": 0, "submitted": 0})


def test_under_review_applications_stay_in_the_queue(client, line):
    line.applications[0].state = ApplicationState.UNDER_REVIEW
    login(client, line.reviewer)
    assert _queue_ids(client) == [a.id for a in line.assignments]


def test_queue_rows_name_the_rotation_and_block(client, line):
    login(client, line.reviewer)
    page = client.get("/reviews/").get_data(as_text=True)
    year = line.july.starts_on.year
    assert page.count(f">EM Sub-Internship (LA General), Jul 1–Jul 28, {year}</a>") == 3
    assert f"<td>Emergency Medicine, {line.cycle.name}</td>" in page
    assert "Application #" not in page


def test_award_reviews_leave_the_queue_once_decided_and_name_the_award(client, line):
    factories.make_award_settings(line.cycle)
    member = factories.make_reviewer(None, full_name="Dr. Committee")
    award_round = factories.make_review_round(None, line.cycle)
    factories.make_rubric(award_round)
    open_award, decided_award = (
        factories.make_award_application(application, state=AwardState.UNDER_REVIEW)
        for application in line.applications[:2]
    )
    waiting = factories.make_assignment(
        award_round, None, member, award_application_id=open_award.id
    )
    factories.make_assignment(award_round, None, member, award_application_id=decided_award.id)
    decided_award.state = AwardState.NOT_AWARDED
    login(client, member)
    page = client.get("/reviews/").get_data(as_text=True)
    assert re.findall(r'href="/reviews/assignments/(\d+)"', page) == [str(waiting.id)]
    year = line.july.starts_on.year
    assert f">EM Sub-Internship (LA General), Jul 1–Jul 28, {year}</a>" in page
    assert f"<td>Diversity in Medicine award, {line.cycle.name}</td>" in page
    assert "application #" not in page.lower()


def _submit(client, line, assignment, action="submit_next", **fields):
    data = {
        "action": action,
        "version": "",
        "comments": "",
        f"criterion_{line.c1}": "4",
        f"criterion_{line.c2}": "2",
        "recommendation": "recommend",
    }
    return client.post(f"/reviews/assignments/{assignment.id}", data=data | fields)


def test_submit_and_open_the_next_goes_to_the_next_review_not_started(client, line):
    first, second, third = line.assignments
    factories.make_review(second, line.rubric, [3], submitted=False)  # a draft: not "next"
    login(client, line.reviewer)
    page = client.get(f"/reviews/assignments/{first.id}").get_data(as_text=True)
    assert '<button type="submit" name="action" value="submit_next"' in page
    year = line.july.starts_on.year
    assert f'<h1 class="h3">Application for EM Sub-Internship, Jul 1–Jul 28, {year}</h1>' in page
    response = _submit(client, line, first)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/reviews/assignments/{third.id}"
    assert (
        db.session.scalar(select(Review.state).where(Review.assignment_id == first.id))
        is ReviewState.SUBMITTED
    )
    last = _submit(client, line, third)
    assert last.headers["Location"] == "/reviews/"
    assert "You have no other review to start." in client.get("/reviews/").get_data(as_text=True)


def test_submit_and_next_skips_closed_rounds_and_decided_applications(client, line):
    first, second, third = line.assignments
    line.applications[1].state = ApplicationState.WITHDRAWN
    other_department = factories.make_department()
    db.session.add(
        Membership(user_id=line.reviewer.id, role=Role.REVIEWER, department=other_department)
    )
    db.session.flush()
    db.session.expire(line.reviewer)
    closed = factories.make_review_round(other_department, line.cycle, phase=Phase.CLOSED)
    factories.make_assignment(
        closed, factories.make_applicant(other_department, line.cycle), line.reviewer
    )
    login(client, line.reviewer)
    response = _submit(client, line, first)
    assert response.headers["Location"] == f"/reviews/assignments/{third.id}"


def test_incomplete_review_lists_every_missing_answer_and_saves_nothing(client, line):
    first = line.assignments[0]
    login(client, line.reviewer)
    response = client.post(
        f"/reviews/assignments/{first.id}",
        data={"action": "submit_next", "version": "", "comments": "Typed"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "3 answers are missing; each is marked below." in page
    for field, message in (
        (f"criterion_{line.c1}", "Choose a level for Criterion 1 before submitting."),
        (f"criterion_{line.c2}", "Choose a level for Criterion 2 before submitting."),
        ("recommendation", "Choose an overall recommendation before submitting."),
    ):
        assert (
            f'<div id="{field}-error" class="invalid-feedback d-block">'
            f'<span class="d-block">{message}</span></div>'
        ) in page
        assert f'<li><a href="#{field}">' in page
    assert "Typed</textarea>" in page
    assert db.session.scalar(select(Review)) is None
