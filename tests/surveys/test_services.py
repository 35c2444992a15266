"""The rotation survey's rules: answered once, stored without names, shown from 5 answers."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import func, inspect, select

from clerkship.accounts.models import Role
from clerkship.core.rules import RuleViolation
from clerkship.core.time import local_today
from clerkship.extensions import db
from clerkship.outbox.models import OutboxMessage
from clerkship.rotations import services as rotation_services
from clerkship.surveys import queries, services
from clerkship.surveys.models import QuestionKind, SurveyAnswered, SurveyResponse
from clerkship.surveys.queries import QuestionSpec
from tests.factories import make_block, make_placed_student, make_rotation_record, make_user
from tests.surveys.conftest import answer, completed

pytestmark = pytest.mark.usefixtures("app")


def _results(block, **kwargs):
    department = block.rotation.department
    (result,) = [r for r in queries.results(department, block.cycle, **kwargs)]
    return result


def test_four_answers_show_nothing_and_five_show_aggregates():
    block = make_block(capacity=10, reserved=0)
    records = [completed(block, f"Student {i}") for i in range(5)]
    for record, rating in zip(records[:4], [5, 4, 4, 2], strict=True):
        answer(record, rating=rating, comment="Great team")
    four = _results(block)
    assert (four.answers, four.shown, four.versions) == (4, False, [])
    answer(records[4], rating=5)
    five = _results(block)
    assert (five.answers, five.shown) == (5, True)
    (version,) = five.versions
    teaching = version.questions[0]
    assert teaching.counts == {1: 0, 2: 1, 3: 0, 4: 2, 5: 2}
    assert teaching.mean == pytest.approx(4.0)
    assert version.questions[-1].comments == ["Great team"] * 4


def test_comments_come_without_names_in_an_order_that_is_not_the_submission_order():
    block = make_block(capacity=10, reserved=0)
    records = [completed(block, f"Named Student {i}") for i in range(6)]
    submitted = [f"Comment number {i}" for i in range(6)]
    for record, comment in zip(records, submitted, strict=True):
        answer(record, comment=comment)
    comments = _results(block, rng=random.Random(7)).versions[0].questions[-1].comments
    assert sorted(comments) == sorted(submitted)
    assert comments != submitted
    assert not any("Named Student" in c for c in comments)
    # Shuffled per view: another view (another draw) shows another order.
    again = _results(block, rng=random.Random(8)).versions[0].questions[-1].comments
    assert again != comments


def test_a_response_row_cannot_name_the_student():
    columns = {c.key for c in inspect(SurveyResponse).columns}
    assert columns == {"id", "form_id", "rotation_id", "cycle_id"}
    block = make_block(capacity=10, reserved=0)
    first, second = completed(block, "A"), completed(block, "B")
    answer(second)
    answer(first)
    keys = db.session.scalars(select(SurveyResponse.id)).all()
    assert all(len(key) == 32 for key in keys)  # random keys, not a sequence


def test_a_second_submit_stores_nothing_twice():
    record = completed(make_block(capacity=10, reserved=0), "Rosa Diaz")
    answer(record)
    with pytest.raises(RuleViolation, match="already answered"):
        answer(record)
    assert db.session.scalar(select(func.count()).select_from(SurveyResponse)) == 1
    assert db.session.scalar(select(func.count()).select_from(SurveyAnswered)) == 1


def test_an_empty_survey_or_a_rating_off_the_scale_is_refused():
    record = completed(make_block(capacity=10, reserved=0), "Rosa Diaz")
    student = record.placement.application.student
    with pytest.raises(RuleViolation, match="at least one"):
        services.submit_survey(record, form_number=0, ratings={}, texts={4: "  "}, by=student)
    with pytest.raises(RuleViolation, match="from 1 to 5"):
        services.submit_survey(record, form_number=0, ratings={0: 9}, texts={}, by=student)
    assert not queries.is_answered(record)


def test_only_the_rotations_student_answers():
    record = completed(make_block(capacity=10, reserved=0), "Rosa Diaz")
    other = completed(make_block(capacity=10, reserved=0), "Other").placement.application.student
    with pytest.raises(RuleViolation, match="Only the student"):
        services.submit_survey(record, form_number=0, ratings={0: 3}, texts={}, by=other)


def test_new_questions_make_a_new_version_and_earlier_answers_keep_theirs():
    block = make_block(capacity=10, reserved=0)
    department = block.rotation.department
    director = make_user((Role.DIRECTOR, department))
    records = [completed(block, f"S{i}") for i in range(6)]
    for record in records[:5]:
        answer(record)
    assert queries.current_form(department).number == 1  # the default set, saved on use
    services.save_questions(
        department,
        [QuestionSpec(QuestionKind.RATING, "Clear expectations were set.")],
        by=director,
        based_on=1,
    )
    with pytest.raises(RuleViolation, match="changed its questions"):
        answer(records[5], form_number=1)
    answer(records[5], form_number=2)
    result = _results(block)
    assert result.answers == 6
    assert [v.number for v in result.versions] == [1]  # version 2 has 1 answer: hidden
    assert result.versions_hidden is True
    assert result.versions[0].questions[0].prompt == queries.DEFAULT_QUESTIONS[0].prompt


def test_saving_questions_from_a_stale_page_is_refused():
    block = make_block(capacity=10, reserved=0)
    department = block.rotation.department
    director = make_user((Role.DIRECTOR, department))
    spec = [QuestionSpec(QuestionKind.TEXT, "What should we change?")]
    services.save_questions(department, spec, by=director, based_on=0)
    with pytest.raises(RuleViolation, match="Someone else saved"):
        services.save_questions(department, spec, by=director, based_on=0)


def test_completion_asks_the_student_once():
    ends_on = local_today() - timedelta(days=1)
    block = make_block(starts_on=ends_on - timedelta(days=27), ends_on=ends_on)
    application, placement = make_placed_student(block)
    record = make_rotation_record(placement)
    coordinator = make_user((Role.COORDINATOR, application.department))
    rotation_services.record_completion(record, by=coordinator, today=local_today())
    assert services.invite_to_survey(record) is False
    sent = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.template == services.INVITATION)
    ).all()
    assert [m.to_address for m in sent] == [application.student.email]
    assert f"/my/rotation-surveys/{record.id}" in sent[0].body_text
    assert sent[0].body_text.count("http://") + sent[0].body_text.count("https://") == 1
