"""The rotation survey's pages: the student answers once; staff see aggregates from 5 answers."""

from __future__ import annotations

from sqlalchemy import func, select

from clerkship.accounts.models import Role
from clerkship.extensions import db
from clerkship.surveys import queries as survey_queries
from clerkship.surveys.models import SurveyResponse
from tests.conftest import login
from tests.factories import make_block, make_rotation, make_user
from tests.home.conftest import panel
from tests.surveys.conftest import answer, completed


def _block(**kwargs):
    return make_block(capacity=10, reserved=0, **kwargs)


def _results_url(block) -> str:
    return (
        f"/departments/{block.rotation.department.slug}/rotation-surveys?cycle={block.cycle.slug}"
    )


def test_student_answers_from_the_start_page_once(client):
    record = completed(_block(), "Rosa Diaz")
    login(client, record.placement.application.student)
    start = client.get("/").get_data(as_text=True)
    assert "Tell us about your rotation in" in panel(start, "answer")
    url = f"/my/rotation-surveys/{record.id}"
    assert f'href="{url}"' in start
    page = client.get(url).get_data(as_text=True)
    assert survey_queries.DEFAULT_QUESTIONS[0].prompt in page
    data = {"shown": "0", "q0": "5", "q4": "Loved the night shifts."}
    response = client.post(url, data=data)
    assert response.status_code == 302
    again = client.post(url, data=data, follow_redirects=True).get_data(as_text=True)
    assert "already answered" in again
    assert db.session.scalar(select(func.count()).select_from(SurveyResponse)) == 1
    assert "Tell us about your rotation" not in panel(
        client.get("/").get_data(as_text=True), "answer"
    )


def test_bad_answer_keeps_what_was_typed_next_to_its_error(client):
    record = completed(_block(), "Rosa Diaz")
    login(client, record.placement.application.student)
    url = f"/my/rotation-surveys/{record.id}"
    response = client.post(url, data={"shown": "0", "q0": "9", "q4": "Kept comment"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Kept comment" in page
    assert 'id="q0-error"' in page
    empty = client.post(url, data={"shown": "0"}).get_data(as_text=True)
    assert "Answer at least one question." in empty
    garbled = client.post(url, data={"shown": "x", "q0": "3"})
    assert garbled.status_code == 200
    assert db.session.scalar(select(func.count()).select_from(SurveyResponse)) == 0


def test_director_sees_the_notice_below_five_and_aggregates_from_five(client):
    block = _block()
    director = make_user((Role.DIRECTOR, block.rotation.department))
    records = [completed(block, f"Hidden Name{i}") for i in range(5)]
    for record in records[:4]:
        answer(record, rating=4, comment="Friendly residents")
    login(client, director)
    page = client.get(_results_url(block)).get_data(as_text=True)
    assert "Results appear once 5 students have answered; fewer than 5 so far." in page
    assert "4 students" not in page
    assert "Friendly residents" not in page
    answer(records[4], rating=2)
    db.session.commit()
    page = client.get(_results_url(block)).get_data(as_text=True)
    assert "5 students answered." in page
    assert "Mean 3.6 of 5, 5 rated." in page
    assert page.count("<li>Friendly residents</li>") == 4
    assert "Hidden Name" not in page


def test_results_page_reads_the_same_statements_with_more_rotations_and_answers(client, queries):
    block = _block()
    department = block.rotation.department
    director = make_user((Role.DIRECTOR, department))

    def grow(rotations: int):
        for _ in range(rotations):
            other = _block(rotation=make_rotation(department), cycle=block.cycle)
            for i in range(5):
                answer(completed(other, f"S{i}"), comment=f"c{i}")
        db.session.commit()

    grow(1)
    login(client, director)
    client.get(_results_url(block))
    with queries() as few:
        assert client.get(_results_url(block)).status_code == 200
    grow(3)
    with queries() as many:
        assert client.get(_results_url(block)).status_code == 200
    assert many.count == few.count


def test_director_edits_the_questions_and_errors_keep_what_was_typed(client):
    block = _block()
    department = block.rotation.department
    login(client, make_user((Role.DIRECTOR, department)))
    url = f"/departments/{department.slug}/rotation-surveys/questions"
    page = client.get(url).get_data(as_text=True)
    assert survey_queries.DEFAULT_QUESTIONS[1].prompt in page
    long = "x" * 301
    bad = client.post(
        url, data={"based_on": "0", "kind_0": "text", "prompt_0": "Kept?", "prompt_1": long}
    )
    assert bad.status_code == 200
    assert 'value="Kept?"' in bad.get_data(as_text=True)
    assert 'id="prompt_1-error"' in bad.get_data(as_text=True)
    data = {"based_on": "0", "kind_0": "text", "prompt_0": "What should we change?"}
    assert client.post(url, data=data).status_code == 302
    current = survey_queries.current_form(department)
    assert [(q.kind.value, q.prompt) for q in current.questions] == [
        ("text", "What should we change?")
    ]
    stale = client.post(url, data=data).get_data(as_text=True)
    assert "Someone else saved the questions" in stale
    garbled = client.post(url, data={"based_on": "0", "kind_0": "nope", "prompt_0": "Q"})
    assert garbled.status_code == 200


def test_answers_to_questions_changed_meanwhile_are_asked_again(client):
    from clerkship.surveys import services
    from clerkship.surveys.models import QuestionKind
    from clerkship.surveys.queries import QuestionSpec

    record = completed(_block(), "Rosa Diaz")
    department = record.placement.application.department
    login(client, record.placement.application.student)
    services.save_questions(
        department,
        [QuestionSpec(QuestionKind.TEXT, "What surprised you?")],
        by=make_user((Role.DIRECTOR, department)),
        based_on=0,
    )
    db.session.commit()
    url = f"/my/rotation-surveys/{record.id}"
    page = client.post(url, data={"shown": "0", "q0": "5"}).get_data(as_text=True)
    assert "changed its questions after you opened the page" in page
    assert "What surprised you?" in page
    assert db.session.scalar(select(func.count()).select_from(SurveyResponse)) == 0
    assert client.post(url, data={"shown": "1", "q0": "The pace."}).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(SurveyResponse)) == 1


def test_hostile_input_is_refused_next_to_the_field_not_a_500(client):
    record = completed(_block(), "Rosa Diaz")
    department = record.placement.application.department
    login(client, record.placement.application.student)
    url = f"/my/rotation-surveys/{record.id}"
    for data in (
        {"shown": "0", "q0": "1" + "0" * 22},
        {"shown": "0", "q4": "a\x00b"},
        {"shown": "9" * 30, "q0": "3"},
        {"shown": "0", "q0": "-1"},
    ):
        assert client.post(url, data=data).status_code == 200
    assert client.get("/my/rotation-surveys/" + "9" * 25).status_code == 404
    assert db.session.scalar(select(func.count()).select_from(SurveyResponse)) == 0
    login(client, make_user((Role.DIRECTOR, department)))
    questions = f"/departments/{department.slug}/rotation-surveys/questions"
    for data in (
        {"based_on": "0", "kind_0": "rating", "prompt_0": "a\x00b"},
        {"based_on": "1" + "0" * 22, "kind_0": "rating", "prompt_0": "Fine"},
    ):
        assert client.post(questions, data=data).status_code == 200
    assert survey_queries.current_form(department) is None
    bad_cycle = f"/departments/{department.slug}/rotation-surveys?cycle=%00nope"
    assert client.get(bad_cycle).status_code in (200, 400)
