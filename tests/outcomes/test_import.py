"""The rank and match list import: errors named by row, the preview, the replacement, the audit."""

from __future__ import annotations

import base64
import io

import pytest
from sqlalchemy import select

from clerkship.accounts.models import Role
from clerkship.applications.models import ApplicationState
from clerkship.audit.models import AuditEvent
from clerkship.extensions import db
from clerkship.outcomes import queries, services
from clerkship.outcomes.models import ListKind, ResidencyListEntry
from tests import factories
from tests.conftest import login

pytestmark = pytest.mark.usefixtures("app")


@pytest.fixture
def app_config():
    return {"RATELIMIT_ENABLED": False}


def _applicants(count=3, prefix="applicant"):
    cycle = factories.make_cycle()
    department = factories.make_department()
    people = []
    for n in range(count):
        student = factories.make_student(email=f"{prefix}{n}@example.org")
        factories.make_profile(student, aamc_id=f"{1 if prefix == 'applicant' else 2}{n:07d}")
        people.append(
            factories.make_application(student, department, cycle, state=ApplicationState.SUBMITTED)
        )
    return department, cycle, people


def test_a_rank_list_names_every_bad_row_and_saves_nothing():
    department, cycle, people = _applicants()
    other = factories.make_student(email="elsewhere@example.org")
    factories.make_application(other, cycle=cycle, state=ApplicationState.SUBMITTED)
    text = (
        "AAMC ID,Email,Rank\n"
        "10000000,,1\n"
        "1234,,2\n"
        ",not-an-email,3\n"
        "10000000,,4\n"
        "10000001,,x\n"
        "10000002,,1\n"
        ",elsewhere@example.org,5\n"
        "99999999,,6\n"
    )
    preview = services.preview_list(department, cycle, ListKind.RANK, text.encode())
    assert preview.errors == [
        "Line 3: the AAMC ID “1234” is not 8 digits.",
        "Line 4: “not-an-email” is not a valid email address.",
        f"Line 5: {people[0].student.full_name} is already on line 2.",
        "Line 6: the rank “x” is not a whole number from 1.",
        "Line 7: rank 1 is already on line 2.",
    ]
    assert preview.not_found == [
        f"Line 8: no applicant to {department.name} in {cycle.name} has the email elsewhere@example.org.",
        f"Line 9: no applicant to {department.name} in {cycle.name} has the AAMC ID 99999999.",
    ]
    assert preview.can_confirm is False
    with pytest.raises(ValueError):
        services.replace_list(
            department, cycle, ListKind.RANK, preview, by=factories.make_user(Role.ADMIN)
        )


@pytest.mark.parametrize(
    "data, error",
    [
        (b"Name\nA\n", "Line 1 must name an “AAMC ID” or an “Email” column."),
        (b"\xff\xfe\x00bad", "The file is not a CSV text file."),
        (b"\xff\xfebad", "The file is not UTF-8 text: save it as “CSV UTF-8” and upload it again."),
        (b"Email\n", "The list has no one in it."),
        (b"Email\na@example.org,extra\n", "Line 2: expected 1 columns, found 2."),
        (
            "AAMC ID,Rank\n10000000,\u00b2\n".encode(),
            "Line 2: the rank “\u00b2” is not a whole number from 1.",
        ),
        (
            "AAMC ID\n\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\n".encode(),
            "Line 2: the AAMC ID “\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668” is not 8 digits.",
        ),
    ],
)
def test_a_file_that_is_not_a_list_is_refused(data, error):
    department, cycle, _people = _applicants(1)
    kind = ListKind.RANK if b"Rank" in data else ListKind.MATCH
    assert services.preview_list(department, cycle, kind, data).errors == [error]


def test_confirming_replaces_the_list_and_is_audited():
    department, cycle, people = _applicants()
    director = factories.make_user((Role.DIRECTOR, department))
    first = services.preview_list(
        department,
        cycle,
        ListKind.MATCH,
        b"Email\napplicant0@example.org\napplicant1@example.org\n",
    )
    services.replace_list(department, cycle, ListKind.MATCH, first, by=director)
    second = services.preview_list(department, cycle, ListKind.MATCH, b"AAMC ID\n10000002\n")
    services.replace_list(department, cycle, ListKind.MATCH, second, by=director)
    entries = db.session.scalars(select(ResidencyListEntry.application_id)).all()
    assert entries == [people[2].id]
    assert queries.list_sizes(department, cycle) == {ListKind.MATCH: 1}
    events = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == "outcomes.match_list_imported")
        .order_by(AuditEvent.id)
    ).all()
    assert [e.detail["entries"] for e in events] == [2, 1]
    assert events[1].detail["replaced"] == 2


def test_a_director_previews_then_saves_a_match_list(app, client):
    department, cycle, people = _applicants()
    director = factories.make_user((Role.DIRECTOR, department))
    db.session.commit()
    login(client, director)
    url = f"/departments/{department.slug}/outcomes/{cycle.slug}/match-list"
    body = b"Email\napplicant1@example.org\nnobody@example.org\n"
    response = client.post(
        url, data={"file": (io.BytesIO(body), "match.csv")}, content_type="multipart/form-data"
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"Line 2: {people[1].student.full_name}" in page
    assert (
        f"Line 3: no applicant to {department.name} in {cycle.name} has the email nobody@example.org."
        in page
    )
    assert db.session.scalars(select(ResidencyListEntry)).all() == []
    response = client.post(url + "/confirm", data={"content": base64.b64encode(body).decode()})
    assert response.status_code == 303
    assert (
        response.headers["Location"]
        == f"/departments/{department.slug}/outcomes?cycle={cycle.slug}"
    )
    db.session.rollback()  # a fresh snapshot: the request saved in its own session
    assert db.session.scalars(select(ResidencyListEntry.application_id)).all() == [people[1].id]


def test_a_bad_upload_keeps_the_page_and_names_the_rows(client):
    department, cycle, _people = _applicants()
    director = factories.make_user((Role.DIRECTOR, department))
    db.session.commit()
    login(client, director)
    url = f"/departments/{department.slug}/outcomes/{cycle.slug}/rank-list"
    response = client.post(
        url,
        data={"file": (io.BytesIO(b"AAMC ID,Rank\n123,0\n"), "rank.csv")},
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert (
        "Line 2: the AAMC ID “123” is not 8 digits. the rank “0” is not a whole number from 1."
        in page
    )
    assert "Save the rank list" not in page
    response = client.post(
        url, data={"file": (io.BytesIO(b"x"), "rank.txt")}, content_type="multipart/form-data"
    )
    assert response.status_code == 400
    assert "Upload a .csv file" in response.get_data(as_text=True)
    response = client.post(url, data={})
    assert response.status_code == 400
    assert "Choose a CSV file." in response.get_data(as_text=True)
    response = client.post(url + "/confirm", data={"content": "not base64!"})
    assert response.status_code == 303
    assert response.headers["Location"] == url
    response = client.post(
        url + "/confirm", data={"content": base64.b64encode(b"AAMC ID,Rank\n1,1\n").decode()}
    )
    assert "Line 2: the AAMC ID “1” is not 8 digits." in response.get_data(as_text=True)


def test_the_report_runs_the_same_number_of_queries_whatever_the_data(client, queries):
    admin = factories.make_user(Role.ADMIN)
    _applicants(2)
    db.session.commit()
    login(client, admin)
    client.get("/outcomes")
    with queries() as small:
        assert client.get("/outcomes").status_code == 200
    department, cycle, _people = _applicants(8, prefix="more")
    factories.make_department()
    db.session.commit()
    with queries() as large:
        assert client.get("/outcomes").status_code == 200
    assert large.count == small.count
