"""Scoring: draft, submit, edit until the round closes, stale edits, no peeking, discussion."""

from __future__ import annotations

import threading
from decimal import Decimal
from types import SimpleNamespace

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from clerkship.accounts.models import Role
from clerkship.applications.models import Application, ApplicationState
from clerkship.extensions import db
from clerkship.reviews.models import Phase
from clerkship.reviews.records import Recommendation, Review, ReviewAssignment, ReviewState
from tests import factories
from tests.conftest import body_of, login


@pytest.fixture
def scoring(app):
    cycle = factories.make_cycle()
    department = factories.make_department(slug="em", name="Emergency Medicine")
    director = factories.make_user((Role.DIRECTOR, department), (Role.REVIEWER, department))
    first = factories.make_reviewer(department, full_name="Dr. First")
    second = factories.make_reviewer(department, full_name="Dr. Second")
    review_round = factories.make_review_round(department, cycle)
    rubric = factories.make_rubric(review_round, weights=(3, 2, 1), insufficient=(2,))
    application = factories.make_applicant(department, cycle)
    mine = factories.make_assignment(review_round, application, first)
    theirs = factories.make_assignment(review_round, application, second)
    c1, c2, c3 = (c.id for c in rubric.criteria)
    return SimpleNamespace(**locals())


def _post(client, s, assignment=None, action="submit", version="", **fields):
    assignment = assignment or s.mine
    return client.post(
        f"/reviews/assignments/{assignment.id}",
        data={"action": action, "version": version, "comments": "", **fields},
    )


def _levels(s, a, b, c) -> dict:
    return {f"criterion_{s.c1}": a, f"criterion_{s.c2}": b, f"criterion_{s.c3}": c}


def test_draft_keeps_partial_answers_without_a_composite(client, scoring):
    login(client, scoring.first)
    response = _post(
        client, scoring, action="draft", **{f"criterion_{scoring.c1}": "4"}, comments="So far"
    )
    assert response.status_code == 302
    review = db.session.scalar(select(Review))
    assert (review.state, review.composite, review.comments) == (ReviewState.DRAFT, None, "So far")
    assert review.levels_by_criterion() == {scoring.c1: 4}
    assert scoring.application.state is ApplicationState.SUBMITTED
    page = client.get(f"/reviews/assignments/{scoring.mine.id}").get_data(as_text=True)
    assert f'<input checked class="form-check-input" id="criterion_{scoring.c1}-3"' in page
    assert page.count("<input checked") == 1


def test_submit_incomplete_names_every_missing_criterion_next_to_it_keeping_answers(
    client, scoring
):
    login(client, scoring.first)
    response = _post(
        client,
        scoring,
        **{f"criterion_{scoring.c1}": "4"},
        recommendation="recommend",
        comments="Kept",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "2 answers are missing; each is marked below." in page
    for number, criterion in ((2, scoring.c2), (3, scoring.c3)):
        error = f'<div id="criterion_{criterion}-error" class="invalid-feedback d-block">'
        message = f'<span class="d-block">Choose a level for Criterion {number} before submitting.'
        assert f"{error}{message}</span></div>" in page
    assert f'id="criterion_{scoring.c1}-error"' not in page
    assert "Kept</textarea>" in page
    assert db.session.scalar(select(Review)) is None


def test_submit_computes_composite_and_starts_review_of_the_application(client, scoring, mailbox):
    login(client, scoring.first)
    response = _post(client, scoring, **_levels(scoring, "4", "5", "3"), recommendation="recommend")
    assert response.status_code == 302
    review = db.session.scalar(select(Review))
    # (3*4 + 2*5 + 1*3) / 6 = 25 / 6 = 4.1666... held at 4.17
    assert (review.state, review.composite, review.submitted_phase) == (
        ReviewState.SUBMITTED,
        Decimal("4.17"),
        Phase.FIRST,
    )
    db.session.refresh(scoring.application)
    assert scoring.application.state is ApplicationState.UNDER_REVIEW
    message = mailbox.last_to(scoring.application.student.email)
    assert "Faculty are now reviewing your application." in body_of(message)
    assert "Dr. First" not in body_of(message)


def test_insufficient_evidence_only_where_offered_and_not_counted(client, scoring):
    login(client, scoring.first)
    refused = _post(
        client, scoring, **_levels(scoring, "insufficient", "5", "3"), recommendation="recommend"
    )
    assert refused.status_code == 400
    assert "Choose one of the levels of Criterion 1." in refused.get_data(as_text=True)
    accepted = _post(
        client, scoring, **_levels(scoring, "4", "insufficient", "3"), recommendation="recommend"
    )
    assert accepted.status_code == 302
    # Criterion 2 does not count: (3*4 + 1*3) / 4 = 3.75
    assert db.session.scalar(select(Review.composite)) == Decimal("3.75")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"recommendation": "maybe"}, "Choose one of the recommendations."),
        (
            {"recommendation": "recommend", "criterion_X": "9"},
            "Choose one of the levels of Criterion 1.",
        ),
    ],
)
def test_bad_values_are_refused_without_a_500(client, scoring, fields, message):
    login(client, scoring.first)
    data = _levels(scoring, "4", "4", "4") | fields
    if "criterion_X" in data:
        data[f"criterion_{scoring.c1}"] = data.pop("criterion_X")
    response = _post(client, scoring, **data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_edit_after_submit_until_the_round_closes(client, scoring):
    login(client, scoring.first)
    _post(client, scoring, **_levels(scoring, "4", "5", "3"), recommendation="recommend")
    edited = _post(
        client,
        scoring,
        version="1",
        **_levels(scoring, "2", "2", "2"),
        recommendation="with_reservations",
    )
    assert edited.status_code == 302
    review = db.session.scalar(select(Review))
    assert (review.state, review.composite, review.version) == (
        ReviewState.SUBMITTED,
        Decimal("2.00"),
        2,
    )
    back_to_draft = _post(
        client,
        scoring,
        action="draft",
        version="2",
        **_levels(scoring, "2", "2", "2"),
        recommendation="recommend",
    )
    assert back_to_draft.status_code == 302
    assert db.session.scalar(select(Review.state)) is ReviewState.SUBMITTED
    scoring.review_round.phase = Phase.CLOSED
    closed = _post(
        client, scoring, version="3", **_levels(scoring, "5", "5", "5"), recommendation="recommend"
    )
    assert closed.status_code == 400
    assert "The round is closed: reviews can no longer be saved or changed." in closed.get_data(
        as_text=True
    )
    assert db.session.scalar(select(Review.composite)) == Decimal("2.00")
    page = client.get(f"/reviews/assignments/{scoring.mine.id}").get_data(as_text=True)
    assert "Submit review" not in page and "Save changes" not in page
    assert "Recommend</dd>" in page


def test_stale_edit_is_refused_and_keeps_what_was_typed(app, scoring):
    one, two = (login(app.test_client(), scoring.first) for _ in range(2))
    _post(one, scoring, action="draft", comments="First tab")
    # The second tab was opened before the first saved: it carries no version.
    stale = _post(two, scoring, action="draft", comments="Second tab")
    page = stale.get_data(as_text=True)
    assert stale.status_code == 400
    assert "This review was saved from another window after you opened it." in page
    assert "Second tab</textarea>" in page
    assert db.session.scalar(select(Review.comments)) == "First tab"


def test_concurrent_saves_of_one_version_keep_exactly_one(app, scoring):
    _post(login(app.test_client(), scoring.first), scoring, action="draft", comments="v1")
    db.session.commit()
    clients = [
        login(FlaskClient(app, app.response_class, use_cookies=True), scoring.first)
        for _ in range(4)
    ]
    url = f"/reviews/assignments/{scoring.mine.id}"
    barrier = threading.Barrier(len(clients))
    statuses: list[int] = []

    def save(client, n):
        barrier.wait()
        response = client.post(
            url, data={"action": "draft", "version": "1", "comments": f"tab {n}"}
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=save, args=(c, n)) for n, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [302, 400, 400, 400]
    db.session.rollback()
    review = db.session.scalar(select(Review))
    assert review.version == 2 and review.comments.startswith("tab ")


def test_an_edit_and_a_first_review_submitted_at_once_both_land_and_score_the_application(
    app, scoring
):
    # The edit takes no lock on the round before it saves; the first review of the second
    # reviewer does. Both then update the application's first-scored time: neither may
    # deadlock the other, and the time is the earliest of the two submissions.
    fields = _levels(scoring, "4", "5", "3") | {"recommendation": "recommend"}
    first = login(FlaskClient(app, app.response_class, use_cookies=True), scoring.first)
    assert _post(first, scoring, **fields).status_code == 302
    second = login(FlaskClient(app, app.response_class, use_cookies=True), scoring.second)
    posts = [
        (first, f"/reviews/assignments/{scoring.mine.id}", "1"),
        (second, f"/reviews/assignments/{scoring.theirs.id}", ""),
    ]
    barrier = threading.Barrier(len(posts))
    statuses: list[int] = []

    def submit(client, url, version):
        barrier.wait()
        data = {"action": "submit", "version": version, "comments": "", **fields}
        statuses.append(client.post(url, data=data).status_code)

    threads = [threading.Thread(target=submit, args=post) for post in posts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [302, 302]
    db.session.rollback()
    earliest = min(db.session.scalars(select(ReviewAssignment.submitted_at)))
    assert db.session.get(Application, scoring.application.id).scored_at == earliest


def test_no_peeking_before_submitting_then_peers_and_discussion_open(app, scoring):
    first = login(app.test_client(), scoring.first)
    second = login(app.test_client(), scoring.second)
    _post(
        first,
        scoring,
        **_levels(scoring, "4", "5", "3"),
        recommendation="recommend",
        comments="Excellent letters",
    )
    waiting = second.get(f"/reviews/assignments/{scoring.theirs.id}").get_data(as_text=True)
    assert "Excellent letters" not in waiting and "4.17" not in waiting
    assert "once you have submitted your own" in waiting
    refused = second.post(
        f"/reviews/assignments/{scoring.theirs.id}/discussion", data={"body": "Hi"}
    )
    assert refused.status_code == 403
    posted = first.post(
        f"/reviews/assignments/{scoring.mine.id}/discussion", data={"body": "Strong applicant."}
    )
    assert posted.status_code == 302
    assert "Strong applicant." not in second.get(
        f"/reviews/assignments/{scoring.theirs.id}"
    ).get_data(as_text=True)
    _post(
        second,
        scoring,
        assignment=scoring.theirs,
        **_levels(scoring, "3", "3", "3"),
        recommendation="recommend",
    )
    page = second.get(f"/reviews/assignments/{scoring.theirs.id}").get_data(as_text=True)
    assert "Dr. First: composite 4.17, Recommend" in page
    assert "Excellent letters" in page and "Strong applicant." in page


def test_director_who_reviews_sees_scores_only_after_their_own(client, scoring):
    own = factories.make_assignment(scoring.review_round, scoring.application, scoring.director)
    factories.make_review(scoring.mine, scoring.rubric, [4, 5, 3], comments="Hidden remark")
    login(client, scoring.director)
    ranking = client.get("/departments/em/reviews/ranking").get_data(as_text=True)
    assert "Hidden until you submit your own review" in ranking and "4.17" not in ranking
    page = client.get(f"/departments/em/reviews/applications/{scoring.application.id}").get_data(
        as_text=True
    )
    assert "Hidden remark" not in page and "4.17" not in page
    assert "The discussion opens to you once you have submitted your own review." in page
    factories.make_review(own, scoring.rubric, [3, 3, 3])
    ranking = client.get("/departments/em/reviews/ranking").get_data(as_text=True)
    assert "Hidden until you submit" not in ranking and "<td>3.59</td>" in ranking


def test_draft_keeps_its_rubric_version_when_a_new_one_is_saved(client, scoring):
    factories.make_review(scoring.mine, scoring.rubric, [4], submitted=False)
    newer = factories.make_rubric(scoring.review_round, weights=(1, 1))
    login(client, scoring.first)
    page = client.get(f"/reviews/assignments/{scoring.mine.id}").get_data(as_text=True)
    assert "version 1" in page and f"criterion_{scoring.c3}" in page
    login(client, scoring.second)
    page = client.get(f"/reviews/assignments/{scoring.theirs.id}").get_data(as_text=True)
    assert "version 2" in page and f"criterion_{newer.criteria[1].id}" in page


def test_no_rubric_yet_says_so(client, scoring):
    other_round_application = factories.make_applicant(scoring.department, scoring.cycle)
    db.session.delete(scoring.rubric)
    assignment = factories.make_assignment(
        scoring.review_round, other_round_application, scoring.first
    )
    login(client, scoring.first)
    page = client.get(f"/reviews/assignments/{assignment.id}").get_data(as_text=True)
    assert "The rubric is not ready yet" in page


def test_someone_elses_or_missing_assignment_is_forbidden(client, scoring):
    login(client, scoring.second)
    for url in (f"/reviews/assignments/{scoring.mine.id}", "/reviews/assignments/99999"):
        response = client.get(url)
        assert response.status_code == 403
        assert "This review is not assigned to you." in response.get_data(as_text=True)


def test_an_application_is_scored_from_its_first_submitted_review_until_none_remains(app, scoring):
    from clerkship.reviews.assignment.services import remove_assignment
    from clerkship.reviews.reviewing.services import save_review

    levels = {scoring.c1: 4, scoring.c2: 5, scoring.c3: 3}

    def submit(assignment, reviewer, version=None):
        save_review(
            assignment,
            levels=levels,
            recommendation=Recommendation.RECOMMEND,
            comments="",
            version=version,
            submit=True,
            by=reviewer,
        )
        db.session.commit()

    def scored_at():
        db.session.expire_all()
        return db.session.get(Application, scoring.application.id).scored_at

    version = scoring.application.version
    save_review(
        scoring.mine,
        levels={scoring.c1: 4},
        recommendation=None,
        comments="",
        version=None,
        submit=False,
        by=scoring.first,
    )
    assert scored_at() is None  # a draft scores nothing
    submit(scoring.mine, scoring.first, version=1)
    first = scoring.mine.submitted_at
    assert first is not None and scored_at() == first
    submit(scoring.theirs, scoring.second)
    assert scored_at() == first  # the earliest stays
    remove_assignment(scoring.mine, by=scoring.director, reason="Left the faculty.")
    db.session.commit()
    assert scored_at() == db.session.get(ReviewAssignment, scoring.theirs.id).submitted_at
    remove_assignment(
        db.session.get(ReviewAssignment, scoring.theirs.id), by=scoring.director, reason="Moved."
    )
    db.session.commit()
    assert scored_at() is None
    # Only the state change the first review made moved the application's version: a
    # staff form opened on it meanwhile is not made stale by the score.
    assert db.session.get(Application, scoring.application.id).version == version + 1
