"""The pathway's pages: the student's answers, the committee's view, directors' flags, admin set-up."""

from __future__ import annotations

import pytest
from flask import render_template
from sqlalchemy import func, select

from clerkship.accounts.models import Role
from clerkship.applications.models import ApplicationState
from clerkship.audit.models import AuditEvent
from clerkship.extensions import db
from clerkship.pathway import queries
from clerkship.pathway.models import Identification, PathwayConfig, PathwayDecision
from clerkship.pathway.services import refresh_pathway_flags
from tests.awards.helpers import text_of
from tests.conftest import login
from tests.factories import (
    make_cycle,
    make_department,
    make_rotation_application,
    make_self_identification,
    make_student,
    make_user,
)


@pytest.fixture
def season(app):
    cycle = make_cycle()
    department = make_department(name="Emergency Medicine", slug="emergency-medicine")
    student = make_student(full_name="Amara Okafor")
    application = make_rotation_application(
        student, cycle, department, state=ApplicationState.SUBMITTED
    )
    return cycle, department, student, application


def _views() -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == queries.ANSWERS_VIEWED)
            .order_by(AuditEvent.id)
        )
    )


def test_student_answers_and_joins_the_pathway(client, season):
    cycle, _department, student, application = season
    login(client, student)
    page = client.get(f"/pathway/{cycle.slug}/self-identification")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "How your answers are used, and who sees them" in html
    assert "Black or African American" in html
    response = client.post(
        f"/pathway/{cycle.slug}/self-identification",
        data={"identifies": "yes", "categories": ["Black or African American"], "version": ""},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/pathway/{cycle.slug}/"
    answers = queries.self_identification(student, cycle)
    assert (answers.identifies, answers.categories) == (
        Identification.YES,
        ["Black or African American"],
    )
    assert db.session.get(type(application), application.id).in_pathway is True
    overview = client.get(f"/pathway/{cycle.slug}/").get_data(as_text=True)
    assert "You have self-identified." in overview
    assert "In the pathway" in overview


def test_student_pages_say_how_long_answers_are_kept_and_that_no_decision_was_made(
    app, client, season
):
    cycle, _department, student, _application = season
    app.config["PATHWAY_RETENTION_DAYS"] = 180
    login(client, student)
    for path in ("", "self-identification"):
        html = client.get(f"/pathway/{cycle.slug}/{path}").get_data(as_text=True)
        assert (
            "<li>Your answers are deleted 180 days after the cycle closes; only anonymous "
            "totals are kept.</li>"
        ) in html
    overview = client.get(f"/pathway/{cycle.slug}/").get_data(as_text=True)
    assert "<td>No decision</td>" in overview and "None" not in overview
    login(client, make_user(Role.AWARD_COMMITTEE))
    answers = client.get(f"/pathway/{cycle.slug}/students/{student.id}/answers")
    assert "<td>No decision</td>" in answers.get_data(as_text=True)


def test_each_view_of_own_answers_is_audited(client, season):
    cycle, _department, student, _application = season
    login(client, student)
    client.get(f"/pathway/{cycle.slug}/self-identification")
    client.get(f"/pathway/{cycle.slug}/self-identification")
    views = _views()
    assert [(v.actor_id, v.subject_user_id, v.detail["context"]) for v in views] == [
        (student.id, student.id, "own answers"),
        (student.id, student.id, "own answers"),
    ]


def test_refused_answer_keeps_the_choice_and_saves_nothing(client, season):
    cycle, _department, student, _application = season
    login(client, student)
    response = client.post(
        f"/pathway/{cycle.slug}/self-identification",
        data={"identifies": "no", "categories": ["Black or African American"], "version": ""},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "The categories describe a Yes answer: answer Yes above, or untick them." in html
    assert (
        '<input checked class="form-check-input is-invalid" id="categories-1" name="categories" '
        'type="checkbox" value="Black or African American">'
    ) in html
    assert queries.self_identification(student, cycle) is None


def test_unknown_category_is_refused(client, season):
    cycle, _department, student, _application = season
    login(client, student)
    response = client.post(
        f"/pathway/{cycle.slug}/self-identification",
        data={"identifies": "yes", "categories": ["Invented"], "version": ""},
    )
    assert response.status_code == 200
    assert "&#39;Invented&#39; is not a valid choice" in response.get_data(as_text=True)
    assert queries.self_identification(student, cycle) is None


def test_stale_answers_form_is_refused(client, season):
    cycle, _department, student, _application = season
    make_self_identification(student, cycle)
    login(client, student)
    response = client.post(
        f"/pathway/{cycle.slug}/self-identification",
        data={"identifies": "no", "version": "99"},
    )
    assert "Your answers were changed in another window" in response.get_data(as_text=True)
    assert queries.self_identification(student, cycle).identifies is Identification.YES


def test_student_deletes_answers(client, season):
    cycle, _department, student, application = season
    make_self_identification(student, cycle)
    refresh_pathway_flags(student, cycle, by=None)
    login(client, student)
    response = client.post(f"/pathway/{cycle.slug}/self-identification/remove")
    assert response.status_code == 302
    assert queries.self_identification(student, cycle) is None
    assert db.session.get(type(application), application.id).in_pathway is False


def test_committee_views_answers_and_the_view_is_recorded(client, season):
    cycle, _department, student, _application = season
    make_self_identification(student, cycle, categories=["Black or African American"])
    committee = make_user(Role.AWARD_COMMITTEE, full_name="Renee Baptiste")
    login(client, committee)
    html = client.get(f"/pathway/{cycle.slug}/students/{student.id}/answers").get_data(as_text=True)
    assert "Black or African American" in html
    views = _views()
    assert [(v.actor_id, v.subject_user_id, v.detail["context"]) for v in views] == [
        (committee.id, student.id, "answers page")
    ]
    admin = make_user(Role.ADMIN)
    login(client, admin)
    listing = client.get("/admin/pathway/answer-views").get_data(as_text=True)
    assert "Renee Baptiste" in listing and "Amara Okafor" in listing


def test_answers_page_of_a_non_student_is_not_found(client, season):
    cycle, *_ = season
    login(client, make_user(Role.ADMIN))
    other = make_user((Role.REVIEWER, make_department()))
    assert client.get(f"/pathway/{cycle.slug}/students/{other.id}/answers").status_code == 404
    assert client.get(f"/pathway/{cycle.slug}/students/999999/answers").status_code == 404
    assert _views() == []


def test_department_list_filters_by_flag(client, season):
    cycle, department, student, _application = season
    other = make_rotation_application(
        make_student(full_name="Ben Other"), cycle, department, state=ApplicationState.SUBMITTED
    )
    make_rotation_application(make_student(full_name="Draft Only"), cycle, department)
    make_self_identification(student, cycle)
    refresh_pathway_flags(student, cycle, by=None)
    login(client, make_user((Role.COORDINATOR, department)))
    url = f"/departments/{department.slug}/pathway?cycle={cycle.slug}"
    everyone = client.get(url).get_data(as_text=True)
    assert "Amara Okafor" in everyone and "Ben Other" in everyone
    assert "Draft Only" not in everyone
    in_only = client.get(url + "&flag=yes").get_data(as_text=True)
    assert "Amara Okafor" in in_only and "Ben Other" not in in_only
    out_only = client.get(url + "&flag=no").get_data(as_text=True)
    assert "Amara Okafor" not in out_only and "Ben Other" in out_only
    assert other.in_pathway is False


def test_director_confirms_with_a_reason_and_the_student_is_emailed(client, season, mailbox):
    _cycle, department, student, application = season
    login(client, make_user((Role.DIRECTOR, department)))
    url = f"/departments/{department.slug}/applications/{application.id}/pathway"
    response = client.post(
        url, data={"decision": "confirmed", "reason": "Confirmed with the dean.", "version": "0"}
    )
    assert response.status_code == 302
    assert db.session.get(type(application), application.id).in_pathway is True
    message = mailbox.last_to(student.email)
    assert "Confirmed with the dean." in text_of(message)
    html = client.get(url).get_data(as_text=True)
    assert "Confirmed in the pathway" in html and "Confirmed with the dean." in html


def test_director_decision_without_reason_keeps_the_choice(client, season):
    _cycle, department, _student, application = season
    login(client, make_user((Role.DIRECTOR, department)))
    response = client.post(
        f"/departments/{department.slug}/applications/{application.id}/pathway",
        data={"decision": "withdrawn", "reason": "  ", "version": "0"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Write the reason for your decision; it is kept and sent to the student." in html
    assert '<option selected value="withdrawn">' in html
    assert db.session.scalar(select(func.count(PathwayDecision.id))) == 0


def test_double_submitted_decision_is_recorded_once(client, season):
    _cycle, department, _student, application = season
    login(client, make_user((Role.DIRECTOR, department)))
    url = f"/departments/{department.slug}/applications/{application.id}/pathway"
    data = {"decision": "confirmed", "reason": "Once.", "version": "0"}
    assert client.post(url, data=data).status_code == 302
    again = client.post(url, data=data)
    assert "Someone decided on this flag after you opened the page." in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count(PathwayDecision.id))) == 1


def test_flag_page_of_another_departments_application_is_refused(client, season):
    _cycle, _department, _student, application = season
    other = make_department()
    login(client, make_user((Role.DIRECTOR, other)))
    response = client.get(f"/departments/{other.slug}/applications/{application.id}/pathway")
    assert response.status_code == 403


def _render_panels(app, user, application, template):
    with app.test_request_context("/"):
        from flask_login import login_user

        login_user(user)
        return render_template(template, application=application)


def test_staff_panel_shows_the_flag_only_to_those_who_may_see_it(app, season):
    cycle, department, student, application = season
    make_self_identification(student, cycle, categories=["Black or African American"])
    refresh_pathway_flags(student, cycle, by=None)
    db.session.commit()
    template = "pathway/_staff_panel.html"
    director = make_user((Role.DIRECTOR, department))
    reviewer = make_user((Role.REVIEWER, department))
    coordinator = make_user((Role.COORDINATOR, department))
    db.session.commit()
    shown = _render_panels(app, director, application, template)
    assert "In the pathway" in shown and "Confirm or withdraw the flag" in shown
    assert "Black or African American" not in shown and "self-identified" not in shown
    coordinator_view = _render_panels(app, coordinator, application, template)
    assert "In the pathway" in coordinator_view
    assert "Confirm or withdraw the flag" not in coordinator_view
    assert _render_panels(app, reviewer, application, template).strip() == ""


def test_student_panel_shows_the_students_own_status(app, season):
    cycle, _department, student, application = season
    make_self_identification(student, cycle)
    refresh_pathway_flags(student, cycle, by=None)
    db.session.commit()
    shown = _render_panels(app, student, application, "pathway/_student_panel.html")
    assert "in the UIM pathway" in shown and "You have self-identified." in " ".join(shown.split())
    other = make_student()
    db.session.commit()
    assert _render_panels(app, other, application, "pathway/_student_panel.html").strip() == ""


def test_admin_changes_the_definition_as_a_new_version_once_answered(client, season):
    cycle, _department, student, _application = season
    make_self_identification(student, cycle)
    login(client, make_user(Role.ADMIN))
    response = client.post(
        f"/admin/pathway/{cycle.slug}",
        data={
            "definition": "Students who meet one of the criteria below.",
            "categories": "",
            "criteria": "First-generation college student\nSocioeconomic disadvantage",
        },
        follow_redirects=True,
    )
    html = response.get_data(as_text=True)
    assert "Saved as version 2: students have applied or answered in this cycle" in html
    assert "1 student(s) answered version 1" in html
    versions = db.session.scalars(select(PathwayConfig.number).order_by(PathwayConfig.number)).all()
    assert versions == [1, 2]
    login(client, student)
    page = client.get(f"/pathway/{cycle.slug}/self-identification").get_data(as_text=True)
    assert "You answered version 1 of the definition; it has changed since." in page
    assert "First-generation college student" in page


def test_admin_definition_refuses_duplicate_items(client, season):
    cycle, *_ = season
    login(client, make_user(Role.ADMIN))
    response = client.post(
        f"/admin/pathway/{cycle.slug}",
        data={"definition": "D.", "categories": "A\na", "criteria": ""},
    )
    assert "Each item may appear only once." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(PathwayConfig.id))) == 0
