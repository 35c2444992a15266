"""Eligibility at submission: each rule alone, each named to the student; switched-off rules skipped."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from clerkship.applications.models import Accreditation, ApplicationState, ExamResult
from clerkship.awards.eligibility import TRUTHFUL, Failure, Rule, count_words
from clerkship.awards.models import AwardState
from clerkship.awards.services import EligibilityRefused, submit_award_application
from clerkship.core.time import local_today
from clerkship.cycles.models import AwardTiming
from clerkship.documents.models import DocumentKind
from clerkship.documents.queries import current_document
from clerkship.extensions import db
from tests.awards.helpers import ready_student

pytestmark = pytest.mark.usefixtures("app")


def _refusal(ready) -> list[Failure]:
    with pytest.raises(EligibilityRefused) as refused:
        submit_award_application(ready.award, today=local_today(), by=ready.student)
    return refused.value.failures


def _unattest(ready, code: str) -> None:
    ready.award.attestations = [c for c in ready.award.attestations if c != code]


def test_eligible_student_submits():
    ready = ready_student()
    submit_award_application(ready.award, today=local_today(), by=ready.student)
    assert ready.award.state is AwardState.SUBMITTED
    assert (
        ready.award.cv_document_id
        == current_document(ready.student, ready.cycle, DocumentKind.CV).id
    )


def test_fourth_year_fails_on_a_late_graduation():
    ready = ready_student()
    late = date(ready.cycle.rotations_end_on.year + 3, 5, 20)
    ready.profile.expected_graduation = late
    latest = ready.cycle.rotations_end_on + timedelta(days=366)
    assert _refusal(ready) == [
        Failure(
            "Fourth-year student",
            f"your profile gives your expected graduation as {late:%b %-d, %Y}; fourth-year "
            f"students in this cycle graduate between {ready.cycle.rotations_start_on:%b %-d, %Y} "
            f"and {latest:%b %-d, %Y}.",
        )
    ]


def test_fourth_year_fails_without_graduation_date_or_attestation():
    ready = ready_student()
    ready.profile.expected_graduation = None
    _unattest(ready, Rule.FOURTH_YEAR.value)
    assert _refusal(ready) == [
        Failure(
            "Fourth-year student",
            "add your expected graduation date to your profile; tick the statement that you "
            "meet this requirement.",
            "attestations",
        )
    ]


def test_good_standing_fails_without_attestation():
    ready = ready_student()
    _unattest(ready, Rule.GOOD_STANDING.value)
    assert _refusal(ready) == [
        Failure(
            "In good standing",
            "tick the statement that you meet this requirement.",
            "attestations",
        )
    ]


def test_accredited_school_fails_without_lcme_or_coca():
    ready = ready_student()
    ready.profile.accreditation = None
    assert _refusal(ready) == [
        Failure(
            "LCME or COCA school",
            "your profile must give your school's accreditation (LCME or COCA).",
        )
    ]


def test_coca_school_is_accredited():
    ready = ready_student()
    ready.profile.accreditation = Accreditation.COCA
    submit_award_application(ready.award, today=local_today(), by=ready.student)
    assert ready.award.state is AwardState.SUBMITTED


def test_core_clerkships_fails_without_attestation():
    ready = ready_student()
    _unattest(ready, Rule.CORE_CLERKSHIPS.value)
    assert _refusal(ready) == [
        Failure(
            "Core clerkships completed",
            "tick the statement that you meet this requirement.",
            "attestations",
        )
    ]


@pytest.mark.parametrize(
    ("step1", "level1", "passes"),
    [
        (ExamResult.NOT_TAKEN, ExamResult.NOT_TAKEN, False),
        (ExamResult.FAIL, ExamResult.NOT_TAKEN, False),
        (ExamResult.NOT_TAKEN, ExamResult.PASS, True),
        (ExamResult.PASS, ExamResult.FAIL, True),
    ],
)
def test_step1_or_level1_must_be_passed(step1, level1, passes):
    ready = ready_student()
    ready.profile.usmle_step1 = step1
    ready.profile.comlex_level1 = level1
    if passes:
        submit_award_application(ready.award, today=local_today(), by=ready.student)
        assert ready.award.state is AwardState.SUBMITTED
    else:
        assert _refusal(ready) == [
            Failure(
                "USMLE Step 1 or COMLEX-USA Level 1 passed",
                "your profile shows neither USMLE Step 1 nor COMLEX-USA Level 1 as passed.",
            )
        ]


@pytest.mark.parametrize("rule", list(Rule))
def test_switched_off_rule_is_not_checked(rule):
    ready = ready_student()
    ready.settings.rules = [r.value for r in Rule if r is not rule]
    ready.profile.expected_graduation = None
    ready.profile.accreditation = None
    ready.profile.usmle_step1 = ExamResult.NOT_TAKEN
    ready.award.attestations = [TRUTHFUL]
    names = [failure.name for failure in _refusal(ready)]
    assert rule.label not in names
    assert len(names) == len(Rule) - 1


def test_every_failed_rule_is_named_at_once():
    ready = ready_student()
    ready.profile.accreditation = None
    ready.profile.usmle_step1 = ExamResult.NOT_TAKEN
    ready.award.attestations = []
    ready.award.essay = ""
    assert [f.name for f in _refusal(ready)] == [
        "Essay",
        "Fourth-year student",
        "In good standing",
        "LCME or COCA school",
        "Core clerkships completed",
        "USMLE Step 1 or COMLEX-USA Level 1 passed",
        "Truthfulness",
    ]


def test_missing_profile_fails_every_profile_rule():
    ready = ready_student()
    db.session.delete(ready.profile)
    db.session.flush()
    assert [f.name for f in _refusal(ready)] == [
        "Fourth-year student",
        "LCME or COCA school",
        "USMLE Step 1 or COMLEX-USA Level 1 passed",
    ]


def test_essay_over_the_limit_is_counted_on_the_server():
    ready = ready_student()
    ready.settings.essay_word_limit = 50
    ready.award.essay = " ".join(["word"] * 51)
    assert _refusal(ready) == [
        Failure("Essay", "your essay has 51 words; the limit is 50.", "essay")
    ]


def test_missing_cv_is_named():
    ready = ready_student()
    current_document(
        ready.student, ready.cycle, DocumentKind.CV
    ).replaced_at = ready.cycle.created_at
    db.session.flush()
    assert _refusal(ready) == [
        Failure("CV", "upload your CV with your rotation applications; the award reuses it.")
    ]


def test_deadline_passed_is_named():
    ready = ready_student()
    day_after = ready.settings.deadline + timedelta(days=1)
    with pytest.raises(EligibilityRefused) as refused:
        submit_award_application(ready.award, today=day_after, by=ready.student)
    assert refused.value.failures == [
        Failure("Deadline", f"award applications closed on {ready.settings.deadline:%b %-d, %Y}.")
    ]


def test_truthfulness_attestation_is_required():
    ready = ready_student()
    _unattest(ready, TRUTHFUL)
    assert _refusal(ready) == [
        Failure("Truthfulness", "tick the statement that your answers are true.", "attestations")
    ]


def test_after_acceptance_department_needs_an_accepted_offer():
    ready = ready_student()
    ready.department.award_timing = AwardTiming.AFTER_ACCEPTANCE
    ready.application.state = ApplicationState.SUBMITTED
    assert _refusal(ready) == [
        Failure(
            "Rotation application",
            f"{ready.department.name} considers award applications only after you accept its "
            "rotation offer; your application is submitted.",
            "application_id",
        )
    ]
    ready.application.state = ApplicationState.ACCEPTED
    submit_award_application(ready.award, today=local_today(), by=ready.student)
    assert ready.award.state is AwardState.SUBMITTED


def test_withdrawn_rotation_application_cannot_carry_the_award():
    ready = ready_student()
    ready.application.state = ApplicationState.WITHDRAWN
    assert _refusal(ready) == [
        Failure(
            "Rotation application",
            f"your {ready.department.name} application is withdrawn; choose an application "
            "that is still open.",
            "application_id",
        )
    ]


@pytest.mark.parametrize(
    ("text", "words"), [("", 0), ("one", 1), ("  two\nwords  ", 2), ("a-b c,d\te", 3)]
)
def test_count_words(text, words):
    assert count_words(text) == words
