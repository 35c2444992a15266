"""Assigning reviewers over real data: coverage, caps, balance, conflicts, the infeasible case."""

from __future__ import annotations

import random
import threading
from collections import Counter
from datetime import date

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from clerkship.accounts.models import Role
from clerkship.core.rules import RuleViolation
from clerkship.extensions import db
from clerkship.reviews.assignment.conflicts import normalize_school
from clerkship.reviews.assignment.services import assign_automatically, assign_reviewer, shortfall
from clerkship.reviews.models import Conflict, ReviewerCap
from clerkship.reviews.records import AssignmentMethod, ReviewAssignment
from tests import factories
from tests.conftest import login

SCHOOLS = ["Howard University College of Medicine", "Meharry Medical College", "UC Davis", "Keck"]


def _pairs(review_round) -> list[tuple[int, int]]:
    return list(
        db.session.execute(
            select(ReviewAssignment.reviewer_id, ReviewAssignment.application_id).where(
                ReviewAssignment.round_id == review_round.id
            )
        ).all()
    )


@pytest.mark.parametrize("seed", range(6))
def test_assign_automatically_random_data_keeps_invariants(app, seed):
    rng = random.Random(seed)
    cycle = factories.make_cycle()
    k = rng.choice([1, 2, 3])
    department = factories.make_department(reviewers_per_application=k)
    director = factories.make_user((Role.DIRECTOR, department))
    review_round = factories.make_review_round(department, cycle)
    reviewer_school, applicant_school = {}, {}
    reviewers = []
    for _ in range(rng.randint(k + 2, 8)):
        school = rng.choice(["", "", SCHOOLS[0], SCHOOLS[1]])
        reviewers.append(factories.make_reviewer(department, schools=school))
        reviewer_school[reviewers[-1].id] = normalize_school(school) or None
    caps = {}
    for reviewer in rng.sample(reviewers, 2):
        caps[reviewer.id] = rng.randint(1, 6)
        db.session.add(
            ReviewerCap(round_id=review_round.id, reviewer_id=reviewer.id, cap=caps[reviewer.id])
        )
    applications = []
    for _ in range(rng.randint(10, 30)):
        school = rng.choice(SCHOOLS)
        # Written differently from the reviewer's profile: compared without case or dots.
        applications.append(
            factories.make_applicant(department, cycle, school=school.upper() + ".")
        )
        applicant_school[applications[-1].id] = normalize_school(school)
    declared = set()
    for application in applications:
        for reviewer in reviewers:
            if rng.random() < 0.06:
                declared.add((reviewer.id, application.id))
                db.session.add(
                    Conflict(
                        reviewer_id=reviewer.id,
                        student_email=application.student.email,
                        reason="Knows them",
                    )
                )
    db.session.flush()
    result = assign_automatically(review_round, due_on=date(2030, 1, 15), by=director)

    pairs = _pairs(review_round)
    for reviewer_id, application_id in pairs:
        assert (reviewer_id, application_id) not in declared
        assert reviewer_school[reviewer_id] != applicant_school[application_id]
    load = Counter(r for r, _ in pairs)
    for reviewer_id, cap in caps.items():
        assert load[reviewer_id] <= cap
    per_application = Counter(a for _, a in pairs)
    assert result.made == len(pairs)
    assert sorted(result.uncovered) == sorted(
        a.id for a in applications if per_application[a.id] < k
    )
    for application in applications:
        if per_application[application.id] < k:
            eligible = [
                r.id
                for r in reviewers
                if (r.id, application.id) not in declared
                and reviewer_school[r.id] != applicant_school[application.id]
            ]
            full = all(
                load[r] >= caps[r]
                for r in eligible
                if r in caps and (r, application.id) not in pairs
            )
            assert len(eligible) < k or full
    if not result.uncovered:
        uncapped = [load[r.id] for r in reviewers if r.id not in caps]
        assert max(uncapped) - min(uncapped) <= 1
    assert (
        db.session.scalar(select(func.count()).where(ReviewAssignment.due_on != date(2030, 1, 15)))
        == 0
    )


def test_assign_automatically_keeps_existing_and_is_idempotent(app):
    cycle = factories.make_cycle()
    department = factories.make_department()
    director = factories.make_user((Role.DIRECTOR, department))
    review_round = factories.make_review_round(department, cycle)
    first, _second, _third = (factories.make_reviewer(department) for _ in range(3))
    applications = [factories.make_applicant(department, cycle) for _ in range(3)]
    factories.make_assignment(review_round, applications[0], first)
    made = assign_automatically(review_round, due_on=None, by=director).made
    assert made == 5
    assert assign_automatically(review_round, due_on=None, by=director).made == 0
    assert sorted(Counter(r for r, _ in _pairs(review_round)).values()) == [2, 2, 2]
    assert (first.id, applications[0].id) in _pairs(review_round)


def test_assign_automatically_infeasible_case_explained_on_the_page(client):
    cycle = factories.make_cycle()
    department = factories.make_department(slug="em", reviewers_per_application=2)
    director = factories.make_user((Role.DIRECTOR, department))
    lone = factories.make_reviewer(department, schools="Howard University College of Medicine")
    capped = factories.make_reviewer(department)
    review_round = factories.make_review_round(department, cycle)
    db.session.add(ReviewerCap(round_id=review_round.id, reviewer_id=capped.id, cap=1))
    same_school = factories.make_applicant(
        department, cycle, school="Howard University College of Medicine"
    )
    others = [factories.make_applicant(department, cycle) for _ in range(2)]
    login(client, director)
    response = client.post(
        f"/departments/em/reviews/assign?cycle={cycle.slug}", data={"assign-due_on": ""}
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "3 new assignment(s) made. 3 application(s) could not get enough reviewers" in page
    assert (
        f"{same_school.student.full_name}</a></td><td>only 1 of 2 reviewers have no conflict "
        "with the applicant; 2 are needed</td>"
    ) in page
    short = shortfall(review_round)
    assert (
        short[others[0].id]
        == short[others[1].id]
        == ("every reviewer without a conflict is on it already or at their cap")
    )
    assert lone.id in {r for r, _ in _pairs(review_round)}


def test_assign_automatically_emails_each_reviewer_once(app, mailbox):
    cycle = factories.make_cycle()
    department = factories.make_department(name="Emergency Medicine")
    director = factories.make_user((Role.DIRECTOR, department))
    review_round = factories.make_review_round(department, cycle)
    reviewer = factories.make_reviewer(department, email="kevin.obi@keck.example.edu")
    factories.make_reviewer(department)
    for _ in range(3):
        factories.make_applicant(department, cycle)
    assign_automatically(review_round, due_on=date(2030, 2, 1), by=director)
    db.session.commit()
    messages = mailbox.to("kevin.obi@keck.example.edu")
    assert len(messages) == 1
    assert messages[0]["Subject"] == f"Emergency Medicine reviews, {cycle.name}: 3 new to review"
    body = messages[0].get_body(preferencelist=("plain",)).get_content()
    assert "Please submit your reviews by Feb 1, 2030." in body
    assert "http://clerkship.example.org/reviews/" in body
    assert reviewer.full_name in body


@pytest.fixture
def manual(app):
    cycle = factories.make_cycle()
    department = factories.make_department(slug="em")
    director = factories.make_user((Role.DIRECTOR, department))
    review_round = factories.make_review_round(department, cycle)
    reviewer = factories.make_reviewer(department, schools="Keck School of Medicine of USC")
    application = factories.make_applicant(department, cycle)
    return review_round, director, reviewer, application


def test_assign_reviewer_by_hand(manual):
    review_round, director, reviewer, application = manual
    assignment = assign_reviewer(review_round, application, reviewer, due_on=None, by=director)
    assert (assignment.method, assignment.reviewer_id) == (AssignmentMethod.MANUAL, reviewer.id)


def test_assign_reviewer_refuses_school_conflict(manual):
    review_round, director, reviewer, _ = manual
    applicant = factories.make_applicant(
        review_round.department, review_round.cycle, school="Keck School of Medicine of USC"
    )
    with pytest.raises(RuleViolation) as refused:
        assign_reviewer(review_round, applicant, reviewer, due_on=None, by=director)
    assert refused.value.message == (
        f"{reviewer.full_name} has a conflict with this applicant "
        "(Same school: Keck School of Medicine of USC)."
    )


def test_assign_reviewer_refuses_past_cap_and_twice(manual):
    review_round, director, reviewer, application = manual
    db.session.add(ReviewerCap(round_id=review_round.id, reviewer_id=reviewer.id, cap=1))
    assign_reviewer(review_round, application, reviewer, due_on=None, by=director)
    with pytest.raises(RuleViolation) as twice:
        assign_reviewer(review_round, application, reviewer, due_on=None, by=director)
    assert twice.value.message == f"{reviewer.full_name} already reviews this application."
    other = factories.make_applicant(review_round.department, review_round.cycle)
    with pytest.raises(RuleViolation) as capped:
        assign_reviewer(review_round, other, reviewer, due_on=None, by=director)
    assert capped.value.message == (
        f"{reviewer.full_name} is at their cap of 1 in this round; raise the cap first."
    )


def test_assign_reviewer_refuses_non_reviewer_and_closed_round(manual):
    review_round, director, _reviewer, application = manual
    with pytest.raises(RuleViolation) as outsider:
        assign_reviewer(review_round, application, director, due_on=None, by=director)
    assert outsider.value.message == f"{director.full_name} does not review for this round."
    from clerkship.reviews.models import Phase

    review_round.phase = Phase.CLOSED
    with pytest.raises(RuleViolation) as closed:
        assign_reviewer(review_round, application, _reviewer, due_on=None, by=director)
    assert closed.value.message == "The round is closed; reopen it to change assignments."


def test_manual_assignment_page_lists_conflicts_and_refuses_them(client, manual):
    review_round, director, reviewer, _ = manual
    applicant = factories.make_applicant(
        review_round.department, review_round.cycle, school="Keck School of Medicine of USC"
    )
    login(client, director)
    url = f"/departments/em/reviews/applications/{applicant.id}"
    page = client.get(url).get_data(as_text=True)
    assert f"<li>{reviewer.full_name}: Same school: Keck School of Medicine of USC</li>" in page
    assert f'<option value="{reviewer.id}">' not in page
    refused = client.post(url + "/assign", data={"reviewer": str(reviewer.id), "due_on": ""})
    assert refused.status_code == 400
    assert "has a conflict with this applicant" in refused.get_data(as_text=True)
    assert _pairs(review_round) == []


def test_concurrent_automatic_assignments_assign_each_pair_once(app, is_postgres):
    cycle = factories.make_cycle()
    department = factories.make_department(slug="em", reviewers_per_application=2)
    director = factories.make_user((Role.DIRECTOR, department))
    review_round = factories.make_review_round(department, cycle)
    for _ in range(4):
        factories.make_reviewer(department)
    applications = [factories.make_applicant(department, cycle) for _ in range(12)]
    db.session.commit()
    # Plain clients: the threads do not share the test's session (CommittingClient would).
    clients = [
        login(FlaskClient(app, app.response_class, use_cookies=True), director) for _ in range(3)
    ]
    url = f"/departments/em/reviews/assign?cycle={cycle.slug}"
    barrier = threading.Barrier(len(clients))
    statuses = []

    def run(client):
        barrier.wait()
        statuses.append(client.post(url).status_code)

    threads = [threading.Thread(target=run, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [302, 302, 302]
    db.session.rollback()  # end the test's own read snapshot
    per_application = Counter(a for _, a in _pairs(review_round))
    assert per_application == dict.fromkeys((a.id for a in applications), 2)
