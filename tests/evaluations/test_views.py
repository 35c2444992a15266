"""The evaluation's pages: faculty write, the director finalises and sends, the home school
opens its link (a prefetch uses nothing) and downloads the PDF; who sees what."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from clerkship.accounts.models import Role
from clerkship.audit.models import AuditEvent
from clerkship.evaluations.models import EvaluationState, HomeSchoolLink, RotationEvaluation
from clerkship.extensions import db
from tests.conftest import body_of, drain_outbox, login
from tests.evaluations.helpers import ready_evaluation, write_complete_draft
from tests.factories import make_cycle, make_review_round, make_user


def _reload(evaluation) -> RotationEvaluation:
    db.session.expire_all()
    return db.session.get(RotationEvaluation, evaluation.id)


def _downloads() -> int:
    return db.session.scalar(
        select(func.count(AuditEvent.id)).where(AuditEvent.action == "evaluation.downloaded")
    )


def test_faculty_writes_the_director_finalises_and_sends_and_the_school_downloads(
    client, app, mailbox
):
    ready = ready_evaluation()
    first, second = ready.form.criteria
    login(client, ready.faculty)
    url = f"/evaluations/{ready.evaluation.id}"
    page = client.get(url).get_data(as_text=True)
    assert "3 – Patient care: beyond" in page
    refused = client.post(
        url,
        data={"version": "1", f"criterion_{first.id}": "7", "narrative": "Kind to patients."},
    )
    html = refused.get_data(as_text=True)
    assert refused.status_code == 200
    assert f'id="criterion_{first.id}-error"' in html
    assert "Kind to patients.</textarea>" in html
    saved = client.post(
        url,
        data={
            "version": "1",
            f"criterion_{first.id}": "3",
            f"criterion_{second.id}": "2",
            "grade": "High pass",
            "narrative": "Kind to patients.",
        },
    )
    assert saved.status_code == 302
    assert "Finalise the evaluation" not in client.get(url).get_data(as_text=True)
    login(client, ready.director)
    evaluation = _reload(ready.evaluation)
    done = client.post(url + "/finalise", data={"final-version": str(evaluation.version)})
    assert done.status_code == 302
    assert _reload(evaluation).state is EvaluationState.FINALISED
    login(client, ready.faculty)
    assert client.get(url).status_code == 403  # a final evaluation is the directors' only
    login(client, ready.director)
    assert client.post(url + "/send").status_code == 302
    assert _reload(evaluation).state is EvaluationState.SENT
    drain_outbox(app)
    body = body_of(mailbox.to("registrar@howard.example.edu")[-1])
    path = re.search(r"https?://[^/\s]+(/evaluation-link/\S+)", body).group(1)
    anonymous = app.test_client()
    for _ in range(2):  # a mail scanner's prefetch, then the registrar's own visit
        landing = anonymous.get(path)
        assert landing.status_code == 200
        assert "Download the evaluation (PDF)" in landing.get_data(as_text=True)
    assert _downloads() == 0
    pdf = anonymous.post(path)
    assert pdf.status_code == 200
    assert pdf.data.startswith(b"%PDF")
    assert pdf.headers["Content-Disposition"] == 'attachment; filename="evaluation-ImaniBrooks.pdf"'
    assert anonymous.post(path).status_code == 200
    assert _downloads() == 2
    assert db.session.scalar(select(HomeSchoolLink.downloads)) == 2
    # Sending again replaces the link: the first one no longer opens.
    assert client.post(url + "/send").status_code == 302
    gone = anonymous.get(path)
    assert gone.status_code == 410
    assert "This link was replaced by a newer one" in gone.get_data(as_text=True)
    assert anonymous.post(path).status_code == 410
    assert _downloads() == 2


def test_a_reviewer_of_the_next_cycle_never_sees_the_evaluation(client):
    ready = ready_evaluation()
    write_complete_draft(ready)
    next_cycle = make_cycle(name="Next season", slug="next-season")
    reviewer = make_user((Role.REVIEWER, ready.department))
    make_review_round(ready.department, next_cycle)
    login(client, reviewer)
    assert client.get(f"/evaluations/{ready.evaluation.id}").status_code == 403
    listing = client.get("/evaluations/assigned").get_data(as_text=True)
    assert "Imani Brooks" not in listing
    department = client.get(f"/departments/{ready.department.slug}/evaluations")
    assert department.status_code == 403


@pytest.mark.parametrize("sees", [False, True])
def test_the_student_sees_that_it_was_sent_and_its_content_only_if_allowed(client, sees):
    ready = ready_evaluation()
    ready.form.student_sees_content = sees
    write_complete_draft(ready)
    from clerkship.core.time import utcnow
    from clerkship.evaluations import services

    services.finalise(ready.evaluation, by=ready.director)
    services.send_to_home_school(ready.evaluation, by=ready.director, now=utcnow())
    login(client, ready.placement.application.student)
    page = client.get("/my/evaluations/").get_data(as_text=True)
    assert "sent to your home school on" in page
    assert ("Led the team&#39;s handoffs with care." in page) is sees


def test_a_student_picks_a_school_from_the_list_only(client):
    ready = ready_evaluation()
    student = ready.placement.application.student
    login(client, student)
    refused = client.post("/my/evaluations/", data={"school_id": "999999"})
    assert refused.status_code == 200
    assert "Choose your school from the list." in refused.get_data(as_text=True)
    assert (
        client.post("/my/evaluations/", data={"school_id": str(ready.school.id)}).status_code == 302
    )


def test_an_unknown_link_says_so_without_error(client):
    response = client.get("/evaluation-link/" + "x" * 500)
    assert response.status_code == 410
    assert "This link is not valid." in response.get_data(as_text=True)


def test_the_evaluations_page_runs_as_many_queries_for_many_students(client, queries):
    from tests.factories import make_placed_student, make_student

    ready = ready_evaluation()
    login(client, ready.director)
    application = ready.placement.application
    url = f"/departments/{ready.department.slug}/evaluations?cycle={application.cycle.slug}"
    with queries() as few:
        assert client.get(url).status_code == 200
    from clerkship.evaluations import services

    ready.placement.block.capacity = 10
    for n in range(4):
        _other, more = make_placed_student(ready.placement.block, student=make_student())
        if n % 2:
            services.assign_faculty(more, ready.faculty, by=ready.director)
    db.session.commit()
    with queries() as many:
        html = client.get(url).get_data(as_text=True)
    assert html.count("Not started") == 2
    assert few.count == many.count > 0


def test_a_sloe_form_asks_the_letters_questions_and_the_director_drafts_the_letter(client):
    ready = ready_evaluation(sloe=True)
    first, second = ready.form.criteria
    login(client, ready.faculty)
    url = f"/evaluations/{ready.evaluation.id}"
    page = client.get(url).get_data(as_text=True)
    assert "Letter of evaluation: global assessment against this year&#39;s applicants" in page
    assert "Draft the standardized letter" not in page  # the directors' only
    assert client.get(url + "/letter").status_code == 403
    refused = client.post(url, data={"version": "1", "sloe_global_rank": "Top 1%"})
    assert refused.status_code == 200
    assert "Choose one of the ranks." in refused.get_data(as_text=True)
    saved = client.post(
        url,
        data={
            "version": "1",
            f"criterion_{first.id}": "3",
            f"criterion_{second.id}": "3",
            "grade": "Honors",
            "narrative": "Among the best students this year.",
            "sloe_global_rank": "Top 10%",
        },
    )
    assert saved.status_code == 302
    login(client, ready.director)
    evaluation = _reload(ready.evaluation)
    client.post(url + "/finalise", data={"final-version": str(evaluation.version)})
    assert _reload(evaluation).state is EvaluationState.DRAFT  # the guidance is not answered
    letter = client.get(url + "/letter").get_data(as_text=True)
    assert "Standardized letter of evaluation: draft for Imani Brooks" in letter
    assert '<dd class="col-sm-6">Top 10%</dd>' in letter
    assert '<dd class="col-sm-6">Not yet chosen</dd>' in letter
    assert "Among the best students this year." in letter


def test_the_letter_of_a_form_without_the_sloe_is_refused(client):
    ready = ready_evaluation()
    login(client, ready.director)
    assert client.get(f"/evaluations/{ready.evaluation.id}/letter").status_code == 403
