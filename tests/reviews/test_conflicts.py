"""Conflicts: declared, same school, letter writer; declaring one takes the reviewer off."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from clerkship.accounts.models import Role
from clerkship.applications.models import ApplicationState
from clerkship.core.rules import RuleViolation
from clerkship.extensions import db
from clerkship.reviews.assignment.conflicts import (
    ConflictKind,
    FoundConflict,
    find_conflicts,
    match_letter_writers,
    match_schools,
    normalize_school,
)
from clerkship.reviews.assignment.services import assign_automatically
from clerkship.reviews.models import Conflict, ReviewerProfile
from clerkship.reviews.records import ReviewAssignment
from clerkship.reviews.reviewing.services import declare_conflict_with
from clerkship.reviews.rounds.services import declare_conflict
from tests import factories
from tests.conftest import login


def test_normalize_school_ignores_case_punctuation_and_spaces():
    assert (
        normalize_school("  Keck School of Medicine of U.S.C. ")
        == "keck school of medicine of u s c"
    )
    assert normalize_school("Charles R. Drew University") == normalize_school(
        "charles r drew  UNIVERSITY"
    )


def test_match_schools_pairs_reviewers_with_applicants_of_their_schools():
    reviewers = {1: ["Howard University College of Medicine", "Keck"], 2: [""], 3: ["keck"]}
    applicants = {10: "KECK", 11: "Howard University College of Medicine.", 12: "", 13: "UC Davis"}
    assert match_schools(reviewers, applicants) == [
        (1, 10, "KECK"),
        (1, 11, "Howard University College of Medicine."),
        (3, 10, "KECK"),
    ]


def test_match_letter_writers_by_email_without_case():
    reviewers = {1: "dr.obi@keck.example.edu", 2: "dr.feld@keck.example.edu"}
    writers = [
        (10, " Dr.Obi@Keck.example.edu"),
        (11, "someone@else.edu"),
        (12, None),
        (10, "dr.obi@keck.example.edu"),
    ]
    assert match_letter_writers(reviewers, writers) == [(1, 10)]


@pytest.fixture
def people(app):
    cycle = factories.make_cycle()
    department = factories.make_department()
    reviewer = factories.make_reviewer(
        department, email="dr.obi@keck.example.edu", schools="Keck School of Medicine of USC"
    )
    return cycle, department, reviewer


def test_find_conflicts_from_every_source(app, people):
    cycle, department, reviewer = people
    declared = factories.make_applicant(department, cycle)
    same_school = factories.make_applicant(
        department, cycle, school="keck school of medicine of usc"
    )
    letter = factories.make_applicant(department, cycle)
    free = factories.make_applicant(department, cycle)
    declare_conflict(
        reviewer, student_email=declared.student.email.upper(), reason="My niece", by=reviewer
    )
    # The reviewer wrote one student's letter (the letters feature knows it by email).
    factories.make_letter(letter.student, cycle, writer_email="dr.obi@keck.example.edu")
    subjects = {a.id: a.student_id for a in (declared, same_school, letter, free)}
    found = find_conflicts([reviewer.id], subjects)
    assert dict(found) == {
        (reviewer.id, declared.id): [
            FoundConflict(reviewer.id, declared.id, ConflictKind.DECLARED, "Declared: My niece")
        ],
        (reviewer.id, same_school.id): [
            FoundConflict(
                reviewer.id,
                same_school.id,
                ConflictKind.SCHOOL,
                "Same school: keck school of medicine of usc",
            )
        ],
        (reviewer.id, letter.id): [
            FoundConflict(
                reviewer.id, letter.id, ConflictKind.LETTER, "Wrote a letter of recommendation"
            )
        ],
    }


def test_letter_writer_is_never_assigned(app, people):
    cycle, department, reviewer = people
    other = factories.make_reviewer(department)
    director = factories.make_user((Role.DIRECTOR, department))
    department.reviewers_per_application = 1
    review_round = factories.make_review_round(department, cycle)
    applications = [factories.make_applicant(department, cycle) for _ in range(4)]
    written = {applications[0].id, applications[1].id}
    for application in applications[:2]:
        factories.make_letter(application.student, cycle, writer_email="dr.obi@keck.example.edu")
    assign_automatically(review_round, due_on=None, by=director)
    pairs = db.session.execute(
        select(ReviewAssignment.application_id, ReviewAssignment.reviewer_id)
    ).all()
    assert sorted(pairs) == sorted(
        [(a, other.id) for a in written]
        + [(a.id, reviewer.id) for a in applications if a.id not in written]
    )


def test_declare_conflict_refuses_bad_email_and_empty_reason(app, people):
    _, _, reviewer = people
    with pytest.raises(RuleViolation) as bad:
        declare_conflict(reviewer, student_email="not an email", reason="x", by=reviewer)
    assert (bad.value.message, bad.value.field) == (
        "Enter the applicant's email address.",
        "student_email",
    )
    with pytest.raises(RuleViolation) as empty:
        declare_conflict(reviewer, student_email="a@b.edu", reason="   ", by=reviewer)
    assert (empty.value.message, empty.value.field) == (
        "Say briefly why (it is shown to directors).",
        "reason",
    )


def test_declare_conflict_with_takes_reviewer_off_their_assignments(app, people):
    cycle, department, reviewer = people
    review_round = factories.make_review_round(department, cycle)
    rubric = factories.make_rubric(review_round)
    application = factories.make_applicant(department, cycle)
    assignment = factories.make_assignment(review_round, application, reviewer)
    factories.make_review(assignment, rubric, [3, 3, 3])
    withdrawn = declare_conflict_with(
        reviewer, student_email=application.student.email, reason="Advisee", by=reviewer
    )
    assert withdrawn == 1
    assert db.session.scalar(select(ReviewAssignment)) is None
    conflict = db.session.scalar(select(Conflict))
    assert (conflict.student_email, conflict.reason) == (application.student.email, "Advisee")


def test_reviewer_withdraws_from_the_review_page(client, people):
    cycle, department, reviewer = people
    review_round = factories.make_review_round(department, cycle)
    factories.make_rubric(review_round)
    application = factories.make_applicant(department, cycle)
    assignment_id = factories.make_assignment(review_round, application, reviewer).id
    login(client, reviewer)
    response = client.post(
        f"/reviews/assignments/{assignment_id}/withdraw", data={"reason": "I advise this student"}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/reviews/"
    assert db.session.scalar(select(ReviewAssignment)) is None
    assert client.get(f"/reviews/assignments/{assignment_id}").status_code == 403


def test_profile_saves_schools_and_lists_conflicts(client, people):
    _, _, reviewer = people
    login(client, reviewer)
    empty = client.get("/reviews/profile").get_data(as_text=True)
    assert "<p>You have declared no conflict.</p>" in empty and "None" not in empty
    saved = client.post(
        "/reviews/profile",
        data={"schools": "  Keck  School\n\nUC Davis\nKeck School", "version": "1"},
    )
    assert saved.status_code == 302
    assert db.session.get(ReviewerProfile, reviewer.id).schools == "Keck School\nUC Davis"
    declared = client.post(
        "/reviews/profile/conflicts",
        data={"student_email": "Cousin@Example.edu", "reason": "My cousin"},
    )
    assert declared.status_code == 302
    page = client.get("/reviews/profile").get_data(as_text=True)
    assert "cousin@example.edu: My cousin" in page


def test_profile_stale_version_keeps_what_was_typed(client, people):
    _, _, reviewer = people
    login(client, reviewer)
    response = client.post("/reviews/profile", data={"schools": "Howard", "version": "7"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "changed in another window" in page
    assert "Howard</textarea>" in page


def test_reviewer_cannot_remove_someone_elses_conflict(client, people):
    _cycle, department, reviewer = people
    other = factories.make_reviewer(department)
    conflict = declare_conflict(other, student_email="x@y.edu", reason="Friend", by=other)
    login(client, reviewer)
    assert client.post(f"/reviews/profile/conflicts/{conflict.id}/delete").status_code == 403
    assert client.post("/reviews/profile/conflicts/99999/delete").status_code == 403
    assert db.session.get(Conflict, conflict.id) is not None


@pytest.mark.parametrize(
    ("state", "told"),
    [
        (
            ApplicationState.UNDER_REVIEW,
            "You declared a conflict and no longer review this application; the directors "
            "will assign someone else.",
        ),
        (
            ApplicationState.NOT_SELECTED,
            "You declared a conflict and no longer review this application. This application "
            "is already decided; your declaration is recorded.",
        ),
    ],
)
def test_conflict_on_a_decided_application_is_recorded_not_reassigned(client, people, state, told):
    cycle, department, reviewer = people
    review_round = factories.make_review_round(department, cycle)
    factories.make_rubric(review_round)
    application = factories.make_applicant(department, cycle)
    assignment_id = factories.make_assignment(review_round, application, reviewer).id
    application.state = state
    db.session.commit()
    login(client, reviewer)
    page = client.get(f"/reviews/assignments/{assignment_id}").get_data(as_text=True)
    already = "This application is already decided; your declaration is recorded."
    assert (already in page) is (state is ApplicationState.NOT_SELECTED)
    response = client.post(
        f"/reviews/assignments/{assignment_id}/withdraw",
        data={"reason": "I advise this student"},
        follow_redirects=True,
    )
    assert told in response.get_data(as_text=True)
    conflict = db.session.scalar(select(Conflict))
    assert (conflict.student_email, conflict.reason) == (
        application.student.email,
        "I advise this student",
    )
