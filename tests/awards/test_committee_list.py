"""The committee's list of award applications: named and linked by the student's name, the
award round's review progress and scores, sortable by every column, filtered and searched."""

from __future__ import annotations

import re

import pytest

from clerkship.awards.models import AwardState
from clerkship.extensions import db
from tests import factories
from tests.conftest import login


@pytest.fixture
def app_config():
    return {"RATELIMIT_ENABLED": False}


@pytest.fixture
def committee_list(client):
    """Three award applications, two scored by two members, the chair signed in."""
    cycle = factories.make_cycle()
    factories.make_award_settings(cycle)
    chair = factories.make_reviewer(None, full_name="Dr. Chair")
    member = factories.make_reviewer(None, full_name="Dr. Member")
    award_round = factories.make_review_round(None, cycle)
    rubric = factories.make_rubric(award_round, weights=(1,), high=5)
    awards = {}
    for name, department in (
        ("Cora High", "Pediatrics"),
        ("Abe Low", "Emergency Medicine"),
        ("Bea None", "Internal Medicine"),
    ):
        student = factories.make_student(full_name=name, email=f"{name.split()[0].lower()}@x.edu")
        application = factories.make_rotation_application(
            student, cycle, factories.make_department(name=department)
        )
        awards[name] = factories.make_award_application(application, state=AwardState.SUBMITTED)
    for name, levels in (("Cora High", (5, 4)), ("Abe Low", (2, 1))):
        for reviewer, level in zip((chair, member), levels, strict=True):
            assignment = factories.make_assignment(
                award_round, None, reviewer, award_application_id=awards[name].id
            )
            factories.make_review(assignment, rubric, [level])
    login(client, chair)
    return cycle, awards, chair, member, award_round, rubric


def _names(html: str) -> list[str]:
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    return re.findall(r'<a href="/awards/applications/[0-9]+">([^<]+)</a>', body)


def _row(html: str, name: str) -> list[str]:
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    row = next(r for r in body.split("<tr>") if f">{name}</a>" in r)
    return [
        " ".join(re.sub(r"<[^>]+>", " ", c).split())
        for c in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)
    ]


def test_rows_are_named_linked_and_show_review_progress_and_score(client, committee_list):
    cycle, awards, *_ = committee_list
    html = client.get(f"/awards/{cycle.slug}/committee/").get_data(as_text=True)
    cora = _row(html, "Cora High")
    assert (cora[0], cora[1], cora[4], cora[5]) == ("Cora High", "Pediatrics", "2 of 2", "4.50")
    assert _row(html, "Bea None")[4:6] == ["No reviewer yet", ""]
    assert f'href="/awards/applications/{awards["Abe Low"].id}">Abe Low</a>' in html
    assert f">#{awards['Abe Low'].id}</a>" not in html and "Award application #" not in html


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("score", ["Abe Low", "Cora High", "Bea None"]),
        ("-score", ["Cora High", "Abe Low", "Bea None"]),
        ("name", ["Abe Low", "Bea None", "Cora High"]),
        ("-name", ["Cora High", "Bea None", "Abe Low"]),
        ("department", ["Abe Low", "Bea None", "Cora High"]),
        ("-department", ["Cora High", "Bea None", "Abe Low"]),
        ("reviews", ["Bea None", "Cora High", "Abe Low"]),
        ("-reviews", ["Cora High", "Abe Low", "Bea None"]),
        ("submitted", ["Cora High", "Abe Low", "Bea None"]),
    ],
)
def test_every_column_sorts(client, committee_list, sort, expected):
    cycle, *_ = committee_list
    html = client.get(f"/awards/{cycle.slug}/committee/?sort={sort}").get_data(as_text=True)
    assert _names(html) == expected


def test_search_and_state_filter(client, committee_list):
    cycle, awards, *_ = committee_list
    awards["Bea None"].state = AwardState.UNDER_REVIEW
    db.session.commit()
    url = f"/awards/{cycle.slug}/committee/"
    assert _names(client.get(url + "?q=BEA%40").get_data(as_text=True)) == ["Bea None"]
    assert _names(client.get(url + "?q=low").get_data(as_text=True)) == ["Abe Low"]
    filtered = client.get(url + "?state=under_review&sort=-score").get_data(as_text=True)
    assert _names(filtered) == ["Bea None"]
    assert "state=under_review&amp;sort=score" in filtered


@pytest.mark.parametrize("query", ["sort=evil", "state=draft", "page=0", "q=" + "x" * 101])
def test_bad_arguments_are_a_clear_400(client, committee_list, query):
    cycle, *_ = committee_list
    response = client.get(f"/awards/{cycle.slug}/committee/?{query}")
    assert response.status_code == 400
    assert "The query argument “" in response.get_data(as_text=True)


def test_a_member_with_a_review_to_do_does_not_see_that_score(client, committee_list):
    cycle, awards, chair, _member, award_round, _rubric = committee_list
    factories.make_assignment(award_round, None, chair, award_application_id=awards["Bea None"].id)
    third = factories.make_reviewer(None, full_name="Dr. Third")
    pending = factories.make_assignment(
        award_round, None, third, award_application_id=awards["Cora High"].id
    )
    login(client, third)
    html = client.get(f"/awards/{cycle.slug}/committee/").get_data(as_text=True)
    assert _row(html, "Cora High")[4:6] == ["2 of 3", ""]
    assert _row(html, "Abe Low")[5] == "1.50"
    assert pending.id


def test_query_count_does_not_grow_when_sorted_by_score(client, committee_list, queries):
    cycle, _awards, chair, _member, award_round, rubric = committee_list
    url = f"/awards/{cycle.slug}/committee/?sort=-score"
    db.session.commit()
    with queries() as few:
        client.get(url)
    for n in range(6):
        application = factories.make_rotation_application(
            factories.make_student(full_name=f"More {n}"), cycle
        )
        award = factories.make_award_application(application, state=AwardState.SUBMITTED)
        assignment = factories.make_assignment(
            award_round, None, chair, award_application_id=award.id
        )
        factories.make_review(assignment, rubric, [n % 5 + 1])
    db.session.commit()
    with queries() as many:
        assert client.get(url).status_code == 200
    assert few.count == many.count
