"""The department's pages: application list, one application's file, settings."""

from __future__ import annotations

import re

import pytest

from clerkship.accounts.models import Role
from clerkship.applications.models import ApplicationState
from clerkship.applications.permissions import can_see_pathway_flag
from clerkship.documents.models import DocumentKind
from clerkship.extensions import db
from tests.conftest import login
from tests.factories import (
    make_application,
    make_block,
    make_cycle,
    make_department,
    make_document,
    make_letter,
    make_profile,
    make_rotation,
    make_student,
    make_user,
)

S = ApplicationState


@pytest.fixture
def app_config():
    return {"PAGE_SIZE": 3}


@pytest.fixture
def dept(client):
    cycle = make_cycle()
    department = make_department(name="Emergency Medicine", slug="emergency-medicine")
    rotation = make_rotation(department, title="EM Sub-Internship")
    july, august = make_block(rotation, cycle, month=7), make_block(rotation, cycle, month=8)
    director = make_user((Role.DIRECTOR, department))
    login(client, director)
    return cycle, department, july, august, director


def _apply(cycle, department, name, blocks, state=S.SUBMITTED, **fields):
    student = make_student(full_name=name)
    return make_application(student, department, cycle, blocks=blocks, state=state, **fields)


def _names(html: str) -> list[str]:
    """The applicants named in a table, in order."""
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    return re.findall(r'<a href="/departments/[^"]+/applications/[0-9]+">([^<]+)</a>', body)


def test_list_shows_submitted_applications_of_the_department_only(client, dept):
    cycle, department, july, _august, _ = dept
    _apply(cycle, department, "Zoe Adams", [july])
    _apply(cycle, department, "Dana Draft", [july], state=S.DRAFT)
    _apply(cycle, make_department(), "Other Dept", [])
    html = client.get("/departments/emergency-medicine/applications/").get_data(as_text=True)
    assert _names(html) == ["Zoe Adams"]
    assert "1 draft in progress is not shown until submitted." in html


def test_list_filters_by_state_block_and_name(client, dept):
    cycle, department, july, august, _ = dept
    _apply(cycle, department, "Amara Okafor", [july])
    _apply(cycle, department, "Luis Hernández", [august], state=S.UNDER_REVIEW)
    mei = _apply(cycle, department, "Mei Chen", [august, july])
    make_profile(mei.student, legal_first_name="Meiling", legal_last_name="Chen-Wong")
    url = "/departments/emergency-medicine/applications/"
    assert _names(client.get(url + "?state=under_review").get_data(as_text=True)) == [
        "Luis Hernández"
    ]
    by_block = _names(client.get(url + f"?block={july.id}&sort=name").get_data(as_text=True))
    assert by_block == ["Amara Okafor", "Meiling Chen-Wong"]
    assert _names(client.get(url + "?q=chen-w").get_data(as_text=True)) == ["Meiling Chen-Wong"]
    assert _names(client.get(url + "?q=okafor").get_data(as_text=True)) == ["Amara Okafor"]
    # An unknown value is a 400 naming the argument, the sort's included.
    bad = client.get(url + "?state=bogus&block=nope&page=x")
    assert bad.status_code == 400
    assert "The query argument “state” must be one of" in bad.get_data(as_text=True)
    evil = client.get(url + "?sort=evil")
    assert evil.status_code == 400
    assert "The query argument “sort” must be one of" in evil.get_data(as_text=True)


def test_list_sorts_and_paginates(client, dept):
    cycle, department, july, _august, _ = dept
    for name in ("Carla", "alice", "Bob", "Dave"):
        _apply(cycle, department, name, [july])
    url = "/departments/emergency-medicine/applications/?sort="
    first = client.get(url + "name").get_data(as_text=True)
    assert _names(first) == ["alice", "Bob", "Carla"]
    assert 'aria-sort="ascending"' in first
    second = client.get(url + "name&page=2").get_data(as_text=True)
    assert _names(second) == ["Dave"]
    assert _names(client.get(url + "-name").get_data(as_text=True)) == ["Dave", "Carla", "Bob"]
    beyond = client.get(url + "name&page=9").get_data(as_text=True)
    assert _names(beyond) == [] and "Showing 0 of 4." in beyond


def test_pathway_badge_and_filter(client, dept):
    cycle, department, july, _august, _ = dept
    _apply(cycle, department, "In Pathway", [july], in_pathway=True)
    _apply(cycle, department, "Not In", [july])
    url = "/departments/emergency-medicine/applications/"
    html = client.get(url).get_data(as_text=True)
    assert html.count('class="badge badge-pathway"') == 1
    assert 'id="pathway"' in html
    assert _names(client.get(url + "?pathway=yes").get_data(as_text=True)) == ["In Pathway"]
    assert _names(client.get(url + "?pathway=no").get_data(as_text=True)) == ["Not In"]


def test_who_sees_the_pathway_flag(app):
    department, other = make_department(), make_department()
    assert can_see_pathway_flag(make_user((Role.DIRECTOR, department)), department)
    assert can_see_pathway_flag(make_user((Role.COORDINATOR, department)), department)
    assert can_see_pathway_flag(make_user(Role.AWARD_COMMITTEE), department)
    assert can_see_pathway_flag(make_user(Role.ADMIN), department)
    assert not can_see_pathway_flag(make_user((Role.REVIEWER, department)), department)
    assert not can_see_pathway_flag(make_user((Role.DIRECTOR, other)), department)
    assert not can_see_pathway_flag(make_student(), department)


def test_list_query_count_does_not_grow(client, dept, queries):
    cycle, department, july, august, _ = dept
    url = "/departments/emergency-medicine/applications/"
    _apply(cycle, department, "Only One", [july])
    with queries() as few:
        client.get(url)
    for n in range(8):
        application = _apply(cycle, department, f"Student {n}", [july, august])
        make_profile(application.student)
    with queries() as many:
        client.get(url)
    assert few.count == many.count


def test_application_page_shows_the_whole_file(client, dept):
    cycle, department, july, _august, _ = dept
    application = _apply(cycle, department, "Amara Okafor", [july], statement="Why EM.")
    make_profile(application.student, pronouns="she/her")
    cv = make_document(application.student, cycle, DocumentKind.CV, name="amara-cv.pdf")
    letter = make_letter(application.student, cycle, received=True, waived=True)
    html = client.get(f"/departments/emergency-medicine/applications/{application.id}").get_data(
        as_text=True
    )
    for text in (
        "she/her",
        "Howard University College of Medicine",
        "12345678",
        "Why EM.",
        "amara-cv.pdf",
        f'href="/documents/{cv.id}"',
        f'href="/documents/{letter.document_id}"',
        "EM Sub-Internship",
    ):
        assert text in html
    assert client.get(f"/documents/{letter.document_id}").status_code == 200


def test_application_page_refuses_drafts_and_other_departments(client, dept):
    cycle, department, july, _august, _ = dept
    draft = _apply(cycle, department, "Draft", [july], state=S.DRAFT)
    foreign = _apply(cycle, make_department(), "Elsewhere", [])
    for application in (draft, foreign):
        url = f"/departments/emergency-medicine/applications/{application.id}"
        assert client.get(url).status_code == 403


def test_the_former_compliance_page_redirects_to_the_onboarding_page_with_its_filters(client, dept):
    cycle = dept[0]
    response = client.get(
        f"/departments/emergency-medicine/compliance?cycle={cycle.slug}&problem=missing&page=2"
    )
    assert response.status_code == 301
    assert response.headers["Location"] == (
        f"/departments/emergency-medicine/onboarding/?cycle={cycle.slug}&page=2&state=missing"
    )
    bare = client.get("/departments/emergency-medicine/compliance?problem=any")
    assert (
        bare.headers["Location"] == "/departments/emergency-medicine/onboarding/?show=not_cleared"
    )
    letters = client.get("/departments/emergency-medicine/compliance?problem=letters")
    assert letters.headers["Location"] == "/departments/emergency-medicine/onboarding/"


def test_director_changes_application_settings(client, dept):
    _cycle, department, *_ = dept
    response = client.post(
        "/departments/emergency-medicine/application-settings",
        data={
            "max_choices": "3",
            "statement_word_limit": "400",
            "letters_required": "2",
            "required_documents": ["cv", "bls"],
        },
    )
    assert response.status_code == 302
    db.session.refresh(department)
    assert (department.max_choices, department.statement_word_limit) == (3, 400)
    assert (department.letters_required, department.required_documents) == (2, "cv,bls")


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"max_choices": "0"}, "max_choices", "Enter a number between 1 and 20."),
        ({"statement_word_limit": "10"}, "statement_word_limit", "between 50 and 5,000 words."),
        ({"letters_required": "9"}, "letters_required", "Enter a number between 0 and 5."),
        ({"required_documents": ["letter"]}, "required_documents", "is not a valid choice"),
    ],
)
def test_bad_settings_are_explained(client, dept, change, field, message):
    data = {"max_choices": "3", "statement_word_limit": "400", "letters_required": "1", **change}
    html = client.post("/departments/emergency-medicine/application-settings", data=data).get_data(
        as_text=True
    )
    assert message in html.split(f'id="{field}-error"')[1].split("</div>")[0]


def test_settings_link_hidden_from_coordinators(client, dept):
    _cycle, department, *_ = dept
    # The department's set-up section lists its pages under it.
    page = client.get("/departments/emergency-medicine/rotations/").get_data(as_text=True)
    assert "Application settings</a>" in page
    login(client, make_user((Role.COORDINATOR, department)))
    page = client.get("/departments/emergency-medicine/rotations/").get_data(as_text=True)
    assert "Application settings</a>" not in page and "Rotations and blocks</a>" in page
    assert client.get("/departments/emergency-medicine/application-settings").status_code == 403


@pytest.mark.fresh_app
def test_pathway_hooks_render_the_partials_when_they_exist(client, dept):
    from jinja2 import ChoiceLoader, DictLoader

    cycle, department, july, _august, _ = dept
    application = _apply(cycle, department, "Hooked", [july])
    partials = DictLoader(
        {
            "pathway/_staff_panel.html": "<p>STAFF PANEL {{ application.id }}</p>",
            "pathway/_student_panel.html": "<p>STUDENT PANEL {{ application.id }}</p>",
        }
    )
    served = client.application
    served.jinja_env.loader = ChoiceLoader([partials, served.jinja_env.loader])
    staff = client.get(f"/departments/emergency-medicine/applications/{application.id}")
    assert f"<p>STAFF PANEL {application.id}</p>" in staff.get_data(as_text=True)
    login(client, application.student)
    status = client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert f"<p>STUDENT PANEL {application.id}</p>" in status
